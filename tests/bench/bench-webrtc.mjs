// Benchmark: 256 MiB over WebRTC data channels, desktop -> Chromium against Chromium -> Chromium.
//
// ShareSync serves a 256 MiB file; headless Chromium (Debian's, default flags) downloads it with
// the share page's "Direct (WebRTC)" button: webrtcbin in the app, the page's FramedChannel and
// SHA-256 on the other end. The reference runs in one Chromium page: two RTCPeerConnections on
// loopback, the same 256 MiB sent with the same framing code (rtc.js: 64 KiB messages, the same
// backpressure, SHA-256 on both ends). Each side runs RUNS times, alternating; the table shows
// the best run, the app's CPU seconds for its best run and its share of one core.
//
// Usage: SSYNC_BIN=_build/src/sharesync node tests/bench/bench-webrtc.mjs
// (meson: `meson test -C _build --benchmark webrtc`). Prints a table; asserts nothing.

import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  HeadlessApp, MIB, cleanUp, launchChromium, makeTempDir, requireSharesync, sha256, waitFor,
} from '../common/app.mjs';

const SIZE = 256 * MIB;
const RUNS = 2;
const TICKS_PER_SECOND = 100;  // sysconf(_SC_CLK_TCK) on Linux

// User and system CPU seconds of a process so far.
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function desktopToChromium(context, shareUrl, pid, expectedSha) {
  const page = await context.newPage();
  await page.goto(shareUrl);
  const item = page.locator('#file-list > li').first();
  const button = item.locator('button.direct');
  await button.waitFor({ state: 'visible' });
  const cpuBefore = await cpuSeconds(pid);
  const started = performance.now();
  await button.click();
  await waitFor('the verified download', async () =>
    (await item.getAttribute('data-direct-sha256')) !== null ||
    (await item.locator('.file-direct-error').count()) > 0, 600_000);
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await cpuSeconds(pid)) - cpuBefore;
  const got = await item.getAttribute('data-direct-sha256');
  if (got !== expectedSha)
    throw new Error(`desktop -> Chromium: ${await item.locator('.file-direct').textContent()}`);
  await page.close();
  return { seconds, cpu };
}

// Both peers in one page, the same framing module as the share page.
async function chromiumToChromium(context, baseUrl) {
  const page = await context.newPage();
  await page.goto(new URL('/p2p?room=BENCHREF', baseUrl).href);
  const result = await page.evaluate(async (size) => {
    const { FramedChannel, Sha256, newPeerConnection } = await import('/static/rtc.js');
    const parts = [];
    for (let done = 0; done < size; done += 65536) {
      const part = new Uint8Array(Math.min(65536, size - done));
      crypto.getRandomValues(part);
      parts.push(part);
    }
    const blob = new Blob(parts);
    const hash = new Sha256();
    for (const part of parts)
      hash.update(part);
    const expected = hash.hex();
    parts.length = 0;

    const a = newPeerConnection();
    const b = newPeerConnection();
    a.addEventListener('icecandidate', (e) => e.candidate && b.addIceCandidate(e.candidate));
    b.addEventListener('icecandidate', (e) => e.candidate && a.addIceCandidate(e.candidate));
    const sending = new FramedChannel(a.createDataChannel('sharesync'));
    const incoming = new Promise((resolve) =>
      b.addEventListener('datachannel', (e) => resolve(new FramedChannel(e.channel))));
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    const receiving = await incoming;
    await Promise.all([sending.opened(), receiving.opened()]);

    const started = performance.now();
    const received = (async () => {
      const header = await receiving.receiveText('file');
      return receiving.receiveFile(header);
    })();
    const [sent, got] = await Promise.all([
      sending.sendFile(blob, { name: 'reference.bin', path: 'reference.bin' }), received]);
    const seconds = (performance.now() - started) / 1000;
    a.close();
    b.close();
    return { seconds, ok: sent.sha256 === expected && got.sha256 === expected };
  }, SIZE);
  await page.close();
  if (!result.ok)
    throw new Error('Chromium -> Chromium: SHA-256 mismatch');
  return result;
}

const fmt = (value, digits = 1) => value.toLocaleString('en-US', {
  minimumFractionDigits: digits, maximumFractionDigits: digits,
});

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line)].join('\n');
}

async function main() {
  const browser = await launchChromium();
  await requireSharesync();
  const tmp = await makeTempDir('ssync-bench-webrtc-');
  let app;
  try {
    const data = randomBytes(SIZE);
    const file = path.join(tmp, 'bench-256m.bin');
    await writeFile(file, data);
    const expectedSha = sha256(data);

    app = new HeadlessApp(['--data-dir', path.join(tmp, 'data'), file], tmp);
    const listening = await app.waitForEvent('listening');
    const share = await app.waitForEvent('share');
    const context = await browser.newContext({ acceptDownloads: true });

    const desktop = [];
    const reference = [];
    for (let run = 0; run < RUNS; run++) {
      desktop.push(await desktopToChromium(context, share.url, app.child.pid, expectedSha));
      reference.push(await chromiumToChromium(context, listening.url));
    }

    const best = desktop.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
    const bestRef = reference.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
    const mbps = SIZE / best.seconds / 1e6;
    const refMbps = SIZE / bestRef.seconds / 1e6;
    const ratio = mbps / refMbps;
    console.log(table([
      ['Metric', 'ShareSync (desktop -> Chromium)', 'Chromium -> Chromium', 'ratio', 'Target',
        'Result'],
      [`256 MiB over a data channel, MB/s (best of ${RUNS})`, fmt(mbps), fmt(refMbps),
        `${fmt(ratio, 2)}x`, '>= 1.0x the reference', ratio >= 1.0 ? 'pass' : '**FAIL**'],
      ['  all runs, MB/s', desktop.map((r) => fmt(SIZE / r.seconds / 1e6)).join(', '),
        reference.map((r) => fmt(SIZE / r.seconds / 1e6)).join(', '), 'n/a', '', 'n/a'],
      ['  app CPU seconds (its best run)', fmt(best.cpu, 2), 'n/a', 'n/a', 'reported', 'n/a'],
      ['  app CPU, share of one core', `${fmt((best.cpu / best.seconds) * 100, 0)} %`, 'n/a',
        'n/a', 'reported', 'n/a'],
    ]));
  } finally {
    await cleanUp({ app, tmp, closing: [browser] });
  }
}

await main();
