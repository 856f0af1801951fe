/* test-localsend-server.c: the HTTPS server LocalSend devices register with, against a real
 * libsoup client and hostile raw TLS clients, on loopback.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ssync-localsend-server.h"
#include "ssync-tls-identity.h"

#define REGISTER_PATH "/api/localsend/v2/register"
#define INFO_PATH "/api/localsend/v2/info"
#define PREPARE_PATH "/api/localsend/v2/prepare-upload"
#define PEER_JSON \
  "{\"alias\":\"Nice Orange\",\"version\":\"2.1\",\"deviceModel\":\"Pixel\"," \
  "\"deviceType\":\"mobile\",\"fingerprint\":\"PEER-FINGERPRINT\",\"port\":53317," \
  "\"protocol\":\"https\",\"download\":false}"

typedef struct {
  char *dir;
  SsyncTlsIdentity *identity;
  SsyncLocalsendServer *server;
  SoupSession *session;
  guint port;
  GPtrArray *registered;
  GPtrArray *peers;
} Fixture;

static void
on_register (SsyncLocalsendServer *server,
             SsyncLocalsendDevice *device,
             const char           *peer_ip,
             gpointer              user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->registered, g_object_ref (device));
  g_ptr_array_add (fixture->peers, g_strdup (peer_ip));
}

/* Makes fixture->server and has it listen on @port (0 for any free one). */
static void
start_server (Fixture *fixture,
              guint    port)
{
  g_autoptr(GError) error = NULL;
  SsyncLocalsendIdentity me = {
    .alias = "ShareSync Test",
    .device_type = "desktop",
    .device_model = "ShareSync",
    .protocol = "https",
  };

  me.fingerprint = ssync_tls_identity_get_fingerprint (fixture->identity);
  fixture->server = ssync_localsend_server_new (
    ssync_tls_identity_get_certificate (fixture->identity), &me);
  g_assert_true (ssync_localsend_server_listen (fixture->server, port, &error));
  g_assert_no_error (error);
  fixture->port = ssync_localsend_server_get_port (fixture->server);
  g_assert_cmpuint (fixture->port, >, 0);
  g_signal_connect (fixture->server, "register", G_CALLBACK (on_register), fixture);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-localsend-server-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->identity = ssync_tls_identity_load_or_create (fixture->dir, &error);
  g_assert_no_error (error);

  fixture->registered = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->peers = g_ptr_array_new_with_free_func (g_free);
  start_server (fixture, 0);

  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *pem = g_build_filename (fixture->dir, SSYNC_TLS_IDENTITY_FILE, NULL);

  g_clear_object (&fixture->session);
  g_assert_finalize_object (fixture->server);
  g_assert_finalize_object (fixture->identity);
  g_ptr_array_unref (fixture->registered);
  g_ptr_array_unref (fixture->peers);
  g_remove (pem);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
accept_any (SoupMessage          *msg,
            GTlsCertificate      *certificate,
            GTlsCertificateFlags  errors,
            gpointer              user_data)
{
  return TRUE;
}

typedef struct {
  GBytes *body;
  GError *error;
  gboolean done;
} Reply;

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reply *reply = user_data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                   &reply->error);
  reply->done = TRUE;
}

/* Sends a request and runs the server until its answer; returns the message. */
static SoupMessage *
request (Fixture     *fixture,
         const char  *scheme,
         const char  *method,
         const char  *path,
         const char  *body,
         gsize        body_length,
         GBytes     **answer,
         GError     **error)
{
  g_autofree char *url = g_strdup_printf ("%s://127.0.0.1:%u%s", scheme, fixture->port, path);
  SoupMessage *msg = soup_message_new (method, url);
  Reply reply = { NULL, NULL, FALSE };

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, on_sent,
                                    &reply);
  while (!reply.done)
    g_main_context_iteration (NULL, TRUE);

  if (answer != NULL)
    *answer = reply.body;
  else
    g_clear_pointer (&reply.body, g_bytes_unref);
  if (reply.error != NULL)
    g_propagate_error (error, reply.error);
  return msg;
}

static guint
status_of (Fixture    *fixture,
           const char *method,
           const char *path,
           const char *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = request (fixture, "https", method, path, body,
                                        body != NULL ? strlen (body) : 0, NULL, &error);

  g_assert_no_error (error);
  return soup_message_get_status (msg);
}

