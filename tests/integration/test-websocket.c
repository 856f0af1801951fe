/* test-websocket.c: the WebSocket hub on a SoupServer on 127.0.0.1, with libsoup's
 * WebSocket client in the same main context: subscribing, progress and outcome of a
 * page's own transfers (throttled, never another address's), stopped shares, refused
 * origins and bad messages.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "ssync-registry.h"
#include "ssync-share.h"
#include "ssync-transfer.h"
#include "ssync-test-server.h"
#include "ssync-ws-hub.h"

#define PEER "127.0.0.1"
#define OTHER_PEER "192.0.2.7"
/* Seconds any wait may take before the test fails. */
#define WAIT_TIMEOUT 10

typedef struct {
  char *dir;
  SsyncRegistry *registry;
  SsyncShare *share;
  SoupServer *server;
  SsyncWsHub *hub;
  SoupSession *session;
  guint port;
} Fixture;

/* One WebSocket client: what it received, and how it was closed. */
typedef struct {
  SoupWebsocketConnection *conn;
  GQueue messages;  /* JsonObject */
  gboolean closed;
} Client;

static void
wait_until (const gboolean *done)
{
  ssync_test_wait_until (done, WAIT_TIMEOUT);
}

static void
on_share (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  GSList *uris;

  fixture->dir = g_dir_make_tmp ("ssync-ws-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (path, "hello", -1, NULL));

  file = g_file_new_for_path (path);
  ssync_share_new_async (&file, 1, NULL, on_share, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  fixture->share = ssync_share_new_finish (result, &error);
  g_assert_no_error (error);

  fixture->registry = ssync_registry_new ();
  ssync_registry_add (fixture->registry, fixture->share);

  fixture->server = soup_server_new (NULL, NULL);
  fixture->hub = ssync_ws_hub_new (fixture->registry);
  ssync_ws_hub_attach (fixture->hub, fixture->server);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  g_clear_object (&fixture->session);
  g_clear_object (&fixture->hub);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->share);
  g_clear_object (&fixture->registry);
  /* Lets closing connections finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (system (command), ==, 0);
  g_free (fixture->dir);
}

static void
on_client_message (SoupWebsocketConnection *conn,
                   int                      type,
                   GBytes                  *message,
                   Client                  *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gsize size;
  const char *data = g_bytes_get_data (message, &size);
  g_autofree char *text = g_strndup (data, size);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_queue_push_tail (&client->messages, json_object_ref (json_node_get_object (node)));
}

static void
on_client_closed (SoupWebsocketConnection *conn,
                  Client                  *client)
{
  client->closed = TRUE;
}

static void
client_free (Client *client)
{
  if (client->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (client->conn, client);
      if (soup_websocket_connection_get_state (client->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (client->conn);
    }
  g_queue_clear_full (&client->messages, (GDestroyNotify) json_object_unref);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

typedef struct {
  GAsyncResult *result;
  gboolean done;
} Connecting;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Connecting *connecting = user_data;

  connecting->result = g_object_ref (result);
  connecting->done = TRUE;
}

/* Opens a WebSocket to @path with @origin (NULL: no Origin header); NULL if the server
 * refused, with the handshake's status in @out_status. */
static Client *
client_connect_full (Fixture    *fixture,
                     const char *path,
                     const char *origin,
                     guint      *out_status)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u%s", fixture->port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GError) error = NULL;
  Connecting connecting = { NULL, FALSE };
  SoupWebsocketConnection *conn;
  Client *client;

  soup_session_websocket_connect_async (fixture->session, msg, origin, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_connected, &connecting);
  wait_until (&connecting.done);
  conn = soup_session_websocket_connect_finish (fixture->session, connecting.result, &error);
  g_object_unref (connecting.result);
  if (out_status != NULL)
    *out_status = soup_message_get_status (msg);
  if (conn == NULL)
    return NULL;
  g_assert_no_error (error);

  client = g_new0 (Client, 1);
  client->conn = conn;
  g_queue_init (&client->messages);
  g_signal_connect (conn, "message", G_CALLBACK (on_client_message), client);
  g_signal_connect (conn, "closed", G_CALLBACK (on_client_closed), client);
  return client;
}

static Client *
client_connect (Fixture *fixture)
{
  Client *client = client_connect_full (fixture, "/ws", NULL, NULL);

  g_assert_nonnull (client);
  return client;
}

static void
client_send (Client     *client,
             const char *text)
{
  soup_websocket_connection_send_text (client->conn, text);
}

static gboolean
client_has_news (gconstpointer data)
{
  const Client *client = data;

  return client->messages.length > 0 || client->closed;
}

/* The next message, waiting for it; its "type" must be @type. */
static JsonObject *
client_next (Client     *client,
             const char *type)
{
  JsonObject *object;

  ssync_test_wait (client_has_news, client, WAIT_TIMEOUT);

  object = g_queue_pop_head (&client->messages);
  g_assert_nonnull (object);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, type);
  return object;
}

