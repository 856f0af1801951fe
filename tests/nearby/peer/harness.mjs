// harness.mjs: runs localsend-peer.mjs (and other programs printing JSON lines) as child
// processes for the node tests, and collects their events.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync,
  rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './client.mjs';

export const PEER = fileURLToPath(new URL('../localsend-peer.mjs', import.meta.url));

// A child whose JSON lines land in .events; waitFor resolves on the first matching one.
export function start (command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const events = [];
  const waiters = [];
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => {
    stdout += text;
    let newline;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      if (!line.startsWith('{'))
        continue;
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => { stderr += text; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    events,
    exited,
    get stderr () { return stderr; },
    waitFor (match, ms = 30000) {
      const predicate = typeof match === 'string' ? (e) => e.event === match : match;
      const found = events.find(predicate);
      if (found)
        return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(
          `no such event in ${ms} ms; got ${JSON.stringify(events)}; stderr: ${stderr}`)), ms);
        waiters.push({ match: predicate, resolve: (e) => { clearTimeout(timer); resolve(e); } });
        exited.then(() => setTimeout(() => {
          clearTimeout(timer);
          reject(new Error(`exited without it; got ${JSON.stringify(events)}; stderr: ${stderr}`));
        }, 100));
      });
    },
    stop () {
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGTERM');
      return exited;
    },
  };
}

export function peer (args, options) {
  return start(process.execPath, [PEER, ...args], options);
}

// Runs a peer to its end: { code, events, stderr }.
export async function runPeer (args, options) {
  const p = peer(args, options);
  const { code } = await p.exited;
  return { code, events: p.events, stderr: p.stderr };
}

export async function sha256File (path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path))
    hash.update(chunk);
  return hash.digest('hex');
}

// The peak resident memory of a running process, in bytes (Linux).
export function peakRss (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

// A temporary folder for one test file: folder(name) makes a subfolder, remove() drops it all.
export function workspace (prefix) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    folder (name) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    remove () {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// Every file under dir, as sorted "sub/name" paths.
export function listAll (dir, prefix = '') {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory())
      found.push(...listAll(join(dir, entry.name), rel));
    else
      found.push(rel);
  }
  return found.sort();
}

// A file of size bytes: one random MiB repeated, cheap to make, yet a byte at a wrong offset
// changes its SHA-256.
export function bigFile (path, size) {
  const block = randomBytes(1024 * 1024);
  const fd = openSync(path, 'w');
  for (let done = 0; done < size; done += block.length)
    writeSync(fd, block, 0, Math.min(block.length, size - done));
  closeSync(fd);
}

// A headless ShareSync receiving into DIR over LocalSend (Nearby on, any free port): resolves
// with the port its `discovering` event names, once its API answers there. A port picked here
// and handed over could be taken meanwhile, and the app would then listen on another one.
export async function receivingApp (bin, { dir, dataDir, extra = [] }) {
  const env = { ...process.env, SHARESYNC_LOCALSEND_PORT: '0', SHARESYNC_NEARBY: '1' };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const app = start(bin, ['--headless', '--port', '0', '--bind', '127.0.0.1', '--data-dir', dataDir,
    '--receive', dir, ...extra], { env });
  try {
    const { port } = await app.waitFor('discovering');
    const answer = await request({ host: '127.0.0.1', port, method: 'GET',
      path: '/api/localsend/v2/info', timeout: 5000 });
    if (answer.status !== 200)
      throw new Error(`info answered ${answer.status}`);
    return { app, dir, port, target: `127.0.0.1:${port}`, info: answer.json,
      certificate: answer.fingerprint };
  } catch (error) {
    await app.stop();
    throw new Error(`ShareSync's LocalSend API never answered (${error.message}); ` +
      `events ${JSON.stringify(app.events)}; stderr ${app.stderr}`);
  }
}
