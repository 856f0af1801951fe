/* test-push.c: `sharesync --headless --push` end to end against s3rver: the links it prints
 * serve the same bytes, its history rows, failures with one clear line and exit 1, the
 * 7-day clamp, and the cleanup of expired objects by a later run.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include "ssync-s3rver.h"
#include "ssync-test-server.h"

#define MIB (1024 * 1024)

static SsyncS3rver s3rver;

typedef struct {
  char *dir;
  char *data_dir;
  int status;
  char *out;
  char *err;
  GPtrArray *pushed;  /* JsonObject of each "pushed" event */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-push-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "data", NULL);
  fixture->pushed = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data_dir);
  g_free (fixture->out);
  g_free (fixture->err);
  g_ptr_array_unref (fixture->pushed);
}

static GStrv
s3_env (const char *bucket)
{
  g_auto(GStrv) env = g_get_environ ();

  env = g_environ_setenv (env, "SHARESYNC_S3_ENDPOINT", s3rver.endpoint, TRUE);
  env = g_environ_setenv (env, "SHARESYNC_S3_BUCKET", bucket, TRUE);
  env = g_environ_setenv (env, "SHARESYNC_S3_ACCESS_KEY", SSYNC_S3RVER_KEY, TRUE);
  env = g_environ_setenv (env, "SHARESYNC_S3_SECRET_KEY", SSYNC_S3RVER_KEY, TRUE);
  env = g_environ_setenv (env, "SHARESYNC_S3_PART_SIZE", "5242880", TRUE);
  return g_steal_pointer (&env);
}

/* Runs `sharesync --headless --push --data-dir DIR ARGS...` to its end. */
static void
run_push (Fixture            *fixture,
          GStrv               env,
          const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_strv_builder_add_many (builder, g_getenv ("SSYNC_BIN"), "--headless", "--push",
                           "--data-dir", fixture->data_dir, NULL);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  g_spawn_sync (NULL, argv, env, G_SPAWN_DEFAULT, NULL, NULL, &fixture->out, &fixture->err,
                &fixture->status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (fixture->status));

  g_ptr_array_set_size (fixture->pushed, 0);
  lines = g_strsplit (fixture->out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *event;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      event = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member (event, "event"), "pushed") == 0)
        g_ptr_array_add (fixture->pushed, json_object_ref (event));
    }
}

static guint
fetch (const char  *url,
       char       **sha256)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (sha256 != NULL)
    *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  return soup_message_get_status (msg);
}

static JsonObject *
find_pushed (Fixture    *fixture,
             const char *file)
{
  for (guint i = 0; i < fixture->pushed->len; i++)
    {
      JsonObject *event = g_ptr_array_index (fixture->pushed, i);

      if (g_strcmp0 (json_object_get_string_member (event, "file"), file) == 0)
        return event;
    }
  g_assert_not_reached ();
}

static gint64
seconds_until (const char *iso)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (when);
  return g_date_time_to_unix (when) - g_get_real_time () / G_USEC_PER_SEC;
}

/* The history's push rows, as "file=status" lines sorted. */
static char *
push_rows (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "history.db", NULL);
  g_autoptr(GString) rows = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT file_name, status FROM pushes "
                                           "ORDER BY file_name, status", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (rows, "%s=%s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&rows), FALSE);
}

static guint
count_newlines (const char *text)
{
  guint n = 0;

  for (; *text != '\0'; text++)
    n += *text == '\n';
  return n;
}

static void
test_push (Fixture       *fixture,
           gconstpointer  data)
{
  g_auto(GStrv) env = s3_env (SSYNC_S3RVER_BUCKET);
  g_autofree char *big = ssync_test_write_random (fixture->dir, "Film night é.mkv", 12 * MIB);
  g_autofree char *small = ssync_test_write_random (fixture->dir, "notes (1)+&.txt", 1234);
  g_autofree char *rows = NULL;
  const char *args[] = { "--expires", "2h", big, small, NULL };

  run_push (fixture, env, args);
  g_assert_cmpint (WEXITSTATUS (fixture->status), ==, 0);
  g_assert_cmpstr (fixture->err, ==, "");
  g_assert_cmpuint (fixture->pushed->len, ==, 2);

  for (guint i = 0; i < 2; i++)
    {
      const char *path = i == 0 ? big : small;
      g_autofree char *name = g_path_get_basename (path);
      g_autofree char *expected = ssync_test_sha256_of_file (path);
      g_autofree char *got = NULL;
      JsonObject *event = find_pushed (fixture, name);
      gint64 left = seconds_until (json_object_get_string_member (event, "expires"));

      g_assert_true (g_str_has_suffix (json_object_get_string_member (event, "key"), name));
      g_assert_cmpuint (fetch (json_object_get_string_member (event, "url"), &got), ==, 200);
      g_assert_cmpstr (got, ==, expected);
      g_assert_cmpint (left, >, 7200 - 60);
      g_assert_cmpint (left, <=, 7200);
    }
  g_assert_nonnull (strstr (fixture->out, "\"event\":\"push-progress\""));

  rows = push_rows (fixture);
  g_assert_cmpstr (rows, ==, "Film night é.mkv=pushed\nnotes (1)+&.txt=pushed\n");
}

