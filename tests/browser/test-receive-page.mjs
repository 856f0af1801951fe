// Browser test of the receive page: the real app in headless mode with a receive share on
// loopback, and Debian's Chromium driven by playwright-core, doing what a person on the LAN does
// to send files back: open the /r/ link, choose files (or a folder, or drop them), watch them go,
// and lose the connection or close the tab half way.
//
// Run by meson (suite "browser") as: node --test --test-reporter=tap test-receive-page.mjs, with
// SSYNC_BIN (the built sharesync) and SSYNC_TEST_OUTPUT (where screenshots go) in the
// environment. A missing Chromium or playwright-core fails the test: it never skips.
//
// Two tests send through a small TCP proxy between Chromium and the app: it slows the upload
// down to a known rate, so "half way" is a moment the test can catch, and it can cut every
// connection at once, which is what a dropped Wi-Fi does to the page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  EXIT_TIMEOUT_MS, HeadlessApp, MIB, Proxy, TEST_OUTPUT, cleanUp, launchChromium, listTree,
  makeTempDir, requireSharesync, sha256, sha256File, waitFor, watchPage,
} from '../common/app.mjs';

const UPLOAD_TIMEOUT_MS = 120_000;
// The page sends PATCH bodies of this size (retry-policy.js, CHUNK_SIZE): after a break it may send
// again at most the piece that was in flight.
const PAGE_CHUNK = 8 * MIB;
// Through the proxy, 64 MiB take about four seconds: long enough to interrupt, short enough.
const SLOW_RATE = 16 * MIB;

let tmp;
let inbox;
let files;
let app;
let proxy;
let browser;
let context;
let page;
let baseUrl;
let receiveUrl;
let token;
const pageProblems = [];

async function fixture(name, data) {
  const dir = await mkdtemp(path.join(tmp, 'pick-'));
  const file = path.join(dir, name);
  await writeFile(file, data);
  return { name, file, data, sha256: sha256(data), size: data.length };
}

// Chromium logs every failed request of a script in the console. A test that breaks the
// connection expects two kinds: the cut itself, and a 409 when the browser's network stack sends
// a cut PATCH again by itself while the server already has part of it (the page then asks for
// the offset).
function watch(target, expected = []) {
  watchPage(target, pageProblems, expected);
}

const EXPECTED_CONFLICT = /status of 409 \(Conflict\)/;
const EXPECTED_CUT = /net::ERR_(CONNECTION_RESET|CONNECTION_CLOSED|EMPTY_RESPONSE)/;

async function openReceive(ctx, href = receiveUrl.href, expected = []) {
  const opened = await ctx.newPage();
  watch(opened, expected);
  const response = await opened.goto(href);
  assert.equal(response.status(), 200, `GET ${href}`);
  await opened.locator('#receive').waitFor({ state: 'visible' });
  return opened;
}

// The receive page through the proxy: another origin, so its own localStorage.
function viaProxy() {
  return new URL(receiveUrl.pathname, proxy.origin).href;
}

function row(target, filePath) {
  return target.locator(`#upload-list > li[data-path="${filePath.replace(/["\\]/g, '\\$&')}"]`);
}

async function waitForRowState(target, locator, state, timeoutMs = UPLOAD_TIMEOUT_MS) {
  try {
    await target.waitForFunction(
      ([element, want]) => element !== null && element.dataset.state === want,
      [await locator.elementHandle({ timeout: timeoutMs }), state],
      { timeout: timeoutMs, polling: 100 });
  } catch (error) {
    const text = await locator.innerText().catch(() => '(no row)');
    throw new Error(`row did not reach "${state}": ${JSON.stringify(text)}; ${app.describe()}`,
      { cause: error });
  }
}

// Counts the tus requests a browser context makes, per method, with their Upload-Offset.
function recordTus(ctx) {
  const seen = [];
  ctx.on('request', (request) => {
    if (request.url().includes('/uploads/') && request.method() !== 'GET')
      seen.push({ method: request.method(), offset: request.headers()['upload-offset'] });
  });
  return seen;
}

async function partFiles() {
  return (await listTree(inbox)).filter((name) => name.endsWith('.part'));
}

