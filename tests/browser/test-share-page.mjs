// Browser test of the share page: the real app in headless mode on loopback, and Debian's
// Chromium driven by playwright-core, doing what a person on the LAN does: open the link, see
// the files, download each one and the zip, and hit a dead link.
//
// Run by meson (suite "browser") as: node --test --test-reporter=tap test-share-page.mjs, with
// SSYNC_BIN (the built sharesync) and SSYNC_TEST_OUTPUT (where screenshots go) in the
// environment. A missing Chromium or playwright-core fails the test: it never skips.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import {
  EXIT_TIMEOUT_MS, HeadlessApp, MIB, TEST_OUTPUT, cleanUp, launchChromium, makeTempDir,
  requireSharesync, sha256, sha256File, watchPage,
} from '../common/app.mjs';

const execFileAsync = promisify(execFile);

// What is shared: one file and two folders, with spaces and non-ASCII names on purpose. The
// keys are the paths a person sees in the list and in the zip; sizes are what the page shows.
const FIXTURE = [
  { path: 'hello world.txt', data: Buffer.from('Hello, world!\n'), shown: '14 bytes' },
  { path: 'Grüße/naïve café.bin', data: randomBytes(1 * MIB), shown: '1.0 MB' },
  { path: 'photos/sub/big.bin', data: randomBytes(8 * MIB), shown: '8.4 MB' },
];
const SHARED_ARGS = ['hello world.txt', 'Grüße', 'photos'];
const TOTAL_SHOWN = '9.4 MB';

// Python's zipfile is the independent reader: it checks every CRC and reads every member.
const ZIP_CHECK = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    names = [i.filename for i in z.infolist() if not i.is_dir()]
    sums = {}
    for name in names:
        h = hashlib.sha256()
        with z.open(name) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        sums[name] = h.hexdigest()
print(json.dumps({"testzip": bad, "names": names, "sha256": sums}))
`;

const expected = new Map(FIXTURE.map((f) => [f.path, { ...f, sha256: sha256(f.data) }]));

let tmp;
let app;
let browser;
let context;
let page;
let baseUrl;
let shareUrl;
let apiShare;
const pageProblems = [];

before(async () => {
  // The tools first, so a missing one says so instead of failing somewhere later.
  browser = await launchChromium();
  await requireSharesync();

  tmp = await makeTempDir('ssync-browser-');
  const src = path.join(tmp, 'src');
  for (const file of FIXTURE) {
    const target = path.join(src, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.data);
  }
  await mkdir(path.join(tmp, 'downloads'));
  await mkdir(TEST_OUTPUT, { recursive: true });

  app = new HeadlessApp([
    '--data-dir', path.join(tmp, 'data'),
    ...SHARED_ARGS.map((name) => path.join(src, name)),
  ], tmp);
  const listening = await app.waitForEvent('listening');
  const share = await app.waitForEvent('share');
  baseUrl = new URL(listening.url);
  assert.equal(baseUrl.hostname, '127.0.0.1', `listening url: ${listening.url}`);
  shareUrl = new URL(share.url);
  assert.equal(shareUrl.origin, baseUrl.origin, 'the share is on the listening server');
  assert.match(shareUrl.pathname, /^\/s\/[^/]+$/, `share url: ${share.url}`);

  context = await browser.newContext({ acceptDownloads: true, locale: 'en-US' });
  page = await context.newPage();
  watchPage(page, pageProblems);
});

after(() => cleanUp({ app, tmp, closing: [browser] }));

test('shows the share name, every file and its size', async () => {
  const shareResponse = await page.goto(shareUrl.href);
  assert.equal(shareResponse.status(), 200);
  assert.match(shareResponse.headers()['content-type'] ?? '', /^text\/html/);
  const csp = shareResponse.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'/, `Content-Security-Policy: ${csp || '(missing)'}`);

  const api = await context.request.get(new URL(`/api/files/${shareUrl.pathname.slice(3)}`,
    baseUrl).href);
  assert.equal(api.status(), 200, `GET /api/files: ${api.status()}`);
  apiShare = await api.json();
  assert.deepEqual(apiShare.files.map((f) => f.path).sort(), [...expected.keys()].sort(),
    'paths in /api/files');

  await page.locator('#share').waitFor({ state: 'visible' });
  assert.ok(apiShare.name.length > 0, 'the share has a name');
  assert.equal(await page.locator('#share-name').textContent(), apiShare.name);
  assert.equal(await page.title(), `${apiShare.name} – ShareSync`);
  assert.equal(await page.locator('#share-summary').textContent(), `3 files · ${TOTAL_SHOWN}`);

  const items = page.locator('#file-list > li');
  assert.equal(await items.count(), expected.size);
  for (const file of apiShare.files) {
    const want = expected.get(file.path);
    const item = page.locator(`#file-list > li[data-file-id="${file.id}"]`);
    assert.equal(await item.locator('.file-path').textContent(), want.path);
    assert.equal(await item.locator('.file-size').textContent(), want.shown, want.path);
    assert.equal(await item.locator('a.download').getAttribute('href'), file.url);
  }

  const zip = page.locator('#download-zip');
  assert.ok(await zip.isVisible(), '"Download all (zip)" is shown');
  assert.equal(await zip.getAttribute('href'), apiShare.zip_url);
  assert.match((await zip.textContent()).trim(), /^Download all \(zip\)$/);
});

