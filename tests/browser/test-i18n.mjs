// Browser test of the pages' languages: the real app in headless mode with a send and a receive
// share on loopback, opened by Chromium as people with German, English, French and broken
// browser settings open them. The server picks the language from Accept-Language
// (src/server/ssync-page-i18n.c), sets <html lang> and inlines the scripts' catalog, and the
// scripts (data/web/i18n.js) answer in that language from the start; English is the fallback.
//
// The German strings this test looks for are in po/de.po ("de.po: strings for the i18n test").
// Run by meson (suite "browser") with SSYNC_BIN and SSYNC_TEST_OUTPUT in the environment; the
// screenshots of the German pages (share, receive, 404, /p2p) go to SSYNC_TEST_OUTPUT as
// i18n-de-*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  HeadlessApp, TEST_OUTPUT, cleanUp, launchChromium, makeTempDir, requireSharesync, sha256,
  sha256File, watchPage,
} from '../common/app.mjs';

const UPLOAD_TIMEOUT_MS = 60_000;
// 1234 bytes: "1.2 kB" in English, "1,2 kB" in German.
const SHARED = Buffer.alloc(1234, 'x');
const SENT = Buffer.from('Grüße aus dem Browser\n');

let tmp;
let inbox;
let app;
let browser;
let shareUrl;
let receiveUrl;
let sentFile;
const pageProblems = [];

before(async () => {
  browser = await launchChromium();
  await requireSharesync();

  tmp = await makeTempDir('ssync-i18n-');
  inbox = path.join(tmp, 'inbox');
  await mkdir(inbox);
  await mkdir(TEST_OUTPUT, { recursive: true });
  const shared = path.join(tmp, 'bericht.txt');
  await writeFile(shared, SHARED);
  sentFile = path.join(tmp, 'grüße.txt');
  await writeFile(sentFile, SENT);

  app = new HeadlessApp(['--data-dir', path.join(tmp, 'data'), '--receive', inbox, shared], tmp);
  await app.waitForEvent('listening');
  const send = await app.waitFor('"share" event of kind "send"',
    (e) => e.event === 'share' && e.kind === 'send');
  const receive = await app.waitFor('"share" event of kind "receive"',
    (e) => e.event === 'share' && e.kind === 'receive');
  shareUrl = new URL(send.url);
  receiveUrl = new URL(receive.url);
});

after(() => cleanUp({ app, tmp, closing: [browser] }));

// A page opened by a browser set to @locale (Playwright sends it as Accept-Language).
// A page expected to answer an error (@watch false) is not watched for console errors: the
// browser logs its status as one.
async function open(href, { locale = 'en-US', watch = true, ...options } = {}) {
  const context = await browser.newContext({ locale, ...options });
  const page = await context.newPage();
  if (watch)
    watchPage(page, pageProblems);
  const response = await page.goto(href);
  return { context, page, response };
}

// What the page's own modules say, as its scripts see them.
function pageWords(page) {
  return page.evaluate(async () => {
    const { _, ngettext, format, lang } = await import('/static/i18n.js');
    const { formatSize } = await import('/static/common.js');
    const bytes = (n) => format(ngettext('%s byte', '%s bytes', n), n);
    return {
      lang,
      tryAgain: _('Try again'),
      unknown: _('A message no catalog has'),
      size: formatSize(1234),
      bytes: [0, 1, 2, 201, 1001].map(bytes),
      position: format(_('%1$s of %2$s'), 'A', 'B'),
    };
  });
}

test('a German browser gets the share page in German', async () => {
  const { context, page, response } = await open(shareUrl.href, { locale: 'de-DE' });
  try {
    assert.equal(response.status(), 200);
    assert.match(response.headers().vary ?? '', /Accept-Language/i, 'Vary: Accept-Language');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    const block = await page.locator('script#ssync-i18n').count();
    assert.equal(block, 1, 'the scripts\' catalog is inlined once');

    const words = await pageWords(page);
    assert.equal(words.lang, 'de');
    assert.equal(words.tryAgain, 'Erneut versuchen');
    assert.equal(words.unknown, 'A message no catalog has');
    assert.equal(words.size, '1,2 kB');
    assert.deepEqual(words.bytes, ['0 Bytes', '1 Byte', '2 Bytes', '201 Bytes', '1001 Bytes']);
    assert.equal(words.position, 'A von B');
  } finally {
    await context.close();
  }
});

test('English, and languages without a catalog, get English', async () => {
  for (const locale of ['en-US', 'fr-FR', 'ja']) {
    const { context, page, response } = await open(shareUrl.href, { locale });
    try {
      assert.equal(response.status(), 200, locale);
      assert.equal(await page.getAttribute('html', 'lang'), 'en', locale);
      assert.equal(await page.locator('script#ssync-i18n').count(), 0, locale);
      const words = await pageWords(page);
      assert.equal(words.lang, 'en', locale);
      assert.equal(words.tryAgain, 'Try again', locale);
      assert.equal(words.size, '1.2 kB', locale);
      assert.deepEqual(words.bytes, ['0 bytes', '1 byte', '2 bytes', '201 bytes', '1001 bytes']);
    } finally {
      await context.close();
    }
  }
});

