/* i18n.js: the page's words in the reader's language.
 *
 * Every string a page shows is marked with _() or ngettext() so that xgettext puts it into
 * po/sharesync.pot beside the C strings. The server picks the language from the browser's
 * Accept-Language and inlines that language's catalog in the page it sends
 * (src/server/ssync-page-i18n.c), as
 *   <script type="application/json" id="ssync-i18n">{"lang", "nplurals", "plural", "messages"}
 * so the lookups answer in that language from the moment this module loads, with no request
 * and no waiting. Without a catalog (English, or a module loaded outside a page, as the node
 * tests do) they answer the English msgids.
 *
 * Plural forms come as a table made at build time from the catalog's Plural-Forms (the CSP
 * forbids eval): the form for n = 0..199, and for a larger n that of 100 + n % 100.
 *
 * SPDX-License-Identifier: MIT
 */

const PLURAL_TABLE_SIZE = 200;

function readCatalog() {
  if (typeof document === 'undefined')
    return null;
  const element = document.getElementById('ssync-i18n');
  if (element === null)
    return null;
  try {
    const catalog = JSON.parse(element.textContent);
    if (catalog === null || typeof catalog !== 'object' || catalog.messages === null ||
        typeof catalog.messages !== 'object' || typeof catalog.plural !== 'string' ||
        !/^[0-9]{200}$/.test(catalog.plural))
      return null;
    return catalog;
  } catch {
    return null;
  }
}

const catalog = readCatalog();
const messages = catalog !== null ? catalog.messages : Object.create(null);

function documentLang() {
  if (typeof document === 'undefined')
    return '';
  return document.documentElement?.lang ?? '';
}

// The page's language as a BCP 47 tag ("de", "pt-BR"), for Intl: numbers and dates read as
// the sentences around them do.
export const lang = (catalog !== null && typeof catalog.lang === 'string' && catalog.lang) ||
  documentLang() || 'en';

function lookup(msgid) {
  return Object.prototype.hasOwnProperty.call(messages, msgid) ? messages[msgid] : undefined;
}

export function _(msgid) {
  const found = lookup(msgid);
  return typeof found === 'string' && found !== '' ? found : msgid;
}

function pluralForm(n) {
  const count = Math.abs(Math.trunc(Number(n)));
  if (!Number.isFinite(count))
    return -1;
  const index = count < PLURAL_TABLE_SIZE ? count : 100 + (count % 100);
  return Number(catalog.plural[index]);
}

export function ngettext(singular, plural, n) {
  const found = lookup(singular);
  if (catalog !== null && Array.isArray(found)) {
    const form = found[pluralForm(n)];
    if (typeof form === 'string' && form !== '')
      return form;
  }
  return n === 1 ? singular : plural;
}

/* Fills "%s"/"%d" in order, or "%1$s"-style positions (which translators may reorder). */
export function format(template, ...values) {
  let next = 0;
  return template.replace(/%(?:(\d+)\$)?([sd%])/g, (match, position, kind) => {
    if (kind === '%')
      return '%';
    const value = position ? values[Number(position) - 1] : values[next++];
    return String(value);
  });
}