test('downloads every file with the same bytes', async () => {
  for (const file of apiShare.files) {
    const want = expected.get(file.path);
    const link = page.locator(`#file-list > li[data-file-id="${file.id}"] a.download`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(await download.failure(), null, `download of ${want.path}`);
    assert.equal(download.suggestedFilename(), path.posix.basename(want.path));
    const saved = path.join(tmp, 'downloads', `file-${file.id}`);
    await download.saveAs(saved);
    assert.equal(await sha256File(saved), want.sha256, `SHA-256 of ${want.path}`);
  }
});

test('downloads all files as one valid zip', async () => {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#download-zip').click(),
  ]);
  assert.equal(await download.failure(), null);
  assert.match(download.suggestedFilename(), /\.zip$/);
  const saved = path.join(tmp, 'downloads', 'all.zip');
  await download.saveAs(saved);

  const { stdout } = await execFileAsync('python3', ['-c', ZIP_CHECK, saved]);
  const zip = JSON.parse(stdout);
  assert.equal(zip.testzip, null, 'every member passes its CRC check');
  assert.deepEqual([...zip.names].sort(), [...expected.keys()].sort(), 'zip member names');
  for (const [name, want] of expected)
    assert.equal(zip.sha256[name], want.sha256, `SHA-256 of ${name} in the zip`);
});

test('loads without script, style or console errors', () => {
  assert.deepEqual(pageProblems, []);
});

// Each look gets a fresh context, so no hover or colour transition from earlier clicks shows.
async function openShare(options) {
  const shot = await browser.newContext({ locale: 'en-US', ...options });
  const shotPage = await shot.newPage();
  await shotPage.goto(shareUrl.href);
  await shotPage.locator('#share').waitFor({ state: 'visible' });
  return { shot, shotPage };
}