test('German is picked by its quality, not its place', async () => {
  const cases = [
    ['en;q=0.5, de;q=0.9', 'de'],
    ['de;q=0.5, en;q=0.9', 'en'],
    ['fr-CH, fr;q=0.9, de-AT;q=0.8, *;q=0.5', 'de'],
    ['de;q=0, en', 'en'],
  ];
  const context = await browser.newContext();
  try {
    for (const [header, lang] of cases) {
      const answer = await context.request.get(receiveUrl.href,
        { headers: { 'Accept-Language': header } });
      assert.equal(answer.status(), 200, header);
      assert.match(await answer.text(), new RegExp(`<html lang="${lang}">`), header);
    }
  } finally {
    await context.close();
  }
});

test('hostile Accept-Language headers get English pages, and the server lives on', async () => {
  const headers = [
    `${'x-'.repeat(5000)}de`,
    `${'fr;q=0.1,'.repeat(1000)}de`,
    'de;q=2',
    'de;q=abc, ;;;, ,,,',
    '*;q=1, de;q=nan',
    '\u00e4\u00f6\u00fc',
    '</script><script>alert(1)</script>',
  ];
  const context = await browser.newContext();
  try {
    for (const header of headers) {
      const answer = await context.request.get(shareUrl.href,
        { headers: { 'Accept-Language': header } });
      assert.equal(answer.status(), 200, `Accept-Language: ${header.slice(0, 40)}`);
      const html = await answer.text();
      assert.match(html, /<html lang="en">/, `Accept-Language: ${header.slice(0, 40)}`);
      assert.ok(!html.includes('alert(1)'), 'nothing of the header is in the page');
    }
    const health = await context.request.get(new URL('/api/health', shareUrl).href);
    assert.equal(health.status(), 200, 'the server still answers');
  } finally {
    await context.close();
  }
});

test('the receive page sends a file and says so in German', async () => {
  const { context, page } = await open(receiveUrl.href, { locale: 'de-DE' });
  try {
    await page.locator('#receive').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('html', 'lang'), 'de');

    await page.locator('#pick-files').setInputFiles(sentFile);
    const row = page.locator('#upload-list > li').first();
    await page.waitForFunction((element) => element?.dataset.state === 'done',
      await row.elementHandle(), { timeout: UPLOAD_TIMEOUT_MS, polling: 100 });
    assert.equal(await row.locator('.upload-status').textContent(),
      `Gesendet · ${SENT.length} Bytes`);
    assert.equal(await row.locator('.file-sha').textContent(), `SHA-256 ${sha256(SENT)}`);
    assert.equal(await page.locator('#uploads-summary').textContent(),
      '1 von 1 Datei gesendet');
    assert.equal(await page.title(), 'Dateien senden – ShareSync');
    assert.equal(await sha256File(path.join(inbox, 'grüße.txt')), sha256(SENT));
  } finally {
    await context.close();
  }
});

test('German pages look right on a phone and a desktop, light and dark', async () => {
  const looks = [
    ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
      hasTouch: true }],
    ['desktop', { viewport: { width: 1280, height: 800 } }],
  ];
  for (const [device, options] of looks) {
    for (const colorScheme of ['light', 'dark']) {
      for (const [name, url, ready] of [['share', shareUrl, '#share'],
        ['receive', receiveUrl, '#receive']]) {
        const { context, page } = await open(url.href, { locale: 'de-DE', colorScheme, ...options });
        try {
          await page.locator(ready).waitFor({ state: 'visible' });
          if (name === 'receive') {
            await page.locator('#pick-files').setInputFiles(sentFile);
            await page.locator('#upload-list > li[data-state="done"]').first()
              .waitFor({ timeout: UPLOAD_TIMEOUT_MS });
          }
          await page.screenshot({
            path: path.join(TEST_OUTPUT, `i18n-de-${name}-${device}-${colorScheme}.png`),
            fullPage: true,
          });
        } finally {
          await context.close();
        }
      }
    }
  }
});

test('the 404 page and the /p2p room are German too, on a phone and a desktop', async () => {
  const looks = [
    ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
      hasTouch: true }],
    ['desktop', { viewport: { width: 1280, height: 800 } }],
  ];
  for (const [device, options] of looks) {
    for (const colorScheme of ['light', 'dark']) {
      const missing = new URL('/s/NoSuchShareToken0000', shareUrl).href;
      const room = new URL('/p2p', shareUrl).href;
      for (const [name, url, ready, words] of [
        ['not-found', missing, 'h1', /Dieser Link funktioniert nicht/],
        ['p2p', room, '#room-link', /Dateien senden/]]) {
        const { context, page } = await open(url, { locale: 'de-DE', colorScheme,
          watch: name !== 'not-found', ...options });
        try {
          await page.locator(ready).waitFor({ state: 'visible' });
          assert.equal(await page.getAttribute('html', 'lang'), 'de');
          assert.match(await page.locator('body').innerText(), words);
          await page.screenshot({
            path: path.join(TEST_OUTPUT, `i18n-de-${name}-${device}-${colorScheme}.png`),
            fullPage: true,
          });
        } finally {
          await context.close();
        }
      }
    }
  }
});

test('pages load without script, style or console errors', () => {
  assert.deepEqual(pageProblems, []);
});