before(async () => {
  // The tools first, so a missing one says so instead of failing somewhere later.
  browser = await launchChromium();
  await requireSharesync();

  tmp = await makeTempDir('ssync-receive-');
  inbox = path.join(tmp, 'inbox');
  await mkdir(inbox);
  await mkdir(TEST_OUTPUT, { recursive: true });

  files = {
    text: await fixture('notes.txt', Buffer.from('Meeting notes\nline two\n')),
    unicode: await fixture('Grüße ✓.txt', Buffer.from('Schöne Grüße ✓\n')),
    big: await fixture('big.bin', randomBytes(64 * MIB)),
  };

  app = new HeadlessApp(['--data-dir', path.join(tmp, 'data'), '--receive', inbox], tmp);
  const listening = await app.waitForEvent('listening');
  const share = await app.waitFor('"share" event of kind "receive"',
    (e) => e.event === 'share' && e.kind === 'receive');
  baseUrl = new URL(listening.url);
  assert.equal(baseUrl.hostname, '127.0.0.1', `listening url: ${listening.url}`);
  receiveUrl = new URL(share.url);
  assert.equal(receiveUrl.origin, baseUrl.origin, 'the receive share is on the listening server');
  const match = /^\/r\/([^/]+)$/.exec(receiveUrl.pathname);
  assert.ok(match, `receive url: ${share.url}`);
  token = match[1];

  proxy = new Proxy(Number(baseUrl.port));
  await proxy.listen();

  context = await browser.newContext({ locale: 'en-US' });
  page = await context.newPage();
  watch(page);
});

after(() => cleanUp({ app, tmp, closing: [browser, proxy] }));

test('opens the receive page with its upload address', async () => {
  const response = await page.goto(receiveUrl.href);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
  const csp = response.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'/, `Content-Security-Policy: ${csp || '(missing)'}`);

  const api = await context.request.get(new URL(`/api/files/${token}`, baseUrl).href);
  assert.equal(api.status(), 200, `GET /api/files/${token}`);
  const share = await api.json();
  assert.equal(share.kind, 'receive');
  assert.equal(share.upload_url, `/r/${token}/uploads/`);

  const script = await context.request.get(new URL('/static/receive.js', baseUrl).href);
  assert.equal(script.status(), 200, 'GET /static/receive.js');
  assert.match(script.headers()['content-type'] ?? '', /javascript/);

  await page.locator('#receive').waitFor({ state: 'visible' });
  assert.equal(await page.title(), 'Send files – ShareSync');
  assert.ok(await page.locator('label.file-picker').first().isVisible(), '"Choose files" shown');
});

test('sends three files and the folder has the same bytes', async () => {
  const chosen = [files.text, files.unicode, files.big];
  await page.locator('#pick-files').setInputFiles(chosen.map((f) => f.file));

  for (const f of chosen) {
    const item = row(page, f.name);
    await waitForRowState(page, item, 'done');
    assert.equal(await item.locator('.file-sha').textContent(), `SHA-256 ${f.sha256}`,
      `the page shows the SHA-256 the server computed for ${f.name}`);
  }

  const arrived = await listTree(inbox);
  for (const f of chosen) {
    assert.ok(arrived.includes(f.name), `${f.name} in the folder: ${JSON.stringify(arrived)}`);
    assert.equal(await sha256File(path.join(inbox, f.name)), f.sha256, `SHA-256 of ${f.name}`);

    const [started] = app.started(f.name);
    assert.ok(started, `upload-started for ${f.name}: ${app.describe()}`);
    assert.equal(started.total, f.size, `upload-started total for ${f.name}`);
    const finished = await app.finishedOf(started.transfer, UPLOAD_TIMEOUT_MS);
    assert.equal(finished.status, 'complete', `status of ${f.name}`);
    assert.equal(finished.sha256, f.sha256, `sha256 in upload-finished for ${f.name}`);
    assert.equal(finished.bytes, f.size, `bytes in upload-finished for ${f.name}`);
    assert.equal(finished.saved_as, f.name, `saved_as for ${f.name}`);
  }
  assert.deepEqual(await partFiles(), [], 'no .part file is left');
  assert.equal(await page.locator('#uploads-summary').textContent(), '3 of 3 files sent');
});

