// Helpers shared by the node tests (tests/browser, tests/tus): the app in headless mode and its
// JSON events, Debian's Chromium through playwright-core, a TCP proxy in front of the app, temp
// directories and SHA-256 sums.
//
// The tests are run by meson with SSYNC_BIN (the built sharesync) and, for the browser suite,
// SSYNC_TEST_OUTPUT (where screenshots go) in the environment. A missing tool or npm package
// fails the test with a message that says which: nothing here skips.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants, createReadStream } from 'node:fs';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SOURCE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SSYNC_BIN = process.env.SSYNC_BIN ??
  path.join(SOURCE_ROOT, '_build', 'src', 'sharesync');
export const TEST_OUTPUT = process.env.SSYNC_TEST_OUTPUT ??
  path.join(SOURCE_ROOT, 'tests', 'output');

export const MIB = 1024 * 1024;
const STARTUP_TIMEOUT_MS = 30_000;
export const EXIT_TIMEOUT_MS = 15_000;

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

export const sha256 = (data) => createHash('sha256').update(data).digest('hex');

export async function sha256File(file) {
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

// Fails when the app is not built, before a test writes any fixture.
export function requireSharesync() {
  return requireExecutable(SSYNC_BIN, 'sharesync (SSYNC_BIN; build it with meson first)');
}

// An npm package from tests/node_modules, installed by "npm ci" from the committed lock file.
export async function loadPackage(name) {
  try {
    return await import(name);
  } catch (error) {
    throw new Error(`${name} is not installed: run "npm ci" in tests/ ` +
      `(it is looked up from ${path.join(SOURCE_ROOT, 'tests')}): ${error.message}`);
  }
}

// Headless Chromium with the flags that keep it off the network but for the pages under test.
// The tools are checked first, so a missing one says so instead of failing somewhere later.
export async function launchChromium() {
  await requireExecutable(CHROMIUM, 'Chromium (Debian package "chromium")');
  const { chromium } = await loadPackage('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// Collects the page's script errors and console errors and warnings into problems, except the
// console messages that match one of the expected patterns.
export function watchPage(page, problems, expected = []) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if ((message.type() === 'error' || message.type() === 'warning') &&
        !expected.some((pattern) => pattern.test(message.text())))
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
}

// A fresh directory under the system's temp directory; cleanUp() removes it.
export function makeTempDir(prefix) {
  return mkdtemp(path.join(tmpdir(), prefix));
}

// Ends what before() started, even half of it: first what has a close() (a browser, a proxy),
// then the app if it still runs (SIGKILL, as stopping cleanly is a test of its own), then the
// temp directory.
export async function cleanUp({ app, tmp, closing = [] }) {
  try {
    for (const thing of closing)
      await thing?.close();
  } finally {
    if (app !== undefined && app.exit === null)
      await app.stop('SIGKILL');
    if (tmp !== undefined)
      await rm(tmp, { recursive: true, force: true });
  }
}

// Every file under a folder, as paths relative to it with "/" separators.
export async function listTree(root) {
  const out = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath ?? entry.path, entry.name);
      out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return out.sort();
}

// Polls check until it returns something true, and returns that.
export async function waitFor(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result)
      return result;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The app in headless mode on a free port of 127.0.0.1, with args after those. It prints one
// JSON object per line on stdout; every line is kept so a test can wait for an event and check
// the protocol at the end.
export class HeadlessApp {
  constructor(args, cwd) {
    this.events = [];
    this.badLines = [];
    this.stderr = '';
    this.exit = null;
    this.waiters = new Set();

    this.child = spawn(SSYNC_BIN, ['--headless', '--port', '0', '--bind', '127.0.0.1', ...args],
      // A receive share would also announce itself to nearby devices: not in these tests.
      { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { SHARESYNC_NEARBY: '0', ...process.env } });
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

  // For failure messages: how the app is doing, its recent events (progress left out, as a big
  // upload prints hundreds), what it printed that is not JSON, and the end of its stderr.
  describe() {
    const status = this.exit === null
      ? 'still running'
      : `exited with code ${this.exit.code} signal ${this.exit.signal}`;
    const recent = this.events.filter((e) => e?.event !== 'upload-progress').slice(-40);
    return `sharesync ${status}; stdout events (no progress): ${JSON.stringify(recent)}; ` +
      `non-JSON stdout: ${JSON.stringify(this.badLines)}; stderr: ${this.stderr || '(empty)'}`;
  }

  // The first event for which predicate is true, as soon as it is printed; fails when the app
  // exits or the time is up first.
  waitFor(what, predicate, timeoutMs = STARTUP_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const event = this.events.find((e) => e !== null && predicate(e));
        if (event !== undefined) {
          done();
          resolve(event);
        } else if (this.exit !== null) {
          done();
          reject(new Error(`no ${what}: ${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms: ${this.describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  waitForEvent(name, timeoutMs = STARTUP_TIMEOUT_MS) {
    return this.waitFor(`"${name}" event`, (e) => e.event === name, timeoutMs);
  }

  // The upload-started events for a file name, oldest first.
  started(file) {
    return this.events.filter((e) => e?.event === 'upload-started' && e.file === file);
  }

  // The upload-finished event of a transfer, whatever its status.
  finishedOf(transfer, timeoutMs) {
    return this.waitFor(`"upload-finished" event for transfer ${transfer}`,
      (e) => e.event === 'upload-finished' && e.transfer === transfer, timeoutMs);
  }

  // Sends signal and resolves with { code, signal } once the app has exited, or with null when
  // it is still running after timeoutMs.
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

// A TCP proxy on 127.0.0.1 in front of the app. It counts the bytes the client sends (upBytes),
// can hold them to a rate in bytes per second, calls onUp after each piece it passes on, and can
// cut every open connection at once, which is what a dropped network does to a client.
export class Proxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.sockets = new Set();
    this.upBytes = 0;
    this.rate = Infinity;
    this.onUp = null;
    this.server = net.createServer((client) => this.accept(client));
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${this.server.address().port}`;
  }

  accept(client) {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.sockets.add(client);
    this.sockets.add(upstream);
    let next = 0;
    client.on('data', (chunk) => {
      this.upBytes += chunk.length;
      upstream.write(chunk);
      if (Number.isFinite(this.rate)) {
        const now = performance.now();
        next = Math.max(next, now) + (chunk.length / this.rate) * 1000;
        if (next - now > 1) {
          client.pause();
          setTimeout(() => client.resume(), next - now);
        }
      }
      this.onUp?.();
    });
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  }

  cutAll() {
    for (const socket of this.sockets)
      socket.destroy();
  }

  close() {
    this.cutAll();
    return new Promise((resolve) => this.server.close(resolve));
  }
}
