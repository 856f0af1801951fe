// ShareSync receive page: sends files from this browser to the computer that shared the link.
//
// The page is the same HTML for every receive share; the token comes from the address
// (/r/{token}) and the upload address and limits from /api/files/{token}. Uploads use tus 1.0.0
// (core, creation, termination) with a small client of our own: no library, nothing from a CDN.
// Each file is created with one POST, then sent in PATCH requests of at most CHUNK_SIZE bytes,
// in order; at most MAX_PARALLEL files travel at once.
//
// Resuming: the upload address of every unfinished file is kept in localStorage under the share
// token, the file's path, size and modification time. A dropped connection, a laptop that slept
// or a closed tab therefore costs at most the bytes in flight: the page asks the server for the
// offset (HEAD) and goes on from there, and a reopened page lists what was left unfinished so
// the person can choose the same file again.
//
// Everything a person named (file and folder names) goes into the page with textContent, never
// as markup. The server sends a strict Content-Security-Policy: no inline script or style.

import {
  $, FETCH_TIMEOUT_MS, el, fetchShareInfo, formatDate, formatSize, plural, sameOriginUrl,
  tokenFromLocation, waitMessage,
} from '/static/common.js';

const CHUNK_SIZE = 8 * 1024 * 1024;
const MIN_CHUNK_SIZE = 256 * 1024;
const MAX_PARALLEL = 2;
// A PATCH whose body has not moved for this long is taken for a dead connection (a laptop that
// slept, Wi-Fi that went away without a reset) and started again after a HEAD.
const STALL_TIMEOUT_MS = 30_000;
// Once a body is sent, the server may still be writing it to disk; after the last one it also
// syncs and names the file, which takes longer for a larger file.
const RESPONSE_TIMEOUT_MS = 30_000;
const FINAL_RESPONSE_TIMEOUT_MS = 120_000;
// The receiving computer may ask its user before a file starts; it answers for them after five
// minutes, so a creation may wait a little longer than that.
const ANSWER_TIMEOUT_MS = 330_000;
// Only a creation slower than this is shown as waiting for the receiver.
const ASKING_DELAY_MS = 1_000;
const FINAL_RESPONSE_BYTES_PER_MS = 20_000;
// While bytes flow the speed is recomputed at least this often, so a stalled upload does not
// keep showing the last speed.
const TICK_MS = 1000;
const RETRY_DELAYS_S = [1, 2, 4, 8, 15, 30];
const MAX_SERVER_ERRORS = 5;
const MAX_CONFLICTS = 5;
const DEFAULT_RETRY_AFTER_S = 5;
const STORAGE_PREFIX = 'sharesync.upload.v1:';
const STORAGE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const SPEED_WINDOW_MS = 4000;
const TUS_VERSION = '1.0.0';

function formatSpeed(bytesPerSecond) {
  return `${formatSize(Math.round(bytesPerSecond))}/s`;
}

