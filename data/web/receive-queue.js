// ShareSync receive page: the list of uploads and the queue that sends them, at most
// MAX_PARALLEL files at once.
//
// This module holds what the page knows of its share (set by receive.js when it loads) and
// every upload it shows: the files chosen now, and those an earlier visit left unfinished, which
// resume-store.js remembers in localStorage. It also says how far the whole list got (the
// summary line and the tab title), and stops everything when receiving ends.

import { $, formatNumber, formatSize, sameOriginUrl } from '/static/common.js';
import { _, format, ngettext } from '/static/i18n.js';
import { ResumeStore } from '/static/resume-store.js';
import { ACTIVE } from '/static/receive-row.js';
import { PAGE_BUG, Upload } from '/static/receive-upload.js';
import { HttpError } from '/static/tus-client.js';

const MAX_PARALLEL = 2;

/* Page-wide state */

export const page = {
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

// What an Upload asks of the list it belongs to.
const list = {
  get endpoint() {
    return page.uploadUrl;
  },
  get maxSize() {
    return page.maxSize;
  },
  set maxSize(value) {
    page.maxSize = value;
  },
  store,
  changed: updateSummary,
  enqueue,
  dequeue(upload) {
    const index = page.queue.indexOf(upload);
    if (index >= 0)
      page.queue.splice(index, 1);
  },
  remove(upload) {
    upload.row.remove();
    page.uploads.delete(upload);
    updateSummary();
  },
  close: closeReceiving,
};

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

export function addFiles(items) {
  if (page.closed !== null || items.length === 0)
    return;
  showUploads();
  const rows = $('upload-list');
  for (const { file, path } of items) {
    const key = ResumeStore.key(page.token, path, file.size, file.lastModified);
    let upload = findUpload(key);

    if (upload !== null && ACTIVE.has(upload.state)) {
      upload.view.flash();
      continue;
    }
    if (upload !== null) {
      // The same file again: pick up where it stopped.
      if (page.maxSize !== null && file.size > page.maxSize) {
        upload.view.flash();
        continue;
      }
      upload.tus.renew(file);
      enqueue(upload);
      continue;
    }
    const stored = store.get(key);
    upload = new Upload(list, {
      key,
      path,
      size: file.size,
      lastModified: file.lastModified,
      file,
      url: stored !== null ? sameOriginUrl(stored.url) : null,
    });
    page.uploads.add(upload);
    rows.append(upload.row);

    if (page.maxSize !== null && file.size > page.maxSize) {
      upload.fail(format(_('Too large (max %s)'), formatSize(page.maxSize)), false);
      continue;
    }
    enqueue(upload);
  }
  updateSummary();
}

// Lists what an earlier visit left unfinished, so the person can choose those files again.
export async function restoreInterrupted() {
  const stored = store.list(page.token);
  if (stored.length === 0)
    return;
  showUploads();
  const rows = $('upload-list');
  const found = [];
  for (const entry of stored) {
    const url = sameOriginUrl(entry.url);
    if (url === null) {
      store.forget(entry.key);
      continue;
    }
    const upload = new Upload(list, { ...entry, url });
    upload.state = 'interrupted';
    upload.message = _('Interrupted · choose this file again to continue');
    page.uploads.add(upload);
    rows.append(upload.row);
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
        list.remove(upload);
      }
    }
  }
  if (page.uploads.size === 0)
    $('uploads').hidden = true;
}

/* Summary, title and the end of receiving */

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
  if (all.length > 0) {
    // Translators: how many of the chosen files went, "2 of 5 files sent".
    parts.push(format(ngettext('%1$s of %2$s file sent', '%1$s of %2$s files sent', all.length),
      formatNumber(done), formatNumber(all.length)));
  }
  if (failed > 0)
    parts.push(format(ngettext('%s not sent', '%s not sent', failed), formatNumber(failed)));
  if (waiting > 0) {
    parts.push(format(ngettext('%s interrupted', '%s interrupted', waiting),
      formatNumber(waiting)));
  }
  $('uploads-summary').textContent = parts.join(' · ');

  if (active.length > 0) {
    const total = active.reduce((sum, u) => sum + u.size, 0);
    const sent = active.reduce((sum, u) => sum + u.sent, 0);
    const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
    // Translators: the browser tab's title while files are being sent; %s is a percentage.
    document.title = format(_('%s%% · Send files – ShareSync'), formatNumber(percent));
  } else {
    document.title = _('Send files – ShareSync');
  }
}

export function closeReceiving(why) {
  if (page.closed !== null)
    return;
  page.closed = why;
  const banner = $('receive-closed');
  banner.textContent = why === 'expired'
    ? _('This link has expired. Files already sent are saved on the receiving computer.')
    : _('The receiving computer stopped accepting files. Files already sent are saved there.');
  banner.hidden = false;
  $('drop-zone').classList.add('closed');
  for (const id of ['pick-files', 'pick-folder'])
    $(id).disabled = true;

  page.queue.length = 0;
  for (const upload of page.uploads) {
    if (ACTIVE.has(upload.state) || upload.state === 'interrupted') {
      upload.tus.abort();
      upload.tus.forget();
      upload.fail(why === 'expired'
        ? _('Not sent: the link expired')
        : _('Not sent: receiving stopped'), false);
    }
  }
}