static JsonObject *
parse_object (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  json_parser_load_from_data (parser, data, length, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Our answer to register and info: who we are, on the port we really listen on. */
static void
assert_our_info (Fixture *fixture,
                 GBytes  *bytes)
{
  g_autoptr(JsonObject) object = parse_object (bytes);

  g_assert_cmpstr (json_object_get_string_member (object, "alias"), ==, "ShareSync Test");
  g_assert_cmpstr (json_object_get_string_member (object, "fingerprint"), ==,
                   ssync_tls_identity_get_fingerprint (fixture->identity));
  g_assert_cmpstr (json_object_get_string_member (object, "deviceType"), ==, "desktop");
  g_assert_cmpstr (json_object_get_string_member (object, "deviceModel"), ==, "ShareSync");
  g_assert_cmpstr (json_object_get_string_member (object, "version"), ==, "2.1");
  g_assert_cmpstr (json_object_get_string_member (object, "protocol"), ==, "https");
  g_assert_cmpint (json_object_get_int_member (object, "port"), ==, fixture->port);
  g_assert_false (json_object_get_boolean_member (object, "download"));
  g_assert_false (json_object_has_member (object, "announce"));
}

/* GET info answers who we are, over TLS with our own certificate. */
static void
test_info (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = request (fixture, "https", "GET", INFO_PATH, NULL, 0, &body,
                                        &error);

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (soup_message_headers_get_content_type (
                     soup_message_get_response_headers (msg), NULL), ==, "application/json");
  g_assert_true (g_tls_certificate_is_same (
    soup_message_get_tls_peer_certificate (msg),
    ssync_tls_identity_get_certificate (fixture->identity)));
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                               "Server"));
  assert_our_info (fixture, body);
}

/* Plain HTTP to the port gets no answer at all: only TLS is spoken there. */
static void
test_tls_only (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = request (fixture, "http", "GET", INFO_PATH, NULL, 0, NULL,
                                        &error);

  g_assert_nonnull (error);
  g_assert_cmpuint (soup_message_get_status (msg), !=, SOUP_STATUS_OK);
}

/* Turns the main loop, where the server runs, until the server closes @connection; FALSE
 * if it did not within @seconds. */
static gboolean
wait_closed_by_server (GSocketConnection *connection,
                       guint              seconds)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      char buffer[64];

      g_main_context_iteration (NULL, FALSE);
      if (g_socket_condition_timed_wait (socket, G_IO_IN, 10000, NULL, NULL) &&
          g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL) <= 0)
        return TRUE;
    }
  return FALSE;
}

/* A stranger that connects and says nothing (no TLS handshake, no request) is closed once
 * the header timeout passes, as on the share server: it holds no connection for free. */
static void
test_silent_connection (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  gboolean closed;
  double lived;

  ssync_localsend_server_set_header_timeout (fixture->server, 2);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", fixture->port, NULL,
                                                &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  closed = wait_closed_by_server (connection, 8);
  lived = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("a silent connection was closed after %.1f s", lived);
  g_assert_true (closed);
  g_assert_cmpfloat (lived, >=, 1.5);
}

