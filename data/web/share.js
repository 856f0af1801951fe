// ShareSync share page: lists the files of one share and links each to its download.
//
// The page is the same HTML for every share; the token comes from the address (/s/{token}) and
// the share's metadata from /api/files/{token}. Everything a person named (share, folder and file
// names) goes into the page with textContent, never as markup. The server sends a strict
// Content-Security-Policy, so there is no inline script or style: classes only.

import {
  $, LINK_DOES_NOT_WORK, PageError, answeredWithError, el, fetchShareInfo, formatDate,
  formatSize, plural, sameOriginUrl, showPageError, tokenFromLocation, tooManyAttempts,
  unreachable, unreadableAnswer,
} from '/static/common.js';
import { appStatus, directErrorText, downloadFromApp } from '/static/rtc.js';

// Links are put in the page as paths on this origin (see sameOriginUrl).
function sameOriginPath(url) {
  const href = sameOriginUrl(url);
  if (href === null)
    return null;
  const { pathname, search } = new URL(href);
  return pathname + search;
}

// How the page names the other side, in the messages of common.js.
const SHARER = 'The computer sharing them';
const NOT_LISTED = 'The files could not be listed';

function errorForStatus(response) {
  switch (response.status) {
    case 404:
      return new PageError(LINK_DOES_NOT_WORK,
        'The share may have been stopped or may have expired, or the address was not copied ' +
        'completely. Ask the person who shared the files for a new link.');
    case 410:
      return new PageError('This share has expired',
        'The files are no longer available here. Ask the person who shared them for a new link.');
    case 401:
    case 403:
      return new PageError('This share is protected',
        'The person who shared these files needs to give you access.');
    case 429:
      return tooManyAttempts(response.headers);
    default:
      return new PageError(NOT_LISTED,
        `${answeredWithError(SHARER, response.status)}.`, { retry: true });
  }
}

async function fetchShare(token) {
  let response;
  try {
    response = await fetchShareInfo(token);
  } catch {
    throw unreachable('Cannot reach the computer sharing these files');
  }

  if (!response.ok)
    throw errorForStatus(response);

  let share;
  try {
    share = await response.json();
  } catch {
    throw unreadableAnswer(NOT_LISTED, SHARER);
  }
  if (share === null || typeof share !== 'object' || !Array.isArray(share.files))
    throw unreadableAnswer(NOT_LISTED, SHARER);
  return share;
}

function renderFile(file) {
  const item = el('li', 'file');
  if (file.id !== undefined && file.id !== null)
    item.dataset.fileId = String(file.id);

  item.append(el('span', 'file-icon'));

  const info = el('div', 'file-info');
  const path = typeof file.path === 'string' && file.path !== ''
    ? file.path
    : String(file.name ?? '');
  const slash = path.lastIndexOf('/');
  const pathLine = el('p', 'file-path');
  if (slash >= 0)
    pathLine.append(el('span', 'file-dir', path.slice(0, slash + 1)));
  pathLine.append(el('span', 'file-name', slash >= 0 ? path.slice(slash + 1) : path));
  info.append(pathLine);

  info.append(el('p', 'file-meta file-size', formatSize(file.size)));
  item.append(info);

  const href = sameOriginPath(file.url);
  if (href !== null) {
    const link = el('a', 'button download');
    link.href = href;
    link.download = String(file.name ?? '');
    link.setAttribute('aria-label', `Download ${path}`);
    link.append(el('span', 'button-icon icon-download'), el('span', 'download-label', 'Download'));
    item.append(link);
  }

  // Direct (WebRTC): the same file over an encrypted data channel, checked by its SHA-256 here.
  if (file.id !== undefined && file.id !== null) {
    const direct = el('button', 'button direct');
    direct.type = 'button';
    direct.hidden = true;
    direct.setAttribute('aria-label', `Direct (WebRTC): download ${path}`);
    direct.append(el('span', 'download-label', 'Direct (WebRTC)'));
    direct.addEventListener('click', () => directDownload(file, item, direct));
    item.append(direct);
    const status = el('p', 'file-meta file-direct');
    status.setAttribute('aria-live', 'polite');
    status.hidden = true;
    item.append(status);
  }

  // The checksum gets a row of its own under the name and the button, where it has room.
  if (typeof file.sha256 === 'string' && file.sha256 !== '') {
    const sha = el('code', 'file-sha', `SHA-256 ${file.sha256}`);
    sha.title = 'SHA-256 checksum';
    item.append(sha);
  }
  return item;
}

// Downloads one file over a direct connection, shows its progress and the SHA-256 it checked,
// and hands it to the browser as an ordinary download.
async function directDownload(file, item, button) {
  const status = item.querySelector('.file-direct');
  const token = tokenFromLocation('s');
  status.hidden = false;
  status.classList.remove('file-direct-error');
  status.textContent = 'Connecting directly…';
  button.disabled = true;
  try {
    const { sha256, note } = await downloadFromApp(token, file.id, String(file.name ?? 'download'),
      Number(file.size), (bytes, total) => {
        const percent = total > 0 ? Math.floor((bytes / total) * 100) : 100;
        status.textContent = `Direct: ${formatSize(bytes)} of ${formatSize(total)} (${percent} %)`;
      });
    status.textContent = `Received directly, SHA-256 verified: ${sha256}${note ? ` ${note}` : ''}`;
    item.dataset.directSha256 = sha256;
  } catch (error) {
    status.classList.add('file-direct-error');
    status.textContent = `Direct download failed: ${directErrorText(error)}`;
  } finally {
    button.disabled = false;
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
  const note = $('direct-note');
  if (!status.available) {
    if (note !== null) {
      note.hidden = false;
      note.textContent = status.message ?? 'Direct (WebRTC) downloads are not available here.';
    }
    return;
  }
  for (const button of document.querySelectorAll('.file .direct'))
    button.hidden = false;
}

function renderShare(share) {
  const name = typeof share.name === 'string' && share.name !== '' ? share.name : 'Shared files';
  document.title = `${name} – ShareSync`;
  $('share-name').textContent = name;

  const total = Number.isFinite(share.size)
    ? share.size
    : share.files.reduce((sum, f) => sum + (Number.isFinite(f.size) ? f.size : 0), 0);
  const count = plural(share.files.length, 'file', 'files');
  $('share-summary').textContent = `${count} · ${formatSize(total)}`;

  const expiry = $('share-expiry');
  const until = share.expires ? formatDate(share.expires) : null;
  expiry.hidden = until === null;
  expiry.textContent = until === null ? '' : `Available until ${until}`;

  const zip = $('download-zip');
  const zipHref = sameOriginPath(share.zip_url);
  zip.hidden = zipHref === null || share.files.length === 0;
  if (zipHref !== null)
    zip.href = zipHref;

  const list = $('file-list');
  list.replaceChildren(...share.files.map(renderFile));
  if (share.files.length === 0)
    list.append(el('li', 'file file-empty', 'This share has no files.'));
}

function show(state) {
  $('state-loading').hidden = state !== 'loading';
  $('state-error').hidden = state !== 'error';
  $('share').hidden = state !== 'share';
  $('main').setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
}

function showError(error) {
  showPageError(error, 'This page could not show the shared files. Reload to try again.');
  show('error');
}

async function load() {
  const token = tokenFromLocation('s');
  if (token === null) {
    showError(errorForStatus({ status: 404, headers: new Headers() }));
    return;
  }

  show('loading');
  try {
    renderShare(await fetchShare(token));
    show('share');
    setupDirect();
  } catch (error) {
    showError(error);
  }
}

$('error-retry').addEventListener('click', load);
load();
