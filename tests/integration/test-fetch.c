/* test-fetch.c: desktop to desktop over WebRTC, with two real headless instances on
 * loopback: `SHARESYNC_FETCH_OVER=webrtc sharesync --headless --fetch URL --to DIR` (forced
 * off the HTTP fast path, which test-fetch-http.c tests) against a share with a folder, the
 * sharing app killed mid-transfer, the fetching app killed mid-transfer, twenty fetches in
 * a row from one sharing process (its threads and memory must not grow), and bad links.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ssync-history.h"
#include "ssync-test-server.h"

#define MIB (1024 * 1024)

typedef struct {
  SsyncTestServer server;
  char *src;        /* what is shared */
  char *out;        /* where fetches go */
  char *share_url;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server.dir = g_dir_make_tmp ("ssync-fetch-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->src = g_build_filename (fixture->server.dir, "album", NULL);
  fixture->out = g_build_filename (fixture->server.dir, "out", NULL);
  g_assert_no_errno (g_mkdir (fixture->out, 0700));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ssync_test_server_stop (&fixture->server);
  ssync_test_remove_tree (fixture->server.dir);
  g_free (fixture->server.dir);
  g_free (fixture->src);
  g_free (fixture->out);
  g_free (fixture->share_url);
}

/* Shares fixture->src (a folder) from a headless instance. */
static void
share_src (Fixture *fixture)
{
  const char *args[] = { fixture->src, NULL };
  g_autoptr(JsonObject) share = NULL;

  ssync_test_server_start (&fixture->server, NULL, args);
  share = ssync_test_server_read_event (&fixture->server, "share");
  fixture->share_url = g_strdup (json_object_get_string_member (share, "url"));
}

/* The fetching instance: its stdout piped, its stderr too. */
static GSubprocess *
spawn_fetch (Fixture    *fixture,
             const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_build_filename (fixture->server.dir, "fetch-data", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GSubprocess *proc;

  /* These tests are about the direct connection: the fetch must not take the other app's
   * web server (test-fetch-http.c tests that path). */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "SHARESYNC_FETCH_OVER", "webrtc", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SSYNC_BIN"), "--headless",
                                      "--data-dir", data, "--fetch", url, "--to", fixture->out,
                                      NULL);
  g_assert_no_error (error);
  return proc;
}

/* Runs a fetch to its end; returns its exit status, with its stdout and stderr. */
static int
run_fetch (Fixture     *fixture,
           const char  *url,
           char       **out,
           char       **err)
{
  g_autoptr(GSubprocess) proc = spawn_fetch (fixture, url);
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

static void
assert_same_file (const char *a,
                  const char *b)
{
  g_autofree char *sum_a = ssync_test_sha256_of_file (a);
  g_autofree char *sum_b = ssync_test_sha256_of_file (b);

  g_assert_cmpstr (sum_a, ==, sum_b);
}

/* No file but those of @allowed (NULL-terminated, relative) under @dir, and no .part. */
static void
assert_tree (const char          *dir,
             const char * const  *allowed)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *command = g_strdup_printf ("find %s -type f -printf '%%P\\n'", quoted);
  g_autofree char *listing = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_spawn_command_line_sync (command, &listing, NULL, NULL, NULL));
  lines = g_strsplit (g_strstrip (listing), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      if (allowed == NULL || !g_strv_contains (allowed, lines[i]))
        g_error ("unexpected file %s in %s", lines[i], dir);
    }
}

static void
test_folder (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *top = ssync_test_write_random (fixture->src, "cover.jpg", 3 * MIB + 17);
  g_autofree char *deep = ssync_test_write_random (fixture->src, "disc 1/Grüße/track.flac",
                                                   MIB);
  g_autofree char *small = ssync_test_write_random (fixture->src, "disc 2/notes.txt", 100);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *got_top = g_build_filename (fixture->out, "album", "cover.jpg", NULL);
  g_autofree char *got_deep = g_build_filename (fixture->out, "album", "disc 1", "Grüße",
                                                "track.flac", NULL);
  g_autofree char *got_small = g_build_filename (fixture->out, "album", "disc 2", "notes.txt",
                                                 NULL);
  g_autofree char *db = g_build_filename (fixture->server.dir, "data", "history.db", NULL);
  g_autofree char *fetch_db = g_build_filename (fixture->server.dir, "fetch-data",
                                                "history.db", NULL);
  const char *tree[] = { "album/cover.jpg", "album/disc 1/Grüße/track.flac",
                         "album/disc 2/notes.txt", NULL };
  g_autoptr(SsyncHistory) history = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  share_src (fixture);
  status = run_fetch (fixture, fixture->share_url, &out, &err);
  g_test_message ("fetch stdout: %s\nstderr: %s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"event\":\"fetch-finished\",\"files\":3"));
  g_assert_nonnull (strstr (out, "\"kind\":\"webrtc\""));
  g_assert_nonnull (strstr (out, "\"path\":\"webrtc\""));

  assert_same_file (top, got_top);
  assert_same_file (deep, got_deep);
  assert_same_file (small, got_small);
  assert_tree (fixture->out, tree);

  /* Both histories hold every file as a complete webrtc transfer, with its SHA-256. */
  g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
  for (guint h = 0; h < 2; h++)
    {
      g_clear_object (&history);
      g_clear_pointer (&rows, g_ptr_array_unref);
      history = ssync_history_open (h == 0 ? db : fetch_db, &error);
      g_assert_no_error (error);
      rows = ssync_history_list_transfers (history, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, 3);
      for (guint i = 0; i < rows->len; i++)
        {
          SsyncTransferRecord *row = g_ptr_array_index (rows, i);
          g_autofree char *sum = NULL;

          g_assert_cmpint (row->kind, ==, SSYNC_TRANSFER_KIND_WEBRTC);
          g_assert_cmpint (row->direction, ==,
                           h == 0 ? SSYNC_DIRECTION_DOWNLOAD : SSYNC_DIRECTION_UPLOAD);
          g_assert_cmpint (row->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
          g_assert_cmpuint (row->bytes, ==, row->total);
          if (g_str_has_suffix (row->file_name, "cover.jpg"))
            sum = ssync_test_sha256_of_file (top);
          else if (g_str_has_suffix (row->file_name, "track.flac"))
            sum = ssync_test_sha256_of_file (deep);
          else
            sum = ssync_test_sha256_of_file (small);
          g_assert_cmpstr (row->sha256, ==, sum);
        }
    }
}

