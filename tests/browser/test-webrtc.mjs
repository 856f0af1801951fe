// Browser tests of direct (WebRTC) transfers: the real app in headless mode on loopback and
// Debian's Chromium with its default flags (mDNS host names included: nothing turns them off),
// driven by playwright-core.
// - desktop -> browser: "Direct (WebRTC)" on the share page, 64 MiB, SHA-256 checked by the page
//   and of the saved download;
// - browser -> desktop: the receive page's direct mode, 64 MiB, SHA-256 of the file on disk;
// - browser <-> browser: two pages in one /p2p room exchange a file, and the app's relay
//   counters prove that no file byte passed through it;
// - a tab closed mid-transfer: the app records the transfer as failed, leaves no
//   complete-looking file and keeps answering.
//
// Run by meson (suite "browser") as: node --test --test-reporter=tap test-webrtc.mjs, with
// SSYNC_BIN in the environment. A missing Chromium or playwright-core fails: nothing skips.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import {
  HeadlessApp, MIB, cleanUp, launchChromium, makeTempDir, requireSharesync, sha256,
  sha256File, waitFor, watchPage,
} from '../common/app.mjs';

const BIG = 64 * MIB;
const execFileAsync = promisify(execFile);

let tmp;
let app;
let browser;
let context;
let sendShare;
let receiveShare;
let inbox;
let bigData;
let bigSha;
const pageProblems = [];
// Chromium logs a failed candidate or a closed channel as a warning at times: not a page bug.
const EXPECTED_CONSOLE = [/WebRTC/i, /ICE/i, /RTCDataChannel/i];

before(async () => {
  browser = await launchChromium();
  await requireSharesync();

  tmp = await makeTempDir('ssync-webrtc-');
  // Empty rooms expire after a second here, so the test can see it.
  process.env.SHARESYNC_ROOM_GRACE = '1';
  const src = path.join(tmp, 'src');
  inbox = path.join(tmp, 'inbox');
  await mkdir(path.join(src, 'big'), { recursive: true });
  await mkdir(inbox);
  bigData = randomBytes(BIG);
  bigSha = sha256(bigData);
  await writeFile(path.join(src, 'big', 'video.bin'), bigData);

  app = new HeadlessApp([
    '--data-dir', path.join(tmp, 'data'),
    '--receive', inbox,
    path.join(src, 'big'),
  ], tmp);
  const listening = await app.waitForEvent('listening');
  assert.equal(listening.webrtc, true, 'direct transfers work on this machine');
  sendShare = await app.waitFor('send share', (e) => e.event === 'share' && e.kind === 'send');
  receiveShare = await app.waitFor('receive share',
    (e) => e.event === 'share' && e.kind === 'receive');
  context = await newContext();
});

// Headless Chromium has showSaveFilePicker but no dialog to answer it (it always reports a
// cancel): these pages use the way Firefox and Safari have, a service worker's download, which
// test-p2p-download.mjs checks along with the picker.
async function newContext() {
  const made = await browser.newContext({ acceptDownloads: true, locale: 'en-US' });
  await made.addInitScript(() => {
    delete window.showSaveFilePicker;
  });
  return made;
}

after(() => cleanUp({ app, tmp, closing: [browser] }));

async function newPage() {
  const page = await context.newPage();
  watchPage(page, pageProblems, EXPECTED_CONSOLE);
  return page;
}

// Files in a folder, as names, .part files included.
async function names(folder) {
  return (await readdir(folder)).sort();
}

function finishedEvents(name, kind) {
  const started = app.events.filter((e) => e?.event === `${name}-started` && e.kind === kind);
  return started.map((s) => app.events.find((e) => e?.event === `${name}-finished` &&
    e.transfer === s.transfer)).filter((e) => e !== undefined);
}

