#!/usr/bin/env python3
# bench-load.py: ShareSync under sustained load, against nginx in the same run.
#
# `wrk -t2 -c200 -d60s` fetches a 1 MiB shared file from a headless instance, then from
# nginx serving the same folder, on loopback. The server's RSS is sampled every 50 ms; the
# table gives requests/s, wrk's socket errors and non-2xx answers, RSS before, after the
# first 5 s, at half time, at the end and at its peak, and the target: RSS at the
# end within 4 MiB of RSS after 5 s, 0 socket errors, 0 non-2xx. It is a report: the exit
# status is 0 whether the target passes or not, and 1 only when something could not be run
# or measured.
#
# Usage: bench-load.py [--duration SECONDS] (60 by default). Environment: SSYNC_BIN (the
# sharesync binary; _build/src/sharesync of this tree otherwise).
#
# SPDX-License-Identifier: MIT

import argparse
import hashlib
import importlib
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import BenchError, find_tool, fmt, fmt_ratio, log, mark, newer_sources, ratio, \
    status_kib

# The servers as bench-downloads.py starts them: ShareSync headless and a one-process nginx.
downloads = importlib.import_module('bench-downloads')

CONNECTIONS = 200
THREADS = 2
WARMUP = 5.0
RSS_GROWTH_LIMIT_MIB = 4.0
RSS_SAMPLE_INTERVAL = 0.05


