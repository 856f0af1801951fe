/* ssync-page-i18n.h: the words of the pages the server sends, in the reader's language.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* One language's catalog of page strings; owned by this module for the process's life. */
typedef struct _SsyncPageLocale SsyncPageLocale;

/* The language of @msg's Accept-Language among those with a catalog, else English; marks the
 * response "Vary: Accept-Language". */
const SsyncPageLocale *ssync_page_locale_for_request (SoupServerMessage *msg);
/* The same for an Accept-Language value (NULL: English). */
const SsyncPageLocale *ssync_page_locale_for_accept_language (const char *accept_language);
/* The BCP 47 tag for <html lang>: "en", "de", "pt-BR". */
const char            *ssync_page_locale_get_lang    (const SsyncPageLocale *locale);
const char            *ssync_page_gettext            (const SsyncPageLocale *locale,
                                                      const char            *msgid)
                                                      G_GNUC_FORMAT (2);
const char            *ssync_page_ngettext           (const SsyncPageLocale *locale,
                                                      const char            *msgid,
                                                      const char            *msgid_plural,
                                                      gulong                 n)
                                                      G_GNUC_FORMAT (3);
/* @html with <html lang> set to @locale's and, when it has one, the scripts' catalog inlined
 * as <script type="application/json" id="ssync-i18n"> for data/web/i18n.js. */
GBytes                *ssync_page_localize           (GBytes                *html,
                                                      const SsyncPageLocale *locale);

/* A size as g_format_size() writes it ("524.3 MB", "1 byte"), in @locale's words and decimal
 * separator ("524,3 MB"), as the scripts' formatSize() does. */
char                  *ssync_page_format_size        (const SsyncPageLocale *locale,
                                                      guint64                size);
/* @template (a translated page msgid) with its "%s" or "%1$s" filled from the strings that
 * follow, up to a NULL; translators may reorder positional ones. */
char                  *ssync_page_format             (const char            *template,
                                                      ...) G_GNUC_NULL_TERMINATED;

/* The best of @available (gettext names: "de", "pt_BR") for an Accept-Language value, or
 * NULL when English is (English needs no catalog). Bounded work for any input. */
const char            *ssync_page_pick_language      (const char            *accept_language,
                                                      const char * const    *available);

/* A catalog from the JSON that build-aux/page-catalogs.py writes, for the tests; the server
 * reads its own from the GResource. */
SsyncPageLocale       *ssync_page_locale_new_from_json (const char          *json,
                                                        gssize               length,
                                                        GError             **error);
void                   ssync_page_locale_free        (SsyncPageLocale       *locale);

/* Page strings are marked with these (po/meson.build gives xgettext their keywords), and
 * translated for the request's language, not the desktop's. */
#define P_(Locale, String) ssync_page_gettext ((Locale), (String))
#define PN_(Locale, Singular, Plural, N) ssync_page_ngettext ((Locale), (Singular), (Plural), (N))
#define NP_(String) (String)

G_END_DECLS
