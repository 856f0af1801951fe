// test-peer-trust.mjs: `sharesync --headless --receive DIR --trust DEVICE / --block DEVICE`
// against the independent LocalSend peer, over HTTPS on 127.0.0.1. The trusted device is a
// `localsend-peer.mjs receive` (its own certificate, serving its info) and a `send` that claims
// its fingerprint and port, as one LocalSend app does; a stranger sends without that identity.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { peer, runPeer, start, workspace, receivingApp as receiveInto } from './peer/harness.mjs';

const API = '/api/localsend/v2';
const BIN = process.env.SSYNC_BIN;
const help = BIN ? execFileSync(BIN, ['--help-all'], { encoding: 'utf8' }) : '';
for (const option of ['--trust', '--block'])
  assert.ok(help.includes(option), `sharesync --help-all lists ${option}`);
const work = workspace('peer-trust-');
after(() => work.remove());

// A headless ShareSync receiving into DIR (no --accept-all).
function receivingApp (name, extra) {
  return receiveInto(BIN, { dir: work.folder(name), dataDir: work.folder(`${name}-data`), extra });
}

// The trusted device's own server: its fingerprint and the port it serves its info on.
async function trustedDevice () {
  const server = peer(['receive', work.folder('device-inbox'), '--port', '0',
    '--bind', '127.0.0.1']);
  const listening = await server.waitFor('listening');
  return { server, fingerprint: listening.fingerprint, port: String(listening.port) };
}

function file (name) {
  const path = join(work.folder('outbox'), name);
  writeFileSync(path, `contents of ${name}`);
  return path;
}

function prepareStatus (sent) {
  return sent.events.find((e) => e.event === 'prepare-upload')?.status;
}

test('--trust: the device that proves its fingerprint is accepted, a stranger declined', async () => {
  const device = await trustedDevice();
  const { app, dir, target } = await receivingApp('trust', ['--trust', device.fingerprint]);
  try {
    const said = await app.waitFor('device-trusted');
    assert.equal(said.fingerprint, device.fingerprint.toUpperCase());

    const sent = await runPeer(['send', target, file('from-friend.txt'),
      '--fingerprint', device.fingerprint, '--port', device.port]);
    assert.equal(sent.code, 0, JSON.stringify(sent.events));
    assert.equal(prepareStatus(sent), 200);
    assert.ok(existsSync(join(dir, 'from-friend.txt')));

    const stranger = await runPeer(['send', target, file('from-stranger.txt')]);
    assert.equal(prepareStatus(stranger), 403, JSON.stringify(stranger.events));
    assert.ok(!existsSync(join(dir, 'from-stranger.txt')));

    // The fingerprint alone is not enough: the server it names must hold the key.
    const liar = await runPeer(['send', target, file('from-liar.txt'),
      '--fingerprint', device.fingerprint, '--port', target.split(':')[1]]);
    assert.equal(prepareStatus(liar), 403, JSON.stringify(liar.events));
    assert.ok(!existsSync(join(dir, 'from-liar.txt')));
  } finally {
    await app.stop();
    await device.server.stop();
  }
});

test('--block: the device is refused with 403 and the refusal is said', async () => {
  const device = await trustedDevice();
  const { app, dir, target } = await receivingApp('block',
    ['--block', device.fingerprint, '--accept-all']);
  try {
    await app.waitFor('device-blocked');
    const sent = await runPeer(['send', target, file('blocked.txt'),
      '--fingerprint', device.fingerprint, '--port', device.port]);
    assert.equal(prepareStatus(sent), 403, JSON.stringify(sent.events));
    assert.ok(!existsSync(join(dir, 'blocked.txt')));
    const refused = await app.waitFor((e) => e.event === 'device-blocked' && e.address);
    assert.equal(refused.fingerprint, device.fingerprint.toUpperCase());
    assert.equal(refused.address, '127.0.0.1');
  } finally {
    await app.stop();
    await device.server.stop();
  }
});

test('a bad fingerprint is a usage error', async () => {
  const app = start(BIN, ['--headless', '--trust', 'not-a-fingerprint', '--receive',
    work.folder('bad')]);
  const { code } = await app.exited;
  assert.equal(code, 2);
  assert.equal(app.stderr.trim().split('\n').length, 1, app.stderr);
});