test('desktop -> browser: 64 MiB over a data channel, SHA-256 checked', async () => {
  const page = await newPage();
  await page.goto(sendShare.url);
  const item = page.locator('#file-list > li').first();
  const direct = item.locator('button.direct');
  await direct.waitFor({ state: 'visible' });
  assert.equal((await direct.textContent()).trim(), 'Direct (WebRTC)');

  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    direct.click(),
  ]);
  assert.equal(await download.failure(), null);
  assert.equal(download.suggestedFilename(), 'video.bin');
  const saved = path.join(tmp, 'direct-video.bin');
  await download.saveAs(saved);
  assert.equal(await sha256File(saved), bigSha, 'SHA-256 of the saved download');

  const status = item.locator('.file-direct');
  await waitFor('the verified SHA-256 on the page',
    async () => (await status.textContent()).includes(bigSha), 10_000);
  assert.equal(await item.getAttribute('data-direct-sha256'), bigSha);

  const done = await app.waitFor('download-finished of the direct transfer',
    () => finishedEvents('download', 'webrtc').length > 0, 20_000);
  assert.ok(done);
  const finished = finishedEvents('download', 'webrtc')[0];
  assert.equal(finished.status, 'complete');
  assert.equal(finished.bytes, BIG);
  assert.equal(finished.sha256, bigSha);
  await page.close();
});

test('browser -> desktop: 64 MiB into a receive share, SHA-256 of the file on disk', async () => {
  const upload = randomBytes(BIG);
  const uploadSha = sha256(upload);
  const chosen = path.join(tmp, 'up', 'clip.bin');
  await mkdir(path.dirname(chosen), { recursive: true });
  await writeFile(chosen, upload);

  const page = await newPage();
  await page.goto(receiveShare.url);
  await page.locator('#pick-direct-button').waitFor({ state: 'visible' });
  await page.setInputFiles('#pick-direct', chosen);

  const row = page.locator('#direct-list > li').first();
  await waitFor('the page to report the file saved',
    async () => (await row.getAttribute('data-sha256')) !== null ||
      (await row.locator('.file-direct-error').count()) > 0, 120_000);
  assert.equal(await row.locator('.file-direct-error').count(), 0,
    await row.locator('.file-direct').textContent());
  assert.equal(await row.getAttribute('data-sha256'), uploadSha);
  assert.equal(await row.getAttribute('data-saved-as'), 'clip.bin');

  assert.deepEqual(await names(inbox), ['clip.bin'], 'only the finished file, no .part');
  assert.equal(await sha256File(path.join(inbox, 'clip.bin')), uploadSha);

  await app.waitFor('upload-finished of the direct upload',
    () => finishedEvents('upload', 'webrtc').length > 0, 20_000);
  const finished = finishedEvents('upload', 'webrtc')[0];
  assert.equal(finished.status, 'complete');
  assert.equal(finished.bytes, BIG);
  assert.equal(finished.sha256, uploadSha);
  assert.equal(finished.saved_as, 'clip.bin');
  await page.close();
});

async function p2pStats(baseUrl) {
  const response = await context.request.get(new URL('/api/p2p', baseUrl).href);
  assert.equal(response.status(), 200);
  return response.json();
}

test('browser <-> browser: two pages in one room, no file byte through the app', async () => {
  const size = 24 * MIB;
  const data = randomBytes(size);
  const dataSha = sha256(data);
  const chosen = path.join(tmp, 'p2p', 'holiday.bin');
  await mkdir(path.dirname(chosen), { recursive: true });
  await writeFile(chosen, data);
  const base = new URL(sendShare.url).origin;
  const before = await p2pStats(base);

  // Two browsers: separate contexts, as two devices would be.
  const other = await newContext();
  const sender = await newPage();
  await sender.goto(`${base}/p2p`);
  const link = sender.locator('#room-link');
  await link.waitFor({ state: 'visible' });
  const roomUrl = await link.getAttribute('href');
  assert.match(roomUrl, /\/p2p\?room=[A-Z2-9]{8}$/);
  const qr = await context.request.get(new URL(await sender.locator('#room-qr')
    .getAttribute('src'), base).href);
  assert.equal(qr.status(), 200);
  assert.match(qr.headers()['content-type'], /^image\/svg\+xml/);
  assert.match(await qr.text(), /^<svg [^>]*viewBox="0 0 \d+ \d+"/);
  assert.ok(await sender.locator('#room-qr').isVisible(), 'the QR code is shown');

  const receiver = await other.newPage();
  watchPage(receiver, pageProblems, EXPECTED_CONSOLE);
  await receiver.goto(roomUrl);
  await sender.locator('#peer-list .peer').waitFor({ state: 'visible' });
  await receiver.locator('#peer-list .peer').waitFor({ state: 'visible' });
  assert.equal((await p2pStats(base)).peers, before.peers + 2);

  // The other browser is asked first.
  await sender.setInputFiles('#pick-files', chosen);
  const accept = receiver.locator('#transfer-list .transfer-accept');
  await accept.waitFor({ state: 'visible', timeout: 20_000 });
  const [download] = await Promise.all([
    receiver.waitForEvent('download', { timeout: 120_000 }),
    accept.click(),
  ]);
  const saved = path.join(tmp, 'p2p-received.bin');
  await download.saveAs(saved);
  assert.equal(download.suggestedFilename(), 'holiday.bin');
  assert.equal(await sha256File(saved), dataSha, 'SHA-256 of what the other browser saved');
  await waitFor('the sender to see the acknowledgement',
    async () => (await sender.locator('#transfer-list > li').first()
      .getAttribute('data-sha256')) === dataSha, 20_000);

  // Only signaling went through the app: a few kilobytes against megabytes of file.
  const stats = await p2pStats(base);
  const relayed = stats.relayed_bytes - before.relayed_bytes;
  assert.ok(stats.relayed_messages > before.relayed_messages, 'offer and answer were relayed');
  assert.ok(relayed > 0 && relayed < 64 * 1024,
    `relayed ${relayed} bytes for a ${size}-byte file`);

  // The room expires once both pages are gone.
  await sender.close();
  await other.close();
  await waitFor('the empty room to expire',
    async () => (await p2pStats(base)).rooms === before.rooms, 10_000);
});

