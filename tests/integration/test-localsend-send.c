/* test-localsend-send.c: sending to a nearby device over LocalSend's upload API, into a small
 * in-process HTTPS receiver (a SoupServer with our own TLS identity) that streams and hashes
 * what arrives, and can decline, be busy, ask for a PIN or show another certificate.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-localsend-sender.h"
#include "ssync-session.h"
#include "ssync-test-server.h"
#include "ssync-tls-identity.h"

#define MIB (1024 * 1024)
#define BIG_SIZE (200 * MIB)
#define SESSION_ID "S1"

typedef struct {
  char *dir;
  SsyncTlsIdentity *identity;
  SoupServer *server;
  guint port;
  /* How the receiver behaves. */
  guint prepare_status;
  const char *pin;               /* required when set */
  const char *info_fingerprint;  /* what /info says; NULL: the certificate's */
  guint64 cancel_after;          /* cancel the send once this many bytes arrived; 0: never */
  const char *prepare_answer;    /* said instead of the real answer to prepare-upload */
  const char *info_answer;       /* said instead of the real answer to info */
  /* What it saw. */
  GHashTable *names;             /* file id → fileName, from prepare-upload */
  GHashTable *received;          /* fileName → SHA-256 of what arrived whole */
  GChecksum *checksum;
  guint64 got;
  guint cancels;
  guint64 rss_max;
  /* The sending side. */
  SsyncLocalsendSender *sender;
  GCancellable *cancellable;
  GPtrArray *transfers;
  gboolean done;
  gboolean ok;
  GError *error;
} Fixture;

static guint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static void
answer_json (SoupServerMessage *msg,
             guint              status,
             const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  if (json != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                      strlen (json));
}

static void
handle_info (Fixture           *fixture,
             SoupServerMessage *msg)
{
  SsyncLocalsendIdentity me = {
    .alias = "Stand-in", .device_type = "desktop", .port = fixture->port, .protocol = "https",
  };
  g_autofree char *json = NULL;

  if (fixture->info_answer != NULL)
    return answer_json (msg, SOUP_STATUS_OK, fixture->info_answer);
  me.fingerprint = fixture->info_fingerprint != NULL
                   ? fixture->info_fingerprint
                   : ssync_tls_identity_get_fingerprint (fixture->identity);
  json = ssync_localsend_message_build_info (&me);
  answer_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_prepare (Fixture           *fixture,
                SoupServerMessage *msg,
                GHashTable        *query)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) answer = g_string_new ("{\"sessionId\":\"" SESSION_ID "\",\"files\":{");
  g_autoptr(GList) ids = NULL;
  JsonObject *files;

  json_parser_load_from_data (parser, body->data, body->length, &error);
  g_assert_no_error (error);
  /* Who sends says who it is, as LocalSend shows it. */
  g_assert_nonnull (json_object_get_object_member (
    json_node_get_object (json_parser_get_root (parser)), "info"));
  files = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                         "files");
  if (fixture->pin != NULL && g_strcmp0 (g_hash_table_lookup (query, "pin"), fixture->pin) != 0)
    return answer_json (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
  if (fixture->prepare_status != SOUP_STATUS_OK)
    return answer_json (msg, fixture->prepare_status, NULL);
  if (fixture->prepare_answer != NULL && !g_str_equal (fixture->prepare_answer, "bad-token"))
    return answer_json (msg, SOUP_STATUS_OK, fixture->prepare_answer);

  ids = json_object_get_members (files);
  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonObject *file = json_object_get_object_member (files, l->data);

      g_hash_table_insert (fixture->names, g_strdup (l->data),
                           g_strdup (json_object_get_string_member (file, "fileName")));
      g_assert_cmpint (json_object_get_int_member (file, "size"), >=, 0);
      g_assert_nonnull (json_object_get_string_member (file, "fileType"));
      /* "bad-token": the right ids with tokens that are no strings. */
      if (g_strcmp0 (fixture->prepare_answer, "bad-token") == 0)
        g_string_append_printf (answer, "%s\"%s\":[1]", l != ids ? "," : "", (char *) l->data);
      else
        g_string_append_printf (answer, "%s\"%s\":\"tok-%s\"", l != ids ? "," : "",
                                (char *) l->data, (char *) l->data);
    }
  g_string_append (answer, "}}");
  answer_json (msg, SOUP_STATUS_OK, answer->str);
}

