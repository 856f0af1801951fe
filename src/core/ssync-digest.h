/* ssync-digest.h: SHA-256 and CRC-32 of every file of a share, in the background.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-share.h"

G_BEGIN_DECLS

void     ssync_digest_share_async  (SsyncShare           *share,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean ssync_digest_share_finish (GAsyncResult         *result,
                                    GError              **error);

G_END_DECLS
