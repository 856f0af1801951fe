// Browser test of direct (WebRTC) downloads written to disk as they arrive: the real app in
// headless mode on loopback and Debian's Chromium, driven by playwright-core.
// - a 2 GiB file through "Direct (WebRTC)" on the share page arrives with the right SHA-256
//   (checked by the page and of the saved file) while the page's JS heap, array buffers
//   included, stays under 256 MiB: nothing holds the file;
// - with showSaveFilePicker (the File System Access API) the bytes go to the file handle it
//   gives, checked the same way (the dialog is answered by a stand-in giving a file of the
//   origin's private file system, as headless Chromium has no dialog);
// - on plain http from another address (no secure context: no picker, no service worker) a
//   small file is kept in memory with a note saying so, and a file over the limit is refused
//   before a byte moves, pointing to the normal download.
//
// SSYNC_P2P_DOWNLOAD_MIB sets the big file's size (2048 by default), for a quicker run.
// Run by meson (suite "browser") as: node --test --test-reporter=tap test-p2p-download.mjs,
// with SSYNC_BIN and SSYNC_TEST_OUTPUT in the environment. Nothing skips.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';

import {
  HeadlessApp, MIB, TEST_OUTPUT, cleanUp, launchChromium, makeTempDir, requireSharesync,
  sha256, sha256File, waitFor, watchPage,
} from '../common/app.mjs';

const BIG = Number(process.env.SSYNC_P2P_DOWNLOAD_MIB ?? 2048) * MIB;
const HEAP_LIMIT = 256 * MIB;
const SMALL = 24 * MIB;
const HUGE = 600 * 1000 * 1000;
const EXPECTED_CONSOLE = [/WebRTC/i, /ICE/i, /RTCDataChannel/i];

let tmp;
let app;
let browser;
let share;
let bigSha;
let smallData;
const pageProblems = [];

// Writes size bytes of random data to file without holding them: 16 MiB of random bytes,
// each repetition made distinct by its number in its first bytes. Resolves with the SHA-256.
async function writeBigFile(file, size) {
  const block = randomBytes(16 * MIB);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let offset = 0, n = 0; offset < size; offset += block.length, n++) {
    block.writeUInt32BE(n, 0);
    const piece = block.subarray(0, Math.min(block.length, size - offset));
    hash.update(piece);
    if (!out.write(piece))
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

before(async () => {
  browser = await launchChromium();
  await requireSharesync();
  tmp = await makeTempDir('ssync-p2p-download-');
  const src = path.join(tmp, 'src');
  await mkdir(src, { recursive: true });
  await mkdir(TEST_OUTPUT, { recursive: true });
  bigSha = await writeBigFile(path.join(src, 'disk image.iso'), BIG);
  smallData = randomBytes(SMALL);
  await writeFile(path.join(src, 'notes.bin'), smallData);
  // Over the limit of what a page on plain http keeps in memory; sparse, so it costs no disk.
  await writeFile(path.join(src, 'huge.bin'), '');
  await truncate(path.join(src, 'huge.bin'), HUGE);
  app = new HeadlessApp(['--data-dir', path.join(tmp, 'data'), src], tmp);
  const listening = await app.waitForEvent('listening');
  assert.equal(listening.webrtc, true, 'direct transfers work on this machine');
  share = await app.waitFor('send share', (e) => e.event === 'share' && e.kind === 'send');
});

after(() => cleanUp({ app, tmp, closing: [browser] }));

// A context whose pages have no showSaveFilePicker (as Firefox and Safari), or, with
// insecure set, behave as a page on plain http from a LAN address does (no picker, no
// service worker).
async function newContext({ picker = 'none', insecure = false, ...options } = {}) {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'en-US',
    ...options });
  await context.addInitScript(({ picker: how, insecure: plain }) => {
    if (how === 'none' || plain)
      delete window.showSaveFilePicker;
    if (how === 'private-file') {
      // The save dialog, answered with a file of the origin's private file system.
      window.showSaveFilePicker = async ({ suggestedName }) => {
        const root = await navigator.storage.getDirectory();
        window.savedAs = suggestedName;
        return root.getFileHandle(suggestedName, { create: true });
      };
    }
    if (plain) {
      Object.defineProperty(window, 'isSecureContext', { value: false });
      delete Navigator.prototype.serviceWorker;
    }
  }, { picker, insecure });
  return context;
}

async function openShare(context) {
  const page = await context.newPage();
  watchPage(page, pageProblems, EXPECTED_CONSOLE);
  await page.goto(share.url);
  return page;
}

function rowOf(page, name) {
  return page.locator('#file-list > li').filter({ hasText: name });
}