static void
handle_upload (Fixture           *fixture,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  const char *id = g_hash_table_lookup (query, "fileId");
  g_autofree char *token = g_strconcat ("tok-", id, NULL);
  const char *name = g_hash_table_lookup (fixture->names, id);

  g_assert_cmpstr (g_hash_table_lookup (query, "sessionId"), ==, SESSION_ID);
  g_assert_cmpstr (g_hash_table_lookup (query, "token"), ==, token);
  g_assert_nonnull (name);
  g_hash_table_insert (fixture->received, g_strdup (name),
                       g_strdup (g_checksum_get_string (fixture->checksum)));
  g_checksum_reset (fixture->checksum);
  fixture->got = 0;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);

  if (query == NULL)
    query = empty;
  if (g_str_equal (path, "/api/localsend/v2/info"))
    handle_info (fixture, msg);
  else if (g_str_equal (path, "/api/localsend/v2/prepare-upload"))
    handle_prepare (fixture, msg, query);
  else if (g_str_equal (path, "/api/localsend/v2/upload"))
    handle_upload (fixture, msg, query);
  else if (g_str_equal (path, "/api/localsend/v2/cancel"))
    {
      g_assert_cmpstr (g_hash_table_lookup (query, "sessionId"), ==, SESSION_ID);
      fixture->cancels++;
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* Uploads are hashed as they arrive, never kept whole, as a real receiver writes them. */
static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              Fixture           *fixture)
{
  guint64 before = fixture->got;

  g_checksum_update (fixture->checksum, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  fixture->got += g_bytes_get_size (chunk);
  if (before / (8 * MIB) != fixture->got / (8 * MIB))
    fixture->rss_max = MAX (fixture->rss_max, rss_kib ());
  if (fixture->cancel_after > 0 && fixture->got >= fixture->cancel_after)
    g_cancellable_cancel (fixture->cancellable);
}

static void
on_got_headers (SoupServerMessage *msg,
                Fixture           *fixture)
{
  GUri *uri = soup_server_message_get_uri (msg);

  /* Only prepare-upload's small JSON is kept whole. */
  if (g_str_equal (g_uri_get_path (uri), "/api/localsend/v2/prepare-upload"))
    soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), TRUE);
  else
    g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), fixture);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    Fixture           *fixture)
{
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), fixture);
}

