// ShareSync direct (WebRTC) transfers in the browser: what the share page, the receive page and
// the room page (/p2p) share. A data channel carries one file at a time with a small framing
// (README, "Direct transfers"): a JSON header {"type":"file","name","path","size","sha256"?},
// the bytes in binary messages of at most 64 KiB, {"type":"end","sha256"}, and the receiver's
// {"type":"ack","sha256"} with the SHA-256 of what it got.
//
// Signaling goes over the app's /ws: with the app itself ("rtc-connect", then its "rtc-offer",
// answered "rtc-answer", our candidates as "rtc-candidate"), or relayed to another browser of a
// room ("room-signal"). Nothing here adds an ICE server: on a LAN none is needed, and the
// browser's own mDNS host names are fine (the app's webrtcbin learns the address from the
// connectivity checks).
//
// Importing this module only defines things: it touches neither the page nor the network.

import { formatSize } from '/static/common.js';
import { _, format } from '/static/i18n.js';

// webrtcbin 1.22 announces no max-message-size, so both sides keep to 64 KiB.
export const CHUNK_SIZE = 64 * 1024;
// What the sender keeps queued in the channel at most, and where it resumes.
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
// Files are read in pieces of this size and cut into messages.
const READ_SIZE = 1024 * 1024;
const CONNECT_TIMEOUT_MS = 20_000;
// How long the app gets to close the connection after the last "done".
const DONE_TIMEOUT_MS = 5_000;

// What a transfer ends with in more than one place, said the same way each time.
const CLOSED = _('The direct connection closed.');
const CANCELLED = _('The other side cancelled the transfer.');
const DROPPED = _('The connection to the computer sharing these files dropped.');

// SHA-256 computed piece by piece (WebCrypto only hashes a whole buffer at once), so a file is
// checked while it arrives and never has to be held twice.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

export class Sha256 {
  constructor() {
    this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.w = new Uint32Array(64);
    this.block = new Uint8Array(64);
    this.blockLength = 0;
    this.length = 0;
  }

  compress(bytes, offset) {
    const { w, h } = this;
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4;
      w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15];
      const b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + ch + K[i] + w[i]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }

  update(data) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    let i = 0;
    this.length += bytes.length;
    if (this.blockLength > 0) {
      const n = Math.min(64 - this.blockLength, bytes.length);
      this.block.set(bytes.subarray(0, n), this.blockLength);
      this.blockLength += n;
      i = n;
      if (this.blockLength < 64)
        return;
      this.compress(this.block, 0);
      this.blockLength = 0;
    }
    for (; i + 64 <= bytes.length; i += 64)
      this.compress(bytes, i);
    this.block.set(bytes.subarray(i), 0);
    this.blockLength = bytes.length - i;
  }

  hex() {
    const bits = this.length * 8;
    const tail = new Uint8Array(this.blockLength < 56 ? 64 : 128);
    tail.set(this.block.subarray(0, this.blockLength));
    tail[this.blockLength] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(tail.length - 4, bits >>> 0);
    for (let i = 0; i < tail.length; i += 64)
      this.compress(tail, i);
    return Array.from(this.h, (v) => v.toString(16).padStart(8, '0')).join('');
  }
}

// Why a direct transfer stopped, in words for the person.
export class DirectError extends Error {}

// What a page shows of an error that ended a direct transfer: a DirectError's message is
// written for people; anything else is a bug and shown as it is.
export function directErrorText(error) {
  return error instanceof DirectError ? error.message : String(error);
}

// A data channel as a queue of messages: text messages come out parsed, binary ones as
// ArrayBuffers. Closing or an error ends every wait with a DirectError.
export class FramedChannel {
  constructor(channel) {
    this.channel = channel;
    this.channel.binaryType = 'arraybuffer';
    this.channel.bufferedAmountLowThreshold = LOW_WATER;
    this.queue = [];
    this.waiters = [];
    this.closedError = null;
    channel.addEventListener('message', (event) => {
      let message = event.data;
      if (typeof message === 'string') {
        try {
          message = JSON.parse(message);
        } catch {
          message = { type: 'malformed' };
        }
      }
      const waiter = this.waiters.shift();
      if (waiter)
        waiter.resolve(message);
      else
        this.queue.push(message);
    });
    const closed = () => this.fail(CLOSED);
    channel.addEventListener('close', closed);
    channel.addEventListener('error', closed);
  }