function formatDuration(seconds) {
  if (seconds < 1)
    return 'less than a second';
  if (seconds < 60)
    return `${Math.ceil(seconds)} s`;
  if (seconds < 3600)
    return `${Math.ceil(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return minutes === 0 || minutes === 60 ? `${hours} h` : `${hours} h ${minutes} min`;
}

// tus metadata values are base64 of the UTF-8 bytes.
function base64Utf8(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text))
    binary += String.fromCharCode(byte);
  return btoa(binary);
}

function decodeSavedAs(value) {
  if (value === null || value === '')
    return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/* Page-wide state */

const page = {
  token: null,
  uploadUrl: null,
  maxSize: null,
  closed: null,
  uploads: new Set(),
  queue: [],
  active: 0,
};

class PageError extends Error {
  constructor(title, message, { retry = false, reload = false } = {}) {
    super(message);
    this.title = title;
    this.retry = retry;
    this.reload = reload;
  }
}

/* Remembered uploads */

function storageKey(token, path, size, lastModified) {
  return `${STORAGE_PREFIX}${token}:${size}:${lastModified}:${path}`;
}

function storageGet(key) {
  try {
    const value = JSON.parse(window.localStorage.getItem(key) ?? 'null');
    return value !== null && typeof value === 'object' && typeof value.url === 'string'
      ? value
      : null;
  } catch {
    return null;
  }
}

function storageSet(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private windows and full storage only lose the ability to resume after a reload.
  }
}

function storageRemove(key) {
  try {
    window.localStorage.removeItem(key);
  } catch {
    // Nothing to do: see storageSet().
  }
}

// Entries of this share, oldest first, after dropping those the server has surely forgotten.
function storedUploads(token) {
  const prefix = `${STORAGE_PREFIX}${token}:`;
  const now = Date.now();
  const found = [];
  let keys;
  try {
    keys = Object.keys(window.localStorage);
  } catch {
    return found;
  }
  for (const key of keys) {
    if (!key.startsWith(STORAGE_PREFIX))
      continue;
    const value = storageGet(key);
    const expired = value === null ||
      (Number.isFinite(value.expires) && value.expires < now) ||
      !Number.isFinite(value.created) || value.created + STORAGE_MAX_AGE_MS < now;
    if (expired)
      storageRemove(key);
    else if (key.startsWith(prefix) && typeof value.path === 'string' &&
             Number.isFinite(value.size) && Number.isFinite(value.lastModified))
      found.push({ key, ...value });
  }
  return found.sort((a, b) => a.created - b.created);
}

/* HTTP */

class HttpError extends Error {
  constructor(status, headers, method) {
    super(`HTTP ${status} on ${method}`);
    this.status = status;
    this.headers = headers;
    this.method = method;
  }
}

class NetworkError extends Error {}

class CancelledError extends Error {}

// One request through XMLHttpRequest rather than fetch: it reports upload progress, which a
// PATCH of several megabytes needs for a live bar and speed, and which also shows a stalled
// connection. Resolves with every answer the server gave; rejects only when none came.
function tusRequest(method, url, {
  headers = {}, body = null, onProgress = null, upload = null, responseTimeout = RESPONSE_TIMEOUT_MS,
  waitTimeout = FETCH_TIMEOUT_MS,
}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let timer = 0;
    let settled = false;

    const settle = (fn, value) => {
      if (settled)
        return;
      settled = true;
      clearTimeout(timer);
      if (upload !== null && upload.abortRequest === abort)
        upload.abortRequest = null;
      fn(value);
    };
    // Settled before aborting: abort() fires the "abort" event at once, which would otherwise
    // report a stall as a cancel.
    const watchdog = (ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        settle(reject, new NetworkError('the connection stalled'));
        xhr.abort();
      }, ms);
    };
    const abort = () => {
      settle(reject, new CancelledError('cancelled'));
      xhr.abort();
    };

    xhr.open(method, url);
    xhr.setRequestHeader('Tus-Resumable', TUS_VERSION);
    for (const [name, value] of Object.entries(headers))
      xhr.setRequestHeader(name, value);

    if (body !== null) {
      xhr.upload.addEventListener('progress', (event) => {
        watchdog(STALL_TIMEOUT_MS);
        onProgress?.(event.loaded);
      });
      xhr.upload.addEventListener('load', () => watchdog(responseTimeout));
    }
    xhr.addEventListener('load', () => {
      settle(resolve, {
        status: xhr.status,
        header: (name) => xhr.getResponseHeader(name),
      });
    });
    xhr.addEventListener('error', () => settle(reject, new NetworkError('network error')));
    xhr.addEventListener('abort', () => settle(reject, new CancelledError('cancelled')));

    if (upload !== null)
      upload.abortRequest = abort;
    watchdog(body !== null ? STALL_TIMEOUT_MS : waitTimeout);
    xhr.send(body);
  });
}

/* One file */

const STATES = {
  queued: 'Waiting',
  uploading: 'Sending',
  retrying: 'Reconnecting',
  interrupted: 'Interrupted',
  done: 'Sent',
  failed: 'Not sent',
  cancelled: 'Cancelled',
};
const ACTIVE = new Set(['queued', 'uploading', 'retrying']);

class Upload {
  constructor({ key, path, size, lastModified, file = null, url = null }) {
    this.key = key;
    this.path = path;
    this.size = size;
    this.lastModified = lastModified;
    this.file = file;
    this.url = url;
    this.asking = false;
    this.offset = 0;
    this.inFlight = 0;
    this.sha256 = null;
    this.savedAs = null;
    this.state = 'queued';
    this.message = '';
    this.needsHead = url !== null;
    this.retryable = false;
    this.expires = null;
    this.restarted = false;
    this.chunkSize = CHUNK_SIZE;
    this.networkErrors = 0;
    this.serverErrors = 0;
    this.conflicts = 0;
    this.abortRequest = null;
    this.wakeUp = null;
    this.samples = [];
    this.renderQueued = false;
    this.row = this.buildRow();
  }

  get name() {
    const slash = this.path.lastIndexOf('/');
    return slash >= 0 ? this.path.slice(slash + 1) : this.path;
  }

  get sent() {
    return Math.min(this.size, this.offset + this.inFlight);
  }

  buildRow() {
    const row = el('li', 'file upload');
    row.dataset.path = this.path;

    row.append(el('span', 'file-icon'));

    const info = el('div', 'file-info');
    const pathLine = el('p', 'file-path');
    const slash = this.path.lastIndexOf('/');
    if (slash >= 0)
      pathLine.append(el('span', 'file-dir', this.path.slice(0, slash + 1)));
    pathLine.append(el('span', 'file-name', this.name));
    this.status = el('p', 'file-meta upload-status');
    info.append(pathLine, this.status);

    const actions = el('div', 'upload-actions');
    this.retryButton = this.actionButton('icon-retry', 'Try again', `Try sending ${this.path} again`);
    this.retryButton.addEventListener('click', () => this.retry());
    this.cancelButton = this.actionButton('icon-cancel', 'Cancel', `Cancel sending ${this.path}`);
    this.cancelButton.addEventListener('click', () => this.cancel());
    actions.append(this.retryButton, this.cancelButton);

    this.progress = el('progress', 'upload-progress');
    this.progress.setAttribute('aria-label', `Progress of ${this.path}`);
    this.sha = el('code', 'file-sha');
    this.sha.title = 'SHA-256 checksum computed by the receiving computer';
    this.sha.hidden = true;

    row.append(info, actions, this.progress, this.sha);
    return row;
  }

  actionButton(icon, label, ariaLabel) {
    const button = el('button', 'button upload-action');
    button.type = 'button';
    button.setAttribute('aria-label', ariaLabel);
    button.append(el('span', `button-icon ${icon}`), el('span', 'button-label', label));
    return button;
  }

  setState(state, message = '') {
    this.state = state;
    this.message = message;
    if (state !== 'uploading')
      this.samples = [];
    this.render();
    updateSummary();
  }

  // Progress events come many times a second; the row is redrawn once per frame at most.
  scheduleRender() {
    if (this.renderQueued)
      return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
      updateSummary();
    });
  }

  noteProgress() {
    const now = performance.now();
    this.samples.push({ time: now, bytes: this.sent });
    while (this.samples.length > 2 && now - this.samples[1].time > SPEED_WINDOW_MS)
      this.samples.shift();
    this.scheduleRender();
  }

  speed() {
    if (this.samples.length < 2)
      return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.time - first.time) / 1000;
    return seconds >= 0.5 ? (last.bytes - first.bytes) / seconds : null;
  }

  statusText() {
    const sent = this.sent;
    const ofTotal = `${formatSize(sent)} of ${formatSize(this.size)}`;
    switch (this.state) {
      case 'queued':
        return this.offset > 0 ? `Waiting · ${ofTotal} sent` : `Waiting · ${formatSize(this.size)}`;
      case 'uploading': {
        if (this.asking)
          return 'Waiting for the receiver to accept';
        if (this.size > 0 && sent >= this.size)
          return `${ofTotal} · finishing`;
        const parts = [ofTotal];
        const speed = this.speed();
        if (speed !== null && speed > 0) {
          parts.push(formatSpeed(speed));
          parts.push(`${formatDuration((this.size - sent) / speed)} left`);
        }
        return parts.join(' · ');
      }
      case 'interrupted':
        return this.offset > 0
          ? `Interrupted at ${ofTotal} · choose this file again to continue`
          : 'Interrupted · choose this file again to continue';
      case 'retrying':
      case 'failed':
        return this.size > 0 && this.offset > 0 ? `${this.message} · ${ofTotal} sent` : this.message;
      case 'done':
        // The saved name is news only when the receiving computer had to change it.
        return this.savedAs === null || this.savedAs === this.path || this.savedAs === this.name
          ? `Sent · ${formatSize(this.size)}`
          : `Sent · ${formatSize(this.size)} · saved as “${this.savedAs}”`;
      case 'cancelled':
        return 'Cancelled';
      default:
        return '';
    }
  }

  render() {
    const row = this.row;
    row.dataset.state = this.state;
    this.status.textContent = this.statusText();
    this.status.classList.toggle('upload-error', this.state === 'failed');

    const showBar = this.state !== 'cancelled' && this.state !== 'done' &&
      !(this.state === 'failed' && this.offset === 0);
    this.progress.hidden = !showBar;
    this.progress.max = Math.max(this.size, 1);
    this.progress.value = this.state === 'done' ? Math.max(this.size, 1) : this.sent;

    this.retryButton.hidden = !(this.state === 'failed' && this.file !== null && this.retryable);
    this.cancelButton.hidden = !(ACTIVE.has(this.state) || this.state === 'failed' ||
                                 this.state === 'interrupted');
    this.cancelButton.lastChild.textContent =
      ACTIVE.has(this.state) ? 'Cancel' : 'Discard';
    this.cancelButton.setAttribute('aria-label',
      `${ACTIVE.has(this.state) ? 'Cancel sending' : 'Discard'} ${this.path}`);

    this.sha.hidden = this.sha256 === null;
    if (this.sha256 !== null)
      this.sha.textContent = `SHA-256 ${this.sha256}`;
  }

  remember() {
    storageSet(this.key, {
      url: this.url,
      path: this.path,
      size: this.size,
      lastModified: this.lastModified,
      created: Date.now(),
      expires: this.expires ?? null,
    });
  }

  forget() {
    storageRemove(this.key);
  }

  // Reads the answer headers every tus response may carry once the upload is complete.
  noteCompletion(response) {
    const sha = response.header('Upload-Sha256');
    if (sha !== null && /^[0-9a-f]{64}$/i.test(sha.trim()))
      this.sha256 = sha.trim().toLowerCase();
    const saved = decodeSavedAs(response.header('Upload-Saved-As'));
    if (saved !== null)
      this.savedAs = saved;
  }

  async create() {
    const metadata = [`filename ${base64Utf8(this.name)}`];
    if (this.path !== this.name)
      metadata.push(`relativePath ${base64Utf8(this.path)}`);
    if (this.file.type)
      metadata.push(`filetype ${base64Utf8(this.file.type)}`);

    const asking = setTimeout(() => {
      this.asking = true;
      this.render();
    }, ASKING_DELAY_MS);
    let response;
    try {
      response = await tusRequest('POST', page.uploadUrl, {
        headers: {
          'Upload-Length': String(this.size),
          'Upload-Metadata': metadata.join(','),
        },
        upload: this,
        waitTimeout: ANSWER_TIMEOUT_MS,
      });
    } finally {
      clearTimeout(asking);
      this.asking = false;
    }
    if (response.status !== 201)
      throw new HttpError(response.status, response, 'POST');
    const location = sameOriginUrl(response.header('Location') ?? '');
    if (location === null)
      throw new HttpError(response.status, response, 'POST (no usable Location)');

    this.url = location;
    this.offset = 0;
    const expires = Date.parse(response.header('Upload-Expires') ?? '');
    this.expires = Number.isFinite(expires) ? expires : null;
    this.noteCompletion(response);
    this.remember();
  }

  async head() {
    const response = await tusRequest('HEAD', this.url, {
      headers: { 'Cache-Control': 'no-store' },
      upload: this,
    });
    if (response.status !== 200 && response.status !== 204)
      throw new HttpError(response.status, response, 'HEAD');
    const offset = Number.parseInt(response.header('Upload-Offset') ?? '', 10);
    const length = Number.parseInt(response.header('Upload-Length') ?? '', 10);
    if (!Number.isFinite(offset) || offset < 0 || offset > this.size ||
        (Number.isFinite(length) && length !== this.size))
      throw new HttpError(404, response, 'HEAD (an upload of another file)');
    this.offset = offset;
    this.noteCompletion(response);
  }

  // Only for what the server says about a finished upload: whatever goes wrong here, the bytes
  // are already there and nothing is sent again.
  async askCompletion() {
    try {
      await this.head();
    } catch (error) {
      if (error instanceof CancelledError)
        throw error;
    }
  }

  async patch() {
    const end = Math.min(this.size, this.offset + this.chunkSize);
    const body = this.file.slice(this.offset, end);
    const start = this.offset;
    this.inFlight = 0;
    let response;
    try {
      response = await tusRequest('PATCH', this.url, {
        headers: {
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': String(start),
        },
        body,
        onProgress: (loaded) => {
          this.inFlight = Math.min(loaded, end - start);
          this.noteProgress();
        },
        upload: this,
        responseTimeout: end === this.size
          ? Math.max(FINAL_RESPONSE_TIMEOUT_MS, this.size / FINAL_RESPONSE_BYTES_PER_MS)
          : RESPONSE_TIMEOUT_MS,
      });
    } finally {
      this.inFlight = 0;
    }
    if (response.status !== 204 && response.status !== 200)
      throw new HttpError(response.status, response, 'PATCH');
    const offset = Number.parseInt(response.header('Upload-Offset') ?? '', 10);
    if (!Number.isFinite(offset) || offset < start || offset > this.size)
      throw new HttpError(409, response, 'PATCH (bad Upload-Offset)');
    this.offset = offset;
    this.noteCompletion(response);
    this.noteProgress();
  }

  // The whole life of one upload: create or find it on the server, send what is missing, and
  // decide after each failure whether to wait and go on or to stop and say why.
  async run() {
    this.setState('uploading');
    this.networkErrors = 0;
    this.serverErrors = 0;
    this.conflicts = 0;
    let emptyPatchSent = false;

    for (;;) {
      if (this.state === 'cancelled')
        return;
      try {
        if (this.url === null) {
          await this.create();
        } else if (this.needsHead) {
          await this.head();
          this.needsHead = false;
        }

        if (this.offset >= this.size) {
          // Every byte is there. The checksum and saved name come with the last PATCH, or for
          // an empty file (complete once created) with a HEAD; a server that only completes
          // uploads on a PATCH gets an empty one.
          if (this.sha256 === null)
            await this.askCompletion();
          if (this.sha256 === null && this.size === 0 && !emptyPatchSent) {
            emptyPatchSent = true;
            await this.patch();
          }
          this.finish();
          return;
        }

        if (this.state !== 'uploading')
          this.setState('uploading');
        const before = this.offset;
        await this.patch();
        if (this.offset > before) {
          this.networkErrors = 0;
          this.serverErrors = 0;
          this.conflicts = 0;
        }
      } catch (error) {
        if (this.state === 'cancelled' || error instanceof CancelledError)
          return;
        if (!await this.recover(error))
          return;
      }
    }
  }

  // Returns true to go on, false when the upload has stopped for good (state set).
  async recover(error) {
    if (error instanceof NetworkError) {
      // A file changed or removed since it was chosen fails like the network does; reading a
      // byte tells the two apart.
      if (this.size > 0 && !await this.fileReadable()) {
        this.fail('The file can no longer be read; it may have been changed, moved or deleted',
          true);
        return false;
      }
      const delay = RETRY_DELAYS_S[Math.min(this.networkErrors, RETRY_DELAYS_S.length - 1)];
      this.networkErrors++;
      this.needsHead = this.url !== null;
      return this.waitAndRetry(delay, (s) => `Connection lost · trying again in ${s} s`);
    }

    if (!(error instanceof HttpError)) {
      console.error(error);
      this.fail('Something went wrong in this page', true);
      return false;
    }

    const status = error.status;
    if (status === 409 && ++this.conflicts <= MAX_CONFLICTS) {
      this.needsHead = true;
      return true;
    }
    if (status === 429) {
      const wait = Number.parseInt(error.headers.header('Retry-After') ?? '', 10);
      this.needsHead = this.url !== null;
      return this.waitAndRetry(Number.isFinite(wait) && wait > 0 ? wait : DEFAULT_RETRY_AFTER_S,
        (s) => `The receiving computer is busy · trying again in ${s} s`);
    }
    if ((status === 404 || status === 410) && error.method !== 'POST') {
      // The server no longer knows this upload (it expired, or the app restarted without it):
      // start it once more from the beginning. If the share itself is gone, the POST says so.
      this.forget();
      this.url = null;
      this.offset = 0;
      this.needsHead = false;
      if (!this.restarted) {
        this.restarted = true;
        return true;
      }
    }
    if (status === 413 && error.method === 'PATCH' && this.chunkSize > MIN_CHUNK_SIZE) {
      // A server with a smaller limit per request than per file: send smaller pieces.
      this.chunkSize = Math.max(MIN_CHUNK_SIZE, Math.floor(this.chunkSize / 2));
      this.needsHead = true;
      return true;
    }
    if (status >= 500 && status !== 507 && ++this.serverErrors <= MAX_SERVER_ERRORS) {
      const delay = RETRY_DELAYS_S[Math.min(this.serverErrors - 1, RETRY_DELAYS_S.length - 1)];
      this.needsHead = this.url !== null;
      return this.waitAndRetry(delay,
        (s) => `The receiving computer had a problem · trying again in ${s} s`);
    }

    if (status === 413 && page.maxSize === null && error.headers.header('Tus-Max-Size') === null)
      page.maxSize = await discoverMaxSize();
    const [message, retryable] = messageForStatus(error);
    if ((status === 404 || status === 410) && error.method === 'POST')
      closeReceiving(status === 410 ? 'expired' : 'stopped');
    else
      this.fail(message, retryable);
    return false;
  }

  async fileReadable() {
    try {
      const at = Math.min(this.offset, this.size - 1);
      await this.file.slice(at, at + 1).arrayBuffer();
      return true;
    } catch {
      return false;
    }
  }

  // Counts down in the row; going back online or to the tab cuts the wait short.
  async waitAndRetry(seconds, text) {
    this.setState('retrying', text(seconds));
    let left = seconds;
    let woken = false;
    const wake = new Promise((resolve) => {
      this.wakeUp = () => {
        woken = true;
        resolve();
      };
    });
    while (left > 0 && !woken && this.state === 'retrying') {
      await Promise.race([sleep(1000), wake]);
      left--;
      if (this.state === 'retrying' && !woken && left > 0) {
        this.message = text(left);
        this.render();
      }
    }
    this.wakeUp = null;
    return this.state === 'retrying';
  }

  finish() {
    this.forget();
    this.setState('done');
  }

  fail(message, retryable) {
    this.retryable = retryable;
    this.setState('failed', message);
  }

  retry() {
    if (this.file === null || ACTIVE.has(this.state))
      return;
    this.restarted = false;
    this.chunkSize = CHUNK_SIZE;
    this.needsHead = this.url !== null;
    enqueue(this);
  }

  cancel() {
    const wasActive = ACTIVE.has(this.state);
    const dequeued = page.queue.indexOf(this);
    if (dequeued >= 0)
      page.queue.splice(dequeued, 1);
    this.setState('cancelled');
    this.abortRequest?.();
    this.wakeUp?.();
    this.forget();
    if (this.url !== null) {
      // Termination frees the partial file on the receiving computer. If it cannot be reached
      // now, the server's own expiry removes it later.
      const url = this.url;
      this.url = null;
      tusRequest('DELETE', url, {}).catch(() => {});
    }
    if (!wasActive) {
      this.row.remove();
      page.uploads.delete(this);
      updateSummary();
    }
  }
}

// The limit the server announces in its tus discovery answer, for a 413 that did not say it.
async function discoverMaxSize() {
  try {
    const response = await tusRequest('OPTIONS', page.uploadUrl, {});
    const max = Number.parseInt(response.header('Tus-Max-Size') ?? '', 10);
    return Number.isFinite(max) && max > 0 ? max : null;
  } catch {
    return null;
  }
}

function messageForStatus({ status, method, headers }) {
  switch (status) {
    case 413: {
      const max = page.maxSize ?? Number.parseInt(headers.header('Tus-Max-Size') ?? '', 10);
      return [Number.isFinite(max) && max > 0
        ? `Too large (max ${formatSize(max)})`
        : 'Too large for the receiving computer', false];
    }
    case 507:
      return ['Not enough free space on the receiving computer', true];
    case 404:
      return ['The receiving computer no longer knows this upload', true];
    case 410:
      return ['This upload expired on the receiving computer', true];
    case 400:
      return [`The receiving computer refused this file (HTTP 400 on ${method})`, true];
    case 403:
      if (headers.header('Upload-Declined') !== null)
        return ['The receiver declined this file', false];
      return ['Access to this link was lost: reload the page to unlock it again', false];
    case 401:
      return ['Access to this link was lost: reload the page to unlock it again', false];
    case 412:
      return ['This page and the receiving computer do not speak the same upload protocol; ' +
        'reload the page', false];
    case 409:
      return ['The receiving computer and this page disagree on how much was sent', true];
    default:
      return [`The receiving computer answered with an error (HTTP ${status})`, true];
  }
}

/* The queue */

function enqueue(upload) {
  if (page.closed !== null)
    return;
  upload.setState('queued');
  if (!page.queue.includes(upload))
    page.queue.push(upload);
  pump();
}

function pump() {
  while (page.active < MAX_PARALLEL && page.queue.length > 0 && page.closed === null) {
    const upload = page.queue.shift();
    if (upload.state !== 'queued')
      continue;
    page.active++;
    upload.run().catch((error) => {
      console.error(error);
      upload.fail('Something went wrong in this page', true);
    }).finally(() => {
      page.active--;
      pump();
    });
  }
}

// The unfinished upload of this file, if any; finished and cancelled ones stay in the list but
// a new send of the same file gets a row of its own.
function findUpload(key) {
  for (const upload of page.uploads) {
    if (upload.key === key && upload.state !== 'done' && upload.state !== 'cancelled')
      return upload;
  }
  return null;
}

function addFiles(items) {
  if (page.closed !== null || items.length === 0)
    return;
  showUploads();
  const list = $('upload-list');
  for (const { file, path } of items) {
    const key = storageKey(page.token, path, file.size, file.lastModified);
    let upload = findUpload(key);

    if (upload !== null && ACTIVE.has(upload.state)) {
      flash(upload.row);
      continue;
    }
    if (upload !== null) {
      // The same file again: pick up where it stopped.
      if (page.maxSize !== null && file.size > page.maxSize) {
        flash(upload.row);
        continue;
      }
      upload.file = file;
      upload.restarted = false;
      upload.chunkSize = CHUNK_SIZE;
      upload.needsHead = upload.url !== null;
      enqueue(upload);
      continue;
    }
    const stored = storageGet(key);
    upload = new Upload({
      key,
      path,
      size: file.size,
      lastModified: file.lastModified,
      file,
      url: stored !== null ? sameOriginUrl(stored.url) : null,
    });
    page.uploads.add(upload);
    list.append(upload.row);

    if (page.maxSize !== null && file.size > page.maxSize) {
      upload.fail(`Too large (max ${formatSize(page.maxSize)})`, false);
      continue;
    }
    enqueue(upload);
  }
  updateSummary();
}

function flash(row) {
  row.classList.remove('flash');
  void row.offsetWidth;
  row.classList.add('flash');
  row.scrollIntoView({ block: 'nearest' });
}

// Lists what an earlier visit left unfinished, so the person can choose those files again.
async function restoreInterrupted() {
  const stored = storedUploads(page.token);
  if (stored.length === 0)
    return;
  showUploads();
  const list = $('upload-list');
  const found = [];
  for (const entry of stored) {
    const url = sameOriginUrl(entry.url);
    if (url === null) {
      storageRemove(entry.key);
      continue;
    }
    const upload = new Upload({ ...entry, url });
    upload.expires = entry.expires;
    upload.state = 'interrupted';
    upload.message = 'Interrupted · choose this file again to continue';
    page.uploads.add(upload);
    list.append(upload.row);
    upload.render();
    found.push(upload);
  }
  updateSummary();

  // Ask the server how far each one got; forget those it no longer knows.
  for (const upload of found) {
    if (upload.state !== 'interrupted')
      continue;
    try {
      await upload.head();
      upload.needsHead = false;
      if (upload.state !== 'interrupted')
        continue;
      if (upload.offset >= upload.size && upload.sha256 !== null) {
        upload.finish();
      } else {
        upload.render();
        updateSummary();
      }
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 410) &&
          upload.state === 'interrupted') {
        upload.forget();
        upload.row.remove();
        page.uploads.delete(upload);
        updateSummary();
      }
    }
  }
  if (page.uploads.size === 0)
    $('uploads').hidden = true;
}

/* Summary, title and announcements */

function showUploads() {
  $('uploads').hidden = false;
}

// The summary line is a polite live region: it tells how many files are through.
function updateSummary() {
  const all = [...page.uploads].filter((u) => u.state !== 'cancelled');
  const done = all.filter((u) => u.state === 'done').length;
  const failed = all.filter((u) => u.state === 'failed').length;
  const active = all.filter((u) => ACTIVE.has(u.state));
  const waiting = all.filter((u) => u.state === 'interrupted').length;

  const parts = [];
  if (all.length > 0)
    parts.push(`${done} of ${plural(all.length, 'file', 'files')} sent`);
  if (failed > 0)
    parts.push(`${failed} not sent`);
  if (waiting > 0)
    parts.push(`${waiting} interrupted`);
  $('uploads-summary').textContent = parts.join(' · ');

  if (active.length > 0) {
    const total = active.reduce((sum, u) => sum + u.size, 0);
    const sent = active.reduce((sum, u) => sum + u.sent, 0);
    const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
    document.title = `${percent}% · Send files – ShareSync`;
  } else {
    document.title = 'Send files – ShareSync';
  }
}

/* Choosing and dropping files */

function filesFromInput(input) {
  return [...input.files].map((file) => ({
    file,
    path: file.webkitRelativePath || file.name,
  }));
}

function readAllEntries(reader) {
  return new Promise((resolve, reject) => {
    const entries = [];
    const next = () => reader.readEntries((batch) => {
      if (batch.length === 0) {
        resolve(entries);
      } else {
        entries.push(...batch);
        next();
      }
    }, reject);
    next();
  });
}

async function filesFromEntry(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, path: prefix + file.name });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry.createReader()))
      await filesFromEntry(child, `${prefix}${entry.name}/`, out);
  }
}

async function filesFromDrop(dataTransfer) {
  // Entries must be taken while the drop event runs; the list is emptied afterwards.
  const entries = [];
  const plain = [];
  for (const item of dataTransfer.items ?? []) {
    if (item.kind !== 'file')
      continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry !== null)
      entries.push(entry);
    else if (item.getAsFile() !== null)
      plain.push(item.getAsFile());
  }
  if (entries.length === 0 && plain.length === 0)
    plain.push(...(dataTransfer.files ?? []));

  const out = plain.map((file) => ({ file, path: file.name }));
  for (const entry of entries) {
    try {
      await filesFromEntry(entry, '', out);
    } catch (error) {
      console.warn(`could not read ${entry.fullPath}: ${error?.message ?? error}`);
    }
  }
  return out;
}

function setUpPickers() {
  for (const id of ['pick-files', 'pick-folder']) {
    const input = $(id);
    input.addEventListener('change', () => {
      addFiles(filesFromInput(input));
      // Choosing the same file again later must fire "change" again.
      input.value = '';
    });
  }
  // Folder choosing exists in desktop browsers; elsewhere the button would do nothing useful.
  const folder = $('pick-folder');
  $('pick-folder-button').hidden = !('webkitdirectory' in folder) ||
    /\b(iPhone|iPad|iPod)\b/.test(navigator.userAgent);

  const zone = $('drop-zone');
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');

  document.addEventListener('dragenter', (event) => {
    if (!hasFiles(event))
      return;
    event.preventDefault();
    depth++;
    zone.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0)
      zone.classList.remove('dragging');
  });
  document.addEventListener('dragover', (event) => {
    if (!hasFiles(event))
      return;
    // Anywhere on the page counts, so a near miss does not open the file in the tab.
    event.preventDefault();
    event.dataTransfer.dropEffect = page.closed === null ? 'copy' : 'none';
  });
  document.addEventListener('drop', (event) => {
    if (!hasFiles(event))
      return;
    event.preventDefault();
    depth = 0;
    zone.classList.remove('dragging');
    filesFromDrop(event.dataTransfer).then(addFiles);
  });
}

/* Live notices over /ws */

// Only tells the page when receiving stops or the link expires; uploads never depend on it. A
// server that refuses the socket a few times running is not asked again: each refusal would
// only add a line to the console.
function connectLive() {
  let delay = 1000;
  let refusals = 0;
  const open = () => {
    if (page.closed !== null)
      return;
    let socket;
    try {
      const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      socket = new WebSocket(`${scheme}//${window.location.host}/ws`);
    } catch {
      return;
    }
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      refusals = 0;
      delay = 1000;
      socket.send(JSON.stringify({ type: 'subscribe', token: page.token }));
    });
    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message?.type === 'stopped')
        closeReceiving('stopped');
      else if (message?.type === 'expired')
        closeReceiving('expired');
    });
    socket.addEventListener('close', () => {
      if (page.closed !== null || (!opened && ++refusals >= 3))
        return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 60_000);
    });
  };
  open();
}

