/* ssync-ws-hub.c: the WebSocket endpoint /ws (DESIGN.md, "HTTP API").
 *
 * A share page opens one WebSocket and subscribes to its share by token. From then on it
 * is told about the transfers of that share that come from its own address (a page
 * follows its own downloads and uploads, not other visitors'), and that the share was
 * stopped or expired. Messages are small JSON objects, documented in the README.
 *
 * The hub keeps no reference to a transfer: it watches it through a weak reference and
 * forgets it when it finishes or goes away. Progress is throttled per transfer, so a
 * transfer moving thousands of chunks a second costs each page a few messages a second.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ssync-response.h"
#include "ssync-rooms.h"
#include "ssync-ws-hub.h"
#include "ssync-ws-limit.h"

#define WS_PATH "/ws"
/* A page's own messages fit in a few hundred bytes, but WebRTC signaling carries session
 * descriptions with every candidate inside (a few KiB, more on a machine with many
 * interfaces). */
#define MAX_MESSAGE_SIZE (32 * 1024)
/* Seconds between pings, at most. */
#define KEEPALIVE_INTERVAL 30
/* At most four progress messages a second per transfer. */
#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 4)

struct _SsyncWsHub
{
  GObject parent_instance;

  SsyncRegistry *registry;
  GPtrArray *clients;    /* Client, open or closing connections */
  GHashTable *watches;   /* SsyncTransfer (weak) → Watch */
  SsyncWsAccessFunc access;
  gpointer access_data;
  guint64 next_client_id;
  SsyncRooms *rooms;
  gboolean rtc_available;
  char *rtc_message;     /* why direct transfers are off, for pages */
};

G_DEFINE_FINAL_TYPE (SsyncWsHub, ssync_ws_hub, G_TYPE_OBJECT)

enum {
  RTC_CONNECT,
  RTC_SIGNAL,
  CLIENT_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  SsyncWsHub *hub;
  SoupWebsocketConnection *conn;  /* NULL for a client without a socket (tests, fuzzing) */
  SsyncRoomsSendFunc send;        /* ...which gets its messages here instead */
  gpointer send_data;
  gboolean closed;                /* such a client was closed */
  char *peer;      /* the page's address, as transfers record theirs */
  char *share_id;  /* NULL until subscribed */
  char *cookie;    /* the handshake's Cookie header: it may unlock a password share */
  char *user_agent;
  guint64 id;      /* names the client to the owner of its direct connection */
  gboolean rtc;    /* asked for a direct connection */
  guint keepalive; /* seconds between pings */
} Client;

typedef struct {
  SsyncWsHub *hub;
  SsyncTransfer *transfer;  /* weak; NULL once it is finalized */
  char *share_id;
  gint64 sent_time;         /* monotonic time of the last progress message */
  guint64 sent_bytes;       /* its byte count */
  guint timeout_id;         /* a progress message held back by the throttle */
} Watch;

/* Protocol strings, not translated: a page shows its own words in its visitor's language. */
static const char error_malformed[] = "Malformed message";
static const char error_unknown_type[] = "Unknown message type";
static const char error_unknown_share[] = "Unknown share";
static const char error_subscribed[] = "Already subscribed to another share";
static const char error_locked[] = "This share needs its password, or it ended";
static const char error_no_rtc[] = "Direct transfers are not available";
static const char error_rtc_twice[] = "One direct connection per WebSocket";
static const char error_no_connection[] = "No direct connection was asked for";

