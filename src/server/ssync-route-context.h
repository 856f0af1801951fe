/* ssync-route-context.h: what the route files need from the server, without the server.
 *
 * The server builds one context and hands it to every route; a request that outlives its
 * handler (a file being opened, a zip being prepared, a database check) keeps a reference
 * on the context, never on the server, so no route file depends on ssync-server.c.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-access.h"
#include "ssync-buffer-pool.h"
#include "ssync-history.h"
#include "ssync-registry.h"
#include "ssync-transfer.h"
#include "ssync-tus.h"

G_BEGIN_DECLS

/* Which kind of share a path names: /s/ only send shares, /r/ only receive shares, and
 * /api/files/ either. */
typedef enum {
  SSYNC_ROUTE_SEND,
  SSYNC_ROUTE_RECEIVE,
  SSYNC_ROUTE_ANY,
} SsyncRouteKind;

typedef void (*SsyncTransferStarted) (SsyncShare    *share,
                                      SsyncTransfer *transfer,
                                      gpointer       user_data);

typedef struct {
  SsyncRegistry *registry;
  SsyncHistory *history;      /* NULL when there is no database */
  SsyncAccess *access;
  SsyncTus *tus;
  SsyncBufferPool *buffers;
  gint64 started;             /* monotonic time the server was made, for /api/health */
  /* Told about every transfer a route begins; NULL once the server is gone. */
  SsyncTransferStarted transfer_started;
  gpointer transfer_started_data;
} SsyncRouteContext;

SsyncRouteContext *ssync_route_context_new   (SsyncRegistry     *registry,
                                              SsyncHistory      *history,
                                              SsyncAccess       *access,
                                              SsyncTus          *tus,
                                              SsyncBufferPool   *buffers);
SsyncRouteContext *ssync_route_context_ref   (SsyncRouteContext *self);
void               ssync_route_context_unref (SsyncRouteContext *self);

SsyncTransfer *ssync_route_begin_transfer  (SsyncRouteContext *self,
                                            SoupServerMessage *msg,
                                            SsyncShare        *share,
                                            const char        *file_name,
                                            SsyncDirection     direction,
                                            SsyncTransferKind  kind,
                                            guint64            offset,
                                            guint64            total);
SsyncShare    *ssync_route_lookup_share    (SsyncRouteContext *self,
                                            const char        *token,
                                            SsyncRouteKind     kind);
SsyncShare    *ssync_route_find_share      (SsyncRouteContext *self,
                                            SoupServerMessage *msg,
                                            const char        *token,
                                            SsyncRouteKind     kind);
SsyncShare    *ssync_route_resolve_share   (SsyncRouteContext *self,
                                            SoupServerMessage *msg,
                                            const char        *token,
                                            SsyncRouteKind     kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncRouteContext, ssync_route_context_unref)

G_END_DECLS