  fail(message) {
    if (this.closedError !== null)
      return;
    this.closedError = new DirectError(message);
    for (const waiter of this.waiters.splice(0))
      waiter.reject(this.closedError);
    this.lowWaiter?.();
  }

  opened() {
    if (this.channel.readyState === 'open')
      return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.channel.addEventListener('open', () => resolve(), { once: true });
      this.channel.addEventListener('close',
        () => reject(new DirectError(_('The direct connection could not be opened.'))),
        { once: true });
    });
  }

  // Resolves once the other side closed the channel, or after timeoutMs.
  closed(timeoutMs) {
    if (this.channel.readyState === 'closed')
      return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.channel.addEventListener('close', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  receive() {
    if (this.queue.length > 0)
      return Promise.resolve(this.queue.shift());
    if (this.closedError !== null)
      return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  // The next text message; an "error" or "cancel" from the other side ends the transfer.
  async receiveText(expected) {
    const message = await this.receive();
    if (message instanceof ArrayBuffer)
      throw new DirectError(_('The other side sent data where a message was expected.'));
    if (message.type === 'error' || message.type === 'cancel')
      throw new DirectError(message.message ?? CANCELLED);
    if (expected !== undefined && message.type !== expected)
      throw new DirectError(format(_('The other side sent “%s” instead of “%s”.'),
        String(message.type), expected));
    return message;
  }

  sendJSON(object) {
    if (this.closedError !== null)
      throw this.closedError;
    this.channel.send(JSON.stringify(object));
  }

  // Resolves once the channel's queue is under its low-water mark (or it closed).
  drained() {
    if (this.channel.bufferedAmount <= HIGH_WATER)
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.channel.removeEventListener('bufferedamountlow', done);
        this.lowWaiter = null;
        resolve();
      };
      this.lowWaiter = done;
      this.channel.addEventListener('bufferedamountlow', done);
    });
  }

  // Sends header, the bytes of blob and "end"; resolves with the receiver's "ack" once its
  // SHA-256 is the one sent. onProgress(bytes) follows the bytes handed to the channel;
  // waitReady waits for the receiver's "ready" before the first byte.
  async sendFile(blob, header, { onProgress, waitReady = false } = {}) {
    this.sendJSON({ type: 'file', ...header, size: blob.size });
    if (waitReady) {
      // A receive share answers an offer with "ready" once it made room for the file.
      await this.receiveText('ready');
    }
    const hash = new Sha256();
    let sent = 0;
    for (let offset = 0; offset < blob.size; offset += READ_SIZE) {
      const piece = new Uint8Array(await blob.slice(offset, offset + READ_SIZE).arrayBuffer());
      hash.update(piece);
      for (let i = 0; i < piece.length; i += CHUNK_SIZE) {
        await this.drained();
        if (this.closedError !== null)
          throw this.closedError;
        this.channel.send(piece.subarray(i, i + CHUNK_SIZE));
        sent += Math.min(CHUNK_SIZE, piece.length - i);
      }
      onProgress?.(sent);
    }
    const sha256 = hash.hex();
    this.sendJSON({ type: 'end', sha256 });
    const ack = await this.receiveText('ack');
    if (ack.sha256 !== sha256)
      throw new DirectError(
        _('The file arrived damaged: its SHA-256 differs on the other side.'));
    return { ...ack, sha256 };
  }

  // Receives the bytes announced by header (a "file" message) up to "end" into sink (see
  // openDownloadSink), piece by piece as they arrive; once the SHA-256 matches the sender's
  // (and the header's, when it had one) the sink is closed and the file acknowledged. Resolves
  // with { sha256 }, and blob when no sink was given (the file is then held in memory). On
  // failure the sink is left to the caller to abort.
  async receiveFile(header, onProgress, sink = new BlobSink()) {
    const size = Number(header.size);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new DirectError(_('The other side announced a file without a valid size.'));
    const hash = new Sha256();
    let received = 0;
    for (;;) {
      const message = await this.receive();
      if (message instanceof ArrayBuffer) {
        received += message.byteLength;
        if (received > size)
          throw new DirectError(_('The file is larger than announced.'));
        hash.update(message);
        // The sink may take the buffer (a worker's port transfers it): hashed first.
        await sink.write(message);
        onProgress?.(received);
        continue;
      }
      if (message.type === 'error' || message.type === 'cancel')
        throw new DirectError(message.message ?? CANCELLED);
      if (message.type !== 'end')
        throw new DirectError(format(_('Unexpected “%s” in the middle of a file.'),
          String(message.type)));
      const sha256 = hash.hex();
      if (received !== size)
        throw new DirectError(_('The file arrived incomplete.'));
      if (message.sha256 !== sha256 || (header.sha256 && header.sha256 !== sha256)) {
        this.sendJSON({ type: 'error', message: 'SHA-256 mismatch' });
        throw new DirectError(_('The file arrived damaged: its SHA-256 does not match.'));
      }
      await sink.close();
      this.sendJSON({ type: 'ack', sha256 });
      return { sha256, blob: sink.blob };
    }
  }
}