static void
test_register (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  /* The body names another machine: the address that counts is the one it came from. */
  const char *json = "{\"alias\":\"Nice Orange\",\"version\":\"2.1\",\"deviceModel\":\"Pixel\","
                     "\"deviceType\":\"mobile\",\"fingerprint\":\"PEER-FINGERPRINT\","
                     "\"port\":53318,\"protocol\":\"https\",\"download\":true,"
                     "\"ip\":\"10.9.9.9\"}";
  gint64 before = g_get_monotonic_time ();
  SsyncLocalsendDevice *device;

  msg = request (fixture, "https", "POST", REGISTER_PATH, json, strlen (json), &body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  assert_our_info (fixture, body);

  g_assert_cmpuint (fixture->registered->len, ==, 1);
  device = fixture->registered->pdata[0];
  g_assert_cmpstr (fixture->peers->pdata[0], ==, "127.0.0.1");
  g_assert_cmpstr (ssync_localsend_device_get_address (device), ==, "127.0.0.1");
  g_assert_cmpstr (ssync_localsend_device_get_alias (device), ==, "Nice Orange");
  g_assert_cmpstr (ssync_localsend_device_get_fingerprint (device), ==, "PEER-FINGERPRINT");
  g_assert_cmpstr (ssync_localsend_device_get_device_type (device), ==, "mobile");
  g_assert_cmpstr (ssync_localsend_device_get_device_model (device), ==, "Pixel");
  g_assert_cmpuint (ssync_localsend_device_get_port (device), ==, 53318);
  g_assert_cmpstr (ssync_localsend_device_get_protocol (device), ==, "https");
  g_assert_cmpint (ssync_localsend_device_get_last_seen (device), >=, before);
}

/* Our own registration echoed back is answered but is no device. */
static void
test_register_self (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *json = g_strdup_printf (
    "{\"alias\":\"Me\",\"version\":\"2.1\",\"deviceModel\":null,\"deviceType\":\"desktop\","
    "\"fingerprint\":\"%s\",\"port\":53317,\"protocol\":\"https\",\"download\":false}",
    ssync_tls_identity_get_fingerprint (fixture->identity));

  g_assert_cmpuint (status_of (fixture, "POST", REGISTER_PATH, json), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (fixture->registered->len, ==, 0);
}

/* Malformed JSON and wrong types are refused with 400, and nobody is registered. */
static void
test_register_hostile (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char *const bodies[] = {
    "",
    "{",
    "[]",
    "null",
    "\"alias\"",
    "{\"alias\":5,\"fingerprint\":\"F\",\"port\":53317,\"protocol\":\"https\"}",
    "{\"alias\":\"A\",\"fingerprint\":[\"F\"],\"port\":53317,\"protocol\":\"https\"}",
    "{\"alias\":\"A\",\"fingerprint\":\"F\",\"port\":\"53317\",\"protocol\":\"https\"}",
    "{\"alias\":\"A\",\"fingerprint\":\"F\",\"port\":70000,\"protocol\":\"https\"}",
    "{\"alias\":\"A\",\"fingerprint\":\"F\",\"port\":53317,\"protocol\":\"gopher\"}",
    "{\"alias\":\"\",\"fingerprint\":\"F\",\"port\":53317,\"protocol\":\"https\"}",
    "{\"alias\":\"A\\u0007B\",\"fingerprint\":\"F\",\"port\":53317,\"protocol\":\"https\"}",
    "{\"alias\":\"\xff\xfe\",\"fingerprint\":\"F\",\"port\":53317,\"protocol\":\"https\"}",
  };
  /* A NUL inside the body, after which a C string would see valid JSON. */
  static const char with_nul[] = PEER_JSON "\0garbage";

  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *shown = g_strescape (bodies[i], NULL);

      g_test_message ("body: %s", shown);
      g_assert_cmpuint (status_of (fixture, "POST", REGISTER_PATH, bodies[i]), ==,
                        SOUP_STATUS_BAD_REQUEST);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SoupMessage) msg = request (fixture, "https", "POST", REGISTER_PATH, with_nul,
                                          sizeof with_nul - 1, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_BAD_REQUEST);
  }
  g_assert_cmpuint (fixture->registered->len, ==, 0);
}

