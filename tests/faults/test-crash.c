/* test-crash.c: kill -9 of the app, then a restart with the same data folder. An upload cut
 * that way resumes under its old URL to the right SHA-256; the history database stays sound
 * (PRAGMA integrity_check) whatever it was writing, no transfer stays "in progress", and
 * the .part files a killed run left are deleted once they expire, and only those.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <utime.h>

#include "ssync-faults.h"
#include "ssync-history.h"

#define MIB (1024 * 1024)

typedef struct {
  SsyncTestServer server;
  char *inbox;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server.dir = g_dir_make_tmp ("ssync-faults-XXXXXX", &error);
  g_assert_no_error (error);
  ssync_faults_guard_dir (fixture->server.dir);
  fixture->inbox = g_build_filename (fixture->server.dir, "inbox", NULL);
  g_assert_no_errno (g_mkdir (fixture->inbox, 0700));
  fixture->session = soup_session_new_with_options ("user-agent", "ssync-faults/1.0", NULL);
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
  g_clear_object (&fixture->session);
}

/* Starts the server receiving into the inbox; returns /r/TOKEN. */
static char *
start_receiving (Fixture            *fixture,
                 const char * const *env)
{
  const char *args[] = { "--receive", fixture->inbox, NULL };
  char *receive = NULL;

  ssync_faults_start (&fixture->server, env, args);
  ssync_faults_read_shares (&fixture->server, 1, NULL, &receive);
  return receive;
}

/* kill -9 while a PATCH is half-way through a 16 MiB upload. */
static void
test_upload (Fixture       *fixture,
             gconstpointer  data)
{
  const gsize size = 16 * MIB;
  g_autofree char *dir = g_build_filename (fixture->server.dir, "src", NULL);
  g_autofree char *src = ssync_test_write_random (dir, "crash.bin", size);
  g_autofree char *expected = ssync_test_sha256_of_file (src);
  g_autofree char *saved = g_build_filename (fixture->inbox, "crash.bin", NULL);
  g_autofree char *part = g_build_filename (fixture->inbox, "crash.bin.part", NULL);
  g_autofree char *db = ssync_faults_db_path (&fixture->server);
  g_autofree char *contents = NULL;
  g_autofree char *receive = NULL;
  g_autofree char *again = NULL;
  g_autofree char *uploads = NULL;
  g_autofree char *location = NULL;
  g_autofree char *integrity = NULL;
  g_autofree char *got = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(SoupMessage) rest = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  SsyncTransferRecord *cut, *resumed;
  guint64 offset;

  g_assert_true (g_file_get_contents (src, &contents, NULL, NULL));
  receive = start_receiving (fixture, NULL);
  uploads = g_strconcat (receive, "/uploads/", NULL);
  location = ssync_faults_tus_create (fixture->session, &fixture->server, uploads, size,
                                      "crash.bin");

  /* Half the body, then the server dies with the connection still open. */
  conn = ssync_faults_raw_patch (&fixture->server, location, size, contents, size / 2);
  for (guint i = 0; i < 100 && ssync_faults_file_size (part) < 4 * MIB; i++)
    g_usleep (G_USEC_PER_SEC / 20);
  g_assert_cmpuint (ssync_faults_file_size (part), >=, 4 * MIB);
  ssync_faults_kill (&fixture->server);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);

  offset = ssync_faults_file_size (part);
  g_assert_cmpuint (offset, <=, size / 2);
  g_assert_false (g_file_test (saved, G_FILE_TEST_EXISTS));
  integrity = ssync_faults_integrity (db);
  g_assert_cmpstr (integrity, ==, "ok");

  /* The same folder again: the same link, and the upload where the .part ends. */
  again = start_receiving (fixture, NULL);
  g_assert_cmpstr (again, ==, receive);
  g_assert_cmpuint (ssync_faults_tus_offset (fixture->session, &fixture->server, location), ==,
                    offset);

  rest = ssync_faults_tus_patch (fixture->session, &fixture->server, location, offset,
                                 contents + offset, size - offset);
  g_assert_cmpuint (soup_message_get_status (rest), ==, 204);
  g_assert_cmpstr (ssync_faults_header (rest, "Upload-Sha256"), ==, expected);
  got = ssync_test_sha256_of_file (saved);
  g_assert_cmpstr (got, ==, expected);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  /* The cut transfer ended incomplete at the restart; the resumed one is complete, from
   * the offset; no .part is listed any more. */
  ssync_faults_stop (&fixture->server);
  g_clear_pointer (&integrity, g_free);
  integrity = ssync_faults_integrity (db);
  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM transfers"
                                              " WHERE status = 'active'"), ==, 0);
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM uploads"), ==, 0);
  rows = ssync_faults_transfers (db);
  g_assert_cmpuint (rows->len, ==, 2);
  resumed = g_ptr_array_index (rows, 0);
  cut = g_ptr_array_index (rows, 1);
  g_assert_cmpint (cut->status, ==, SSYNC_TRANSFER_STATUS_INCOMPLETE);
  g_assert_nonnull (cut->message);
  g_assert_cmpint (resumed->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
  g_assert_cmpuint (resumed->offset, ==, offset);
  g_assert_cmpstr (resumed->sha256, ==, expected);
  g_assert_cmpstr (resumed->saved_as, ==, "crash.bin");
}

