// ShareSync share page: adds to the page the server wrote.
//
// The server sends the whole list (names, sizes, links, the zip link, SHA-256s), so the page
// works without this script. The script only adds what needs one: dates and sizes in the
// reader's own format, Direct (WebRTC) downloads with their progress, a check before each
// download that says why it cannot start, and the ended state: the page follows its share over
// /ws (and asks again when that connection drops) and says when and why it ended. Text goes in
// with textContent, never as markup. The server's Content-Security-Policy allows no inline
// script or style: classes only.

import { $, el, formatDate, formatSize } from '/static/common.js';
import { _, format } from '/static/i18n.js';
import { appStatus, directErrorText, downloadFromApp } from '/static/rtc.js';

const section = $('share');
const token = section?.dataset.token ?? null;
// Seconds between attempts to follow the share again after /ws dropped.
const RECONNECT_MS = 10_000;
let ended = false;

/* The reader's own formats */

function localize() {
  const time = document.querySelector('#share-expiry time');
  const shown = time ? formatDate(time.dateTime) : null;
  if (shown !== null)
    time.textContent = shown;
  for (const item of document.querySelectorAll('#file-list > li[data-size]')) {
    const size = item.querySelector('.file-size');
    if (size !== null)
      size.textContent = formatSize(Number(item.dataset.size));
  }
}

/* The ended state */

const ENDINGS = {
  stopped: () => [_('This share was stopped'),
    _('The person who shared these files stopped sharing them.')],
  expired: () => [_('This share has expired'),
    _('The files were available for a limited time, and that time is over.')],
  limit: () => [_('This share reached its download limit'),
    _('The files were downloaded as many times as the person who shared them allowed.')],
};

// Turns the page into its ended state: why, and no link that looks like it still works.
function showEnded(reason) {
  if (ended)
    return;
  ended = true;
  const [title, text] = (ENDINGS[reason] ?? ENDINGS.expired)();
  $('share-ended-title').textContent = title;
  $('share-ended-text').textContent = text;
  $('share-ended-hint').textContent = _('Ask the person who shared them for a new link.');
  $('share-ended').hidden = false;
  section.classList.add('share-is-ended');
  document.title = `${title} – ShareSync`;
  for (const gone of [$('share-expiry'), $('download-zip')]) {
    if (gone !== null)
      gone.hidden = true;
  }
  for (const link of document.querySelectorAll('#share a.download, #download-zip')) {
    link.removeAttribute('href');
    link.setAttribute('aria-disabled', 'true');
  }
  for (const button of document.querySelectorAll('#share .direct'))
    button.disabled = true;
}

// The reason a 410 names, or 'expired' when it names none.
function endedReason(response) {
  return response.headers.get('X-ShareSync-Ended') ?? 'expired';
}

// Asks the page's own address whether the share still answers.
async function checkStillShared() {
  try {
    const response = await fetch(window.location.pathname, { method: 'HEAD', cache: 'no-store' });
    if (response.status === 410)
      showEnded(endedReason(response));
  } catch {
    // The computer is unreachable: that is not an end, and the next attempt asks again.
  }
}

function follow() {
  if (ended || token === null)
    return;
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  let ws;
  try {
    ws = new WebSocket(`${scheme}//${window.location.host}/ws`);
  } catch {
    setTimeout(follow, RECONNECT_MS);
    return;
  }
  ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'subscribe', token })));
  ws.addEventListener('message', (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message?.type === 'stopped' || message?.type === 'expired')
      showEnded(message.reason ?? message.type);
  });
  ws.addEventListener('close', async () => {
    if (ended)
      return;
    await checkStillShared();
    if (!ended)
      setTimeout(follow, RECONNECT_MS);
  });
}

/* Downloads that say why they cannot start */

function rowStatus(item, text, error) {
  const status = item?.querySelector('.file-status') ?? $('share-status');
  if (status === null)
    return;
  status.textContent = text;
  // file-direct-error too: the class the direct transfers' status has always had.
  status.classList.toggle('file-status-error', error);
  status.classList.toggle('file-direct-error', error);
  status.hidden = text === '';
}

