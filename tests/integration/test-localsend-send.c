/* test-localsend-send.c: sending to a nearby device over LocalSend's upload API, into a small
 * in-process HTTPS receiver (tests/common/ssync-test-receiver.c) that streams and hashes what
 * arrives, and can decline, be busy, ask for a PIN, lie or show another certificate.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-localsend-sender.h"
#include "ssync-session.h"
#include "ssync-test-receiver.h"
#include "ssync-test-server.h"
#include "ssync-tls-identity.h"

#define MIB (1024 * 1024)
#define BIG_SIZE (200 * MIB)

typedef struct {
  char *dir;
  SsyncTestReceiver *receiver;
  SsyncLocalsendSender *sender;
  GCancellable *cancellable;
  GPtrArray *transfers;
  gboolean cancel_transfer;  /* the receiver cuts the transfer, as the session would */
  gboolean done;
  gboolean ok;
  GError *error;
} Fixture;

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
  if (fixture->cancel_transfer)
    fixture->receiver->cancel = ssync_transfer_get_cancellable (transfer);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SsyncLocalsendIdentity me = {
    .alias = "Sender", .fingerprint = "SENDER", .device_type = "desktop", .port = 53317,
    .protocol = "https",
  };

  fixture->dir = g_dir_make_tmp ("ssync-localsend-send-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->receiver = ssync_test_receiver_new (fixture->dir);
  fixture->cancellable = g_cancellable_new ();
  fixture->receiver->cancel = fixture->cancellable;
  fixture->sender = ssync_localsend_sender_new (&me);
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
  /* A cancel request may still be on its way: the sender lives until it is answered. */
  g_object_add_weak_pointer (G_OBJECT (fixture->sender), (gpointer *) &fixture->sender);
  g_object_unref (fixture->sender);
  while (fixture->sender != NULL)
    g_main_context_iteration (NULL, TRUE);
  ssync_test_receiver_free (fixture->receiver);
  g_clear_object (&fixture->cancellable);
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
  const char *real = ssync_tls_identity_get_fingerprint (fixture->receiver->identity);
  SsyncLocalsendDevice *device = ssync_localsend_device_new (
    "Stand-in", fingerprint != NULL ? fingerprint : real, "desktop", NULL,
    fixture->receiver->port, "https", FALSE);

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
  g_assert_cmpuint (g_hash_table_size (fixture->receiver->received), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (fixture->receiver->received, "a.txt"), ==,
                   "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  g_assert_cmpstr (g_hash_table_lookup (fixture->receiver->received, "Ünïcødé ✓ photo.bin"), ==,
                   middle_sha);
  g_assert_nonnull (g_hash_table_lookup (fixture->receiver->received, "empty"));
  g_assert_cmpuint (fixture->transfers->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      SsyncTransfer *transfer = g_ptr_array_index (fixture->transfers, i);

      g_assert_cmpint (ssync_transfer_get_status (transfer), ==, SSYNC_TRANSFER_STATUS_COMPLETE);
      g_assert_cmpuint (ssync_transfer_get_bytes (transfer), ==,
                        ssync_transfer_get_total (transfer));
    }
  g_assert_cmpuint (fixture->receiver->cancels, ==, 0);
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
      fixture->receiver->prepare_status = cases[i].status;
      g_clear_error (&fixture->error);
      send_and_wait (fixture, device, &file, 1, NULL);
      g_assert_false (fixture->ok);
      g_assert_error (fixture->error, SSYNC_ERROR, cases[i].code);
    }
  g_assert_cmpuint (fixture->transfers->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture->receiver->received), ==, 0);

  /* 204: the device wants nothing; that is no failure. */
  fixture->receiver->prepare_status = SOUP_STATUS_NO_CONTENT;
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

  fixture->receiver->pin = "12 34&x";
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED);
  g_clear_error (&fixture->error);
  send_and_wait (fixture, device, &file, 1, "wrong");
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED);
  g_clear_error (&fixture->error);
  /* Escaped in the query, so that a PIN with spaces or "&" arrives as typed. */
  send_and_wait (fixture, device, &file, 1, "12 34&x");
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (g_hash_table_size (fixture->receiver->received), ==, 1);
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
  g_assert_cmpuint (g_hash_table_size (fixture->receiver->names), ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture->receiver->received), ==, 0);
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

  ssync_localsend_sender_get_info_async (fixture->sender, "127.0.0.1",
                                         fixture->receiver->port, NULL, on_info, &answer);
  while (answer == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (SSYNC_IS_LOCALSEND_DEVICE (answer));
  device = answer;
  g_assert_cmpstr (ssync_localsend_device_get_fingerprint (device), ==,
                   ssync_tls_identity_get_fingerprint (fixture->receiver->identity));
  g_assert_cmpstr (ssync_localsend_device_get_address (device), ==, "127.0.0.1");
  g_assert_cmpuint (ssync_localsend_device_get_port (device), ==, fixture->receiver->port);
  g_object_unref (device);

  fixture->receiver->info_fingerprint = "ABCDEF";
  answer = NULL;
  ssync_localsend_sender_get_info_async (fixture->sender, "127.0.0.1",
                                         fixture->receiver->port, NULL, on_info, &answer);
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

/* Cancelled mid-file, by the caller or by the session cutting the transfer: the transfer
 * ends cancelled and the device is told. */
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
  fixture->receiver->cancel_after = 4 * MIB;
  fixture->cancel_transfer = data != NULL;
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->transfers->len, ==, 1);
  g_assert_cmpint (ssync_transfer_get_status (g_ptr_array_index (fixture->transfers, 0)), ==,
                   SSYNC_TRANSFER_STATUS_CANCELLED);
  while (fixture->receiver->cancels == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_hash_table_size (fixture->receiver->received), ==, 0);
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
  rss_before = ssync_test_rss_kib ();

  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpstr (g_hash_table_lookup (fixture->receiver->received, "big.bin"), ==,
                   g_checksum_get_string (expected));
  g_assert_cmpuint (ssync_transfer_get_bytes (g_ptr_array_index (fixture->transfers, 0)), ==,
                    BIG_SIZE);
  g_test_message ("RSS before %" G_GUINT64_FORMAT " KiB, at most %" G_GUINT64_FORMAT " KiB",
                  rss_before, fixture->receiver->rss_max);
  /* AddressSanitizer keeps freed memory in quarantine (hundreds of MiB): there the RSS says
   * nothing about what the sender holds, so only the plain build checks it. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpuint (fixture->receiver->rss_max, <, rss_before + 32 * 1024);
#endif
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
      fixture->receiver->prepare_answer = answers[i];
      g_clear_error (&fixture->error);
      send_and_wait (fixture, device, &file, 1, NULL);
      g_assert_false (fixture->ok);
      g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_FAILED);
    }
  g_assert_cmpuint (fixture->transfers->len, ==, 0);

  /* Tokens for files never announced are ignored: nothing to send is no failure. */
  fixture->receiver->prepare_answer = "{\"sessionId\":\"S1\",\"files\":{\"other\":\"t\"}}";
  g_clear_error (&fixture->error);
  send_and_wait (fixture, device, &file, 1, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (fixture->transfers->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture->receiver->received), ==, 0);
}