static char *
builder_to_text (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static char *
simple_message (const char *type,
                const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  if (message != NULL)
    {
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
    }
  json_builder_end_object (builder);

  return builder_to_text (builder);
}

static gboolean
client_is_open (Client *client)
{
  if (client->conn == NULL)
    return !client->closed;
  return soup_websocket_connection_get_state (client->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
client_send (Client     *client,
             const char *text)
{
  /* A connection that is closing must not be written to (libsoup warns). */
  if (!client_is_open (client))
    return;
  if (client->conn != NULL)
    soup_websocket_connection_send_text (client->conn, text);
  else if (client->send != NULL)
    client->send (client->id, text, client->send_data);
}

static void
client_send_error (Client     *client,
                   const char *message)
{
  g_autofree char *text = simple_message ("error", message);

  client_send (client, text);
}

static void
client_close (Client     *client,
              gushort     code,
              const char *reason)
{
  g_clear_pointer (&client->share_id, g_free);
  if (!client_is_open (client))
    return;
  if (client->conn != NULL)
    soup_websocket_connection_close (client->conn, code, reason);
  else
    client->closed = TRUE;
}

static void
client_free (Client *client)
{
  if (client->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (client->conn, client);
      g_object_unref (client->conn);
    }
  g_free (client->peer);
  g_free (client->share_id);
  g_free (client->cookie);
  g_free (client->user_agent);
  g_free (client);
}

static Client *
lookup_client (SsyncWsHub *self,
               guint64     client_id)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (client->id == client_id)
        return client;
    }
  return NULL;
}

/* json-glib's own getters warn when a member has another type; a page must not be able
 * to make the server warn. */
static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The share named by the message's token when this client may use it; else NULL, and the
 * client was told (and, for an unknown or locked share, closed). */
static SsyncShare *
lookup_allowed (Client     *client,
                JsonObject *object)
{
  const char *token = get_string_member (object, "token");
  SsyncShare *share;

  if (token == NULL)
    {
      client_send_error (client, error_malformed);
      return NULL;
    }

  share = ssync_registry_lookup_token (client->hub->registry, token);
  if (share == NULL)
    {
      /* Someone guessing tokens gets nothing more to try on this connection. */
      client_send_error (client, error_unknown_share);
      client_close (client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, error_unknown_share);
      return NULL;
    }

  /* The WebSocket answers like every other route: a locked or ended share tells nothing. */
  if (client->hub->access != NULL &&
      !client->hub->access (share, client->cookie, client->hub->access_data))
    {
      client_send_error (client, error_locked);
      client_close (client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, error_locked);
      return NULL;
    }

  return share;
}

static void
handle_subscribe (Client     *client,
                  JsonObject *object)
{
  SsyncShare *share = lookup_allowed (client, object);

  if (share == NULL)
    return;

  if (client->share_id != NULL && strcmp (client->share_id, ssync_share_get_id (share)) != 0)
    {
      client_send_error (client, error_subscribed);
      return;
    }

  g_free (client->share_id);
  client->share_id = g_strdup (ssync_share_get_id (share));
}

static void
send_rtc_status (Client *client)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "rtc-status");
  json_builder_set_member_name (builder, "available");
  json_builder_add_boolean_value (builder, client->hub->rtc_available);
  if (client->hub->rtc_message != NULL)
    {
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, client->hub->rtc_message);
    }
  json_builder_end_object (builder);
  text = builder_to_text (builder);
  client_send (client, text);
}

/* Direct connections: "rtc-status" asks whether this app can make them, "rtc-connect"
 * (with a token) asks for one to that share, and the answer and candidates that follow
 * go to the connection's owner (the session) as they are. */
static void
handle_rtc (Client     *client,
            const char *type,
            JsonObject *object)
{
  SsyncWsHub *self = client->hub;

  if (g_str_equal (type, "rtc-status"))
    send_rtc_status (client);
  else if (g_str_equal (type, "rtc-connect"))
    {
      SsyncShare *share;

      if (!self->rtc_available)
        {
          client_send_error (client, self->rtc_message != NULL ? self->rtc_message
                                                               : error_no_rtc);
          return;
        }
      if (client->rtc)
        {
          client_send_error (client, error_rtc_twice);
          return;
        }
      share = lookup_allowed (client, object);
      if (share == NULL)
        return;
      client->rtc = TRUE;
      g_signal_emit (self, signals[RTC_CONNECT], 0, client->id, share, client->peer,
                     client->user_agent);
    }
  else if (!client->rtc)
    client_send_error (client, error_no_connection);
  else
    g_signal_emit (self, signals[RTC_SIGNAL], 0, client->id, object);
}

