/* test-vanish.c: things that go away in the middle of a transfer. A shared file truncated
 * or deleted while it downloads never yields bytes that are not the file's (the client gets
 * a short, cut body, or the file as it was opened), and the history says what happened; a
 * client that disappears mid-download or mid-upload leaves a transfer that ends incomplete.
 * Each time the server goes on serving others and stops cleanly.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ssync-faults.h"
#include "ssync-history.h"

#define MIB (1024 * 1024)
#define BIG_SIZE (32 * MIB)

typedef struct {
  SsyncTestServer server;
  char *inbox;
  char *big;       /* path of the shared 32 MiB file */
  char *contents;  /* what it held when the test began */
  char *send;      /* /s/TOKEN */
  char *uploads;   /* /r/TOKEN/uploads/ */
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *env[] = { "SHARESYNC_UPLOAD_EXPIRY=2", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *small = NULL;
  g_autofree char *receive = NULL;
  const char *args[] = { NULL, NULL, "--receive", NULL, NULL };

  fixture->server.dir = g_dir_make_tmp ("ssync-faults-XXXXXX", &error);
  g_assert_no_error (error);
  ssync_faults_guard_dir (fixture->server.dir);
  fixture->inbox = g_build_filename (fixture->server.dir, "inbox", NULL);
  g_assert_no_errno (g_mkdir (fixture->inbox, 0700));
  fixture->big = ssync_test_write_random (fixture->server.dir, "files/big.bin", BIG_SIZE);
  g_assert_true (g_file_get_contents (fixture->big, &fixture->contents, NULL, NULL));
  small = ssync_test_write_random (fixture->server.dir, "files/small.txt", 3000);
  fixture->session = soup_session_new_with_options ("user-agent", "ssync-faults/1.0", NULL);

  args[0] = fixture->big;
  args[1] = small;
  args[3] = fixture->inbox;
  ssync_faults_start (&fixture->server, env, args);
  ssync_faults_read_shares (&fixture->server, 2, &fixture->send, &receive);
  fixture->uploads = g_strconcat (receive, "/uploads/", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ssync_faults_stop (&fixture->server);
  ssync_test_remove_tree (fixture->server.dir);
  ssync_faults_unguard ();
  g_free (fixture->server.dir);
  g_free (fixture->inbox);
  g_free (fixture->big);
  g_free (fixture->contents);
  g_free (fixture->send);
  g_free (fixture->uploads);
  g_clear_object (&fixture->session);
}

static SoupMessage *
get (Fixture    *fixture,
     const char *file)
{
  g_autofree char *url = g_strdup_printf ("%s%s/f/%s", fixture->server.base, fixture->send,
                                          file);
  SoupMessage *msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (msg), "body", g_bytes_ref (body),
                          (GDestroyNotify) g_bytes_unref);
  return msg;
}

/* Another client still gets a whole file, at once. */
static void
assert_still_serving (Fixture *fixture)
{
  g_autoptr(SoupMessage) msg = get (fixture, "1/small.txt");

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (g_object_get_data (G_OBJECT (msg), "body")), ==, 3000);
}

/* Starts a GET of big.bin over a raw socket and reads its head and the first MiB, then
 * stops reading: the server is mid-body. */
static GSocketConnection *
start_big_download (Fixture *fixture)
{
  GSocketConnection *conn = ssync_faults_connect (&fixture->server);
  g_autofree char *request = g_strdup_printf ("GET %s/f/0/big.bin HTTP/1.1\r\n"
                                              "Host: 127.0.0.1\r\n\r\n", fixture->send);
  g_autofree char *head = NULL;
  g_autofree char *length = g_strdup_printf ("Content-Length: %d\r\n", BIG_SIZE);
  g_autoptr(GByteArray) first = NULL;

  ssync_faults_send (conn, request, strlen (request));
  head = ssync_faults_read_head (conn);
  g_assert_true (g_str_has_prefix (head, "HTTP/1.1 200"));
  g_assert_nonnull (strstr (head, length));
  first = ssync_faults_read_to_end (conn, MIB);
  g_assert_cmpuint (first->len, ==, MIB);
  g_assert_cmpmem (first->data, first->len, fixture->contents, MIB);
  g_object_set_data_full (G_OBJECT (conn), "first", g_steal_pointer (&first),
                          (GDestroyNotify) g_byte_array_unref);
  return conn;
}

/* Reads the rest of the body (until the server cuts the connection, or the announced length);
 * whatever came must be the file's own bytes, in order. */
static gsize
finish_big_download (Fixture           *fixture,
                     GSocketConnection *conn)
{
  GByteArray *first = g_object_get_data (G_OBJECT (conn), "first");
  g_autoptr(GByteArray) rest = ssync_faults_read_to_end (conn, BIG_SIZE - first->len);
  gsize total = first->len + rest->len;

  g_test_message ("the client got %" G_GSIZE_FORMAT " of %d bytes", total, BIG_SIZE);
  g_assert_cmpmem (rest->data, rest->len, fixture->contents + first->len, rest->len);
  return total;
}