/* Only LocalSend's paths live here, each with its methods. */
static void
test_routes (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *padding = g_strnfill (20 * 1024, 'a');
  g_autofree char *long_uri = g_strdup_printf ("%s?sessionId=%s", INFO_PATH, padding);

  g_assert_cmpuint (status_of (fixture, "GET", "/", NULL), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/localsend/v2/info/", NULL), ==,
                    SOUP_STATUS_NOT_FOUND);
  /* Lives here, but refuses while no receive folder is set. */
  g_assert_cmpuint (status_of (fixture, "POST", "/api/localsend/v2/prepare-upload", PEER_JSON),
                    ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpuint (status_of (fixture, "POST", "/api/localsend/v2/send-request", PEER_JSON),
                    ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (status_of (fixture, "POST", "/api/localsend/v1/register", PEER_JSON), ==,
                    SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (status_of (fixture, "DELETE", INFO_PATH, NULL), ==,
                    SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_cmpuint (status_of (fixture, "HEAD", INFO_PATH, NULL), ==, SOUP_STATUS_OK);
  /* A URI past 16 KiB, as on the share server. */
  g_assert_cmpuint (status_of (fixture, "GET", long_uri, NULL), ==,
                    SOUP_STATUS_REQUEST_URI_TOO_LONG);

  msg = request (fixture, "https", "GET", REGISTER_PATH, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Allow"), ==, "POST");
  g_assert_cmpuint (fixture->registered->len, ==, 0);
}

/* One address asking too often is told to wait; the burst is 20. */
static void
test_flood (Fixture       *fixture,
            gconstpointer  data)
{
  guint ok = 0, refused = 0;

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SoupMessage) msg = request (fixture, "https", "GET", INFO_PATH, NULL, 0, NULL,
                                            &error);

      g_assert_no_error (error);
      if (soup_message_get_status (msg) == SOUP_STATUS_OK)
        ok++;
      else
        {
          const char *retry = soup_message_headers_get_one (
            soup_message_get_response_headers (msg), "Retry-After");

          g_assert_cmpuint (soup_message_get_status (msg), ==, 429);
          g_assert_nonnull (retry);
          g_assert_cmpint (atoi (retry), >=, 1);
          refused++;
        }
    }
  g_test_message ("%u answered, %u refused", ok, refused);
  g_assert_cmpuint (ok, >=, 20);
  g_assert_cmpuint (ok, <=, 25);
  g_assert_cmpuint (refused, >=, 15);
}

/* A raw TLS client in a thread: sends @head, then up to @body_size bytes (as chunks when
 * @chunked) while watching for an answer, as a hostile client would. */
typedef struct {
  guint port;
  const char *head;
  gsize body_size;
  gboolean chunked;
  GString *answer;
  gsize sent;
  gint done;
} Push;

static gboolean
accept_any_connection (GTlsConnection       *conn,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return TRUE;
}

/* A TLS connection to the server, its handshake done (from a thread: the server runs on the
 * main context). */
static GIOStream *
connect_tls (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_connection), NULL);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&tls);
}

/* Closes the TCP connection under @tls first: a TLS close would write its alert, and block
 * for good when the server has stopped reading and the socket's buffer is full. */
static void
abandon_tls (GIOStream *tls)
{
  g_autoptr(GIOStream) base = NULL;

  g_object_get (tls, "base-io-stream", &base, NULL);
  g_io_stream_close (base, NULL, NULL);
  g_object_unref (tls);
}

