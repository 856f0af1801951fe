#!/usr/bin/env python3
# bench-startup.py: how long ShareSync takes from process start to its first frame under Xvfb.
#
# The script starts its own Xvfb on a free display and, for several runs, starts sharesync on a
# sample file with a fresh XDG_DATA_HOME. A small X11 client written here (stdlib only, no Xlib)
# watches the root window and reports, relative to the moment just before the process is
# spawned:
#   - "window mapped": the MapNotify of the first top-level window. This is a lower bound of
#     the first frame, since GTK can only show pixels once the window is mapped;
#   - "first frame": the first DAMAGE event after that map. GDK creates its X11 windows with a
#     background of None, so mapping draws nothing and the first damage is the first frame
#     GTK drew;
#   - "share ready": the "Sharing “NAME” at URL" line the app prints on stdout once the link is
#     made.
# One untimed run comes first, to warm the page cache and fontconfig; it is shown apart as
# "cold". Each run ends with SIGTERM and a wait. Then it runs the history-view benchmark
# (bench-history-view under xvfb-run -a) and puts its figure in the same table with the
# issue's targets: 400 ms to the first frame, 150 ms to the history view with 100,000 rows.
#
# It is a report: the exit status is 0 whether targets pass or not, and 1 only when Xvfb or
# xdotool is missing or something could not be run or measured.
#
# Environment: SSYNC_BIN (the sharesync binary), BENCH_HISTORY_VIEW (the bench-history-view
# binary), BENCH_RUNS (timed runs, default 10).
#
# SPDX-License-Identifier: MIT

import os
import platform
import re
import select
import shlex
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(os.path.dirname(os.path.dirname(HERE)), '_build')
SSYNC_BIN = os.environ.get('SSYNC_BIN', os.path.join(BUILD, 'src', 'sharesync'))
HISTORY_BIN = os.environ.get('BENCH_HISTORY_VIEW',
                             os.path.join(BUILD, 'tests', 'bench', 'bench-history-view'))
RUNS = int(os.environ.get('BENCH_RUNS', '10'))
RUN_TIMEOUT = 20
XVFB_TIMEOUT = 10
FIRST_FRAME_TARGET_MS = 400.0
HISTORY_TARGET_MS = 150.0

# X11 core protocol numbers used below.
X_CHANGE_WINDOW_ATTRIBUTES = 2
X_QUERY_EXTENSION = 98
CW_EVENT_MASK = 0x800
SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
X_ERROR = 0
X_REPLY = 1
X_MAP_NOTIFY = 19
DAMAGE_QUERY_VERSION = 0
DAMAGE_CREATE = 1
DAMAGE_REPORT_RAW_RECTANGLES = 0


class BenchError(Exception):
    pass


def log(message):
    print(f'# {message}', file=sys.stderr, flush=True)


