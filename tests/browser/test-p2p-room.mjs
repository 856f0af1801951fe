// Browser test of the /p2p room page as two people use it: the real app in headless mode on
// loopback and Debian's Chromium (two contexts, as two devices), driven by playwright-core.
// - alone in a room, "Choose files to send" is visibly off (not the accent colour, its input
//   disabled) and a hint under it says why;
// - the sections ("In this room", "Send files", "Transfers") have air between them;
// - peers carry readable names: the device each describes of itself and a word
//   ("Firefox on Android · Otter"), the same word on both sides;
// - a file sent to the other browser is not saved there until it accepts: the request shows
//   name, size and sender with Accept and Decline; a decline is told to the sender, an
//   accepted file arrives with its SHA-256 checked;
// - screenshots: phone (390 px) and desktop, light and dark.
//
// Run by meson (suite "browser") as: node --test --test-reporter=tap test-p2p-room.mjs, with
// SSYNC_BIN and SSYNC_TEST_OUTPUT in the environment. Nothing skips.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  HeadlessApp, MIB, TEST_OUTPUT, cleanUp, launchChromium, makeTempDir, requireSharesync,
  sha256, sha256File, waitFor, watchPage,
} from '../common/app.mjs';

const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';
const EXPECTED_CONSOLE = [/WebRTC/i, /ICE/i, /RTCDataChannel/i];
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
  hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 900 } };

let tmp;
let app;
let browser;
let base;
let report;
let reportData;
const pageProblems = [];
const contexts = [];

before(async () => {
  browser = await launchChromium();
  await requireSharesync();
  tmp = await makeTempDir('ssync-p2p-room-');
  await mkdir(TEST_OUTPUT, { recursive: true });
  reportData = randomBytes(3 * MIB);
  report = path.join(tmp, 'quarterly report.pdf');
  await writeFile(report, reportData);
  await writeFile(path.join(tmp, 'shared.txt'), 'x');
  app = new HeadlessApp(['--data-dir', path.join(tmp, 'data'), path.join(tmp, 'shared.txt')],
    tmp);
  const share = await app.waitFor('send share', (e) => e.event === 'share');
  base = new URL(share.url).origin;
});

after(() => cleanUp({ app, tmp, closing: [browser] }));

// A page of its own context (its own device); headless Chromium has no save dialog, so the
// pages save the way Firefox does (see test-p2p-download.mjs for the picker).
async function device(options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'en-US',
    ...options });
  contexts.push(context);
  await context.addInitScript(() => {
    delete window.showSaveFilePicker;
  });
  const page = await context.newPage();
  watchPage(page, pageProblems, EXPECTED_CONSOLE);
  return page;
}

async function openRoom(page, url = `${base}/p2p`) {
  await page.goto(url);
  await page.locator('#room-link').waitFor({ state: 'visible' });
  return page.locator('#room-link').getAttribute('href');
}

async function styleOf(locator, property) {
  return locator.evaluate((node, name) => getComputedStyle(node)[name], property);
}

test('alone in a room, sending is visibly off and the page says why', async () => {
  const page = await device(DESKTOP);
  await openRoom(page);
  assert.equal(await page.locator('#pick-files').isDisabled(), true);
  const button = page.locator('#pick-files-button');
  const accent = await page.evaluate(() =>
    getComputedStyle(document.documentElement).getPropertyValue('--accent-bg').trim());
  assert.notEqual(await styleOf(button, 'backgroundColor'), 'rgb(53, 132, 228)',
    `the disabled chooser is not painted in the accent colour ${accent}`);
  assert.equal(await styleOf(button, 'cursor'), 'not-allowed');
  const hint = page.locator('#send-hint');
  assert.ok(await hint.isVisible());
  assert.match(await hint.textContent(), /once another device has joined/);
  assert.equal(await page.locator('#pick-files').getAttribute('aria-describedby'), 'send-hint');
  assert.equal(await styleOf(page.locator('#drop-zone'), 'opacity'), '1', 'the hint is readable');
  assert.match(await page.locator('#peer-list').textContent(), /Nobody else yet/);
  await page.context().close();
});

test('sections have room between them, at 390 px and on a desktop', async () => {
  for (const options of [PHONE, DESKTOP]) {
    const page = await device(options);
    await openRoom(page);
    const box = async (selector) => page.locator(selector).boundingBox();
    const peers = await box('#peer-list');
    const sendHeading = await box('#send-heading');
    const zone = await box('#drop-zone');
    assert.ok(sendHeading.y - (peers.y + peers.height) >= 20,
      `gap between the room list and "Send files": ${sendHeading.y - (peers.y + peers.height)}`);
    assert.ok(zone.y > sendHeading.y + sendHeading.height,
      'the drop zone sits under its heading');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= options.viewport.width, `no sideways scrolling (${width} px)`);
    await page.context().close();
  }
});

