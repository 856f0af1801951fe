// ShareSync receive page: the transport its tus client (tus-client.js) sends through in a
// browser. XMLHttpRequest rather than fetch: it reports upload progress, which a PATCH of several
// megabytes needs for a live bar and speed, and which also shows a stalled connection.

import {
  CancelledError, NetworkError, RESPONSE_TIMEOUT_MS, STALL_TIMEOUT_MS, TUS_VERSION,
  WAIT_TIMEOUT_MS,
} from './tus-client.js';

// Resolves with every answer the server gave; rejects only when none came.
export function xhrTransport(method, url, {
  headers = {}, body = null, onProgress = null, signal = null, waitTimeout = WAIT_TIMEOUT_MS,
  stallTimeout = STALL_TIMEOUT_MS, responseTimeout = RESPONSE_TIMEOUT_MS,
} = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let timer = 0;
    let settled = false;

    const abort = () => {
      settle(reject, new CancelledError('cancelled'));
      xhr.abort();
    };
    const settle = (fn, value) => {
      if (settled)
        return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
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

    if (signal?.aborted) {
      reject(new CancelledError('cancelled'));
      return;
    }

    xhr.open(method, url);
    xhr.setRequestHeader('Tus-Resumable', TUS_VERSION);
    for (const [name, value] of Object.entries(headers))
      xhr.setRequestHeader(name, value);

    if (body !== null) {
      xhr.upload.addEventListener('progress', (event) => {
        watchdog(stallTimeout);
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

    signal?.addEventListener('abort', abort);
    watchdog(body !== null ? stallTimeout : waitTimeout);
    xhr.send(body);
  });
}
