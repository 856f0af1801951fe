/* ssync-server.c: the embedded HTTP server (DESIGN.md, "HTTP API"): a SoupServer behind a
 * listener that limits connections, the routes (ssync-routes.c) working from one
 * SsyncRouteContext, tus uploads, the WebSocket hub, and the limits the faces set.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-access.h"
#include "ssync-listener.h"
#include "ssync-routes.h"
#include "ssync-server.h"

/* Enough for a household of phones and laptops; past it idle connections make room, and
 * with none a client waits (503). */
#define MAX_CONNECTIONS 256
/* Seconds a connection may sit without the client sending or taking a byte. */
#define IDLE_TIMEOUT 60
/* Seconds a client has to send a request header, from connecting or from the last response. */
#define HEADER_TIMEOUT 10
/* Connections one client address may hold (not this machine's own 127.0.0.1 and ::1). */
#define MAX_PER_ADDRESS 32
/* Download chunks in memory at once, for all clients together (1 MiB each). */
#define N_BUFFERS 16
#define BUFFER_SIZE (1024 * 1024)

struct _SsyncServer
{
  GObject parent_instance;

  SoupServer *soup;
  SsyncListener *listener;
  SsyncBufferPool *buffers;
  SsyncTus *tus;
  SsyncAccess *access;
  SsyncWsHub *ws_hub;
  SsyncRouteContext *context;
};
G_DEFINE_FINAL_TYPE (SsyncServer, ssync_server, G_TYPE_OBJECT)

enum {
  TRANSFER_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_server_dispose (GObject *object)
{
  SsyncServer *self = SSYNC_SERVER (object);

  ssync_server_stop (self);
  g_clear_object (&self->listener);
  g_clear_object (&self->buffers);
  g_clear_object (&self->tus);
  g_clear_object (&self->access);
  g_clear_object (&self->ws_hub);
  g_clear_object (&self->soup);
  if (self->context != NULL)
    {
      /* A request still in flight may begin a transfer: nobody is told any more. */
      self->context->transfer_started = NULL;
      g_clear_pointer (&self->context, ssync_route_context_unref);
    }

  G_OBJECT_CLASS (ssync_server_parent_class)->dispose (object);
}

static void
ssync_server_class_init (SsyncServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_server_dispose;

  /**
   * SsyncServer::transfer-started:
   * @transfer: the new transfer, active; it emits SsyncTransfer::finished once
   */
  signals[TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);
}

static SsyncTransfer *
begin_upload (SoupServerMessage *msg,
              SsyncShare        *share,
              const char        *path,
              guint64            offset,
              guint64            length,
              gpointer           user_data)
{
  SsyncServer *self = user_data;

  return ssync_route_begin_transfer (self->context, msg, share, path, SSYNC_DIRECTION_UPLOAD,
                                     SSYNC_TRANSFER_KIND_UPLOAD, offset, length);
}

static void
on_transfer_started (SsyncShare    *share,
                     SsyncTransfer *transfer,
                     gpointer       user_data)
{
  SsyncServer *self = user_data;

  ssync_ws_hub_watch_transfer (self->ws_hub, share, transfer);
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, transfer);
}

static void
ssync_server_init (SsyncServer *self)
{
  self->buffers = ssync_buffer_pool_new (N_BUFFERS, BUFFER_SIZE);
  self->tus = ssync_tus_new (begin_upload, self);
  self->access = ssync_access_new ();
  self->soup = soup_server_new ("server-header", "ShareSync/" PACKAGE_VERSION " ",
                                "raw-paths", TRUE,
                                NULL);
  self->listener = ssync_listener_new (self->soup);
  ssync_listener_set_max_connections (self->listener, MAX_CONNECTIONS);
  ssync_listener_set_idle_timeout (self->listener, IDLE_TIMEOUT);
  ssync_listener_set_header_timeout (self->listener, HEADER_TIMEOUT);
  ssync_listener_set_max_per_address (self->listener, MAX_PER_ADDRESS);
}

static gboolean
ws_allows (SsyncShare  *share,
           const char  *cookie_header,
           SsyncAccess *access)
{
  return ssync_access_allows (access, share, cookie_header);
}

SsyncServer *
ssync_server_new (SsyncRegistry *registry,
                  SsyncHistory  *history)
{
  SsyncServer *self = g_object_new (SSYNC_TYPE_SERVER, NULL);

  self->context = ssync_route_context_new (registry, history, self->access, self->tus,
                                           self->buffers);
  self->context->transfer_started = on_transfer_started;
  self->context->transfer_started_data = self;
  ssync_tus_set_history (self->tus, history);
  soup_server_add_early_handler (self->soup, NULL, ssync_routes_handle_early,
                                 ssync_route_context_ref (self->context),
                                 (GDestroyNotify) ssync_route_context_unref);
  soup_server_add_handler (self->soup, NULL, ssync_routes_handle,
                           ssync_route_context_ref (self->context),
                           (GDestroyNotify) ssync_route_context_unref);

  self->ws_hub = ssync_ws_hub_new (registry);
  ssync_ws_hub_set_access_func (self->ws_hub, (SsyncWsAccessFunc) ws_allows, self->access);
  ssync_ws_hub_attach (self->ws_hub, self->soup);
  /* libsoup matches early handlers by path like the others: each path with its own
   * handler needs its own early one for the limits to apply to it too. */
  soup_server_add_early_handler (self->soup, "/ws", ssync_routes_handle_early,
                                 ssync_route_context_ref (self->context),
                                 (GDestroyNotify) ssync_route_context_unref);
  soup_server_add_early_handler (self->soup, "/p2p", ssync_routes_handle_early,
                                 ssync_route_context_ref (self->context),
                                 (GDestroyNotify) ssync_route_context_unref);
  soup_server_add_early_handler (self->soup, "/api/p2p", ssync_routes_handle_early,
                                 ssync_route_context_ref (self->context),
                                 (GDestroyNotify) ssync_route_context_unref);


  return self;
}

