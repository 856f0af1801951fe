// The receive page's tus client (data/web/tus-client.js, with retry-policy.js and
// resume-store.js) run by Node directly, without a browser: it has no DOM and sends through
// fetch here (fetchTransport) where the page uses XMLHttpRequest.
//
// Run by meson (suite "web") as: node --test --test-reporter=tap test-tus-client.mjs, with
// SSYNC_BIN (the built sharesync) in the environment. The first tests send to the real app in
// headless mode with a receive share on loopback, some through the TCP proxy of
// tests/common/app.mjs that counts the bytes and cuts connections; the others send to a tus
// server in this process (tus-stand-in.mjs) for the answers the app gives only under conditions
// a test cannot arrange. Each test checks what arrived: the bytes, their SHA-256 and the offsets.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  HeadlessApp, MIB, Proxy, cleanUp, listTree, makeTempDir, requireSharesync, sha256,
  sha256File, waitFor,
} from '../common/app.mjs';
import { TusStandIn } from './tus-stand-in.mjs';
import { ResumeStore, memoryStorage } from '../../data/web/resume-store.js';
import { CHUNK_SIZE, RetryPolicy } from '../../data/web/retry-policy.js';
import {
  HttpError, TusUpload, UnreadableFileError, discoverMaxSize, fetchTransport,
} from '../../data/web/tus-client.js';

// Waits between attempts short enough for a test; the steps are those of the page.
const QUICK = [0.05, 0.1, 0.2];

let tmp;
let inbox;
let app;
let endpoint;
let token;
let proxy;
let standIn;

// fetchTransport, recording every request as { method, offset, status } (status null when no
// answer came).
function recording(log, transport = fetchTransport()) {
  return async (method, url, options = {}) => {
    const entry = { method, offset: options.headers?.['Upload-Offset'] ?? null, status: null };
    log.push(entry);
    const response = await transport(method, url, options);
    entry.status = response.status;
    return response;
  };
}

const methods = (log) => log.map((r) => `${r.method}${r.offset !== null ? `@${r.offset}` : ''}` +
  `${r.status !== null ? ` ${r.status}` : ''}`);

async function fixture(name, data) {
  const dir = await mkdtemp(path.join(tmp, 'pick-'));
  const file = path.join(dir, name);
  await writeFile(file, data);
  return { file, data, size: data.length, sha256: sha256(data), blob: await openAsBlob(file) };
}

// A TusUpload of f as the page makes one, with a store in memory unless given.
function uploadOf(f, { at = endpoint, filePath = path.basename(f.file), log = [],
  policy = new RetryPolicy({ delays: QUICK }), store = new ResumeStore(memoryStorage()),
  url = null, events = {} } = {}) {
  const key = ResumeStore.key(token ?? 'stand-in', filePath, f.size, 1);
  return new TusUpload({
    endpoint: at, transport: recording(log), policy, path: filePath, size: f.size,
    lastModified: 1, file: f.blob, url, store, key, events,
  });
}

async function finishedEvent(name) {
  const started = await app.waitFor(`upload-started for ${name}`,
    (e) => e.event === 'upload-started' && e.file === name);
  return app.finishedOf(started.transfer, 60_000);
}

async function partFiles() {
  return (await listTree(inbox)).filter((name) => name.endsWith('.part'));
}

before(async () => {
  await requireSharesync();
  tmp = await makeTempDir('ssync-web-tus-');
  inbox = path.join(tmp, 'inbox');
  await mkdir(inbox);

  app = new HeadlessApp(['--data-dir', path.join(tmp, 'data'), '--receive', inbox], tmp);
  const listening = await app.waitForEvent('listening');
  const share = await app.waitFor('"share" event of kind "receive"',
    (e) => e.event === 'share' && e.kind === 'receive');
  const receiveUrl = new URL(share.url);
  token = receiveUrl.pathname.split('/').pop();
  endpoint = new URL(`/r/${token}/uploads/`, listening.url).href;

  proxy = new Proxy(Number(new URL(listening.url).port));
  await proxy.listen();
  standIn = new TusStandIn();
  await standIn.listen();
});

after(() => cleanUp({ app, tmp, closing: [proxy, standIn] }));

/* Against the app */

