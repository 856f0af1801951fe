// tus interoperability test: the reference client (npm tus-js-client, as Node programs and
// other apps use it) against the app's receive share, on loopback.
//
// Run by meson (suite "integration") as: node --test --test-reporter=tap test-tus-client.mjs,
// with SSYNC_BIN (the built sharesync) in the environment. A missing tus-js-client fails the
// test: it never skips.
//
// Every upload goes through a small TCP proxy in front of the app. It counts the bytes the
// client sends, which is how the tests tell a resumed upload from one started over, and it can
// cut every open connection at once, which is what a dropped network does to a client.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SOURCE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STARTUP_TIMEOUT_MS = 30_000;
const UPLOAD_TIMEOUT_MS = 300_000;
const EXIT_TIMEOUT_MS = 15_000;
const MIB = 1024 * 1024;
const BIG_SIZE = 200 * MIB;
const CHUNK = 8 * MIB;

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

async function loadTus() {
  try {
    return await import('tus-js-client');
  } catch (error) {
    throw new Error('tus-js-client is not installed: run "npm ci" in tests/ ' +
      `(it is looked up from ${path.join(SOURCE_ROOT, 'tests')}): ${error.message}`);
  }
}

// A file of random bytes written piece by piece, so 200 MiB never sit in memory at once.
async function makeFile(file, size) {
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < size;) {
      const piece = randomBytes(Math.min(4 * MIB, size - written));
      hash.update(piece);
      await handle.write(piece);
      written += piece.length;
    }
  } finally {
    await handle.close();
  }
  return { file, size, name: path.basename(file), sha256: hash.digest('hex') };
}

async function listTree(root) {
  const out = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath ?? entry.path, entry.name);
      out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return out.sort();
}