static void
on_transfer_started (GObject       *source,
                     SsyncTransfer *transfer,
                     Fixture       *fixture)
{
  g_assert_cmpint (ssync_transfer_get_direction (transfer), ==, SSYNC_DIRECTION_DOWNLOAD);
  g_assert_cmpint (ssync_transfer_get_kind (transfer), ==, SSYNC_TRANSFER_KIND_LOCALSEND);
  g_assert_cmpstr (ssync_transfer_get_peer (transfer), ==, "127.0.0.1");
  g_assert_cmpstr (ssync_transfer_get_user_agent (transfer), ==, "Stand-in");
  g_ptr_array_add (fixture->transfers, g_object_ref (transfer));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  SsyncLocalsendIdentity me = {
    .alias = "Sender", .fingerprint = "SENDER", .device_type = "desktop", .port = 53317,
    .protocol = "https",
  };

  fixture->dir = g_dir_make_tmp ("ssync-localsend-send-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->identity = ssync_tls_identity_load_or_create (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->server = soup_server_new ("tls-certificate",
                                     ssync_tls_identity_get_certificate (fixture->identity),
                                     NULL);
  soup_server_add_handler (fixture->server, NULL, handle, fixture, NULL);
  g_signal_connect (fixture->server, "request-started", G_CALLBACK (on_request_started),
                    fixture);
  soup_server_listen_local (fixture->server, 0,
                            SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  fixture->prepare_status = SOUP_STATUS_OK;
  fixture->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->received = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  fixture->sender = ssync_localsend_sender_new (&me);
  fixture->cancellable = g_cancellable_new ();
  fixture->transfers = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (fixture->sender, "transfer-started", G_CALLBACK (on_transfer_started),
                    fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_error (&fixture->error);
  g_ptr_array_unref (fixture->transfers);
  g_clear_object (&fixture->cancellable);
  /* A cancel request may still be on its way: the sender lives until it is answered. */
  g_object_add_weak_pointer (G_OBJECT (fixture->sender), (gpointer *) &fixture->sender);
  g_object_unref (fixture->sender);
  while (fixture->sender != NULL)
    g_main_context_iteration (NULL, TRUE);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->identity);
  g_checksum_free (fixture->checksum);
  g_hash_table_unref (fixture->names);
  g_hash_table_unref (fixture->received);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static GFile *
make_file (Fixture    *fixture,
           const char *name,
           const char *contents,
           gssize      length)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static SsyncLocalsendDevice *
stand_in (Fixture    *fixture,
          const char *fingerprint)
{
  SsyncLocalsendDevice *device = ssync_localsend_device_new (
    "Stand-in", fingerprint != NULL ? fingerprint
                                    : ssync_tls_identity_get_fingerprint (fixture->identity),
    "desktop", NULL, fixture->port, "https", FALSE);

  ssync_localsend_device_set_address (device, "127.0.0.1");
  return device;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->ok = ssync_localsend_sender_send_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                    &fixture->error);
  fixture->done = TRUE;
}

static void
send_and_wait (Fixture              *fixture,
               SsyncLocalsendDevice *device,
               GFile               **files,
               guint                 n_files,
               const char           *pin)
{
  fixture->done = FALSE;
  ssync_localsend_sender_send_async (fixture->sender, device, files, n_files, pin,
                                     fixture->cancellable, on_sent, fixture);
  while (!fixture->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_accepted (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *middle = g_malloc (300 * 1024);
  g_autoptr(SsyncLocalsendDevice) device = stand_in (fixture, NULL);
  g_autofree char *middle_sha = NULL;
  GFile *files[3];

  for (guint i = 0; i < 300 * 1024; i++)
    middle[i] = (char) (i * 7 + i / 1000);
  middle_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) middle, 300 * 1024);
  files[0] = make_file (fixture, "a.txt", "hello", -1);
  files[1] = make_file (fixture, "Ünïcødé ✓ photo.bin", middle, 300 * 1024);
  files[2] = make_file (fixture, "empty", "", 0);

  send_and_wait (fixture, device, files, 3, NULL);
  g_assert_no_error (fixture->error);
  g_assert_true (fixture->ok);
  g_assert_cmpuint (g_hash_table_size (fixture->received), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (fixture->received, "a.txt"), ==,
                   "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  g_assert_cmpstr (g_hash_table_lookup (fixture->received, "Ünïcødé ✓ photo.bin"), ==,
                   middle_sha);
  g_assert_nonnull (g_hash_table_lookup (fixture->received, "empty"));
  g_assert_cmpuint (fixture->transfers->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      SsyncTransfer *transfer = g_ptr_array_index (fixture->transfers, i);

      g_assert_cmpint (ssync_transfer_get_status (transfer), ==, SSYNC_TRANSFER_STATUS_COMPLETE);
      g_assert_cmpuint (ssync_transfer_get_bytes (transfer), ==,
                        ssync_transfer_get_total (transfer));
    }
  g_assert_cmpuint (fixture->cancels, ==, 0);
  for (guint i = 0; i < 3; i++)
    g_object_unref (files[i]);
}

/* The receiver's refusals reach the user as what they mean. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  static const struct { guint status; int code; } cases[] = {
    { SOUP_STATUS_FORBIDDEN, SSYNC_ERROR_DECLINED },
    { SOUP_STATUS_CONFLICT, SSYNC_ERROR_BUSY },
    { 429, SSYNC_ERROR_FAILED },
    { SOUP_STATUS_INTERNAL_SERVER_ERROR, SSYNC_ERROR_FAILED },
  };
  g_autoptr(SsyncLocalsendDevice) device = stand_in (fixture, NULL);
  g_autoptr(GFile) file = make_file (fixture, "a.txt", "hello", -1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      fixture->prepare_status = cases[i].status;
      g_clear_error (&fixture->error);
      send_and_wait (fixture, device, &file, 1, NULL);
      g_assert_false (fixture->ok);
      g_assert_error (fixture->error, SSYNC_ERROR, cases[i].code);
    }
  g_assert_cmpuint (fixture->transfers->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture->received), ==, 0);

  /* 204: the device wants nothing; that is no failure. */
  fixture->prepare_status = SOUP_STATUS_NO_CONTENT;
  g_clear_error (&fixture->error);
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (fixture->transfers->len, ==, 0);
}

