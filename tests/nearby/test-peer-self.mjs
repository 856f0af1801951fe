// test-peer-self.mjs: the LocalSend peer against itself (send -> receive) over HTTPS on
// 127.0.0.1. This proves the peer before it is used against ShareSync: accepted files with
// folders and Unicode names, a 200 MiB file streamed with flat memory on both sides, decline,
// PIN, busy, cancel mid-file, too many bytes, a wrong token, traversal names, zero files, and
// hostile bodies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { peer, runPeer, sha256File, peakRss, workspace, listAll, bigFile } from './peer/harness.mjs';
import { request } from './peer/client.mjs';

const API = '/api/localsend/v2';
const work = workspace('peer-self-');
const folder = (name) => work.folder(name);
after(() => work.remove());

async function receiver (name, extra = []) {
  const dir = folder(name);
  const r = peer(['receive', dir, '--port', '0', '--bind', '127.0.0.1', ...extra]);
  const listening = await r.waitFor('listening');
  return { r, dir, port: listening.port, fingerprint: listening.fingerprint,
    target: `127.0.0.1:${listening.port}` };
}

test('three files, a folder and a Unicode name arrive whole', async () => {
  const src = folder('src-three');
  mkdirSync(join(src, 'album', 'inner'), { recursive: true });
  writeFileSync(join(src, 'notes.txt'), 'hello');
  writeFileSync(join(src, 'Grüße – 日本.txt'), 'unicode');
  writeFileSync(join(src, 'album', 'inner', 'photo.png'), randomBytes(70000));
  const { r, dir, target, fingerprint } = await receiver('dst-three');
  try {
    const sent = await runPeer(['send', target, join(src, 'notes.txt'),
      join(src, 'Grüße – 日本.txt'), join(src, 'album')]);
    assert.equal(sent.code, 0, JSON.stringify(sent.events));
    const prepared = sent.events.find((e) => e.event === 'prepare-upload');
    assert.equal(prepared.status, 200);
    assert.equal(prepared.fingerprint, fingerprint, 'the certificate is the one announced');
    assert.equal(sent.events.filter((e) => e.event === 'upload' && e.status === 200).length, 3);
    await r.waitFor('session-finished');
    assert.deepEqual(listAll(dir), ['Grüße – 日本.txt', 'album/inner/photo.png', 'notes.txt']);
    for (const [name, source] of [['notes.txt', 'notes.txt'], ['Grüße – 日本.txt', 'Grüße – 日本.txt'],
      ['album/inner/photo.png', 'album/inner/photo.png']]) {
      const got = r.events.find((e) => e.event === 'received' && e.fileName === name);
      assert.ok(got, name);
      assert.equal(got.sha256, await sha256File(join(src, source)));
      assert.equal(await sha256File(join(dir, name)), got.sha256);
    }
  } finally {
    await r.stop();
  }
});

test('a 200 MiB file streams through with flat memory on both sides', async () => {
  const size = 200 * 1024 * 1024;
  const src = folder('src-big');
  bigFile(join(src, 'big.bin'), size);
  const { r, dir, target } = await receiver('dst-big');
  try {
    const s = peer(['send', target, join(src, 'big.bin')]);
    let senderPeak = 0;
    const watch = setInterval(() => {
      try {
        senderPeak = Math.max(senderPeak, peakRss(s.child.pid));
      } catch {}
    }, 200);
    const { code } = await s.exited;
    clearInterval(watch);
    assert.equal(code, 0, JSON.stringify(s.events) + s.stderr);
    const got = await r.waitFor('received');
    assert.equal(got.size, size);
    assert.equal(got.sha256, await sha256File(join(src, 'big.bin')));
    assert.equal(await sha256File(join(dir, 'big.bin')), got.sha256);
    const receiverPeak = peakRss(r.child.pid);
    assert.ok(receiverPeak < 150 * 1024 * 1024, `receiver peak RSS ${receiverPeak}`);
    assert.ok(senderPeak < 150 * 1024 * 1024, `sender peak RSS ${senderPeak}`);
  } finally {
    await r.stop();
    rmSync(join(src, 'big.bin'), { force: true });
  }
});

