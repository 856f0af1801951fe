#!/usr/bin/env python3
"""bench-push.py: pushes a 256 MiB file to a local s3rver with `sharesync --headless --push`
and with the AWS SDK for JavaScript (@aws-sdk/lib-storage Upload, same part size and parts
in flight: 16 MiB, 4), in one run, best of 3 each, alternating. Prints a markdown table:
throughput, its ratio, and the peak RSS of each process (from wait4).

Targets (issue 6): ShareSync at least 1.0x the SDK's throughput, peak RSS at most 96 MiB.

Needs SSYNC_BIN and tests/node_modules (npm ci in tests/).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BenchError, MIB, fmt, fmt_ratio, log, mark, ratio, warm_cache  # noqa: E402

SIZE = 256 * MIB
PART_SIZE = 16 * MIB
PARALLEL = 4
RUNS = 3
BUCKET = 'bench'
HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)


def run_measured(argv, env=None):
    """Runs @argv to its end: (seconds, peak RSS in MiB, stdout)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    stdout = out.read().decode(errors='replace')
    if proc.returncode != 0:
        raise BenchError(f'{argv[0]} failed ({proc.returncode}): '
                         f'{err.read().decode(errors="replace")[-500:]}')
    return seconds, usage.ru_maxrss / 1024, stdout


def start_s3rver(data):
    script = os.path.join(TESTS, 'node_modules', 's3rver', 'bin', 's3rver.js')
    if not os.path.exists(script):
        raise BenchError(f'{script} is missing: run npm ci in tests/')
    proc = subprocess.Popen(['node', script, '-d', data, '-a', '127.0.0.1', '-p', '0',
                             '--silent', '--configure-bucket', BUCKET],
                            stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        match = re.search(r'listening on (\S+)', line)
        if match:
            return proc, 'http://' + match.group(1)
    raise BenchError('s3rver exited before it listened')


def main():
    binary = os.environ.get('SSYNC_BIN')
    if not binary:
        raise BenchError('set SSYNC_BIN to the sharesync binary')

    with tempfile.TemporaryDirectory(prefix='ssync-bench-push-') as tmp:
        path = os.path.join(tmp, 'payload.bin')
        with open(path, 'wb') as f:
            for _ in range(SIZE // MIB):
                f.write(os.urandom(MIB))
        warm_cache(path)
        s3rver, endpoint = start_s3rver(os.path.join(tmp, 's3'))
        env = dict(os.environ,
                   SHARESYNC_S3_ENDPOINT=endpoint, SHARESYNC_S3_BUCKET=BUCKET,
                   SHARESYNC_S3_ACCESS_KEY='S3RVER', SHARESYNC_S3_SECRET_KEY='S3RVER',
                   SHARESYNC_S3_PART_SIZE=str(PART_SIZE), SHARESYNC_S3_PARALLEL=str(PARALLEL))
        ours, sdk = [], []
        try:
            for run in range(RUNS):
                log(f'run {run + 1} of {RUNS}')
                seconds, rss, out = run_measured(
                    ['node', os.path.join(HERE, 'bench-push-sdk.mjs'), endpoint, BUCKET,
                     f'sdk/{run}', path, str(PART_SIZE), str(PARALLEL)])
                sdk.append((json.loads(out)['seconds'], rss))
                seconds, rss, out = run_measured(
                    [binary, '--headless', '--push', '--data-dir', os.path.join(tmp, 'data'),
                     path], env)
                if '"event":"pushed"' not in out:
                    raise BenchError('sharesync printed no pushed event')
                ours.append((seconds, rss))
        finally:
            s3rver.terminate()
            s3rver.wait()

    best_ours = min(s for s, _ in ours)
    best_sdk = min(s for s, _ in sdk)
    mbps_ours = SIZE / 1e6 / best_ours
    mbps_sdk = SIZE / 1e6 / best_sdk
    rss_ours = max(r for _, r in ours)
    rss_sdk = max(r for _, r in sdk)
    throughput_ratio = ratio(mbps_ours, mbps_sdk)

    rows = [
        ['Metric', 'ShareSync', 'AWS SDK JS', 'vs SDK', 'Target', 'Result'],
        ['256 MiB push, MB/s (best of 3)', fmt(mbps_ours, 0), fmt(mbps_sdk, 0),
         fmt_ratio(throughput_ratio), '>= 1.0x SDK', mark(throughput_ratio >= 1.0)],
        ['Peak RSS, MiB', fmt(rss_ours), fmt(rss_sdk), fmt_ratio(ratio(rss_ours, rss_sdk)),
         '<= 96 MiB (ShareSync)', mark(rss_ours <= 96)],
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def line(row):
        return '| ' + ' | '.join(c.ljust(w) for c, w in zip(row, widths)) + ' |'

    print(f'Push of {SIZE // MIB} MiB to s3rver on 127.0.0.1, parts of {PART_SIZE // MIB} MiB, '
          f'{PARALLEL} in flight; ShareSync timed from process start to exit, the SDK around '
          f'Upload.done() (node start not counted)')
    print()
    print(line(rows[0]))
    print('|' + '|'.join('-' * (w + 2) for w in widths) + '|')
    for row in rows[1:]:
        print(line(row))
    print()
    print('- runs (s): ShareSync ' + ', '.join(f'{s:.2f}' for s, _ in ours) +
          '; SDK ' + ', '.join(f'{s:.2f}' for s, _ in sdk))


if __name__ == '__main__':
    try:
        main()
    except BenchError as e:
        print(f'bench-push: could not run: {e}', file=sys.stderr)
        sys.exit(1)