/* One message from @client: parsed and dispatched. Every reply goes through client_send(),
 * so this runs the same with or without a socket behind the client. */
static void
client_handle_message (Client     *client,
                       int         data_type,
                       const char *data,
                       gsize       size)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *type;

  /* The stream in front of the connection (ssync-ws-limit.c) already stops larger ones. */
  if (size > MAX_MESSAGE_SIZE)
    {
      client_close (client, SOUP_WEBSOCKET_CLOSE_TOO_BIG, NULL);
      return;
    }

  parser = json_parser_new ();
  if (data_type != SOUP_WEBSOCKET_DATA_TEXT ||
      !json_parser_load_from_data (parser, data, size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      client_send_error (client, error_malformed);
      return;
    }

  object = json_node_get_object (root);
  type = get_string_member (object, "type");

  if (g_strcmp0 (type, "subscribe") == 0)
    handle_subscribe (client, object);
  else if (type != NULL && g_str_has_prefix (type, "rtc-"))
    handle_rtc (client, type, object);
  else if (type != NULL && g_str_has_prefix (type, "room-"))
    ssync_rooms_handle (client->hub->rooms, client->id, client->peer, type, object);
  else if (g_strcmp0 (type, "ping") == 0)
    {
      g_autofree char *text = simple_message ("pong", NULL);

      client_send (client, text);
    }
  else if (type == NULL)
    client_send_error (client, error_malformed);
  else
    client_send_error (client, error_unknown_type);
}

static void
on_message (SoupWebsocketConnection *conn,
            int                      data_type,
            GBytes                  *message,
            Client                  *client)
{
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  client_handle_message (client, data_type, data, size);
}

static void
client_gone (Client *client)
{
  SsyncWsHub *self = client->hub;
  guint64 id = client->id;

  /* A page that closes or navigates away ends its room membership and its direct
   * connection: nobody can signal to it any more. */
  ssync_rooms_client_gone (self->rooms, id);
  if (client->rtc)
    g_signal_emit (self, signals[CLIENT_CLOSED], 0, id);

  /* Frees @client. */
  g_ptr_array_remove_fast (self->clients, client);
}

static void
on_closed (SoupWebsocketConnection *conn,
           Client                  *client)
{
  /* libsoup holds its own reference on @conn while it emits this. */
  client_gone (client);
}

static void
on_error (SoupWebsocketConnection *conn,
          GError                  *error,
          Client                  *client)
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

static Client *client_new_for_request (SsyncWsHub              *self,
                                       SoupServerMessage       *msg);
