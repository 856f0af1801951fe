// ShareSync pages: what the share page (share.js) and the receive page (receive.js) both need.
// Elements by id and new ones with their text, sizes, counts and dates as a person reads them,
// the token in the address, same-origin checks, the request for a share's metadata, and the
// words both pages use when something goes wrong, written once here so they say it alike.
//
// Importing this module only defines things: it touches neither the page nor the network.

import { _, format, lang, ngettext } from '/static/i18n.js';

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

// Sizes, counts and dates read in the page's language (that of its sentences, not the
// browser's), with the page language's digits and separators.
const oneDecimal = new Intl.NumberFormat(lang, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  useGrouping: false,
});
const wholeNumber = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });

export function formatNumber(n) {
  return wholeNumber.format(n);
}

// Sizes read like GNOME's (g_format_size): decimal (SI) units, one decimal past the bytes, each
// unit from 1000 of the one below, as GLib picks them ("999.9 kB", "1.0 MB"). Each unit is a
// msgid of its own, as in GLib, for the languages that write units their own way.
// GLib joins a unit to its number by a no-break space; the pages write a plain one.
const SIZE_UNITS = [
  () => _('%s kB'), () => _('%s MB'), () => _('%s GB'), () => _('%s TB'), () => _('%s PB'),
  () => _('%s EB'),
];

export function formatSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0)
    return '';
  if (bytes < 1000)
    return format(ngettext('%s byte', '%s bytes', bytes), wholeNumber.format(bytes));

  let unit = 0;
  while (unit < SIZE_UNITS.length - 1 && bytes >= 1000 ** (unit + 2))
    unit++;
  return format(SIZE_UNITS[unit](), oneDecimal.format(bytes / 1000 ** (unit + 1)));
}

// "1 file", "12 files": a count with the word that goes with it. Kept for pages that have not
// moved to ngettext(); the words one and many are English and not translated here.
export function plural(n, one, many) {
  return n === 1 ? `1 ${one}` : `${wholeNumber.format(n)} ${many}`;
}

// A date and time from the server (ISO 8601) in the page's language, or null if unreadable.
export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()))
    return null;
  return date.toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
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
    ? format(ngettext('Wait %s second, then try again.', 'Wait %s seconds, then try again.',
      wait), wholeNumber.format(wait))
    : _('Wait a moment, then try again.');
}

export const LINK_DOES_NOT_WORK = _('This link does not work');
export const CHECK_NETWORK =
  _('Check that you are on the same network and that ShareSync is still running there.');

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
  new PageError(_('Too many attempts'), waitMessage(headers), { retry: true });

export const unreachable = (title) => new PageError(title, CHECK_NETWORK, { retry: true });

export const answeredWithError = (computer, status) =>
  // Translators: %1$s is how the page names the other computer, as a sentence's subject ("The
  // receiving computer"), %2$s an HTTP status code.
  format(_('%1$s answered with an error (HTTP %2$s)'), computer, status);

export const unreadableAnswer = (title, computer) =>
  // Translators: %s is how the page names the other computer ("The receiving computer").
  new PageError(title, format(_('%s sent an answer this page does not understand.'), computer),
    { retry: true });

// Fills the page's error state (#error-title, #error-message, #error-retry) and its title. An
// error that is no PageError is a bug of the page: it is logged and fallback is shown.
export function showPageError(error, fallback) {
  const known = error instanceof PageError;
  if (!known)
    console.error(error);
  $('error-title').textContent = known ? error.title : _('Something went wrong');
  $('error-message').textContent = known ? error.message : fallback;
  const retry = $('error-retry');
  retry.hidden = !(known && (error.retry || error.reload));
  retry.textContent = known && error.reload ? _('Reload') : _('Try again');
  retry.dataset.reload = known && error.reload ? 'true' : '';
  // Translators: the browser tab's title; %s is what the page says went wrong.
  document.title = format(_('%s – ShareSync'), $('error-title').textContent);
}
