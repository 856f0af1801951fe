/* ssync-page-i18n.c: the words of the pages the server sends, in the reader's language.
 *
 * Until the catalogs are served every request gets English (this is the contract the page
 * code is written against).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-page-i18n.h"

struct _SsyncPageLocale
{
  const char *lang;
};

static const SsyncPageLocale english = { "en" };

const SsyncPageLocale *
ssync_page_locale_for_request (SoupServerMessage *msg)
{
  return &english;
}

const char *
ssync_page_locale_get_lang (const SsyncPageLocale *locale)
{
  return locale->lang;
}

const char *
ssync_page_gettext (const SsyncPageLocale *locale,
                    const char            *msgid)
{
  return msgid;
}

const char *
ssync_page_ngettext (const SsyncPageLocale *locale,
                     const char            *msgid,
                     const char            *msgid_plural,
                     gulong                 n)
{
  return n == 1 ? msgid : msgid_plural;
}

GBytes *
ssync_page_localize (GBytes                *html,
                     const SsyncPageLocale *locale)
{
  return g_bytes_ref (html);
}
