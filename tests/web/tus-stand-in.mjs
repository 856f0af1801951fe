// A tus 1.0.0 server in the test's own process, on a free port of 127.0.0.1, for the answers
// the app gives only under conditions a test cannot arrange (a lost response, a smaller limit per
// request, a busy server). It keeps each upload's bytes in memory and answers like the app:
// Upload-Offset, Upload-Length, and Upload-Sha256 once an upload is complete.
//
// A test steers it with hooks, each called with the request and the upload (or null) before the
// server answers; a hook that answers itself returns true. Every request is recorded in
// requests as { method, offset, length } (length: the body bytes the server kept).

import { createHash } from 'node:crypto';
import http from 'node:http';

export class TusStandIn {
  constructor() {
    this.uploads = new Map();
    this.requests = [];
    this.hooks = {};
    this.maxSize = null;
    this.maxRequestBody = Infinity;
    this.counter = 0;
    this.server = http.createServer((req, res) => this.#handle(req, res));
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${this.server.address().port}`;
    this.endpoint = `${this.origin}/files/`;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }

  // The upload whose address is url, for a test to look at or change behind the client's back.
  upload(url) {
    return this.uploads.get(new URL(url).pathname.split('/').pop()) ?? null;
  }

  // The bytes of an upload as one Buffer.
  static bytes(upload) {
    return Buffer.concat(upload.chunks);
  }

  static #answer(res, status, headers = {}) {
    res.writeHead(status, { 'Tus-Resumable': '1.0.0', 'Cache-Control': 'no-store', ...headers });
    res.end();
  }

  // Reads a request body to its end, keeping up to keep bytes (all by default); resolves with
  // what was kept.
  static readBody(req, keep = Infinity) {
    return new Promise((resolve, reject) => {
      const kept = [];
      let length = 0;
      req.on('data', (chunk) => {
        const room = keep - length;
        if (room > 0) {
          const piece = chunk.subarray(0, room);
          kept.push(piece);
          length += piece.length;
        }
      });
      req.on('end', () => resolve(Buffer.concat(kept)));
      req.on('error', reject);
    });
  }

  static offset(upload) {
    return upload.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  static #completion(upload) {
    if (TusStandIn.offset(upload) !== upload.length)
      return {};
    const sha = createHash('sha256').update(TusStandIn.bytes(upload)).digest('hex');
    return { 'Upload-Sha256': sha, 'Upload-Saved-As': encodeURIComponent(upload.name) };
  }

  async #handle(req, res) {
    const url = new URL(req.url, this.origin);
    const id = url.pathname.startsWith('/files/') ? url.pathname.slice('/files/'.length) : null;
    const upload = id ? this.uploads.get(id) ?? null : null;
    const record = { method: req.method, offset: req.headers['upload-offset'] ?? null, length: 0 };
    this.requests.push(record);

    if (await this.hooks[req.method]?.(req, res, upload, record))
      return;

    if (req.method === 'OPTIONS') {
      TusStandIn.#answer(res, 204, {
        'Tus-Version': '1.0.0',
        'Tus-Extension': 'creation,termination',
        ...(this.maxSize !== null ? { 'Tus-Max-Size': String(this.maxSize) } : {}),
      });
    } else if (req.method === 'POST' && id === '') {
      this.#create(req, res);
    } else if (upload === null) {
      await TusStandIn.readBody(req, 0);
      TusStandIn.#answer(res, 404);
    } else if (req.method === 'HEAD') {
      TusStandIn.#answer(res, 200, {
        'Upload-Offset': String(TusStandIn.offset(upload)),
        'Upload-Length': String(upload.length),
        ...TusStandIn.#completion(upload),
      });
    } else if (req.method === 'PATCH') {
      await this.#patch(req, res, upload, record);
    } else if (req.method === 'DELETE') {
      this.uploads.delete(id);
      TusStandIn.#answer(res, 204);
    } else {
      TusStandIn.#answer(res, 405);
    }
  }

  #create(req, res) {
    const length = Number(req.headers['upload-length']);
    if (this.maxSize !== null && length > this.maxSize) {
      TusStandIn.#answer(res, 413);
      return;
    }
    const metadata = Object.fromEntries((req.headers['upload-metadata'] ?? '').split(',')
      .filter(Boolean).map((pair) => {
        const [key, value = ''] = pair.split(' ');
        return [key, Buffer.from(value, 'base64').toString('utf8')];
      }));
    const id = String(++this.counter);
    const upload = {
      id,
      length,
      metadata,
      name: metadata.relativePath ?? metadata.filename ?? id,
      chunks: [],
    };
    this.uploads.set(id, upload);
    TusStandIn.#answer(res, 201, {
      Location: `/files/${id}`,
      ...TusStandIn.#completion(upload),
    });
  }

  async #patch(req, res, upload, record) {
    const offset = Number(req.headers['upload-offset']);
    const declared = Number(req.headers['content-length']);
    if (declared > this.maxRequestBody) {
      await TusStandIn.readBody(req, 0);
      TusStandIn.#answer(res, 413);
      return;
    }
    if (offset !== TusStandIn.offset(upload)) {
      await TusStandIn.readBody(req, 0);
      TusStandIn.#answer(res, 409);
      return;
    }
    const body = await TusStandIn.readBody(req, upload.length - offset);
    upload.chunks.push(body);
    record.length = body.length;
    TusStandIn.#answer(res, 204, {
      'Upload-Offset': String(TusStandIn.offset(upload)),
      ...TusStandIn.#completion(upload),
    });
  }
}