function failureText(response) {
  switch (response.status) {
    case 404:
      return _('This file is no longer shared. Reload the page to see what is.');
    case 429:
    case 503:
      return _('The computer sharing it is busy. Try again in a moment.');
    default:
      return format(_('The computer sharing it could not send it (error %d).'), response.status);
  }
}

// A download link is checked with HEAD first (which is not counted as a download): a link
// that cannot work says why in the page instead of failing in the browser's download list.
async function onDownloadClick(event) {
  const link = event.currentTarget;
  if (link.dataset.checked === 'yes') {
    delete link.dataset.checked;
    return;
  }
  event.preventDefault();
  if (!link.hasAttribute('href'))
    return;
  const item = link.closest('li.file');
  rowStatus(item, '', false);
  let response;
  try {
    response = await fetch(link.href, { method: 'HEAD', cache: 'no-store' });
  } catch {
    rowStatus(item, _('Cannot reach the computer sharing these files. Check that you are on ' +
      'the same network and that ShareSync is still running there.'), true);
    return;
  }
  if (response.status === 410) {
    showEnded(endedReason(response));
    return;
  }
  if (!response.ok) {
    rowStatus(item, failureText(response), true);
    return;
  }
  link.dataset.checked = 'yes';
  link.click();
}

/* Direct (WebRTC) */

function addDirectButton(item) {
  const path = item.querySelector('.file-path')?.textContent ?? '';
  const direct = el('button', 'button direct');
  direct.type = 'button';
  direct.hidden = true;
  direct.setAttribute('aria-label', format(_('Direct (WebRTC): download %s'), path));
  direct.title = _('Direct (WebRTC): encrypted, from computer to browser');
  const icon = el('span', 'button-icon icon-direct');
  icon.setAttribute('aria-hidden', 'true');
  direct.append(icon, el('span', 'download-label', _('Direct (WebRTC)')));
  direct.addEventListener('click', () => directDownload(item, direct));
  item.querySelector('a.download')?.after(direct);
}

// Downloads one file over a direct connection, shows its progress and the SHA-256 it checked,
// and hands it to the browser as an ordinary download.
async function directDownload(item, button) {
  const fileId = item.dataset.fileId;
  rowStatus(item, _('Connecting directly…'), false);
  button.disabled = true;
  try {
    // Written to disk as it arrives (rtc.js); the save dialog, where there is one, needs this
    // to be the first thing the click does.
    const name = item.querySelector('.file-name')?.textContent ?? 'download';
    const { sha256, note } = await downloadFromApp(token, fileId, name, Number(item.dataset.size),
      (bytes, total) => {
        const percent = total > 0 ? Math.floor((bytes / total) * 100) : 100;
        rowStatus(item, format(_('Direct: %s of %s (%d %%)'), formatSize(bytes),
          formatSize(total), percent), false);
      });
    rowStatus(item, format(_('Received directly, SHA-256 verified: %s'), sha256) +
      (note === null ? '' : ` ${note}`), false);
    item.dataset.directSha256 = sha256;
  } catch (error) {
    rowStatus(item, format(_('Direct download failed: %s'), directErrorText(error)), true);
  } finally {
    button.disabled = ended;
  }
}

// Shows the Direct (WebRTC) buttons when the computer can make direct connections, or says
// why not.
async function setupDirect() {
  let status;
  try {
    status = await appStatus();
  } catch {
    return;
  }
  if (ended)
    return;
  const note = $('direct-note');
  if (!status.available) {
    note.hidden = false;
    note.textContent = status.message ?? _('Direct (WebRTC) downloads are not available here.');
    return;
  }
  for (const button of document.querySelectorAll('.file .direct'))
    button.hidden = false;
}

if (section !== null) {
  localize();
  for (const link of document.querySelectorAll('#share a.download, #download-zip'))
    link.addEventListener('click', onDownloadClick);
  for (const item of document.querySelectorAll('#file-list > li[data-file-id]'))
    addDirectButton(item);
  follow();
  setupDirect();
}