static gpointer
push_thread (gpointer user_data)
{
  Push *push = user_data;
  GIOStream *tls;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) frame = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GPollableInputStream *in;
  GPollableOutputStream *out;
  gsize offset = 0;

  if (push->chunked)
    g_string_append (frame, "10000\r\n");
  g_string_set_size (frame, frame->len + 64 * 1024);
  memset (frame->str + frame->len - 64 * 1024, 'x', 64 * 1024);
  if (push->chunked)
    g_string_append (frame, "\r\n");

  tls = connect_tls (push->port);

  in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (tls));
  out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (tls));
  g_output_stream_write_all (G_OUTPUT_STREAM (out), push->head, strlen (push->head), NULL,
                             NULL, &error);
  g_assert_no_error (error);

  while (g_get_monotonic_time () < deadline)
    {
      char buf[4096];
      gssize n = g_pollable_input_stream_read_nonblocking (in, buf, sizeof buf, NULL, &error);
      gboolean progress = FALSE;

      if (n > 0)
        {
          g_string_append_len (push->answer, buf, n);
          if (strstr (push->answer->str, "\r\n\r\n") != NULL)
            break;
          progress = TRUE;
        }
      else if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      g_clear_error (&error);

      if (push->sent < push->body_size)
        {
          n = g_pollable_output_stream_write_nonblocking (out, frame->str + offset,
                                                          frame->len - offset, NULL, &error);
          if (n > 0)
            {
              push->sent += n;
              offset = (offset + n) % frame->len;
              progress = TRUE;
            }
          else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          g_clear_error (&error);
        }
      if (!progress)
        g_usleep (1000);
    }

  abandon_tls (tls);
  g_atomic_int_set (&push->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
assert_refused_early (Fixture    *fixture,
                      const char *head,
                      gboolean    chunked,
                      guint       status)
{
  Push push = { fixture->port, head, 48 * 1024 * 1024, chunked, g_string_new (NULL), 0, 0 };
  g_autofree char *status_line = g_strdup_printf ("HTTP/1.1 %u ", status);
  GThread *thread = g_thread_new ("push", push_thread, &push);

  while (!g_atomic_int_get (&push.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);

  g_test_message ("%.40s... answered after %zu body bytes: %.60s", head, push.sent,
                  push.answer->str);
  g_assert_true (g_str_has_prefix (push.answer->str, status_line));
  g_assert_nonnull (strstr (push.answer->str, "\r\nConnection: close\r\n"));
  /* Nothing near the 48 MiB was taken: at most what the sockets' buffers hold. */
  g_assert_cmpuint (push.sent, <, 16 * 1024 * 1024);
  g_string_free (push.answer, TRUE);
}

/* A body over 64 KiB (8 MiB for prepare-upload) is refused (413) before it is read,
 * announced or sent in chunks, and so is any body sent where nothing lives (404). */
static void
test_oversize (Fixture       *fixture,
               gconstpointer  data)
{
  assert_refused_early (fixture,
                        "POST " REGISTER_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nContent-Length: 50331648\r\n\r\n",
                        FALSE, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  assert_refused_early (fixture,
                        "POST " REGISTER_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                        TRUE, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  assert_refused_early (fixture,
                        "POST " PREPARE_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nContent-Length: 8388609\r\n\r\n",
                        FALSE, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  assert_refused_early (fixture,
                        "POST " PREPARE_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                        TRUE, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  assert_refused_early (fixture,
                        "POST /api/localsend/v2/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Length: 50331648\r\n\r\n",
                        FALSE, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (fixture->registered->len, ==, 0);

  /* The server still answers afterwards. */
  g_assert_cmpuint (status_of (fixture, "POST", REGISTER_PATH, PEER_JSON), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (fixture->registered->len, ==, 1);
}

typedef struct {
  guint port;
  const char *head;
  gint ready;
  gint release;
} Hold;

/* A sender that announces a large prepare-upload and never sends it. */
static gpointer
hold_thread (gpointer user_data)
{
  Hold *hold = user_data;
  GIOStream *tls;
  g_autoptr(GError) error = NULL;

  tls = connect_tls (hold->port);
  g_output_stream_write_all (g_io_stream_get_output_stream (tls), hold->head,
                             strlen (hold->head), NULL, NULL, &error);
  g_assert_no_error (error);
  g_atomic_int_set (&hold->ready, 1);
  g_main_context_wakeup (NULL);
  while (!g_atomic_int_get (&hold->release))
    g_usleep (1000);
  abandon_tls (tls);
  return NULL;
}

static void
run_for (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
}

/* Prepare-upload bodies may be 8 MiB (10,000 files), but all those held at once share 32 MiB:
 * four senders that announce 8 MiB and send nothing fill it, the fifth is told to come back
 * (503), and once they are gone there is room again. */
static void
test_prepare_budget (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *head = "POST " PREPARE_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\nContent-Length: 8388608\r\n\r\n";
  Hold holds[4];
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (holds); i++)
    {
      holds[i] = (Hold) { fixture->port, head, 0, 0 };
      threads[i] = g_thread_new ("hold", hold_thread, &holds[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (holds); i++)
    while (!g_atomic_int_get (&holds[i].ready))
      g_main_context_iteration (NULL, TRUE);
  /* Let the server read every header. */
  run_for (300);

  assert_refused_early (fixture, head, FALSE, SOUP_STATUS_SERVICE_UNAVAILABLE);

  for (guint i = 0; i < G_N_ELEMENTS (holds); i++)
    {
      g_atomic_int_set (&holds[i].release, 1);
      g_thread_join (threads[i]);
    }
  run_for (300);
  g_assert_cmpuint (status_of (fixture, "POST", PREPARE_PATH, "{}"), !=,
                    SOUP_STATUS_SERVICE_UNAVAILABLE);
}

/* A body just under the limit is read; it is no device, but it is not refused unread. */
static void
test_body_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *big = g_strnfill (SSYNC_LOCALSEND_SERVER_MAX_BODY, ' ');

  g_assert_cmpuint (status_of (fixture, "POST", REGISTER_PATH, big), ==,
                    SOUP_STATUS_BAD_REQUEST);
}

/* Stopped, the port answers nothing; started again (the port setting changed), it serves. */
static void
test_stop (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  guint old_port = fixture->port;

  ssync_localsend_server_stop (fixture->server);
  g_assert_cmpuint (ssync_localsend_server_get_port (fixture->server), ==, 0);
  msg = request (fixture, "https", "GET", INFO_PATH, NULL, 0, NULL, &error);
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (ssync_localsend_server_listen (fixture->server, 0, &error));
  g_assert_no_error (error);
  fixture->port = ssync_localsend_server_get_port (fixture->server);
  g_assert_cmpuint (fixture->port, >, 0);
  g_test_message ("port %u, then %u", old_port, fixture->port);
  g_assert_cmpuint (status_of (fixture, "GET", INFO_PATH, NULL), ==, SOUP_STATUS_OK);
}

/* Turns the main loop, where the server runs, for @ms milliseconds. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Connects a stranger that says nothing, and turns the main loop until the server has
 * accepted it: libsoup then runs its TLS handshake, waiting for a ClientHello. */
static GSocketConnection *
connect_silent (Fixture *fixture)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                                   fixture->port, NULL,
                                                                   &error);

  g_assert_no_error (error);
  spin (200);
  return connection;
}

/* Stopping while a stranger's TLS handshake is under way: libsoup 3.6 ended that
 * handshake on a connection it had freed, and the process aborted on a later turn of the
 * main loop. The stranger is closed, the port is free at once and the server serves on it
 * again. */
static void
test_stop_mid_handshake (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = connect_silent (fixture);
  g_autoptr(GError) error = NULL;
  guint port = fixture->port;

  ssync_localsend_server_stop (fixture->server);
  g_assert_true (ssync_localsend_server_listen (fixture->server, port, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ssync_localsend_server_get_port (fixture->server), ==, port);

  g_assert_true (wait_closed_by_server (connection, 5));
  spin (300);
  g_assert_cmpuint (status_of (fixture, "GET", INFO_PATH, NULL), ==, SOUP_STATUS_OK);
}

/* The same when the server is finalized rather than stopped (the app quits, a test ends):
 * the main loop goes on turning afterwards, and a new server takes the same port. */
static void
test_finalize_mid_handshake (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = connect_silent (fixture);
  guint port = fixture->port;

  g_assert_finalize_object (g_steal_pointer (&fixture->server));
  g_assert_true (wait_closed_by_server (connection, 5));
  spin (300);

  start_server (fixture, port);
  g_assert_cmpuint (fixture->port, ==, port);
  g_assert_cmpuint (status_of (fixture, "GET", INFO_PATH, NULL), ==, SOUP_STATUS_OK);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/localsend-server/info", Fixture, NULL, fixture_set_up, test_info,
              fixture_tear_down);
  g_test_add ("/localsend-server/silent-connection", Fixture, NULL, fixture_set_up,
              test_silent_connection, fixture_tear_down);
  g_test_add ("/localsend-server/tls-only", Fixture, NULL, fixture_set_up, test_tls_only,
              fixture_tear_down);
  g_test_add ("/localsend-server/register", Fixture, NULL, fixture_set_up, test_register,
              fixture_tear_down);
  g_test_add ("/localsend-server/register-self", Fixture, NULL, fixture_set_up,
              test_register_self, fixture_tear_down);
  g_test_add ("/localsend-server/register-hostile", Fixture, NULL, fixture_set_up,
              test_register_hostile, fixture_tear_down);
  g_test_add ("/localsend-server/routes", Fixture, NULL, fixture_set_up, test_routes,
              fixture_tear_down);
  g_test_add ("/localsend-server/flood", Fixture, NULL, fixture_set_up, test_flood,
              fixture_tear_down);
  g_test_add ("/localsend-server/oversize", Fixture, NULL, fixture_set_up, test_oversize,
              fixture_tear_down);
  g_test_add ("/localsend-server/prepare-budget", Fixture, NULL, fixture_set_up,
              test_prepare_budget, fixture_tear_down);
  g_test_add ("/localsend-server/body-limit", Fixture, NULL, fixture_set_up, test_body_limit,
              fixture_tear_down);

  g_test_add ("/localsend-server/stop", Fixture, NULL, fixture_set_up, test_stop,
              fixture_tear_down);
  g_test_add ("/localsend-server/stop-mid-handshake", Fixture, NULL, fixture_set_up,
              test_stop_mid_handshake, fixture_tear_down);
  g_test_add ("/localsend-server/finalize-mid-handshake", Fixture, NULL, fixture_set_up,
              test_finalize_mid_handshake, fixture_tear_down);

  return g_test_run ();
}
