// ShareSync receive page: the row of one upload in the list, and what it says in each state.
//
// A row shows an upload and never changes it: receive-upload.js owns the state and calls
// render() when it changes. The row only reads what it shows (the state, the bytes sent, the
// speed it measures itself, the checksum the receiving computer computed) and hands the
// clicks on its buttons back to the upload.

import { el, formatSize } from '/static/common.js';
import { _, format } from '/static/i18n.js';

// The states in which an upload still travels, or waits for its turn to.
export const ACTIVE = new Set(['queued', 'uploading', 'retrying']);

const SPEED_WINDOW_MS = 4000;

function formatSpeed(bytesPerSecond) {
  // Translators: a transfer speed; %s is a size ("2.4 MB").
  return format(_('%s/s'), formatSize(Math.round(bytesPerSecond)));
}

// How long is left, as "… left" says it.
function timeLeft(seconds) {
  if (seconds < 1)
    return _('less than a second left');
  if (seconds < 60)
    return format(_('%s s left'), Math.ceil(seconds));
  if (seconds < 3600)
    return format(_('%s min left'), Math.ceil(seconds / 60));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return minutes === 0 || minutes === 60
    ? format(_('%s h left'), minutes === 60 ? hours + 1 : hours)
    // Translators: hours and minutes left ("2 h 15 min left").
    : format(_('%1$s h %2$s min left'), hours, minutes);
}

// The speed over the last few seconds of sending, from the bytes sent at each progress event.
export class SpeedMeter {
  constructor() {
    this.samples = [];
  }

  reset() {
    this.samples = [];
  }

  note(bytes) {
    const now = performance.now();
    this.samples.push({ time: now, bytes });
    while (this.samples.length > 2 && now - this.samples[1].time > SPEED_WINDOW_MS)
      this.samples.shift();
  }

  bytesPerSecond() {
    if (this.samples.length < 2)
      return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.time - first.time) / 1000;
    return seconds >= 0.5 ? (last.bytes - first.bytes) / seconds : null;
  }
}

function statusText(upload) {
  const sent = upload.sent;
  // Translators: how much of a file went, "1.2 MB of 4.0 MB".
  const ofTotal = format(_('%1$s of %2$s'), formatSize(sent), formatSize(upload.size));
  switch (upload.state) {
    case 'queued':
      return upload.offset > 0
        ? format(_('Waiting · %s sent'), ofTotal)
        : format(_('Waiting · %s'), formatSize(upload.size));
    case 'uploading': {
      if (upload.tus.asking)
        return _('Waiting for the receiver to accept');
      if (upload.size > 0 && sent >= upload.size)
        return format(_('%s · finishing'), ofTotal);
      const parts = [ofTotal];
      const speed = upload.speed.bytesPerSecond();
      if (speed !== null && speed > 0) {
        parts.push(formatSpeed(speed));
        parts.push(timeLeft((upload.size - sent) / speed));
      }
      return parts.join(' · ');
    }
    case 'interrupted':
      return upload.offset > 0
        ? format(_('Interrupted at %s · choose this file again to continue'), ofTotal)
        : _('Interrupted · choose this file again to continue');
    case 'retrying':
    case 'failed':
      return upload.size > 0 && upload.offset > 0
        // Translators: %1$s says why a file stopped, %2$s how much of it went ("1.2 MB of 4.0 MB").
        ? format(_('%1$s · %2$s sent'), upload.message, ofTotal)
        : upload.message;
    case 'done':
      // The saved name is news only when the receiving computer had to change it.
    {
      const { savedAs } = upload.tus;
      return savedAs === null || savedAs === upload.path || savedAs === upload.name
        ? format(_('Sent · %s'), formatSize(upload.size))
        // Translators: %1$s is a size, %2$s the name the receiving computer saved the file as.
        : format(_('Sent · %1$s · saved as “%2$s”'), formatSize(upload.size), savedAs);
    }
    case 'cancelled':
      return _('Cancelled');
    default:
      return '';
  }
}

function actionButton(icon, label, ariaLabel) {
  const button = el('button', 'button upload-action');
  button.type = 'button';
  button.setAttribute('aria-label', ariaLabel);
  button.append(el('span', `button-icon ${icon}`), el('span', 'button-label', label));
  return button;
}

export class UploadRow {
  // path is where the file goes under the receiving folder, name its last part; retry and
  // cancel are what the row's buttons do.
  constructor(path, name, { retry, cancel }) {
    const row = el('li', 'file upload');
    row.dataset.path = path;

    row.append(el('span', 'file-icon'));

    const info = el('div', 'file-info');
    const pathLine = el('p', 'file-path');
    const slash = path.lastIndexOf('/');
    if (slash >= 0)
      pathLine.append(el('span', 'file-dir', path.slice(0, slash + 1)));
    pathLine.append(el('span', 'file-name', name));
    this.status = el('p', 'file-meta upload-status');
    info.append(pathLine, this.status);

    const actions = el('div', 'upload-actions');
    this.retryButton = actionButton('icon-retry', _('Try again'),
      format(_('Try sending %s again'), path));
    this.retryButton.addEventListener('click', retry);
    this.cancelButton = actionButton('icon-cancel', _('Cancel'),
      format(_('Cancel sending %s'), path));
    this.cancelButton.addEventListener('click', cancel);
    actions.append(this.retryButton, this.cancelButton);

    this.progress = el('progress', 'upload-progress');
    this.progress.setAttribute('aria-label', format(_('Progress of %s'), path));
    this.sha = el('code', 'file-sha');
    this.sha.title = _('SHA-256 checksum computed by the receiving computer');
    this.sha.hidden = true;

    row.append(info, actions, this.progress, this.sha);
    this.element = row;
  }

  render(upload) {
    const { state } = upload;
    this.element.dataset.state = state;
    this.status.textContent = statusText(upload);
    this.status.classList.toggle('upload-error', state === 'failed');

    const showBar = state !== 'cancelled' && state !== 'done' &&
      !(state === 'failed' && upload.offset === 0);
    this.progress.hidden = !showBar;
    this.progress.max = Math.max(upload.size, 1);
    this.progress.value = state === 'done' ? Math.max(upload.size, 1) : upload.sent;

    this.retryButton.hidden = !(state === 'failed' && upload.file !== null && upload.retryable);
    this.cancelButton.hidden = !(ACTIVE.has(state) || state === 'failed' ||
                                 state === 'interrupted');
    this.cancelButton.lastChild.textContent = ACTIVE.has(state) ? _('Cancel') : _('Discard');
    this.cancelButton.setAttribute('aria-label', format(ACTIVE.has(state)
      ? _('Cancel sending %s')
      : _('Discard %s'), upload.path));

    const { sha256 } = upload.tus;
    this.sha.hidden = sha256 === null;
    if (sha256 !== null)
      this.sha.textContent = format(_('SHA-256 %s'), sha256);
  }

  // Draws the eye to a row whose file was chosen again while it is still on its way.
  flash() {
    const row = this.element;
    row.classList.remove('flash');
    void row.offsetWidth;
    row.classList.add('flash');
    row.scrollIntoView({ block: 'nearest' });
  }
}
