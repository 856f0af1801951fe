// client.mjs: one HTTP(S) request to a LocalSend device. Self-signed certificates are accepted
// (as every LocalSend client does); the certificate's SHA-256 is returned so callers can compare
// it with the fingerprint the device claims.
import http from 'node:http';
import https from 'node:https';
import { certificateFingerprint } from './identity.mjs';

// "HOST:PORT", "[V6]:PORT" or "HOST" (default port).
export function parseTarget (text, defaultPort) {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6)
    return { host: v6[1], port: v6[2] ? Number(v6[2]) : defaultPort };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.indexOf(':') === colon)
    return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  return { host: text, port: defaultPort };
}

// Starts a request; the caller writes the body. Resolves on the response with the whole
// (small) answer body, which is capped at 1 MiB since the device is a stranger.
export function openRequest ({ host, port, protocol = 'https', method = 'POST', path, headers = {},
  timeout = 30000 }) {
  const lib = protocol === 'http' ? http : https;
  const req = lib.request({
    host, port, method, path, headers,
    rejectUnauthorized: false,
    agent: false,
    timeout,
  });
  const response = new Promise((resolve, reject) => {
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      let fingerprint = null;
      if (protocol !== 'http') {
        const peer = res.socket.getPeerCertificate?.();
        if (peer && peer.raw)
          fingerprint = certificateFingerprint(peer.raw);
      }
      const chunks = [];
      let size = 0;
      res.on('data', (chunk) => {
        size += chunk.length;
        if (size > 1024 * 1024) {
          res.destroy();
          reject(new Error('answer too large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try {
          json = body ? JSON.parse(body) : null;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode, headers: res.headers, body, json, fingerprint });
      });
      res.on('error', reject);
    });
  });
  return { req, response };
}

export async function request (options, body) {
  const headers = { ...(options.headers || {}) };
  let data = null;
  if (body !== undefined && body !== null) {
    data = Buffer.isBuffer(body) ? body
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    if (!headers['content-type'] && !Buffer.isBuffer(body))
      headers['content-type'] = 'application/json';
  }
  headers['content-length'] = data ? data.length : 0;
  const { req, response } = openRequest({ ...options, headers });
  req.end(data ?? undefined);
  return response;
}