test('sends an empty file', async () => {
  const empty = await fixture('empty.txt', Buffer.alloc(0));
  await page.locator('#pick-files').setInputFiles(empty.file);
  const item = row(page, empty.name);
  await waitForRowState(page, item, 'done', 10_000);
  assert.equal(await item.locator('.file-sha').textContent(), `SHA-256 ${empty.sha256}`);
  assert.equal(await item.locator('.upload-status').textContent(), 'Sent · 0 bytes');
  assert.equal(await sha256File(path.join(inbox, empty.name)), empty.sha256);
});

test('a second file of the same name is saved beside the first', async () => {
  const first = await fixture('a.txt', Buffer.from('first a\n'));
  const second = await fixture('a.txt', Buffer.from('second a, another text\n'));

  const ctx = await browser.newContext({ locale: 'en-US' });
  try {
    const target = await openReceive(ctx);
    await target.locator('#pick-files').setInputFiles(first.file);
    await waitForRowState(target, target.locator('#upload-list > li').nth(0), 'done');
    await target.locator('#pick-files').setInputFiles(second.file);
    const secondRow = target.locator('#upload-list > li').nth(1);
    await waitForRowState(target, secondRow, 'done');
    assert.match(await secondRow.locator('.upload-status').textContent(),
      /saved as “a \(1\)\.txt”/, 'the page tells the new name');
  } finally {
    await ctx.close();
  }

  assert.equal(await sha256File(path.join(inbox, 'a.txt')), first.sha256, 'a.txt');
  assert.equal(await sha256File(path.join(inbox, 'a (1).txt')), second.sha256, 'a (1).txt');
});

test('sends a folder with its structure', async () => {
  const root = await mkdtemp(path.join(tmp, 'folder-'));
  const tree = {
    'trip/notes.txt': Buffer.from('day one, day two\n'),
    'trip/day 1/photo.jpg': randomBytes(300 * 1024),
  };
  for (const [name, data] of Object.entries(tree)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), data);
  }

  await page.reload();
  await page.locator('#receive').waitFor({ state: 'visible' });
  assert.ok(await page.locator('#pick-folder-button').isVisible(),
    '"Choose a folder" is offered in a desktop browser');
  await page.locator('#pick-folder').setInputFiles(path.join(root, 'trip'));
  for (const name of Object.keys(tree))
    await waitForRowState(page, row(page, name), 'done');

  for (const [name, data] of Object.entries(tree)) {
    const saved = path.join(inbox, ...name.split('/'));
    assert.equal(await sha256File(saved).catch(() => null), sha256(data),
      `${name} kept its folders: ${JSON.stringify(await listTree(inbox))}`);
  }
});

test('accepts files dropped onto the page', async () => {
  const text = 'dropped on the page\n';
  // A real drag from the desktop cannot be scripted; a drop event carrying a File is what the
  // page receives from one.
  await page.evaluate((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], 'dropped.txt', { type: 'text/plain' }));
    const zone = document.getElementById('drop-zone');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true,
        cancelable: true }));
    }
  }, text);
  await waitForRowState(page, row(page, 'dropped.txt'), 'done');
  assert.equal(await sha256File(path.join(inbox, 'dropped.txt')), sha256(Buffer.from(text)));
});

