/* ssync-route-context.c: the routes' context, and the one way a path's token becomes a share.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-response.h"
#include "ssync-route-context.h"

static void
route_context_clear (SsyncRouteContext *self)
{
  g_clear_object (&self->registry);
  g_clear_object (&self->history);
  g_clear_object (&self->access);
  g_clear_object (&self->tus);
  g_clear_object (&self->buffers);
}

/* @history may be NULL; the others are kept for as long as a request holds the context. */
SsyncRouteContext *
ssync_route_context_new (SsyncRegistry   *registry,
                         SsyncHistory    *history,
                         SsyncAccess     *access,
                         SsyncTus        *tus,
                         SsyncBufferPool *buffers)
{
  /* Atomic: a request's GTask may drop its reference on a worker thread. */
  SsyncRouteContext *self = g_atomic_rc_box_new0 (SsyncRouteContext);

  self->registry = g_object_ref (registry);
  self->history = history != NULL ? g_object_ref (history) : NULL;
  self->access = g_object_ref (access);
  self->tus = g_object_ref (tus);
  self->buffers = g_object_ref (buffers);
  self->started = g_get_monotonic_time ();
  return self;
}

SsyncRouteContext *
ssync_route_context_ref (SsyncRouteContext *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
ssync_route_context_unref (SsyncRouteContext *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) route_context_clear);
}

/* A new active transfer of @msg's client, @offset bytes in, that the server's owner hears of. */
SsyncTransfer *
ssync_route_begin_transfer (SsyncRouteContext *self,
                            SoupServerMessage *msg,
                            SsyncShare        *share,
                            const char        *file_name,
                            SsyncDirection     direction,
                            SsyncTransferKind  kind,
                            guint64            offset,
                            guint64            total)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SsyncTransfer *transfer;

  transfer = ssync_transfer_new (ssync_share_get_id (share), ssync_share_get_name (share),
                                 file_name, direction, kind,
                                 soup_server_message_get_remote_host (msg),
                                 soup_message_headers_get_one (headers, "User-Agent"),
                                 total);
  ssync_transfer_set_offset (transfer, offset);
  if (self->transfer_started != NULL)
    self->transfer_started (share, transfer, self->transfer_started_data);

  return transfer;
}

/* The share @token names, when it is of @kind; NULL otherwise. Answers nothing. */
SsyncShare *
ssync_route_lookup_share (SsyncRouteContext *self,
                          const char        *token,
                          SsyncRouteKind     kind)
{
  SsyncShare *share = ssync_registry_lookup_token (self->registry, token);

  if (share == NULL)
    return NULL;
  if ((kind == SSYNC_ROUTE_SEND && ssync_share_get_kind (share) != SSYNC_SHARE_KIND_SEND) ||
      (kind == SSYNC_ROUTE_RECEIVE && ssync_share_get_kind (share) != SSYNC_SHARE_KIND_RECEIVE))
    return NULL;
  return share;
}

/* The share @token names, or NULL once @msg is answered: 410 for a token that was revoked
 * or expired, else the 404 every unknown path gets (a share of another kind included). */
SsyncShare *
ssync_route_find_share (SsyncRouteContext *self,
                        SoupServerMessage *msg,
                        const char        *token,
                        SsyncRouteKind     kind)
{
  SsyncShare *share = ssync_route_lookup_share (self, token, kind);
  SsyncShareState gone;

  if (share != NULL)
    return share;

  gone = ssync_registry_token_gone_state (self->registry, token);
  if (ssync_registry_lookup_token (self->registry, token) == NULL &&
      gone != SSYNC_SHARE_STATE_ACTIVE)
    ssync_access_check_state (msg, gone);
  else
    ssync_response_not_found (msg);
  return NULL;
}

/* As ssync_route_find_share(), and only when @msg may use the share now: an ended share
 * answers 410 and a locked one 401 (its unlock page). */
SsyncShare *
ssync_route_resolve_share (SsyncRouteContext *self,
                           SoupServerMessage *msg,
                           const char        *token,
                           SsyncRouteKind     kind)
{
  SsyncShare *share = ssync_route_find_share (self, msg, token, kind);

  if (share == NULL || !ssync_access_check (self->access, msg, share))
    return NULL;
  return share;
}
