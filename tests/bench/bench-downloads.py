#!/usr/bin/env python3
# bench-downloads.py: ShareSync's download path against nginx and python3 -m http.server.
#
# Everything is measured in the same run, on loopback, with the same files: one 1 GiB
# download (MB/s, server CPU seconds per GiB), wrk on a 1 MiB file (requests/s), the peak
# RSS while 50 clients fetch the 1 GiB file, and ShareSync's 1 GiB zip stream. It prints a
# markdown table with ratios and the targets. It is a report: the exit status is 0
# whether targets pass or not, and 1 only when something could not be run or measured.
#
# Environment: SSYNC_BIN (the sharesync binary), BENCH_SHORT=1 (wrk for 3 s and the
# 50-client phase capped at 30 s, for a quick check; the numbers are then not the issue's).
#
# SPDX-License-Identifier: MIT

import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from benchlib import (BenchError, cpu_seconds, find_tool, fmt, fmt_ratio, log, mark,
                      newer_sources, ratio, reset_hwm, status_kib, warm_cache,
                      file_tail, count_events)

GIB = 1 << 30
MIB = 1 << 20
BIG_NAME = 'big-1GiB.bin'
SMALL_NAME = 'small-1MiB.bin'
SHORT = os.environ.get('BENCH_SHORT') == '1'
WRK_DURATION = '3s' if SHORT else '10s'
SINGLE_RUNS = 3
CLIENTS = 50
CLIENT_MAX_TIME = 30 if SHORT else 120
CURL_SINGLE_MAX_TIME = 120
STARTUP_TIMEOUT = 15
RSS_SAMPLE_INTERVAL = 0.05


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for_port(port, proc, deadline):
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f'server exited with status {proc.returncode} while starting')
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f'nothing listens on 127.0.0.1:{port} after {STARTUP_TIMEOUT} s')


def http_get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def make_files(directory):
    block = os.urandom(16 * MIB)
    with open(os.path.join(directory, BIG_NAME), 'wb') as f:
        for _ in range(GIB // len(block)):
            f.write(block)
    small = os.urandom(MIB)
    with open(os.path.join(directory, SMALL_NAME), 'wb') as f:
        f.write(small)
    return hashlib.sha256(small).hexdigest()


class Server:
    name = ''

    def __init__(self, tmp):
        self.tmp = tmp
        self.proc = None
        self.big_url = None
        self.small_url = None

    def pids(self):
        return [self.proc.pid]

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


class ShareSync(Server):
    name = 'ShareSync'

    def __init__(self, tmp, binary, files, tag):
        super().__init__(tmp)
        self.binary = binary
        self.files = files
        self.tag = tag
        self.token_url = None
        self.zip_url = None
        self.out_path = os.path.join(tmp, f'sharesync-{tag}.jsonl')

    def start(self):
        data_dir = os.path.join(self.tmp, f'data-{self.tag}')
        os.mkdir(data_dir)
        cmd = [self.binary, '--headless', '--port', '0', '--bind', '127.0.0.1',
               '--data-dir', data_dir] + self.files
        # stdout goes to a file so that the progress lines never block the server.
        with open(self.out_path, 'wb') as out, \
             open(os.path.join(self.tmp, f'sharesync-{self.tag}.err'), 'wb') as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        share = None
        while share is None and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f'sharesync exited with status {self.proc.returncode}: '
                                 + self.stderr_tail())
            with open(self.out_path) as f:
                for line in f:
                    try:
                        event = json.loads(line)
                    except ValueError:
                        continue
                    if event.get('event') == 'share':
                        share = event
            if share is None:
                time.sleep(0.05)
        if share is None:
            raise BenchError('sharesync printed no share event in time')
        self.token_url = share['url']
        base, token = self.token_url.split('/s/', 1)
        # ShareSync hashes every shared file once in the background (SHA-256 for the page,
        # CRC-32 for zips). Measure the steady state: wait until that pass is over, so its
        # CPU is not counted as the downloads'.
        while True:
            info = json.loads(http_get(f'{base}/api/files/{token}'))
            if all(f['sha256'] for f in info['files']) or time.monotonic() > deadline + 60:
                break
            time.sleep(0.1)
        by_name = {f['name']: base + f['url'] for f in info['files']}
        self.big_url = by_name.get(BIG_NAME)
        self.small_url = by_name.get(SMALL_NAME)
        self.zip_url = base + info['zip_url']

    def stderr_tail(self):
        return file_tail(os.path.join(self.tmp, f'sharesync-{self.tag}.err'))

    def count_events(self, name):
        return count_events(self.out_path, name)