class RssTimeline(threading.Thread):
    """Samples the summed VmRSS of @pids every 50 ms, with the time since start()."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.samples = []  # (seconds, KiB)
        self.started = None
        self.stop_event = threading.Event()

    def start(self):
        self.started = time.monotonic()
        super().start()

    def run(self):
        while not self.stop_event.is_set():
            rss = sum(status_kib(pid, 'VmRSS') for pid in self.pids)
            self.samples.append((time.monotonic() - self.started, rss))
            self.stop_event.wait(RSS_SAMPLE_INTERVAL)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=5)

    def at(self, seconds):
        """The first sample taken at or after @seconds, in MiB."""
        for t, kib in self.samples:
            if t >= seconds:
                return kib / 1024
        return None


def parse_wrk(name, output):
    match = re.search(r'Requests/sec:\s*([\d.]+)', output)
    if match is None:
        raise BenchError(f'{name}: no Requests/sec in wrk output:\n{output}')
    errors = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)',
                       output)
    non_2xx = re.search(r'Non-2xx or 3xx responses:\s*(\d+)', output)
    requests = re.search(r'(\d+) requests in', output)
    return {
        'rps': float(match.group(1)),
        'requests': int(requests.group(1)) if requests else None,
        'errors': sum(int(g) for g in errors.groups()) if errors else 0,
        'errors_text': errors.group(0) if errors else 'none',
        'non_2xx': int(non_2xx.group(1)) if non_2xx else 0,
    }


def measure(server, wrk, duration):
    pids = server.pids()
    before_kib = sum(status_kib(pid, 'VmRSS') for pid in pids)
    timeline = RssTimeline(pids)
    cmd = [wrk, f'-t{THREADS}', f'-c{CONNECTIONS}', f'-d{duration}s', server.small_url]
    log(f'{server.name}: {" ".join(cmd)}')
    timeline.start()
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    finally:
        timeline.stop()
    if result.returncode != 0:
        raise BenchError(f'{server.name}: wrk failed: {result.stderr.strip()}')
    if server.proc.poll() is not None:
        raise BenchError(f'{server.name} exited during the run '
                         f'(status {server.proc.returncode})')
    r = parse_wrk(server.name, result.stdout)
    r['rss_before'] = before_kib / 1024
    r['rss_warm'] = timeline.at(WARMUP)
    r['rss_half'] = timeline.at(duration / 2)
    r['rss_end'] = timeline.samples[-1][1] / 1024 if timeline.samples else None
    r['rss_peak'] = max((kib for _, kib in timeline.samples), default=0) / 1024
    if r['rss_warm'] is None or r['rss_end'] is None:
        raise BenchError(f'{server.name}: the run was too short to sample RSS after {WARMUP} s')
    r['growth'] = r['rss_end'] - r['rss_warm']
    r['ok'] = r['growth'] <= RSS_GROWTH_LIMIT_MIB and r['errors'] == 0 and r['non_2xx'] == 0
    log(f'{server.name}: {r["rps"]:.0f} requests/s, socket errors: {r["errors_text"]}, '
        f'non-2xx {r["non_2xx"]}, RSS {r["rss_warm"]:.1f} MiB at {WARMUP:.0f} s, '
        f'{r["rss_end"]:.1f} MiB at the end, peak {r["rss_peak"]:.1f} MiB')
    return r


def print_report(results, header, duration):
    ss, ng = results['ShareSync'], results['nginx']
    rows = []

    def add(metric, key, digits, target='', ok=None):
        values = [key(r) for r in (ss, ng)]
        rows.append([metric] + [fmt(v, digits) for v in values]
                    + [fmt_ratio(ratio(values[0], values[1])), target, mark(ok)])

    add(f'wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s, 1 MiB file, requests/s',
        lambda r: r['rps'], 0)
    add('  requests completed', lambda r: r['requests'], 0)
    add('  socket errors (connect, read, write, timeout)', lambda r: r['errors'], 0, '0',
        ss['errors'] == 0)
    add('  non-2xx answers', lambda r: r['non_2xx'], 0, '0', ss['non_2xx'] == 0)
    add('RSS before wrk, MiB', lambda r: r['rss_before'], 1)
    add(f'RSS after the first {WARMUP:.0f} s, MiB', lambda r: r['rss_warm'], 1)
    add(f'RSS at {duration / 2:.0f} s (growth trend), MiB', lambda r: r['rss_half'], 1)
    add('RSS at the end, MiB', lambda r: r['rss_end'], 1)
    add(f'  RSS end - RSS at {WARMUP:.0f} s, MiB', lambda r: r['growth'], 1,
        f'<= {RSS_GROWTH_LIMIT_MIB:.0f} MiB', ss['growth'] <= RSS_GROWTH_LIMIT_MIB)
    add('Peak RSS, MiB', lambda r: r['rss_peak'], 1)

    columns = ['Metric', 'ShareSync', 'nginx', 'vs nginx', 'Target', 'Result']
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
    print(f'Target: RSS end within {RSS_GROWTH_LIMIT_MIB:.0f} MiB of RSS at {WARMUP:.0f} s; '
          f'0 errors; 0 non-2xx: ShareSync {mark(ss["ok"])} (nginx {mark(ng["ok"])})')
    for name, r in results.items():
        print(f'- {name}: socket errors: {r["errors_text"]}')
    sys.stdout.flush()


def machine_header(tools, duration):
    def version(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (r.stdout + r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return 'unknown'

    cpu = 'unknown'
    with open('/proc/cpuinfo') as f:
        for l in f:
            if l.startswith('model name'):
                cpu = l.split(':', 1)[1].strip()
                break
    stale = newer_sources(tools['sharesync'])
    env = f'SSYNC_BIN={shlex.quote(os.environ["SSYNC_BIN"])} ' if 'SSYNC_BIN' in os.environ else ''
    command = env + ' '.join(shlex.quote(a) for a in [sys.executable] + sys.argv)
    return '\n'.join([
        f'## Load: wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s, ShareSync vs nginx (loopback)',
        '',
        f'- Command: `{command}`' + ('' if duration == 60 else ' (not the issue\'s 60 s)'),
        f'- Machine: {os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}',
        f'- ShareSync: {tools["sharesync"]}, built '
        + time.strftime('%Y-%m-%d %H:%M', time.localtime(os.stat(tools['sharesync']).st_mtime))
        + (f' (older than {", ".join(stale)}: rebuild to measure them)' if stale else ''),
        f'- nginx: {version([tools["nginx"], "-v"])}, one process (master_process off), '
        'sendfile on, access_log off; wrk: ' + version([tools['wrk'], '--version']),
        f'- RSS = VmRSS of the server process sampled every {int(RSS_SAMPLE_INTERVAL * 1000)} ms '
        'while wrk runs; "at the end" is the last sample before wrk exits',
    ])


def main():
    parser = argparse.ArgumentParser(description='ShareSync and nginx under wrk -c200.')
    parser.add_argument('--duration', type=int, default=60,
                        help='seconds of wrk per server (default 60, the issue\'s)')
    args = parser.parse_args()
    if args.duration <= WARMUP:
        parser.error(f'--duration must be more than {WARMUP:.0f} s')

    here = os.path.dirname(os.path.abspath(__file__))
    sharesync = os.environ.get('SSYNC_BIN',
                               os.path.join(here, '..', '..', '_build', 'src', 'sharesync'))
    tools = {
        'sharesync': os.path.abspath(sharesync) if os.access(sharesync, os.X_OK) else None,
        'nginx': find_tool('nginx', ('/usr/sbin/nginx',)),
        'wrk': find_tool('wrk'),
    }
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        print(f'bench-load: missing {", ".join(missing)}: install them '
              '(apt-get install nginx-light wrk) or set SSYNC_BIN to the sharesync binary',
              file=sys.stderr)
        return 1

    tmp = tempfile.mkdtemp(prefix='ssync-bench-load-')
    servers = []
    try:
        files_dir = os.path.join(tmp, 'files')
        os.mkdir(files_dir)
        small = os.path.join(files_dir, downloads.SMALL_NAME)
        data = os.urandom(downloads.MIB)
        with open(small, 'wb') as f:
            f.write(data)
        sha256 = hashlib.sha256(data).hexdigest()

        results = {}
        for server in (downloads.ShareSync(tmp, tools['sharesync'], [small], 'load'),
                       downloads.Nginx(tmp, tools['nginx'], files_dir)):
            servers.append(server)
            log(f'{server.name}: starting')
            server.start()
            downloads.check_small(server, sha256)
            results[server.name] = measure(server, tools['wrk'], args.duration)
            server.stop()

        print_report(results, machine_header(tools, args.duration), args.duration)
        return 0
    except (BenchError, OSError, ValueError, subprocess.SubprocessError) as e:
        print(f'bench-load: could not run: {e}', file=sys.stderr)
        return 1
    finally:
        for server in servers:
            try:
                server.stop()
            except Exception as e:  # Cleaning up must go on for the other servers.
                print(f'bench-load: stopping {server.name}: {e}', file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
