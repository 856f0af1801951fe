/* ssync-routes.h: the routes of the embedded HTTP server, which all work from a
 * SsyncRouteContext (never from the SsyncServer that made it).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-route-context.h"

G_BEGIN_DECLS

/* ssync-routes.c: paths to routes; ssync-routes-early.c: what is refused before a body. */
char   **ssync_routes_split_path        (const char        *raw_path);
void     ssync_routes_handle            (SoupServer        *soup,
                                         SoupServerMessage *msg,
                                         const char        *path,
                                         GHashTable        *query,
                                         gpointer           context);
void     ssync_routes_handle_early      (SoupServer        *soup,
                                         SoupServerMessage *msg,
                                         const char        *path,
                                         GHashTable        *query,
                                         gpointer           context);

/* ssync-file-response.c, ssync-zip-response.c */
gboolean ssync_download_reserve         (SoupServerMessage *msg,
                                         SsyncShare        *share);
void     ssync_download_count_on_finish (SsyncTransfer     *transfer,
                                         SsyncShare        *share);
void     ssync_file_response_handle     (SsyncRouteContext *context,
                                         SoupServerMessage *msg,
                                         SsyncShare        *share,
                                         SsyncFileEntry    *entry);
void     ssync_zip_response_handle      (SsyncRouteContext *context,
                                         SoupServerMessage *msg,
                                         SsyncShare        *share);

/* ssync-api.c */
void     ssync_api_health               (SsyncRouteContext *context,
                                         SoupServerMessage *msg);
void     ssync_api_stats                (SsyncRouteContext *context,
                                         SoupServerMessage *msg);
void     ssync_api_files                (SsyncRouteContext *context,
                                         SoupServerMessage *msg,
                                         SsyncShare        *share);

G_END_DECLS
