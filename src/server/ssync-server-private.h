/* ssync-server-private.h: what the route files share with ssync-server.c.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-buffer-pool.h"
#include "ssync-server.h"

G_BEGIN_DECLS

SsyncTransfer *ssync_server_begin_transfer (SsyncServer       *self,
                                            SoupServerMessage *msg,
                                            SsyncShare        *share,
                                            const char        *file_name,
                                            SsyncDirection     direction,
                                            SsyncTransferKind  kind,
                                            guint64            offset,
                                            guint64            total);

SsyncBufferPool *ssync_server_get_buffer_pool (SsyncServer *self);

gboolean ssync_download_reserve         (SoupServerMessage *msg,
                                         SsyncShare        *share);
void     ssync_download_count_on_finish (SsyncTransfer     *transfer,
                                         SsyncShare        *share);

void ssync_file_response_handle (SsyncServer       *server,
                                 SoupServerMessage *msg,
                                 SsyncShare        *share,
                                 SsyncFileEntry    *entry);
void ssync_zip_response_handle  (SsyncServer       *server,
                                 SoupServerMessage *msg,
                                 SsyncShare        *share);
void ssync_api_health           (SsyncServer       *server,
                                 SoupServerMessage *msg);
void ssync_api_stats            (SsyncServer       *server,
                                 SoupServerMessage *msg);
void ssync_api_files            (SsyncServer       *server,
                                 SoupServerMessage *msg,
                                 SsyncShare        *share);

G_END_DECLS
