/* ssync-body-pump.h: streams a GInputStream into a response body with bounded memory.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-buffer-pool.h"
#include "ssync-transfer.h"

G_BEGIN_DECLS

void ssync_body_pump_start (SsyncBufferPool   *pool,
                            SoupServerMessage *msg,
                            GInputStream      *stream,
                            guint64            length,
                            SsyncTransfer     *transfer);

G_END_DECLS