/* Listens on @address (NULL: every IPv4 address) and @port (0: any free port). */
gboolean
ssync_server_listen (SsyncServer  *self,
                     const char   *address,
                     guint         port,
                     GError      **error)
{
  return ssync_listener_listen (self->listener, address, port, error);
}

guint
ssync_server_get_port (SsyncServer *self)
{
  return ssync_listener_get_port (self->listener);
}

guint
ssync_server_get_n_connections (SsyncServer *self)
{
  return ssync_listener_get_n_connections (self->listener);
}

SsyncRegistry *
ssync_server_get_registry (SsyncServer *self)
{
  return self->context->registry;
}

SsyncHistory *
ssync_server_get_history (SsyncServer *self)
{
  return self->context->history;
}

/* Seconds since the server was created. */
double
ssync_server_get_uptime (SsyncServer *self)
{
  return (g_get_monotonic_time () - self->context->started) / (double) G_USEC_PER_SEC;
}

/* Connections open at once (256 by default); past it idle ones make room, and with none a
 * new client waits or gets 503. */
void
ssync_server_set_max_connections (SsyncServer *self,
                                  guint        max_connections)
{
  g_return_if_fail (SSYNC_IS_SERVER (self));
  g_return_if_fail (max_connections > 0);

  ssync_listener_set_max_connections (self->listener, max_connections);
}

/* Seconds a connection may sit without the client sending or taking a byte (60 by
 * default); applies to connections accepted from now on. */
void
ssync_server_set_idle_timeout (SsyncServer *self,
                               guint        seconds)
{
  g_return_if_fail (SSYNC_IS_SERVER (self));

  ssync_listener_set_idle_timeout (self->listener, seconds);
}

/* Seconds a client has to send a request header (10 by default; 0 for no limit). */
void
ssync_server_set_header_timeout (SsyncServer *self,
                                 guint        seconds)
{
  g_return_if_fail (SSYNC_IS_SERVER (self));

  ssync_listener_set_header_timeout (self->listener, seconds);
}

/* Seconds an unfinished upload may sit untouched before it and its .part go (a day by
 * default). */
void
ssync_server_set_upload_expiry (SsyncServer *self,
                                guint        seconds)
{
  g_return_if_fail (SSYNC_IS_SERVER (self));
  g_return_if_fail (seconds > 0);

  ssync_tus_set_expiry (self->tus, seconds);
}

/* Seconds an empty /p2p signaling room is kept for its members to come back (60 by
 * default; 0 drops it at once). */
void
ssync_server_set_room_grace (SsyncServer *self,
                             guint        seconds)
{
  g_return_if_fail (SSYNC_IS_SERVER (self));

  ssync_rooms_set_grace (ssync_ws_hub_get_rooms (self->ws_hub), seconds);
}

/* The largest upload a receive share accepts; 0 for no limit but the free space. */
void
ssync_server_set_max_upload_size (SsyncServer *self,
                                  guint64      max_size)
{
  ssync_tus_set_max_size (self->tus, max_size);
}

guint64
ssync_server_get_max_upload_size (SsyncServer *self)
{
  return ssync_tus_get_max_size (self->tus);
}

/* Who decides whether a new upload may start (the session, asking the user). */
void
ssync_server_set_upload_gate (SsyncServer     *self,
                              SsyncUploadGate  gate,
                              gpointer         user_data)
{
  ssync_tus_set_gate (self->tus, gate, user_data);
}

/* How long a password unlock lasts (12 hours by default). */
void
ssync_server_set_unlock_lifetime (SsyncServer *self,
                                  guint        seconds)
{
  ssync_access_set_session_lifetime (self->access, seconds);
}

void
ssync_server_set_owner_token (SsyncServer *self,
                              const char  *token)
{
  ssync_access_set_owner_token (self->access, token);
}

/* Serves again an upload an earlier run left unfinished (see ssync_tus_restore()). */
void
ssync_server_restore_upload (SsyncServer *self,
                             SsyncShare  *share,
                             SsyncUpload *upload,
                             const char  *metadata,
                             gint64       expires)
{
  ssync_tus_restore (self->tus, share, upload, metadata, expires);
}

/* @share stopped answering (revoked, expired or out of downloads): its uploads end and
 * the pages following it are told, with @notice ("stopped" or "expired"). */
void
ssync_server_share_ended (SsyncServer *self,
                          SsyncShare  *share,
                          const char  *notice)
{
  ssync_tus_cancel_share (self->tus, share);
  ssync_ws_hub_notify_share (self->ws_hub, share, notice);
}

/* Stops listening and closes every connection; transfers in flight end incomplete. */
void
ssync_server_stop (SsyncServer *self)
{
  if (self->listener != NULL)
    ssync_listener_stop (self->listener);
}

/* The WebSocket endpoint: the session drives direct connections through it. */
SsyncWsHub *
ssync_server_get_ws_hub (SsyncServer *self)
{
  return self->ws_hub;
}