test('two devices: readable names, a request with Accept/Decline, decline told', async () => {
  const sender = await device(DESKTOP);
  const roomUrl = await openRoom(sender);
  const receiver = await device({ ...PHONE, userAgent: FIREFOX_ANDROID });
  await openRoom(receiver, roomUrl);

  // Each sees the other by device and word, and itself under the same word.
  const other = sender.locator('#peer-list .peer');
  await waitFor('the phone\'s name on the computer', async () =>
    /Firefox on Android · [A-Z][a-z]+$/.test((await other.textContent()) ?? ''), 10_000);
  const phoneName = (await other.locator('.peer-name').textContent()).trim();
  assert.equal(await other.getAttribute('class'), 'file peer peer-phone');
  const phoneSelf = (await receiver.locator('#peer-list .peer-self .peer-name').textContent())
    .trim();
  assert.equal(phoneSelf, phoneName, 'the phone calls itself what the computer calls it');
  const computer = receiver.locator('#peer-list .peer');
  await waitFor('the computer\'s name on the phone', async () =>
    /^Chrome on Linux · [A-Z][a-z]+$/.test(
      ((await computer.locator('.peer-name').textContent()) ?? '').trim()), 10_000);
  const computerName = (await computer.locator('.peer-name').textContent()).trim();
  assert.notEqual(computerName.split(' · ')[1], phoneName.split(' · ')[1]);
  assert.doesNotMatch(await sender.locator('#peer-list').textContent(), /Browser p\d+/);
  assert.equal(await sender.locator('#pick-files').isDisabled(), false);

  let downloads = 0;
  receiver.on('download', () => downloads++);

  // Decline: nothing is saved, the sender is told.
  await sender.setInputFiles('#pick-files', report);
  const request = receiver.locator('#transfer-list .transfer-request').last();
  await request.waitFor({ state: 'visible', timeout: 10_000 });
  const requestText = await request.textContent();
  assert.match(requestText, /quarterly report\.pdf \(3\.1\sMB\)/);
  assert.ok(requestText.includes(`${computerName} wants to send you this file.`), requestText);
  assert.equal(await request.locator('button.transfer-accept').textContent(), 'Accept');
  assert.equal(await request.locator('button.transfer-decline').textContent(), 'Decline');
  for (const [look, file] of [['light', 'p2p-request-phone.png'],
    ['dark', 'p2p-request-phone-dark.png']]) {
    await receiver.emulateMedia({ colorScheme: look });
    await receiver.screenshot({ path: path.join(TEST_OUTPUT, file), fullPage: true });
  }
  await receiver.emulateMedia({ colorScheme: 'light' });
  await request.locator('button.transfer-decline').click();
  const sent = sender.locator('#transfer-list > li').last();
  await waitFor('the sender to hear of the decline', async () =>
    (await sent.getAttribute('data-state')) === 'declined', 10_000);
  assert.equal(await sent.locator('.file-direct').textContent(),
    `${phoneName} declined the file.`);
  assert.equal(await request.locator('button').count(), 0);
  assert.equal(downloads, 0, 'nothing was saved on the phone');

  // Accept: the file arrives, checked.
  await sender.setInputFiles('#pick-files', report);
  const second = receiver.locator('#transfer-list .transfer-request').last();
  await second.locator('button.transfer-accept').waitFor({ state: 'visible', timeout: 10_000 });
  const [download] = await Promise.all([
    receiver.waitForEvent('download', { timeout: 60_000 }),
    second.locator('button.transfer-accept').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'quarterly report.pdf');
  await waitFor('the phone to check the SHA-256', async () =>
    (await second.getAttribute('data-sha256')) !== null ||
    (await second.getAttribute('data-state')) === 'failed', 60_000);
  assert.equal(await second.getAttribute('data-sha256'), sha256(reportData),
    await second.textContent());
  assert.equal(await sha256File(await download.path()), sha256(reportData));
  const sentAgain = sender.locator('#transfer-list > li').last();
  await waitFor('the sender to see the acknowledgement', async () =>
    (await sentAgain.getAttribute('data-sha256')) === sha256(reportData), 20_000);

  await sender.screenshot({ path: path.join(TEST_OUTPUT, 'p2p-transfers-desktop.png'),
    fullPage: true });
  await sender.emulateMedia({ colorScheme: 'dark' });
  await sender.screenshot({ path: path.join(TEST_OUTPUT, 'p2p-transfers-desktop-dark.png'),
    fullPage: true });
  await receiver.screenshot({ path: path.join(TEST_OUTPUT, 'p2p-transfers-phone-dark.png'),
    fullPage: true });

  await sender.context().close();
  await receiver.context().close();
});

test('screenshots of a room alone, phone and desktop, light and dark', async () => {
  for (const [name, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    for (const colorScheme of ['light', 'dark']) {
      const page = await device({ ...options, colorScheme });
      await openRoom(page);
      const suffix = colorScheme === 'dark' ? '-dark' : '';
      await page.screenshot({ path: path.join(TEST_OUTPUT, `p2p-alone-${name}${suffix}.png`),
        fullPage: true });
      await page.context().close();
    }
  }
});

test('loads without script or console errors', () => {
  assert.deepEqual(pageProblems, []);
});