class Nginx(Server):
    name = 'nginx'

    def __init__(self, tmp, binary, root):
        super().__init__(tmp)
        self.binary = binary
        self.root = root

    def start(self):
        prefix = os.path.join(self.tmp, 'nginx')
        os.mkdir(prefix)
        for sub in ('client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'):
            os.mkdir(os.path.join(prefix, sub))
        port = free_port()
        # One process, like ShareSync's single event loop: daemon and master process off.
        conf = f'''
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {self.root};
        location / {{ }}
    }}
}}
'''
        conf_path = os.path.join(prefix, 'nginx.conf')
        with open(conf_path, 'w') as f:
            f.write(conf)
        self.cmd = [self.binary, '-c', conf_path, '-p', prefix + '/', '-e',
                    os.path.join(prefix, 'error.log')]
        with open(os.path.join(prefix, 'stderr.log'), 'wb') as err:
            self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=err,
                                         stdin=subprocess.DEVNULL)
        try:
            wait_for_port(port, self.proc, time.monotonic() + STARTUP_TIMEOUT)
        except BenchError as e:
            with open(os.path.join(prefix, 'error.log'), errors='replace') as f:
                raise BenchError(f'nginx: {e}: {f.read()[-500:].strip()}')
        self.big_url = f'http://127.0.0.1:{port}/{BIG_NAME}'
        self.small_url = f'http://127.0.0.1:{port}/{SMALL_NAME}'


class PythonHttp(Server):
    name = 'python'

    def __init__(self, tmp, root):
        super().__init__(tmp)
        self.root = root

    def start(self):
        port = free_port()
        self.cmd = [sys.executable, '-m', 'http.server', '--bind', '127.0.0.1', str(port),
                    '--directory', self.root]
        # It logs every request on stderr: drop it, wrk makes thousands.
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        wait_for_port(port, self.proc, time.monotonic() + STARTUP_TIMEOUT)
        self.big_url = f'http://127.0.0.1:{port}/{BIG_NAME}'
        self.small_url = f'http://127.0.0.1:{port}/{SMALL_NAME}'


class RssSampler(threading.Thread):
    """Samples the summed VmRSS of @pids every 50 ms until stopped."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_kib = 0
        self.samples = 0
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            rss = sum(status_kib(pid, 'VmRSS') for pid in self.pids)
            self.peak_kib = max(self.peak_kib, rss)
            self.samples += 1
            self.stop_event.wait(RSS_SAMPLE_INTERVAL)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=5)


def curl_download(curl, url, max_time=CURL_SINGLE_MAX_TIME):
    """Returns (bytes, seconds, http code) of one download to /dev/null."""
    result = subprocess.run(
        [curl, '-s', '-o', '/dev/null', '--max-time', str(max_time),
         '-w', '%{http_code} %{size_download} %{time_total}', url],
        capture_output=True, text=True, timeout=max_time + 15)
    code, size, seconds = result.stdout.split()
    return int(size), float(seconds), int(code), result.returncode


def measure_single(server, curl, url, expected_size, label):
    """Best MB/s of SINGLE_RUNS downloads, and server CPU seconds per GiB over all of them."""
    best = 0.0
    cpu = 0.0
    moved = 0
    for i in range(SINGLE_RUNS):
        before = cpu_seconds(server.pids())
        size, seconds, code, rc = curl_download(curl, url)
        cpu += cpu_seconds(server.pids()) - before
        if rc != 0 or code != 200 or size != expected_size:
            raise BenchError(f'{server.name}: {label} download {i + 1} got HTTP {code}, '
                             f'{size} of {expected_size} bytes (curl status {rc})')
        moved += size
        rate = size / seconds / 1e6
        log(f'{server.name}: {label} run {i + 1}/{SINGLE_RUNS}: {rate:.0f} MB/s')
        best = max(best, rate)
    return best, cpu / (moved / GIB)


def measure_wrk(server, wrk, url):
    """Requests/s of wrk on @url, what wrk complained about, and the server's peak RSS."""
    cmd = [wrk, '-t2', '-c50', f'-d{WRK_DURATION}', url]
    sampler = RssSampler(server.pids())
    sampler.start()
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    finally:
        sampler.stop()
    if result.returncode != 0:
        raise BenchError(f'{server.name}: wrk failed: {result.stderr.strip()}')
    match = re.search(r'Requests/sec:\s*([\d.]+)', result.stdout)
    if match is None:
        raise BenchError(f'{server.name}: no Requests/sec in wrk output:\n{result.stdout}')
    problems = []
    for pattern in (r'Non-2xx or 3xx responses:\s*(\d+)', r'Socket errors:[^\n]*'):
        found = re.search(pattern, result.stdout)
        if found:
            problems.append(found.group(0).strip())
    rps = float(match.group(1))
    log(f'{server.name}: wrk {rps:.0f} requests/s, peak RSS {sampler.peak_kib / 1024:.1f} MiB '
        f'{"; ".join(problems)}')
    return rps, problems, sampler.peak_kib / 1024


