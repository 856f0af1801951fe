/* ssync-s3rver.c: starts npm s3rver (from tests/node_modules, installed by build-aux/test)
 * on a free port with one bucket, and stops it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "ssync-s3rver.h"

/* s3rver must not outlive a test that crashed. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* With @cert and @key (PEM files), s3rver speaks HTTPS. */
void
ssync_s3rver_start_tls (SsyncS3rver *server,
                        const char  *cert,
                        const char  *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "node_modules",
                                              "s3rver", "bin", "s3rver.js", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  if (!g_file_test (script, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: run `npm ci` in tests/ (build-aux/test does)", script);

  server->dir = g_dir_make_tmp ("ssync-s3rver-XXXXXX", &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (cert != NULL)
    server->proc = g_subprocess_launcher_spawn (launcher, &error, "node", script, "-d",
                                                server->dir, "-a", "127.0.0.1", "-p", "0",
                                                "--silent", "--configure-bucket",
                                                SSYNC_S3RVER_BUCKET, "--cert", cert, "--key", key,
                                                NULL);
  else
    server->proc = g_subprocess_launcher_spawn (launcher, &error, "node", script, "-d",
                                                server->dir, "-a", "127.0.0.1", "-p", "0",
                                                "--silent", "--configure-bucket",
                                                SSYNC_S3RVER_BUCKET, NULL);
  g_assert_no_error (error);

  /* It prints "S3rver listening on 127.0.0.1:PORT" once it accepts requests. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      const char *at;

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("s3rver exited before it listened");
      at = strstr (line, "listening on ");
      if (at != NULL)
        {
          server->endpoint = g_strconcat (cert != NULL ? "https://" : "http://",
                                          at + strlen ("listening on "), NULL);
          break;
        }
    }
}

void
ssync_s3rver_stop (SsyncS3rver *server)
{
  g_autofree char *quoted = g_shell_quote (server->dir);
  g_autofree char *command = g_strconcat ("rm -rf ", quoted, NULL);

  g_subprocess_force_exit (server->proc);
  g_subprocess_wait (server->proc, NULL, NULL);
  g_clear_object (&server->proc);
  g_assert_cmpint (system (command), ==, 0);
  g_clear_pointer (&server->dir, g_free);
  g_clear_pointer (&server->endpoint, g_free);
}

void
ssync_s3rver_start (SsyncS3rver *server)
{
  ssync_s3rver_start_tls (server, NULL, NULL);
}
