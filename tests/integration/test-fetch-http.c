/* test-fetch-http.c: --fetch's HTTP fast path against a real headless sharer: a folder
 * (SHA-256, folders kept, the "http" path and kind in events and history), a password share
 * (a clear error without the password, no WebRTC; wrong, right, ended, too many tries), a fetch stopped by SIGTERM (no .part left), a port that
 * refuses (WebRTC is tried, unless fetch-over is "http"). The decision to fall back to
 * WebRTC is also tested on its own: no real sharer has a web server that refuses while its
 * signaling (same port) answers. test-fetch-http-hostile.c has the lying servers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-history.h"
#include "ssync-http-fetch.h"
#include "ssync-test-server.h"

#define MIB (1024 * 1024)

typedef struct {
  char *dir;
  char *out;
  const char *hidden_plugin;  /* for the fetching sharesync, or NULL */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-fetch-http-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->out = g_build_filename (fixture->dir, "out", NULL);
  g_assert_no_errno (g_mkdir (fixture->out, 0700));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->out);
}

/* The files under @dir, relative, sorted, one a line. */
static char *
list_tree (const char *dir)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *command = g_strdup_printf ("sh -c \"find %s -type f -printf '%%P\\n' | "
                                              "sort\"", quoted);
  char *listing = NULL;

  g_assert_true (g_spawn_command_line_sync (command, &listing, NULL, NULL, NULL));
  return g_strstrip (listing);
}

/* When the fetch goes on over WebRTC: only when nothing answered, and not when told not
 * to. */
static void
test_fall_back_decision (void)
{
  g_autoptr(GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                   "refused");
  g_autoptr(GError) timed_out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow");
  g_autoptr(GError) no_name = g_error_new_literal (G_RESOLVER_ERROR,
                                                   G_RESOLVER_ERROR_NOT_FOUND, "none");
  g_autoptr(GError) tls = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "x");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autoptr(GError) unreachable = g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                                                       "x");
  g_autoptr(GError) password = g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED, "x");
  g_autoptr(GError) lying = g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_FAILED, "x");

  g_assert_true (ssync_http_fetch_is_unreachable (refused));
  g_assert_true (ssync_http_fetch_is_unreachable (timed_out));
  g_assert_true (ssync_http_fetch_is_unreachable (no_name));
  g_assert_false (ssync_http_fetch_is_unreachable (tls));
  g_assert_false (ssync_http_fetch_is_unreachable (cancelled));
  g_assert_false (ssync_http_fetch_is_unreachable (NULL));

  g_assert_true (ssync_http_fetch_should_fall_back ("auto", unreachable));
  g_assert_true (ssync_http_fetch_should_fall_back (NULL, unreachable));
  g_assert_false (ssync_http_fetch_should_fall_back ("http", unreachable));
  g_assert_false (ssync_http_fetch_should_fall_back ("auto", password));
  g_assert_false (ssync_http_fetch_should_fall_back ("auto", lying));
  g_assert_false (ssync_http_fetch_should_fall_back ("auto", cancelled));
}