test('a declining receiver answers 403 and keeps nothing', async () => {
  const src = folder('src-decline');
  writeFileSync(join(src, 'a.txt'), 'a');
  const { r, dir, target } = await receiver('dst-decline', ['--decline']);
  try {
    const sent = await runPeer(['send', target, join(src, 'a.txt')]);
    assert.equal(sent.code, 1);
    assert.equal(sent.events[0].status, 403);
    assert.deepEqual(listAll(dir), []);
  } finally {
    await r.stop();
  }
});

test('PIN: none or wrong is 401, the right one is accepted', async () => {
  const src = folder('src-pin');
  writeFileSync(join(src, 'a.txt'), 'a');
  const { r, dir, target } = await receiver('dst-pin', ['--pin', '4711']);
  try {
    for (const extra of [[], ['--pin', '1234']]) {
      const sent = await runPeer(['send', target, join(src, 'a.txt'), ...extra]);
      assert.equal(sent.events[0].status, 401, JSON.stringify(sent.events));
    }
    const sent = await runPeer(['send', target, join(src, 'a.txt'), '--pin', '4711']);
    assert.equal(sent.code, 0, JSON.stringify(sent.events));
    assert.deepEqual(listAll(dir), ['a.txt']);
  } finally {
    await r.stop();
  }
});

test('a second session while one is open is 409; zero files is 204', async () => {
  const src = folder('src-busy');
  writeFileSync(join(src, 'a.txt'), 'a');
  const { r, port, target } = await receiver('dst-busy');
  try {
    const info = { alias: 'x', version: '2.0', deviceType: 'headless', fingerprint: 'f',
      port: 1, protocol: 'https' };
    const none = await request({ host: '127.0.0.1', port, path: `${API}/prepare-upload` },
      { info, files: {} });
    assert.equal(none.status, 204);
    const first = await request({ host: '127.0.0.1', port, path: `${API}/prepare-upload` },
      { info, files: { one: { id: 'one', fileName: 'one.txt', size: 1, fileType: 'text/plain' } } });
    assert.equal(first.status, 200);
    const sent = await runPeer(['send', target, join(src, 'a.txt')]);
    assert.equal(sent.events[0].status, 409);
    const cancel = await request({ host: '127.0.0.1', port,
      path: `${API}/cancel?sessionId=${first.json.sessionId}` });
    assert.equal(cancel.status, 200);
    const again = await runPeer(['send', target, join(src, 'a.txt')]);
    assert.equal(again.code, 0, JSON.stringify(again.events));
  } finally {
    await r.stop();
  }
});

test('cancel mid-file: the receiver drops the file and its .part', async () => {
  const src = folder('src-cancel');
  bigFile(join(src, 'c.bin'), 16 * 1024 * 1024);
  const { r, dir, target } = await receiver('dst-cancel');
  try {
    const sent = await runPeer(['send', target, join(src, 'c.bin'), '--cancel-after', '3000000']);
    const cancel = sent.events.find((e) => e.event === 'cancel');
    assert.equal(cancel?.status, 200, JSON.stringify(sent.events));
    assert.equal(cancel.bytes, 3000000);
    assert.equal(sent.code, 0);
    const failed = await r.waitFor('file-failed');
    assert.ok(failed.bytes > 0 && failed.bytes <= 3000000, JSON.stringify(failed));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(listAll(dir), []);
  } finally {
    await r.stop();
  }
});

test('more bytes than announced is 400 and nothing is kept', async () => {
  const src = folder('src-over');
  writeFileSync(join(src, 'o.txt'), 'twelve bytes');
  const { r, dir, target } = await receiver('dst-over');
  try {
    const sent = await runPeer(['send', target, join(src, 'o.txt'), '--extra-bytes', '100']);
    assert.equal(sent.code, 1);
    assert.equal(sent.events.find((e) => e.event === 'upload').status, 400, JSON.stringify(sent.events));
    await r.waitFor('file-failed');
    assert.deepEqual(listAll(dir), []);
  } finally {
    await r.stop();
  }
});

