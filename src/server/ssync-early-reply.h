/* ssync-early-reply.h: answering a request before its body, without reading the body.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void ssync_early_reply_send (SoupServerMessage *msg);

G_END_DECLS
