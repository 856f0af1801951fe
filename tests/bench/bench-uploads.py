#!/usr/bin/env python3
# bench-uploads.py: ShareSync's tus upload path against dd writing the same bytes.
#
# Everything is measured in the same run, on loopback, into the same folder: dd copying a
# 1 GiB file into the receive folder (with conv=fsync, and without for reference) and curl
# sending the same file to ShareSync in one tus PATCH. For ShareSync it checks the
# Upload-Sha256 it answers and the size of the file it saved, samples its RSS every 20 ms
# (and reads VmHWM) and counts its CPU seconds per GiB. It prints a markdown table with
# ratios and the targets. It is a report: the exit status is 0 whether targets
# pass or not, and 1 only when something could not be run or measured.
#
# The temporary directory holds both the source file and the receive folder, so dd and
# ShareSync write to the same filesystem; it is made under $TMPDIR (default /tmp): point
# TMPDIR at another disk to measure that one.
#
# Environment: SSYNC_BIN (the sharesync binary), BENCH_SHORT=1 (a 256 MiB file and one
# run of each, for a quick check; the numbers are then not the issue's).
#
# SPDX-License-Identifier: MIT

import base64
import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from benchlib import (BenchError, cpu_seconds, find_tool, fmt, fmt_ratio, log, mark,
                      newer_sources, ratio, reset_hwm, status_kib, warm_cache,
                      file_tail, count_events)

GIB = 1 << 30
MIB = 1 << 20
SHORT = os.environ.get('BENCH_SHORT') == '1'
SIZE = 256 * MIB if SHORT else GIB
SIZE_LABEL = '256 MiB' if SHORT else '1 GiB'
RUNS = 1 if SHORT else 3
SOURCE_NAME = 'source.bin'
UPLOAD_NAME = 'upload.bin'
DD_NAME = 'dd.bin'
STARTUP_TIMEOUT = 15
# Generous: even a slow disk writes 1 GiB well within this.
WRITE_TIMEOUT = 300
RSS_SAMPLE_INTERVAL = 0.02
CLK_TCK = os.sysconf('SC_CLK_TCK')
TUS_VERSION = '1.0.0'

TARGET_RATE = 1000.0     # MB/s
TARGET_DD_RATIO = 0.7    # of dd with conv=fsync
TARGET_RSS_MIB = 16.0


def thread_cpu_seconds(pid):
    """utime + stime per thread name of @pid ('sharesync', 'pool-...', ...), in seconds."""
    by_name = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/stat') as f:
                head, tail = f.read().rsplit(')', 1)
        except OSError:
            continue  # The thread ended between listdir() and open().
        name = head.split('(', 1)[1]
        # GLib names its pool threads "pool-N" or "pool-PROGRAM": one group for them all.
        if name.startswith('pool-'):
            name = 'pool-*'
        fields = tail.split()
        by_name[name] = by_name.get(name, 0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return by_name


def meminfo_kib(key):
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1])
    return 0