test('sends a file in pieces and the folder has the same bytes', async () => {
  const f = await fixture('pieces.bin', randomBytes(2 * CHUNK_SIZE + 12345));
  const store = new ResumeStore(memoryStorage());
  const log = [];
  let remembered = null;
  const upload = uploadOf(f, {
    store, log, events: { progress: () => { remembered ??= store.list(token)[0] ?? null; } },
  });

  assert.equal(await upload.run(), 'done');
  assert.equal(upload.sha256, f.sha256, 'the SHA-256 the app computed');
  assert.equal(upload.savedAs, 'pieces.bin');
  assert.equal(upload.offset, f.size);
  assert.deepEqual(methods(log), ['POST 201', 'PATCH@0 204', `PATCH@${CHUNK_SIZE} 204`,
    `PATCH@${2 * CHUNK_SIZE} 204`]);
  assert.equal(remembered?.url, upload.url, 'the address was stored while sending');
  assert.deepEqual(store.list(token), [], 'and forgotten once done');

  assert.equal(await sha256File(path.join(inbox, 'pieces.bin')), f.sha256, 'SHA-256 on disk');
  const finished = await finishedEvent('pieces.bin');
  assert.equal(finished.status, 'complete');
  assert.equal(finished.bytes, f.size);
  assert.equal(finished.sha256, f.sha256);
});

test('sends an empty file and keeps the folders of a path', async () => {
  const empty = await fixture('empty.txt', Buffer.alloc(0));
  const upload = uploadOf(empty);
  assert.equal(await upload.run(), 'done');
  assert.equal(upload.sha256, empty.sha256);
  assert.equal(await sha256File(path.join(inbox, 'empty.txt')), empty.sha256);

  const photo = await fixture('photo.jpg', randomBytes(300 * 1024));
  const inFolder = uploadOf(photo, { filePath: 'trip/day 1/photo.jpg' });
  assert.equal(await inFolder.run(), 'done');
  assert.equal(await sha256File(path.join(inbox, 'trip', 'day 1', 'photo.jpg')), photo.sha256);
});

test('goes on from the stored address after a stop, as a reloaded page does', async () => {
  const f = await fixture('reloaded.bin', randomBytes(3 * CHUNK_SIZE));
  const store = new ResumeStore(memoryStorage());
  proxy.upBytes = 0;
  const first = uploadOf(f, {
    at: new URL(new URL(endpoint).pathname, proxy.origin).href,
    store,
    // The tab closes once the first piece is through.
    events: { progress: () => first.offset >= CHUNK_SIZE && first.abort() },
  });
  assert.equal(await first.run(), 'cancelled');

  const [entry] = store.list(token);
  assert.ok(entry, 'the unfinished upload is remembered');
  assert.equal(entry.path, 'reloaded.bin');
  const log = [];
  const second = uploadOf(f, { at: first.endpoint, store, url: entry.url, log });
  await second.head();
  assert.equal(second.offset, CHUNK_SIZE, 'the app has the first piece');
  assert.equal(await second.run(), 'done');
  assert.equal(second.sha256, f.sha256);
  assert.deepEqual(methods(log), ['HEAD 200', `PATCH@${CHUNK_SIZE} 204`,
    `PATCH@${2 * CHUNK_SIZE} 204`]);
  assert.ok(proxy.upBytes < f.size + MIB, `${proxy.upBytes} bytes sent for ${f.size}`);
  assert.equal(await sha256File(path.join(inbox, 'reloaded.bin')), f.sha256);
});

test('resumes from the offset the app reports when the connection drops mid-PATCH', async () => {
  const f = await fixture('cut.bin', randomBytes(4 * CHUNK_SIZE));
  const retries = [];
  const log = [];
  let cut = false;
  proxy.upBytes = 0;
  proxy.onUp = () => {
    if (!cut && proxy.upBytes >= CHUNK_SIZE + 3 * MIB) {
      cut = true;
      proxy.cutAll();
    }
  };
  try {
    const upload = uploadOf(f, {
      at: new URL(new URL(endpoint).pathname, proxy.origin).href,
      log,
      events: { retrying: (reason, seconds) => retries.push(reason) },
    });
    assert.equal(await upload.run(), 'done');
    assert.equal(upload.sha256, f.sha256);
  } finally {
    proxy.onUp = null;
  }

  assert.ok(cut, 'the proxy cut the connection');
  assert.deepEqual(retries, ['network']);
  assert.equal(log.filter((r) => r.method === 'POST').length, 1, methods(log).join(', '));
  const head = log.findIndex((r) => r.method === 'HEAD');
  assert.ok(head > 0, `a HEAD after the cut: ${methods(log).join(', ')}`);
  const resumedAt = Number(log[head + 1].offset);
  assert.ok(resumedAt >= CHUNK_SIZE, `went on from ${resumedAt}, not from the start`);
  assert.ok(proxy.upBytes < f.size + CHUNK_SIZE + MIB, `${proxy.upBytes} bytes for ${f.size}`);
  assert.equal(await sha256File(path.join(inbox, 'cut.bin')), f.sha256, 'SHA-256 on disk');
  assert.deepEqual(await partFiles(), [], 'no .part file is left');
});