/* A ping answered means the server has handled everything sent before it, and that
 * nothing was sent to this client in between. */
static void
client_sync (Client *client)
{
  g_autoptr(JsonObject) pong = NULL;

  client_send (client, "{\"type\":\"ping\"}");
  pong = client_next (client, "pong");
}

static void
client_subscribe (Fixture *fixture,
                  Client  *client)
{
  g_autofree char *text =
    g_strdup_printf ("{\"type\":\"subscribe\",\"token\":\"%s\"}",
                     ssync_share_get_token (fixture->share));

  client_send (client, text);
  client_sync (client);
}

static void
client_wait_closed (Client *client)
{
  wait_until (&client->closed);
}

static SsyncTransfer *
new_transfer (Fixture        *fixture,
              SsyncDirection  direction,
              const char     *peer,
              guint64         total)
{
  SsyncTransfer *transfer =
    ssync_transfer_new (ssync_share_get_id (fixture->share), ssync_share_get_name (fixture->share),
                        "notes.txt", direction,
                        direction == SSYNC_DIRECTION_UPLOAD ? SSYNC_TRANSFER_KIND_UPLOAD
                                                            : SSYNC_TRANSFER_KIND_FILE,
                        peer, "test-websocket/1.0", total);

  ssync_ws_hub_watch_transfer (fixture->hub, fixture->share, transfer);
  return transfer;
}

static void
assert_progress (JsonObject    *object,
                 SsyncTransfer *transfer,
                 guint64        bytes)
{
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "progress");
  g_assert_cmpstr (json_object_get_string_member (object, "transfer"), ==,
                   ssync_transfer_get_id (transfer));
  g_assert_cmpstr (json_object_get_string_member (object, "file"), ==, "notes.txt");
  g_assert_cmpint (json_object_get_int_member (object, "bytes"), ==, bytes);
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==,
                   ssync_transfer_get_total (transfer));
}

static void
assert_finished (JsonObject    *object,
                 SsyncTransfer *transfer,
                 const char    *status,
                 guint64        bytes)
{
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "finished");
  g_assert_cmpstr (json_object_get_string_member (object, "transfer"), ==,
                   ssync_transfer_get_id (transfer));
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, status);
  g_assert_cmpint (json_object_get_int_member (object, "bytes"), ==, bytes);
}

static void
test_progress (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(SsyncTransfer) transfer = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) last = NULL;
  g_autoptr(JsonObject) finished = NULL;

  g_assert_cmpuint (ssync_ws_hub_get_n_connections (fixture->hub), ==, 1);
  client_subscribe (fixture, client);

  transfer = new_transfer (fixture, SSYNC_DIRECTION_DOWNLOAD, PEER, 5);
  ssync_transfer_add_bytes (transfer, 2);
  ssync_transfer_add_bytes (transfer, 3);
  ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);

  /* The second count came too soon after the first to be sent on its own, but it is the
   * last one: it goes before the outcome. */
  first = client_next (client, "progress");
  assert_progress (first, transfer, 2);
  g_assert_cmpstr (json_object_get_string_member (first, "direction"), ==, "download");
  last = client_next (client, "progress");
  assert_progress (last, transfer, 5);
  finished = client_next (client, "finished");
  assert_finished (finished, transfer, "complete", 5);
  client_sync (client);
}