static void
test_clamped (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(GStrv) env = s3_env (SSYNC_S3RVER_BUCKET);
  g_autofree char *file = ssync_test_write_random (fixture->dir, "a.txt", 10);
  const char *args[] = { "--expires", "30d", file, NULL };
  gint64 left;

  run_push (fixture, env, args);
  g_assert_cmpint (WEXITSTATUS (fixture->status), ==, 0);
  g_assert_cmpstr (fixture->err, ==, "sharesync: links to S3 last at most 7 days, so the links "
                                     "will end after 7 days instead of 30 days\n");
  left = seconds_until (json_object_get_string_member (find_pushed (fixture, "a.txt"),
                                                       "expires"));
  g_assert_cmpint (left, >, 7 * 86400 - 60);
  g_assert_cmpint (left, <=, 7 * 86400);
  g_assert_nonnull (strstr (json_object_get_string_member (find_pushed (fixture, "a.txt"), "url"),
                            "X-Amz-Expires=604800&"));
}

/* One line on stderr, exit 1, a failed row; no secret anywhere in what it wrote. */
static void
test_failures (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(GStrv) missing_bucket = s3_env ("no-such-bucket");
  g_auto(GStrv) unset = g_environ_unsetenv (g_get_environ (), "SHARESYNC_S3_ENDPOINT");
  g_autofree char *file = ssync_test_write_random (fixture->dir, "a.txt", 10);
  g_autofree char *rows = NULL;
  g_autofree char *db_path = g_build_filename (fixture->data_dir, "history.db", NULL);
  g_autofree char *db = NULL;
  const char *args[] = { file, NULL };
  const char *no_file[] = { "/nonexistent/file.txt", NULL };

  run_push (fixture, missing_bucket, args);
  g_assert_cmpint (WEXITSTATUS (fixture->status), ==, 1);
  g_assert_true (g_str_has_prefix (fixture->err,
                                   "sharesync: the bucket “no-such-bucket” does not exist on "));
  g_assert_cmpuint (count_newlines (fixture->err), ==, 1);
  rows = push_rows (fixture);
  g_assert_cmpstr (rows, ==, "a.txt=failed\n");

  g_assert_true (g_file_get_contents (db_path, &db, NULL, NULL));
  g_assert_null (g_strstr_len (db, -1, "S3RVER\n"));

  run_push (fixture, unset, args);
  g_assert_cmpint (WEXITSTATUS (fixture->status), ==, 1);
  g_assert_true (g_str_has_prefix (fixture->err, "sharesync: no S3 storage is set up"));
  g_assert_cmpuint (count_newlines (fixture->err), ==, 1);

  run_push (fixture, missing_bucket, no_file);
  g_assert_cmpint (WEXITSTATUS (fixture->status), ==, 1);
}

/* A link that ended takes its object with it: a later run's cleanup deletes it and marks
 * the row. */
static void
test_cleanup (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(GStrv) env = s3_env (SSYNC_S3RVER_BUCKET);
  g_autofree char *file = ssync_test_write_random (fixture->dir, "short.txt", 2000);
  const char *args[] = { "--expires", "1s", file, NULL };
  const char *server_env[] = { NULL, "SHARESYNC_S3_BUCKET=" SSYNC_S3RVER_BUCKET,
                               "SHARESYNC_S3_ACCESS_KEY=" SSYNC_S3RVER_KEY,
                               "SHARESYNC_S3_SECRET_KEY=" SSYNC_S3RVER_KEY,
                               "SHARESYNC_CLEANUP_INTERVAL=1", NULL };
  const char *server_args[] = { file, NULL };
  g_autofree char *endpoint_env = g_strconcat ("SHARESYNC_S3_ENDPOINT=", s3rver.endpoint, NULL);
  g_autofree char *plain = NULL;
  g_autofree char *rows = NULL;
  SsyncTestServer server = { .dir = g_strdup (fixture->dir) };
  guint status = 200;

  run_push (fixture, env, args);
  g_assert_cmpint (WEXITSTATUS (fixture->status), ==, 0);
  /* s3rver does not check signatures: a plain GET tells whether the object is there. */
  plain = g_strdup_printf ("%s/%s/%s", s3rver.endpoint, SSYNC_S3RVER_BUCKET,
                           json_object_get_string_member (find_pushed (fixture, "short.txt"),
                                                          "key"));
  g_assert_cmpuint (fetch (plain, NULL), ==, 200);

  server_env[0] = endpoint_env;
  ssync_test_server_start (&server, server_env, server_args);
  for (guint i = 0; i < 100 && status == 200; i++)
    {
      g_usleep (100 * 1000);
      status = fetch (plain, NULL);
    }
  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpint (ssync_test_server_stop (&server), ==, 0);

  rows = push_rows (fixture);
  g_assert_cmpstr (rows, ==, "short.txt=deleted\n");
  /* stop() removed the folder; teardown makes it again to remove it. */
  g_mkdir_with_parents (fixture->dir, 0700);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/push/files", Fixture, NULL, fixture_setup, test_push, fixture_teardown);
  g_test_add ("/push/clamped", Fixture, NULL, fixture_setup, test_clamped, fixture_teardown);
  g_test_add ("/push/failures", Fixture, NULL, fixture_setup, test_failures, fixture_teardown);
  g_test_add ("/push/cleanup", Fixture, NULL, fixture_setup, test_cleanup, fixture_teardown);

  ssync_s3rver_start (&s3rver);
  status = g_test_run ();
  ssync_s3rver_stop (&s3rver);
  return status;
}
