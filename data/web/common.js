// ShareSync pages: what the share page (share.js) and the receive page (receive.js) both need.
// Elements by id and new ones with their text, sizes, counts and dates as a person reads them,
// the token in the address, same-origin checks, the request for a share's metadata, and the
// words both pages use when something goes wrong, written once here so they say it alike.
//
// Importing this module only defines things: it touches neither the page nor the network.

export const FETCH_TIMEOUT_MS = 15_000;

export const $ = (id) => document.getElementById(id);

// Text goes in with textContent, never as markup: names come from whoever shared the files.
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className)
    node.className = className;
  if (text !== undefined)
    node.textContent = text;
  return node;
}

// Sizes read like GNOME's (g_format_size): decimal units, one decimal past the bytes.
const SIZE_UNITS = ['kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
const oneDecimal = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const wholeNumber = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0)
    return '';
  if (bytes < 1000)
    return bytes === 1 ? '1 byte' : `${wholeNumber.format(bytes)} bytes`;

  let value = bytes;
  let unit = -1;
  // Move up a unit when rounding to one decimal would print "1000.0".
  while (unit < SIZE_UNITS.length - 1 && value >= 999.95) {
    value /= 1000;
    unit++;
  }
  return `${oneDecimal.format(value)} ${SIZE_UNITS[unit]}`;
}

// "1 file", "12 files": a count with the word that goes with it.
export function plural(n, one, many) {
  return n === 1 ? `1 ${one}` : `${wholeNumber.format(n)} ${many}`;
}

// A date and time from the server (ISO 8601) in the browser's locale, or null if unreadable.
export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()))
    return null;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// The full address of url when it is on this page's origin, else null. Only such addresses are
// used, so a malformed answer cannot turn a link into a javascript: or off-site one, nor send
// files elsewhere.
export function sameOriginUrl(url) {
  if (typeof url !== 'string' || url === '')
    return null;
  try {
    const resolved = new URL(url, window.location.href);
    return resolved.origin === window.location.origin ? resolved.href : null;
  } catch {
    return null;
  }
}

// The token of this page's address, /{kind}/{token} ("s" for a share, "r" for a receive link),
// or null when the address has another form.
export function tokenFromLocation(kind) {
  const match = new RegExp(`^/${kind}/([^/]+)/?$`).exec(window.location.pathname);
  return match ? match[1] : null;
}

// GET /api/files/{token}: the response, whatever its status. Rejects only when the computer
// cannot be reached or does not answer within FETCH_TIMEOUT_MS.
export function fetchShareInfo(token) {
  return fetch(`/api/files/${encodeURIComponent(token)}`, {
    headers: { Accept: 'application/json' },
    cache: 'no-store',
    credentials: 'same-origin',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
}

/* What goes wrong, in words */

// What to tell a person after a 429: how long the server asked to wait, if it said.
export function waitMessage(headers) {
  const wait = Number.parseInt(headers.get('Retry-After') ?? '', 10);
  return Number.isFinite(wait) && wait > 0
    ? `Wait ${wait} seconds, then try again.`
    : 'Wait a moment, then try again.';
}

export const LINK_DOES_NOT_WORK = 'This link does not work';
export const CHECK_NETWORK =
  'Check that you are on the same network and that ShareSync is still running there.';

// A page that could not open: a title, what to do, and whether "Try again" (load once more) or
// "Reload" (the whole page, as after a password) helps.
export class PageError extends Error {
  constructor(title, message, { retry = false, reload = false } = {}) {
    super(message);
    this.title = title;
    this.retry = retry;
    this.reload = reload;
  }
}

// The answers both pages give to the same trouble with /api/files; computer names the other
// side as the page calls it ("The receiving computer").
export const tooManyAttempts = (headers) =>
  new PageError('Too many attempts', waitMessage(headers), { retry: true });

export const unreachable = (title) => new PageError(title, CHECK_NETWORK, { retry: true });

export const answeredWithError = (computer, status) =>
  `${computer} answered with an error (HTTP ${status})`;

export const unreadableAnswer = (title, computer) =>
  new PageError(title, `${computer} sent an answer this page does not understand.`,
    { retry: true });

// Fills the page's error state (#error-title, #error-message, #error-retry) and its title. An
// error that is no PageError is a bug of the page: it is logged and fallback is shown.
export function showPageError(error, fallback) {
  const known = error instanceof PageError;
  if (!known)
    console.error(error);
  $('error-title').textContent = known ? error.title : 'Something went wrong';
  $('error-message').textContent = known ? error.message : fallback;
  const retry = $('error-retry');
  retry.hidden = !(known && (error.retry || error.reload));
  retry.textContent = known && error.reload ? 'Reload' : 'Try again';
  retry.dataset.reload = known && error.reload ? 'true' : '';
  document.title = `${$('error-title').textContent} – ShareSync`;
}