// The WebSocket of this page's server, opened; messages are parsed into objects.
export function openSignaling() {
  // Not a template literal: xgettext 0.21 reads the "//" after a substitution as a comment
  // and then misses every string below.
  const url = new URL('/ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url.href);
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(ws), { once: true });
    ws.addEventListener('error',
      () => reject(new DirectError(_('Cannot reach the computer sharing these files.'))),
      { once: true });
  });
}

export function sendSignal(ws, object) {
  if (ws.readyState === WebSocket.OPEN)
    ws.send(JSON.stringify(object));
}

function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new DirectError(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function newPeerConnection() {
  return new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
}

// Sends pc's candidates with send(candidate, sdpMLineIndex), but only once release() was
// called: candidates gathered while the description is on its way would otherwise reach the
// other side before it, and be lost.
export function trickleCandidates(pc, send) {
  let held = [];
  pc.addEventListener('icecandidate', (event) => {
    if (event.candidate === null)
      return;
    const candidate = [event.candidate.candidate, event.candidate.sdpMLineIndex ?? 0];
    if (held === null)
      send(...candidate);
    else
      held.push(candidate);
  });
  return {
    release() {
      const waiting = held ?? [];
      held = null;
      for (const candidate of waiting)
        send(...candidate);
    },
  };
}

// Asks the app for a direct connection to the share of token; resolves with
// { channel: FramedChannel, close() } once its data channel is open.
export async function connectToApp(token) {
  const ws = await openSignaling();
  const pc = newPeerConnection();
  let channel = null;
  let failed = null;
  const close = () => {
    channel?.fail(CLOSED);
    pc.close();
    ws.close();
  };

  const opened = new Promise((resolve, reject) => {
    failed = reject;
    pc.addEventListener('datachannel', (event) => {
      channel = new FramedChannel(event.channel);
      channel.opened().then(() => resolve(channel), reject);
    });
  });
  const candidates = trickleCandidates(pc, (candidate, sdpMLineIndex) =>
    sendSignal(ws, { type: 'rtc-candidate', candidate, sdpMLineIndex }));
  ws.addEventListener('message', async (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === 'rtc-offer') {
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        sendSignal(ws, { type: 'rtc-answer', sdp: pc.localDescription.sdp });
        candidates.release();
      } catch (error) {
        failed(new DirectError(format(
          _('The direct connection could not be negotiated: %s'), error.message)));
      }
    } else if (message.type === 'error') {
      failed(new DirectError(message.message ?? _('The computer refused the direct connection.')));
      channel?.fail(message.message ?? _('The computer ended the direct connection.'));
    } else if (message.type === 'rtc-closed') {
      channel?.fail(message.message ?? _('The computer closed the direct connection.'));
    }
  });
  ws.addEventListener('close', () => {
    failed(new DirectError(DROPPED));
    channel?.fail(DROPPED);
  });

  sendSignal(ws, { type: 'rtc-connect', token });
  try {
    const ready = await withTimeout(opened.then(async (framed) => {
      // The app says "hello" once the channel is open on its side too: a message sent
      // earlier could be lost.
      await framed.receiveText('hello');
      return framed;
    }), CONNECT_TIMEOUT_MS, _('The direct connection could not be made in time.'));
    return { channel: ready, close };
  } catch (error) {
    close();
    throw error;
  }
}

