/* ssync-page-i18n.h: the words of the pages the server sends, in the reader's language.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* One language's catalog of page strings; owned by this module for the process's life. */
typedef struct _SsyncPageLocale SsyncPageLocale;

const SsyncPageLocale *ssync_page_locale_for_request (SoupServerMessage *msg);
const char            *ssync_page_locale_get_lang    (const SsyncPageLocale *locale);
const char            *ssync_page_gettext            (const SsyncPageLocale *locale,
                                                      const char            *msgid)
                                                      G_GNUC_FORMAT (2);
const char            *ssync_page_ngettext           (const SsyncPageLocale *locale,
                                                      const char            *msgid,
                                                      const char            *msgid_plural,
                                                      gulong                 n)
                                                      G_GNUC_FORMAT (3);
GBytes                *ssync_page_localize           (GBytes                *html,
                                                      const SsyncPageLocale *locale);

/* Page strings are marked with these (po/meson.build gives xgettext their keywords), and
 * translated for the request's language, not the desktop's. */
#define P_(Locale, String) ssync_page_gettext ((Locale), (String))
#define PN_(Locale, Singular, Plural, N) ssync_page_ngettext ((Locale), (Singular), (Plural), (N))
#define NP_(String) (String)

G_END_DECLS
