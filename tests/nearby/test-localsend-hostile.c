/* test-localsend-hostile.c: strangers' prepare-upload, upload and cancel requests against
 * the LocalSend receiver, on loopback: lying JSON, sizes, names, PIN guessing, other
 * addresses, cut connections, bodies that end short.
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

#define API "/api/localsend/v2/"
#define INFO_JSON \
  "{\"alias\":\"Stranger\",\"fingerprint\":\"EVIL\",\"deviceType\":\"desktop\"}"

typedef struct {
  char *dir;
  char *receive_dir;
  SsyncTlsIdentity *identity;
  SsyncLocalsendServer *server;
  SsyncLocalsendReceiver *receiver;
  SoupSession *session;
  guint port;
  guint n_asked;
  guint last_n_files;
  SsyncLocalsendAnswer held;
  gpointer held_data;
  gboolean hold;
} Fixture;

static void
ask (SsyncLocalsendDevice *device, const SsyncLocalsendOffer *files, guint n_files,
     guint64 total, SsyncLocalsendAnswer answer, gpointer answer_data, gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->n_asked++;
  fixture->last_n_files = n_files;
  if (fixture->hold)
    {
      fixture->held = answer;
      fixture->held_data = answer_data;
      return;
    }
  answer (TRUE, answer_data);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = NULL;
  SsyncLocalsendIdentity me = { .alias = "Receiver", .device_type = "desktop" };

  fixture->dir = g_dir_make_tmp ("ssync-localsend-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->receive_dir = g_build_filename (fixture->dir, "in", NULL);
  g_mkdir (fixture->receive_dir, 0700);
  fixture->identity = ssync_tls_identity_load_or_create (fixture->dir, &error);
  g_assert_no_error (error);
  me.fingerprint = ssync_tls_identity_get_fingerprint (fixture->identity);
  fixture->server = ssync_localsend_server_new (
    ssync_tls_identity_get_certificate (fixture->identity), &me);
  g_assert_true (ssync_localsend_server_listen (fixture->server, 0, &error));
  fixture->port = ssync_localsend_server_get_port (fixture->server);
  fixture->receiver = ssync_localsend_server_get_receiver (fixture->server);
  folder = g_file_new_for_path (fixture->receive_dir);
  ssync_localsend_receiver_set_folder (fixture->receiver, folder);
  ssync_localsend_receiver_set_ask (fixture->receiver, ask, fixture, NULL);
  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  g_clear_object (&fixture->session);
  g_assert_finalize_object (fixture->server);
  g_assert_finalize_object (fixture->identity);
  g_assert_cmpint (system (command), ==, 0);
  g_free (fixture->receive_dir);
  g_free (fixture->dir);
}

static gboolean
accept_any (SoupMessage *msg, GTlsCertificate *certificate, GTlsCertificateFlags errors,
            gpointer user_data)
{
  return TRUE;
}

typedef struct {
  GBytes *body;
  gboolean done;
} Reply;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reply *reply = user_data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  reply->done = TRUE;
}

/* POSTs @body (@length bytes) to @path from @session (the fixture's when NULL). */
static guint
post (Fixture *fixture, SoupSession *session, const char *path, const char *body, gsize length,
      GBytes **answer)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u%s", fixture->port, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  Reply reply = { NULL, FALSE };

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (session != NULL ? session : fixture->session, msg,
                                    G_PRIORITY_DEFAULT, NULL, on_sent, &reply);
  while (!reply.done)
    g_main_context_iteration (NULL, TRUE);
  if (answer != NULL)
    *answer = g_steal_pointer (&reply.body);
  g_clear_pointer (&reply.body, g_bytes_unref);
  return soup_message_get_status (msg);
}

static guint
prepare_raw (Fixture *fixture, const char *path, const char *body)
{
  return post (fixture, NULL, path, body, strlen (body), NULL);
}

static guint
prepare_files (Fixture *fixture, const char *files)
{
  g_autofree char *body = g_strdup_printf ("{\"info\":%s,\"files\":%s}", INFO_JSON, files);

  return prepare_raw (fixture, API "prepare-upload", body);
}