// Samples the page's JS heap with its array buffers every 250 ms; stop() gives the largest.
async function watchHeap(page) {
  const cdp = await page.context().newCDPSession(page);
  let largest = 0;
  let running = true;
  const sample = async () => {
    const usage = await cdp.send('Runtime.getHeapUsage');
    largest = Math.max(largest, usage.usedSize + (usage.embedderHeapUsedSize ?? 0) +
      (usage.backingStorageSize ?? 0));
  };
  const loop = (async () => {
    while (running) {
      await sample().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await cdp.detach().catch(() => {});
      return largest;
    },
  };
}

test(`a ${BIG / MIB} MiB direct download streams to disk, SHA-256 checked, heap < 256 MiB`,
  async () => {
    const context = await newContext();
    const page = await openShare(context);
    const item = rowOf(page, 'disk image.iso');
    const direct = item.locator('button.direct');
    await direct.waitFor({ state: 'visible' });
    const heap = await watchHeap(page);

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      direct.click(),
    ]);
    assert.equal(download.suggestedFilename(), 'disk image.iso');
    const status = item.locator('.file-direct');
    // The download's file is complete once the page has checked the SHA-256 and closed it.
    await waitFor('the page to check the SHA-256', async () =>
      (await item.getAttribute('data-direct-sha256')) !== null ||
      (await status.evaluate((node) => node.classList.contains('file-direct-error'))),
    BIG / MIB * 1000 + 120_000);
    const largest = await heap.stop();
    assert.equal(await item.getAttribute('data-direct-sha256'), bigSha,
      await status.textContent());
    assert.equal(await download.failure(), null);
    assert.equal(await sha256File(await download.path()), bigSha, 'SHA-256 of the saved file');
    assert.ok(largest < HEAP_LIMIT,
      `the page's heap reached ${(largest / MIB).toFixed(1)} MiB for a ${BIG / MIB} MiB file`);
    console.log(`# largest heap: ${(largest / MIB).toFixed(1)} MiB`);
    assert.doesNotMatch(await status.textContent(), /memory/);
    await download.delete();

    const finished = await app.waitFor('download-finished of the direct transfer',
      (e) => e.event === 'download-finished' && e.total === BIG, 20_000);
    assert.equal(finished.status, 'complete');
    assert.equal(finished.bytes, BIG);
    assert.equal(finished.sha256, bigSha);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'p2p-direct-download-done.png'),
      fullPage: true });
    await context.close();
  });

test('with showSaveFilePicker the file goes to the chosen file, SHA-256 checked', async () => {
  const context = await newContext({ picker: 'private-file' });
  const page = await openShare(context);
  const item = rowOf(page, 'notes.bin');
  const direct = item.locator('button.direct');
  await direct.waitFor({ state: 'visible' });
  let downloads = 0;
  page.on('download', () => downloads++);
  await direct.click();
  await waitFor('the page to check the SHA-256', async () =>
    (await item.getAttribute('data-direct-sha256')) !== null ||
    (await item.locator('.file-direct-error').count()) > 0, 120_000);
  assert.equal(await item.getAttribute('data-direct-sha256'), sha256(smallData),
    await item.locator('.file-direct').textContent());
  const saved = await page.evaluate(async () => {
    const { Sha256 } = await import('/static/rtc.js');
    const root = await navigator.storage.getDirectory();
    const file = await (await root.getFileHandle(window.savedAs)).getFile();
    const hash = new Sha256();
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done)
        break;
      hash.update(value);
    }
    return { name: window.savedAs, size: file.size, sha256: hash.hex() };
  });
  assert.deepEqual(saved, { name: 'notes.bin', size: SMALL, sha256: sha256(smallData) });
  assert.equal(downloads, 0, 'no second copy as an ordinary download');
  await context.close();
});

test('on plain http a small file is kept in memory and says so; a big one is refused',
  async () => {
    const context = await newContext({ insecure: true });
    const page = await openShare(context);
    assert.equal(await page.evaluate(() => window.isSecureContext), false);

    const small = rowOf(page, 'notes.bin');
    await small.locator('button.direct').waitFor({ state: 'visible' });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      small.locator('button.direct').click(),
    ]);
    assert.equal(await sha256File(await download.path()), sha256(smallData));
    const smallStatus = small.locator('.file-direct');
    await waitFor('the note about memory', async () =>
      /kept in memory/.test(await smallStatus.textContent()), 10_000);

    const seen = app.events.length;
    const big = rowOf(page, 'huge.bin');
    await big.locator('button.direct').click();
    const error = big.locator('.file-direct-error');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await error.textContent(), /up to 500\.0\sMB\. Use Download for this file\./);
    assert.ok(!app.events.slice(seen).some((e) => e?.event === 'download-started'),
      'nothing was sent');
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'p2p-direct-download-plain-http.png'),
      fullPage: true });
    await context.close();
  });

test('loads without script or console errors', () => {
  assert.deepEqual(pageProblems, []);
});