static void
test_throttle (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(SsyncTransfer) transfer = NULL;
  g_autoptr(JsonObject) finished = NULL;
  g_autoptr(GTimer) timer = NULL;
  guint n_progress = 0;
  guint64 last_bytes = 0;

  client_subscribe (fixture, client);
  transfer = new_transfer (fixture, SSYNC_DIRECTION_DOWNLOAD, PEER, 1500);

  for (guint i = 0; i < 1000; i++)
    ssync_transfer_add_bytes (transfer, 1);
  timer = g_timer_new ();

  /* The first count goes at once; the newest is sent when the throttle allows, not
   * only when the transfer ends. */
  {
    g_autoptr(JsonObject) first = client_next (client, "progress");
    g_autoptr(JsonObject) held = NULL;

    assert_progress (first, transfer, 1);
    held = client_next (client, "progress");
    assert_progress (held, transfer, 1000);
    g_assert_cmpfloat (g_timer_elapsed (timer, NULL), >=, 0.15);
  }

  for (guint i = 0; i < 500; i++)
    ssync_transfer_add_bytes (transfer, 1);
  ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);

  while (TRUE)
    {
      g_autoptr(JsonObject) object = g_queue_pop_head (&client->messages);

      if (object == NULL)
        {
          g_main_context_iteration (NULL, TRUE);
          continue;
        }
      if (g_strcmp0 (json_object_get_string_member (object, "type"), "finished") == 0)
        {
          finished = g_steal_pointer (&object);
          break;
        }
      assert_progress (object, transfer, json_object_get_int_member (object, "bytes"));
      last_bytes = json_object_get_int_member (object, "bytes");
      n_progress++;
    }

  g_assert_cmpuint (n_progress, <=, 2);
  g_assert_cmpuint (last_bytes, ==, 1500);
  assert_finished (finished, transfer, "complete", 1500);
  client_sync (client);
}

static void
test_other_peer (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(Client) unsubscribed = client_connect (fixture);
  g_autoptr(SsyncTransfer) other = NULL;
  g_autoptr(SsyncTransfer) own = NULL;
  g_autoptr(JsonObject) progress = NULL;
  g_autoptr(JsonObject) finished = NULL;

  client_subscribe (fixture, client);

  /* Another visitor's upload, then this page's: only the second reaches the page. */
  other = new_transfer (fixture, SSYNC_DIRECTION_UPLOAD, OTHER_PEER, 100);
  ssync_transfer_add_bytes (other, 100);
  ssync_transfer_finish (other, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);

  own = new_transfer (fixture, SSYNC_DIRECTION_UPLOAD, PEER, 100);
  ssync_transfer_add_bytes (own, 40);
  ssync_transfer_finish (own, SSYNC_TRANSFER_STATUS_FAILED, "Disk full");

  progress = client_next (client, "progress");
  assert_progress (progress, own, 40);
  g_assert_cmpstr (json_object_get_string_member (progress, "direction"), ==, "upload");
  finished = client_next (client, "finished");
  assert_finished (finished, own, "failed", 40);
  client_sync (client);

  /* A connection that never subscribed hears of nothing. */
  client_sync (unsubscribed);
}

