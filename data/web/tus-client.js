// ShareSync uploads: a small tus 1.0.0 client (core, creation, termination) of our own: no
// library, nothing from a CDN. It touches no DOM and sends through a transport it is given, so
// the receive page runs it over XMLHttpRequest (tus-xhr.js, for upload progress) and the node
// tests over fetch (fetchTransport below), against the app or a stand-in server.
//
// A TusUpload creates its file with one POST, then sends it in PATCH requests of at most the
// policy's chunk size, in order. After a failure a RetryPolicy (retry-policy.js) decides whether
// to wait and go on from the offset the server reports (HEAD), to start over, or to stop; the
// upload address is kept in a ResumeStore (resume-store.js) so a later visit can go on too.
//
// Wording is not made here: the upload tells its owner what happens (events) and rejects with
// the error that stopped it, and the page says it in words.

export const TUS_VERSION = '1.0.0';
// A request without a body that gets no answer for this long is taken for a lost connection.
export const WAIT_TIMEOUT_MS = 15_000;
// A PATCH whose body has not moved for this long is taken for a dead connection (a laptop that
// slept, Wi-Fi that went away without a reset) and started again after a HEAD.
export const STALL_TIMEOUT_MS = 30_000;
// Once a body is sent, the server may still be writing it to disk; after the last one it also
// syncs and names the file, which takes longer for a larger file.
export const RESPONSE_TIMEOUT_MS = 30_000;
export const FINAL_RESPONSE_TIMEOUT_MS = 120_000;
const FINAL_RESPONSE_BYTES_PER_MS = 20_000;
// The receiving computer may ask its user before a file starts; it answers for them after five
// minutes, so a creation may wait a little longer than that.
export const ANSWER_TIMEOUT_MS = 330_000;
// Only a creation slower than this is reported as waiting for the receiver.
export const ASKING_DELAY_MS = 1_000;

export class HttpError extends Error {
  // method also says what was wrong with an answer that had a good status, as in
  // "PATCH (bad Upload-Offset)".
  constructor(status, response, method) {
    super(`HTTP ${status} on ${method}`);
    this.status = status;
    this.response = response;
    this.method = method;
  }

  header(name) {
    return this.response?.header(name) ?? null;
  }

  // A 403 that the person at the receiving computer chose, not a lost unlock.
  get declined() {
    return this.status === 403 && this.header('Upload-Declined') !== null;
  }
}

export class NetworkError extends Error {}

export class CancelledError extends Error {}

// The file changed, moved or was deleted since it was chosen.
export class UnreadableFileError extends Error {}

// A transport is a function (method, url, options) resolving with { status, header(name) } for
// any answer and rejecting with NetworkError or CancelledError when none came. Options:
// headers, body (a Blob or null), onProgress(bytesOfBodySent), signal (an AbortSignal),
// waitTimeout (no body), stallTimeout and responseTimeout (with a body). It sends Tus-Resumable.
//
// This one uses fetch, which reports no upload progress: the whole body counts as sent when the
// answer comes, and a body gets stallTimeout + responseTimeout in all.
export function fetchTransport(fetchFn = globalThis.fetch) {
  return async (method, url, {
    headers = {}, body = null, onProgress = null, signal = null, waitTimeout = WAIT_TIMEOUT_MS,
    stallTimeout = STALL_TIMEOUT_MS, responseTimeout = RESPONSE_TIMEOUT_MS,
  } = {}) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(),
      body === null ? waitTimeout : stallTimeout + responseTimeout);
    const signals = signal === null ? [timeout.signal] : [signal, timeout.signal];
    try {
      const response = await fetchFn(url, {
        method,
        headers: { 'Tus-Resumable': TUS_VERSION, ...headers },
        body,
        signal: AbortSignal.any(signals),
      });
      // Read to the end, so the connection can carry the next request.
      await response.arrayBuffer();
      if (body !== null)
        onProgress?.(body.size);
      return { status: response.status, header: (name) => response.headers.get(name) };
    } catch (error) {
      if (signal?.aborted)
        throw new CancelledError('cancelled');
      throw new NetworkError(timeout.signal.aborted ? 'the connection stalled'
        : `network error: ${error?.cause?.code ?? error?.message ?? error}`);
    } finally {
      clearTimeout(timer);
    }
  };
}

