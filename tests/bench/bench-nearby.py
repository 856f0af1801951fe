#!/usr/bin/env python3
# bench-nearby.py: ShareSync between two machines, against curl, 1 GiB each way.
#
# Two network namespaces joined by a veth pair (198.18.210.0/24, the benchmarking range) stand
# for two computers on a LAN, with a headless ShareSync in each:
# - LocalSend upload: in namespace A, `sharesync --send-to 198.18.210.2 FILE` sends the file to
#   `sharesync --receive INBOX --accept-all` in namespace B over LocalSend's HTTPS API, against
#   curl -k doing the same to the same receiver: prepare-upload, then the upload streamed with
#   `curl -T FILE -X POST`. Both are timed the same way: wall clock of everything the contender
#   runs (ShareSync: the whole process, with its info request and its TLS handshakes; curl:
#   both curl processes). Target: ShareSync >= 0.8x curl's MB/s. Also the sender's CPU seconds.
# - HTTP fetch: in namespace A, `sharesync --fetch LINK --to DIR` (the HTTP fast path) against
#   `curl -o` of the same file's link, from `sharesync FILE` sharing in namespace B; wall clock
#   of each process. Target: ShareSync >= 0.9x curl. For context, also `curl -o` followed by
#   `sha256sum` of the file: the same work --fetch does (it checks the announced SHA-256).
# Rounds alternate which contender goes first; received data is deleted after each round; the
# table shows medians. It is a report: the exit status is 0 whether targets pass or not, and 1
# only when something could not be run or measured. Needs root (ip netns) and curl.
#
# Everything (the source file, the folders received into) is in one temporary folder, under
# /dev/shm when it exists (tmpfs: the network path is measured, not the disk), else $TMPDIR;
# BENCH_TMPDIR chooses another parent.
#
# Environment: SSYNC_BIN (the sharesync binary), BENCH_SHORT=1 (a 256 MiB file and 3 rounds,
# for a quick check; the numbers are then not the issue's), BENCH_ROUNDS (rounds, default 5).
#
# SPDX-License-Identifier: MIT

import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from benchlib import (BenchError, find_tool, fmt, fmt_ratio, log, mark, newer_sources,
                      ratio, warm_cache, file_tail)

GIB = 1 << 30
MIB = 1 << 20
SHORT = os.environ.get('BENCH_SHORT') == '1'
SIZE = 256 * MIB if SHORT else GIB
SIZE_LABEL = '256 MiB' if SHORT else '1 GiB'
ROUNDS = int(os.environ.get('BENCH_ROUNDS', '3' if SHORT else '5'))
SOURCE_NAME = 'source.bin'
STARTUP_TIMEOUT = 20
TRANSFER_TIMEOUT = 300

SUBNET = '198.18.210'
ADDR_A = f'{SUBNET}.1'
ADDR_B = f'{SUBNET}.2'
LOCALSEND_PORT = 53317
SHARE_PORT = 8210
API = '/api/localsend/v2'

TARGET_UPLOAD = 0.8
TARGET_FETCH = 0.9