function closeReceiving(why) {
  if (page.closed !== null)
    return;
  page.closed = why;
  const banner = $('receive-closed');
  banner.textContent = why === 'expired'
    ? 'This link has expired. Files already sent are saved on the receiving computer.'
    : 'The receiving computer stopped accepting files. Files already sent are saved there.';
  banner.hidden = false;
  $('drop-zone').classList.add('closed');
  for (const id of ['pick-files', 'pick-folder'])
    $(id).disabled = true;

  page.queue.length = 0;
  for (const upload of page.uploads) {
    if (ACTIVE.has(upload.state) || upload.state === 'interrupted') {
      upload.abortRequest?.();
      upload.wakeUp?.();
      upload.forget();
      upload.fail(why === 'expired' ? 'Not sent: the link expired' : 'Not sent: receiving stopped',
        false);
    }
  }
}

/* Loading the page */

function errorForStatus(response) {
  switch (response.status) {
    case 404:
      return new PageError('This link does not work',
        'Receiving may have been stopped, or the address was not copied completely. Ask the ' +
        'person you are sending to for a new link.');
    case 410:
      return new PageError('This link has expired',
        'It no longer accepts files. Ask the person you are sending to for a new link.');
    case 401:
    case 403:
      return new PageError('This link is protected',
        'Reload the page to enter the password.', { reload: true });
    case 429:
      return new PageError('Too many attempts', waitMessage(response.headers), { retry: true });
    default:
      return new PageError('This page could not be opened',
        `The receiving computer answered with an error (HTTP ${response.status}).`,
        { retry: true });
  }
}