def make_source(path):
    """Writes SIZE bytes (a 16 MiB random block repeated) to @path; returns their SHA-256."""
    block = os.urandom(16 * MIB)
    digest = hashlib.sha256()
    with open(path, 'wb') as f:
        for _ in range(SIZE // len(block)):
            f.write(block)
            digest.update(block)
    return digest.hexdigest()


def settle():
    # Writes the dirty pages a previous step left (the source file, dd without fsync), so
    # that their writeback is not charged to the next measurement.
    os.sync()


def remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def memory_kib(pid):
    """VmRSS, RssAnon and RssFile of @pid, in KiB (zeros once it is gone)."""
    found = {'VmRSS': 0, 'RssAnon': 0, 'RssFile': 0}
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                key = line.split(':', 1)[0]
                if key in found:
                    found[key] = int(line.split()[1])
    except OSError:
        pass
    return found


class RssSampler(threading.Thread):
    """Samples the summed VmRSS of @pids every 20 ms until stopped; keeps the split of the
    peak into anonymous memory (the heap, buffers) and file pages (mapped libraries)."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_kib = 0
        self.peak_anon_kib = 0
        self.peak_file_kib = 0
        self.samples = 0
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            sample = [memory_kib(pid) for pid in self.pids]
            rss = sum(m['VmRSS'] for m in sample)
            if rss > self.peak_kib:
                self.peak_kib = rss
                self.peak_anon_kib = sum(m['RssAnon'] for m in sample)
                self.peak_file_kib = sum(m['RssFile'] for m in sample)
            self.samples += 1
            self.stop_event.wait(RSS_SAMPLE_INTERVAL)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=5)


def run_measured(cmd, timeout):
    """Runs @cmd; returns (exit status, wall seconds, CPU seconds, peak RSS KiB, stdout,
    stderr). wait4() gives the child's own CPU; it runs on a thread so that a child that
    hangs can be killed after @timeout. The peak RSS is sampled, like the server's: wait4's
    ru_maxrss would count the copy of this Python process the child was before its exec()."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    # Popen returns once the exec() succeeded: every sample is of the program itself.
    sampler = RssSampler([proc.pid])
    sampler.start()
    reaped = []

    def reap():
        _, status, usage = os.wait4(proc.pid, 0)
        reaped.append((time.monotonic(), status, usage))

    waiter = threading.Thread(target=reap, daemon=True)
    waiter.start()
    waiter.join(timeout)
    sampler.stop()
    if waiter.is_alive():
        proc.kill()
        waiter.join(10)
        proc.returncode = -signal.SIGKILL
        proc.communicate()
        raise BenchError(f'{os.path.basename(cmd[0])} did not finish within {timeout} s')
    ended, status, usage = reaped[0]
    proc.returncode = os.waitstatus_to_exitcode(status)
    # The outputs are a few lines: they fit in the pipes, so reading them after the exit
    # can not have blocked the child.
    out = proc.stdout.read().decode(errors='replace')
    err = proc.stderr.read().decode(errors='replace')
    proc.stdout.close()
    proc.stderr.close()
    return (proc.returncode, ended - started, usage.ru_utime + usage.ru_stime,
            sampler.peak_kib, out, err)


class ShareSync:
    name = 'ShareSync'

    def __init__(self, tmp, binary, inbox):
        self.tmp = tmp
        self.binary = binary
        self.inbox = inbox
        self.proc = None
        self.receive_url = None
        self.out_path = os.path.join(tmp, 'sharesync.jsonl')
        self.err_path = os.path.join(tmp, 'sharesync.err')

    def start(self):
        data_dir = os.path.join(self.tmp, 'data')
        os.mkdir(data_dir)
        self.cmd = [self.binary, '--headless', '--port', '0', '--bind', '127.0.0.1',
                    '--data-dir', data_dir, '--receive', self.inbox]
        # stdout goes to a file so that the progress lines never block the server.
        with open(self.out_path, 'wb') as out, open(self.err_path, 'wb') as err:
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while self.receive_url is None and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f'sharesync exited with status {self.proc.returncode}: '
                                 + self.stderr_tail())
            with open(self.out_path) as f:
                for line in f:
                    try:
                        event = json.loads(line)
                    except ValueError:
                        continue
                    if event.get('event') == 'share' and event.get('kind') == 'receive':
                        self.receive_url = event['url']
            if self.receive_url is None:
                time.sleep(0.05)
        if self.receive_url is None:
            raise BenchError('sharesync printed no receive share event in time')

    def stderr_tail(self):
        return file_tail(self.err_path)

    def count_events(self, name):
        return count_events(self.out_path, name)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def measure_dd(dd, source, inbox, fsync, run):
    """One dd copy of @source into @inbox: MB/s, CPU seconds per GiB and peak RSS of dd."""
    target = os.path.join(inbox, DD_NAME)
    cmd = [dd, f'if={source}', f'of={target}', 'bs=1M'] + (['conv=fsync'] if fsync else [])
    settle()
    try:
        status, seconds, cpu, rss_kib, _, err = run_measured(cmd, WRITE_TIMEOUT)
        if status != 0:
            raise BenchError(f'{shlex.join(cmd)} failed with status {status}: {err.strip()}')
        written = os.path.getsize(target)
        if written != SIZE:
            raise BenchError(f'dd wrote {written} of {SIZE} bytes')
    finally:
        remove(target)
    rate = SIZE / seconds / 1e6
    log(f'dd ({"fsync" if fsync else "no fsync"}) '
        + (f'run {run}/{RUNS}' if run > 0 else 'warm-up, not counted') + f': {rate:.0f} MB/s')
    return {'rate': rate, 'cpu_per_gib': cpu / (SIZE / GIB), 'rss_mib': rss_kib / 1024}