test('resumes when the connection drops half way', async () => {
  const f = await fixture('dropped-connection.bin', randomBytes(64 * MIB));
  const cutAt = 28 * MIB;
  const ctx = await browser.newContext({ locale: 'en-US' });
  const tus = recordTus(ctx);
  let cut = false;
  try {
    const target = await openReceive(ctx, viaProxy(), [EXPECTED_CONFLICT, EXPECTED_CUT]);
    proxy.upBytes = 0;
    proxy.rate = SLOW_RATE;
    proxy.onUp = () => {
      if (!cut && proxy.upBytes >= cutAt) {
        cut = true;
        proxy.cutAll();
      }
    };
    await target.locator('#pick-files').setInputFiles(f.file);
    await waitForRowState(target, row(target, f.name), 'done');
    assert.equal(await row(target, f.name).locator('.file-sha').textContent(),
      `SHA-256 ${f.sha256}`);
  } finally {
    proxy.onUp = null;
    proxy.rate = Infinity;
    await ctx.close();
  }

  assert.ok(cut, 'the proxy cut the connection');
  assert.equal(await sha256File(path.join(inbox, f.name)), f.sha256, 'SHA-256 on disk');
  const posts = tus.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 1, `one upload created, not a second: ${JSON.stringify(tus)}`);
  assert.ok(tus.some((r) => r.method === 'HEAD'), 'the page asked for the offset after the break');
  const resumedAt = Math.max(...tus.filter((r) => r.method === 'PATCH')
    .map((r) => Number(r.offset)));
  assert.ok(resumedAt > 0, 'PATCHes went on from an offset');
  // Less than twice the file (what starting over would cost), and in fact at most one piece
  // sent twice.
  assert.ok(proxy.upBytes < 2 * f.size, `${proxy.upBytes} bytes sent for ${f.size}`);
  assert.ok(proxy.upBytes < f.size + PAGE_CHUNK + MIB,
    `${proxy.upBytes} bytes sent for ${f.size}: more than one piece was sent again`);

  const [started] = app.started(f.name);
  const finished = await app.finishedOf(started.transfer, UPLOAD_TIMEOUT_MS);
  assert.equal(finished.sha256, f.sha256, 'sha256 in upload-finished');
  assert.deepEqual(await partFiles(), [], 'no .part file is left');
});

test('resumes after the tab is closed and the same file chosen again', async () => {
  const f = await fixture('closed-tab.bin', randomBytes(64 * MIB));
  const ctx = await browser.newContext({ locale: 'en-US' });
  const tus = recordTus(ctx);
  try {
    let target = await openReceive(ctx, viaProxy(), [EXPECTED_CONFLICT]);
    proxy.upBytes = 0;
    proxy.rate = SLOW_RATE;
    await target.locator('#pick-files').setInputFiles(f.file);
    await waitFor('24 MiB through the proxy', () => proxy.upBytes >= 24 * MIB, 60_000);
    await target.close();
    proxy.rate = Infinity;
    const before = proxy.upBytes;

    target = await openReceive(ctx, viaProxy(), [EXPECTED_CONFLICT]);
    const item = row(target, f.name);
    await waitForRowState(target, item, 'interrupted', 10_000);
    await target.waitForFunction((element) => element.value > 0,
      await item.locator('progress').elementHandle(), { timeout: 10_000 });
    assert.match(await item.locator('.upload-status').textContent(),
      /^Interrupted at .* of 67\.1 MB · choose this file again to continue$/);
    await target.screenshot({ path: path.join(TEST_OUTPUT, 'receive-page-interrupted.png') });

    const patchesBefore = tus.filter((r) => r.method === 'PATCH').length;
    await target.locator('#pick-files').setInputFiles(f.file);
    await waitForRowState(target, item, 'done');
    assert.equal(await item.locator('.file-sha').textContent(), `SHA-256 ${f.sha256}`);

    const resumed = tus.filter((r) => r.method === 'PATCH').slice(patchesBefore);
    assert.ok(Number(resumed[0]?.offset) >= 16 * MIB,
      `the reopened page went on from ${resumed[0]?.offset}, not from the start`);
    assert.ok(proxy.upBytes - before < f.size, 'the second page sent less than the whole file');
  } finally {
    proxy.rate = Infinity;
    await ctx.close();
  }

  assert.equal(tus.filter((r) => r.method === 'POST').length, 1,
    `one upload created: ${JSON.stringify(tus)}`);
  assert.ok(proxy.upBytes < 2 * f.size, `${proxy.upBytes} bytes sent for ${f.size}`);
  assert.equal(await sha256File(path.join(inbox, f.name)), f.sha256, 'SHA-256 on disk');
  assert.deepEqual(await partFiles(), [], 'no .part file is left');
});