async function fetchShare(token) {
  let response;
  try {
    response = await fetchShareInfo(token);
  } catch {
    throw new PageError('Cannot reach the receiving computer',
      'Check that you are on the same network and that ShareSync is still running there.',
      { retry: true });
  }
  if (!response.ok)
    throw errorForStatus(response);

  const unreadable = new PageError('This page could not be opened',
    'The receiving computer sent an answer this page does not understand.', { retry: true });
  let share;
  try {
    share = await response.json();
  } catch {
    throw unreadable;
  }
  if (share === null || typeof share !== 'object' || sameOriginUrl(share.upload_url) === null)
    throw unreadable;
  return share;
}

function renderShare(share) {
  page.uploadUrl = sameOriginUrl(share.upload_url);
  page.maxSize = Number.isFinite(share.max_size) && share.max_size > 0 ? share.max_size : null;

  const to = $('receive-to');
  const name = typeof share.name === 'string' ? share.name.trim() : '';
  to.hidden = name === '';
  to.textContent = name === '' ? '' : `To “${name}”`;

  const limits = [];
  if (page.maxSize !== null)
    limits.push(`Up to ${formatSize(page.maxSize)} per file`);
  const until = share.expires ? formatDate(share.expires) : null;
  if (until !== null)
    limits.push(`Open until ${until}`);
  $('receive-limits').textContent = limits.join(' · ');
  $('receive-limits').hidden = limits.length === 0;
}