def measure_clients(server, curl, url, expected_size):
    """Peak RSS while CLIENTS curls fetch @url at once; also what they got and how fast."""
    pids = server.pids()
    idle_kib = sum(status_kib(pid, 'VmRSS') for pid in pids)
    hwm_reset = all(reset_hwm(pid) for pid in pids)
    sampler = RssSampler(pids)
    sampler.start()
    cpu_before = cpu_seconds(pids)
    started = time.monotonic()
    procs = []
    try:
        for _ in range(CLIENTS):
            procs.append(subprocess.Popen(
                [curl, '-s', '-o', '/dev/null', '--max-time', str(CLIENT_MAX_TIME),
                 '-w', '%{http_code} %{size_download}', url],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        deadline = started + CLIENT_MAX_TIME + 15
        outputs = []
        for proc in procs:
            try:
                out, _ = proc.communicate(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate(timeout=10)
            outputs.append(out)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        sampler.stop()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(pids) - cpu_before
    hwm_kib = sum(status_kib(pid, 'VmHWM') for pid in pids) if hwm_reset else 0
    complete = 0
    moved = 0
    for out in outputs:
        parts = out.split()
        if len(parts) == 2:
            moved += int(parts[1])
            if parts[0] == '200' and int(parts[1]) == expected_size:
                complete += 1
    peak_kib = max(sampler.peak_kib, hwm_kib)
    log(f'{server.name}: {CLIENTS} clients: {complete} complete, {moved / GIB:.1f} GiB in '
        f'{elapsed:.0f} s, peak RSS {peak_kib / 1024:.1f} MiB (sampled '
        f'{sampler.peak_kib / 1024:.1f} MiB in {sampler.samples} samples, VmHWM '
        f'{hwm_kib / 1024:.1f} MiB)')
    return {
        'idle_mib': idle_kib / 1024,
        'peak_mib': peak_kib / 1024,
        'sampled_mib': sampler.peak_kib / 1024,
        'hwm_mib': hwm_kib / 1024 if hwm_reset else None,
        'complete': complete,
        'gib': moved / GIB,
        'seconds': elapsed,
        'rate': moved / elapsed / 1e6,
        'cpu_per_gib': cpu / (moved / GIB) if moved else float('nan'),
    }


def check_small(server, expected_sha256):
    got = hashlib.sha256(http_get(server.small_url)).hexdigest()
    if got != expected_sha256:
        raise BenchError(f'{server.name} served a 1 MiB file with SHA-256 {got}, '
                         f'expected {expected_sha256}')


def bench_server(server, tools, files_dir, small_sha256):
    log(f'{server.name}: starting')
    server.start()
    if server.big_url is None or server.small_url is None:
        raise BenchError(f'{server.name}: could not find the URLs of both files')
    check_small(server, small_sha256)
    warm_cache(os.path.join(files_dir, BIG_NAME))
    result = {}
    result['single_rate'], result['single_cpu'] = measure_single(
        server, tools['curl'], server.big_url, GIB, '1 GiB')
    # The 50 clients come before wrk, so that their peak is not memory left over from wrk.
    result['clients'] = measure_clients(server, tools['curl'], server.big_url, GIB)
    result['wrk'], result['wrk_problems'], result['wrk_rss'] = measure_wrk(
        server, tools['wrk'], server.small_url)
    return result


def print_report(results, zip_result, header):
    ss, ng, py = results['ShareSync'], results['nginx'], results['python']
    rows = []

    def add(metric, key, digits, target='', ok=None, extra=None):
        values = [key(r) for r in (ss, ng, py)]
        rows.append([metric] + [fmt(v, digits) for v in values]
                    + [fmt_ratio(ratio(values[0], values[1])),
                       fmt_ratio(ratio(values[0], values[2])), target, mark(ok)])

    add('1 GiB download, MB/s (best of 3)', lambda r: r['single_rate'], 0)
    cpu_ratio = ratio(ss['single_cpu'], ng['single_cpu'])
    add('Server CPU s per GiB (1 GiB download)', lambda r: r['single_cpu'], 3,
        '<= 1.5x nginx', cpu_ratio is not None and cpu_ratio <= 1.5)
    wrk_ng = ratio(ss['wrk'], ng['wrk'])
    wrk_py = ratio(ss['wrk'], py['wrk'])
    add(f'wrk -t2 -c50 -d{WRK_DURATION}, 1 MiB file, requests/s', lambda r: r['wrk'], 0,
        '>= 0.9x nginx, >= 2x python',
        wrk_ng is not None and wrk_py is not None and wrk_ng >= 0.9 and wrk_py >= 2)
    add('  wrk: peak RSS, MiB', lambda r: r['wrk_rss'], 1)
    add(f'Peak RSS, MiB, {CLIENTS} clients fetching 1 GiB', lambda r: r['clients']['peak_mib'],
        1, '<= 32 MiB (ShareSync)', ss['clients']['peak_mib'] <= 32)
    add(f'  {CLIENTS} clients: downloads complete', lambda r: r['clients']['complete'], 0)
    add(f'  {CLIENTS} clients: aggregate MB/s', lambda r: r['clients']['rate'], 0)
    add(f'  {CLIENTS} clients: server CPU s per GiB', lambda r: r['clients']['cpu_per_gib'], 3)
    zip_ratio = ratio(zip_result['rate'], ss['single_rate'])
    rows.append(['1 GiB zip stream, MB/s (best of 3)', fmt(zip_result['rate'], 0), 'n/a', 'n/a',
                 'n/a', 'n/a', f'>= 0.8x ShareSync 1 GiB download: {fmt_ratio(zip_ratio)}',
                 mark(zip_ratio is not None and zip_ratio >= 0.8)])
    rows.append(['  zip stream: server CPU s per GiB', fmt(zip_result['cpu'], 3), 'n/a', 'n/a',
                 'n/a', 'n/a', '', 'n/a'])

    columns = ['Metric', 'ShareSync', 'nginx', 'python', 'vs nginx', 'vs python', 'Target',
               'Result']
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
    for name, r in results.items():
        if r['wrk_problems']:
            notes.append(f'{name} under wrk: {"; ".join(r["wrk_problems"])}')
        c = r['clients']
        hwm = 'n/a' if c['hwm_mib'] is None else f'{c["hwm_mib"]:.1f}'
        notes.append(f'{name}, {CLIENTS} clients: {c["complete"]}/{CLIENTS} complete, '
                     f'{c["gib"]:.1f} GiB in {c["seconds"]:.0f} s; RSS {c["idle_mib"]:.1f} MiB '
                     f'before, sampled every '
                     f'{int(RSS_SAMPLE_INTERVAL * 1000)} ms peak {c["sampled_mib"]:.1f} MiB, '
                     f'VmHWM {hwm} MiB')
    # The wrk target asks for 2x python: how far nginx itself gets says whether that is reachable.
    notes.append(f'For scale, under wrk nginx / python = {fmt_ratio(ratio(ng["wrk"], py["wrk"]))}, '
                 f'and nginx CPU per GiB / python = '
                 f'{fmt_ratio(ratio(ng["single_cpu"], py["single_cpu"]))}')
    notes.append(f'ShareSync logged {results["ShareSync"]["finished_events"]} '
                 'download-finished events')
    for note in notes:
        print(f'- {note}')
    sys.stdout.flush()


def machine_header(tools):
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
    env = ' '.join(f'{k}={shlex.quote(os.environ[k])}' for k in ('SSYNC_BIN', 'BENCH_SHORT')
                   if k in os.environ)
    command = ' '.join(([env] if env else [])
                       + [shlex.quote(a) for a in [sys.executable] + sys.argv])
    return '\n'.join([
        '## Downloads: ShareSync vs nginx vs python3 -m http.server (loopback)',
        '',
        f'- Command: `{command}`' + (' (BENCH_SHORT: not the issue\'s durations)' if SHORT else ''),
        f'- Machine: {os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, '
        f'{platform.python_implementation()} {platform.python_version()}',
        f'- ShareSync: {tools["sharesync"]}, built '
        + time.strftime('%Y-%m-%d %H:%M', time.localtime(os.stat(tools['sharesync']).st_mtime))
        + (f' (older than {", ".join(stale)}: rebuild to measure them)' if stale else ''),
        f'- nginx: {version([tools["nginx"], "-v"])}, one process (master_process off), '
        'sendfile on, tcp_nopush on, access_log off',
        f'- python: {sys.executable} -m http.server (ThreadingHTTPServer, HTTP/1.0)',
        f'- Clients: {version([tools["curl"], "--version"])}; '
        f'{version([tools["wrk"], "--version"])}',
        f'- 1 GiB file = a 16 MiB random block repeated; files in the page cache; MB = 10^6 bytes; '
        'CPU = utime+stime of all server threads from /proc/PID/stat; ratios are ShareSync / other',
    ])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sharesync = os.environ.get('SSYNC_BIN',
                               os.path.join(here, '..', '..', '_build', 'src', 'sharesync'))
    tools = {
        'sharesync': os.path.abspath(sharesync) if os.access(sharesync, os.X_OK) else None,
        'nginx': find_tool('nginx', ('/usr/sbin/nginx',)),
        'wrk': find_tool('wrk'),
        'curl': find_tool('curl'),
    }
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        print(f'bench-downloads: missing {", ".join(missing)}: install them '
              '(apt-get install nginx-light wrk curl) or set SSYNC_BIN to the sharesync binary',
              file=sys.stderr)
        return 1

    tmp = tempfile.mkdtemp(prefix='ssync-bench-')
    servers = []
    try:
        files_dir = os.path.join(tmp, 'files')
        os.mkdir(files_dir)
        log(f'writing the 1 GiB and 1 MiB files under {files_dir}')
        small_sha256 = make_files(files_dir)
        big = os.path.join(files_dir, BIG_NAME)
        small = os.path.join(files_dir, SMALL_NAME)

        results = {}
        for server in (ShareSync(tmp, tools['sharesync'], [big, small], 'files'),
                       Nginx(tmp, tools['nginx'], files_dir),
                       PythonHttp(tmp, files_dir)):
            servers.append(server)
            results[server.name] = bench_server(server, tools, files_dir, small_sha256)
            if isinstance(server, ShareSync):
                results[server.name]['finished_events'] = server.count_events('download-finished')
            server.stop()

        # The zip of a share holding only the 1 GiB file, from an instance of its own.
        zipper = ShareSync(tmp, tools['sharesync'], [big], 'zip')
        servers.append(zipper)
        log('ShareSync: starting the zip instance')
        zipper.start()
        zip_head = urllib.request.Request(zipper.zip_url, method='HEAD')
        with urllib.request.urlopen(zip_head, timeout=30) as response:
            zip_size = int(response.headers['Content-Length'])
        rate, cpu = measure_single(zipper, tools['curl'], zipper.zip_url, zip_size, 'zip')
        zipper.stop()

        print_report(results, {'rate': rate, 'cpu': cpu}, machine_header(tools))
        return 0
    except (BenchError, OSError, ValueError, subprocess.SubprocessError) as e:
        print(f'bench-downloads: could not run: {e}', file=sys.stderr)
        return 1
    finally:
        for server in servers:
            try:
                server.stop()
            except Exception as e:  # Cleaning up must go on for the other servers.
                print(f'bench-downloads: stopping {server.name}: {e}', file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
