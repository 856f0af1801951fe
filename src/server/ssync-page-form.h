/* ssync-page-form.h: the receive page's plain form upload, for browsers without scripts.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-route-context.h"

G_BEGIN_DECLS

/* Files one form may carry. */
#define SSYNC_PAGE_FORM_MAX_FILES 100

void ssync_page_form_early  (SsyncRouteContext *context,
                             SoupServerMessage *msg,
                             SsyncShare        *share);
void ssync_page_form_handle (SoupServerMessage *msg);

G_END_DECLS