test('Cancel stops the upload and removes the partial file', async () => {
  const f = await fixture('cancelled.bin', randomBytes(64 * MIB));
  const ctx = await browser.newContext({ locale: 'en-US' });
  const tus = recordTus(ctx);
  try {
    const target = await openReceive(ctx, viaProxy());
    proxy.upBytes = 0;
    proxy.rate = SLOW_RATE;
    await target.locator('#pick-files').setInputFiles(f.file);
    await waitFor('16 MiB through the proxy', () => proxy.upBytes >= 16 * MIB, 60_000);
    const item = row(target, f.name);
    await item.getByRole('button', { name: `Cancel sending ${f.name}` }).click();
    await waitForRowState(target, item, 'cancelled', 5_000);
    await waitFor('the DELETE request', () => tus.some((r) => r.method === 'DELETE'));
  } finally {
    proxy.rate = Infinity;
    await ctx.close();
  }

  const [started] = app.started(f.name);
  assert.ok(started, `upload-started for ${f.name}`);
  const finished = await app.finishedOf(started.transfer, 10_000);
  assert.notEqual(finished.status, 'complete', 'a cancelled upload is not reported complete');
  await waitFor('the .part file to go', async () => (await partFiles()).length === 0);
  assert.ok(!(await listTree(inbox)).includes(f.name), 'no file of that name arrived');
});

// A second app for the tests that need other options; stopped by the caller.
async function startApp(name, options) {
  const dir = path.join(tmp, name);
  await mkdir(dir);
  const other = new HeadlessApp([
    '--data-dir', path.join(tmp, `${name}-data`), ...options, '--receive', dir,
  ], tmp);
  const share = await other.waitFor('"share" event of kind "receive"',
    (e) => e.event === 'share' && e.kind === 'receive');
  return { app: other, dir, url: new URL(share.url) };
}

test('explains a full disk and waits out a busy server', async () => {
  const busy = await fixture('busy.txt', Buffer.from('sent after a 429\n'));
  const full = await fixture('full.txt', Buffer.from('sent after a 507\n'));
  const ctx = await browser.newContext({ locale: 'en-US' });
  const tus = recordTus(ctx);
  try {
    const target = await openReceive(ctx, receiveUrl.href,
      [/status of 429 \(Too Many Requests\)/, /status of 507 \(Insufficient Storage\)/]);

    // The first creation is refused as too many requests; the page waits Retry-After and
    // tries again by itself.
    let refused = 0;
    await ctx.route('**/uploads/', (route) => {
      if (route.request().method() !== 'POST' || refused > 0)
        return route.continue();
      refused++;
      return route.fulfill({ status: 429, headers: { 'Retry-After': '1', 'Tus-Resumable': '1.0.0' } });
    });
    const started = Date.now();
    await target.locator('#pick-files').setInputFiles(busy.file);
    const busyRow = row(target, busy.name);
    await waitForRowState(target, busyRow, 'retrying', 5_000);
    assert.match(await busyRow.locator('.upload-status').textContent(),
      /^The receiving computer is busy · trying again in 1 s$/);
    await waitForRowState(target, busyRow, 'done', 10_000);
    assert.ok(Date.now() - started >= 1000, 'the page waited as Retry-After said');
    await ctx.unrouteAll();

    // A full disk stops the file with a message that says so, and "Try again" sends it later.
    await ctx.route('**/uploads/', (route) => route.request().method() === 'POST'
      ? route.fulfill({ status: 507, headers: { 'Tus-Resumable': '1.0.0' } })
      : route.continue());
    await target.locator('#pick-files').setInputFiles(full.file);
    const fullRow = row(target, full.name);
    await waitForRowState(target, fullRow, 'failed', 10_000);
    assert.equal(await fullRow.locator('.upload-status').textContent(),
      'Not enough free space on the receiving computer');
    await ctx.unrouteAll();
    await fullRow.getByRole('button', { name: `Try sending ${full.name} again` }).click();
    await waitForRowState(target, fullRow, 'done', 10_000);
  } finally {
    await ctx.close();
  }
  assert.equal(tus.filter((r) => r.method === 'POST').length, 4, JSON.stringify(tus));
  assert.equal(await sha256File(path.join(inbox, busy.name)), busy.sha256);
  assert.equal(await sha256File(path.join(inbox, full.name)), full.sha256);
});