// tus metadata values are base64 of the UTF-8 bytes.
export function base64Utf8(text) {
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

function parseOffset(value) {
  return Number.parseInt(value ?? '', 10);
}

// The limit the server announces in its tus discovery answer (OPTIONS), or null.
export async function discoverMaxSize(transport, endpoint) {
  try {
    const response = await transport('OPTIONS', endpoint, {});
    const max = parseOffset(response.header('Tus-Max-Size'));
    return Number.isFinite(max) && max > 0 ? max : null;
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class TusUpload {
  // endpoint: the creation URL; transport: see fetchTransport; policy: a RetryPolicy.
  // path is the file's path in a chosen folder ("trip/notes.txt"), sent as relativePath; file is
  // a Blob (or File), or null for an upload only listed from the store until chosen again.
  // store and key: a ResumeStore and this file's key in it, or null. events: optional
  // callbacks sending(), retrying(reason, secondsLeft, first), progress(), changed().
  constructor({ endpoint, transport, policy, path, size, lastModified = 0, file = null,
    url = null, expires = null, store = null, key = null, events = {} }) {
    this.endpoint = endpoint;
    this.transport = transport;
    this.policy = policy;
    this.path = path;
    this.size = size;
    this.lastModified = lastModified;
    this.file = file;
    this.url = url;
    this.expires = expires;
    this.store = store;
    this.key = key;
    this.events = events;
    this.offset = 0;
    this.inFlight = 0;
    this.asking = false;
    this.sha256 = null;
    this.savedAs = null;
    this.needsHead = url !== null;
    this.controller = new AbortController();
    this.wakeUp = null;
  }

  get name() {
    const slash = this.path.lastIndexOf('/');
    return slash >= 0 ? this.path.slice(slash + 1) : this.path;
  }

  // Bytes the server has, plus those of the PATCH in flight.
  get sent() {
    return Math.min(this.size, this.offset + this.inFlight);
  }

  #emit(name, ...args) {
    this.events[name]?.(...args);
  }

  #request(method, url, options) {
    return this.transport(method, url, { ...options, signal: this.controller.signal });
  }

  remember() {
    this.store?.remember(this.key, {
      url: this.url,
      path: this.path,
      size: this.size,
      lastModified: this.lastModified,
      expires: this.expires ?? null,
    });
  }

  forget() {
    this.store?.forget(this.key);
  }

  // Reads the answer headers every tus response may carry once the upload is complete.
  #noteCompletion(response) {
    const sha = response.header('Upload-Sha256');
    if (sha !== null && /^[0-9a-f]{64}$/i.test(sha.trim()))
      this.sha256 = sha.trim().toLowerCase();
    const saved = decodeSavedAs(response.header('Upload-Saved-As'));
    if (saved !== null)
      this.savedAs = saved;
  }

  // An upload address from the server, only when on the endpoint's origin: a malformed answer
  // must not send the file elsewhere.
  #sameOrigin(location) {
    try {
      const resolved = new URL(location, this.endpoint);
      return resolved.origin === new URL(this.endpoint).origin ? resolved.href : null;
    } catch {
      return null;
    }
  }

  async create() {
    const metadata = [`filename ${base64Utf8(this.name)}`];
    if (this.path !== this.name)
      metadata.push(`relativePath ${base64Utf8(this.path)}`);
    if (this.file.type)
      metadata.push(`filetype ${base64Utf8(this.file.type)}`);

    const asking = setTimeout(() => {
      this.asking = true;
      this.#emit('changed');
    }, ASKING_DELAY_MS);
    let response;
    try {
      response = await this.#request('POST', this.endpoint, {
        headers: {
          'Upload-Length': String(this.size),
          'Upload-Metadata': metadata.join(','),
        },
        waitTimeout: ANSWER_TIMEOUT_MS,
      });
    } finally {
      clearTimeout(asking);
      this.asking = false;
    }
    if (response.status !== 201)
      throw new HttpError(response.status, response, 'POST');
    const location = this.#sameOrigin(response.header('Location') ?? '');
    if (location === null)
      throw new HttpError(response.status, response, 'POST (no usable Location)');

    this.url = location;
    this.offset = 0;
    const expires = Date.parse(response.header('Upload-Expires') ?? '');
    this.expires = Number.isFinite(expires) ? expires : null;
    this.#noteCompletion(response);
    this.remember();
  }

  // Asks the server how much it has (HEAD) and goes on from there.
  async head() {
    const response = await this.#request('HEAD', this.url, {
      headers: { 'Cache-Control': 'no-store' },
    });
    if (response.status !== 200 && response.status !== 204)
      throw new HttpError(response.status, response, 'HEAD');
    const offset = parseOffset(response.header('Upload-Offset'));
    const length = parseOffset(response.header('Upload-Length'));
    if (!Number.isFinite(offset) || offset < 0 || offset > this.size ||
        (Number.isFinite(length) && length !== this.size))
      throw new HttpError(404, response, 'HEAD (an upload of another file)');
    this.offset = offset;
    this.needsHead = false;
    this.#noteCompletion(response);
  }

  // Only for what the server says about a finished upload: whatever goes wrong here, the bytes
  // are already there and nothing is sent again.
  async #askCompletion() {
    try {
      await this.head();
    } catch (error) {
      if (error instanceof CancelledError)
        throw error;
    }
  }

  async #patch() {
    const end = Math.min(this.size, this.offset + this.policy.chunkSize);
    const body = this.file.slice(this.offset, end);
    const start = this.offset;
    this.inFlight = 0;
    let response;
    try {
      response = await this.#request('PATCH', this.url, {
        headers: {
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': String(start),
        },
        body,
        onProgress: (loaded) => {
          this.inFlight = Math.min(loaded, end - start);
          this.#emit('progress');
        },
        stallTimeout: STALL_TIMEOUT_MS,
        responseTimeout: end === this.size
          ? Math.max(FINAL_RESPONSE_TIMEOUT_MS, this.size / FINAL_RESPONSE_BYTES_PER_MS)
          : RESPONSE_TIMEOUT_MS,
      });
    } finally {
      this.inFlight = 0;
    }
    if (response.status !== 204 && response.status !== 200)
      throw new HttpError(response.status, response, 'PATCH');
    const offset = parseOffset(response.header('Upload-Offset'));
    if (!Number.isFinite(offset) || offset < start || offset > this.size)
      throw new HttpError(409, response, 'PATCH (bad Upload-Offset)');
    this.offset = offset;
    this.#noteCompletion(response);
    this.#emit('progress');
  }

  async #fileReadable() {
    try {
      const at = Math.min(this.offset, this.size - 1);
      await this.file.slice(at, at + 1).arrayBuffer();
      return true;
    } catch {
      return false;
    }
  }

  // Counts down, telling the owner every second; wake() or abort() cuts it short. Resolves
  // false when aborted.
  async #wait(seconds, reason, signal) {
    let left = seconds;
    let woken = false;
    const wake = new Promise((resolve) => {
      this.wakeUp = () => {
        woken = true;
        resolve();
      };
    });
    this.#emit('retrying', reason, left, true);
    while (left > 0 && !woken && !signal.aborted) {
      await Promise.race([sleep(Math.min(left, 1) * 1000), wake]);
      left--;
      if (!woken && !signal.aborted && left > 0)
        this.#emit('retrying', reason, left, false);
    }
    this.wakeUp = null;
    return !signal.aborted;
  }

  // Ends a wait between attempts at once (the browser came back online, the tab is visible).
  wake() {
    this.wakeUp?.();
  }

  // The person sends the file again: file is the chosen Blob (the same path, size and date).
  renew(file = this.file) {
    this.file = file;
    this.policy.renew();
    this.needsHead = this.url !== null;
  }

  // Stops the request in flight or the wait, without telling the server: run() resolves with
  // 'cancelled' and the upload can be resumed later.
  abort() {
    this.controller.abort();
    this.wake();
  }

  // Stops and removes the upload, on the receiving computer too. If it cannot be reached now,
  // the server's own expiry removes the partial file later.
  cancel() {
    this.abort();
    this.forget();
    if (this.url !== null) {
      const url = this.url;
      this.url = null;
      this.transport('DELETE', url, {}).catch(() => {});
    }
  }

  // The whole life of one upload: create or find it on the server, send what is missing, and
  // decide after each failure whether to wait and go on or to stop. Resolves with 'done' (every
  // byte arrived; sha256 and savedAs hold what the server said) or 'cancelled' (abort() or
  // cancel()); rejects with the error that stopped it for good.
  async run() {
    if (this.controller.signal.aborted)
      this.controller = new AbortController();
    const { signal } = this.controller;
    this.policy.progressed();
    this.#emit('sending');
    let emptyPatchSent = false;
    let retried = false;

    for (;;) {
      if (signal.aborted)
        return 'cancelled';
      try {
        if (this.url === null)
          await this.create();
        else if (this.needsHead)
          await this.head();

        if (this.offset >= this.size) {
          // Every byte is there. The checksum and saved name come with the last PATCH, or for
          // an empty file (complete once created) with a HEAD; a server that only completes
          // uploads on a PATCH gets an empty one.
          if (this.sha256 === null)
            await this.#askCompletion();
          if (this.sha256 === null && this.size === 0 && !emptyPatchSent) {
            emptyPatchSent = true;
            await this.#patch();
          }
          this.forget();
          return 'done';
        }

        if (retried) {
          retried = false;
          this.#emit('sending');
        }
        const before = this.offset;
        await this.#patch();
        if (this.offset > before)
          this.policy.progressed();
      } catch (error) {
        if (signal.aborted || error instanceof CancelledError)
          return 'cancelled';
        // A file changed or removed since it was chosen fails like the network does; reading
        // a byte tells the two apart.
        if (error instanceof NetworkError && this.size > 0 && !await this.#fileReadable())
          throw new UnreadableFileError(this.path, { cause: error });

        const decision = this.policy.decide(error);
        if (decision.action === 'restart' || decision.forget) {
          this.forget();
          this.url = null;
          this.offset = 0;
          this.needsHead = false;
        }
        switch (decision.action) {
          case 'wait':
            this.needsHead = this.url !== null;
            retried = true;
            if (!await this.#wait(decision.seconds, decision.reason, signal))
              return 'cancelled';
            break;
          case 'head':
          case 'shrink':
            this.needsHead = true;
            break;
          case 'restart':
            break;
          default:
            throw error;
        }
      }
    }
  }
}
