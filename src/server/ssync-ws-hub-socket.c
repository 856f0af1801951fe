/* ssync-ws-hub-socket.c: the handshake of /ws and the WebSocket behind each client.
 *
 * The handshake is answered here rather than by soup_server_add_websocket_handler(), so
 * that the connection is read through ssync-ws-limit.c, which limits whole messages.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-response.h"
#include "ssync-rooms.h"
#include "ssync-ws-hub-private.h"
#include "ssync-ws-limit.h"

#define WS_PATH "/ws"
/* Seconds between pings, at most. */
#define KEEPALIVE_INTERVAL 30

static void
on_message (SoupWebsocketConnection *conn,
            int                      data_type,
            GBytes                  *message,
            SsyncWsClient           *client)
{
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  ssync_ws_client_handle_message (client, data_type, data, size);
}

static void
on_closed (SoupWebsocketConnection *conn,
           SsyncWsClient           *client)
{
  /* libsoup holds its own reference on @conn while it emits this. */
  ssync_ws_client_gone (client);
}

static void
on_error (SoupWebsocketConnection *conn,
          GError                  *error,
          SsyncWsClient           *client)
{
  g_debug ("WebSocket connection from %s: %s", client->peer, error->message);
}

/* Whether the request comes from a page of this server: a browser always sends Origin
 * with a WebSocket handshake, and nothing stops a page of another site (on the LAN or on
 * the Internet) from opening one to us. Clients that are not browsers send no Origin. */