static void
test_pin (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(SsyncLocalsendDevice) device = stand_in (fixture, NULL);
  g_autoptr(GFile) file = make_file (fixture, "a.txt", "hello", -1);

  fixture->pin = "12 34&x";
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED);
  g_clear_error (&fixture->error);
  send_and_wait (fixture, device, &file, 1, "wrong");
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED);
  g_clear_error (&fixture->error);
  /* Escaped in the query, so that a PIN with spaces or "&" arrives as typed. */
  send_and_wait (fixture, device, &file, 1, "12 34&x");
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (g_hash_table_size (fixture->received), ==, 1);
}

/* A device whose certificate is not the one its fingerprint names gets nothing. */
static void
test_wrong_certificate (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SsyncLocalsendDevice) device =
    stand_in (fixture, "0000000000000000000000000000000000000000000000000000000000000000");
  g_autoptr(GFile) file = make_file (fixture, "a.txt", "hello", -1);

  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (fixture->error->message, "certificate"));
  g_assert_cmpuint (g_hash_table_size (fixture->names), ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture->received), ==, 0);
}

static void
on_info (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SsyncLocalsendDevice **device = user_data;
  g_autoptr(GError) error = NULL;

  *device = ssync_localsend_sender_get_info_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                    &error);
  if (*device == NULL)
    *device = (gpointer) g_error_copy (error);
}

/* An address is asked who it is; the answer must match the certificate that gave it. */
static void
test_info (Fixture       *fixture,
           gconstpointer  data)
{
  gpointer answer = NULL;
  SsyncLocalsendDevice *device;

  ssync_localsend_sender_get_info_async (fixture->sender, "127.0.0.1", fixture->port, NULL,
                                         on_info, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (SSYNC_IS_LOCALSEND_DEVICE (answer));
  device = answer;
  g_assert_cmpstr (ssync_localsend_device_get_fingerprint (device), ==,
                   ssync_tls_identity_get_fingerprint (fixture->identity));
  g_assert_cmpstr (ssync_localsend_device_get_address (device), ==, "127.0.0.1");
  g_assert_cmpuint (ssync_localsend_device_get_port (device), ==, fixture->port);
  g_object_unref (device);

  fixture->info_fingerprint = "ABCDEF";
  answer = NULL;
  ssync_localsend_sender_get_info_async (fixture->sender, "127.0.0.1", fixture->port, NULL,
                                         on_info, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error ((GError *) answer, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
  g_error_free (answer);
}

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GFile) file = make_file (fixture, "a.txt", "hello", -1);
  g_autoptr(GSocketListener) silent = g_socket_listener_new ();
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  /* Nothing listens: refused at once. */
  port = g_socket_listener_add_any_inet_port (silent, NULL, &error);
  g_assert_no_error (error);
  device = ssync_localsend_device_new ("Stand-in", "X", "desktop", NULL, port, "https", FALSE);
  ssync_localsend_device_set_address (device, "127.0.0.1");
  g_socket_listener_close (silent);
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
  g_clear_error (&fixture->error);

  /* Something accepts the connection and never speaks: the connect timeout ends it. */
  g_clear_object (&silent);
  silent = g_socket_listener_new ();
  port = g_socket_listener_add_any_inet_port (silent, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&device);
  device = ssync_localsend_device_new ("Stand-in", "X", "desktop", NULL, port, "https", FALSE);
  ssync_localsend_device_set_address (device, "127.0.0.1");
  ssync_localsend_sender_set_connect_timeout (fixture->sender, 1);
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (fixture->error->message, "does not answer"));
}