/* Runs `sharesync --headless --fetch URL --to fixture->out` with @fetch_over (or none). */
static int
run_headless_fetch (Fixture     *fixture,
                    const char  *url,
                    const char  *fetch_over,
                    char       **out,
                    char       **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *data = g_build_filename (fixture->dir, "fetch-data", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  if (fetch_over != NULL)
    g_subprocess_launcher_setenv (launcher, "SHARESYNC_FETCH_OVER", fetch_over, TRUE);
  if (fixture->hidden_plugin != NULL)
    g_subprocess_launcher_setenv (launcher, "SHARESYNC_RTC_HIDE_PLUGIN", fixture->hidden_plugin,
                                  TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SSYNC_BIN"), "--headless",
                                      "--data-dir", data, "--fetch", url, "--to", fixture->out,
                                      NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("fetch stdout: %s\nstderr: %s", *out, *err);
  return g_subprocess_get_exit_status (proc);
}

/* run_headless_fetch() with `--password-file FILE` holding @password, or with
 * `--password-file -` and @password on standard input when @on_stdin. */
static int
run_headless_fetch_with_password (Fixture     *fixture,
                                  const char  *url,
                                  const char  *password,
                                  gboolean     on_stdin,
                                  char       **out,
                                  char       **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
    G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *data = g_build_filename (fixture->dir, "fetch-data", NULL);
  g_autofree char *file = g_build_filename (fixture->dir, "password.txt", NULL);
  g_autofree char *line = g_strconcat (password, "\n", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (file, line, -1, &error);
  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "SHARESYNC_FETCH_OVER", "http", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SSYNC_BIN"), "--headless",
                                      "--data-dir", data, "--fetch", url, "--to", fixture->out,
                                      "--password-file", on_stdin ? "-" : file, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, on_stdin ? line : NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("fetch stdout: %s\nstderr: %s", *out, *err);
  return g_subprocess_get_exit_status (proc);
}

static void
test_headless (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *src = g_build_filename (fixture->dir, "album", NULL);
  g_autofree char *top = ssync_test_write_random (src, "cover.jpg", 3 * MIB + 17);
  g_autofree char *deep = ssync_test_write_random (src, "disc 1/Grüße/track.flac", MIB);
  g_autofree char *empty = ssync_test_write_random (src, "disc 2/empty", 0);
  g_autofree char *fetch_db = g_build_filename (fixture->dir, "fetch-data", "history.db",
                                                NULL);
  const char *args[] = { src, NULL };
  SsyncTestServer sharer = { .dir = fixture->dir };
  g_autoptr(JsonObject) share = NULL;
  g_autoptr(SsyncHistory) history = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tree = NULL;

  ssync_test_server_start (&sharer, NULL, args);
  share = ssync_test_server_read_event (&sharer, "share");
  g_assert_cmpint (run_headless_fetch (fixture, json_object_get_string_member (share, "url"),
                                       NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "\"event\":\"fetch-finished\",\"files\":3,\"path\":\"http\""));
  g_assert_nonnull (strstr (out, "\"kind\":\"http\""));
  g_assert_null (strstr (out, "\"kind\":\"webrtc\""));
  tree = list_tree (fixture->out);
  g_assert_cmpstr (tree, ==, "album/cover.jpg\nalbum/disc 1/Grüße/track.flac\n"
                             "album/disc 2/empty");

  history = ssync_history_open (fetch_db, &error);
  g_assert_no_error (error);
  rows = ssync_history_list_transfers (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < rows->len; i++)
    {
      SsyncTransferRecord *row = g_ptr_array_index (rows, i);
      const char *source = g_str_has_suffix (row->file_name, "cover.jpg") ? top
        : g_str_has_suffix (row->file_name, "track.flac") ? deep : empty;
      g_autofree char *sum = ssync_test_sha256_of_file (source);
      g_autofree char *got = g_build_filename (fixture->out, row->file_name, NULL);
      g_autofree char *got_sum = ssync_test_sha256_of_file (got);

      g_assert_cmpint (row->kind, ==, SSYNC_TRANSFER_KIND_HTTP);
      g_assert_cmpint (row->direction, ==, SSYNC_DIRECTION_UPLOAD);
      g_assert_cmpint (row->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
      g_assert_cmpstr (row->sha256, ==, sum);
      g_assert_cmpstr (got_sum, ==, sum);
    }
  g_assert_cmpint (ssync_test_server_stop (&sharer), ==, 0);
}

/* HTTP needs none of GStreamer's plugins: a machine without them still fetches. */
static void
test_headless_without_webrtc (Fixture       *fixture,
                              gconstpointer  data)
{
  fixture->hidden_plugin = "sctp";
  test_headless (fixture, data);
}

/* A password share: without its password a clear error from its web server (and no try
 * over WebRTC); with a wrong one (--password-file, kept off the command line) "wrong
 * password"; with the right one (on standard input) the file; once it ended, "ended"; after
 * too many wrong ones, the time to wait. */
static void
test_headless_password (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *file = ssync_test_write_random (fixture->dir, "secret.txt", 100);
  g_autofree char *arrived = g_build_filename (fixture->out, "secret.txt", NULL);
  g_autofree char *sent_sha = NULL;
  g_autofree char *arrived_sha = NULL;
  const char *args[] = { "--password", "hunter2", "--max-downloads", "1", file, NULL };
  const char *second_args[] = { "--password", "hunter2", file, NULL };
  SsyncTestServer sharer = { .dir = fixture->dir };
  SsyncTestServer second = { .dir = fixture->dir };
  g_autoptr(JsonObject) share = NULL;
  g_autoptr(JsonObject) second_share = NULL;
  const char *url;
  int status = 0;

  ssync_test_server_start (&sharer, NULL, args);
  share = ssync_test_server_read_event (&sharer, "share");
  url = json_object_get_string_member (share, "url");
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *tree = NULL;

    g_assert_cmpint (run_headless_fetch (fixture, url, NULL, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "protected by a password"));
    tree = list_tree (fixture->out);
    g_assert_cmpstr (tree, ==, "");
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_headless_fetch_with_password (fixture, url, "hunter3", FALSE, &out,
                                                       &err), ==, 1);
    g_assert_cmpstr (err, ==, "sharesync: wrong password for this share\n");
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_headless_fetch_with_password (fixture, url, "hunter2", TRUE, &out,
                                                       &err), ==, 0);
    sent_sha = ssync_test_sha256_of_file (file);
    arrived_sha = ssync_test_sha256_of_file (arrived);
    g_assert_cmpstr (arrived_sha, ==, sent_sha);
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    /* The one download allowed was that one: the share ended a moment later. */
    for (guint i = 0; i < 50; i++)
      {
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
        g_assert_no_errno (g_remove (arrived));
        status = run_headless_fetch_with_password (fixture, url, "hunter2", FALSE, &out, &err);
        if (strstr (err, "ended") != NULL)
          break;
        g_usleep (100 * 1000);
      }
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "sharesync: this share has ended"));
  }
  g_assert_cmpint (ssync_test_server_stop (&sharer), ==, 0);

  ssync_test_server_start (&second, NULL, second_args);
  second_share = ssync_test_server_read_event (&second, "share");
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      status = run_headless_fetch_with_password (fixture,
                                                 json_object_get_string_member (second_share,
                                                                                "url"),
                                                 "guess", FALSE, &out, &err);
      g_assert_cmpint (status, ==, 1);
      if (i < 5)
        g_assert_nonnull (strstr (err, "sharesync: wrong password"));
      else
        {
          g_assert_true (g_str_has_prefix (err, "sharesync: too many wrong passwords: try "
                                                "again in "));
          break;
        }
    }
  g_assert_cmpint (ssync_test_server_stop (&second), ==, 0);
}