def tus_create(server, length):
    """POSTs a new upload of @length bytes named UPLOAD_NAME; returns its absolute URL."""
    filename = base64.b64encode(UPLOAD_NAME.encode()).decode()
    request = urllib.request.Request(
        server.receive_url + '/uploads/', data=b'', method='POST',
        headers={'Tus-Resumable': TUS_VERSION, 'Upload-Length': str(length),
                 'Upload-Metadata': f'filename {filename}'})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 201 or 'Location' not in response.headers:
            raise BenchError(f'POST answered {response.status} without a Location')
        return urllib.parse.urljoin(server.receive_url, response.headers['Location'])


def parse_headers(path):
    """The last response's headers in a curl -D file, with lower-case names."""
    with open(path, errors='replace') as f:
        blocks = [b for b in f.read().replace('\r\n', '\n').split('\n\n') if b.strip()]
    if not blocks:
        return 0, {}
    lines = blocks[-1].splitlines()
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers


def patch_command(curl, source, url, headers_path):
    # -T streams the file (--data-binary @FILE would read it all into curl's memory first);
    # -X PATCH turns the PUT that -T makes into a PATCH; an empty Expect: skips the
    # 100-continue round trip curl adds to large bodies.
    return [curl, '-s', '-S', '--max-time', str(WRITE_TIMEOUT), '-X', 'PATCH', '-T', source,
            '-H', 'Expect:', '-H', f'Tus-Resumable: {TUS_VERSION}', '-H', 'Upload-Offset: 0',
            '-H', 'Content-Type: application/offset+octet-stream',
            '-D', headers_path, '-o', '/dev/null',
            '-w', '%{http_code} %{size_upload} %{time_total}', url]


def measure_sharesync(server, curl, source, sha256, inbox, tmp, run):
    """One tus upload of @source: MB/s from PATCH start to response, server CPU seconds per
    GiB (in all and per thread) and the server's peak RSS."""
    pid = server.proc.pid
    settle()
    url = tus_create(server, SIZE)
    headers_path = os.path.join(tmp, 'patch-headers.txt')
    cmd = patch_command(curl, source, url, headers_path)
    idle = memory_kib(pid)
    hwm_reset = reset_hwm(pid)
    threads_before = thread_cpu_seconds(pid)
    cpu_before = cpu_seconds([pid])
    sampler = RssSampler([pid])
    sampler.start()
    try:
        status, wall, client_cpu, client_rss_kib, out, err = run_measured(
            cmd, WRITE_TIMEOUT + 15)
    finally:
        sampler.stop()
    cpu = cpu_seconds([pid]) - cpu_before
    threads_after = thread_cpu_seconds(pid)
    hwm_kib = status_kib(pid, 'VmHWM') if hwm_reset else 0
    try:
        if status != 0:
            raise BenchError(f'curl PATCH failed with status {status}: {err.strip()}')
        _, size_upload, seconds = out.split()
        code, headers = parse_headers(headers_path)
        if code != 204:
            raise BenchError(f'PATCH answered HTTP {code}, not 204 '
                             f'(server: {server.stderr_tail()})')
        if int(size_upload) != SIZE or headers.get('upload-offset') != str(SIZE):
            raise BenchError(f'curl sent {size_upload} bytes and the server is at '
                             f'Upload-Offset {headers.get("upload-offset")}, not {SIZE}')
        if headers.get('upload-sha256') != sha256:
            raise BenchError(f'the server answered Upload-Sha256 '
                             f'{headers.get("upload-sha256")}, the file has {sha256}')
        saved_as = urllib.parse.unquote(headers.get('upload-saved-as', ''))
        saved = os.path.join(inbox, saved_as)
        if not saved_as or not os.path.isfile(saved):
            raise BenchError(f'no received file {saved_as!r} in {inbox}')
        if os.path.getsize(saved) != SIZE:
            raise BenchError(f'{saved_as} has {os.path.getsize(saved)} bytes, not {SIZE}')
        leftovers = [n for n in os.listdir(inbox) if n.endswith('.part')]
        if leftovers:
            raise BenchError(f'.part files left after the upload: {", ".join(leftovers)}')
    finally:
        for name in os.listdir(inbox):
            remove(os.path.join(inbox, name))
    seconds = float(seconds)
    peak_kib = max(sampler.peak_kib, hwm_kib)
    rate = SIZE / seconds / 1e6
    threads = {name: (threads_after.get(name, 0) - threads_before.get(name, 0)) / (SIZE / GIB)
               for name in threads_after}
    log(f'ShareSync run {run}/{RUNS}: {rate:.0f} MB/s, peak RSS {peak_kib / 1024:.1f} MiB '
        f'(sampled {sampler.peak_kib / 1024:.1f} MiB in {sampler.samples} samples, VmHWM '
        f'{hwm_kib / 1024:.1f} MiB), server CPU {cpu:.2f} s')
    return {
        'rate': rate,
        'cpu_per_gib': cpu / (SIZE / GIB),
        'rss_mib': peak_kib / 1024,
        'sampled_mib': sampler.peak_kib / 1024,
        'samples': sampler.samples,
        'hwm_mib': hwm_kib / 1024 if hwm_reset else None,
        'idle_mib': idle['VmRSS'] / 1024,
        'idle_anon_mib': idle['RssAnon'] / 1024,
        'idle_file_mib': idle['RssFile'] / 1024,
        'peak_anon_mib': sampler.peak_anon_kib / 1024,
        'peak_file_mib': sampler.peak_file_kib / 1024,
        'threads': threads,
        'client_cpu_per_gib': client_cpu / (SIZE / GIB),
        'client_rss_mib': client_rss_kib / 1024,
        'wall': wall,
        'seconds': seconds,
    }


