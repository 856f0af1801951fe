/* test-disk-full.c: the receive folder fills up during an upload. The folder is a small
 * tmpfs the test mounts (as root); another program's file takes most of it once the upload
 * started. The PATCH then gets 507 with a message naming the file, nothing looks complete,
 * the history says the transfer failed and why; once space is freed the same upload resumes
 * to the right SHA-256.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ssync-faults.h"
#include "ssync-history.h"

#define MIB (1024 * 1024)

typedef struct {
  SsyncTestServer server;
  char *inbox;
  char *uploads;
  SoupSession *session;
  gboolean mounted;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *receive = NULL;
  const char *args[] = { "--receive", NULL, NULL };

  if (!ssync_faults_need_root ())
    return;

  fixture->server.dir = g_dir_make_tmp ("ssync-faults-XXXXXX", &error);
  g_assert_no_error (error);
  ssync_faults_guard_dir (fixture->server.dir);
  fixture->inbox = g_build_filename (fixture->server.dir, "inbox", NULL);
  g_assert_no_errno (g_mkdir (fixture->inbox, 0700));
  ssync_faults_mount_tmpfs (fixture->inbox, "24m");
  fixture->mounted = TRUE;
  fixture->session = soup_session_new_with_options ("user-agent", "ssync-faults/1.0", NULL);

  args[1] = fixture->inbox;
  ssync_faults_start (&fixture->server, NULL, args);
  ssync_faults_read_shares (&fixture->server, 1, NULL, &receive);
  fixture->uploads = g_strconcat (receive, "/uploads/", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ssync_faults_stop (&fixture->server);
  if (fixture->mounted)
    ssync_faults_unmount (fixture->inbox);
  if (fixture->server.dir != NULL)
    ssync_test_remove_tree (fixture->server.dir);
  ssync_faults_unguard ();
  g_free (fixture->server.dir);
  g_free (fixture->inbox);
  g_free (fixture->uploads);
  g_clear_object (&fixture->session);
}

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  const gsize size = 16 * MIB;
  g_autofree char *dir = NULL;
  g_autofree char *src = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *location = NULL;
  g_autofree char *filler = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *part = NULL;
  g_autofree char *got = NULL;
  g_autofree char *db = NULL;
  g_autoptr(SoupMessage) full = NULL;
  g_autoptr(SoupMessage) rest = NULL;
  g_autoptr(JsonObject) failed = NULL;
  g_autoptr(JsonObject) resumed = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  SsyncTransferRecord *first, *second;
  guint64 offset;

  if (fixture->server.dir == NULL)
    return;

  dir = g_build_filename (fixture->server.dir, "src", NULL);
  src = ssync_test_write_random (dir, "big.bin", size);
  expected = ssync_test_sha256_of_file (src);
  g_assert_true (g_file_get_contents (src, &contents, NULL, NULL));
  saved = g_build_filename (fixture->inbox, "big.bin", NULL);
  part = g_build_filename (fixture->inbox, "big.bin.part", NULL);

  /* 24 MiB free at creation, so the upload is accepted... */
  location = ssync_faults_tus_create (fixture->session, &fixture->server, fixture->uploads,
                                      size, "big.bin");
  /* ...then another program takes 16 of them. */
  filler = ssync_test_write_random (fixture->inbox, "filler.bin", 16 * MIB);

  full = ssync_faults_tus_patch (fixture->session, &fixture->server, location, 0, contents, size);
  g_assert_cmpuint (soup_message_get_status (full), ==, 507);
  g_test_message ("507 says: %s", ssync_faults_reply (full));
  g_assert_nonnull (strstr (ssync_faults_reply (full), "big.bin"));
  g_assert_nonnull (strstr (ssync_faults_reply (full), "disk is full"));
  g_assert_null (strstr (ssync_faults_reply (full), fixture->inbox));

  /* Nothing looks complete: no big.bin, only the .part, shorter than the file. */
  g_assert_false (g_file_test (saved, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (part, G_FILE_TEST_IS_REGULAR));
  offset = ssync_faults_tus_offset (fixture->session, &fixture->server, location);
  g_assert_cmpuint (offset, >, 0);
  g_assert_cmpuint (offset, <, size);
  g_assert_cmpuint (ssync_faults_file_size (part), ==, offset);

  failed = ssync_test_server_read_event (&fixture->server, "upload-finished");
  g_assert_cmpstr (json_object_get_string_member (failed, "status"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (failed, "message"), "disk is full"));

  /* Space comes back: the same upload goes on from where the disk stopped it. */
  g_assert_no_errno (g_unlink (filler));
  rest = ssync_faults_tus_patch (fixture->session, &fixture->server, location, offset,
                                 contents + offset, size - offset);
  g_assert_cmpuint (soup_message_get_status (rest), ==, 204);
  g_assert_cmpstr (ssync_faults_header (rest, "Upload-Sha256"), ==, expected);
  got = ssync_test_sha256_of_file (saved);
  g_assert_cmpstr (got, ==, expected);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  resumed = ssync_test_server_read_event (&fixture->server, "upload-started");
  g_assert_cmpint (json_object_get_int_member (resumed, "offset"), ==, offset);
  done = ssync_test_server_read_event (&fixture->server, "upload-finished");
  g_assert_cmpstr (json_object_get_string_member (done, "status"), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (done, "sha256"), ==, expected);

  /* The history tells the same story: one failed transfer with its reason, one complete
   * from the offset, and no .part listed any more. */
  ssync_faults_stop (&fixture->server);
  db = ssync_faults_db_path (&fixture->server);
  rows = ssync_faults_transfers (db);
  g_assert_cmpuint (rows->len, ==, 2);
  second = g_ptr_array_index (rows, 0);
  first = g_ptr_array_index (rows, 1);
  g_assert_cmpint (first->status, ==, SSYNC_TRANSFER_STATUS_FAILED);
  g_assert_nonnull (strstr (first->message, "disk is full"));
  g_assert_cmpint (second->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
  g_assert_cmpuint (second->offset, ==, offset);
  g_assert_cmpuint (second->bytes, ==, size - offset);
  g_assert_cmpstr (second->sha256, ==, expected);
  g_assert_cmpint (ssync_faults_db_count (db, "SELECT count(*) FROM uploads"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  ssync_faults_init (&argc, &argv);

  g_test_add ("/faults/disk-full", Fixture, NULL, fixture_set_up, test_disk_full,
              fixture_tear_down);

  return g_test_run ();
}
