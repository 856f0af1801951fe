/* main.c: the `sharesync` binary: the window when there is a display, headless otherwise.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>

#include "ssync-application.h"
#include "ssync-headless.h"

/* --headless asks for it; --help and --version are answered by the headless face, which
 * lists every option and needs no display. */
static gboolean
wants_headless (int    argc,
                char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    return TRUE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--headless") || g_str_equal (argv[i], "--version") ||
          g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h") ||
          g_str_equal (argv[i], "--help-all") || g_str_equal (argv[i], "-?"))
        return TRUE;
    }
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SsyncApplication) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* A write past a file size limit must fail with EFBIG and be reported like a full
   * disk, not kill the process. */
  signal (SIGXFSZ, SIG_IGN);

  if (wants_headless (argc, argv))
    return ssync_headless_run (argc, argv);

  /* Every FILE argument becomes part of one share, through GApplication's "open". */
  app = ssync_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  return status != 0 ? status : ssync_application_get_exit_status (app);
}
