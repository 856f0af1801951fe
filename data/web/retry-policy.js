// ShareSync uploads: what to do after a request of an upload fails. The answer depends only on
// the error and on how often the same thing went wrong since the last bytes went through, so the
// policy is a small object per upload with no network and no DOM; a TusUpload (tus-client.js)
// is given one and acts on what it decides.

import { HttpError, NetworkError } from './tus-client.js';

// Waits between attempts after a lost connection or a server error, growing to a ceiling.
export const RETRY_DELAYS_S = [1, 2, 4, 8, 15, 30];
export const MAX_SERVER_ERRORS = 5;
export const MAX_CONFLICTS = 5;
// How long to wait after a 429 that did not say.
export const DEFAULT_RETRY_AFTER_S = 5;
export const CHUNK_SIZE = 8 * 1024 * 1024;
export const MIN_CHUNK_SIZE = 256 * 1024;

// The decisions, one of:
//   { action: 'wait', reason: 'network' | 'busy' | 'server', seconds }: wait, ask the server for
//     the offset (when the upload exists) and go on;
//   { action: 'head' }: ask the server for the offset at once and go on (a 409);
//   { action: 'restart' }: the server forgot the upload, create it again from the start;
//   { action: 'shrink', chunkSize }: send smaller PATCH bodies from the server's offset;
//   { action: 'stop', forget }: give up; forget says the server no longer knows the upload.
export class RetryPolicy {
  constructor({ delays = RETRY_DELAYS_S, maxServerErrors = MAX_SERVER_ERRORS,
    maxConflicts = MAX_CONFLICTS, defaultRetryAfter = DEFAULT_RETRY_AFTER_S,
    chunkSize = CHUNK_SIZE, minChunkSize = MIN_CHUNK_SIZE } = {}) {
    this.delays = delays;
    this.maxServerErrors = maxServerErrors;
    this.maxConflicts = maxConflicts;
    this.defaultRetryAfter = defaultRetryAfter;
    this.fullChunkSize = chunkSize;
    this.minChunkSize = minChunkSize;
    this.chunkSize = chunkSize;
    this.restarted = false;
    this.progressed();
  }

  // A person sends the file again (Try again, or chose it again): a new restart and the full
  // PATCH size are allowed.
  renew() {
    this.restarted = false;
    this.chunkSize = this.fullChunkSize;
    this.progressed();
  }

  // Bytes went through: the next failure starts the counts again.
  progressed() {
    this.networkErrors = 0;
    this.serverErrors = 0;
    this.conflicts = 0;
  }

  #delay(count) {
    return this.delays[Math.min(count, this.delays.length - 1)];
  }

  decide(error) {
    if (error instanceof NetworkError)
      return { action: 'wait', reason: 'network', seconds: this.#delay(this.networkErrors++) };
    if (!(error instanceof HttpError))
      return { action: 'stop', forget: false };

    const { status, method } = error;
    if (status === 409 && ++this.conflicts <= this.maxConflicts)
      return { action: 'head' };
    if (status === 429) {
      const wait = Number.parseInt(error.header('Retry-After') ?? '', 10);
      return { action: 'wait', reason: 'busy',
        seconds: Number.isFinite(wait) && wait > 0 ? wait : this.defaultRetryAfter };
    }
    // The server no longer knows this upload (it expired, or the app restarted without it):
    // start it once more from the beginning. If the share itself is gone, the POST says so.
    const forgotten = (status === 404 || status === 410) && method !== 'POST';
    if (forgotten && !this.restarted) {
      this.restarted = true;
      return { action: 'restart' };
    }
    if (status === 413 && method === 'PATCH' && this.chunkSize > this.minChunkSize) {
      // A server with a smaller limit per request than per file: send smaller pieces.
      this.chunkSize = Math.max(this.minChunkSize, Math.floor(this.chunkSize / 2));
      return { action: 'shrink', chunkSize: this.chunkSize };
    }
    if (status >= 500 && status !== 507 && ++this.serverErrors <= this.maxServerErrors)
      return { action: 'wait', reason: 'server', seconds: this.#delay(this.serverErrors - 1) };
    return { action: 'stop', forget: forgotten };
  }
}
