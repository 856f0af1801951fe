/* i18n.js: the page's words in the reader's language.
 *
 * Every string a page shows is marked with _() or ngettext() so that xgettext puts it into
 * po/sharesync.pot beside the C strings. The lookups answer the English text until the
 * catalogs are served (this is the contract the pages are written against).
 *
 * SPDX-License-Identifier: MIT
 */

export function _(msgid) {
  return msgid;
}

export function ngettext(singular, plural, n) {
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