/* Stopped by a signal mid-file: the fetch ends cancelled, and no .part stays behind. */
static void
test_headless_stopped (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *big = ssync_test_write_random (fixture->dir, "big.bin", 256 * MIB);
  g_autofree char *fetch_data = g_build_filename (fixture->dir, "fetch-data", NULL);
  const char *args[] = { big, NULL };
  SsyncTestServer sharer = { .dir = fixture->dir };
  g_autoptr(JsonObject) share = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *tree = NULL;

  ssync_test_server_start (&sharer, NULL, args);
  share = ssync_test_server_read_event (&sharer, "share");
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("SSYNC_BIN"),
                           "--headless", "--data-dir", fetch_data, "--fetch",
                           json_object_get_string_member (share, "url"), "--to", fixture->out,
                           NULL);
  g_assert_no_error (error);
  events = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  do
    {
      g_free (line);
      line = g_data_input_stream_read_line_utf8 (events, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
    }
  while (strstr (line, "\"event\":\"upload-progress\"") == NULL);
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  tree = list_tree (fixture->out);
  g_assert_cmpstr (tree, ==, "");
  g_assert_cmpint (ssync_test_server_stop (&sharer), ==, 0);
}

/* Nothing listens: the fetch tries WebRTC (whose error names the signaling), unless
 * fetch-over says "http". */
static void
test_headless_unreachable (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out_http = NULL;
  g_autofree char *err_http = NULL;

  g_assert_cmpint (run_headless_fetch (fixture, "http://127.0.0.1:9/s/abcdef", NULL, &out,
                                       &err), ==, 1);
  g_assert_nonnull (strstr (err, "sharesync: cannot reach the other ShareSync at http://127.0.0.1:9"));
  g_assert_cmpint (run_headless_fetch (fixture, "http://127.0.0.1:9/s/abcdef", "http",
                                       &out_http, &err_http), ==, 1);
  g_assert_nonnull (strstr (err_http, "sharesync: cannot reach the other ShareSync’s web server"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/fetch-http/headless", test_headless);
  ADD ("/fetch-http/headless-without-webrtc", test_headless_without_webrtc);
  ADD ("/fetch-http/headless-password", test_headless_password);
  ADD ("/fetch-http/headless-unreachable", test_headless_unreachable);
  ADD ("/fetch-http/headless-stopped", test_headless_stopped);
  g_test_add_func ("/fetch-http/fall-back-decision", test_fall_back_decision);

  return g_test_run ();
}