def best(runs):
    """The run with the highest MB/s; its peak RSS is replaced by the highest of all runs,
    so the RSS column never hides a run that used more memory."""
    top = dict(max(runs, key=lambda r: r['rate']))
    top['rss_mib'] = max(r['rss_mib'] for r in runs)
    top['cpu_per_gib'] = sum(r['cpu_per_gib'] for r in runs) / len(runs)
    return top


def print_report(results, header):
    dd_sync, dd_plain, ss = (best(results[k]) for k in ('dd-fsync', 'dd', 'ShareSync'))
    ss_vs_sync = ratio(ss['rate'], dd_sync['rate'])
    marks = [
        f'{TARGET_RATE:.0f} MB/s {mark(ss["rate"] >= TARGET_RATE)}',
        f'{TARGET_DD_RATIO}x {mark(ss_vs_sync is not None and ss_vs_sync >= TARGET_DD_RATIO)}',
        f'RSS {mark(ss["rss_mib"] <= TARGET_RSS_MIB)}',
    ]
    rows = []
    for label, r, target, result in (
            ('dd bs=1M conv=fsync', dd_sync, 'reference', 'n/a'),
            ('dd bs=1M (no fsync)', dd_plain, 'for scale', 'n/a'),
            ('ShareSync tus PATCH (curl)', ss,
             f'>= {TARGET_RATE:.0f} MB/s, >= {TARGET_DD_RATIO}x dd fsync, '
             f'peak RSS <= {TARGET_RSS_MIB:.0f} MiB', ', '.join(marks))):
        rows.append([label, fmt(r['rate'], 0), fmt_ratio(ratio(r['rate'], dd_sync['rate'])),
                     fmt_ratio(ratio(r['rate'], dd_plain['rate'])), fmt(r['rss_mib'], 1),
                     fmt(r['cpu_per_gib'], 3), target, result])

    columns = [f'{SIZE_LABEL} written', f'MB/s (best of {RUNS})', 'vs dd fsync',
               'vs dd no fsync', 'Peak RSS, MiB', 'CPU s/GiB', 'Target', 'Result']
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

    notes = []
    for key, label in (('dd-fsync', 'dd conv=fsync'), ('dd', 'dd no fsync'),
                       ('ShareSync', 'ShareSync')):
        notes.append(f'{label}, every run: '
                     + ', '.join(f'{r["rate"]:.0f}' for r in results[key]) + ' MB/s')
    runs = results['ShareSync']
    hwm = ', '.join('n/a' if r['hwm_mib'] is None else f'{r["hwm_mib"]:.1f}' for r in runs)
    notes.append(f'ShareSync RSS: {runs[0]["idle_mib"]:.1f} MiB idle before the first PATCH '
                 f'({runs[0]["idle_anon_mib"]:.1f} anonymous + {runs[0]["idle_file_mib"]:.1f} '
                 f'file pages); sampled every {int(RSS_SAMPLE_INTERVAL * 1000)} ms peaks '
                 + ', '.join(f'{r["sampled_mib"]:.1f} ({r["peak_anon_mib"]:.1f} + '
                             f'{r["peak_file_mib"]:.1f})' for r in runs)
                 + f' MiB; VmHWM per run {hwm} MiB')
    names = sorted({n for r in runs for n in r['threads']})
    per_thread = {n: sum(r['threads'].get(n, 0) for r in runs) / len(runs) for n in names}
    notes.append('ShareSync CPU s/GiB by thread: '
                 + ', '.join(f'{n} {v:.3f}' for n, v in
                             sorted(per_thread.items(), key=lambda kv: -kv[1]) if v > 0))
    notes.append(f'curl (client): {sum(r["client_cpu_per_gib"] for r in runs) / len(runs):.3f} '
                 f'CPU s/GiB, {max(r["client_rss_mib"] for r in runs):.1f} MiB peak RSS; '
                 'ShareSync MB/s uses curl\'s time_total (PATCH start to response); '
                 'its wall clock including curl\'s start: '
                 + ', '.join(f'{SIZE / r["wall"] / 1e6:.0f}' for r in runs) + ' MB/s')
    notes.append(f'ShareSync logged {results["finished_events"]} upload-finished events')
    for note in notes:
        print(f'- {note}')
    sys.stdout.flush()