test('renders for desktop, dark mode and a phone', async () => {
  const looks = [['share-page.png', 'light'], ['share-page-dark.png', 'dark']];
  for (const [file, colorScheme] of looks) {
    const { shot, shotPage } = await openShare({
      colorScheme,
      viewport: { width: 1280, height: 800 },
    });
    try {
      await shotPage.screenshot({ path: path.join(TEST_OUTPUT, file), fullPage: true });
    } finally {
      await shot.close();
    }
  }

  const { shot: phone, shotPage: phonePage } = await openShare({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  try {
    await phonePage.screenshot({ path: path.join(TEST_OUTPUT, 'share-page-phone.png'),
      fullPage: true });

    const overflow = await phonePage.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    for (const target of await phonePage.locator('a.download, #download-zip').all()) {
      const box = await target.boundingBox();
      assert.ok(box.width >= 44 && box.height >= 44,
        `tap target ${await target.getAttribute('href')} is ${box.width}x${box.height}px`);
    }
  } finally {
    await phone.close();
  }
});

test('answers an unknown link with 404 and the error page', async () => {
  const response = await page.goto(new URL('/s/not-a-token', baseUrl).href);
  assert.equal(response.status(), 404);
  assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
  assert.equal(await page.locator('h1').textContent(), 'This link does not work');

  // The same body for any unknown path, so a 404 does not tell whether a token ever existed.
  const body = await response.text();
  for (const unknown of ['/s/00000000000000000000000000000000', '/no/such/page']) {
    const other = await context.request.get(new URL(unknown, baseUrl).href);
    assert.equal(other.status(), 404, `GET ${unknown}`);
    assert.equal(await other.text(), body, `body of GET ${unknown}`);
  }

  // The page tells a dead link from a network failure by this status.
  const api = await context.request.get(new URL('/api/files/not-a-token', baseUrl).href);
  assert.equal(api.status(), 404, 'GET /api/files/not-a-token');
});

/* Issue 14: the page without scripts, every control named, the ended state, error pages */

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
  hasTouch: true };
const others = [];

// Another app on its own files, for a share with a limit, an expiry or a password.
async function startApp(args, files) {
  const dir = await makeTempDir('ssync-browser-more-');
  const src = path.join(dir, 'src');
  await mkdir(src, { recursive: true });
  for (const [name, data] of files)
    await writeFile(path.join(src, name), data);
  const other = new HeadlessApp(['--data-dir', path.join(dir, 'data'), ...args,
    ...(files.length > 50 ? [src] : files.map(([name]) => path.join(src, name)))], dir);
  others.push({ app: other, tmp: dir });
  await other.waitForEvent('listening');
  const share = await other.waitForEvent('share');
  return { app: other, url: new URL(share.url), dir };
}

after(async () => {
  for (const other of others)
    await cleanUp(other);
});

async function shoot(target, file) {
  await target.screenshot({ path: path.join(TEST_OUTPUT, file), fullPage: true });
}

async function sidewaysOverflow(target) {
  return target.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('without scripts the page lists, links and downloads every file', async () => {
  for (const [file, options] of [['share-page-noscript-phone.png', PHONE],
    ['share-page-noscript.png', { viewport: { width: 1280, height: 800 } }]]) {
    const plain = await browser.newContext({ locale: 'en-US', javaScriptEnabled: false,
      acceptDownloads: true, ...options });
    try {
      const plainPage = await plain.newPage();
      const response = await plainPage.goto(shareUrl.href);
      assert.equal(response.status(), 200);
      assert.equal(await plainPage.locator('#share-name').textContent(), apiShare.name);
      assert.equal(await plainPage.locator('#share-summary').textContent(),
        `3 files · ${TOTAL_SHOWN}`);
      for (const api of apiShare.files) {
        const want = expected.get(api.path);
        const item = plainPage.locator(`#file-list > li[data-file-id="${api.id}"]`);
        assert.equal(await item.locator('.file-path').textContent(), want.path);
        assert.equal(await item.locator('.file-size').textContent(), want.shown, want.path);
        assert.equal(await item.locator('a.download').getAttribute('href'), api.url);
        assert.equal(await item.locator('.file-sha').textContent(), `SHA-256 ${want.sha256}`);
      }
      assert.equal(await plainPage.locator('#download-zip').getAttribute('href'),
        apiShare.zip_url);
      assert.ok(await plainPage.locator('#download-zip').isVisible());

      const first = apiShare.files.find((f) => f.path === 'hello world.txt');
      const [download] = await Promise.all([plainPage.waitForEvent('download'),
        plainPage.locator(`li[data-file-id="${first.id}"] a.download`).click()]);
      const saved = path.join(tmp, 'downloads', `noscript-${file}`);
      await download.saveAs(saved);
      assert.equal(await sha256File(saved), expected.get(first.path).sha256);
      assert.ok(await sidewaysOverflow(plainPage) <= 0, 'no sideways scrolling');
      await shoot(plainPage, file);
    } finally {
      await plain.close();
    }
  }
});

test('curl sees every link, size and checksum in the HTML', async () => {
  const { stdout: html } = await execFileAsync('curl', ['-sS', '--fail', shareUrl.href]);
  assert.ok(html.includes(`href="${apiShare.zip_url}"`), 'the zip link');
  for (const file of apiShare.files) {
    const want = expected.get(file.path);
    assert.ok(html.includes(`href="${file.url}"`), `the link of ${file.path}`);
    assert.ok(html.includes(`SHA-256 ${want.sha256}`), `the SHA-256 of ${file.path}`);
    assert.ok(html.includes(`>${want.shown}<`), `the size of ${file.path}`);
  }
  assert.doesNotMatch(html, /Loading files/);
});

test('a share of 1,001 files is sent 500 rows at a time', async () => {
  const files = Array.from({ length: 1001 }, (_, i) => [`f${String(i).padStart(4, '0')}.txt`,
    `${i}\n`]);
  const { url } = await startApp([], files);
  const rows = (html) => (html.match(/<li class="file" /g) ?? []).length;
  const { stdout: first } = await execFileAsync('curl', ['-sS', '--fail', url.href],
    { maxBuffer: 64 * MIB });
  assert.equal(rows(first), 500);
  assert.match(first, /Files 1–500 of 1001/);
  assert.match(first, /rel="next" href="\?page=2"/);
  const { stdout: last } = await execFileAsync('curl', ['-sS', '--fail', `${url.href}?page=3`],
    { maxBuffer: 64 * MIB });
  assert.equal(rows(last), 1);
  assert.match(last, /rel="prev" href="\?page=2"/);
  assert.doesNotMatch(last, /rel="next"/);
});

test('every control shows a label or an icon and has a name from 320 px up', async () => {
  for (const width of [320, 390]) {
    const narrow = await browser.newContext({ locale: 'en-US', ...PHONE,
      viewport: { width, height: 760 } });
    try {
      const narrowPage = await narrow.newPage();
      await narrowPage.goto(shareUrl.href);
      await narrowPage.locator('.file .direct').first().waitFor({ state: 'visible' });
      const controls = await narrowPage.locator(
        '#share a.download, #share button.direct, #download-zip').all();
      assert.equal(controls.length, 2 * expected.size + 1);
      for (const control of controls) {
        const look = await control.evaluate((node) => {
          const shown = (child) => {
            const box = child.getBoundingClientRect();
            const style = getComputedStyle(child);
            return box.width >= 8 && box.height >= 8 && style.visibility !== 'hidden' &&
              style.backgroundColor !== 'rgba(0, 0, 0, 0)';
          };
          const label = [...node.querySelectorAll('span:not(.button-icon)')]
            .some((span) => span.getBoundingClientRect().width > 4 && span.textContent.trim());
          const icon = [...node.querySelectorAll('.button-icon')].some(shown);
          const box = node.getBoundingClientRect();
          return { name: node.getAttribute('aria-label') ?? node.textContent.trim(), label, icon,
            width: box.width, height: box.height, cls: node.className };
        });
        assert.ok(look.name.length > 0, `${look.cls} has an accessible name`);
        assert.ok(look.label || look.icon,
          `${look.cls} "${look.name}" shows a label or an icon at ${width} px`);
        assert.ok(look.width >= 44 && look.height >= 44,
          `${look.cls} is ${look.width}x${look.height} at ${width} px`);
      }
      assert.ok(await sidewaysOverflow(narrowPage) <= 0, `no sideways scrolling at ${width} px`);
      await shoot(narrowPage, `share-page-${width}.png`);
    } finally {
      await narrow.close();
    }
  }
});

test('an open page turns into the ended state when its share expires', async () => {
  const { url } = await startApp(['--expires', '6s'], [['note.txt', 'a note\n']]);
  // Both looks are open before the share ends, and both see it end.
  const looks = [];
  for (const [file, colorScheme, options] of [['share-ended-expired-phone.png', 'light', PHONE],
    ['share-ended-expired-phone-dark.png', 'dark', PHONE],
    ['share-ended-expired-dark.png', 'dark', { viewport: { width: 1280, height: 800 } }]]) {
    const phone = await browser.newContext({ locale: 'en-US', colorScheme, ...options });
    const phonePage = await phone.newPage();
    looks.push({ file, phone, phonePage });
    await phonePage.goto(url.href);
    assert.ok(await phonePage.locator('#share-expiry').isVisible(), 'the expiry is shown');
    assert.ok(!(await phonePage.locator('#share-ended').isVisible()), 'not ended yet');
  }
  try {
    for (const { file, phonePage } of looks) {
      await phonePage.locator('#share-ended').waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await phonePage.locator('#share-ended-title').textContent(),
        'This share has expired');
      assert.equal(await phonePage.locator('a.download').first().getAttribute('href'), null,
        'the download link is gone');
      assert.ok(!(await phonePage.locator('#share-expiry').isVisible()),
        '"Available until" is gone');
      await shoot(phonePage, file);
    }
  } finally {
    for (const { phone } of looks)
      await phone.close();
  }

  // The link itself now answers 410, naming the reason.
  const gone = await browser.newContext({ locale: 'en-US', ...PHONE });
  try {
    const gonePage = await gone.newPage();
    const response = await gonePage.goto(url.href);
    assert.equal(response.status(), 410);
    assert.equal(response.headers()['x-sharesync-ended'], 'expired');
    assert.equal(await gonePage.locator('h1').textContent(), 'This share has expired');
    await shoot(gonePage, 'share-gone-expired-phone.png');
  } finally {
    await gone.close();
  }
});

test('the page says at once that the download limit was reached', async () => {
  const { url } = await startApp(['--max-downloads', '1'], [['once.txt', 'only once\n']]);
  const phone = await browser.newContext({ locale: 'en-US', acceptDownloads: true, ...PHONE });
  try {
    const phonePage = await phone.newPage();
    await phonePage.goto(url.href);
    const [download] = await Promise.all([phonePage.waitForEvent('download'),
      phonePage.locator('a.download').first().click()]);
    assert.equal(await download.failure(), null);
    await phonePage.locator('#share-ended').waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await phonePage.locator('#share-ended-title').textContent(),
      'This share reached its download limit');
    await shoot(phonePage, 'share-ended-limit-phone.png');

    const response = await phonePage.goto(url.href);
    assert.equal(response.status(), 410);
    assert.equal(await phonePage.locator('h1').textContent(),
      'This share reached its download limit');
    assert.match(await phonePage.locator('main').textContent(), /downloaded as many times/);
    await shoot(phonePage, 'share-gone-limit-phone.png');
  } finally {
    await phone.close();
  }
});