test('room creation is rate-limited and unknown rooms are refused', async () => {
  const base = new URL(sendShare.url).origin;
  const page = await newPage();
  await page.goto(`${base}/p2p?room=NOSUCH22`);
  await waitFor('the unknown-room message',
    async () => (await page.locator('#room-error').textContent()).includes('Unknown'), 10_000);

  const answers = await page.evaluate(async () => {
    const ws = new WebSocket(`ws://${window.location.host}/ws`);
    await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
    const got = [];
    ws.addEventListener('message', (event) => got.push(JSON.parse(event.data)));
    for (let i = 0; i < 15; i++)
      ws.send(JSON.stringify({ type: 'room-create' }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    ws.close();
    return got.map((m) => m.type === 'error' ? m.message : m.type);
  });
  assert.ok(answers.includes('room-joined'), JSON.stringify(answers));
  assert.ok(answers.some((a) => /Too many rooms/.test(a)), JSON.stringify(answers));
  await page.close();
});

async function health(base) {
  const response = await context.request.get(new URL('/api/health', base).href);
  return response.status();
}

test('a tab closed mid-upload: failed in the history, no file left, app responsive', async () => {
  const upload = randomBytes(BIG);
  const chosen = path.join(tmp, 'closing', 'unfinished.bin');
  await mkdir(path.dirname(chosen), { recursive: true });
  await writeFile(chosen, upload);
  const base = new URL(sendShare.url).origin;
  const seen = app.events.length;

  const page = await newPage();
  await page.goto(receiveShare.url);
  await page.locator('#pick-direct-button').waitFor({ state: 'visible' });
  await page.setInputFiles('#pick-direct', chosen);
  const started = await app.waitFor('the direct upload to start', (e) =>
    app.events.indexOf(e) >= seen && e.event === 'upload-started' && e.kind === 'webrtc' &&
    e.file === 'unfinished.bin').catch(async (error) => {
    const shown = await page.locator('#direct-list').textContent();
    throw new Error(`${error.message}; the page shows: ${shown}`);
  });
  await app.waitFor('8 MiB of it to arrive', (e) => e.event === 'upload-progress' &&
    e.transfer === started.transfer && e.bytes >= 8 * MIB, 60_000);
  await page.close();

  const finished = await app.waitFor('the upload to end', (e) =>
    e.event === 'upload-finished' && e.transfer === started.transfer, 20_000);
  assert.equal(finished.status, 'failed', JSON.stringify(finished));
  assert.ok(finished.bytes < BIG);
  await waitFor('the .part to be removed', async () =>
    !(await names(inbox)).some((name) => name.startsWith('unfinished')), 10_000);
  assert.equal(await health(base), 200);
});

test('a tab closed mid-download: failed in the history, app responsive', async () => {
  const base = new URL(sendShare.url).origin;
  const seen = app.events.length;
  const page = await newPage();
  await page.goto(sendShare.url);
  const direct = page.locator('#file-list > li').first().locator('button.direct');
  await direct.waitFor({ state: 'visible' });
  await direct.click();
  const started = await app.waitFor('the direct download to start', (e) =>
    app.events.indexOf(e) >= seen && e.event === 'download-started' && e.kind === 'webrtc');
  await app.waitFor('8 MiB of it to leave', (e) => e.event === 'download-progress' &&
    e.transfer === started.transfer && e.bytes >= 8 * MIB, 60_000);
  await page.close();

  const finished = await app.waitFor('the download to end', (e) =>
    e.event === 'download-finished' && e.transfer === started.transfer, 20_000);
  assert.equal(finished.status, 'failed', JSON.stringify(finished));
  assert.ok(finished.bytes < BIG);
  assert.equal(await health(base), 200);

  // And the next direct download works.
  const again = await newPage();
  await again.goto(sendShare.url);
  const button = again.locator('#file-list > li').first().locator('button.direct');
  await button.waitFor({ state: 'visible' });
  const [download] = await Promise.all([
    again.waitForEvent('download', { timeout: 120_000 }),
    button.click(),
  ]);
  const saved = path.join(tmp, 'direct-again.bin');
  await download.saveAs(saved);
  assert.equal(await sha256File(saved), bigSha);
  await again.close();
});

test('the history holds every direct transfer with its outcome', async () => {
  const stopped = await app.stop('SIGTERM');
  assert.deepEqual(stopped, { code: 0, signal: null });
  const query = 'SELECT direction, status, COUNT(*) FROM transfers WHERE kind = \'webrtc\' ' +
    'GROUP BY direction, status ORDER BY direction, status';
  const { stdout } = await execFileAsync('python3', ['-c',
    'import json, sqlite3, sys; db = sqlite3.connect(sys.argv[1]); ' +
    'print(json.dumps(db.execute(sys.argv[2]).fetchall()))',
    path.join(tmp, 'data', 'history.db'), query]);
  assert.deepEqual(JSON.parse(stdout), [
    ['download', 'complete', 2],
    ['download', 'failed', 1],
    ['upload', 'complete', 1],
    ['upload', 'failed', 1],
  ]);
});

test('a direct upload over the size limit is refused before a byte is written', async () => {
  const limitedInbox = path.join(tmp, 'inbox-limited');
  await mkdir(limitedInbox);
  const limited = new HeadlessApp(['--data-dir', path.join(tmp, 'data-small'),
    '--max-upload-size', '1M', '--receive', limitedInbox], tmp);
  try {
    const receive = await limited.waitFor('receive share', (e) => e.event === 'share');
    const chosen = path.join(tmp, 'closing', 'too-big.bin');
    await writeFile(chosen, randomBytes(2 * MIB));
    const page = await newPage();
    await page.goto(receive.url);
    await page.locator('#pick-direct-button').waitFor({ state: 'visible' });
    await page.setInputFiles('#pick-direct', chosen);
    const error = page.locator('#direct-list .file-direct-error');
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await error.textContent(), /takes files of at most 1\.0\sMB/);
    assert.deepEqual(await names(limitedInbox), []);
    await page.close();
  } finally {
    await limited.stop('SIGTERM');
  }
});

test('without a GStreamer plugin the pages hide direct transfers and say why', async () => {
  process.env.SHARESYNC_RTC_HIDE_PLUGIN = 'nice';
  const limited = new HeadlessApp(['--data-dir', path.join(tmp, 'data-limited'),
    '--receive', inbox, path.join(tmp, 'src', 'big')], tmp);
  delete process.env.SHARESYNC_RTC_HIDE_PLUGIN;
  try {
    const listening = await limited.waitForEvent('listening');
    assert.equal(listening.webrtc, false);
    assert.match(listening.webrtc_message, /GStreamer plugins missing \(nice\)/);
    const share = await limited.waitFor('send share', (e) => e.event === 'share' &&
      e.kind === 'send');
    const receive = await limited.waitFor('receive share', (e) => e.event === 'share' &&
      e.kind === 'receive');
    const page = await newPage();
    await page.goto(share.url);
    await page.locator('#direct-note').waitFor({ state: 'visible' });
    assert.match(await page.locator('#direct-note').textContent(),
      /GStreamer plugins missing \(nice\)/);
    assert.equal(await page.locator('button.direct:visible').count(), 0);
    assert.equal(await page.locator('a.download:visible').count(), 1, 'plain download stays');

    await page.goto(receive.url);
    await page.locator('#direct-note').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#pick-direct-button').isVisible(), false);
    await page.close();
  } finally {
    await limited.stop('SIGTERM');
  }
});

test('loads without script or console errors', () => {
  assert.deepEqual(pageProblems, []);
});

