// ShareSync receive page, direct mode: sends chosen files to the computer over an encrypted
// WebRTC data channel instead of tus uploads. The computer writes them like any upload (a .part
// file, synced and named only once every byte is there and its SHA-256 matches) and answers with
// the name it saved each file under. One file at a time, in the order chosen.
//
// This module only adds to the page that receive.js runs: the "Send directly (WebRTC)" button,
// shown when the computer can make direct connections, and the list of what it sent.

import { $, el, formatSize, tokenFromLocation } from '/static/common.js';
import { _, format } from '/static/i18n.js';
import { appStatus, connectToApp, directErrorText } from '/static/rtc.js';

function addRow(file) {
  const list = $('direct-list');
  const item = el('li', 'file direct-send');
  const info = el('div', 'file-info');
  info.append(el('p', 'file-path', file.name), el('p', 'file-meta file-size', formatSize(file.size)));
  const status = el('p', 'file-meta file-direct', _('Waiting…'));
  status.setAttribute('aria-live', 'polite');
  item.append(el('span', 'file-icon'), info, status);
  list.append(item);
  $('direct-sends').hidden = false;
  return { item, status };
}

async function sendAll(files) {
  const token = tokenFromLocation('r');
  const rows = files.map((file) => ({ file, ...addRow(file) }));
  let connection = null;
  try {
    rows[0].status.textContent = _('Connecting directly…');
    connection = await connectToApp(token);
    for (const { file, item, status } of rows) {
      const sent = await connection.channel.sendFile(file, {
        name: file.name,
        path: file.webkitRelativePath || file.name,
      }, {
        waitReady: true,
        onProgress: (bytes) => {
          const percent = file.size > 0 ? Math.floor((bytes / file.size) * 100) : 100;
          // Translators: progress of a direct transfer, "Direct: 1.2 MB of 4.0 MB (30 %)".
          status.textContent = format(_('Direct: %1$s of %2$s (%3$s %%)'), formatSize(bytes),
            formatSize(file.size), percent);
        },
      });
      item.dataset.sha256 = sent.sha256;
      item.dataset.savedAs = sent.saved_as ?? '';
      status.textContent = format(_('Saved as %1$s, SHA-256 verified: %2$s'),
        sent.saved_as ?? file.name, sent.sha256);
    }
  } catch (error) {
    for (const { item, status } of rows) {
      if (item.dataset.sha256 === undefined) {
        status.classList.add('file-direct-error');
        // Translators: %s says why a direct transfer failed.
        status.textContent = format(_('Not sent: %s'), directErrorText(error));
      }
    }
  } finally {
    connection?.close();
  }
}

async function setup() {
  const picker = $('pick-direct');
  picker.addEventListener('change', () => {
    const files = [...picker.files];
    picker.value = '';
    if (files.length > 0)
      sendAll(files);
  });
  let status;
  try {
    status = await appStatus();
  } catch {
    return;
  }
  if (status.available)
    $('pick-direct-button').hidden = false;
  else {
    $('direct-note').hidden = false;
    $('direct-note').textContent =
      status.message ?? _('Direct (WebRTC) sending is not available here.');
  }
}

setup();
