// Accessibility of every page and state, checked by axe-core (npm axe-core, WCAG 2.x A and AA
// rules and axe's best practices): the share page, the receive page, the password page (also
// after a wrong password), a share that ended, an unknown link (404) and the /p2p room (alone,
// and with an incoming file), each in light and dark, at 390 px and at desktop width. No
// serious or critical violation may remain; every one found is listed with its elements.
//
// axe runs inside the page through the DevTools protocol, which the pages' strict
// Content-Security-Policy does not apply to: the pages are checked exactly as they are served.
//
// Run by meson (suite "browser") as: node --test --test-reporter=tap test-a11y.mjs, with
// SSYNC_BIN and SSYNC_TEST_OUTPUT in the environment. A missing axe-core fails: nothing skips.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
  HeadlessApp, TEST_OUTPUT, cleanUp, launchChromium, makeTempDir, requireSharesync,
} from '../common/app.mjs';

const require = createRequire(import.meta.url);
const LOOKS = [
  ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
    hasTouch: true }],
  ['desktop', { viewport: { width: 1280, height: 900 } }],
];
const SCHEMES = ['light', 'dark'];

let tmp;
let apps = [];
let browser;
let axeSource;
let urls = {};

async function startApp(name, args) {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'report.pdf'), 'A short report.\n');
  const app = new HeadlessApp(['--data-dir', path.join(dir, 'data'), ...args,
    path.join(dir, 'report.pdf')], dir);
  apps.push(app);
  return app;
}

before(async () => {
  let axePath;
  try {
    axePath = require.resolve('axe-core/axe.min.js');
  } catch (error) {
    throw new Error(`axe-core is not installed: run "npm ci" in tests/ (${error.message})`);
  }
  axeSource = await readFile(axePath, 'utf8');
  browser = await launchChromium();
  await requireSharesync();
  tmp = await makeTempDir('ssync-a11y-');
  await mkdir(TEST_OUTPUT, { recursive: true });

  const inbox = path.join(tmp, 'inbox');
  await mkdir(inbox);
  const open = await startApp('open', ['--receive', inbox]);
  const share = await open.waitFor('send share', (e) => e.event === 'share' && e.kind === 'send');
  const receive = await open.waitFor('receive share',
    (e) => e.event === 'share' && e.kind === 'receive');
  const locked = await startApp('locked', ['--password', 'correct horse']);
  const lockedShare = await locked.waitFor('locked share', (e) => e.event === 'share');
  const once = await startApp('once', ['--max-downloads', '1']);
  const onceShare = await once.waitFor('one-time share', (e) => e.event === 'share');

  // The one-time share ends once its file has been downloaded.
  const context = await browser.newContext();
  const info = await (await context.request.get(onceShare.url.replace('/s/', '/api/files/')))
    .json();
  const fetched = await context.request.get(new URL(info.files[0].url, onceShare.url).href);
  assert.equal(fetched.status(), 200);
  await context.close();

  const base = new URL(share.url).origin;
  urls = {
    share: share.url,
    receive: receive.url,
    unlock: lockedShare.url,
    ended: onceShare.url,
    'not-found': `${base}/s/AAAAAAAAAAAAAAAAAAAAAA`,
    p2p: `${base}/p2p`,
  };
});

after(async () => {
  for (const app of apps.slice(1))
    await app.stop('SIGKILL');
  await cleanUp({ app: apps[0], tmp, closing: [browser] });
});

// Runs axe in page and returns its serious and critical violations, one line each.
async function seriousViolations(page) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
        'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary
        .replace(/\s+/g, ' ')}`),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// The page once its scripts have run and its requests have settled.
async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
}

const STATES = {
  async share(page) {
    await page.goto(urls.share);
  },
  async receive(page) {
    await page.goto(urls.receive);
  },
  async unlock(page) {
    await page.goto(urls.unlock);
  },
  async 'unlock-wrong'(page) {
    await page.goto(urls.unlock);
    await page.locator('#password').fill('wrong horse');
    await page.locator('#password').press('Enter');
    await page.waitForLoadState('load');
  },
  async ended(page) {
    await page.goto(urls.ended);
  },
  async 'not-found'(page) {
    await page.goto(urls['not-found']);
  },
  async p2p(page) {
    await page.goto(urls.p2p);
    await page.locator('#room-link').waitFor({ state: 'visible' });
  },
  async 'p2p-request'(page, options) {
    await page.goto(urls.p2p);
    await page.locator('#room-link').waitFor({ state: 'visible' });
    const other = await browser.newContext(options);
    const sender = await other.newPage();
    await sender.goto(await page.locator('#room-link').getAttribute('href'));
    await sender.locator('#peer-list .peer').waitFor();
    await sender.setInputFiles('#pick-files', { name: 'notes.txt', mimeType: 'text/plain',
      buffer: Buffer.from('notes\n') });
    await page.locator('.transfer-request').waitFor();
    return () => other.close();
  },
};

for (const [state, open] of Object.entries(STATES)) {
  test(`axe: ${state}, light and dark, 390 px and desktop`, async () => {
    const found = [];
    for (const [look, options] of LOOKS) {
      for (const colorScheme of SCHEMES) {
        const context = await browser.newContext({ ...options, colorScheme, locale: 'en-US' });
        try {
          const page = await context.newPage();
          const cleanup = await open(page, { ...options, colorScheme });
          await settle(page);
          for (const v of await seriousViolations(page))
            found.push(`[${look} ${colorScheme}] ${v.impact} ${v.id} (${v.help}):\n    ` +
              v.nodes.join('\n    '));
          if (look === 'phone' && colorScheme === 'dark')
            await page.screenshot({ path: path.join(TEST_OUTPUT, `a11y-${state}-phone-dark.png`),
              fullPage: true });
          await cleanup?.();
        } finally {
          await context.close();
        }
      }
    }
    assert.deepEqual(found, [], `serious or critical violations on ${state}:\n${found.join('\n')}`);
  });
}
