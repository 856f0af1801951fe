// Browser test of the share page: the real app in headless mode on loopback, and Debian's
// Chromium driven by playwright-core, doing what a person on the LAN does: open the link, see
// the files, download each one and the zip, and hit a dead link.
//
// Run by meson (suite "browser") as: node --test --test-reporter=tap test-share-page.mjs, with
// SSYNC_BIN (the built sharesync) and SSYNC_TEST_OUTPUT (where screenshots go) in the
// environment. A missing Chromium or playwright-core fails the test: it never skips.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const SOURCE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STARTUP_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 15_000;
const MIB = 1024 * 1024;

// What is shared: one file and two folders, with spaces and non-ASCII names on purpose. The
// keys are the paths a person sees in the list and in the zip; sizes are what the page shows.
const FIXTURE = [
  { path: 'hello world.txt', data: Buffer.from('Hello, world!\n'), shown: '14 bytes' },
  { path: 'Grüße/naïve café.bin', data: randomBytes(1 * MIB), shown: '1.0 MB' },
  { path: 'photos/sub/big.bin', data: randomBytes(8 * MIB), shown: '8.4 MB' },
];
const SHARED_ARGS = ['hello world.txt', 'Grüße', 'photos'];
const TOTAL_SHOWN = '9.4 MB';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file))
    hash.update(chunk);
  return hash.digest('hex');
}

async function requireExecutable(file, what) {
  try {
    await access(file, fsConstants.X_OK);
  } catch {
    throw new Error(`${what} not found or not executable at ${file}`);
  }
}

async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (error) {
    throw new Error('playwright-core is not installed: run "npm ci" in tests/ ' +
      `(it is looked up from ${path.join(SOURCE_ROOT, 'tests')}): ${error.message}`);
  }
}

// The app in headless mode. It prints one JSON object per line on stdout; every line is kept so
// the test can wait for an event and check the protocol at the end.
class HeadlessApp {
  constructor(bin, args, cwd) {
    this.events = [];
    this.badLines = [];
    this.stderr = '';
    this.exit = null;
    this.waiters = new Set();

    this.child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        for (const waiter of this.waiters)
          waiter();
        resolve(this.exit);
      });
    });
    this.child.on('error', (error) => {
      this.stderr += `spawn failed: ${error.message}\n`;
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text) => {
      this.stderr = (this.stderr + text).slice(-8000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line));
      } catch {
        this.badLines.push(line);
      }
      for (const waiter of this.waiters)
        waiter();
    });
  }

  describe() {
    const status = this.exit === null
      ? 'still running'
      : `exited with code ${this.exit.code} signal ${this.exit.signal}`;
    return `sharesync ${status}; stdout events: ${JSON.stringify(this.events)}; ` +
      `non-JSON stdout: ${JSON.stringify(this.badLines)}; stderr: ${this.stderr || '(empty)'}`;
  }

  waitForEvent(name, timeoutMs = STARTUP_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const event = this.events.find((e) => e !== null && e.event === name);
        if (event !== undefined) {
          done();
          resolve(event);
        } else if (this.exit !== null) {
          done();
          reject(new Error(`no "${name}" event: ${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no "${name}" event within ${timeoutMs} ms: ${this.describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async stop(signal, timeoutMs = EXIT_TIMEOUT_MS) {
    if (this.exit === null)
      this.child.kill(signal);
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    return result;
  }
}

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
const outputDir = process.env.SSYNC_TEST_OUTPUT ?? path.join(SOURCE_ROOT, 'tests', 'output');
const bin = process.env.SSYNC_BIN ?? path.join(SOURCE_ROOT, '_build', 'src', 'sharesync');

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
  // Check the tools first, so a missing one says so instead of failing somewhere later.
  await requireExecutable(CHROMIUM, 'Chromium (Debian package "chromium")');
  const { chromium } = await loadPlaywright();
  await requireExecutable(bin, 'sharesync (SSYNC_BIN; build it with meson first)');

  tmp = await mkdtemp(path.join(tmpdir(), 'ssync-browser-'));
  const src = path.join(tmp, 'src');
  for (const file of FIXTURE) {
    const target = path.join(src, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.data);
  }
  await mkdir(path.join(tmp, 'downloads'));
  await mkdir(outputDir, { recursive: true });

  app = new HeadlessApp(bin, [
    '--headless', '--port', '0', '--bind', '127.0.0.1', '--data-dir', path.join(tmp, 'data'),
    ...SHARED_ARGS.map((name) => path.join(src, name)),
  ], tmp);
  const listening = await app.waitForEvent('listening');
  const share = await app.waitForEvent('share');
  baseUrl = new URL(listening.url);
  assert.equal(baseUrl.hostname, '127.0.0.1', `listening url: ${listening.url}`);
  shareUrl = new URL(share.url);
  assert.equal(shareUrl.origin, baseUrl.origin, 'the share is on the listening server');
  assert.match(shareUrl.pathname, /^\/s\/[^/]+$/, `share url: ${share.url}`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  context = await browser.newContext({ acceptDownloads: true, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      pageProblems.push(`console ${message.type()}: ${message.text()}`);
  });
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    if (app !== undefined && app.exit === null)
      await app.stop('SIGKILL');
    if (tmp !== undefined)
      await rm(tmp, { recursive: true, force: true });
  }
});

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
      await shotPage.screenshot({ path: path.join(outputDir, file), fullPage: true });
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
    await phonePage.screenshot({ path: path.join(outputDir, 'share-page-phone.png'),
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

test('stops cleanly on SIGTERM', async () => {
  const exit = await app.stop('SIGTERM');
  assert.notEqual(exit, null, `no exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM`);
  assert.deepEqual(exit, { code: 0, signal: null }, app.describe());
  assert.deepEqual(app.badLines, [], 'every stdout line is a JSON object');
});
