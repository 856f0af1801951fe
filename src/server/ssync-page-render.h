/* ssync-page-render.h: the HTML pages the server sends, filled in C.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-page-i18n.h"

G_BEGIN_DECLS

/* A template (a page of the web GResource) and what goes into its "{{slot}}"s. Values are
 * markup: escape text with ssync_page_escape(). */
typedef struct _SsyncPage SsyncPage;

SsyncPage *ssync_page_new    (const char *resource);
void       ssync_page_free   (SsyncPage  *self);
void       ssync_page_set    (SsyncPage  *self,
                              const char *slot,
                              const char *markup);
void       ssync_page_take   (SsyncPage  *self,
                              const char *slot,
                              char       *markup);
void       ssync_page_set_text (SsyncPage  *self,
                                const char *slot,
                                const char *text);
void       ssync_page_send   (SsyncPage             *self,
                              SoupServerMessage     *msg,
                              guint                  status,
                              const SsyncPageLocale *locale);

char      *ssync_page_escape (const char *text);
const char *ssync_page_escaped (SsyncPage  *self,
                                const char *text);
char      *ssync_page_markup_format (const char *translated,
                                     const char *markup);
char      *ssync_page_time_markup (gint64 real_time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncPage, ssync_page_free)

G_END_DECLS
