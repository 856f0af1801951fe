/* test-upload.c: SsyncUpload's check of an expected SHA-256, on real files in a temporary
 * folder: a file whose bytes are not the announced ones never appears under its name, and
 * one whose bytes are gets it, whatever the case of the announced hex. Chunks queued at once
 * arrive in order, and none is written past one that failed.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ssync-error.h"
#include "ssync-upload.h"

#define HELLO_SHA256 "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

typedef struct {
  char *dir;
  GFile *folder;
  GMainLoop *loop;
  GAsyncResult *result;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-upload-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->folder = g_file_new_for_path (fixture->dir);
  fixture->loop = g_main_loop_new (NULL, FALSE);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_clear_object (&fixture->folder);
  g_clear_pointer (&fixture->loop, g_main_loop_unref);
  g_free (fixture->dir);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
  g_main_loop_quit (fixture->loop);
}

/* Runs the main loop until the operation just started calls back; returns its result. */
static GAsyncResult *
wait_result (Fixture *fixture)
{
  g_main_loop_run (fixture->loop);
  return g_steal_pointer (&fixture->result);
}

/* A new upload of "hello" into "dir/f.txt", every byte written, not yet completed. */
static SsyncUpload *
upload_hello (Fixture *fixture)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("hello", 5);
  g_autoptr(GAsyncResult) created = NULL, written = NULL;
  g_autoptr(SsyncUpload) upload = NULL;
  g_autoptr(GError) error = NULL;

  ssync_upload_new_async (fixture->folder, "dir/f.txt", 5, NULL, on_done, fixture);
  created = wait_result (fixture);
  upload = ssync_upload_new_finish (created, &error);
  g_assert_no_error (error);
  ssync_upload_write_async (upload, bytes, NULL, on_done, fixture);
  written = wait_result (fixture);
  g_assert_true (ssync_upload_write_finish (upload, written, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&upload);
}

static gboolean
complete (Fixture *fixture, SsyncUpload *upload, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ssync_upload_complete_async (upload, NULL, on_done, fixture);
  result = wait_result (fixture);
  return ssync_upload_complete_finish (upload, result, error);
}

static char *
in_dir (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, "dir", name, NULL);
}

static void
test_damaged (Fixture *fixture, gconstpointer data)
{
  g_autoptr(SsyncUpload) upload = upload_hello (fixture);
  g_autofree char *named = in_dir (fixture, "f.txt");
  g_autofree char *part = in_dir (fixture, ssync_upload_get_part_name (upload));
  g_autoptr(GAsyncResult) deleted = NULL;
  g_autoptr(GError) error = NULL;

  ssync_upload_set_expected_sha256 (upload, "00000000000000000000000000000000"
                                            "00000000000000000000000000000000");
  g_assert_false (complete (fixture, upload, &error));
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_CHANGED);
  g_assert_nonnull (strstr (error->message, "dir/f.txt arrived damaged"));
  g_assert_false (ssync_upload_is_complete (upload));
  g_assert_null (ssync_upload_get_saved_as (upload));
  /* Never under its name; the bytes wait in the .part for the caller's deletion. */
  g_assert_false (g_file_test (named, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (part, G_FILE_TEST_IS_REGULAR));

  ssync_upload_delete_async (upload, on_done, fixture);
  deleted = wait_result (fixture);
  g_assert_true (ssync_upload_delete_finish (upload, deleted, NULL));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (named, G_FILE_TEST_EXISTS));
}