/* Reads the fetch's events until it reports @bytes received of one file. */
static void
wait_for_progress (GDataInputStream *events,
                   guint64           bytes)
{
  while (TRUE)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (events, NULL, NULL, &error);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *event;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      node = json_from_string (line, &error);
      g_assert_no_error (error);
      event = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member (event, "event"), "upload-progress") == 0 &&
          (guint64) json_object_get_int_member (event, "bytes") >= bytes)
        return;
    }
}

static void
test_sharer_killed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *big = ssync_test_write_random (fixture->src, "big.bin", 96 * MIB);
  g_autoptr(GSubprocess) fetch = NULL;
  g_autoptr(GDataInputStream) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GDataInputStream) errors = NULL;
  gint64 killed;

  share_src (fixture);
  fetch = spawn_fetch (fixture, fixture->share_url);
  events = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fetch));
  wait_for_progress (events, 4 * MIB);

  g_subprocess_force_exit (fixture->server.proc);
  g_subprocess_wait (fixture->server.proc, NULL, NULL);
  g_clear_object (&fixture->server.proc);
  killed = g_get_monotonic_time ();

  /* The fetch notices at once (its signaling connection drops), fails and keeps nothing
   * that looks complete. */
  g_subprocess_wait (fetch, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - killed, <, 20 * G_USEC_PER_SEC);
  g_assert_true (g_subprocess_get_if_exited (fetch));
  g_assert_cmpint (g_subprocess_get_exit_status (fetch), ==, 1);
  rest = g_data_input_stream_read_upto (events, "", 0, NULL, NULL, NULL);
  g_assert_nonnull (strstr (rest, "\"status\":\"failed\""));
  errors = g_data_input_stream_new (g_subprocess_get_stderr_pipe (fetch));
  err = g_data_input_stream_read_upto (errors, "", 0, NULL, NULL, NULL);
  g_test_message ("fetch stderr: %s", err);
  assert_tree (fixture->out, NULL);
}

/* The sharing app's current count of threads and resident memory (KiB). */
static void
read_status (GSubprocess *proc,
             guint64     *threads,
             guint64     *rss_kib)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (proc));
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "Threads:"))
        *threads = g_ascii_strtoull (lines[i] + 8, NULL, 10);
      else if (g_str_has_prefix (lines[i], "VmRSS:"))
        *rss_kib = g_ascii_strtoull (lines[i] + 6, NULL, 10);
    }
}

static void
test_fetcher_killed (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *big = ssync_test_write_random (fixture->src, "big.bin", 96 * MIB);
  g_autoptr(GSubprocess) fetch = NULL;
  g_autoptr(GDataInputStream) events = NULL;
  g_autoptr(JsonObject) started = NULL;
  g_autoptr(JsonObject) finished = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) health = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *url = NULL;
  g_autofree char *got = NULL;
  /* A killed process cannot clean up: its .part may stay (never under the final name). */
  const char *killed_tree[] = { "album/big.bin.part", NULL };
  const char *tree[] = { "album/big.bin", "album/big.bin.part", NULL };

  share_src (fixture);
  fetch = spawn_fetch (fixture, fixture->share_url);
  events = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fetch));
  wait_for_progress (events, 4 * MIB);
  g_subprocess_force_exit (fetch);
  g_subprocess_wait (fetch, NULL, NULL);

  /* The sharing app records the download as failed, and keeps serving. */
  started = ssync_test_server_read_event (&fixture->server, "download-started");
  g_assert_cmpstr (json_object_get_string_member (started, "kind"), ==, "webrtc");
  finished = ssync_test_server_read_event (&fixture->server, "download-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (finished, "bytes"), <, 96 * MIB);
  assert_tree (fixture->out, killed_tree);

  url = g_strconcat (fixture->server.base, "/api/health", NULL);
  health = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, health, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (health), ==, 200);

  /* And a new fetch of the same share works. */
  g_assert_cmpint (run_fetch (fixture, fixture->share_url, &out, &err), ==, 0);
  got = g_build_filename (fixture->out, "album", "big.bin", NULL);
  assert_same_file (big, got);
  assert_tree (fixture->out, tree);
}

