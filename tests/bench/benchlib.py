"""benchlib.py: what the benchmark programs share (process figures, tools, formatting).

Benchmarks are programs that print a table against a reference measured in the same run
(STYLE.md); this module holds the pieces every one of them needs.
"""

import os
import shutil
import subprocess
import sys
import time

CLK_TCK = os.sysconf('SC_CLK_TCK')
MIB = 1024 * 1024

class BenchError(Exception):
    pass


def log(message):
    print(f'# {message}', file=sys.stderr, flush=True)


def find_tool(name, extra=()):
    path = shutil.which(name)
    if path is None:
        for candidate in extra:
            if os.access(candidate, os.X_OK):
                path = candidate
                break
    return path


def cpu_seconds(pids):
    """utime + stime of every thread of @pids, in seconds."""
    total = 0
    for pid in pids:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def status_kib(pid, key):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_hwm(pid):
    # Writing 5 to clear_refs resets VmHWM, so the peak is the one of the phase measured.
    try:
        with open(f'/proc/{pid}/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def warm_cache(path):
    with open(path, 'rb') as f:
        while f.read(16 * MIB):
            pass


def fmt(value, digits=1):
    if value is None:
        return 'n/a'
    return f'{value:,.{digits}f}'


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(value):
    return 'n/a' if value is None else f'{value:.2f}x'


def mark(ok):
    return 'n/a' if ok is None else ('pass' if ok else '**FAIL**')


def newer_sources(binary):
    """Source files changed after @binary was linked, when it sits in a build of this tree."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src')
    built = os.stat(binary).st_mtime
    newer = []
    for root, _, names in os.walk(src):
        for name in names:
            path = os.path.join(root, name)
            if name.endswith(('.c', '.h')) and os.stat(path).st_mtime > built:
                newer.append(os.path.relpath(path, os.path.join(src, '..')))
    return sorted(newer)


def file_tail(path, size=500):
    """The last @size characters of a text file (a server's stderr), or '' if unreadable."""
    try:
        with open(path, errors='replace') as f:
            return f.read()[-size:].strip()
    except OSError:
        return ''


def count_events(path, name):
    """How many JSON lines of sharesync's stdout in @path are events called @name."""
    with open(path) as f:
        return sum(f'"event":"{name}"' in line for line in f)