typedef struct {
  char *url;
  gboolean stop;
  guint ok;
} Downloader;

static gpointer
download_loop (gpointer data)
{
  Downloader *d = data;
  g_autoptr(SoupSession) session = soup_session_new ();

  while (!g_atomic_int_get (&d->stop))
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", d->url);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      if (body == NULL)
        break;
      if (soup_message_get_status (msg) == 200)
        g_atomic_int_inc (&d->ok);
    }
  return NULL;
}

/* kill -9 while downloads start and end as fast as two clients can ask. */
static void
test_history_writes (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *file = ssync_test_write_random (fixture->server.dir, "files/tiny.txt", 512);
  g_autofree char *db = ssync_faults_db_path (&fixture->server);
  g_autofree char *send = NULL;
  g_autofree char *integrity = NULL;
  const char *args[] = { file, NULL };
  Downloader loaders[2] = { { 0 } };
  GThread *threads[2];
  gint64 rows, interrupted;

  ssync_faults_start (&fixture->server, NULL, args);
  ssync_faults_read_shares (&fixture->server, 1, &send, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (loaders); i++)
    {
      loaders[i].url = g_strdup_printf ("%s%s/f/0/tiny.txt", fixture->server.base, send);
      threads[i] = g_thread_new ("download", download_loop, &loaders[i]);
    }

  /* The events the downloads print are read meanwhile: a full pipe would stall the server. */
  while (g_atomic_int_get (&loaders[0].ok) + g_atomic_int_get (&loaders[1].ok) < 300)
    g_free (g_data_input_stream_read_line (fixture->server.events, NULL, NULL, NULL));
  /* Downloads go on until some rows are committed (at least every 100 ms under load), so
   * the kill lands between writes of a store that is being written. */
  while (ssync_faults_db_count (db, "SELECT count(*) FROM transfers") == 0)
    g_free (g_data_input_stream_read_line (fixture->server.events, NULL, NULL, NULL));
  ssync_faults_kill (&fixture->server);
  for (guint i = 0; i < G_N_ELEMENTS (loaders); i++)
    {
      g_atomic_int_set (&loaders[i].stop, TRUE);
      g_thread_join (threads[i]);
      g_free (loaders[i].url);
    }
  g_test_message ("%u downloads before kill -9", loaders[0].ok + loaders[1].ok);

  integrity = ssync_faults_integrity (db);
  g_assert_cmpstr (integrity, ==, "ok");
  rows = ssync_faults_db_count (db, "SELECT count(*) FROM transfers");
  interrupted = ssync_faults_db_count (db, "SELECT count(*) FROM transfers"
                                           " WHERE status = 'active'");
  g_test_message ("%" G_GINT64_FORMAT " rows, %" G_GINT64_FORMAT " still active", rows,
                  interrupted);
  g_assert_cmpint (rows, >, 0);

  /* The restart ends every row the kill left "active". */
  ssync_faults_start (&fixture->server, NULL, args);
  ssync_faults_stop (&fixture->server);
  g_clear_pointer (&integrity, g_free);
  integrity = ssync_faults_integrity (db);
  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM transfers"
                                              " WHERE status = 'active'"), ==, 0);
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM transfers"
                                              " WHERE status = 'incomplete' AND message ="
                                              " 'ShareSync stopped during this transfer'"), ==,
                   interrupted);
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM transfers"), >=, rows);
}