def filesystem(path):
    """'SOURCE FSTYPE' of the filesystem holding @path, from /proc/self/mountinfo."""
    dev = os.stat(path).st_dev
    wanted = f'{os.major(dev)}:{os.minor(dev)}'
    found = 'unknown'
    best_len = -1
    with open('/proc/self/mountinfo') as f:
        for line in f:
            fields = line.split()
            sep = fields.index('-')
            mount_point = fields[4]
            if fields[2] == wanted and path.startswith(mount_point) and \
                    len(mount_point) > best_len:
                best_len = len(mount_point)
                found = f'{fields[sep + 2]} ({fields[sep + 1]}, mounted on {mount_point})'
    return found


def machine_header(tools, tmp, load_before):
    def version(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (r.stdout + r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return 'unknown'

    def sysctl(name):
        try:
            with open('/proc/sys/vm/' + name) as f:
                return f.read().strip()
        except OSError:
            return '?'

    stale = newer_sources(tools['sharesync'])
    cpu = 'unknown'
    with open('/proc/cpuinfo') as f:
        for l in f:
            if l.startswith('model name'):
                cpu = l.split(':', 1)[1].strip()
                break
    mem_gib = meminfo_kib('MemTotal') / (1 << 20)
    env = ' '.join(f'{k}={shlex.quote(os.environ[k])}' for k in ('SSYNC_BIN', 'BENCH_SHORT',
                                                                   'TMPDIR')
                   if k in os.environ)
    command = ' '.join(([env] if env else [])
                       + [shlex.quote(a) for a in [sys.executable] + sys.argv])
    return '\n'.join([
        f'## Uploads: ShareSync tus PATCH vs dd into the same folder ({SIZE_LABEL})',
        '',
        f'- Command: `{command}`' + (f' (BENCH_SHORT: {SIZE_LABEL}, one run; not the issue\'s '
                                     'size)' if SHORT else ''),
        f'- Machine: {os.cpu_count()} CPUs ({cpu}), {mem_gib:.0f} GiB RAM, Linux '
        f'{platform.release()}, {platform.python_implementation()} {platform.python_version()}',
        f'- Load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after: '
        'other work on the machine shows in the numbers',
        f'- Folder: {tmp}, on {filesystem(tmp)}; vm.dirty_ratio {sysctl("dirty_ratio")}, '
        f'vm.dirty_background_ratio {sysctl("dirty_background_ratio")}',
        f'- ShareSync: {tools["sharesync"]}, built '
        + time.strftime('%Y-%m-%d %H:%M', time.localtime(os.stat(tools['sharesync']).st_mtime))
        + (f' (older than {", ".join(stale)}: rebuild to measure them)' if stale else '')
        + '; `--headless --port 0 --bind 127.0.0.1 --receive INBOX`',
        f'- Client: {version([tools["curl"], "--version"])}: POST (tus creation), then '
        '`curl -X PATCH -T SRC -H \'Expect:\' -H \'Tus-Resumable: 1.0.0\' '
        '-H \'Upload-Offset: 0\' -H \'Content-Type: application/offset+octet-stream\' URL`',
        f'- Reference: {version([tools["dd"], "--version"])}: `dd if=SRC of=INBOX/{DD_NAME} '
        'bs=1M conv=fsync`. ShareSync fsyncs the file before it answers the last PATCH, so dd '
        'with conv=fsync is the fair comparison and the 0.7x target is against it; dd '
        'without fsync only shows what the page cache takes',
        f'- SRC = a 16 MiB random block repeated, in the page cache; each row is the best of '
        f'{RUNS} runs, interleaved (dd fsync, dd, ShareSync) after one untimed dd conv=fsync, '
        'each after a sync and with the written file deleted after it; MB = 10^6 bytes; '
        'ratios are row / dd',
        '- ShareSync: MB/s from PATCH start to response (curl time_total); Upload-Sha256 and '
        'the saved file\'s size checked every run; peak RSS = max of VmRSS sampled every '
        f'{int(RSS_SAMPLE_INTERVAL * 1000)} ms and VmHWM (reset through clear_refs before each '
        'PATCH), highest of all runs; CPU = utime+stime of all server threads '
        '(/proc/PID/stat) per GiB, mean of the runs. dd rows: dd\'s own CPU (wait4) and RSS '
        f'(sampled every {int(RSS_SAMPLE_INTERVAL * 1000)} ms), dd timed by wall clock',
    ])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sharesync = os.environ.get('SSYNC_BIN',
                               os.path.join(here, '..', '..', '_build', 'src', 'sharesync'))
    tools = {
        'sharesync': os.path.abspath(sharesync) if os.access(sharesync, os.X_OK) else None,
        'curl': find_tool('curl'),
        'dd': find_tool('dd'),
    }
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        print(f'bench-uploads: missing {", ".join(missing)}: install them '
              '(apt-get install curl coreutils) or set SSYNC_BIN to the sharesync binary',
              file=sys.stderr)
        return 1

    load_before = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix='ssync-bench-uploads-')
    server = None
    try:
        inbox = os.path.join(tmp, 'inbox')
        os.mkdir(inbox)
        source = os.path.join(tmp, SOURCE_NAME)
        log(f'writing the {SIZE_LABEL} source file under {tmp}')
        sha256 = make_source(source)
        settle()
        warm_cache(source)

        server = ShareSync(tmp, tools['sharesync'], inbox)
        log('ShareSync: starting')
        server.start()

        # The first large write of a run was repeatedly several times slower than the next
        # ones here (the filesystem and the virtual disk settling): one untimed copy takes it.
        measure_dd(tools['dd'], source, inbox, True, 0)

        results = {'dd-fsync': [], 'dd': [], 'ShareSync': []}
        for run in range(1, RUNS + 1):
            results['dd-fsync'].append(measure_dd(tools['dd'], source, inbox, True, run))
            results['dd'].append(measure_dd(tools['dd'], source, inbox, False, run))
            results['ShareSync'].append(measure_sharesync(server, tools['curl'], source, sha256,
                                                          inbox, tmp, run))
        results['finished_events'] = server.count_events('upload-finished')
        server.stop()

        print_report(results, machine_header(tools, tmp, load_before))
        return 0
    except (BenchError, OSError, ValueError, subprocess.SubprocessError) as e:
        print(f'bench-uploads: could not run: {e}', file=sys.stderr)
        return 1
    finally:
        if server is not None:
            try:
                server.stop()
            except Exception as e:  # Cleaning up must go on.
                print(f'bench-uploads: stopping ShareSync: {e}', file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