/* Lies in the JSON: each refused with 400 before anyone is asked. */
static void
test_lying_json (Fixture *fixture, gconstpointer data)
{
  const char *bodies[] = {
    "", "not json", "[]", "{\"files\":{}}", "{\"info\":" INFO_JSON "}",
    "{\"info\":{\"alias\":\"\\u0007\",\"fingerprint\":\"x\"},\"files\":{}}",
    "{\"info\":" INFO_JSON ",\"files\":[]}",
    "{\"info\":" INFO_JSON ",\"files\":{\"a\":1}}",
  };
  g_autoptr(GString) deep = g_string_new ("{\"info\":" INFO_JSON ",\"files\":{\"a\":"
                                          "{\"fileName\":\"a\",\"size\":1,\"metadata\":");
  guint8 not_utf8[] = "{\"info\":{\"alias\":\"\xff\xfe\"}}";

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    g_assert_cmpuint (prepare_raw (fixture, API "prepare-upload", bodies[i]), ==,
                      SOUP_STATUS_BAD_REQUEST);
  for (guint i = 0; i < 5000; i++)
    g_string_append (deep, "[");
  g_assert_cmpuint (prepare_raw (fixture, API "prepare-upload", deep->str), ==,
                    SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (post (fixture, NULL, API "prepare-upload", (char *) not_utf8,
                          sizeof not_utf8 - 1, NULL), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (fixture->n_asked, ==, 0);
  g_assert_false (ssync_localsend_receiver_is_busy (fixture->receiver));
}

/* Lies about files (a new fixture: the server allows an address 20 requests at once). */
static void
test_lying_files (Fixture *fixture, gconstpointer data)
{
  const char *files[] = {
    "{\"a\":{\"fileName\":\"a\",\"size\":-1}}",
    "{\"a\":{\"fileName\":\"a\",\"size\":\"5\"}}",
    "{\"a\":{\"fileName\":\"a\",\"size\":1.5}}",
    "{\"a\":{\"fileName\":\"a\"}}",
    "{\"a\":{\"size\":1}}",
    "{\"a\":{\"fileName\":\"\",\"size\":1}}",
    "{\"a\":{\"fileName\":7,\"size\":1}}",
    "{\"a\":{\"fileName\":\"a\",\"size\":1,\"sha256\":\"abc\"}}",
    "{\"a\":{\"fileName\":\"a\",\"size\":1,\"sha256\":5}}",
    "{\"a b\":{\"fileName\":\"a\",\"size\":1}}",
    "{\"\":{\"fileName\":\"a\",\"size\":1}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_assert_cmpuint (prepare_files (fixture, files[i]), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (fixture->n_asked, ==, 0);
}

/* Sizes: past the free space (one file or the sum), past the largest file accepted, and more
 * files than a session may have; as many as it may have, with LocalSend's metadata, are
 * fine (a phone's folder of photos). */
static void
test_sizes (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GString) many = g_string_new ("{");
  gsize last = 0;

  g_assert_cmpuint (prepare_files (fixture, "{\"a\":{\"fileName\":\"a\",\"size\":"
                                   "4611686018427387904}}"), ==,
                    SOUP_STATUS_INSUFFICIENT_STORAGE);
  g_assert_cmpuint (prepare_files (fixture, "{\"a\":{\"fileName\":\"a\",\"size\":"
                                   "9223372036854775807},\"b\":{\"fileName\":\"b\",\"size\":"
                                   "9223372036854775807},\"c\":{\"fileName\":\"c\",\"size\":"
                                   "9223372036854775807}}"), ==, SOUP_STATUS_BAD_REQUEST);
  ssync_localsend_receiver_set_max_file_size (fixture->receiver, 100);
  g_assert_cmpuint (prepare_files (fixture, "{\"a\":{\"fileName\":\"a\",\"size\":101}}"), ==,
                    SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  g_assert_cmpuint (fixture->n_asked, ==, 0);

  for (guint i = 0; i <= SSYNC_LOCALSEND_MAX_FILES; i++)
    {
      last = many->len;
      g_string_append_printf (many, "%s\"%08x-1f0c-4d2e-9b7a-5e3c2a1b0d9f\":{\"id\":"
                              "\"%08x-1f0c-4d2e-9b7a-5e3c2a1b0d9f\",\"fileName\":"
                              "\"DCIM/Camera/IMG_20261207_%06u.jpg\",\"size\":0,"
                              "\"fileType\":\"image/jpeg\",\"metadata\":{\"modified\":"
                              "\"2026-12-07T10:15:30.000Z\",\"accessed\":"
                              "\"2026-12-07T10:15:30.000Z\"}}", i ? "," : "", i, i, i);
    }
  g_string_append (many, "}");
  g_assert_cmpuint (prepare_files (fixture, many->str), ==, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  g_assert_cmpuint (fixture->n_asked, ==, 0);

  /* Without the last one: exactly as many as a session may have. */
  g_string_truncate (many, last);
  g_string_append (many, "}");
  g_test_message ("%u files take %zu bytes", SSYNC_LOCALSEND_MAX_FILES, many->len);
  g_assert_cmpuint (many->len, <, SSYNC_LOCALSEND_SERVER_MAX_PREPARE_BODY);
  g_assert_cmpuint (prepare_files (fixture, many->str), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (fixture->last_n_files, ==, SSYNC_LOCALSEND_MAX_FILES);
}

/* A guesser gets a few wrong PINs, then none, not even the right one, for a while. */
static void
test_pin_budget (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = g_strdup_printf ("{\"info\":%s,\"files\":{\"a\":{\"fileName\":"
                                           "\"a\",\"size\":1}}}", INFO_JSON);

  ssync_localsend_receiver_set_pin (fixture->receiver, "802215");
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf (API "prepare-upload?pin=%06u", i);

      g_assert_cmpuint (prepare_raw (fixture, path, body), ==, SOUP_STATUS_UNAUTHORIZED);
    }
  g_assert_cmpuint (prepare_raw (fixture, API "prepare-upload?pin=802215", body), ==,
                    SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (fixture->n_asked, ==, 0);
}

static JsonObject *
accepted (Fixture *fixture, const char *files)
{
  g_autofree char *body = g_strdup_printf ("{\"info\":%s,\"files\":%s}", INFO_JSON, files);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_cmpuint (post (fixture, NULL, API "prepare-upload", body, strlen (body), &answer), ==,
                    SOUP_STATUS_OK);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                             g_bytes_get_size (answer), NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
upload_path (JsonObject *answer, const char *file_id)
{
  return g_strdup_printf (API "upload?sessionId=%s&fileId=%s&token=%s",
                          json_object_get_string_member (answer, "sessionId"), file_id,
                          json_object_get_string_member (
                            json_object_get_object_member (answer, "files"), file_id));
}

/* The right token from another address is refused, and so is its cancel. */
static void
test_other_address (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) answer = accepted (fixture, "{\"a\":{\"fileName\":\"a\",\"size\":2}}");
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string ("127.0.0.2");
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (address, 0);
  g_autoptr(SoupSession) other = soup_session_new_with_options ("local-address", local, NULL);
  g_autofree char *path = upload_path (answer, "a");
  g_autofree char *cancel = g_strdup_printf (API "cancel?sessionId=%s",
                                             json_object_get_string_member (answer,
                                                                            "sessionId"));

  g_assert_cmpuint (post (fixture, other, path, "ab", 2, NULL), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpuint (post (fixture, other, cancel, NULL, 0, NULL), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_true (ssync_localsend_receiver_is_busy (fixture->receiver));
  g_assert_cmpuint (post (fixture, NULL, path, "ab", 2, NULL), ==, SOUP_STATUS_OK);
  g_assert_false (ssync_localsend_receiver_is_busy (fixture->receiver));
}

typedef struct {
  guint port;
  const char *raw;
  gboolean done;
} Raw;

static gboolean
accept_connection (GTlsConnection *conn, GTlsCertificate *certificate,
                   GTlsCertificateFlags errors, gpointer user_data)
{
  return TRUE;
}

/* Sends @raw on a TLS connection and hangs up without reading the answer. */
static gpointer
raw_thread (gpointer user_data)
{
  Raw *raw = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", raw->port, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), NULL, &error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_connection), NULL);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (tls), raw->raw, strlen (raw->raw),
                             NULL, NULL, &error);
  g_usleep (200000);
  g_io_stream_close (tls, NULL, NULL);
  g_atomic_int_set (&raw->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
settle (void)
{
  for (guint i = 0; i < 100; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static void
assert_no_part (Fixture *fixture)
{
  g_autofree char *command = g_strdup_printf ("test -z \"$(find '%s' -type f)\"",
                                              fixture->receive_dir);

  g_assert_cmpint (system (command), ==, 0);
}

/* A connection cut mid-body fails the file (no .part left, never taken again); a chunked
 * body that ends short is refused. */
static void
test_cut (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) answer = accepted (fixture, "{\"a\":{\"fileName\":\"a\",\"size\":1000},"
                                           "\"b\":{\"fileName\":\"b\",\"size\":1000}}");
  g_autofree char *path_a = upload_path (answer, "a"), *path_b = upload_path (answer, "b");
  g_autofree char *head = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000"
                                           "\r\n\r\n0123456789", path_a);
  g_autofree char *chunked = NULL;
  Raw raw = { fixture->port, head, FALSE };
  GThread *thread = g_thread_new ("raw", raw_thread, &raw);
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  while (!g_atomic_int_get (&raw.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  settle ();
  assert_no_part (fixture);
  g_assert_cmpuint (post (fixture, NULL, path_a, "x", 1, NULL), ==, SOUP_STATUS_CONFLICT);

  /* Short by 990 bytes, with a proper end: the body is complete, the file is not. */
  stream = g_memory_input_stream_new_from_data ("0123456789", 10, NULL);
  url = g_strdup_printf ("https://127.0.0.1:%u%s", fixture->port, path_b);
  msg = soup_message_new ("POST", url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  soup_message_set_request_body (msg, NULL, stream, -1);
  {
    Reply reply = { NULL, FALSE };

    soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, on_sent,
                                      &reply);
    while (!reply.done)
      g_main_context_iteration (NULL, TRUE);
    g_clear_pointer (&reply.body, g_bytes_unref);
  }
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_BAD_REQUEST);
  settle ();
  assert_no_part (fixture);
  g_assert_false (ssync_localsend_receiver_is_busy (fixture->receiver));
}

/* The sender hangs up while the user is asked: the session is over, a late answer too. */
static void
test_gone_while_asked (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = g_strdup_printf ("{\"info\":%s,\"files\":{\"a\":{\"fileName\":\"a\","
                                           "\"size\":1}}}", INFO_JSON);
  g_autofree char *head = g_strdup_printf ("POST " API "prepare-upload HTTP/1.1\r\nHost: x\r\n"
                                           "Content-Length: %zu\r\n\r\n%s", strlen (body),
                                           body);
  Raw raw = { fixture->port, head, FALSE };
  GThread *thread;

  fixture->hold = TRUE;
  thread = g_thread_new ("raw", raw_thread, &raw);
  while (!g_atomic_int_get (&raw.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  for (guint i = 0; i < 60 && ssync_localsend_receiver_is_busy (fixture->receiver); i++)
    settle ();
  g_assert_cmpuint (fixture->n_asked, ==, 1);
  g_assert_false (ssync_localsend_receiver_is_busy (fixture->receiver));
  fixture->held (TRUE, fixture->held_data);
  g_assert_false (ssync_localsend_receiver_is_busy (fixture->receiver));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/localsend-hostile/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("lying-json", test_lying_json);
  ADD ("lying-files", test_lying_files);
  ADD ("sizes", test_sizes);
  ADD ("pin-budget", test_pin_budget);
  ADD ("other-address", test_other_address);
  ADD ("cut", test_cut);
  ADD ("gone-while-asked", test_gone_while_asked);
#undef ADD

  return g_test_run ();
}