function show(state) {
  $('state-loading').hidden = state !== 'loading';
  $('state-error').hidden = state !== 'error';
  $('receive').hidden = state !== 'receive';
  $('main').setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
}

function showError(error) {
  const known = error instanceof PageError;
  if (!known)
    console.error(error);
  $('error-title').textContent = known ? error.title : 'Something went wrong';
  $('error-message').textContent = known
    ? error.message
    : 'This page could not be opened. Reload to try again.';
  const retry = $('error-retry');
  retry.hidden = !(known && (error.retry || error.reload));
  retry.textContent = known && error.reload ? 'Reload' : 'Try again';
  retry.dataset.reload = known && error.reload ? 'true' : '';
  document.title = `${$('error-title').textContent} – ShareSync`;
  show('error');
}

async function load() {
  page.token = tokenFromLocation('r');
  if (page.token === null) {
    showError(errorForStatus({ status: 404, headers: new Headers() }));
    return;
  }

  show('loading');
  let share;
  try {
    share = await fetchShare(page.token);
  } catch (error) {
    showError(error);
    return;
  }
  renderShare(share);
  show('receive');
  if (!started) {
    started = true;
    setUpPickers();
    connectLive();
    restoreInterrupted();
  }
}

let started = false;

// Keeps the speed and time left honest when no progress event comes.
setInterval(() => {
  for (const upload of page.uploads) {
    if (upload.state === 'uploading')
      upload.noteProgress();
  }
}, TICK_MS);

function wakeRetries() {
  for (const upload of page.uploads)
    upload.wakeUp?.();
}

window.addEventListener('online', wakeRetries);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible')
    wakeRetries();
});
window.addEventListener('beforeunload', (event) => {
  // Leaving only pauses: the files resume when chosen again. The browser still asks, because
  // a person closing the tab may not know that.
  if ([...page.uploads].some((u) => ACTIVE.has(u.state))) {
    event.preventDefault();
    event.returnValue = '';
  }
});
$('error-retry').addEventListener('click', () => {
  if ($('error-retry').dataset.reload === 'true')
    window.location.reload();
  else
    load();
});
load();
