// sender.mjs: the sending half of LocalSend v2 (spec 4.1-4.3). Announces the files with
// prepare-upload, then streams each accepted file with upload (never whole in memory), and can
// cancel part way or misbehave on purpose (extra bytes, a wrong token) to test a receiver.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { deviceInfo } from './identity.mjs';
import { openRequest, request } from './client.mjs';

const API = '/api/localsend/v2';
const MIME = {
  '.txt': 'text/plain', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
  '.pdf': 'application/pdf', '.mp4': 'video/mp4', '.json': 'application/json',
};

async function sha256Of (path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path))
    hash.update(chunk);
  return hash.digest('hex');
}

// Each path given: a file is sent under its base name; a folder's files under
// "folder/sub/name" (LocalSend's folder convention: "/" in fileName).
async function collect (paths) {
  const found = [];
  async function walk (root, dir) {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory())
        await walk(root, full);
      else if (entry.isFile())
        found.push({ path: full, fileName: [basename(root), ...relative(root, full).split(sep)].join('/') });
    }
  }
  for (const path of paths) {
    const stat = await fsp.stat(path);
    if (stat.isDirectory())
      await walk(path, path);
    else
      found.push({ path, fileName: basename(path) });
  }
  return found;
}

function sleep (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function send (target, paths, opts, emit) {
  const { host, port } = target;
  const protocol = opts.protocol || 'https';
  const files = await collect(paths);
  (opts.names || []).forEach((name, i) => {
    if (files[i])
      files[i].fileName = name;
  });
  const announced = {};
  for (const file of files) {
    const stat = await fsp.stat(file.path);
    file.id = randomUUID();
    file.size = stat.size;
    const meta = {
      id: file.id,
      fileName: file.fileName,
      size: file.size,
      fileType: MIME[extname(file.path).toLowerCase()] || 'application/octet-stream',
      metadata: { modified: stat.mtime.toISOString() },
    };
    if (!opts.noSha256)
      meta.sha256 = file.sha256 = await sha256Of(file.path);
    announced[file.id] = meta;
  }

  const me = { alias: opts.alias || 'LocalSend Peer', protocol,
    fingerprint: opts.fingerprint || randomBytes(32).toString('hex') };
  const query = opts.pin !== undefined ? `?pin=${encodeURIComponent(opts.pin)}` : '';
  const prepared = await request({ host, port, protocol, path: `${API}/prepare-upload${query}` },
    { info: deviceInfo(me, opts.port || 53317), files: announced });
  const sessionId = typeof prepared.json?.sessionId === 'string' ? prepared.json.sessionId : null;
  emit({ event: 'prepare-upload', status: prepared.status, sessionId, files: files.length,
    fingerprint: prepared.fingerprint });
  if (prepared.status === 204)
    return { ok: true };
  if (prepared.status !== 200 || !sessionId || typeof prepared.json.files !== 'object' ||
      prepared.json.files === null)
    return { ok: false };

  const tokens = prepared.json.files;
  let ok = true;
  let sent = 0;
  for (const [index, file] of files.entries()) {
    const token = tokens[file.id];
    if (typeof token !== 'string') {
      emit({ event: 'skipped', fileId: file.id, fileName: file.fileName });
      continue;
    }
    const extra = index === 0 ? (opts.extraBytes || 0) : 0;
    const params = new URLSearchParams({ sessionId, fileId: file.id,
      token: opts.wrongToken ? randomBytes(16).toString('hex') : token });
    const { req, response } = openRequest({ host, port, protocol,
      path: `${API}/upload?${params}`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': file.size + extra },
      timeout: 120000 });
    let answered = false;
    const settled = response.then(() => {}, () => {}).finally(() => { answered = true; });

    let cancelled = false;
    let bytes = 0;
    const limit = opts.cancelAfter;
    try {
      for await (const chunk of createReadStream(file.path, { highWaterMark: 256 * 1024 })) {
        let piece = chunk;
        if (limit !== undefined && sent + piece.length >= limit) {
          piece = piece.subarray(0, Math.max(0, limit - sent));
          cancelled = true;
        }
        // A receiver that refuses early may answer and stop reading: stop writing then too.
        if (piece.length > 0 && !req.write(piece))
          await Promise.race([
            new Promise((resolve, reject) => {
              req.once('drain', resolve);
              req.once('error', reject);
            }),
            settled,
          ]);
        bytes += piece.length;
        sent += piece.length;
        if (cancelled || answered)
          break;
      }
    } catch (error) {
      emit({ event: 'upload', fileId: file.id, fileName: file.fileName, status: null,
        bytes, error: error.message });
      return { ok: false };
    }

    if (cancelled) {
      // The bytes so far must reach the receiver before it is told: the file is then really
      // in flight when the cancel arrives.
      await sleep(300);
      const answer = await request({ host, port, protocol,
        path: `${API}/cancel?${new URLSearchParams({ sessionId })}` });
      emit({ event: 'cancel', status: answer.status, sessionId, fileId: file.id, bytes });
      req.destroy();
      return { ok: answer.status >= 200 && answer.status < 300 };
    }

    if (extra > 0 && !answered)
      req.write(Buffer.alloc(extra, 0x78));
    if (!answered)
      req.end();
    let status = null;
    let error;
    try {
      status = (await response).status;
    } catch (e) {
      error = e.message;
    }
    if (!req.writableEnded)
      req.destroy();
    const event = { event: 'upload', fileId: file.id, fileName: file.fileName, status, bytes };
    if (error)
      event.error = error;
    emit(event);
    if (status !== 200)
      ok = false;
  }
  return { ok };
}
