// receiver.mjs: the receiving half of LocalSend v2 (spec 3.2, 4.1-4.3, 6.1) as an HTTPS server:
// info, register, prepare-upload, upload, cancel. Everything from the network is a stranger's:
// JSON bodies are capped, names are checked (no traversal, no absolute paths), upload bodies are
// streamed to a ".part" that only becomes the file when its size (and SHA-256 when announced)
// match. One session at a time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { deviceInfo } from './identity.mjs';

const API = '/api/localsend/v2';
const MAX_JSON = 64 * 1024;
const MAX_FILES = 10000;

// A fileName as a list of safe path segments, or null. "/" separates folders (and "\" is
// refused outright rather than guessed at).
export function safeSegments (name) {
  if (typeof name !== 'string' || name.length === 0 || name.length > 4096)
    return null;
  if (name.includes('\\') || name.includes('\0') || name.startsWith('/'))
    return null;
  const segments = name.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..' ||
        Buffer.byteLength(segment) > 255 || /[\x00-\x1f]/.test(segment))
      return null;
  }
  return segments;
}

function clientAddress (req) {
  const address = req.socket.remoteAddress || '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function sameToken (a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

function reply (res, status, body) {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json',
    'content-length': Buffer.byteLength(data), connection: 'close' });
  res.end(data);
}

function readJson (req) {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] || 0);
    if (declared > MAX_JSON) {
      resolve({ tooLarge: true });
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_JSON) {
        req.pause();
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve({ json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ json: undefined });
      }
    });
    req.on('error', () => resolve({ json: undefined }));
  });
}

// The announced files, checked; an error string when the body is not acceptable.
function checkFiles (files) {
  if (typeof files !== 'object' || files === null || Array.isArray(files))
    return { error: 'files is not an object' };
  const ids = Object.keys(files);
  if (ids.length > MAX_FILES)
    return { error: 'too many files' };
  const checked = [];
  const names = new Set();
  for (const id of ids) {
    const file = files[id];
    if (typeof file !== 'object' || file === null || file.id !== id)
      return { error: `file ${JSON.stringify(id).slice(0, 80)} is malformed` };
    if (!Number.isSafeInteger(file.size) || file.size < 0)
      return { error: 'bad size' };
    const segments = safeSegments(file.fileName);
    if (!segments)
      return { error: `refused name ${JSON.stringify(file.fileName).slice(0, 200)}` };
    const joined = segments.join('/');
    if (names.has(joined))
      return { error: 'the same name twice' };
    names.add(joined);
    if (file.sha256 !== undefined && file.sha256 !== null &&
        (typeof file.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(file.sha256)))
      return { error: 'bad sha256' };
    checked.push({ id, fileName: file.fileName, segments, size: file.size,
      sha256: file.sha256 ? file.sha256.toLowerCase() : null });
  }
  return { files: checked };
}

// Links the .part to the first free "name", "name (2)", ... so nothing is overwritten.
async function keep (part, wanted) {
  const dot = wanted.lastIndexOf('.');
  const slash = wanted.lastIndexOf('/');
  const stem = dot > slash + 1 ? wanted.slice(0, dot) : wanted;
  const ext = dot > slash + 1 ? wanted.slice(dot) : '';
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? wanted : `${stem} (${n})${ext}`;
    try {
      await fsp.link(part, candidate);
      await fsp.unlink(part);
      return candidate;
    } catch (error) {
      if (error.code !== 'EEXIST')
        throw error;
    }
  }
  throw new Error('no free name');
}