// Whether the app can make direct connections: { available, message }.
export async function appStatus() {
  const ws = await openSignaling();
  try {
    return await withTimeout(new Promise((resolve) => {
      ws.addEventListener('message', (event) => {
        const message = JSON.parse(event.data);
        if (message.type === 'rtc-status')
          resolve({ available: message.available === true, message: message.message ?? null });
      });
      sendSignal(ws, { type: 'rtc-status' });
    }), CONNECT_TIMEOUT_MS, _('The computer did not answer.'));
  } finally {
    ws.close();
  }
}

// Hands blob to the browser as an ordinary download named name.
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken the bytes once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// Where a direct download goes: sinks with write(ArrayBuffer), close() once the file is
// complete and checked, and abort() when it is not (then nothing complete-looking is left).
//
// Browsers give a page two ways to write a file as it arrives, both only in a secure context
// (https, or this computer's own address): the File System Access API (showSaveFilePicker,
// Chromium) and a service worker that serves the data as an ordinary download
// (download-sw.js). On plain http from another address (the usual LAN link) neither exists,
// and the only way left is to hold the file in memory and hand it over at the end: that is
// done up to MEMORY_LIMIT, and the page says so; larger files must use the normal download.
export const MEMORY_LIMIT = 500 * 1000 * 1000;
// Chunks handed to the download worker that it has not yet made room for.
const WORKER_WINDOW = 16;
// A browser stops an idle service worker after about 30 s; messages keep it running.
const KEEPALIVE_MS = 10_000;
const WORKER_SCOPE = '/static/ssync-download/';

function memoryLimitError() {
  return new DirectError(format(_('This page is not on a secure (https) connection, so the ' +
    'browser can only keep a direct download in memory, up to %s. Use Download for this file.'),
  formatSize(MEMORY_LIMIT)));
}

// The whole file in memory, saved as a download once complete: the last resort.
class BlobSink {
  constructor(name = null, limit = Infinity) {
    this.name = name;
    this.limit = limit;
    this.parts = [];
    this.size = 0;
    this.blob = undefined;
    this.inMemory = true;
  }

  async write(chunk) {
    this.size += chunk.byteLength;
    if (this.size > this.limit)
      throw memoryLimitError();
    this.parts.push(chunk);
  }

  async close() {
    this.blob = new Blob(this.parts);
    this.parts = [];
    if (this.name !== null)
      saveBlob(this.blob, this.name);
  }

  async abort() {
    this.parts = [];
  }
}

// A file the person chose with showSaveFilePicker; the browser writes to a temporary file and
// only puts it in place on close().
class PickerSink {
  constructor(writable) {
    this.writable = writable;
    this.done = false;
  }

  async write(chunk) {
    await this.writable.write(chunk);
  }

  async close() {
    this.done = true;
    await this.writable.close();
  }

  async abort() {
    if (this.done)
      return;
    this.done = true;
    await this.writable.abort().catch(() => {});
  }
}

// An ordinary browser download fed through download-sw.js.
class WorkerSink {
  constructor(worker, port) {
    this.port = port;
    this.unacknowledged = 0;
    this.cancelled = false;
    this.done = false;
    this.wake = null;
    port.onmessage = ({ data }) => {
      if (data?.type === 'pull')
        this.unacknowledged--;
      else if (data?.type === 'cancelled')
        this.cancelled = true;
      this.wake?.();
    };
    this.keepalive = setInterval(() => worker.postMessage({ type: 'ssync-keepalive' }),
      KEEPALIVE_MS);
  }

  async write(chunk) {
    while (this.unacknowledged >= WORKER_WINDOW && !this.cancelled)
      await new Promise((resolve) => { this.wake = resolve; });
    if (this.cancelled)
      throw new DirectError(_('The download was cancelled in the browser.'));
    this.unacknowledged++;
    this.port.postMessage({ type: 'chunk', chunk }, [chunk]);
  }