/* The .part of an upload a killed run left behind goes once the upload expires (2 s here);
 * a user's own old "notes.part" beside it stays. A receive share of that folder then gets a
 * new link: there is nothing left to resume under the old one. */
static void
test_expired_parts (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *env[] = { "SHARESYNC_UPLOAD_EXPIRY=2", "SHARESYNC_CLEANUP_INTERVAL=1", NULL };
  g_autofree char *file = ssync_test_write_random (fixture->server.dir, "files/a.txt", 10);
  g_autofree char *notes = g_build_filename (fixture->inbox, "notes.part", NULL);
  g_autofree char *part = g_build_filename (fixture->inbox, "left.bin.part", NULL);
  g_autofree char *db = ssync_faults_db_path (&fixture->server);
  g_autofree char *receive = NULL;
  g_autofree char *uploads = NULL;
  g_autofree char *location = NULL;
  g_autofree char *zeros = g_malloc0 (1024);
  g_autofree char *again = NULL;
  g_autoptr(SoupMessage) first = NULL;
  const char *send_only[] = { file, NULL };
  struct utimbuf long_ago;

  g_assert_true (g_file_set_contents (notes, "mine", 4, NULL));
  long_ago.actime = long_ago.modtime = time (NULL) - 30 * 24 * 3600;
  g_assert_no_errno (utime (notes, &long_ago));

  receive = start_receiving (fixture, env);
  uploads = g_strconcat (receive, "/uploads/", NULL);
  location = ssync_faults_tus_create (fixture->session, &fixture->server, uploads, 4096,
                                      "left.bin");
  first = ssync_faults_tus_patch (fixture->session, &fixture->server, location, 0, zeros, 1024);
  g_assert_cmpuint (soup_message_get_status (first), ==, 204);
  /* The store writes on its own thread: the kill comes once the row is there. */
  for (guint i = 0; i < 100 && ssync_faults_db_count (db, "SELECT count(*) FROM uploads") == 0;
       i++)
    g_usleep (G_USEC_PER_SEC / 20);
  ssync_faults_kill (&fixture->server);
  g_assert_cmpuint (ssync_faults_file_size (part), ==, 1024);
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM uploads"), ==, 1);

  /* Not receiving into that folder now: only the store knows of the .part. */
  g_usleep (3 * G_USEC_PER_SEC);
  ssync_faults_start (&fixture->server, env, send_only);
  for (guint i = 0; i < 100 && g_file_test (part, G_FILE_TEST_EXISTS); i++)
    g_usleep (G_USEC_PER_SEC / 20);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (notes, G_FILE_TEST_EXISTS));
  ssync_faults_stop (&fixture->server);
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM uploads"), ==, 0);

  again = start_receiving (fixture, env);
  g_assert_cmpstr (again, !=, receive);
  g_assert_true (g_file_test (notes, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  ssync_faults_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/faults/crash/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("upload", test_upload);
  ADD ("history-writes", test_history_writes);
  ADD ("expired-parts", test_expired_parts);

  return g_test_run ();
}
