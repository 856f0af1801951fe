// ShareSync receive page: the row of one upload in the list, and what it says in each state.
//
// A row shows an upload and never changes it: receive-upload.js owns the state and calls
// render() when it changes. The row only reads what it shows (the state, the bytes sent, the
// speed it measures itself, the checksum the receiving computer computed) and hands the
// clicks on its buttons back to the upload.

import { el, formatSize } from '/static/common.js';

// The states in which an upload still travels, or waits for its turn to.
export const ACTIVE = new Set(['queued', 'uploading', 'retrying']);

const SPEED_WINDOW_MS = 4000;

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
  const ofTotal = `${formatSize(sent)} of ${formatSize(upload.size)}`;
  switch (upload.state) {
    case 'queued':
      return upload.offset > 0
        ? `Waiting · ${ofTotal} sent`
        : `Waiting · ${formatSize(upload.size)}`;
    case 'uploading': {
      if (upload.tus.asking)
        return 'Waiting for the receiver to accept';
      if (upload.size > 0 && sent >= upload.size)
        return `${ofTotal} · finishing`;
      const parts = [ofTotal];
      const speed = upload.speed.bytesPerSecond();
      if (speed !== null && speed > 0) {
        parts.push(formatSpeed(speed));
        parts.push(`${formatDuration((upload.size - sent) / speed)} left`);
      }
      return parts.join(' · ');
    }
    case 'interrupted':
      return upload.offset > 0
        ? `Interrupted at ${ofTotal} · choose this file again to continue`
        : 'Interrupted · choose this file again to continue';
    case 'retrying':
    case 'failed':
      return upload.size > 0 && upload.offset > 0
        ? `${upload.message} · ${ofTotal} sent`
        : upload.message;
    case 'done':
      // The saved name is news only when the receiving computer had to change it.
    {
      const { savedAs } = upload.tus;
      return savedAs === null || savedAs === upload.path || savedAs === upload.name
        ? `Sent · ${formatSize(upload.size)}`
        : `Sent · ${formatSize(upload.size)} · saved as “${savedAs}”`;
    }
    case 'cancelled':
      return 'Cancelled';
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
    this.retryButton = actionButton('icon-retry', 'Try again', `Try sending ${path} again`);
    this.retryButton.addEventListener('click', retry);
    this.cancelButton = actionButton('icon-cancel', 'Cancel', `Cancel sending ${path}`);
    this.cancelButton.addEventListener('click', cancel);
    actions.append(this.retryButton, this.cancelButton);

    this.progress = el('progress', 'upload-progress');
    this.progress.setAttribute('aria-label', `Progress of ${path}`);
    this.sha = el('code', 'file-sha');
    this.sha.title = 'SHA-256 checksum computed by the receiving computer';
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
    this.cancelButton.lastChild.textContent = ACTIVE.has(state) ? 'Cancel' : 'Discard';
    this.cancelButton.setAttribute('aria-label',
      `${ACTIVE.has(state) ? 'Cancel sending' : 'Discard'} ${upload.path}`);

    const { sha256 } = upload.tus;
    this.sha.hidden = sha256 === null;
    if (sha256 !== null)
      this.sha.textContent = `SHA-256 ${sha256}`;
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