  finish(message) {
    if (this.done)
      return;
    this.done = true;
    clearInterval(this.keepalive);
    this.port.postMessage(message);
    this.port.close();
  }

  async close() {
    this.finish({ type: 'end' });
  }

  async abort(reason) {
    this.finish({ type: 'abort', reason: String(reason ?? '') });
  }
}

function activeWorker(registration) {
  if (registration.active !== null)
    return Promise.resolve(registration.active);
  const worker = registration.installing ?? registration.waiting;
  return new Promise((resolve, reject) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated')
        resolve(worker);
      else if (worker.state === 'redundant')
        reject(new Error('the download worker did not start'));
    });
  });
}

async function openWorkerSink(name, size) {
  const registration = await navigator.serviceWorker.register('/static/download-sw.js',
    { scope: WORKER_SCOPE });
  const worker = await withTimeout(activeWorker(registration), CONNECT_TIMEOUT_MS,
    'the download worker did not start');
  const id = crypto.randomUUID();
  const channel = new MessageChannel();
  await withTimeout(new Promise((resolve) => {
    channel.port1.onmessage = ({ data }) => {
      if (data?.type === 'announced')
        resolve();
    };
    worker.postMessage({ type: 'ssync-download', id, name, size }, [channel.port2]);
  }), CONNECT_TIMEOUT_MS, 'the download worker did not answer');
  // The worker answers this address itself with an attachment: the page stays.
  window.location.assign(`${WORKER_SCOPE}${id}`);
  return new WorkerSink(worker, channel.port1);
}

// Opens where a direct download of name (size bytes, when known) is written as it arrives.
// Call it first thing in a click handler: the save dialog needs the click. Rejects with a
// DirectError when the person cancels the dialog or the file cannot be saved this way; a sink
// with inMemory set holds the file until it is complete (see MEMORY_LIMIT).
export async function openDownloadSink(name, size) {
  if (typeof window.showSaveFilePicker === 'function') {
    let handle = null;
    try {
      handle = await window.showSaveFilePicker({ suggestedName: name });
    } catch (error) {
      if (error?.name === 'AbortError')
        throw new DirectError(_('Saving was cancelled.'));
      // Refused for another reason (no click to answer, a policy): the next way.
    }
    if (handle !== null)
      return new PickerSink(await handle.createWritable());
  }
  if (window.isSecureContext && 'serviceWorker' in navigator) {
    try {
      return await openWorkerSink(name, size);
    } catch {
      // A browser that refuses service workers here (private windows of some): the last way.
    }
  }
  if (Number.isSafeInteger(size) && size > MEMORY_LIMIT)
    throw memoryLimitError();
  return new BlobSink(name, MEMORY_LIMIT);
}

// What the page says about where a direct download goes, or null when it goes to disk.
export function sinkNote(sink) {
  return sink.inMemory === true
    ? _('This page is not on a secure (https) connection: the file is kept in memory until ' +
      'it is complete, then saved.')
    : null;
}

// Downloads file fileId of the share token from the app over a direct connection into a sink
// opened for name (see openDownloadSink: call this first thing in the click handler).
// onProgress(bytes, total) follows it; resolves with { sha256, note } once the file is saved
// and checked, note being what the page should say about where it went (or null).
export async function downloadFromApp(token, fileId, name, size, onProgress) {
  const sink = await openDownloadSink(name, size);
  let connection = null;
  try {
    connection = await connectToApp(token);
    const { channel } = connection;
    channel.sendJSON({ type: 'get', file: String(fileId) });
    const header = await channel.receiveText('file');
    const total = Number(header.size);
    if (Number.isSafeInteger(size) && total !== size)
      throw new DirectError(_('The file changed on the computer sharing it. Reload the page.'));
    const { sha256 } = await channel.receiveFile(header, (bytes) => onProgress?.(bytes, total),
      sink);
    // The app closes after "done", which it reads after the "ack": closing here at once could
    // lose the ack, and the app would count the download as failed.
    channel.sendJSON({ type: 'done' });
    await channel.closed(DONE_TIMEOUT_MS);
    return { sha256, note: sinkNote(sink) };
  } catch (error) {
    await sink.abort(directErrorText(error));
    throw error;
  } finally {
    connection?.close();
  }
}