async function waitFor(what, check, timeoutMs = 10_000) {
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
    const recent = this.events.filter((e) => e?.event !== 'upload-progress').slice(-30);
    return `sharesync ${status}; stdout events (no progress): ${JSON.stringify(recent)}; ` +
      `non-JSON stdout: ${JSON.stringify(this.badLines)}; stderr: ${this.stderr || '(empty)'}`;
  }

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

  finishedOf(file, timeoutMs = 10_000) {
    const started = this.events.find((e) => e.event === 'upload-started' && e.file === file);
    if (started === undefined)
      throw new Error(`no upload-started event for ${file}: ${this.describe()}`);
    return this.waitFor(`"upload-finished" event for ${file}`,
      (e) => e.event === 'upload-finished' && e.transfer === started.transfer, timeoutMs);
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

// A TCP proxy in front of the app: counts what the client sends, and can cut every open
// connection once a number of bytes has gone through.
class Proxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.sockets = new Set();
    this.upBytes = 0;
    this.cutAt = Infinity;
    this.cuts = 0;
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
    client.on('data', (chunk) => {
      this.upBytes += chunk.length;
      upstream.write(chunk);
      if (this.upBytes >= this.cutAt) {
        this.cutAt = Infinity;
        this.cuts++;
        this.cutAll();
      }
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

const bin = process.env.SSYNC_BIN ?? path.join(SOURCE_ROOT, '_build', 'src', 'sharesync');

let tus;
let tmp;
let inbox;
let app;
let proxy;
let endpoint;
let big;

function uploadOptions(extra) {
  return {
    endpoint,
    chunkSize: CHUNK,
    retryDelays: [0, 500, 1000, 2000],
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    urlStorage: new tus.FileUrlStorage(path.join(tmp, 'tus-urls.json')),
    ...extra,
  };
}

// Runs an upload to its end; resolves with it, rejects with the client's error.
function runUpload(upload) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`upload not done within ${UPLOAD_TIMEOUT_MS} ms: ` +
      app.describe())), UPLOAD_TIMEOUT_MS);
    upload.options.onSuccess = () => {
      clearTimeout(timer);
      resolve(upload);
    };
    upload.options.onError = (error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}; ${app.describe()}`, { cause: error }));
    };
    upload.start();
  });
}

async function head(url) {
  return fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
}

async function partFiles() {
  return (await listTree(inbox)).filter((name) => name.endsWith('.part'));
}

before(async () => {
  tus = await loadTus();
  await requireExecutable(bin, 'sharesync (SSYNC_BIN; build it with meson first)');

  tmp = await mkdtemp(path.join(tmpdir(), 'ssync-tus-'));
  inbox = path.join(tmp, 'inbox');
  await mkdir(inbox);
  await mkdir(path.join(tmp, 'src'));
  big = await makeFile(path.join(tmp, 'src', 'big upload.bin'), BIG_SIZE);

  app = new HeadlessApp(bin, [
    '--headless', '--port', '0', '--bind', '127.0.0.1', '--data-dir', path.join(tmp, 'data'),
    '--receive', inbox,
  ], tmp);
  const listening = await app.waitFor('"listening" event', (e) => e.event === 'listening');
  const share = await app.waitFor('"share" event of kind "receive"',
    (e) => e.event === 'share' && e.kind === 'receive');
  const base = new URL(listening.url);
  const receive = new URL(share.url);
  assert.equal(receive.origin, base.origin, 'the receive share is on the listening server');
  const token = /^\/r\/([^/]+)$/.exec(receive.pathname)?.[1];
  assert.ok(token, `receive url: ${share.url}`);

  proxy = new Proxy(Number(base.port));
  await proxy.listen();
  endpoint = `${proxy.origin}/r/${token}/uploads/`;
});

after(async () => {
  try {
    await proxy?.close();
  } finally {
    if (app !== undefined && app.exit === null)
      await app.stop('SIGKILL');
    if (tmp !== undefined)
      await rm(tmp, { recursive: true, force: true });
  }
});

test('answers the tus discovery and refuses bad requests', async () => {
  const options = await fetch(endpoint, { method: 'OPTIONS' });
  assert.ok(options.status === 204 || options.status === 200, `OPTIONS: ${options.status}`);
  assert.equal(options.headers.get('tus-version'), '1.0.0');
  assert.equal(options.headers.get('tus-resumable'), '1.0.0');
  const extensions = (options.headers.get('tus-extension') ?? '').split(',').map((s) => s.trim());
  for (const name of ['creation', 'termination', 'expiration'])
    assert.ok(extensions.includes(name), `Tus-Extension ${extensions} has ${name}`);

  const noVersion = await fetch(endpoint, { method: 'POST', headers: { 'Upload-Length': '5' } });
  assert.equal(noVersion.status, 412, 'POST without Tus-Resumable');
  const noLength = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0' },
  });
  assert.equal(noLength.status, 400, 'POST without Upload-Length');
  const unknown = await head(`${endpoint}AAAAAAAAAAAAAAAAAAAAAA`);
  assert.equal(unknown.status, 404, 'HEAD of an unknown upload');

  const created = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': '10',
      'Upload-Metadata': `filename ${Buffer.from('conflict.txt').toString('base64')}`,
    },
  });
  assert.equal(created.status, 201, 'POST');
  const url = new URL(created.headers.get('location'), endpoint).href;
  const wrongOffset = await fetch(url, {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '3',
      'Content-Type': 'application/offset+octet-stream',
    },
    body: 'abc',
  });
  assert.equal(wrongOffset.status, 409, 'PATCH at the wrong offset');
  const removed = await fetch(url, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0' } });
  assert.equal(removed.status, 204, 'DELETE');
});

test('resumes a 200 MiB upload in a new client after an abort', async (t) => {
  const abortAt = 60 * MIB;
  let aborted = false;
  let first;
  const firstDone = new Promise((resolve, reject) => {
    first = new tus.Upload(createReadStream(big.file), uploadOptions({
      metadata: { filename: big.name, filetype: 'application/octet-stream' },
      onProgress: (sent) => {
        if (!aborted && sent >= abortAt) {
          aborted = true;
          // Without terminating: the upload stays on the server to be resumed.
          first.abort(false).then(resolve, reject);
        }
      },
      onSuccess: () => reject(new Error('the first upload finished before it was aborted')),
      onError: reject,
    }));
    first.start();
  });
  await firstDone;
  assert.ok(first.url, 'the first upload was created');
  const reached = Number((await head(first.url)).headers.get('upload-offset'));
  assert.ok(reached > 0 && reached < BIG_SIZE, `the server holds part of it: ${reached} bytes`);

  proxy.upBytes = 0;
  const second = new tus.Upload(createReadStream(big.file), uploadOptions({
    metadata: { filename: big.name, filetype: 'application/octet-stream' },
  }));
  const previous = await second.findPreviousUploads();
  assert.equal(previous.length, 1, 'the first upload was remembered under the file fingerprint');
  second.resumeFromPreviousUpload(previous[0]);
  await runUpload(second);

  t.diagnostic(`aborted with ${reached} bytes on the server; the second client sent ` +
    `${proxy.upBytes} bytes`);
  assert.equal(second.url, first.url, 'the same upload went on');
  assert.ok(proxy.upBytes < BIG_SIZE,
    `the second client sent ${proxy.upBytes} bytes: less than the whole file`);
  assert.ok(proxy.upBytes <= BIG_SIZE - reached + MIB,
    `the second client sent ${proxy.upBytes} bytes for the ${BIG_SIZE - reached} missing`);
  // The client forgets the fingerprint after onSuccess, without waiting for it.
  await waitFor('the fingerprint to be forgotten',
    async () => (await second.findPreviousUploads()).length === 0);

  const done = await head(second.url);
  assert.equal(done.status, 200, 'HEAD after completion');
  assert.equal(done.headers.get('upload-offset'), String(BIG_SIZE));
  assert.equal(done.headers.get('upload-sha256'), big.sha256, 'Upload-Sha256');
  const savedAs = decodeURIComponent(done.headers.get('upload-saved-as') ?? '');
  assert.equal(savedAs, big.name, 'Upload-Saved-As');

  assert.equal(await sha256File(path.join(inbox, big.name)), big.sha256, 'SHA-256 on disk');
  const finished = await app.finishedOf(big.name);
  assert.equal(finished.status, 'complete');
  assert.equal(finished.sha256, big.sha256, 'sha256 in upload-finished');
  assert.deepEqual(await partFiles(), [], 'no .part file is left');
});

test('goes on by itself after the connection drops', async (t) => {
  proxy.upBytes = 0;
  proxy.cutAt = 100 * MIB;
  proxy.cuts = 0;
  const upload = new tus.Upload(createReadStream(big.file), uploadOptions({
    metadata: { filename: 'dropped.bin' },
  }));
  try {
    await runUpload(upload);
  } finally {
    proxy.cutAt = Infinity;
  }

  t.diagnostic(`${proxy.upBytes} bytes sent for ${BIG_SIZE} with one cut`);
  assert.equal(proxy.cuts, 1, 'the proxy cut the connection once');
  assert.ok(proxy.upBytes < 2 * BIG_SIZE, `${proxy.upBytes} bytes sent for ${BIG_SIZE}`);
  assert.ok(proxy.upBytes < BIG_SIZE + CHUNK + MIB,
    `${proxy.upBytes} bytes sent for ${BIG_SIZE}: more than one chunk was sent twice`);
  assert.equal(await sha256File(path.join(inbox, 'dropped.bin')), big.sha256, 'SHA-256 on disk');
  const finished = await app.finishedOf('dropped.bin');
  assert.equal(finished.sha256, big.sha256, 'sha256 in upload-finished');
  assert.deepEqual(await partFiles(), [], 'no .part file is left');
});

test('termination removes the partial file', async () => {
  const small = await makeFile(path.join(tmp, 'src', 'terminated.bin'), 8 * MIB);
  let upload;
  await new Promise((resolve, reject) => {
    upload = new tus.Upload(createReadStream(small.file), uploadOptions({
      chunkSize: MIB,
      metadata: { filename: small.name },
      onChunkComplete: (chunk, accepted) => {
        if (accepted >= MIB)
          upload.abort(true).then(resolve, reject);
      },
      onSuccess: () => reject(new Error('the upload finished before it was terminated')),
      onError: reject,
    }));
    upload.start();
  });

  const gone = await head(upload.url);
  assert.ok(gone.status === 404 || gone.status === 410,
    `HEAD after DELETE answers ${gone.status}`);
  await waitFor('the .part file to go', async () => (await partFiles()).length === 0);
  assert.ok(!(await listTree(inbox)).includes(small.name), 'the file did not arrive');
  assert.deepEqual(await upload.findPreviousUploads(), [], 'the fingerprint is forgotten');
  const finished = await app.finishedOf(small.name);
  assert.notEqual(finished.status, 'complete', 'a terminated upload is not reported complete');
});

test('stops cleanly on SIGTERM', async () => {
  const exit = await app.stop('SIGTERM');
  assert.notEqual(exit, null, `no exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM`);
  assert.deepEqual(exit, { code: 0, signal: null }, app.describe());
  assert.deepEqual(app.badLines, [], 'every stdout line is a JSON object');
});