/* Cancelled mid-file: the transfer ends cancelled and the device is told. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SsyncLocalsendDevice) device = stand_in (fixture, NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "big", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  int fd = g_open (path, O_WRONLY | O_CREAT, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (ftruncate (fd, 64 * MIB));
  close (fd);
  fixture->cancel_after = 4 * MIB;
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->transfers->len, ==, 1);
  g_assert_cmpint (ssync_transfer_get_status (g_ptr_array_index (fixture->transfers, 0)), ==,
                   SSYNC_TRANSFER_STATUS_CANCELLED);
  while (fixture->cancels == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_hash_table_size (fixture->received), ==, 0);
}

/* 200 MiB go out streamed: this process (both ends) does not grow by the file. */
static void
test_big_file (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SsyncLocalsendDevice) device = stand_in (fixture, NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "big.bin", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GChecksum) expected = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *block = g_malloc0 (MIB);
  int fd = g_open (path, O_WRONLY | O_CREAT, 0600);
  guint64 rss_before;

  /* Sparse: reads as zeros, costs no disk. */
  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (ftruncate (fd, BIG_SIZE));
  close (fd);
  for (guint i = 0; i < BIG_SIZE / MIB; i++)
    g_checksum_update (expected, (guchar *) block, MIB);
  rss_before = rss_kib ();

  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpstr (g_hash_table_lookup (fixture->received, "big.bin"), ==,
                   g_checksum_get_string (expected));
  g_assert_cmpuint (ssync_transfer_get_bytes (g_ptr_array_index (fixture->transfers, 0)), ==,
                    BIG_SIZE);
  g_test_message ("RSS before %" G_GUINT64_FORMAT " KiB, at most %" G_GUINT64_FORMAT " KiB",
                  rss_before, fixture->rss_max);
  g_assert_cmpuint (fixture->rss_max, <, rss_before + 32 * 1024);
}

/* A lying or broken receiver's answers are refused, whatever they hold. */
static void
test_hostile_answers (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SsyncLocalsendDevice) device = stand_in (fixture, NULL);
  g_autoptr(GFile) file = make_file (fixture, "a.txt", "hello", -1);
  g_autofree char *deep = g_strnfill (60000, '[');
  g_autofree char *huge = NULL;
  g_autoptr(GString) long_token = g_string_new ("{\"sessionId\":\"");
  const char *answers[] = {
    "", "not json", "[]", "null", "{}", "{\"sessionId\":1,\"files\":{}}",
    "{\"sessionId\":\"\",\"files\":{}}", "{\"sessionId\":\"a b\",\"files\":{}}",
    "{\"sessionId\":\"S1\"}", "{\"sessionId\":\"S1\",\"files\":[]}",
    "bad-token", NULL, NULL, NULL,
  };
  guint n = G_N_ELEMENTS (answers);

  huge = g_strdup_printf ("{\"sessionId\":\"S1\",\"pad\":\"%0*d\",\"files\":{}}", 70000, 0);
  g_string_append (long_token, "S");
  for (guint i = 0; i < 300; i++)
    g_string_append_c (long_token, 'x');
  g_string_append (long_token, "\",\"files\":{}}");
  answers[n - 3] = deep;
  answers[n - 2] = huge;
  answers[n - 1] = long_token->str;
  for (guint i = 0; i < n; i++)
    {
      fixture->prepare_answer = answers[i];
      g_clear_error (&fixture->error);
      send_and_wait (fixture, device, &file, 1, NULL);
      g_assert_false (fixture->ok);
      g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_FAILED);
    }
  g_assert_cmpuint (fixture->transfers->len, ==, 0);

  /* Tokens for files never announced are ignored: nothing to send is no failure. */
  fixture->prepare_answer = "{\"sessionId\":\"S1\",\"files\":{\"other\":\"t\"}}";
  g_clear_error (&fixture->error);
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (fixture->transfers->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture->received), ==, 0);
}

static gpointer
ask_info (Fixture *fixture)
{
  gpointer answer = NULL;

  ssync_localsend_sender_get_info_async (fixture->sender, "127.0.0.1", fixture->port, NULL,
                                         on_info, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  return answer;
}

static void
test_hostile_info (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *answers[] = { "", "{\"alias\":7}", "[1,2]", "{\"alias\":\"x\"}" };

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      GError *error;

      fixture->info_answer = answers[i];
      error = ask_info (fixture);
      g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
      g_error_free (error);
    }
}

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/localsend-send/accepted", test_accepted);
  ADD ("/localsend-send/refused", test_refused);
  ADD ("/localsend-send/pin", test_pin);
  ADD ("/localsend-send/wrong-certificate", test_wrong_certificate);
  ADD ("/localsend-send/info", test_info);
  ADD ("/localsend-send/unreachable", test_unreachable);
  ADD ("/localsend-send/cancel", test_cancel);
  ADD ("/localsend-send/big-file", test_big_file);
  ADD ("/localsend-send/hostile-answers", test_hostile_answers);
  ADD ("/localsend-send/hostile-info", test_hostile_info);

  return g_test_run ();
}