test('too many wrong passwords end on a styled page with the wait and a way back', async () => {
  const { url } = await startApp(['--password', 'right horse'], [['secret.txt', 'psst\n']]);
  const looks = [['error-429-phone.png', 'light', PHONE],
    ['error-429-phone-dark.png', 'dark', PHONE],
    ['error-429.png', 'light', { viewport: { width: 1280, height: 800 } }]];
  for (const [file, colorScheme, options] of looks) {
    const phone = await browser.newContext({ locale: 'en-US', colorScheme,
      javaScriptEnabled: file === 'error-429.png', ...options });
    try {
      const phonePage = await phone.newPage();
      let response = await phonePage.goto(url.href);
      assert.equal(response.status(), 401);
      for (let i = 0; i < 8 && response.status() !== 429; i++) {
        await phonePage.locator('#password').fill(`wrong ${i}`);
        [response] = await Promise.all([
          phonePage.waitForNavigation(),
          phonePage.locator('#unlock-submit').click(),
        ]);
        if (response.status() === 401 && file !== 'error-429.png')
          assert.equal(await phonePage.locator('#unlock-error').textContent(),
            'That password is not right. Try again.');
      }
      assert.equal(response.status(), 429);
      assert.equal(await phonePage.locator('h1').textContent(), 'Too many wrong passwords');
      assert.match(await phonePage.locator('.status-retry').textContent(),
        /^Try again in \d+ seconds?\.$/);
      assert.equal(await phonePage.locator('a.status-action').getAttribute('href'), url.pathname);
      assert.equal(await phonePage.locator('.status').evaluate((n) => getComputedStyle(n).display),
        'flex', 'the page is styled');
      assert.ok(await sidewaysOverflow(phonePage) <= 0, 'no sideways scrolling');
      await shoot(phonePage, file);
    } finally {
      await phone.close();
    }
  }
});

test('a dead link is a styled page at phone width', async () => {
  for (const [file, colorScheme, options] of [['error-404-phone.png', 'light', PHONE],
    ['error-404-phone-dark.png', 'dark', PHONE],
    ['error-404.png', 'light', { viewport: { width: 1280, height: 800 } }]]) {
    const phone = await browser.newContext({ locale: 'en-US', colorScheme, ...options });
    try {
      const phonePage = await phone.newPage();
      const response = await phonePage.goto(new URL('/s/not-a-token', baseUrl).href);
      assert.equal(response.status(), 404);
      assert.equal(await phonePage.locator('.status').evaluate((n) => getComputedStyle(n).display),
        'flex');
      assert.match(await phonePage.locator('main').textContent(), /for a new link/);
      assert.ok(await sidewaysOverflow(phonePage) <= 0);
      await shoot(phonePage, file);
    } finally {
      await phone.close();
    }
  }
});

test('stops cleanly on SIGTERM', async () => {
  const exit = await app.stop('SIGTERM');
  assert.notEqual(exit, null, `no exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM`);
  assert.deepEqual(exit, { code: 0, signal: null }, app.describe());
  assert.deepEqual(app.badLines, [], 'every stdout line is a JSON object');
});
