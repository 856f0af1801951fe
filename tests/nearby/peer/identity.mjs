// identity.mjs: who this peer is on the LAN. Its TLS certificate is self-signed and made by the
// openssl CLI in a temporary folder (removed at once: the PEM text stays in memory). LocalSend's
// fingerprint of an HTTPS device is the SHA-256 of its certificate (DER), written in hex; the
// official app writes it in upper case, and so does this peer.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROTOCOL_VERSION = '2.0';
export const DEFAULT_PORT = 53317;
export const MULTICAST_GROUP = '224.0.0.167';

export function certificateFingerprint (der) {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

export function makeIdentity ({ alias = 'LocalSend Peer', protocol = 'https' } = {}) {
  if (protocol === 'http')
    return { alias, protocol, fingerprint: randomBytes(16).toString('hex') };

  const dir = mkdtempSync(join(tmpdir(), 'localsend-peer-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec',
      '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
      '-subj', '/CN=LocalSend Peer',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const fingerprint = certificateFingerprint(new X509Certificate(cert).raw);
    return { alias, protocol, cert, key, fingerprint };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The device object of the announcement, register and prepare-upload's "info".
export function deviceInfo (identity, port, extra = {}) {
  return {
    alias: identity.alias,
    version: PROTOCOL_VERSION,
    deviceModel: 'Node',
    deviceType: 'headless',
    fingerprint: identity.fingerprint,
    port,
    protocol: identity.protocol,
    download: false,
    ...extra,
  };
}