class Namespaces:
    """Namespaces sbn-aPID and sbn-bPID joined by a veth pair; remove() undoes what was made."""

    def __init__(self):
        pid = os.getpid()
        self.a = f'sbn-a{pid}'
        self.b = f'sbn-b{pid}'
        self.veth_a = f'sbnva{pid}'
        self.veth_b = f'sbnvb{pid}'
        self.made = []

    def _ip(self, *args):
        r = subprocess.run(['ip'] + list(args), capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError(f'ip {" ".join(args)}: {r.stderr.strip()}')

    def create(self):
        for ns in (self.a, self.b):
            self._ip('netns', 'add', ns)
            self.made.append(ns)
        self._ip('link', 'add', self.veth_a, 'type', 'veth', 'peer', 'name', self.veth_b)
        self._ip('link', 'set', self.veth_a, 'netns', self.a)
        self._ip('link', 'set', self.veth_b, 'netns', self.b)
        for ns, dev, addr in ((self.a, self.veth_a, ADDR_A), (self.b, self.veth_b, ADDR_B)):
            self._ip('-n', ns, 'addr', 'add', f'{addr}/24', 'dev', dev)
            self._ip('-n', ns, 'link', 'set', 'lo', 'up')
            self._ip('-n', ns, 'link', 'set', dev, 'up')

    def remove(self):
        # Deleting a namespace deletes the veth end inside it, and so the pair.
        for ns in self.made:
            subprocess.run(['ip', 'netns', 'del', ns], capture_output=True)
        self.made = []
        subprocess.run(['ip', 'link', 'del', self.veth_a], capture_output=True)

    def run_in(self, ns, cmd):
        return ['ip', 'netns', 'exec', ns] + cmd


def clean_env():
    env = dict(os.environ)
    for key in ('DISPLAY', 'WAYLAND_DISPLAY', 'SHARESYNC_NEARBY', 'SHARESYNC_FETCH_OVER',
                'SHARESYNC_LOCALSEND_PORT'):
        env.pop(key, None)
    return env


def run_timed(cmd, timeout, env=None):
    """Runs @cmd; returns (exit status, wall seconds, CPU seconds of the child, stdout,
    stderr). `ip netns exec` execs the command, so wait4() counts the program itself."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env)
    out_chunks, err_chunks = [], []

    def drain(pipe, chunks):
        for block in iter(lambda: pipe.read(65536), b''):
            chunks.append(block)

    readers = [threading.Thread(target=drain, args=(proc.stdout, out_chunks), daemon=True),
               threading.Thread(target=drain, args=(proc.stderr, err_chunks), daemon=True)]
    for r in readers:
        r.start()
    reaped = []

    def reap():
        _, status, usage = os.wait4(proc.pid, 0)
        reaped.append((time.monotonic(), status, usage))

    waiter = threading.Thread(target=reap, daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive():
        proc.kill()
        waiter.join(10)
        raise BenchError(f'{shlex.join(cmd)} did not finish within {timeout} s')
    for r in readers:
        r.join(10)
    ended, status, usage = reaped[0]
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (proc.returncode, ended - started, usage.ru_utime + usage.ru_stime,
            b''.join(out_chunks).decode(errors='replace'),
            b''.join(err_chunks).decode(errors='replace'))


class Server:
    """A headless sharesync in a namespace, its stdout (JSON events) in a file."""

    def __init__(self, tmp, name, cmd, env):
        self.out_path = os.path.join(tmp, f'{name}.jsonl')
        self.err_path = os.path.join(tmp, f'{name}.err')
        self.cmd = cmd
        self.env = env
        self.proc = None

    def start(self):
        with open(self.out_path, 'wb') as out, open(self.err_path, 'wb') as err:
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, env=self.env)

    def events(self):
        found = []
        with open(self.out_path, errors='replace') as f:
            for line in f:
                try:
                    found.append(json.loads(line))
                except ValueError:
                    pass
        return found

    def wait_event(self, predicate, what):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f'sharesync exited with status {self.proc.returncode}: '
                                 + file_tail(self.err_path))
            for event in self.events():
                if predicate(event):
                    return event
            time.sleep(0.05)
        raise BenchError(f'sharesync printed no {what} in {STARTUP_TIMEOUT} s: '
                         + file_tail(self.err_path))

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def make_source(path):
    """Writes SIZE bytes (a 16 MiB random block repeated) to @path; returns their SHA-256."""
    block = os.urandom(16 * MIB)
    digest = hashlib.sha256()
    with open(path, 'wb') as f:
        for _ in range(SIZE // len(block)):
            f.write(block)
            digest.update(block)
    return digest.hexdigest()


def empty_folder(folder):
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def check_received(folder, what):
    """The one file of SIZE bytes received somewhere under @folder, then the folder emptied."""
    try:
        files = [os.path.join(root, n) for root, _, names in os.walk(folder) for n in names]
        if len(files) != 1 or os.path.getsize(files[0]) != SIZE:
            sizes = ', '.join(f'{os.path.relpath(p, folder)} ({os.path.getsize(p)} bytes)'
                              for p in files)
            raise BenchError(f'{what}: expected one file of {SIZE} bytes, found: {sizes or "none"}')
    finally:
        empty_folder(folder)


def sample(contender, wall, cpu, extra=None):
    row = {'rate': SIZE / wall / 1e6, 'wall': wall, 'cpu': cpu}
    row.update(extra or {})
    log(f'{contender}: {row["rate"]:.0f} MB/s, {wall:.2f} s, CPU {cpu:.2f} s')
    return row


def run_rounds(title, contenders, warm_up=True):
    """One untimed round of each contender (when @warm_up), then ROUNDS rounds, each
    alternating which goes first; returns {name: [sample, ...]}."""
    if warm_up:
        log(f'{title}: warm-up round, not counted')
        for contender in contenders.values():
            contender()
    results = {name: [] for name in contenders}
    for run in range(1, ROUNDS + 1):
        names = list(contenders)
        log(f'{title}: round {run}/{ROUNDS}')
        for name in names if run % 2 else reversed(names):
            results[name].append(contenders[name]())
    return results


# LocalSend upload ------------------------------------------------------------------------

def upload_sharesync(net, tools, source, inbox, data_dir):
    cmd = net.run_in(net.a, [tools['sharesync'], '--headless', '--data-dir', data_dir,
                             '--alias', 'Bench sender', '--send-to',
                             f'{ADDR_B}:{LOCALSEND_PORT}', source])
    status, wall, cpu, out, err = run_timed(cmd, TRANSFER_TIMEOUT, clean_env())
    if status != 0 or '"event":"send-finished"' not in out:
        raise BenchError(f'sharesync --send-to exited {status}: {err.strip()[-400:]}')
    check_received(inbox, 'sharesync --send-to')
    return sample('ShareSync --send-to', wall, cpu)


def prepare_body():
    file_id = str(uuid.uuid4())
    body = {
        'info': {'alias': 'curl', 'version': '2.1', 'deviceModel': None,
                 'deviceType': 'headless', 'fingerprint': uuid.uuid4().hex * 2,
                 'port': LOCALSEND_PORT, 'protocol': 'https', 'download': False},
        'files': {file_id: {'id': file_id, 'fileName': 'curl-upload.bin', 'size': SIZE,
                            'fileType': 'application/octet-stream'}},
    }
    return file_id, json.dumps(body)


def upload_curl(net, tools, source, inbox, tmp):
    """prepare-upload with one curl, the upload with another; both timed, as one."""
    file_id, body = prepare_body()
    body_path = os.path.join(tmp, 'prepare.json')
    with open(body_path, 'w') as f:
        f.write(body)
    base = f'https://{ADDR_B}:{LOCALSEND_PORT}{API}'
    prepare = net.run_in(net.a, [tools['curl'], '-k', '-s', '-S', '--fail', '-X', 'POST',
                                 '-H', 'Content-Type: application/json',
                                 '--data-binary', f'@{body_path}', f'{base}/prepare-upload'])
    status, wall1, cpu1, out, err = run_timed(prepare, 60)
    if status != 0:
        raise BenchError(f'curl prepare-upload exited {status}: {err.strip()}')
    answer = json.loads(out)
    session_id, token = answer['sessionId'], answer['files'][file_id]
    # -T streams the file (--data-binary @FILE would read all of it into curl's memory
    # first); -X POST turns -T's PUT into LocalSend's POST; an empty Expect: skips the
    # 100-continue round trip curl adds to large bodies.
    upload = net.run_in(net.a, [tools['curl'], '-k', '-s', '-S', '-X', 'POST', '-T', source,
                                '-H', 'Expect:', '-H', 'Content-Type: application/octet-stream',
                                '-o', '/dev/null', '-w', '%{http_code} %{time_total}',
                                f'{base}/upload?sessionId={session_id}&fileId={file_id}'
                                f'&token={token}'])
    status, wall2, cpu2, out, err = run_timed(upload, TRANSFER_TIMEOUT)
    code, upload_only = out.split() if out.strip() else ('000', '0')
    if status != 0 or code != '200':
        raise BenchError(f'curl upload exited {status}, HTTP {code}: {err.strip()}')
    check_received(inbox, 'curl upload')
    return sample('curl prepare-upload + upload', wall1 + wall2, cpu1 + cpu2,
                  {'upload_only': float(upload_only)})


def bench_upload(net, tools, source, tmp):
    inbox = os.path.join(tmp, 'inbox')
    os.mkdir(inbox)
    receiver = Server(tmp, 'receiver', net.run_in(net.b, [
        tools['sharesync'], '--headless', '--data-dir', os.path.join(tmp, 'data-receiver'),
        '--alias', 'Bench receiver', '--bind', ADDR_B, '--port', '0',
        '--receive', inbox, '--accept-all']), clean_env())
    results = None
    try:
        receiver.start()
        event = receiver.wait_event(lambda e: e.get('event') == 'discovering',
                                    'discovering event (Nearby on)')
        if event.get('port') != LOCALSEND_PORT:
            raise BenchError(f'the receiver took LocalSend port {event.get("port")}, '
                             f'not {LOCALSEND_PORT}')
        contenders = {
            'ShareSync': lambda: upload_sharesync(net, tools, source, inbox,
                                                  os.path.join(tmp, 'data-sender')),
            'curl': lambda: upload_curl(net, tools, source, inbox, tmp),
        }
        results = run_rounds('LocalSend upload', contenders)
    finally:
        receiver.stop()
    return results


# HTTP fetch ------------------------------------------------------------------------------

def fetch_sharesync(net, tools, link, folder, data_dir):
    env = clean_env()
    env['SHARESYNC_FETCH_OVER'] = 'http'
    cmd = net.run_in(net.a, [tools['sharesync'], '--headless', '--data-dir', data_dir,
                             '--fetch', link, '--to', folder])
    status, wall, cpu, out, err = run_timed(cmd, TRANSFER_TIMEOUT, env)
    if status != 0 or '"event":"fetch-finished"' not in out:
        raise BenchError(f'sharesync --fetch exited {status}: {err.strip()[-400:]}')
    check_received(folder, 'sharesync --fetch')
    return sample('ShareSync --fetch', wall, cpu)


def fetch_curl(net, tools, file_url, folder):
    cmd = net.run_in(net.a, [tools['curl'], '-s', '-S', '--fail', '-o',
                             os.path.join(folder, 'curl.bin'), file_url])
    status, wall, cpu, out, err = run_timed(cmd, TRANSFER_TIMEOUT)
    if status != 0:
        raise BenchError(f'curl -o exited {status}: {err.strip()}')
    check_received(folder, 'curl -o')
    return sample('curl -o', wall, cpu)


def fetch_curl_checked(net, tools, file_url, folder, sha256):
    """curl -o, then sha256sum of what arrived: the same work --fetch does (it checks the
    SHA-256 the listing announced), done by the standard tools one after the other."""
    target = os.path.join(folder, 'curl-checked.bin')
    status, wall1, cpu1, _, err = run_timed(net.run_in(net.a, [
        tools['curl'], '-s', '-S', '--fail', '-o', target, file_url]), 300)
    if status != 0:
        raise BenchError(f'curl -o exited {status}: {err.strip()}')
    status, wall2, cpu2, out, err = run_timed(['sha256sum', target], 300)
    if status != 0 or not out.startswith(sha256):
        raise BenchError(f'sha256sum exited {status} or differs: {out.strip()} {err.strip()}')
    check_received(folder, 'curl -o + sha256sum')
    return sample('curl -o + sha256sum', wall1 + wall2, cpu1 + cpu2)


def bench_fetch(net, tools, source, sha256, tmp):
    folder = os.path.join(tmp, 'fetched')
    os.mkdir(folder)
    env = clean_env()
    env['SHARESYNC_NEARBY'] = '0'
    server = Server(tmp, 'share', net.run_in(net.b, [
        tools['sharesync'], '--headless', '--data-dir', os.path.join(tmp, 'data-share'),
        '--bind', ADDR_B, '--port', str(SHARE_PORT), source]), env)
    try:
        server.start()
        share = server.wait_event(lambda e: e.get('event') == 'share', 'share event')
        token = share['url'].rstrip('/').rsplit('/', 1)[1]
        link = f'http://{ADDR_B}:{SHARE_PORT}/s/{token}'
        status, _, _, out, err = run_timed(net.run_in(net.a, [
            tools['curl'], '-s', '-S', '--fail',
            f'http://{ADDR_B}:{SHARE_PORT}/api/files/{token}']), 60)
        if status != 0:
            raise BenchError(f'GET /api/files: curl exited {status}: {err.strip()}')
        listing = json.loads(out)
        file_url = f'http://{ADDR_B}:{SHARE_PORT}{listing["files"][0]["url"]}'
        contenders = {
            'ShareSync': lambda: fetch_sharesync(net, tools, link, folder,
                                                 os.path.join(tmp, 'data-fetcher')),
            'curl': lambda: fetch_curl(net, tools, file_url, folder),
            'curl + sha256sum': lambda: fetch_curl_checked(net, tools, file_url, folder,
                                                           sha256),
        }
        log('HTTP fetch: warm-up round, not counted')
        for contender in contenders.values():
            contender()
        listed = json.loads(run_timed(net.run_in(net.a, [
            tools['curl'], '-s', f'http://{ADDR_B}:{SHARE_PORT}/api/files/{token}']), 60)[3])
        if listed['files'][0].get('sha256') not in (None, sha256):
            raise BenchError(f'the share lists SHA-256 {listed["files"][0]["sha256"]}, '
                             f'the file has {sha256}')
        results = run_rounds('HTTP fetch', contenders, warm_up=False)
    finally:
        server.stop()
    return results, link, file_url


# Report ----------------------------------------------------------------------------------

def median(runs, key):
    return statistics.median(r[key] for r in runs)


def print_report(upload, fetch, header):
    rows = []
    for title, results, target, ss_label, curl_label in (
            ('LocalSend upload (HTTPS)', upload, TARGET_UPLOAD,
             'ShareSync `--send-to` → ShareSync `--receive`',
             'curl -k prepare-upload + upload → ShareSync `--receive`'),
            ('HTTP fetch', fetch, TARGET_FETCH,
             'ShareSync `--fetch LINK` ← ShareSync share',
             'curl -o FILE-LINK ← ShareSync share')):
        ss_rate = median(results['ShareSync'], 'rate')
        curl_rate = median(results['curl'], 'rate')
        r = ratio(ss_rate, curl_rate)
        rows.append([title, ss_label, fmt(ss_rate, 0),
                     fmt(median(results['ShareSync'], 'cpu'), 2),
                     fmt_ratio(r), f'>= {target}x curl', mark(r >= target)])
        rows.append([title, curl_label, fmt(curl_rate, 0),
                     fmt(median(results['curl'], 'cpu'), 2), '1.00x', 'reference', 'n/a'])
        if 'curl + sha256sum' in results:
            checked = median(results['curl + sha256sum'], 'rate')
            rows.append([title, 'curl -o FILE-LINK, then sha256sum FILE (the same work)',
                         fmt(checked, 0), fmt(median(results['curl + sha256sum'], 'cpu'), 2),
                         fmt_ratio(ratio(checked, curl_rate)), 'context', 'n/a'])

    columns = [f'{SIZE_LABEL}', 'Contender', f'MB/s (median of {ROUNDS})',
               'Client CPU s (median)', 'vs curl', 'Target', 'Result']
    widths = [max(len(str(row[i])) for row in rows + [columns]) for i in range(len(columns))]

    def line(cells):
        return '| ' + ' | '.join(str(c).ljust(w) for c, w in zip(cells, widths)) + ' |'

    print(header)
    print()
    print(line(columns))
    print('|' + '|'.join('-' * (w + 2) for w in widths) + '|')
    for row in rows:
        print(line(row))
    print()
    for title, results in (('LocalSend upload', upload), ('HTTP fetch', fetch)):
        for name in results:
            print(f'- {title}, {name}, every round: '
                  + ', '.join(f'{r["rate"]:.0f}' for r in results[name]) + ' MB/s; CPU s: '
                  + ', '.join(f'{r["cpu"]:.2f}' for r in results[name]))
    print('- curl upload alone (its time_total, without prepare-upload and curl\'s start): '
          + ', '.join(f'{SIZE / r["upload_only"] / 1e6:.0f}' for r in upload['curl'])
          + ' MB/s')
    sys.stdout.flush()


def machine_header(tools, tmp, load_before):
    def version(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (r.stdout + r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return 'unknown'

    stale = newer_sources(tools['sharesync'])
    cpu = 'unknown'
    with open('/proc/cpuinfo') as f:
        for l in f:
            if l.startswith('model name'):
                cpu = l.split(':', 1)[1].strip()
                break
    env = ' '.join(f'{k}={shlex.quote(os.environ[k])}'
                   for k in ('SSYNC_BIN', 'BENCH_SHORT', 'BENCH_ROUNDS', 'BENCH_TMPDIR')
                   if k in os.environ)
    command = ' '.join(([env] if env else [])
                       + [shlex.quote(a) for a in [sys.executable] + sys.argv])
    return '\n'.join([
        f'## Nearby: ShareSync to ShareSync across a veth pair, against curl ({SIZE_LABEL})',
        '',
        f'- Command: `{command}`' + (f' (BENCH_SHORT: {SIZE_LABEL}; not the issue\'s size)'
                                     if SHORT else ''),
        f'- Machine: {os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, '
        f'{platform.python_implementation()} {platform.python_version()}',
        f'- Load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after: '
        'other work on the machine shows in the numbers',
        f'- Network: namespaces A ({ADDR_A}) and B ({ADDR_B}) joined by a veth pair; files '
        f'in {tmp}, the source in the page cache',
        f'- ShareSync: {tools["sharesync"]}, built '
        + time.strftime('%Y-%m-%d %H:%M', time.localtime(os.stat(tools['sharesync']).st_mtime))
        + (f' (older than {", ".join(stale)}: rebuild to measure them)' if stale else ''),
        f'- curl: {version([tools["curl"], "--version"])}',
        '- LocalSend upload: B runs `sharesync --headless --receive INBOX --accept-all` '
        f'(LocalSend HTTPS on {LOCALSEND_PORT}). ShareSync: `sharesync --headless --send-to '
        f'{ADDR_B}:{LOCALSEND_PORT} SRC`, timed as a whole process (start, info, '
        'prepare-upload, upload, exit). curl: `curl -k -X POST --data-binary @prepare.json '
        '.../prepare-upload`, then `curl -k -X POST -T SRC -H \'Expect:\' '
        '.../upload?sessionId=&fileId=&token=`, the two processes timed together. Client '
        'CPU = utime+stime of the sending processes (wait4)',
        '- HTTP fetch: B runs `sharesync --headless SRC` (SHARESYNC_NEARBY=0). ShareSync: '
        '`SHARESYNC_FETCH_OVER=http sharesync --headless --fetch http://B/s/TOKEN --to DIR` '
        '(listing, .part, SHA-256 check, fsync, rename), timed as a whole process. curl: '
        '`curl -o DIR/FILE http://B/s/TOKEN/f/ID/NAME`, timed as a whole process',
        f'- One untimed warm-up round of each, then {ROUNDS} rounds alternating which goes '
        'first; every received file is checked for its size and deleted after its round; '
        'MB = 10^6 bytes; rows are medians',
    ])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sharesync = os.environ.get('SSYNC_BIN',
                               os.path.join(here, '..', '..', '_build', 'src', 'sharesync'))
    tools = {
        'sharesync': os.path.abspath(sharesync) if os.access(sharesync, os.X_OK) else None,
        'curl': find_tool('curl'),
        'ip': find_tool('ip', ('/usr/sbin/ip', '/sbin/ip')),
    }
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        print(f'bench-nearby: missing {", ".join(missing)}: install them (apt-get install '
              'curl iproute2) or set SSYNC_BIN to the sharesync binary', file=sys.stderr)
        return 1
    if os.geteuid() != 0:
        print('bench-nearby: makes network namespaces (ip netns): run it as root',
              file=sys.stderr)
        return 1

    # meson's timeout and kill(1) send SIGTERM: clean up as for Ctrl-C.
    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    load_before = os.getloadavg()[0]
    parent = os.environ.get('BENCH_TMPDIR') or ('/dev/shm' if os.path.isdir('/dev/shm')
                                                else None)
    tmp = tempfile.mkdtemp(prefix='sbn-bench-nearby-', dir=parent)
    net = Namespaces()
    try:
        free = shutil.disk_usage(tmp).free
        if free < 3 * SIZE:
            raise BenchError(f'{tmp} has {free // MIB} MiB free; the benchmark needs '
                             f'{3 * SIZE // MIB} MiB')
        source = os.path.join(tmp, SOURCE_NAME)
        log(f'writing the {SIZE_LABEL} source file under {tmp}')
        sha256 = make_source(source)
        warm_cache(source)
        net.create()
        upload = bench_upload(net, tools, source, tmp)
        fetch, _, _ = bench_fetch(net, tools, source, sha256, tmp)
        print_report(upload, fetch, machine_header(tools, tmp, load_before))
        return 0
    except (BenchError, OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
        print(f'bench-nearby: could not run: {e}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('bench-nearby: interrupted', file=sys.stderr)
        return 1
    finally:
        net.remove()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