test('cancel stops the upload and the app removes the partial file', async () => {
  const f = await fixture('cancelled.bin', randomBytes(4 * CHUNK_SIZE));
  proxy.rate = 16 * MIB;
  proxy.upBytes = 0;
  const log = [];
  try {
    const upload = uploadOf(f, { at: new URL(new URL(endpoint).pathname, proxy.origin).href,
      log });
    const running = upload.run();
    await waitFor('10 MiB through the proxy', () => proxy.upBytes >= 10 * MIB, 30_000);
    upload.cancel();
    assert.equal(await running, 'cancelled');
    assert.equal(upload.url, null);
  } finally {
    proxy.rate = Infinity;
  }
  await waitFor('the DELETE answer', () => log.some((r) => r.method === 'DELETE' &&
    r.status === 204));
  const finished = await finishedEvent('cancelled.bin');
  assert.notEqual(finished.status, 'complete');
  await waitFor('the .part file to go', async () => (await partFiles()).length === 0);
  assert.ok(!(await listTree(inbox)).includes('cancelled.bin'));
});

/* Against the stand-in server */

test('a 409 makes it ask for the offset and go on from there', async () => {
  const f = await fixture('conflict.bin', randomBytes(300 * 1024));
  const log = [];
  // Another tab sent the first 100 KiB of the same upload meanwhile.
  standIn.hooks.PATCH = (req, res, upload) => {
    if (TusStandIn.offset(upload) === 0)
      upload.chunks.push(f.data.subarray(0, 100 * 1024));
    return false;
  };
  try {
    const upload = uploadOf(f, { at: standIn.endpoint, log });
    assert.equal(await upload.run(), 'done');
    assert.equal(upload.sha256, f.sha256);
    assert.deepEqual(TusStandIn.bytes(standIn.upload(upload.url)), f.data);
  } finally {
    delete standIn.hooks.PATCH;
  }
  assert.deepEqual(methods(log), ['POST 201', 'PATCH@0 409', 'HEAD 200', 'PATCH@102400 204']);
});

test('a 413 on PATCH halves the pieces until they fit', async () => {
  const f = await fixture('limited.bin', randomBytes(3 * MIB + 5));
  const log = [];
  const policy = new RetryPolicy({ delays: QUICK, chunkSize: 4 * MIB });
  standIn.maxRequestBody = MIB;
  try {
    const upload = uploadOf(f, { at: standIn.endpoint, log, policy });
    assert.equal(await upload.run(), 'done');
    assert.equal(upload.sha256, f.sha256);
    assert.deepEqual(TusStandIn.bytes(standIn.upload(upload.url)), f.data);
  } finally {
    standIn.maxRequestBody = Infinity;
  }
  assert.equal(policy.chunkSize, MIB);
  assert.deepEqual(methods(log), ['POST 201', 'PATCH@0 413', 'HEAD 200', 'PATCH@0 413',
    'HEAD 200', 'PATCH@0 204', `PATCH@${MIB} 204`, `PATCH@${2 * MIB} 204`,
    `PATCH@${3 * MIB} 204`]);
});

test('a file over the limit stops at creation and the limit can be asked', async () => {
  const f = await fixture('too-big.bin', randomBytes(2 * MIB));
  const log = [];
  const store = new ResumeStore(memoryStorage());
  standIn.maxSize = MIB;
  const before = standIn.uploads.size;
  try {
    const upload = uploadOf(f, { at: standIn.endpoint, log, store });
    await assert.rejects(upload.run(), (error) => error instanceof HttpError &&
      error.status === 413 && error.method === 'POST');
    assert.equal(await discoverMaxSize(fetchTransport(), standIn.endpoint), MIB);
  } finally {
    standIn.maxSize = null;
  }
  assert.deepEqual(methods(log), ['POST 413']);
  assert.equal(standIn.uploads.size, before, 'no upload was created');
  assert.deepEqual(store.list('stand-in'), []);
});

test('a 429 waits as long as Retry-After says', async () => {
  const f = await fixture('busy.txt', Buffer.from('sent after a 429\n'));
  const log = [];
  const retries = [];
  let refused = false;
  standIn.hooks.POST = (req, res) => {
    if (refused)
      return false;
    refused = true;
    res.writeHead(429, { 'Retry-After': '1', 'Tus-Resumable': '1.0.0' }).end();
    return true;
  };
  const started = Date.now();
  try {
    const upload = uploadOf(f, { at: standIn.endpoint, log,
      events: { retrying: (reason, seconds, first) => retries.push([reason, seconds, first]) } });
    assert.equal(await upload.run(), 'done');
    assert.equal(upload.sha256, f.sha256);
    assert.deepEqual(TusStandIn.bytes(standIn.upload(upload.url)), f.data);
  } finally {
    delete standIn.hooks.POST;
  }
  assert.ok(Date.now() - started >= 1000, 'waited a second');
  assert.deepEqual(retries, [['busy', 1, true]]);
  assert.deepEqual(methods(log), ['POST 429', 'POST 201', 'PATCH@0 204']);
});