static void
test_unknown_token (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(JsonObject) error = NULL;

  client_send (client, "{\"type\":\"subscribe\",\"token\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
  error = client_next (client, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "Unknown share");
  client_wait_closed (client);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (client->conn), ==,
                    SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);

  while (ssync_ws_hub_get_n_connections (fixture->hub) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_share_stopped (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(Client) unsubscribed = client_connect (fixture);
  g_autoptr(JsonObject) stopped = NULL;

  client_subscribe (fixture, client);
  g_assert_cmpuint (ssync_ws_hub_get_n_connections (fixture->hub), ==, 2);

  ssync_share_revoke (fixture->share);
  ssync_ws_hub_notify_share (fixture->hub, fixture->share, "stopped");
  stopped = client_next (client, "stopped");
  /* The page names the reason from this member. */
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==, "stopped");
  client_wait_closed (client);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (client->conn), ==,
                    SOUP_WEBSOCKET_CLOSE_NORMAL);
  g_assert_true (g_queue_is_empty (&client->messages));

  while (ssync_ws_hub_get_n_connections (fixture->hub) > 1)
    g_main_context_iteration (NULL, TRUE);
  client_sync (unsubscribed);
}

/* Issue 14: the download that spends a share's last one tells the page at once, naming the
 * limit, without waiting for the owner's sweep. */
static void
test_limit_reached (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(SsyncTransfer) transfer = NULL;
  g_autoptr(JsonObject) progress = NULL;
  g_autoptr(JsonObject) finished = NULL;
  g_autoptr(JsonObject) ended = NULL;

  client_subscribe (fixture, client);
  ssync_share_set_max_downloads (fixture->share, 1);

  transfer = new_transfer (fixture, SSYNC_DIRECTION_DOWNLOAD, PEER, 5);
  ssync_transfer_add_bytes (transfer, 5);
  ssync_share_add_download (fixture->share);
  ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);

  progress = client_next (client, "progress");
  finished = client_next (client, "finished");
  ended = client_next (client, "expired");
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==, "limit");
  client_wait_closed (client);
}

static void
test_origin (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *same = g_strdup_printf ("http://127.0.0.1:%u", fixture->port);
  g_autofree char *other_port = g_strdup_printf ("http://127.0.0.1:%u", fixture->port + 1);
  const char *refused[] = {
    "http://evil.example", other_port, "null", "file://", "chrome-extension://abc",
  };
  g_autoptr(Client) client = NULL;
  guint status;

  client = client_connect_full (fixture, "/ws", same, &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
  g_assert_nonnull (client);
  client_sync (client);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_test_message ("Origin: %s", refused[i]);
      g_assert_null (client_connect_full (fixture, "/ws", refused[i], &status));
      g_assert_cmpuint (status, ==, SOUP_STATUS_FORBIDDEN);
    }

  /* Only /ws itself. */
  g_assert_null (client_connect_full (fixture, "/ws/other", NULL, &status));
  g_assert_cmpuint (status, ==, SOUP_STATUS_NOT_FOUND);

  g_assert_cmpuint (ssync_ws_hub_get_n_connections (fixture->hub), ==, 1);
}

