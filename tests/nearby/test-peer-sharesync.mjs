// test-peer-sharesync.mjs: ShareSync against the independent LocalSend peer, both ways, over
// HTTPS on 127.0.0.1.
//   receive: `sharesync --headless --receive DIR --accept-all` (its LocalSend port read from
//            its `discovering` event) gets files from `localsend-peer.mjs send`.
//   send:    `sharesync --headless --send-to 127.0.0.1:PORT FILE...` into
//            `localsend-peer.mjs receive`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { peer, runPeer, start, sha256File, peakRss, workspace, listAll, bigFile,
  receivingApp as receiveInto } from './peer/harness.mjs';
import { request } from './peer/client.mjs';

const API = '/api/localsend/v2';
const BIN = process.env.SSYNC_BIN;
const help = BIN ? execFileSync(BIN, ['--help-all'], { encoding: 'utf8' }) : '';
// The options these tests drive: a binary without them fails here, never skips.
for (const option of ['--accept-all', '--send-to', '--pin'])
  assert.ok(help.includes(option), `sharesync --help-all lists ${option}`);
const work = workspace('peer-ssync-');
const folder = (name) => work.folder(name);
after(() => work.remove());

function sleep (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function env (extra = {}) {
  const copy = { ...process.env, ...extra };
  delete copy.DISPLAY;
  delete copy.WAYLAND_DISPLAY;
  return copy;
}

// A headless ShareSync receiving into DIR, taking everything.
function receivingApp (name, extra = []) {
  return receiveInto(BIN, { dir: folder(name), dataDir: folder(`${name}-data`),
    extra: ['--accept-all', ...extra] });
}

const receiveOpts = {};
const sendOpts = {};

test('ShareSync receives three files, a folder and a Unicode name from the peer', receiveOpts, async () => {
  const src = folder('r-src-three');
  mkdirSync(join(src, 'album', 'inner'), { recursive: true });
  writeFileSync(join(src, 'notes.txt'), 'hello');
  writeFileSync(join(src, 'Grüße – 日本.txt'), 'unicode');
  writeFileSync(join(src, 'album', 'inner', 'photo.png'), randomBytes(70000));
  const { app, dir, target, info, certificate } = await receivingApp('r-three');
  try {
    assert.equal(info.fingerprint.toUpperCase(), certificate, 'ShareSync claims its own certificate');
    const sent = await runPeer(['send', target, join(src, 'notes.txt'), join(src, 'Grüße – 日本.txt'),
      join(src, 'album')]);
    assert.equal(sent.code, 0, JSON.stringify(sent.events));
    assert.equal(sent.events.filter((e) => e.event === 'upload' && e.status === 200).length, 3);
    assert.deepEqual(listAll(dir), ['Grüße – 日本.txt', 'album/inner/photo.png', 'notes.txt']);
    for (const name of ['notes.txt', 'Grüße – 日本.txt', 'album/inner/photo.png'])
      assert.equal(await sha256File(join(dir, name)), await sha256File(join(src, name)), name);
  } finally {
    await app.stop();
  }
});

test('ShareSync receives 200 MiB from the peer with flat memory', receiveOpts, async () => {
  const size = 200 * 1024 * 1024;
  const src = folder('r-src-big');
  bigFile(join(src, 'big.bin'), size);
  const { app, dir, target } = await receivingApp('r-big');
  try {
    const before = peakRss(app.child.pid);
    const sent = await runPeer(['send', target, join(src, 'big.bin')]);
    assert.equal(sent.code, 0, JSON.stringify(sent.events));
    assert.equal(await sha256File(join(dir, 'big.bin')), await sha256File(join(src, 'big.bin')));
    const grown = peakRss(app.child.pid) - before;
    assert.ok(grown < 64 * 1024 * 1024, `ShareSync's peak RSS grew by ${grown} bytes`);
  } finally {
    await app.stop();
    rmSync(join(src, 'big.bin'), { force: true });
  }
});

test('ShareSync refuses what a lying or clumsy peer sends', receiveOpts, async () => {
  const src = folder('r-src-bad');
  writeFileSync(join(src, 'a.txt'), 'twelve bytes');
  bigFile(join(src, 'c.bin'), 16 * 1024 * 1024);
  const { app, dir, target, port } = await receivingApp('r-bad');
  try {
    const over = await runPeer(['send', target, join(src, 'a.txt'), '--extra-bytes', '100']);
    assert.equal(over.events.find((e) => e.event === 'upload')?.status, 400, JSON.stringify(over.events));
    const token = await runPeer(['send', target, join(src, 'a.txt'), '--wrong-token']);
    assert.equal(token.events.find((e) => e.event === 'upload')?.status, 403, JSON.stringify(token.events));
    // The wrong-token session is still open until cancelled: cancel it the way a sender would.
    const open = token.events.find((e) => e.event === 'prepare-upload');
    await request({ host: '127.0.0.1', port, path: `${API}/cancel?sessionId=${open.sessionId}` });
    for (const name of ['../evil.txt', '/etc/evil', 'a/../../evil']) {
      const sent = await runPeer(['send', target, join(src, 'a.txt'), '--name', name]);
      assert.ok(sent.events[0].status >= 400 && sent.events[0].status < 500,
        `${name}: ${JSON.stringify(sent.events)}`);
    }
    const cancelled = await runPeer(['send', target, join(src, 'c.bin'), '--cancel-after', '3000000']);
    assert.equal(cancelled.events.find((e) => e.event === 'cancel')?.status, 200,
      JSON.stringify(cancelled.events));
    await sleep(500);
    assert.deepEqual(listAll(dir), [], 'no file and no .part left');
    const none = await request({ host: '127.0.0.1', port, path: `${API}/prepare-upload` },
      { info: { alias: 'x', version: '2.0', deviceType: 'headless', fingerprint: 'f', port: 1,
        protocol: 'https' }, files: {} });
    assert.equal(none.status, 204);
    const held = await request({ host: '127.0.0.1', port, path: `${API}/prepare-upload` },
      { info: { alias: 'x', version: '2.0', deviceType: 'headless', fingerprint: 'f', port: 1,
        protocol: 'https' }, files: { one: { id: 'one', fileName: 'one.txt', size: 1,
        fileType: 'text/plain' } } });
    assert.equal(held.status, 200);
    const busy = await runPeer(['send', target, join(src, 'a.txt')]);
    assert.equal(busy.events[0].status, 409, 'one session at a time');
    await request({ host: '127.0.0.1', port, path: `${API}/cancel?sessionId=${held.json.sessionId}` });
    const after = await runPeer(['send', target, join(src, 'a.txt')]);
    assert.equal(after.code, 0, `still receiving after all that: ${JSON.stringify(after.events)}`);
    assert.deepEqual(listAll(dir), ['a.txt']);
  } finally {
    await app.stop();
  }
});

async function receivingPeer (name, extra = []) {
  const dir = folder(name);
  const r = peer(['receive', dir, '--port', '0', '--bind', '127.0.0.1', ...extra]);
  const listening = await r.waitFor('listening');
  return { r, dir, target: `127.0.0.1:${listening.port}` };
}

function sendingApp (name, args) {
  return start(BIN, ['--headless', '--data-dir', folder(`${name}-data`), ...args],
    { env: env({ SHARESYNC_LOCALSEND_PORT: '0' }) });
}

test('ShareSync sends three files, one with a Unicode name, into the peer', sendOpts, async () => {
  const src = folder('s-src');
  writeFileSync(join(src, 'notes.txt'), 'hello');
  writeFileSync(join(src, 'Grüße – 日本.txt'), 'unicode');
  writeFileSync(join(src, 'photo.png'), randomBytes(70000));
  const { r, dir, target } = await receivingPeer('s-dst');
  try {
    const app = sendingApp('s-ok', ['--send-to', target, join(src, 'notes.txt'),
      join(src, 'Grüße – 日本.txt'), join(src, 'photo.png')]);
    const { code } = await app.exited;
    assert.equal(code, 0, `${JSON.stringify(app.events)} ${app.stderr}`);
    await r.waitFor('session-finished');
    const received = r.events.filter((e) => e.event === 'received');
    assert.equal(received.length, 3, JSON.stringify(r.events));
    assert.equal(r.events.find((e) => e.event === 'prepare-upload').alias !== null, true);
    for (const name of ['notes.txt', 'Grüße – 日本.txt', 'photo.png'])
      assert.equal(await sha256File(join(dir, name)), await sha256File(join(src, name)), name);
  } finally {
    await r.stop();
  }
});

// LocalSend sends a folder as its files named "folder/sub/name"; ShareSync shares folders, so
// sending one should work the same way.
test('ShareSync sends a folder into the peer as folder/sub/name', sendOpts, async () => {
  const src = folder('s-src-folder');
  mkdirSync(join(src, 'album', 'inner'), { recursive: true });
  writeFileSync(join(src, 'album', 'a.txt'), 'a');
  writeFileSync(join(src, 'album', 'inner', 'photo.png'), randomBytes(70000));
  const { r, dir, target } = await receivingPeer('s-dst-folder');
  try {
    const app = sendingApp('s-folder', ['--send-to', target, join(src, 'album')]);
    const { code } = await app.exited;
    assert.equal(code, 0, `${JSON.stringify(app.events)} ${app.stderr}`);
    assert.deepEqual(listAll(dir), ['album/a.txt', 'album/inner/photo.png']);
    for (const name of ['album/a.txt', 'album/inner/photo.png'])
      assert.equal(await sha256File(join(dir, name)), await sha256File(join(src, name)), name);
  } finally {
    await r.stop();
  }
});

test('ShareSync sends 200 MiB into the peer with flat memory', sendOpts, async () => {
  const size = 200 * 1024 * 1024;
  const src = folder('s-src-big');
  bigFile(join(src, 'big.bin'), size);
  const { r, dir, target } = await receivingPeer('s-dst-big');
  try {
    const app = sendingApp('s-big', ['--send-to', target, join(src, 'big.bin')]);
    let peak = 0;
    const watch = setInterval(() => {
      try {
        peak = Math.max(peak, peakRss(app.child.pid));
      } catch {}
    }, 200);
    const { code } = await app.exited;
    clearInterval(watch);
    assert.equal(code, 0, `${JSON.stringify(app.events)} ${app.stderr}`);
    const got = await r.waitFor('received');
    assert.equal(got.sha256, await sha256File(join(src, 'big.bin')));
    assert.equal(await sha256File(join(dir, 'big.bin')), got.sha256);
    assert.ok(peak < 150 * 1024 * 1024, `ShareSync's peak RSS ${peak}`);
  } finally {
    await r.stop();
    rmSync(join(src, 'big.bin'), { force: true });
  }
});

test('ShareSync reports a decline, and refuses a device whose certificate is not its fingerprint',
  sendOpts, async () => {
    const src = folder('s-src-no');
    writeFileSync(join(src, 'a.txt'), 'a');
    const declining = await receivingPeer('s-decline', ['--decline']);
    try {
      const app = sendingApp('s-decline', ['--send-to', declining.target, join(src, 'a.txt')]);
      const { code } = await app.exited;
      assert.notEqual(code, 0, 'a declined send is not a success');
      assert.equal(declining.r.events.find((e) => e.event === 'prepare-upload')?.status, 403);
    } finally {
      await declining.r.stop();
    }
    const lying = await receivingPeer('s-lying', ['--fingerprint', 'AB'.repeat(32)]);
    try {
      const app = sendingApp('s-lying', ['--send-to', lying.target, join(src, 'a.txt')]);
      const { code } = await app.exited;
      assert.notEqual(code, 0, 'a device that is not who it claims gets nothing');
      assert.equal(lying.r.events.filter((e) => e.event === 'received').length, 0);
      assert.deepEqual(listAll(lying.dir), []);
    } finally {
      await lying.r.stop();
    }
  });

test('ShareSync accepts a fingerprint written in lower case', sendOpts, async () => {
  const src = folder('s-src-lower');
  writeFileSync(join(src, 'a.txt'), 'a');
  const { r, dir, target } = await receivingPeer('s-lower', ['--lowercase-fingerprint']);
  try {
    const app = sendingApp('s-lower', ['--send-to', target, join(src, 'a.txt')]);
    const { code } = await app.exited;
    assert.equal(code, 0, `${JSON.stringify(app.events)} ${app.stderr}`);
    assert.deepEqual(listAll(dir), ['a.txt']);
  } finally {
    await r.stop();
  }
});

test('ShareSync sends with a PIN', async () => {
  const src = folder('s-src-pin');
  writeFileSync(join(src, 'a.txt'), 'a');
  const { r, dir, target } = await receivingPeer('s-pin', ['--pin', '4711']);
  try {
    const without = sendingApp('s-pin-no', ['--send-to', target, join(src, 'a.txt')]);
    assert.notEqual((await without.exited).code, 0);
    const wrong = sendingApp('s-pin-wrong', ['--send-to', target, '--pin', '1', join(src, 'a.txt')]);
    assert.notEqual((await wrong.exited).code, 0);
    const right = sendingApp('s-pin-ok', ['--send-to', target, '--pin', '4711', join(src, 'a.txt')]);
    const { code } = await right.exited;
    assert.equal(code, 0, `${JSON.stringify(right.events)} ${right.stderr}`);
    assert.deepEqual(listAll(dir), ['a.txt']);
  } finally {
    await r.stop();
  }
});