/* What cannot be sent is refused before the device is asked. */
static void
test_bad_files (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SsyncLocalsendDevice) device = stand_in (fixture, NULL);
  g_autofree char *empty_path = g_build_filename (fixture->dir, "empty-folder", NULL);
  g_autofree char *missing_path = g_build_filename (fixture->dir, "missing", NULL);
  g_autoptr(GFile) device_file = g_file_new_for_path ("/dev/null");
  g_autoptr(GFile) empty = g_file_new_for_path (empty_path);
  g_autoptr(GFile) missing = g_file_new_for_path (missing_path);

  g_assert_no_errno (g_mkdir (empty_path, 0700));
  send_and_wait (fixture, device, &device_file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&fixture->error);
  send_and_wait (fixture, device, &empty, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&fixture->error);
  send_and_wait (fixture, device, &missing, 1, NULL);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (g_hash_table_size (fixture->receiver->names), ==, 0);
}

static gpointer
ask_info (Fixture *fixture)
{
  gpointer answer = NULL;

  ssync_localsend_sender_get_info_async (fixture->sender, "127.0.0.1",
                                         fixture->receiver->port, NULL, on_info, &answer);
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

      fixture->receiver->info_answer = answers[i];
      error = ask_info (fixture);
      g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
      g_error_free (error);
    }
}

static void
on_session_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->ok = ssync_session_send_to_finish (SSYNC_SESSION (source), result, &fixture->error);
  fixture->done = TRUE;
}

static void
session_send_and_wait (Fixture      *fixture,
                       SsyncSession *session,
                       const char   *target,
                       GFile        *file)
{
  fixture->done = FALSE;
  g_clear_error (&fixture->error);
  ssync_session_send_to_async (session, target, &file, 1, NULL, NULL, on_session_sent, fixture);
  while (!fixture->done)
    g_main_context_iteration (NULL, TRUE);
}

/* The session's send: an address is asked who it is, then sent to; its transfers are the
 * session's (::transfer-started, which records them in the history). A name no device has,
 * or an address nothing answers at, fails as such. */
static void
test_session (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_autofree char *target = g_strdup_printf ("127.0.0.1:%u", fixture->receiver->port);
  g_autoptr(GFile) file = make_file (fixture, "a.txt", "hello", -1);
  g_autoptr(SsyncSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = ssync_session_new (data_dir, &error);
  g_assert_no_error (error);
  g_signal_connect (session, "transfer-started", G_CALLBACK (on_transfer_started), fixture);

  session_send_and_wait (fixture, session, target, file);
  g_assert_no_error (fixture->error);
  g_assert_true (fixture->ok);
  g_assert_cmpstr (g_hash_table_lookup (fixture->receiver->received, "a.txt"), ==,
                   "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  g_assert_cmpuint (fixture->transfers->len, ==, 1);
  g_assert_cmpint (ssync_transfer_get_status (g_ptr_array_index (fixture->transfers, 0)), ==,
                   SSYNC_TRANSFER_STATUS_COMPLETE);

  session_send_and_wait (fixture, session, "Nobody Here", file);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND);
  session_send_and_wait (fixture, session, "127.0.0.1:1", file);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
  /* Host names are not addresses: "localhost" is looked for among the devices seen. */
  session_send_and_wait (fixture, session, "localhost:53317", file);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND);
  session_send_and_wait (fixture, session, "127.0.0.1:99999", file);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND);
  session_send_and_wait (fixture, session, "[::1]:1", file);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
  g_assert_cmpuint (fixture->transfers->len, ==, 1);

  ssync_session_shutdown (session);
  g_assert_finalize_object (g_steal_pointer (&session));
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
  g_test_add ("/localsend-send/cancel-transfer", Fixture, "transfer", fixture_set_up,
              test_cancel, fixture_tear_down);
  ADD ("/localsend-send/big-file", test_big_file);
  ADD ("/localsend-send/hostile-answers", test_hostile_answers);
  ADD ("/localsend-send/hostile-info", test_hostile_info);
  ADD ("/localsend-send/bad-files", test_bad_files);
  ADD ("/localsend-send/session", test_session);

  return g_test_run ();
}