test('refuses a file over the size limit and says the limit', async () => {
  const { app: limitedApp, dir: limited, url } = await startApp('limited',
    ['--max-upload-size', '1M']);
  const tooBig = await fixture('too big.bin', randomBytes(2 * MIB));
  try {

    // The page knows the limit from /api/files and does not even start the upload.
    const ctx = await browser.newContext({ locale: 'en-US' });
    const tus = recordTus(ctx);
    try {
      const target = await ctx.newPage();
      watch(target);
      await target.goto(url.href);
      await target.locator('#receive').waitFor({ state: 'visible' });
      assert.equal(await target.locator('#receive-limits').textContent(), 'Up to 1.0 MB per file');
      await target.locator('#pick-files').setInputFiles(tooBig.file);
      const item = row(target, tooBig.name);
      await waitForRowState(target, item, 'failed', 5_000);
      assert.equal(await item.locator('.upload-status').textContent(), 'Too large (max 1.0 MB)');
      assert.deepEqual(tus, [], 'nothing was sent');
    } finally {
      await ctx.close();
    }

    // A page that did not know the limit learns it from the server's 413.
    const blind = await browser.newContext({ locale: 'en-US' });
    const blindTus = recordTus(blind);
    try {
      await blind.route('**/api/files/*', async (route) => {
        const response = await route.fetch();
        const json = await response.json();
        await route.fulfill({ response, json: { ...json, max_size: null } });
      });
      const target = await blind.newPage();
      watch(target, [/status of 413 \(Payload Too Large\)|status of 413 \(Request Entity Too Large\)/]);
      await target.goto(url.href);
      await target.locator('#receive').waitFor({ state: 'visible' });
      await target.locator('#pick-files').setInputFiles(tooBig.file);
      const item = row(target, tooBig.name);
      await waitForRowState(target, item, 'failed', 10_000);
      assert.equal(await item.locator('.upload-status').textContent(), 'Too large (max 1.0 MB)');
      assert.equal(blindTus.filter((r) => r.method === 'POST').length, 1, JSON.stringify(blindTus));
    } finally {
      await blind.close();
    }
    assert.deepEqual(await listTree(limited), [], 'nothing arrived');
  } finally {
    await limitedApp.stop('SIGTERM');
  }
});

test('unlocks a password-protected receive link', async () => {
  const locked = await startApp('locked', ['--password', 'correct horse']);
  const f = await fixture('after unlock.txt', Buffer.from('sent past the password\n'));
  const ctx = await browser.newContext({ locale: 'en-US' });
  try {
    const api = await fetch(new URL(`/api/files${locked.url.pathname.slice(2)}`, locked.url));
    assert.equal(api.status, 401, 'GET /api/files without the cookie');

    const target = await ctx.newPage();
    watch(target, [/status of 401 \(Unauthorized\)/]);
    const first = await target.goto(locked.url.href);
    assert.equal(first.status(), 401, `GET ${locked.url.pathname} before unlocking`);
    assert.equal(await target.locator('h1').textContent(), 'Password needed');
    assert.equal(await target.locator('#unlock-form').evaluate((form) => form.action),
      `${locked.url.href}/unlock`);
    assert.ok(await target.locator('#unlock-error').isHidden(), 'no message before a try');

    await target.locator('#password').fill('wrong horse');
    await Promise.all([target.waitForNavigation(), target.locator('#unlock-submit').click()]);
    assert.equal(await target.locator('h1').textContent(), 'Password needed');
    assert.equal(await target.locator('#unlock-error').textContent(),
      'That password is not right. Try again.');
    assert.equal(new URL(target.url()).search, '', 'the address keeps no ?wrong=1');

    await target.locator('#password').fill('correct horse');
    await Promise.all([target.waitForNavigation(), target.locator('#unlock-submit').click()]);
    await target.locator('#receive').waitFor({ state: 'visible' });
    assert.equal(target.url(), locked.url.href, 'back on the receive page');
    await target.locator('#pick-files').setInputFiles(f.file);
    await waitForRowState(target, row(target, f.name), 'done', 30_000);
  } finally {
    await ctx.close();
    await locked.app.stop('SIGTERM');
  }
  assert.equal(await sha256File(path.join(locked.dir, f.name)), f.sha256);
});