test('a wrong token is 403', async () => {
  const src = folder('src-token');
  writeFileSync(join(src, 't.txt'), 't');
  const { r, dir, target } = await receiver('dst-token');
  try {
    const sent = await runPeer(['send', target, join(src, 't.txt'), '--wrong-token']);
    assert.equal(sent.events.find((e) => e.event === 'upload').status, 403);
    assert.deepEqual(listAll(dir), []);
  } finally {
    await r.stop();
  }
});

test('traversal and absolute names are refused with 400', async () => {
  const src = folder('src-names');
  writeFileSync(join(src, 'n.txt'), 'n');
  const { r, dir, target } = await receiver('dst-names');
  try {
    for (const name of ['../evil.txt', '/etc/evil', 'a/../../evil', 'a//b', '.', 'a\\..\\b', '']) {
      const sent = await runPeer(['send', target, join(src, 'n.txt'), '--name', name]);
      assert.equal(sent.events[0].status, 400, `${JSON.stringify(name)}: ${JSON.stringify(sent.events)}`);
    }
    assert.deepEqual(listAll(dir), []);
    assert.ok(!existsSync(join(work.root, 'evil.txt')));
  } finally {
    await r.stop();
  }
});

test('hostile requests: bad JSON, huge bodies, missing parameters, strange sizes', async () => {
  const { r, port, fingerprint } = await receiver('dst-hostile');
  const at = (path) => ({ host: '127.0.0.1', port, path });
  try {
    assert.equal((await request(at(`${API}/prepare-upload`), '{"info":')).status, 400);
    assert.equal((await request(at(`${API}/prepare-upload`), 'x'.repeat(70000))).status, 413);
    assert.equal((await request(at(`${API}/upload?sessionId=a`), Buffer.from('x'))).status, 400);
    assert.equal((await request(at(`${API}/upload?sessionId=a&fileId=b&token=c`),
      Buffer.from('x'))).status, 403);
    assert.equal((await request(at(`${API}/cancel?sessionId=nope`))).status, 403);
    const info = { alias: 'x' };
    for (const size of [-1, 1.5, '3', 2 ** 60, null]) {
      const answer = await request(at(`${API}/prepare-upload`),
        { info, files: { a: { id: 'a', fileName: 'a', size, fileType: 'x' } } });
      assert.equal(answer.status, 400, `size ${size}`);
    }
    const mismatched = await request(at(`${API}/prepare-upload`),
      { info, files: { a: { id: 'b', fileName: 'a', size: 1, fileType: 'x' } } });
    assert.equal(mismatched.status, 400);
    const infoAnswer = await request({ ...at(`${API}/info`), method: 'GET' });
    assert.equal(infoAnswer.status, 200);
    assert.equal(infoAnswer.json.fingerprint, fingerprint);
    assert.equal(infoAnswer.fingerprint, fingerprint);
    const registered = await request(at(`${API}/register`), { alias: 'Someone', version: '2.0',
      deviceType: 'desktop', fingerprint: 'abc', port: 53317, protocol: 'https' });
    assert.equal(registered.status, 200);
    assert.equal(registered.json.alias, 'LocalSend Peer');
    assert.equal((await r.waitFor('register')).alias, 'Someone');
  } finally {
    await r.stop();
  }
});

test('a name that cannot be made fails that file only, and the peer keeps running', async () => {
  const src = folder('src-clash');
  writeFileSync(join(src, 'x.txt'), 'x');
  writeFileSync(join(src, 'y.txt'), 'y');
  const { r, dir, target } = await receiver('dst-clash');
  try {
    const sent = await runPeer(['send', target, join(src, 'x.txt'), join(src, 'y.txt'),
      '--name', 'a', '--name', 'a/b']);
    const statuses = sent.events.filter((e) => e.event === 'upload').map((e) => e.status);
    assert.deepEqual(statuses, [200, 500], JSON.stringify(sent.events));
    assert.deepEqual(listAll(dir), ['a']);
    const again = await runPeer(['send', target, join(src, 'y.txt')]);
    assert.equal(again.code, 0, JSON.stringify(again.events));
  } finally {
    await r.stop();
  }
});
