/* ssync-ws-hub.c: the WebSocket endpoint /ws (DESIGN.md, "HTTP API").
 *
 * A share page opens one WebSocket and subscribes to its share by token. From then on it
 * is told about the transfers of that share that come from its own address (a page
 * follows its own downloads and uploads, not other visitors'), and that the share was
 * stopped or expired. Messages are small JSON objects, documented in the README.
 *
 * This file keeps the clients and dispatches their messages; the socket behind a client
 * is in ssync-ws-hub-socket.c, progress in ssync-ws-hub-progress.c, and direct connections
 * in ssync-ws-hub-rtc.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include "ssync-access.h"
#include "ssync-rooms.h"
#include "ssync-ws-hub-private.h"

G_DEFINE_FINAL_TYPE (SsyncWsHub, ssync_ws_hub, G_TYPE_OBJECT)

enum {
  RTC_CONNECT,
  RTC_SIGNAL,
  CLIENT_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Protocol strings, not translated: a page shows its own words in its visitor's language. */
static const char error_malformed[] = "Malformed message";
static const char error_unknown_type[] = "Unknown message type";
static const char error_unknown_share[] = "Unknown share";
static const char error_subscribed[] = "Already subscribed to another share";
static const char error_locked[] = "This share needs its password, or it ended";

char *
ssync_ws_builder_to_text (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/* {"type": @type} with one more string member @member (when @value is not NULL). */
static char *
simple_message_with (const char *type,
                     const char *member,
                     const char *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  if (value != NULL)
    {
      json_builder_set_member_name (builder, member);
      json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);

  return ssync_ws_builder_to_text (builder);
}

static char *
simple_message (const char *type,
                const char *message)
{
  return simple_message_with (type, "message", message);
}

static gboolean
client_is_open (SsyncWsClient *client)
{
  if (client->conn == NULL)
    return !client->closed;
  return soup_websocket_connection_get_state (client->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

void
ssync_ws_client_send (SsyncWsClient *client,
                      const char    *text)
{
  /* A connection that is closing must not be written to (libsoup warns). */
  if (!client_is_open (client))
    return;
  if (client->conn != NULL)
    soup_websocket_connection_send_text (client->conn, text);
  else if (client->send != NULL)
    client->send (client->id, text, client->send_data);
}

void
ssync_ws_client_send_error (SsyncWsClient *client,
                            const char    *message)
{
  g_autofree char *text = simple_message ("error", message);

  ssync_ws_client_send (client, text);
}

static void
client_close (SsyncWsClient *client,
              gushort        code,
              const char    *reason)
{
  g_clear_pointer (&client->share_id, g_free);
  if (!client_is_open (client))
    return;
  if (client->conn != NULL)
    soup_websocket_connection_close (client->conn, code, reason);
  else
    client->closed = TRUE;
}

void
ssync_ws_client_free (SsyncWsClient *client)
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

static SsyncWsClient *
lookup_client (SsyncWsHub *self,
               guint64     client_id)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      SsyncWsClient *client = g_ptr_array_index (self->clients, i);

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
SsyncShare *
ssync_ws_client_lookup_share (SsyncWsClient *client,
                              JsonObject    *object)
{
  const char *token = get_string_member (object, "token");
  SsyncShare *share;

  if (token == NULL)
    {
      ssync_ws_client_send_error (client, error_malformed);
      return NULL;
    }

  share = ssync_registry_lookup_token (client->hub->registry, token);
  if (share == NULL)
    {
      /* Someone guessing tokens gets nothing more to try on this connection. */
      ssync_ws_client_send_error (client, error_unknown_share);
      client_close (client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, error_unknown_share);
      return NULL;
    }

  /* The WebSocket answers like every other route: a locked or ended share tells nothing. */
  if (client->hub->access != NULL &&
      !client->hub->access (share, client->cookie, client->hub->access_data))
    {
      ssync_ws_client_send_error (client, error_locked);
      client_close (client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, error_locked);
      return NULL;
    }

  return share;
}

static void
handle_subscribe (SsyncWsClient *client,
                  JsonObject    *object)
{
  SsyncShare *share = ssync_ws_client_lookup_share (client, object);

  if (share == NULL)
    return;

  if (client->share_id != NULL && strcmp (client->share_id, ssync_share_get_id (share)) != 0)
    {
      ssync_ws_client_send_error (client, error_subscribed);
      return;
    }

  g_free (client->share_id);
  client->share_id = g_strdup (ssync_share_get_id (share));
}

/* One message from @client: parsed and dispatched. Every reply goes through ssync_ws_client_send(),
 * so this runs the same with or without a socket behind the client. */
void
ssync_ws_client_handle_message (SsyncWsClient *client,
                                int            data_type,
                                const char    *data,
                                gsize          size)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *type;

  /* The stream in front of the connection (ssync-ws-limit.c) already stops larger ones. */
  if (size > SSYNC_WS_MAX_MESSAGE_SIZE)
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
      ssync_ws_client_send_error (client, error_malformed);
      return;
    }

  object = json_node_get_object (root);
  type = get_string_member (object, "type");

  if (g_strcmp0 (type, "subscribe") == 0)
    handle_subscribe (client, object);
  else if (type != NULL && g_str_has_prefix (type, "rtc-"))
    ssync_ws_client_handle_rtc (client, type, object);
  else if (type != NULL && g_str_has_prefix (type, "room-"))
    ssync_rooms_handle (client->hub->rooms, client->id, client->peer, type, object);
  else if (g_strcmp0 (type, "ping") == 0)
    {
      g_autofree char *text = simple_message ("pong", NULL);

      ssync_ws_client_send (client, text);
    }
  else if (type == NULL)
    ssync_ws_client_send_error (client, error_malformed);
  else
    ssync_ws_client_send_error (client, error_unknown_type);
}

void
ssync_ws_client_gone (SsyncWsClient *client)
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
      SsyncWsClient *client = g_ptr_array_index (self->clients, i);

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
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_ws_client_free);
  self->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) ssync_ws_watch_free);
}