test('tells an open page when the link expires, then answers 410', async () => {
  const expiring = await startApp('expiring', ['--expires', '3s']);
  const ctx = await browser.newContext({ locale: 'en-US' });
  try {
    const target = await openReceive(ctx, expiring.url.href, [/status of 410 \(Gone\)/]);
    assert.match(await target.locator('#receive-limits').textContent(), /^Open until /);
    // Nothing is being sent: only the live notice over /ws can tell the page.
    await target.locator('#receive-closed').waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await target.locator('#receive-closed').textContent(),
      'This link has expired. Files already sent are saved on the receiving computer.');
    assert.ok(await target.locator('#pick-files').isDisabled(), 'no more files can be chosen');

    const gone = await target.goto(expiring.url.href);
    assert.equal(gone.status(), 410, `GET ${expiring.url.pathname} after expiry`);
    assert.equal(await target.locator('h1').textContent(), 'This share has expired');
    await target.screenshot({ path: path.join(TEST_OUTPUT, 'gone-page.png') });
  } finally {
    await ctx.close();
    await expiring.app.stop('SIGTERM');
  }
});

test('loads without script, style or console errors', () => {
  assert.deepEqual(pageProblems, []);
});

// Each look gets a fresh context with three files sent, so the rows show the finished state.
// A phone is shot through a viewport as tall as the page rather than with fullPage, which
// drops the touch emulation for the shot and so shows the page a desktop would get.
async function sendAndShoot(options, file) {
  const shot = await browser.newContext({ locale: 'en-US', ...options });
  try {
    const target = await shot.newPage();
    await target.goto(receiveUrl.href);
    await target.locator('#receive').waitFor({ state: 'visible' });
    await target.locator('#pick-files').setInputFiles(
      [files.text.file, files.unicode.file, files.big.file]);
    for (const f of [files.text, files.unicode, files.big])
      await waitForRowState(target, row(target, f.name), 'done');
    // Past the hover and colour transitions of the rows that just finished.
    await target.mouse.move(0, 0);
    await target.waitForTimeout(300);
    if (options.isMobile) {
      const height = await target.evaluate(() => document.documentElement.scrollHeight);
      await target.setViewportSize({ ...options.viewport, height: Math.max(options.viewport.height,
        height) });
      await target.screenshot({ path: path.join(TEST_OUTPUT, file) });
    } else {
      await target.screenshot({ path: path.join(TEST_OUTPUT, file), fullPage: true });
    }
    return target;
  } catch (error) {
    await shot.close();
    throw error;
  }
}

test('renders for desktop, dark mode and a phone', async () => {
  for (const [file, colorScheme] of [['receive-page.png', 'light'],
    ['receive-page-dark.png', 'dark']]) {
    const target = await sendAndShoot({ colorScheme, viewport: { width: 1280, height: 800 } },
      file);
    await target.context().close();
  }

  const phone = await sendAndShoot({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  }, 'receive-page-phone.png');
  try {
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    assert.equal(await phone.locator('.drop-title').innerText(), 'Choose what to send',
      'a touch screen is not asked to drop files');
    for (const target of await phone.locator('label.file-picker:visible').all()) {
      const box = await target.boundingBox();
      assert.ok(box.width >= 44 && box.height >= 44,
        `tap target "${(await target.textContent()).trim()}" is ${box.width}x${box.height}px`);
    }
  } finally {
    await phone.context().close();
  }
});

