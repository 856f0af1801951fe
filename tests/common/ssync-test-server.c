/* ssync-test-server.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>

#include "ssync-test-server.h"

/* The reports a sanitizer-built or valgrind-run server writes go to files in the test's
 * folder, named by the prefix and the server's pid, so that they are found even when the
 * server's exit status is not looked at, and none can be missed in a long stderr. */
#define SANITIZER_LOG "sanitizer"
#define VALGRIND_LOG "valgrind"

static gboolean
under_valgrind (void)
{
  return g_strcmp0 (g_getenv ("SSYNC_TEST_VALGRIND"), "1") == 0;
}

/* Adds log_path to the sanitizer options the server inherits from the test. */
static void
set_sanitizer_log (GSubprocessLauncher *launcher,
                   const char          *dir)
{
  static const char * const variables[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS" };
  g_autofree char *log = g_build_filename (dir, SANITIZER_LOG, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      const char *inherited = g_getenv (variables[i]);
      g_autofree char *options = g_strdup_printf ("%s%slog_path=%s",
                                                  inherited != NULL ? inherited : "",
                                                  inherited != NULL ? ":" : "", log);

      g_subprocess_launcher_setenv (launcher, variables[i], options, TRUE);
    }
}

/* Whether a valgrind log holds an error: its summary counts more than none. */
static gboolean
valgrind_log_has_errors (const char *contents)
{
  const char *summary = g_strrstr (contents, "ERROR SUMMARY: ");

  return summary != NULL && !g_str_has_prefix (summary, "ERROR SUMMARY: 0 errors");
}

/* Prints every report a server of this test wrote, removes it, and fails the test if there
 * was one: a leak, an invalid access or undefined behaviour in the server is a bug even when
 * the request that caused it got the right answer. */
static void
check_reports (SsyncTestServer *server)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint reports = 0;

  if (server->dir == NULL || (dir = g_dir_open (server->dir, 0, NULL)) == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      gboolean sanitizer = g_str_has_prefix (name, SANITIZER_LOG ".");

      if (!sanitizer && !g_str_has_prefix (name, VALGRIND_LOG "."))
        continue;
      path = g_build_filename (server->dir, name, NULL);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      if (sanitizer || valgrind_log_has_errors (contents))
        {
          g_printerr ("The server reported (%s):\n%s\n", name, contents);
          reports++;
        }
      g_unlink (path);
    }

  g_assert_cmpuint (reports, ==, 0);
}

/* In the server, before it runs: it dies with the test, so that a failed assertion does not
 * leave it running (holding the test's output open until meson's timeout), and it gets its
 * "full disk" when the test asks for one. */
static void
set_up_child (gpointer user_data)
{
  guint64 file_size_limit = *(guint64 *) user_data;

  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (file_size_limit > 0)
    {
      struct rlimit limit;

      limit.rlim_cur = limit.rlim_max = file_size_limit;
      setrlimit (RLIMIT_FSIZE, &limit);
    }
}

/* Starts $SSYNC_BIN --headless on 127.0.0.1, any port, with a data dir in a new temporary
 * folder, then @args; @env holds NAME=VALUE pairs. Returns once it listens. */
void
ssync_test_server_start (SsyncTestServer    *server,
                         const char * const *env,
                         const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) command = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) listening = NULL;
  g_autofree char *data = NULL;
  const char *url;

  if (server->dir == NULL)
    {
      server->dir = g_dir_make_tmp ("ssync-test-XXXXXX", &error);
      g_assert_no_error (error);
    }
  data = g_build_filename (server->dir, "data", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A receive share would also receive from nearby devices, announcing itself on the LAN:
   * tests that want that say so (the nearby suite). */
  g_subprocess_launcher_setenv (launcher, "SHARESYNC_NEARBY", "0", TRUE);

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');
      g_autofree char *name = g_strndup (env[i], eq - env[i]);

      g_subprocess_launcher_setenv (launcher, name, eq + 1, TRUE);
    }

  g_subprocess_launcher_set_child_setup (launcher, set_up_child, &server->file_size_limit, NULL);

  set_sanitizer_log (launcher, server->dir);
  if (under_valgrind ())
    {
      /* Only definite leaks are errors: GLib's type system and libraries keep what they
       * allocate once reachable until exit, which valgrind calls "still reachable". */
      g_autofree char *suppressions = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "sanitizers",
                                                        "valgrind.supp", NULL);
      g_autofree char *log = g_build_filename (server->dir, VALGRIND_LOG ".%p", NULL);
      g_autofree char *suppressions_arg = g_strconcat ("--suppressions=", suppressions, NULL);
      g_autofree char *log_arg = g_strconcat ("--log-file=", log, NULL);

      g_subprocess_launcher_setenv (launcher, "G_SLICE", "always-malloc", TRUE);
      g_strv_builder_add_many (argv, "valgrind", "--leak-check=full",
                               "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
                               "--error-exitcode=99", "--num-callers=30", suppressions_arg,
                               log_arg, NULL);
    }

  g_strv_builder_add_many (argv, g_getenv ("SSYNC_BIN"), "--headless", "--port", "0",
                           "--bind", "127.0.0.1", "--data-dir", data, NULL);
  g_strv_builder_addv (argv, (const char **) args);
  command = g_strv_builder_end (argv);

  server->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) command, &error);
  g_assert_no_error (error);
  server->events = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));

  listening = ssync_test_server_read_event (server, "listening");
  url = json_object_get_string_member (listening, "url");
  server->base = g_strndup (url, strlen (url) - 1);
}

