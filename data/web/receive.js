// ShareSync receive page: sends files from this browser to the computer that shared the link.
//
// The page is the same HTML for every receive share; the token comes from the address
// (/r/{token}) and the upload address and limits from /api/files/{token}. This module loads the
// page and wires it: the pickers and drops, the live notices, and the browser's own events. The
// list of uploads and the queue that sends at most two files at once are receive-queue.js; each
// file's upload is receive-upload.js, drawn as a row by receive-row.js. The uploads themselves
// are tus-client.js (the protocol, no DOM) sending over tus-xhr.js, with retry-policy.js
// deciding what a failure means and resume-store.js remembering, in localStorage, where each
// unfinished file can go on.
//
// Resuming: a dropped connection, a laptop that slept or a closed tab therefore costs at most
// the bytes in flight: the upload asks the server for the offset (HEAD) and goes on from there,
// and a reopened page lists what was left unfinished so the person can choose the same file
// again.
//
// Everything a person named (file and folder names) goes into the page with textContent, never
// as markup. The server sends a strict Content-Security-Policy: no inline script or style.

import {
  $, LINK_DOES_NOT_WORK, PageError, answeredWithError, fetchShareInfo, formatDate,
  sameOriginUrl, showPageError, tokenFromLocation, tooManyAttempts, unreachable,
  unreadableAnswer,
} from '/static/common.js';
import { _ } from '/static/i18n.js';
import { filesFromDrop, filesFromInput } from '/static/receive-files.js';
import { addFiles, closeReceiving, page, restoreInterrupted } from '/static/receive-queue.js';
import { ACTIVE } from '/static/receive-row.js';
import { RECEIVER } from '/static/receive-upload.js';

// While bytes flow the speed is recomputed at least this often, so a stalled upload does not
// keep showing the last speed.
const TICK_MS = 1000;

const NOT_OPENED = _('This page could not be opened');

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

/* Loading the page */

function errorForStatus(response) {
  switch (response.status) {
    case 404:
      return new PageError(_(LINK_DOES_NOT_WORK),
        _('Receiving may have been stopped, or the address was not copied completely. Ask the ' +
        'person you are sending to for a new link.'));
    case 410:
      return new PageError(_('This link has expired'),
        _('It no longer accepts files. Ask the person you are sending to for a new link.'));
    case 401:
    case 403:
      return new PageError(_('This link is protected'),
        _('Reload the page to enter the password.'), { reload: true });
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
    throw unreachable(_('Cannot reach the receiving computer'));
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

// The server wrote the receiver's name and the limits; the script shows the closing time in
// the reader's own format and keeps what the uploads need.
function renderShare(share) {
  page.uploadUrl = sameOriginUrl(share.upload_url);
  page.maxSize = Number.isFinite(share.max_size) && share.max_size > 0 ? share.max_size : null;

  const time = document.querySelector('#receive-limits time');
  const shown = time ? formatDate(time.dateTime) : null;
  if (shown !== null)
    time.textContent = shown;
}

function show(state) {
  $('state-loading').hidden = state !== 'loading';
  $('state-error').hidden = state !== 'error';
  $('receive').hidden = state !== 'receive';
  $('main').setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
}

function showError(error) {
  showPageError(error, _('This page could not be opened. Reload to try again.'));
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

// The plain form is for browsers that cannot run this page's scripts.
$('plain-upload').hidden = true;

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