static void    client_attach          (Client                  *client,
                                       SoupWebsocketConnection *conn);

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
  Client *client = client_new_for_request (self, msg);
  GWeakRef *conn_ref;

  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      client_free (client);
      return;
    }

  conn_ref = g_new0 (GWeakRef, 1);
  limited = ssync_ws_limit_wrap (stream, MAX_MESSAGE_SIZE, on_too_big, conn_ref,
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
static Client *
client_new_for_request (SsyncWsHub        *self,
                        SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  Client *client = g_new0 (Client, 1);

  client->hub = self;
  client->peer = g_strdup (soup_server_message_get_remote_host (msg));
  client->cookie = g_strdup (soup_message_headers_get_one (headers, "Cookie"));
  client->user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  client->keepalive = keepalive_interval (msg);
  client->id = ++self->next_client_id;
  return client;
}

static void
client_attach (Client                  *client,
               SoupWebsocketConnection *conn)
{
  client->conn = g_object_ref (conn);
  soup_websocket_connection_set_max_incoming_payload_size (conn, MAX_MESSAGE_SIZE);
  soup_websocket_connection_set_keepalive_interval (conn, client->keepalive);
  /* Newer libsoup (the GNOME runtime's) also limits a message sent in fragments. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (conn), "max-total-message-size"))
    g_object_set (conn, "max-total-message-size", (guint64) MAX_MESSAGE_SIZE, NULL);

  g_signal_connect (conn, "message", G_CALLBACK (on_message), client);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), client);
  g_signal_connect (conn, "error", G_CALLBACK (on_error), client);
  g_ptr_array_add (client->hub->clients, client);
}

static char *
progress_message (SsyncTransfer *transfer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "progress");
  json_builder_set_member_name (builder, "transfer");
  json_builder_add_string_value (builder, ssync_transfer_get_id (transfer));
  json_builder_set_member_name (builder, "direction");
  json_builder_add_string_value (builder,
                                 ssync_enum_to_nick (SSYNC_TYPE_DIRECTION,
                                                     ssync_transfer_get_direction (transfer)));
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, ssync_transfer_get_file_name (transfer));
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, ssync_transfer_get_bytes (transfer));
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, ssync_transfer_get_total (transfer));
  json_builder_end_object (builder);

  return builder_to_text (builder);
}

static char *
finished_message (SsyncTransfer *transfer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "finished");
  json_builder_set_member_name (builder, "transfer");
  json_builder_add_string_value (builder, ssync_transfer_get_id (transfer));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder,
                                 ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_STATUS,
                                                     ssync_transfer_get_status (transfer)));
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, ssync_transfer_get_bytes (transfer));
  json_builder_end_object (builder);

  return builder_to_text (builder);
}

/* Sends @text to the pages subscribed to the transfer's share from the transfer's peer. */
static void
watch_broadcast (Watch      *watch,
                 const char *text)
{
  const char *peer = ssync_transfer_get_peer (watch->transfer);

  for (guint i = 0; i < watch->hub->clients->len; i++)
    {
      Client *client = g_ptr_array_index (watch->hub->clients, i);

      if (g_strcmp0 (client->share_id, watch->share_id) == 0 &&
          g_strcmp0 (client->peer, peer) == 0)
        client_send (client, text);
    }
}

static void
watch_send_progress (Watch *watch)
{
  g_autofree char *text = progress_message (watch->transfer);

  g_clear_handle_id (&watch->timeout_id, g_source_remove);
  watch->sent_time = g_get_monotonic_time ();
  watch->sent_bytes = ssync_transfer_get_bytes (watch->transfer);
  watch_broadcast (watch, text);
}

static gboolean
on_progress_due (gpointer user_data)
{
  Watch *watch = user_data;

  watch->timeout_id = 0;
  watch_send_progress (watch);
  return G_SOURCE_REMOVE;
}

static void
on_transfer_bytes (SsyncTransfer *transfer,
                   GParamSpec    *pspec,
                   Watch         *watch)
{
  gint64 elapsed = g_get_monotonic_time () - watch->sent_time;

  /* A message already held back will carry the newest count when it goes. */
  if (watch->timeout_id != 0)
    return;

  if (elapsed >= PROGRESS_INTERVAL)
    watch_send_progress (watch);
  else
    watch->timeout_id = g_timeout_add ((PROGRESS_INTERVAL - elapsed + 999) / 1000,
                                       on_progress_due, watch);
}

static void
on_transfer_finished (SsyncTransfer *transfer,
                      Watch         *watch)
{
  g_autofree char *text = finished_message (transfer);

  /* The page sees the final count before the outcome, whatever the throttle held back. */
  if (ssync_transfer_get_bytes (transfer) != watch->sent_bytes)
    watch_send_progress (watch);
  watch_broadcast (watch, text);

  /* Frees @watch. */
  g_hash_table_remove (watch->hub->watches, transfer);
}

static void
on_transfer_gone (gpointer  user_data,
                  GObject  *where_the_object_was)
{
  Watch *watch = user_data;

  watch->transfer = NULL;
  g_hash_table_remove (watch->hub->watches, where_the_object_was);
}

static void
watch_free (Watch *watch)
{
  if (watch->transfer != NULL)
    {
      g_signal_handlers_disconnect_by_data (watch->transfer, watch);
      g_object_weak_unref (G_OBJECT (watch->transfer), on_transfer_gone, watch);
    }
  g_clear_handle_id (&watch->timeout_id, g_source_remove);
  g_free (watch->share_id);
  g_free (watch);
}

static void
release_on_closed (SoupWebsocketConnection *conn,
                   gpointer                 user_data)
{
  g_object_unref (conn);
}

static void
ssync_ws_hub_dispose (GObject *object)
{
  SsyncWsHub *self = SSYNC_WS_HUB (object);

  g_clear_pointer (&self->watches, g_hash_table_unref);

  /* A connection is kept alive until its closing handshake is done, so that the page
   * learns that the server went away rather than seeing the connection drop. */
  for (guint i = 0; self->clients != NULL && i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (client->conn == NULL)
        continue;
      g_signal_handlers_disconnect_by_data (client->conn, client);
      if (soup_websocket_connection_get_state (client->conn) != SOUP_WEBSOCKET_STATE_CLOSED)
        {
          g_signal_connect (g_object_ref (client->conn), "closed",
                            G_CALLBACK (release_on_closed), NULL);
          client_close (client, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
        }
    }
  g_clear_pointer (&self->clients, g_ptr_array_unref);

  g_clear_object (&self->registry);
  g_clear_object (&self->rooms);
  g_clear_pointer (&self->rtc_message, g_free);

  G_OBJECT_CLASS (ssync_ws_hub_parent_class)->dispose (object);
}

static void
ssync_ws_hub_class_init (SsyncWsHubClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_ws_hub_dispose;

  /**
   * SsyncWsHub::rtc-connect:
   * @client: the client's id, for ssync_ws_hub_send()
   * @share: the share it may use
   * @peer: its address
   * @user_agent: (nullable): its User-Agent
   *
   * A page or another app asks for a direct connection to @share.
   */
  signals[RTC_CONNECT] =
    g_signal_new ("rtc-connect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 4, G_TYPE_UINT64, SSYNC_TYPE_SHARE, G_TYPE_STRING,
                  G_TYPE_STRING);
  /**
   * SsyncWsHub::rtc-signal:
   * @client: the client's id
   * @message: its "rtc-answer" or "rtc-candidate" message
   */
  signals[RTC_SIGNAL] =
    g_signal_new ("rtc-signal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, JSON_TYPE_OBJECT);
  /**
   * SsyncWsHub::client-closed:
   * @client: the id of a client that had asked for a direct connection
   */
  signals[CLIENT_CLOSED] =
    g_signal_new ("client-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
rooms_send (guint64     client_id,
            const char *text,
            gpointer    user_data)
{
  ssync_ws_hub_send (user_data, client_id, text);
}

static void
ssync_ws_hub_init (SsyncWsHub *self)
{
  self->rooms = ssync_rooms_new (rooms_send, self);
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  self->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) watch_free);
}

SsyncWsHub *
ssync_ws_hub_new (SsyncRegistry *registry)
{
  SsyncWsHub *self = g_object_new (SSYNC_TYPE_WS_HUB, NULL);

  self->registry = g_object_ref (registry);

  return self;
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

/* Tells the pages of @share about @transfer (from the same address) until it finishes. */
void
ssync_ws_hub_watch_transfer (SsyncWsHub    *self,
                             SsyncShare    *share,
                             SsyncTransfer *transfer)
{
  Watch *watch;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));
  g_return_if_fail (SSYNC_IS_SHARE (share));
  g_return_if_fail (SSYNC_IS_TRANSFER (transfer));

  if (ssync_transfer_get_status (transfer) != SSYNC_TRANSFER_STATUS_ACTIVE ||
      g_hash_table_contains (self->watches, transfer))
    return;

  watch = g_new0 (Watch, 1);
  watch->hub = self;
  watch->transfer = transfer;
  watch->share_id = g_strdup (ssync_share_get_id (share));
  g_object_weak_ref (G_OBJECT (transfer), on_transfer_gone, watch);
  g_signal_connect (transfer, "notify::bytes", G_CALLBACK (on_transfer_bytes), watch);
  g_signal_connect (transfer, "finished", G_CALLBACK (on_transfer_finished), watch);
  g_hash_table_insert (self->watches, transfer, watch);
}

/* Sends {"type": @type} ("stopped", "expired") to the pages of @share and closes them. */
void
ssync_ws_hub_notify_share (SsyncWsHub *self,
                           SsyncShare *share,
                           const char *type)
{
  g_autofree char *text = NULL;
  const char *share_id;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));
  g_return_if_fail (SSYNC_IS_SHARE (share));
  g_return_if_fail (type != NULL);

  text = simple_message (type, NULL);
  share_id = ssync_share_get_id (share);

  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (g_strcmp0 (client->share_id, share_id) == 0)
        {
          client_send (client, text);
          client_close (client, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
        }
    }
}

/* Open WebSocket connections, and those still closing. */
guint
ssync_ws_hub_get_n_connections (SsyncWsHub *self)
{
  g_return_val_if_fail (SSYNC_IS_WS_HUB (self), 0);

  return self->clients->len;
}

/* Every subscription is checked with @access (a password share needs its unlock cookie,
 * an ended share is refused). */
void
ssync_ws_hub_set_access_func (SsyncWsHub        *self,
                              SsyncWsAccessFunc  access,
                              gpointer           user_data)
{
  self->access = access;
  self->access_data = user_data;
}

/* Sends @text to the client @client_id, if it is still open. */
void
ssync_ws_hub_send (SsyncWsHub *self,
                   guint64     client_id,
                   const char *text)
{
  Client *client;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));

  client = lookup_client (self, client_id);
  if (client != NULL)
    client_send (client, text);
}

