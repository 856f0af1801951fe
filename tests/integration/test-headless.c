/* test-headless.c: the headless command line: help, version, bad usage, missing files,
 * and the first JSON lines of a good start.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>

typedef struct {
  int status;
  char *out;
  char *err;
} RunResult;

static void
run_result_clear (RunResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

static void
run (RunResult   *r,
     const char **args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;

  g_strv_builder_add (builder, g_getenv ("SSYNC_BIN"));
  g_strv_builder_addv (builder, args);
  argv = g_strv_builder_end (builder);

  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r->out, &r->err, &r->status,
                &error);
  g_assert_no_error (error);
}

static int
exit_code (RunResult *r)
{
  g_assert_true (WIFEXITED (r->status));
  return WEXITSTATUS (r->status);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

static void
test_help (void)
{
  const char *args[] = { "--help", NULL };
  RunResult r = { 0 };

  run (&r, args);
  g_assert_cmpint (exit_code (&r), ==, 0);
  g_assert_nonnull (strstr (r.out, "--headless"));
  g_assert_nonnull (strstr (r.out, "--port"));
  g_assert_nonnull (strstr (r.out, "--bind"));
  g_assert_nonnull (strstr (r.out, "--data-dir"));
  /* Sizes in the units they are shown in everywhere, said once. */
  g_assert_nonnull (strstr (r.out, "500M is 500,000,000 bytes"));
  g_assert_nonnull (strstr (r.out, "0 picks any free port"));
  g_assert_nonnull (strstr (r.out, "--password-file"));
  run_result_clear (&r);
}

static void
test_version (void)
{
  const char *args[] = { "--version", NULL };
  RunResult r = { 0 };

  run (&r, args);
  g_assert_cmpint (exit_code (&r), ==, 0);
  g_assert_cmpstr (r.out, ==, "sharesync " PACKAGE_VERSION "\n");
  run_result_clear (&r);
}

static void
test_bad_usage (void)
{
  const char *cases[][4] = {
    { "--headless", "--no-such-option", "x", NULL },
    { "--headless", "--max-upload-size", "5X", NULL },
    { "--headless", "--max-upload-size", "0", NULL },
    { "--headless", "--max-upload-size", "1.5Gb", NULL },
    { "--headless", NULL },
    { "--headless", "--port", "seventy", NULL },
    { "--headless", "--port", "70000", NULL },
    { "--headless", "--bind", "not an address", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RunResult r = { 0 };

      run (&r, cases[i]);
      g_test_message ("stderr: %s", r.err);
      g_assert_cmpint (exit_code (&r), ==, 2);
      g_assert_cmpuint (count_lines (r.err), ==, 1);
      g_assert_true (g_str_has_prefix (r.err, "sharesync: "));
      g_assert_cmpstr (r.out, ==, "");
      run_result_clear (&r);
    }
}

static void
test_missing_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ssync-cli-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "nope.txt", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  const char *args[] = { "--headless", "--port", "0", "--bind", "127.0.0.1", "--data-dir", data,
                         missing, NULL };
  RunResult r = { 0 };
  g_autofree char *expected = g_strdup_printf ("sharesync: cannot share %s: no such file or "
                                               "folder\n", missing);

  run (&r, args);
  g_assert_cmpint (exit_code (&r), ==, 1);
  g_assert_cmpstr (r.err, ==, expected);
  /* Checked before listening: a script reading the first line sees nothing started. */
  g_assert_cmpstr (r.out, ==, "");
  run_result_clear (&r);

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_cmpint (system (command), ==, 0);
  }
}

/* Runs @args: exit 1, @expected on stderr, nothing on stdout. */
static void
assert_fails_before_start (const char **args,
                           const char  *expected)
{
  RunResult r = { 0 };

  run (&r, args);
  g_assert_cmpint (exit_code (&r), ==, 1);
  g_assert_cmpstr (r.err, ==, expected);
  g_assert_cmpstr (r.out, ==, "");
  run_result_clear (&r);
}

/* --receive into a folder that is not there, or is a file (and --fetch --to one that is not
 * there): one lower-case line that says it once, exit 1, nothing on stdout (no "listening"
 * first). */
static void
test_missing_receive_folder (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ssync-cli-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "inbox", NULL);
  g_autofree char *file = g_build_filename (dir, "a.txt", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  const char *folders[] = { missing, file };
  const char *whys[] = { "no such folder", "not a folder" };

  g_assert_true (g_file_set_contents (file, "hi", -1, NULL));
  {
    const char *args[] = { "--headless", "--data-dir", data, "--fetch",
                           "http://127.0.0.1:9/s/abcdef", "--to", missing, NULL };
    g_autofree char *expected = g_strdup_printf ("sharesync: cannot save into %s: no such "
                                                 "folder\n", missing);

    assert_fails_before_start (args, expected);
  }
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      const char *args[] = { "--headless", "--port", "0", "--bind", "127.0.0.1", "--data-dir",
                             data, file, "--receive", folders[i], NULL };
      g_autofree char *expected = g_strdup_printf ("sharesync: cannot receive into %s: %s\n",
                                                   folders[i], whys[i]);

      assert_fails_before_start (args, expected);
    }

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_cmpint (system (command), ==, 0);
  }
}

static void
test_port_taken (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *dir = g_dir_make_tmp ("ssync-cli-XXXXXX", NULL);
  g_autofree char *port = NULL;
  g_autoptr(GError) error = NULL;
  guint16 taken;
  RunResult r = { 0 };

  taken = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  port = g_strdup_printf ("%u", taken);

  {
    const char *args[] = { "--headless", "--port", port, "--data-dir", dir, dir, NULL };

    run (&r, args);
  }

  g_assert_cmpint (exit_code (&r), ==, 1);
  g_assert_true (g_str_has_prefix (r.err, "sharesync: cannot listen on port"));
  g_assert_cmpuint (count_lines (r.err), ==, 1);
  run_result_clear (&r);

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_cmpint (system (command), ==, 0);
  }
}

static void
test_start_and_stop (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ssync-cli-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "a.txt", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *db = g_build_filename (data, "history.db", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  const char *events[] = { "listening", "share" };

  g_assert_true (g_file_set_contents (file, "hi", -1, NULL));
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("SSYNC_BIN"),
                           "--headless", "--port", "0", "--bind", "127.0.0.1", "--data-dir",
                           data, file, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *obj;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      node = json_from_string (line, &error);
      g_assert_no_error (error);
      obj = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (obj, "event"), ==, events[i]);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (obj, "url"),
                                       "http://127.0.0.1:"));
    }

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);

  /* The history outlived the process. */
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_cmpint (system (command), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/headless/help", test_help);
  g_test_add_func ("/headless/version", test_version);
  g_test_add_func ("/headless/bad-usage", test_bad_usage);
  g_test_add_func ("/headless/missing-file", test_missing_file);
  g_test_add_func ("/headless/missing-receive-folder", test_missing_receive_folder);
  g_test_add_func ("/headless/port-taken", test_port_taken);
  g_test_add_func ("/headless/start-and-stop", test_start_and_stop);

  return g_test_run ();
}