static void
test_intact (Fixture *fixture, gconstpointer data)
{
  g_autoptr(SsyncUpload) upload = upload_hello (fixture);
  g_autofree char *upper = g_ascii_strup (HELLO_SHA256, -1);
  g_autofree char *named = in_dir (fixture, "f.txt");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  /* LocalSend peers may announce upper-case hex. */
  ssync_upload_set_expected_sha256 (upload, upper);
  g_assert_true (complete (fixture, upload, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ssync_upload_get_sha256 (upload), ==, HELLO_SHA256);
  g_assert_cmpstr (ssync_upload_get_saved_as (upload), ==, "f.txt");
  g_assert_true (g_file_get_contents (named, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "hello");
}

static void
test_unchecked (Fixture *fixture, gconstpointer data)
{
  g_autoptr(SsyncUpload) upload = upload_hello (fixture);
  g_autofree char *named = in_dir (fixture, "f.txt");
  g_autoptr(GError) error = NULL;

  /* No announced SHA-256 (cleared again): any bytes are kept, and hashed all the same. */
  ssync_upload_set_expected_sha256 (upload, "00");
  ssync_upload_set_expected_sha256 (upload, NULL);
  g_assert_true (complete (fixture, upload, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ssync_upload_get_sha256 (upload), ==, HELLO_SHA256);
  g_assert_true (g_file_test (named, G_FILE_TEST_IS_REGULAR));
}

typedef struct {
  Fixture *fixture;
  guint done;       /* callbacks so far */
  guint failed_at;  /* the index of the first failure, or G_MAXUINT */
  guint n;
} Queued;

static void
on_queued_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Queued *queued = user_data;
  g_autoptr(GError) error = NULL;

  if (!ssync_upload_write_finish (SSYNC_UPLOAD (source), result, &error) &&
      queued->failed_at == G_MAXUINT)
    queued->failed_at = queued->done;
  queued->done++;
  if (queued->done == queued->n)
    g_main_loop_quit (queued->fixture->loop);
}

static SsyncUpload *
new_upload (Fixture *fixture, guint64 length)
{
  g_autoptr(GAsyncResult) created = NULL;
  g_autoptr(GError) error = NULL;
  SsyncUpload *upload;

  ssync_upload_new_async (fixture->folder, "dir/f.bin", length, NULL, on_done, fixture);
  created = wait_result (fixture);
  upload = ssync_upload_new_finish (created, &error);
  g_assert_no_error (error);
  return upload;
}

/* Chunks queued all at once (as --fetch does, so that the disk and the hash never wait for
 * each other) are written and hashed in the order they were given. */
static void
test_queued (Fixture *fixture, gconstpointer data)
{
  enum { N = 64, CHUNK = 64 * 1024 };
  g_autoptr(SsyncUpload) upload = new_upload (fixture, N * CHUNK);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *all = g_malloc (N * CHUNK);
  g_autofree char *named = in_dir (fixture, "f.bin");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Queued queued = { fixture, 0, G_MAXUINT, N };
  gsize length;

  for (guint i = 0; i < N * CHUNK; i++)
    all[i] = (guint8) g_random_int ();
  for (guint i = 0; i < N; i++)
    {
      g_autoptr(GBytes) chunk = g_bytes_new_static (all + i * CHUNK, CHUNK);

      ssync_upload_write_async (upload, chunk, NULL, on_queued_done, &queued);
    }
  g_main_loop_run (fixture->loop);
  g_assert_cmpuint (queued.failed_at, ==, G_MAXUINT);
  g_assert_cmpuint (ssync_upload_get_offset (upload), ==, N * CHUNK);

  g_checksum_update (checksum, all, N * CHUNK);
  ssync_upload_set_expected_sha256 (upload, g_checksum_get_string (checksum));
  g_assert_true (complete (fixture, upload, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (named, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, N * CHUNK);
  g_assert_true (memcmp (contents, all, N * CHUNK) == 0);
}

/* A chunk queued behind one that failed is refused rather than written past the gap, even
 * when the failed one was done before it came; once the caller has heard of the failure,
 * writing goes on from what is on disk. */
static void
test_queued_after_failure (Fixture *fixture, gconstpointer data)
{
  g_autoptr(SsyncUpload) upload = new_upload (fixture, 10);
  g_autoptr(GBytes) hello = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) too_long = g_bytes_new_static ("far too long", 12);
  g_autoptr(GBytes) world = g_bytes_new_static ("world", 5);
  g_autoptr(GAsyncResult) written = NULL;
  g_autofree char *named = in_dir (fixture, "f.bin");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Queued queued = { fixture, 0, G_MAXUINT, 3 };

  ssync_upload_write_async (upload, hello, NULL, on_queued_done, &queued);
  ssync_upload_write_async (upload, too_long, NULL, on_queued_done, &queued);
  /* The worker threads finish both before the next chunk comes, while their callbacks wait
   * in the main loop: the failure is not heard of yet, so the next one is refused too. */
  g_usleep (300 * 1000);
  ssync_upload_write_async (upload, world, NULL, on_queued_done, &queued);
  g_main_loop_run (fixture->loop);
  g_assert_cmpuint (queued.failed_at, ==, 1);
  g_assert_cmpuint (ssync_upload_get_offset (upload), ==, 5);

  ssync_upload_write_async (upload, world, NULL, on_done, fixture);
  written = wait_result (fixture);
  g_assert_true (ssync_upload_write_finish (upload, written, &error));
  g_assert_true (complete (fixture, upload, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (named, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "helloworld");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/upload/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("damaged", test_damaged);
  ADD ("intact", test_intact);
  ADD ("unchecked", test_unchecked);
  ADD ("queued", test_queued);
  ADD ("queued-after-failure", test_queued_after_failure);
#undef ADD

  return g_test_run ();
}