static void
test_bad_messages (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *bad[] = {
    "{not json", "[1,2]", "\"subscribe\"", "{}", "{\"type\":42}", "{\"type\":{}}",
    "{\"type\":\"subscribe\"}", "{\"type\":\"subscribe\",\"token\":7}",
  };
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(GBytes) binary = g_bytes_new_static ("{\"type\":\"ping\"}", 15);
  g_autofree char *huge = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) error = NULL;

      client_send (client, bad[i]);
      error = client_next (client, "error");
      g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                       "Malformed message");
    }

  {
    g_autoptr(JsonObject) error = NULL;

    client_send (client, "{\"type\":\"dance\"}");
    error = client_next (client, "error");
    g_assert_cmpstr (json_object_get_string_member (error, "message"), ==,
                     "Unknown message type");
  }

  {
    g_autoptr(JsonObject) error = NULL;

    soup_websocket_connection_send_binary (client->conn, g_bytes_get_data (binary, NULL),
                                           g_bytes_get_size (binary));
    error = client_next (client, "error");
  }

  /* Still open and answering. */
  client_sync (client);
  g_assert_false (client->closed);

  /* A message over 32 KiB (room for WebRTC descriptions) ends the connection. */
  huge = g_strnfill (40000, ' ');
  client_send (client, huge);
  client_wait_closed (client);
  while (ssync_ws_hub_get_n_connections (fixture->hub) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_transfer_gone (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(Client) leaving = client_connect (fixture);
  SsyncTransfer *transfer;

  client_subscribe (fixture, client);
  client_subscribe (fixture, leaving);

  /* Dropped while a progress message is held back by the throttle. */
  transfer = new_transfer (fixture, SSYNC_DIRECTION_DOWNLOAD, PEER, 10);
  ssync_transfer_add_bytes (transfer, 1);
  ssync_transfer_add_bytes (transfer, 1);
  g_object_unref (transfer);

  {
    g_autoptr(JsonObject) progress = client_next (client, "progress");

    g_assert_cmpint (json_object_get_int_member (progress, "bytes"), ==, 1);
  }
  ssync_test_wait_for (400);
  client_sync (client);

  /* A page that leaves mid-transfer. */
  transfer = new_transfer (fixture, SSYNC_DIRECTION_DOWNLOAD, PEER, 10);
  soup_websocket_connection_close (leaving->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  client_wait_closed (leaving);
  while (ssync_ws_hub_get_n_connections (fixture->hub) > 1)
    g_main_context_iteration (NULL, TRUE);
  ssync_transfer_add_bytes (transfer, 10);
  ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  g_object_unref (transfer);

  {
    g_autoptr(JsonObject) progress = client_next (client, "progress");
    g_autoptr(JsonObject) finished = client_next (client, "finished");

    g_assert_cmpint (json_object_get_int_member (progress, "bytes"), ==, 10);
    g_assert_cmpint (json_object_get_int_member (finished, "bytes"), ==, 10);
  }
}

/* As ssync-listener.c does: a socket that waits longer than its timeout fails. */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_socket_set_timeout (socket, 2);
}

static void
test_idle_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(Client) client = NULL;

  g_signal_connect (fixture->server, "request-started", G_CALLBACK (on_request_started), NULL);
  client = client_connect (fixture);
  client_subscribe (fixture, client);

  /* A quiet page outlives the server's idle timeout: pings keep it busy. */
  ssync_test_wait_for (3500);
  g_assert_false (client->closed);
  client_sync (client);
}

static void
test_dispose (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(Client) client = client_connect (fixture);
  g_autoptr(SsyncTransfer) transfer = NULL;

  client_subscribe (fixture, client);
  transfer = new_transfer (fixture, SSYNC_DIRECTION_DOWNLOAD, PEER, 10);

  /* The server holds the hub through its handlers: both go, and the page is told. */
  g_clear_object (&fixture->hub);
  g_clear_object (&fixture->server);
  client_wait_closed (client);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (client->conn), ==,
                    SOUP_WEBSOCKET_CLOSE_GOING_AWAY);

  /* The transfer outlives the hub without reaching it. */
  ssync_transfer_add_bytes (transfer, 10);
  ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/websocket/progress", test_progress);
  ADD ("/websocket/throttle", test_throttle);
  ADD ("/websocket/other-peer", test_other_peer);
  ADD ("/websocket/unknown-token", test_unknown_token);
  ADD ("/websocket/share-stopped", test_share_stopped);
  ADD ("/websocket/limit-reached", test_limit_reached);
  ADD ("/websocket/origin", test_origin);
  ADD ("/websocket/bad-messages", test_bad_messages);
  ADD ("/websocket/transfer-gone", test_transfer_gone);
  ADD ("/websocket/idle-timeout", test_idle_timeout);
  ADD ("/websocket/dispose", test_dispose);
#undef ADD

  return g_test_run ();
}