export function startReceiver ({ dir, identity, port = 0, bind = '0.0.0.0', pin = null,
  decline = false, once = false }, emit) {
  let session = null;

  function finishIfDone () {
    if (!session)
      return;
    const files = [...session.files.values()];
    if (files.some((f) => f.state === 'pending' || f.state === 'receiving'))
      return;
    emit({ event: 'session-finished', sessionId: session.id,
      received: files.filter((f) => f.state === 'done').length,
      failed: files.filter((f) => f.state === 'failed').length });
    session = null;
    if (once)
      server.close();
  }

  async function prepareUpload (req, res, url) {
    const from = clientAddress(req);
    const { json, tooLarge } = await readJson(req);
    if (tooLarge)
      return reply(res, 413, { message: 'body too large' });
    if (pin !== null && url.searchParams.get('pin') !== pin) {
      emit({ event: 'prepare-upload', status: 401, from });
      return reply(res, 401, { message: 'PIN required' });
    }
    if (typeof json !== 'object' || json === null || typeof json.info !== 'object' ||
        json.info === null) {
      emit({ event: 'prepare-upload', status: 400, from, error: 'bad body' });
      return reply(res, 400, { message: 'Invalid body' });
    }
    const checked = checkFiles(json.files);
    if (checked.error) {
      emit({ event: 'prepare-upload', status: 400, from, error: checked.error });
      return reply(res, 400, { message: 'Invalid body' });
    }
    if (session) {
      emit({ event: 'prepare-upload', status: 409, from });
      return reply(res, 409, { message: 'Blocked by another session' });
    }
    const alias = typeof json.info.alias === 'string' ? json.info.alias.slice(0, 256) : null;
    const listed = checked.files.map((f) => ({ id: f.id, fileName: f.fileName, size: f.size }));
    if (decline) {
      emit({ event: 'prepare-upload', status: 403, from, alias, files: listed });
      return reply(res, 403, { message: 'Rejected' });
    }
    if (checked.files.length === 0) {
      emit({ event: 'prepare-upload', status: 204, from, alias, files: [] });
      res.writeHead(204, { connection: 'close' });
      return res.end();
    }
    session = { id: randomBytes(16).toString('hex'), ip: from, files: new Map() };
    const tokens = {};
    for (const file of checked.files) {
      file.token = randomBytes(16).toString('hex');
      file.state = 'pending';
      session.files.set(file.id, file);
      tokens[file.id] = file.token;
    }
    emit({ event: 'prepare-upload', status: 200, from, alias, sessionId: session.id,
      files: listed });
    reply(res, 200, { sessionId: session.id, files: tokens });
  }

  async function upload (req, res, url) {
    const from = clientAddress(req);
    const sessionId = url.searchParams.get('sessionId');
    const fileId = url.searchParams.get('fileId');
    const token = url.searchParams.get('token');
    if (!sessionId || !fileId || !token)
      return reply(res, 400, { message: 'Missing parameters' });
    const file = session && session.id === sessionId && session.ip === from
      ? session.files.get(fileId) : undefined;
    if (!file || !sameToken(file.token, token)) {
      emit({ event: 'upload', status: 403, from, fileId });
      return reply(res, 403, { message: 'Invalid token or IP address' });
    }
    if (file.state !== 'pending') {
      emit({ event: 'upload', status: 409, from, fileId });
      return reply(res, 409, { message: 'Blocked' });
    }
    file.state = 'receiving';
    const owner = session;
    const target = join(dir, ...file.segments);
    const part = `${target}.${randomBytes(6).toString('hex')}.part`;
    try {
      await fsp.mkdir(dirname(target), { recursive: true });
    } catch (error) {
      // "a" and "a/b" in one session, say: the second cannot be made.
      file.state = 'failed';
      req.resume();
      emit({ event: 'file-failed', fileId, fileName: file.fileName, bytes: 0, status: 500,
        error: error.message });
      reply(res, 500, { message: 'Unknown error by receiver' });
      finishIfDone();
      return;
    }
    const out = createWriteStream(part, { flags: 'wx' });
    const hash = createHash('sha256');
    let bytes = 0;
    let over = false;
    file.abort = () => {
      req.destroy();
    };

    const failed = async (status, why) => {
      file.state = 'failed';
      // The stream opens its file asynchronously: removed before that, the .part would be
      // made again by the open. Wait until it is closed.
      if (!out.closed)
        await new Promise((resolve) => { out.once('close', resolve); out.destroy(); });
      await fsp.rm(part, { force: true });
      emit({ event: 'file-failed', fileId, fileName: file.fileName, bytes, status, error: why });
      if (status && !res.headersSent) {
        res.once('finish', () => req.destroy());
        reply(res, status, { message: why });
      } else {
        req.destroy();
      }
      if (session === owner)
        finishIfDone();
    };

    out.on('error', (error) => {
      if (file.state === 'receiving')
        failed(500, error.message);
    });
    req.on('data', (chunk) => {
      if (over)
        return;
      bytes += chunk.length;
      if (bytes > file.size) {
        over = true;
        req.pause();
        failed(400, 'more bytes than announced');
        return;
      }
      hash.update(chunk);
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    let ended = false;
    req.on('close', () => {
      if (!ended && file.state === 'receiving')
        failed(null, session === owner ? 'connection cut' : 'cancelled');
    });
    req.on('end', () => {
      ended = true;
      if (over || file.state !== 'receiving')
        return;
      out.end(async () => {
        if (file.state !== 'receiving')
          return;
        const digest = hash.digest('hex');
        if (bytes !== file.size)
          return failed(400, `${bytes} bytes of ${file.size}`);
        if (file.sha256 && file.sha256 !== digest)
          return failed(400, 'sha256 differs');
        try {
          const path = await keep(part, target);
          file.state = 'done';
          emit({ event: 'received', fileId, fileName: file.fileName, size: bytes, sha256: digest,
            path });
          reply(res, 200);
        } catch (error) {
          return failed(500, error.message);
        }
        if (session === owner)
          finishIfDone();
      });
    });
  }

  function cancel (req, res, url) {
    const from = clientAddress(req);
    req.resume();
    const sessionId = url.searchParams.get('sessionId');
    if (!session || session.id !== sessionId || session.ip !== from) {
      emit({ event: 'cancel', status: 403, from });
      return reply(res, 403, { message: 'No such session' });
    }
    const ended = session;
    session = null;
    for (const file of ended.files.values()) {
      if (file.state === 'receiving') {
        file.abort?.();
      } else if (file.state === 'pending') {
        file.state = 'failed';
      }
    }
    emit({ event: 'cancel', status: 200, from, sessionId });
    reply(res, 200);
    if (once)
      setTimeout(() => server.close(), 500);
  }

  async function register (req, res) {
    const from = clientAddress(req);
    const { json, tooLarge } = await readJson(req);
    if (tooLarge)
      return reply(res, 413, { message: 'body too large' });
    if (typeof json !== 'object' || json === null || typeof json.alias !== 'string')
      return reply(res, 400, { message: 'Invalid body' });
    emit({ event: 'register', from, alias: json.alias.slice(0, 256),
      fingerprint: typeof json.fingerprint === 'string' ? json.fingerprint.slice(0, 128) : null,
      port: json.port, protocol: json.protocol });
    const { port: _port, protocol: _protocol, ...info } = deviceInfo(identity, actualPort);
    reply(res, 200, info);
  }

  function handle (req, res) {
    let url;
    try {
      url = new URL(req.url, 'https://peer');
    } catch {
      return reply(res, 400, { message: 'bad URL' });
    }
    const route = `${req.method} ${url.pathname}`;
    let work;
    switch (route) {
      case `GET ${API}/info`:
        req.resume();
        return reply(res, 200, (({ port: _a, protocol: _b, ...info }) => info)(
          deviceInfo(identity, actualPort)));
      case `POST ${API}/register`:
        work = register(req, res);
        break;
      case `POST ${API}/prepare-upload`:
        work = prepareUpload(req, res, url);
        break;
      case `POST ${API}/upload`:
        work = upload(req, res, url);
        break;
      case `POST ${API}/cancel`:
        return cancel(req, res, url);
      default:
        req.resume();
        return reply(res, 404, { message: 'Not found' });
    }
    work.catch((error) => {
      emit({ event: 'error', route, error: error.message });
      if (!res.headersSent)
        reply(res, 500, { message: 'Unknown error by receiver' });
    });
  }

  const server = identity.protocol === 'http'
    ? http.createServer(handle)
    : https.createServer({ key: identity.key, cert: identity.cert }, handle);
  server.requestTimeout = 0;
  let actualPort = port;
  const listening = new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bind, () => {
      actualPort = server.address().port;
      resolve(actualPort);
    });
  });
  return { server, listening, close: () => new Promise((resolve) => server.close(resolve)) };
}