static void
test_sequential (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *file = ssync_test_write_random (fixture->src, "photo.raw", 4 * MIB);
  guint64 threads_first = 0, rss_first = 0, threads = 0, rss = 0, threads_max = 0;
  guint64 rss_warm = 0;

#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer keeps freed memory in quarantine, so resident memory says nothing about
   * leaks there; LeakSanitizer checks the server when it stops instead. */
  g_test_skip ("resident memory is meaningless under AddressSanitizer");
  return;
#endif

  share_src (fixture);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *got = g_build_filename (fixture->out, "album", "photo.raw", NULL);

      g_assert_cmpint (run_fetch (fixture, fixture->share_url, &out, &err), ==, 0);
      assert_same_file (file, got);
      g_assert_no_errno (g_unlink (got));

      /* Teardown runs on a worker thread after the connection closes: let it finish. */
      g_usleep (G_USEC_PER_SEC / 2);
      read_status (fixture->server.proc, &threads, &rss);
      threads_max = MAX (threads_max, threads);
      if (i == 0)
        {
          threads_first = threads;
          rss_first = rss;
        }
      /* The first sessions load GStreamer's plugins and fill the allocator's pools. */
      if (i == 2)
        rss_warm = rss;
      g_test_message ("session %u: %" G_GUINT64_FORMAT " threads, %" G_GUINT64_FORMAT
                      " KiB resident", i + 1, threads, rss);
    }

  g_printerr ("# 20 sequential sessions: threads %" G_GUINT64_FORMAT " after the first, %"
              G_GUINT64_FORMAT " after the last (max %" G_GUINT64_FORMAT "); resident %"
              G_GUINT64_FORMAT " KiB after the first, %" G_GUINT64_FORMAT " after the third, %"
              G_GUINT64_FORMAT " after the last\n",
              threads_first, threads, threads_max, rss_first, rss_warm, rss);
  /* A leaked pipeline keeps several threads (nice, DTLS, SCTP) and megabytes: bounds well
   * under one leaked session per fetch. */
  g_assert_cmpuint (threads, <=, threads_first + 4);
  g_assert_cmpuint (rss, <=, rss_warm + 16 * 1024);
}

static void
test_bad_links (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *file = ssync_test_write_random (fixture->src, "a.txt", 10);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *unknown = NULL;

  g_assert_cmpint (run_fetch (fixture, "ftp://example.org/s/abc", &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "is not a ShareSync share link"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Nothing listens on port 9 of loopback. */
  g_assert_cmpint (run_fetch (fixture, "http://127.0.0.1:9/s/abcdef", &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "sharesync: cannot reach the other ShareSync"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  share_src (fixture);
  unknown = g_strconcat (fixture->server.base, "/s/NoSuchToken000000000", NULL);
  g_assert_cmpint (run_fetch (fixture, unknown, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "Unknown share"));
  assert_tree (fixture->out, NULL);
}

/* Without one of GStreamer's plugins, --fetch says which and what to install. */
static void
test_missing_plugin (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *data_dir = g_build_filename (fixture->server.dir, "fetch-data", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "SHARESYNC_RTC_HIDE_PLUGIN", "sctp", TRUE);
  g_subprocess_launcher_setenv (launcher, "SHARESYNC_FETCH_OVER", "webrtc", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SSYNC_BIN"), "--headless",
                                      "--data-dir", data_dir, "--fetch",
                                      "http://127.0.0.1:9/s/abcdef", "--to", fixture->out, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (err, "GStreamer plugins missing (sctp)"));
  g_assert_nonnull (strstr (err, "gstreamer1.0-plugins-bad"));
  assert_tree (fixture->out, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/fetch/folder", Fixture, NULL, fixture_set_up, test_folder, fixture_tear_down);
  g_test_add ("/fetch/sharer-killed", Fixture, NULL, fixture_set_up, test_sharer_killed,
              fixture_tear_down);
  g_test_add ("/fetch/fetcher-killed", Fixture, NULL, fixture_set_up, test_fetcher_killed,
              fixture_tear_down);
  g_test_add ("/fetch/sequential", Fixture, NULL, fixture_set_up, test_sequential,
              fixture_tear_down);
  g_test_add ("/fetch/bad-links", Fixture, NULL, fixture_set_up, test_bad_links,
              fixture_tear_down);
  g_test_add ("/fetch/missing-plugin", Fixture, NULL, fixture_set_up, test_missing_plugin,
              fixture_tear_down);

  return g_test_run ();
}
