// test-peer-announce.mjs: ShareSync finds the independent peer by its multicast announcement
// and answers it with a register request to the peer's HTTPS server, across two network
// namespaces joined by a veth pair (198.18.0.0/15; lo has no multicast). Needs root and
// iproute2, like the other namespace tests: fails, not skips, without them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PEER, start, workspace } from './peer/harness.mjs';

const BIN = process.env.SSYNC_BIN;
const tag = `${process.pid % 100000}`;
const nsA = `ssync-peera-${tag}`;
const nsB = `ssync-peerb-${tag}`;
const addrA = '198.18.11.1';
const addrB = '198.18.11.2';
const work = workspace('peer-announce-');

function ip (...args) {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

after(() => {
  for (const ns of [nsA, nsB]) {
    try {
      ip('netns', 'del', ns);
    } catch {}
  }
  work.remove();
});

test('ShareSync finds the peer by its announcement and registers with it', async () => {
  assert.equal(process.getuid(), 0, 'the namespace test makes network namespaces: run it as root');
  ip('netns', 'add', nsA);
  ip('netns', 'add', nsB);
  ip('link', 'add', `pa${tag}`, 'type', 'veth', 'peer', 'name', `pb${tag}`);
  ip('link', 'set', `pa${tag}`, 'netns', nsA);
  ip('link', 'set', `pb${tag}`, 'netns', nsB);
  ip('-n', nsA, 'addr', 'add', `${addrA}/24`, 'dev', `pa${tag}`);
  ip('-n', nsB, 'addr', 'add', `${addrB}/24`, 'dev', `pb${tag}`);
  for (const [ns, dev] of [[nsA, `pa${tag}`], [nsB, `pb${tag}`]]) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'set', dev, 'up');
  }

  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const receiver = start('ip', ['netns', 'exec', nsA, process.execPath, PEER, 'receive',
    work.folder('in'), '--port', '53317', '--bind', addrA, '--alias', 'Peer – ünï']);
  const app = start('ip', ['netns', 'exec', nsB, BIN, '--headless', '--discover=5',
    '--alias', 'Bob', '--data-dir', join(work.root, 'b')], { env });
  try {
    const listening = await receiver.waitFor('listening');
    const me = await app.waitFor('discovering');
    const announcer = start('ip', ['netns', 'exec', nsA, process.execPath, PEER, 'announce',
      '--alias', 'Peer – ünï', '--port', String(listening.port),
      '--fingerprint', listening.fingerprint, '--interface', addrA, '--listen', '3']);
    const announced = await announcer.waitFor('announced');
    assert.equal(announced.fingerprint, listening.fingerprint);

    const found = await app.waitFor((e) => e.event === 'device-found' &&
      e.fingerprint === listening.fingerprint, 10000);
    assert.equal(found.alias, 'Peer – ünï');
    assert.equal(found.address, addrA);
    assert.equal(found.port, listening.port);
    assert.equal(found.protocol, 'https');
    assert.equal(found.device_type, 'headless');

    // ShareSync answers an announcement with a register request to the announcer's server.
    const registered = await receiver.waitFor('register', 10000);
    assert.equal(registered.from, addrB);
    assert.equal(registered.alias, 'Bob');
    assert.equal(registered.fingerprint, me.fingerprint);
    assert.equal(registered.port, me.port);
    await announcer.exited;
    const { code } = await app.exited;
    assert.equal(code, 0, app.stderr);
  } finally {
    await app.stop();
    await receiver.stop();
  }
});
