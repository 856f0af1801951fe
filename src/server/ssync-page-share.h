/* ssync-page-share.h: the share page (/s/{token}), written whole by the server.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-share.h"

G_BEGIN_DECLS

/* Rows one page of the list holds; ?page=N shows the others. */
#define SSYNC_PAGE_SHARE_ROWS 500

void ssync_page_share_send (SoupServerMessage *msg,
                            SsyncShare        *share,
                            GHashTable        *query);

G_END_DECLS