static void
test_truncated (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSocketConnection) conn = start_big_download (fixture);
  g_autoptr(JsonObject) finished = NULL;
  gsize got;

  g_assert_no_errno (truncate (fixture->big, 2 * MIB));
  got = finish_big_download (fixture, conn);
  g_assert_cmpuint (got, <, BIG_SIZE);

  finished = ssync_test_server_read_event (&fixture->server, "download-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (finished, "message"),
                            "changed while it was being sent"));
  assert_still_serving (fixture);
}

static void
test_deleted (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GSocketConnection) conn = start_big_download (fixture);
  g_autoptr(JsonObject) finished = NULL;
  g_autoptr(SoupMessage) after = NULL;
  const char *body;
  gsize got;

  g_assert_no_errno (g_unlink (fixture->big));
  got = finish_big_download (fixture, conn);

  /* The file was open: like nginx, the server may finish sending it as it was. A short
   * body must then be reported as a failure. */
  finished = ssync_test_server_read_event (&fixture->server, "download-finished");
  if (got == BIG_SIZE)
    g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "complete");
  else
    g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "failed");

  /* Later requests are told the file is gone, in words (a page naming the file, never its
   * path). */
  after = get (fixture, "0/big.bin");
  g_assert_cmpuint (soup_message_get_status (after), ==, 410);
  body = g_bytes_get_data (g_object_get_data (G_OBJECT (after), "body"), NULL);
  g_assert_nonnull (strstr (body, "This File Is No Longer Shared"));
  g_assert_nonnull (strstr (body, "was moved or deleted"));
  g_assert_null (strstr (body, fixture->big));
  assert_still_serving (fixture);
}

static void
test_download_client_gone (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GSocketConnection) conn = start_big_download (fixture);
  g_autoptr(JsonObject) finished = NULL;
  g_autofree char *db = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  SsyncTransferRecord *row;

  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  finished = ssync_test_server_read_event (&fixture->server, "download-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "incomplete");
  assert_still_serving (fixture);

  ssync_faults_stop (&fixture->server);
  db = ssync_faults_db_path (&fixture->server);
  rows = ssync_faults_transfers (db);
  g_assert_cmpuint (rows->len, ==, 2);
  row = g_ptr_array_index (rows, 1);
  g_assert_cmpstr (row->file_name, ==, "big.bin");
  g_assert_cmpint (row->status, ==, SSYNC_TRANSFER_STATUS_INCOMPLETE);
  g_assert_nonnull (row->message);
  g_assert_cmpuint (row->bytes, <, BIG_SIZE);
}

/* The sender sends 1 of 4 MiB and vanishes. The bytes that came are kept for a resume,
 * until the upload expires (2 s here): then the transfer ends incomplete and the .part
 * goes. */
static void
test_upload_client_gone (Fixture       *fixture,
                         gconstpointer  data)
{
  const gsize size = 4 * MIB;
  g_autofree char *location = ssync_faults_tus_create (fixture->session, &fixture->server,
                                                       fixture->uploads, size, "gone.bin");
  g_autofree char *part = g_build_filename (fixture->inbox, "gone.bin.part", NULL);
  g_autofree char *db = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(JsonObject) finished = NULL;
  g_autoptr(SoupMessage) head = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  SsyncTransferRecord *row = NULL;

  conn = ssync_faults_raw_patch (&fixture->server, location, size, fixture->contents, MIB);
  g_usleep (G_USEC_PER_SEC / 5);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  assert_still_serving (fixture);

  finished = ssync_test_server_read_event (&fixture->server, "upload-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "incomplete");
  for (guint i = 0; i < 40 && g_file_test (part, G_FILE_TEST_EXISTS); i++)
    g_usleep (G_USEC_PER_SEC / 20);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (ssync_faults_count_files (fixture->inbox, NULL), ==, 0);
  head = ssync_faults_tus (fixture->session, &fixture->server, "HEAD", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (head), ==, 404);
  assert_still_serving (fixture);

  ssync_faults_stop (&fixture->server);
  db = ssync_faults_db_path (&fixture->server);
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM uploads"), ==, 0);
  rows = ssync_faults_transfers (db);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (((SsyncTransferRecord *) rows->pdata[i])->file_name, "gone.bin") == 0)
      row = rows->pdata[i];
  g_assert_nonnull (row);
  g_assert_cmpint (row->status, ==, SSYNC_TRANSFER_STATUS_INCOMPLETE);
  g_assert_nonnull (strstr (row->message, "expired"));
}

int
main (int   argc,
      char *argv[])
{
  ssync_faults_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/faults/vanish/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("file-truncated", test_truncated);
  ADD ("file-deleted", test_deleted);
  ADD ("download-client-gone", test_download_client_gone);
  ADD ("upload-client-gone", test_upload_client_gone);

  return g_test_run ();
}