/* Reads events until one named @wanted; fails the test if the process ends first. */
JsonObject *
ssync_test_server_read_event (SsyncTestServer *server,
                              const char      *wanted)
{
  while (TRUE)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (server->events, NULL, NULL,
                                                                  &error);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *obj;

      g_assert_no_error (error);
      if (line == NULL)
        check_reports (server);
      g_assert_nonnull (line);
      node = json_from_string (line, &error);
      g_assert_no_error (error);
      obj = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member (obj, "event"), wanted) == 0)
        return json_object_ref (obj);
    }
}

/* SIGTERM, then waits; returns the exit status. The temporary folder goes too. Fails the test
 * when the server reported a sanitizer or valgrind error. */
static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

/* Waits for the server to exit after SIGTERM. One that does not within a minute (ten under
 * valgrind) is a bug of its shutdown: its threads' stacks go to the test log (gdb), then it
 * is killed and the test fails, instead of hanging until meson's timeout says nothing. */
static void
wait_or_report (SsyncTestServer *server)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  gint64 deadline = g_get_monotonic_time () + (under_valgrind () ? 600 : 60) * G_USEC_PER_SEC;
  gboolean exited = FALSE;

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (server->proc, NULL, on_exited, &exited);
  while (!exited && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (context, FALSE))
      g_usleep (10000);
  if (!exited)
    {
      g_autofree char *pid = g_strdup (g_subprocess_get_identifier (server->proc));
      const char *argv[] = { "gdb", "-p", pid, "-batch", "-ex", "thread apply all bt", NULL };
      g_autofree char *stacks = NULL;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                    NULL, NULL, &stacks, NULL, NULL, NULL);
      g_test_message ("the server did not stop after SIGTERM; its threads:\n%s",
                      stacks != NULL ? stacks : "(gdb is not installed)");
      g_subprocess_force_exit (server->proc);
      while (!exited)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
}

int
ssync_test_server_stop (SsyncTestServer *server)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (server->proc != NULL)
    {
      g_subprocess_send_signal (server->proc, SIGTERM);
      wait_or_report (server);
      check_reports (server);
      g_assert_true (g_subprocess_get_if_exited (server->proc));
      status = g_subprocess_get_exit_status (server->proc);
      /* valgrind's own exit status for errors, in case its log could not be written. */
      if (under_valgrind ())
        g_assert_cmpint (status, ==, 0);
    }

  g_clear_object (&server->events);
  g_clear_object (&server->proc);
  g_clear_pointer (&server->base, g_free);
  return status;
}

char *
ssync_test_write_random (const char *dir,
                         const char *path,
                         gsize       size)
{
  g_autofree char *full = g_build_filename (dir, path, NULL);
  g_autofree char *parent = g_path_get_dirname (full);
  g_autofree guint32 *data = g_malloc (size + 4);
  g_autoptr(GRand) rand = g_rand_new_with_seed (size);

  for (gsize i = 0; i < size / 4 + 1; i++)
    data[i] = g_rand_int (rand);

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  g_assert_true (g_file_set_contents (full, (const char *) data, size, NULL));
  return g_steal_pointer (&full);
}

char *
ssync_test_sha256_of_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, len);
}

void
ssync_test_remove_tree (const char *dir)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *command = g_strconcat ("rm -rf ", quoted, NULL);

  g_assert_cmpint (system (command), ==, 0);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @condition holds; fails the test after @seconds. */
void
ssync_test_wait (SsyncTestCondition condition,
                 gconstpointer      data,
                 guint              seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, on_wait_timeout, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

static gboolean
flag_is_set (gconstpointer data)
{
  return *(const gboolean *) data;
}

/* Iterates the main context until *@done is TRUE; fails the test after @seconds. */
void
ssync_test_wait_until (const gboolean *done,
                       guint           seconds)
{
  ssync_test_wait (flag_is_set, done, seconds);
}

/* Iterates the main context for @ms milliseconds. */
void
ssync_test_wait_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_wait_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* A plain TCP connection to @server, for requests no HTTP client would send. */
GSocketConnection *
ssync_test_connect_raw (SsyncTestServer *server)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn;

  conn = g_socket_client_connect_to_uri (client, server->base, 0, NULL, &error);
  g_assert_no_error (error);
  return conn;
}

/* Writes @request as it is and reads until the server closes; returns what it said. */
char *
ssync_test_raw_request (GSocketConnection *conn,
                        const char        *request)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_autoptr(GString) reply = g_string_new (NULL);
  char buf[4096];
  gssize n;

  g_assert_true (g_output_stream_write_all (out, request, strlen (request), NULL, NULL, NULL));
  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    g_string_append_len (reply, buf, n);

  return g_string_free (g_steal_pointer (&reply), FALSE);
}