SsyncWsHub *
ssync_ws_hub_new (SsyncRegistry *registry)
{
  SsyncWsHub *self = g_object_new (SSYNC_TYPE_WS_HUB, NULL);

  self->registry = g_object_ref (registry);

  return self;
}

/* Sends {"type": @type, "reason": R} to the pages of @share and closes them; @type is
 * "stopped" or "expired" (older pages read it), R names why the share ended as its 410
 * answers do ("stopped", "expired", "limit"). */
void
ssync_ws_hub_notify_share (SsyncWsHub *self,
                           SsyncShare *share,
                           const char *type)
{
  g_autofree char *text = NULL;
  const char *share_id, *reason;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));
  g_return_if_fail (SSYNC_IS_SHARE (share));
  g_return_if_fail (type != NULL);

  reason = ssync_access_ended_reason (ssync_share_get_state (share, g_get_real_time ()));
  text = simple_message_with (type, "reason", reason != NULL ? reason : type);
  share_id = ssync_share_get_id (share);

  for (guint i = 0; i < self->clients->len; i++)
    {
      SsyncWsClient *client = g_ptr_array_index (self->clients, i);

      if (g_strcmp0 (client->share_id, share_id) == 0)
        {
          ssync_ws_client_send (client, text);
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
  SsyncWsClient *client;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));

  client = lookup_client (self, client_id);
  if (client != NULL)
    ssync_ws_client_send (client, text);
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
  SsyncWsClient *client;

  g_return_val_if_fail (SSYNC_IS_WS_HUB (self), 0);
  g_return_val_if_fail (peer != NULL, 0);

  client = g_new0 (SsyncWsClient, 1);
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
  SsyncWsClient *client;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));

  client = lookup_client (self, client_id);
  if (client != NULL && client_is_open (client))
    ssync_ws_client_handle_message (client,
                                    text ? SOUP_WEBSOCKET_DATA_TEXT : SOUP_WEBSOCKET_DATA_BINARY,
                                    data, size);
}

/* The client @client_id, added with ssync_ws_hub_add_client(), goes away. */
void
ssync_ws_hub_remove_client (SsyncWsHub *self,
                            guint64     client_id)
{
  SsyncWsClient *client;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));

  client = lookup_client (self, client_id);
  if (client != NULL && client->conn == NULL)
    ssync_ws_client_gone (client);
}
