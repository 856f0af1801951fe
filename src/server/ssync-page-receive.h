/* ssync-page-receive.h: the receive page (/r/{token}), its words written by the server.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-share.h"

G_BEGIN_DECLS

void ssync_page_receive_send (SoupServerMessage *msg,
                              SsyncShare        *share,
                              guint64            max_size);

G_END_DECLS
