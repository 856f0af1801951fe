/* ssync-page-unlock.h: the password page of a protected share.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-share.h"

G_BEGIN_DECLS

void ssync_page_unlock_send (SoupServerMessage *msg,
                             SsyncShare        *share);

G_END_DECLS
