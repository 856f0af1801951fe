// ShareSync receive page: sends files from this browser to the computer that shared the link.
//
// The page is the same HTML for every receive share; the token comes from the address
// (/r/{token}) and the upload address and limits from /api/files/{token}. This module is the
// page: the rows, the queue, the pickers and drops, the live notices and the words. The uploads
// themselves are tus-client.js (the protocol, no DOM) sending over tus-xhr.js, with
// retry-policy.js deciding what a failure means and resume-store.js remembering, in
// localStorage, where each unfinished file can go on. At most MAX_PARALLEL files travel at once.
//
// Resuming: a dropped connection, a laptop that slept or a closed tab therefore costs at most
// the bytes in flight: the upload asks the server for the offset (HEAD) and goes on from there,
// and a reopened page lists what was left unfinished so the person can choose the same file
// again.
//
// Everything a person named (file and folder names) goes into the page with textContent, never
// as markup. The server sends a strict Content-Security-Policy: no inline script or style.

import {
  $, LINK_DOES_NOT_WORK, PageError, answeredWithError, el, fetchShareInfo, formatDate,
  formatSize, plural, sameOriginUrl, showPageError, tokenFromLocation, tooManyAttempts,
  unreachable, unreadableAnswer,
} from '/static/common.js';
import { filesFromDrop, filesFromInput } from '/static/receive-files.js';
import { ResumeStore } from '/static/resume-store.js';
import { RetryPolicy } from '/static/retry-policy.js';
import {
  HttpError, TusUpload, UnreadableFileError, discoverMaxSize,
} from '/static/tus-client.js';
import { xhrTransport } from '/static/tus-xhr.js';

const MAX_PARALLEL = 2;
// While bytes flow the speed is recomputed at least this often, so a stalled upload does not
// keep showing the last speed.
const TICK_MS = 1000;
const SPEED_WINDOW_MS = 4000;

// How the page names the other side, in the messages of common.js.
const RECEIVER = 'The receiving computer';
const PAGE_BUG = 'Something went wrong in this page';
const NOT_OPENED = 'This page could not be opened';
const ACCESS_LOST = 'Access to this link was lost: reload the page to unlock it again';
const RETRY_TEXT = {
  network: (s) => `Connection lost · trying again in ${s} s`,
  busy: (s) => `The receiving computer is busy · trying again in ${s} s`,
  server: (s) => `The receiving computer had a problem · trying again in ${s} s`,
};

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

// Reading window.localStorage itself throws where storage is refused; the page then only
// cannot resume after a reload.
function localStorageOrNull() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const store = new ResumeStore(localStorageOrNull());

/* One file */

const ACTIVE = new Set(['queued', 'uploading', 'retrying']);

class Upload {
  constructor({ key, path, size, lastModified, file = null, url = null, expires = null }) {
    this.key = key;
    this.path = path;
    this.size = size;
    this.tus = new TusUpload({
      endpoint: page.uploadUrl,
      transport: xhrTransport,
      policy: new RetryPolicy(),
      path,
      size,
      lastModified,
      file,
      url,
      expires,
      store,
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
    this.samples = [];
    this.renderQueued = false;
    this.row = this.buildRow();
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
        if (this.tus.asking)
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
      {
        const { savedAs } = this.tus;
        return savedAs === null || savedAs === this.path || savedAs === this.name
          ? `Sent · ${formatSize(this.size)}`
          : `Sent · ${formatSize(this.size)} · saved as “${savedAs}”`;
      }
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

    const { sha256 } = this.tus;
    this.sha.hidden = sha256 === null;
    if (sha256 !== null)
      this.sha.textContent = `SHA-256 ${sha256}`;
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
      this.fail('The file can no longer be read; it may have been changed, moved or deleted',
        true);
      return;
    }
    if (!(error instanceof HttpError)) {
      console.error(error);
      this.fail(PAGE_BUG, true);
      return;
    }
    const { status, method } = error;
    if (status === 413 && page.maxSize === null && error.header('Tus-Max-Size') === null)
      page.maxSize = await discoverMaxSize(xhrTransport, page.uploadUrl);
    if ((status === 404 || status === 410) && method === 'POST')
      closeReceiving(status === 410 ? 'expired' : 'stopped');
    else
      this.fail(...messageForStatus(error));
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
    enqueue(this);
  }

  cancel() {
    const wasActive = ACTIVE.has(this.state);
    const dequeued = page.queue.indexOf(this);
    if (dequeued >= 0)
      page.queue.splice(dequeued, 1);
    this.setState('cancelled');
    // Termination frees the partial file on the receiving computer.
    this.tus.cancel();
    if (!wasActive) {
      this.row.remove();
      page.uploads.delete(this);
      updateSummary();
    }
  }
}

function messageForStatus(error) {
  const { status, method } = error;
  switch (status) {
    case 413: {
      const max = page.maxSize ?? Number.parseInt(error.header('Tus-Max-Size') ?? '', 10);
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
      if (error.declined)
        return ['The receiver declined this file', false];
      return [ACCESS_LOST, false];
    case 401:
      return [ACCESS_LOST, false];
    case 412:
      return ['This page and the receiving computer do not speak the same upload protocol; ' +
        'reload the page', false];
    case 409:
      return ['The receiving computer and this page disagree on how much was sent', true];
    default:
      return [answeredWithError(RECEIVER, status), true];
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
      upload.fail(PAGE_BUG, true);
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
    const key = ResumeStore.key(page.token, path, file.size, file.lastModified);
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
      upload.tus.renew(file);
      enqueue(upload);
      continue;
    }
    const stored = store.get(key);
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
  const stored = store.list(page.token);
  if (stored.length === 0)
    return;
  showUploads();
  const list = $('upload-list');
  const found = [];
  for (const entry of stored) {
    const url = sameOriginUrl(entry.url);
    if (url === null) {
      store.forget(entry.key);
      continue;
    }
    const upload = new Upload({ ...entry, url });
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
      await upload.tus.head();
      if (upload.state !== 'interrupted')
        continue;
      if (upload.offset >= upload.size && upload.tus.sha256 !== null) {
        upload.finish();
      } else {
        upload.render();
        updateSummary();
      }
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 410) &&
          upload.state === 'interrupted') {
        upload.tus.forget();
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
      upload.tus.abort();
      upload.tus.forget();
      upload.fail(why === 'expired' ? 'Not sent: the link expired' : 'Not sent: receiving stopped',
        false);
    }
  }
}

/* Loading the page */

function errorForStatus(response) {
  switch (response.status) {
    case 404:
      return new PageError(LINK_DOES_NOT_WORK,
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
      return tooManyAttempts(response.headers);
    default:
      return new PageError(NOT_OPENED, `${answeredWithError(RECEIVER, response.status)}.`,
        { retry: true });
  }
}

async function fetchShare(token) {
  let response;
  try {
    response = await fetchShareInfo(token);
  } catch {
    throw unreachable('Cannot reach the receiving computer');
  }
  if (!response.ok)
    throw errorForStatus(response);

  const unreadable = unreadableAnswer(NOT_OPENED, RECEIVER);
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
  showPageError(error, 'This page could not be opened. Reload to try again.');
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
    upload.tus.wake();
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