test('a connection lost mid-PATCH goes on from the HEAD offset', async () => {
  const f = await fixture('dropped.bin', randomBytes(3 * MIB));
  const log = [];
  const retries = [];
  let dropped = false;
  // The first PATCH loses its connection after 1 MiB, which the server keeps.
  standIn.hooks.PATCH = (req, res, upload, record) => {
    if (dropped)
      return false;
    dropped = true;
    let kept = Buffer.alloc(0);
    req.on('data', (chunk) => {
      if (kept.length >= MIB)
        return;
      kept = Buffer.concat([kept, chunk]).subarray(0, MIB);
      if (kept.length === MIB) {
        upload.chunks.push(kept);
        record.length = kept.length;
        req.socket.destroy();
      }
    });
    return true;
  };
  let upload;
  try {
    upload = uploadOf(f, { at: standIn.endpoint, log,
      events: { retrying: (reason) => retries.push(reason) } });
    assert.equal(await upload.run(), 'done');
  } finally {
    delete standIn.hooks.PATCH;
  }
  assert.equal(upload.sha256, f.sha256);
  assert.deepEqual(retries, ['network']);
  assert.deepEqual(methods(log), ['POST 201', 'PATCH@0', 'HEAD 200', `PATCH@${MIB} 204`]);
  assert.deepEqual(TusStandIn.bytes(standIn.upload(upload.url)), f.data, 'no byte twice');
});

test('a file the receiver declines stops with 403 and nothing is sent', async () => {
  const f = await fixture('declined.txt', Buffer.from('not wanted\n'));
  const log = [];
  const store = new ResumeStore(memoryStorage());
  standIn.hooks.POST = (req, res) => {
    res.writeHead(403, { 'Upload-Declined': '1', 'Tus-Resumable': '1.0.0' }).end();
    return true;
  };
  try {
    const upload = uploadOf(f, { at: standIn.endpoint, log, store });
    await assert.rejects(upload.run(), (error) => error instanceof HttpError &&
      error.status === 403 && error.declined);
    assert.equal(upload.url, null);
  } finally {
    delete standIn.hooks.POST;
  }
  assert.deepEqual(methods(log), ['POST 403']);
  assert.deepEqual(store.list('stand-in'), [], 'nothing to resume');
});

test('a forgotten upload starts over once, and server errors are waited out', async () => {
  const f = await fixture('forgotten.bin', randomBytes(200 * 1024));
  const log = [];
  const retries = [];
  let failures = 0;
  standIn.hooks.PATCH = (req, res) => {
    if (failures >= 2)
      return false;
    failures++;
    req.resume();
    req.on('end', () => res.writeHead(503, { 'Tus-Resumable': '1.0.0' }).end());
    return true;
  };
  try {
    const upload = uploadOf(f, { at: standIn.endpoint, log, url: `${standIn.endpoint}gone`,
      events: { retrying: (reason) => retries.push(reason) } });
    assert.equal(await upload.run(), 'done');
    assert.equal(upload.sha256, f.sha256);
    assert.deepEqual(TusStandIn.bytes(standIn.upload(upload.url)), f.data);
  } finally {
    delete standIn.hooks.PATCH;
  }
  assert.deepEqual(retries, ['server', 'server']);
  assert.deepEqual(methods(log), ['HEAD 404', 'POST 201', 'PATCH@0 503', 'HEAD 200',
    'PATCH@0 503', 'HEAD 200', 'PATCH@0 204']);
});

test('a file changed after it was chosen stops as unreadable', async () => {
  const f = await fixture('changed.bin', randomBytes(2 * MIB));
  const log = [];
  // The connection drops; meanwhile the file on disk is replaced.
  standIn.hooks.PATCH = async (req) => {
    await writeFile(f.file, randomBytes(MIB));
    req.socket.destroy();
    return true;
  };
  try {
    const upload = uploadOf(f, { at: standIn.endpoint, log });
    await assert.rejects(upload.run(), UnreadableFileError);
  } finally {
    delete standIn.hooks.PATCH;
  }
  assert.deepEqual(methods(log), ['POST 201', 'PATCH@0']);
});