/* Whether pages may ask for direct connections; when not, @message says why. */
void
ssync_ws_hub_set_rtc_available (SsyncWsHub *self,
                                gboolean    available,
                                const char *message)
{
  g_return_if_fail (SSYNC_IS_WS_HUB (self));

  self->rtc_available = available;
  g_free (self->rtc_message);
  self->rtc_message = g_strdup (message);
}

/* The signaling rooms of /p2p. */
SsyncRooms *
ssync_ws_hub_get_rooms (SsyncWsHub *self)
{
  g_return_val_if_fail (SSYNC_IS_WS_HUB (self), NULL);

  return self->rooms;
}

/* Adds a client with no socket behind it, at address @peer, for tests and fuzzing: what the
 * hub sends it goes to @send. Returns its id. */
guint64
ssync_ws_hub_add_client (SsyncWsHub         *self,
                         const char         *peer,
                         SsyncRoomsSendFunc  send,
                         gpointer            user_data)
{
  Client *client;

  g_return_val_if_fail (SSYNC_IS_WS_HUB (self), 0);
  g_return_val_if_fail (peer != NULL, 0);

  client = g_new0 (Client, 1);
  client->hub = self;
  client->peer = g_strdup (peer);
  client->send = send;
  client->send_data = user_data;
  client->id = ++self->next_client_id;
  g_ptr_array_add (self->clients, client);
  return client->id;
}

/* Handles one message that the client @client_id sent (@text: a text message, else binary),
 * as if it came over its WebSocket. */
void
ssync_ws_hub_handle_message (SsyncWsHub *self,
                             guint64     client_id,
                             gboolean    text,
                             const char *data,
                             gsize       size)
{
  Client *client;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));

  client = lookup_client (self, client_id);
  if (client != NULL && client_is_open (client))
    client_handle_message (client,
                           text ? SOUP_WEBSOCKET_DATA_TEXT : SOUP_WEBSOCKET_DATA_BINARY,
                           data, size);
}

/* The client @client_id, added with ssync_ws_hub_add_client(), goes away. */
void
ssync_ws_hub_remove_client (SsyncWsHub *self,
                            guint64     client_id)
{
  Client *client;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));

  client = lookup_client (self, client_id);
  if (client != NULL && client->conn == NULL)
    client_gone (client);
}