class XWatcher:
    """A minimal X11 client that reports top-level maps and damage anywhere on the screen."""

    def __init__(self, display):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(f'/tmp/.X11-unix/X{display}')
        # Little-endian, protocol 11.0, no authorization: the Xvfb started below has none.
        self.sock.sendall(struct.pack('<BxHHHHxx', 0x6C, 11, 0, 0, 0))
        header = self._recv(8)
        extra = self._recv(struct.unpack_from('<H', header, 6)[0] * 4)
        if header[0] != 1:
            raise BenchError(f'the X server refused the connection: {extra[:header[1]]!r}')
        self.resource_base = struct.unpack_from('<I', extra, 4)[0]
        vendor_len = struct.unpack_from('<H', extra, 16)[0]
        n_formats = extra[21]
        screen = 32 + ((vendor_len + 3) & ~3) + 8 * n_formats
        self.root = struct.unpack_from('<I', extra, screen)[0]
        self.sequence = 0

        self._request(struct.pack('<BxHIII', X_CHANGE_WINDOW_ATTRIBUTES, 4, self.root,
                                  CW_EVENT_MASK, SUBSTRUCTURE_NOTIFY_MASK))
        name = b'DAMAGE'
        pad = b'\0' * (-len(name) % 4)
        reply = self._roundtrip(struct.pack('<BxHHxx', X_QUERY_EXTENSION,
                                            2 + (len(name) + len(pad)) // 4, len(name))
                                + name + pad)
        if not reply[8]:
            raise BenchError('the X server has no DAMAGE extension')
        self.damage_opcode = reply[9]
        self.damage_notify = reply[10]
        self._roundtrip(struct.pack('<BBHII', self.damage_opcode, DAMAGE_QUERY_VERSION, 3, 1, 1))
        # Damage on the root window also reports drawing into its children.
        self._request(struct.pack('<BBHIIBxxx', self.damage_opcode, DAMAGE_CREATE, 4,
                                  self.resource_base | 1, self.root,
                                  DAMAGE_REPORT_RAW_RECTANGLES))
        # A round trip so the damage object exists before the app starts; then drop the damage
        # that creating it reported.
        self._roundtrip(struct.pack('<BBHII', self.damage_opcode, DAMAGE_QUERY_VERSION, 3, 1, 1))
        self.drain()

    def close(self):
        self.sock.close()

    def fileno(self):
        return self.sock.fileno()

    def _recv(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise BenchError('the X server closed the connection')
            data += chunk
        return data

    def _request(self, data):
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.sock.sendall(data)

    def _roundtrip(self, data):
        self._request(data)
        while True:
            packet = self.read_packet()
            if packet[0] == X_ERROR:
                raise BenchError(f'X error {packet[1]} on request {packet[10]}.{packet[2]}')
            if packet[0] == X_REPLY and struct.unpack_from('<H', packet, 2)[0] == self.sequence:
                return packet

    def read_packet(self):
        packet = self._recv(32)
        if packet[0] == X_REPLY:
            packet += self._recv(struct.unpack_from('<I', packet, 4)[0] * 4)
        return packet

    def drain(self):
        while select.select([self.sock], [], [], 0)[0]:
            self.read_packet()

    def event(self, packet):
        """Returns ('map', window), ('damage', None) or None for a packet already read."""
        code = packet[0] & 0x7F
        if code == X_ERROR:
            raise BenchError(f'X error {packet[1]} on request {packet[10]}.{packet[2]}')
        if code == X_MAP_NOTIFY:
            window, override_redirect = struct.unpack_from('<I', packet, 8)[0], packet[12]
            return None if override_redirect else ('map', window)
        if code == self.damage_notify:
            return ('damage', None)
        return None


def free_display():
    for n in range(90, 400):
        if not (os.path.exists(f'/tmp/.X11-unix/X{n}') or os.path.exists(f'/tmp/.X{n}-lock')):
            yield n


def start_xvfb(xvfb):
    for n in free_display():
        proc = subprocess.Popen([xvfb, f':{n}', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + XVFB_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.connect(f'/tmp/.X11-unix/X{n}')
                return proc, n
            except OSError:
                time.sleep(0.02)
        stop(proc)
        # Another server took this display between the check and the start: try the next one.
    raise BenchError('Xvfb could not start on any display from :90 to :399')


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_once(display, sample, xdotool):
    """Starts sharesync once and returns (mapped, first_frame, share_ready) in ms."""
    watcher = XWatcher(display)
    with tempfile.TemporaryDirectory(prefix='bench-startup-') as tmp:
        # Only what the brief allows: the user's PATH and HOME, the display, in-memory settings
        # and a history database of its own.
        env = {
            'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
            'HOME': os.environ.get('HOME', tmp),
            'DISPLAY': f':{display}',
            'GSETTINGS_BACKEND': 'memory',
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
        }
        start = time.monotonic()
        proc = subprocess.Popen([SSYNC_BIN, sample], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        mapped = frame = ready = None
        stdout = b''
        try:
            deadline = start + RUN_TIMEOUT
            while None in (mapped, frame, ready):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BenchError(f'no window, frame or link within {RUN_TIMEOUT} s '
                                     f'(mapped={mapped}, frame={frame}, ready={ready})')
                readable = select.select([watcher, proc.stdout], [], [], left)[0]
                now = time.monotonic()
                if watcher in readable:
                    event = watcher.event(watcher.read_packet())
                    if event and event[0] == 'map' and mapped is None:
                        mapped = now
                    elif event and event[0] == 'damage' and mapped is not None and frame is None:
                        frame = now
                if proc.stdout in readable:
                    chunk = os.read(proc.stdout.fileno(), 4096)
                    if not chunk:
                        raise BenchError('sharesync exited while starting: '
                                         + proc.stderr.read().decode(errors='replace').strip())
                    stdout += chunk
                    if ready is None and re.search(rb'Sharing .* at http\S+\n', stdout):
                        ready = now
            # The window seen is ShareSync's own, not some other client's.
            found = subprocess.run([xdotool, 'search', '--onlyvisible', '--name', '^ShareSync$'],
                                   env={**os.environ, 'DISPLAY': f':{display}'},
                                   capture_output=True, text=True)
            if found.returncode != 0 or not found.stdout.strip():
                raise BenchError('a window was mapped but none named “ShareSync” is visible')
        finally:
            stop(proc)
            proc.stdout.close()
            proc.stderr.close()
            watcher.close()
    return tuple((t - start) * 1000 for t in (mapped, frame, ready))


def history_view(xvfb_run):
    """Runs bench-history-view and returns (warm median ms or None, its command, its output)."""
    command = [xvfb_run or 'xvfb-run', '-a', HISTORY_BIN]
    if xvfb_run is None or not os.access(HISTORY_BIN, os.X_OK):
        return None, command, 'not run: xvfb-run or bench-history-view is missing'
    env = {**os.environ, 'GTK_A11Y': 'none', 'GSETTINGS_BACKEND': 'memory'}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    match = re.search(r'first frame with rows\s*\|\s*[\d.]+\s*\|\s*([\d.]+)', result.stdout)
    if result.returncode != 0 or match is None:
        return None, command, (result.stdout + result.stderr).strip()
    return float(match.group(1)), command, result.stdout.strip()


def machine_info():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open('/proc/meminfo') as f:
            mem = int(f.readline().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        mem = 0
    return f'{cpu}, {os.cpu_count()} CPUs, {mem} MiB RAM, {platform.system()} {platform.release()}'


def row(metric, median, low, cold, target):
    def ms(value):
        return 'n/a' if value is None else f'{value:.1f}'

    if target is None:
        verdict, target_text = '', ''
    else:
        verdict = 'not measured' if median is None else ('pass' if median <= target else 'fail')
        target_text = f'{target:.0f}'
    return f'| {metric} | {ms(median)} | {ms(low)} | {ms(cold)} | {target_text} | {verdict} |'


def main():
    xvfb = shutil.which('Xvfb')
    xdotool = shutil.which('xdotool')
    missing = [name for name, path in (('Xvfb', xvfb), ('xdotool', xdotool)) if path is None]
    if missing:
        print(f'bench-startup: {" and ".join(missing)} not found; install the xvfb and xdotool '
              'packages (apt-get install xvfb xdotool)', file=sys.stderr)
        return 1
    if not os.access(SSYNC_BIN, os.X_OK):
        print(f'bench-startup: {SSYNC_BIN} is not an executable; build it or set SSYNC_BIN',
              file=sys.stderr)
        return 1

    xvfb_proc, display = start_xvfb(xvfb)
    try:
        with tempfile.TemporaryDirectory(prefix='bench-startup-sample-') as tmp:
            sample = os.path.join(tmp, 'report.pdf')
            with open(sample, 'wb') as f:
                f.write(os.urandom(64 * 1024))
            log(f'Xvfb on :{display}; one untimed run, then {RUNS} timed runs')
            cold = run_once(display, sample, xdotool)
            warm = [run_once(display, sample, xdotool) for _ in range(RUNS)]
    finally:
        stop(xvfb_proc)

    log('running bench-history-view')
    history_ms, history_command, history_output = history_view(shutil.which('xvfb-run'))

    def summary(i):
        values = [w[i] for w in warm]
        return statistics.median(values), min(values), cold[i]

    print(f'Machine: {machine_info()}')
    print(f'Startup: Xvfb :{display} -screen 0 1280x800x24 -nolisten tcp; '
          f'DISPLAY=:{display} GSETTINGS_BACKEND=memory XDG_DATA_HOME=<fresh temp dir> '
          f'{shlex.quote(SSYNC_BIN)} report.pdf (64 KiB); median and min of {RUNS} runs after '
          'one untimed (cold) run, each ended with SIGTERM')
    print(f'History: GTK_A11Y=none GSETTINGS_BACKEND=memory {shlex.join(history_command)} '
          '(its own warm median, from ssync_history_view_new, not from process start)')
    print()
    print('| metric (ms) | ShareSync median | min | cold | target | result |')
    print('|---|---:|---:|---:|---:|---|')
    print(row('start to window mapped (lower bound of first frame)', *summary(0), None))
    print(row('start to first frame (first damage after map)', *summary(1),
              FIRST_FRAME_TARGET_MS))
    print(row('start to link ready ("Sharing … at URL" on stdout)', *summary(2), None))
    print(row('history view, 100,000 rows: to first frame with rows', history_ms, None, None,
              HISTORY_TARGET_MS))
    print()
    print('Timed runs (mapped / first frame / link ready, ms):')
    for i, (m, f, r) in enumerate(warm, 1):
        print(f'  {i:2d}: {m:7.1f} {f:7.1f} {r:7.1f}')
    print()
    print('bench-history-view output:')
    print(history_output)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except BenchError as error:
        print(f'bench-startup: {error}', file=sys.stderr)
        sys.exit(1)