// Issue 14: the page's words come from the server, and a browser without scripts (or without
// modules) gets a plain form that sends files, instead of "Loading…" forever.
test('without scripts the receive page sends files with a plain form', async () => {
  const data = randomBytes(3 * MIB + 17);
  const dir = await mkdtemp(path.join(tmp, 'plain-'));
  const chosen = path.join(dir, 'plain form.bin');
  await writeFile(chosen, data);
  for (const [file, colorScheme] of [['receive-page-noscript-phone.png', 'light'],
    ['receive-page-noscript-phone-dark.png', 'dark']]) {
    const plain = await browser.newContext({ locale: 'en-US', colorScheme,
      javaScriptEnabled: false, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
      isMobile: true, hasTouch: true });
    try {
      const target = await plain.newPage();
      const response = await target.goto(receiveUrl.href);
      assert.equal(response.status(), 200);
      assert.equal(await target.title(), 'Send files – ShareSync');
      assert.ok(!(await target.locator('#state-loading').isVisible()), 'no endless "Loading…"');
      assert.ok(await target.locator('#plain-upload').isVisible(), 'the plain form is shown');
      await target.screenshot({ path: path.join(TEST_OUTPUT, file), fullPage: true });
      if (colorScheme === 'dark')
        continue;

      await target.locator('#plain-files').setInputFiles(chosen);
      const [sent] = await Promise.all([target.waitForNavigation(),
        target.locator('#plain-upload button[type="submit"]').click()]);
      assert.equal(sent.status(), 200);
      assert.equal(await target.locator('h1').textContent(), 'Sent');
      assert.match(await target.locator('.form-sent').textContent(),
        /plain form( \(\d+\))?\.bin · 3\.1 MB/);
      await target.screenshot({ path: path.join(TEST_OUTPUT, 'receive-form-sent-phone.png'),
        fullPage: true });
    } finally {
      await plain.close();
    }
  }
  const names = await listTree(inbox);
  const saved = names.find((name) => /^plain form( \(\d+\))?\.bin$/.test(name));
  assert.ok(saved, `the file arrived: ${names.join(', ')}`);
  assert.equal(await sha256File(path.join(inbox, saved)), sha256(data), 'the same bytes');
  assert.ok(!names.some((name) => name.includes('sharesync-form')), 'no spool is left');

  // With scripts the page is the usual one, its words from the server.
  const html = await (await context.request.get(receiveUrl.href)).text();
  assert.match(html, /<h1 class="share-name">Send files<\/h1>/);
  assert.match(html, /id="receive-to" class="share-summary">To “[^”]+”</);
  assert.doesNotMatch(html, /\{\{/, 'every slot of the template is filled');
});

test('a hostile form gets a clear 4xx and leaves nothing behind', async () => {
  const post = (headers, body) => context.request.fetch(receiveUrl.href,
    { method: 'POST', headers, data: body });
  const form = (boundary, header, content) => Buffer.from(`--${boundary}\r\n${header}\r\n\r\n` +
    `${content}\r\n--${boundary}--\r\n`);
  const cases = [
    ['no boundary', { 'Content-Type': 'multipart/form-data' }, Buffer.from('hello'), 400,
      /not complete or not readable/],
    ['a huge part header', { 'Content-Type': 'multipart/form-data; boundary=b0' },
      form('b0', `Content-Disposition: form-data; name="files"; filename="h.txt"\r\n` +
        `X-Junk: ${'a'.repeat(20_000)}`, 'hello'), 400, /headers that are too long/],
    ['the name ../x', { 'Content-Type': 'multipart/form-data; boundary=b1' },
      form('b1', 'Content-Disposition: form-data; name="files"; filename="../x"', 'hello'), 400,
      /not a plain file name/],
    ['a cut-off form', { 'Content-Type': 'multipart/form-data; boundary=b2' },
      Buffer.from('--b2\r\nContent-Disposition: form-data; name="files"; filename="c.txt"' +
        '\r\n\r\nhel'), 400, /not complete or not readable/],
  ];
  const before = await listTree(inbox);
  for (const [what, headers, body, status, text] of cases) {
    const response = await post(headers, body);
    assert.equal(response.status(), status, what);
    assert.match(response.headers()['content-type'] ?? '', /^text\/html/, what);
    assert.match(await response.text(), text, what);
  }
  assert.deepEqual(await listTree(inbox), before, 'nothing was written');
});

test('answers an unknown receive link with 404 and the error page', async () => {
  const response = await page.goto(new URL('/r/not-a-token', baseUrl).href);
  assert.equal(response.status(), 404);
  assert.equal(await page.locator('h1').textContent(), 'This link does not work');

  const upload = await context.request.fetch(new URL('/r/not-a-token/uploads/', baseUrl).href, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '5' },
  });
  assert.equal(upload.status(), 404, 'POST to the uploads of an unknown token');
});

test('stops cleanly on SIGTERM', async () => {
  const exit = await app.stop('SIGTERM');
  assert.notEqual(exit, null, `no exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM`);
  assert.deepEqual(exit, { code: 0, signal: null }, app.describe());
  assert.deepEqual(app.badLines, [], 'every stdout line is a JSON object');
});
