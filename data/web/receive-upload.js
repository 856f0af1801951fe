// ShareSync receive page: one file on its way, from the moment it is chosen until it is sent,
// cancelled, or stops for good.
//
// An Upload joins a tus upload (tus-client.js, sending over tus-xhr.js, with retry-policy.js
// deciding what a failure means) to its row in the list (receive-row.js), and turns how the
// upload ended into words. It belongs to the page's list of uploads (receive-queue.js), which
// it is given as `list`: the list says where to send and how large a file may be, gives the
// upload its turn, and is told when the upload changes.

import { answeredWithError, formatSize } from '/static/common.js';
import { _, format } from '/static/i18n.js';
import { ACTIVE, SpeedMeter, UploadRow } from '/static/receive-row.js';
import { RetryPolicy } from '/static/retry-policy.js';
import {
  HttpError, TusUpload, UnreadableFileError, discoverMaxSize,
} from '/static/tus-client.js';
import { xhrTransport } from '/static/tus-xhr.js';

// How the page names the other side, in the messages of common.js.
// Translators: how the receive page names the computer it sends to, as a sentence's subject.
export const RECEIVER = _('The receiving computer');
export const PAGE_BUG = _('Something went wrong in this page');
const ACCESS_LOST = _('Access to this link was lost: reload the page to unlock it again');
const RETRY_TEXT = {
  network: (s) => format(_('Connection lost · trying again in %s s'), s),
  busy: (s) => format(_('The receiving computer is busy · trying again in %s s'), s),
  server: (s) => format(_('The receiving computer had a problem · trying again in %s s'), s),
};

function messageForStatus(error, maxSize) {
  const { status, method } = error;
  switch (status) {
    case 413: {
      const max = maxSize ?? Number.parseInt(error.header('Tus-Max-Size') ?? '', 10);
      return [Number.isFinite(max) && max > 0
        ? format(_('Too large (max %s)'), formatSize(max))
        : _('Too large for the receiving computer'), false];
    }
    case 507:
      return [_('Not enough free space on the receiving computer'), true];
    case 404:
      return [_('The receiving computer no longer knows this upload'), true];
    case 410:
      return [_('This upload expired on the receiving computer'), true];
    case 400:
      // Translators: %s is an HTTP method (POST, PATCH).
      return [format(_('The receiving computer refused this file (HTTP 400 on %s)'), method),
        true];
    case 403:
      if (error.declined)
        return [_('The receiver declined this file'), false];
      return [ACCESS_LOST, false];
    case 401:
      return [ACCESS_LOST, false];
    case 412:
      return [_('This page and the receiving computer do not speak the same upload protocol; ' +
        'reload the page'), false];
    case 409:
      return [_('The receiving computer and this page disagree on how much was sent'), true];
    default:
      return [answeredWithError(RECEIVER, status), true];
  }
}

export class Upload {
  constructor(list, { key, path, size, lastModified, file = null, url = null, expires = null }) {
    this.list = list;
    this.key = key;
    this.path = path;
    this.size = size;
    this.tus = new TusUpload({
      endpoint: list.endpoint,
      transport: xhrTransport,
      policy: new RetryPolicy(),
      path,
      size,
      lastModified,
      file,
      url,
      expires,
      store: list.store,
      key,
      events: {
        sending: () => this.setState('uploading'),
        retrying: (reason, seconds, first) => {
          if (first) {
            this.setState('retrying', RETRY_TEXT[reason](seconds));
          } else if (this.state === 'retrying') {
            this.message = RETRY_TEXT[reason](seconds);
            this.render();
          }
        },
        progress: () => this.noteProgress(),
        changed: () => this.render(),
      },
    });
    this.state = 'queued';
    this.message = '';
    this.retryable = false;
    this.speed = new SpeedMeter();
    this.renderQueued = false;
    this.view = new UploadRow(path, this.name, {
      retry: () => this.retry(),
      cancel: () => this.cancel(),
    });
  }

  get row() {
    return this.view.element;
  }

  get file() {
    return this.tus.file;
  }

  get name() {
    return this.tus.name;
  }

  get offset() {
    return this.tus.offset;
  }

  get sent() {
    return this.tus.sent;
  }

  setState(state, message = '') {
    this.state = state;
    this.message = message;
    if (state !== 'uploading')
      this.speed.reset();
    this.render();
    this.list.changed();
  }

  render() {
    this.view.render(this);
  }

  // Progress events come many times a second; the row is redrawn once per frame at most.
  scheduleRender() {
    if (this.renderQueued)
      return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
      this.list.changed();
    });
  }

  noteProgress() {
    this.speed.note(this.sent);
    this.scheduleRender();
  }

  // Sends the file through to the end, or until it stops for good, and says how it ended.
  async run() {
    let outcome;
    try {
      outcome = await this.tus.run();
    } catch (error) {
      // Closing the page's receiving aborts the upload and has already said why.
      if (ACTIVE.has(this.state))
        await this.stopped(error);
      return;
    }
    if (outcome === 'done' && ACTIVE.has(this.state))
      this.finish();
  }

  async stopped(error) {
    if (error instanceof UnreadableFileError) {
      this.fail(_('The file can no longer be read; it may have been changed, moved or deleted'),
        true);
      return;
    }
    if (!(error instanceof HttpError)) {
      console.error(error);
      this.fail(PAGE_BUG, true);
      return;
    }
    const { status, method } = error;
    if (status === 413 && this.list.maxSize === null && error.header('Tus-Max-Size') === null)
      this.list.maxSize = await discoverMaxSize(xhrTransport, this.list.endpoint);
    if ((status === 404 || status === 410) && method === 'POST')
      this.list.close(status === 410 ? 'expired' : 'stopped');
    else
      this.fail(...messageForStatus(error, this.list.maxSize));
  }

  finish() {
    this.tus.forget();
    this.setState('done');
  }

  fail(message, retryable) {
    this.retryable = retryable;
    this.setState('failed', message);
  }

  retry() {
    if (this.file === null || ACTIVE.has(this.state))
      return;
    this.tus.renew();
    this.list.enqueue(this);
  }

  cancel() {
    const wasActive = ACTIVE.has(this.state);
    this.list.dequeue(this);
    this.setState('cancelled');
    // Termination frees the partial file on the receiving computer.
    this.tus.cancel();
    if (!wasActive)
      this.list.remove(this);
  }
}