static gboolean
origin_is_allowed (SoupServerMessage *msg)
{
  const char *origin = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Origin");
  /* libsoup builds the request URI from the Host header. */
  GUri *host = soup_server_message_get_uri (msg);
  g_autoptr(GUri) origin_uri = NULL;
  const char *scheme;
  int origin_port, host_port;

  if (origin == NULL)
    return TRUE;

  /* "null", sent by sandboxed frames and local files, does not parse: refused. */
  origin_uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  if (origin_uri == NULL || g_uri_get_host (origin_uri) == NULL || host == NULL ||
      g_uri_get_host (host) == NULL)
    return FALSE;

  scheme = g_uri_get_scheme (origin_uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return FALSE;

  origin_port = g_uri_get_port (origin_uri);
  if (origin_port == -1)
    origin_port = g_ascii_strcasecmp (scheme, "https") == 0 ? 443 : 80;
  host_port = g_uri_get_port (host);
  if (host_port == -1)
    host_port = g_ascii_strcasecmp (g_uri_get_scheme (host), "https") == 0 ? 443 : 80;

  return origin_port == host_port &&
         g_ascii_strcasecmp (g_uri_get_host (origin_uri), g_uri_get_host (host)) == 0;
}

/* The server closes connections idle for longer than their socket's timeout
 * (ssync-listener.c); the page's answers to pings keep a quiet page connected. */
static guint
keepalive_interval (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  guint timeout = socket != NULL ? g_socket_get_timeout (socket) : 0;

  if (timeout == 0)
    return KEEPALIVE_INTERVAL;
  return CLAMP (timeout / 2, 1, KEEPALIVE_INTERVAL);
}

/* A client for the WebSocket that @msg asks for, read from the request before its
 * connection is taken over. */
static SsyncWsClient *
client_new_for_request (SsyncWsHub        *self,
                        SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SsyncWsClient *client = g_new0 (SsyncWsClient, 1);

  client->hub = self;
  client->peer = g_strdup (soup_server_message_get_remote_host (msg));
  client->cookie = g_strdup (soup_message_headers_get_one (headers, "Cookie"));
  client->user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  client->keepalive = keepalive_interval (msg);
  client->id = ++self->next_client_id;
  return client;
}

static void
client_attach (SsyncWsClient           *client,
               SoupWebsocketConnection *conn)
{
  client->conn = g_object_ref (conn);
  soup_websocket_connection_set_max_incoming_payload_size (conn, SSYNC_WS_MAX_MESSAGE_SIZE);
  soup_websocket_connection_set_keepalive_interval (conn, client->keepalive);
  /* Newer libsoup (the GNOME runtime's) also limits a message sent in fragments. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (conn), "max-total-message-size"))
    g_object_set (conn, "max-total-message-size", (guint64) SSYNC_WS_MAX_MESSAGE_SIZE, NULL);

  g_signal_connect (conn, "message", G_CALLBACK (on_message), client);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), client);
  g_signal_connect (conn, "error", G_CALLBACK (on_error), client);
  g_ptr_array_add (client->hub->clients, client);
}

static gboolean
close_too_big (gpointer user_data)
{
  SoupWebsocketConnection *conn = user_data;

  if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_TOO_BIG, NULL);
  return G_SOURCE_REMOVE;
}

/* Runs inside libsoup's read: the close waits for the main loop. */
static void
on_too_big (gpointer user_data)
{
  GWeakRef *conn_ref = user_data;
  g_autoptr(SoupWebsocketConnection) conn = g_weak_ref_get (conn_ref);

  if (conn != NULL)
    g_idle_add_full (G_PRIORITY_HIGH, close_too_big, g_object_ref (conn), g_object_unref);
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

/* The 101 answer is written: the connection becomes a WebSocket, read through a stream
 * that limits whole messages (libsoup 3.2 limits only frames). */
static void
on_upgraded (SoupServerMessage *msg,
             SsyncWsHub        *self)
{
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GIOStream) limited = NULL;
  g_autoptr(SoupWebsocketConnection) conn = NULL;
  g_autoptr(GUri) uri = g_uri_ref (soup_server_message_get_uri (msg));
  g_autofree char *origin = g_strdup (soup_message_headers_get_one (
                                        soup_server_message_get_request_headers (msg),
                                        "Origin"));
  /* Everything needed from the request is read before the steal, which may free @msg. */
  SsyncWsClient *client = client_new_for_request (self, msg);
  GWeakRef *conn_ref;

  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      ssync_ws_client_free (client);
      return;
    }

  conn_ref = g_new0 (GWeakRef, 1);
  limited = ssync_ws_limit_wrap (stream, SSYNC_WS_MAX_MESSAGE_SIZE, on_too_big, conn_ref,
                                 (GDestroyNotify) weak_ref_free);
  conn = soup_websocket_connection_new (limited, uri, SOUP_WEBSOCKET_CONNECTION_SERVER, origin,
                                        NULL, NULL);
  g_weak_ref_set (conn_ref, conn);
  client_attach (client, conn);
}

/* Checks the request and answers the WebSocket handshake itself (not through
 * soup_server_add_websocket_handler), so that the connection can be read through
 * ssync-ws-limit.c. */
static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SsyncWsHub *self = user_data;

  if (soup_server_message_get_status (msg) != 0)
    return;

  /* The handler also receives the paths below /ws, which do not exist. */
  if (strcmp (path, WS_PATH) != 0)
    ssync_response_not_found (msg);
  else if (!origin_is_allowed (msg))
    ssync_response_text (msg, SOUP_STATUS_FORBIDDEN,
                         _("Only pages of this server may follow its transfers"));
  /* No extensions are offered: messages are a few hundred bytes, compression gains
   * nothing, and a small compressed frame could inflate far past the limit. */
  else if (soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (on_upgraded), self, 0);
}

/* Serves /ws on @server. The server keeps the hub alive as long as it has the handlers. */
void
ssync_ws_hub_attach (SsyncWsHub *self,
                     SoupServer *server)
{
  g_return_if_fail (SSYNC_IS_WS_HUB (self));
  g_return_if_fail (SOUP_IS_SERVER (server));

  soup_server_add_handler (server, WS_PATH, handle_request, g_object_ref (self),
                           g_object_unref);
  ssync_rooms_attach (self->rooms, server);
}
