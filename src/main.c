/* main.c: the `sharesync` binary: the window when there is a display, headless otherwise.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <gmodule.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>

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

typedef int (*FaceRun) (int argc, char **argv);

/* The window face lives in a module beside the binary in a build tree, and in PKGLIBDIR
 * once installed. */
static int
run_window_face (int    argc,
                 char **argv)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *exe_dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  const char *dirs[] = { exe_dir, PKGLIBDIR };
  GModule *module = NULL;
  FaceRun run = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (dirs) && module == NULL; i++)
    {
      g_autofree char *path = NULL;

      if (dirs[i] == NULL)
        continue;
      /* g_module_build_path() is deprecated (GLib 2.76): ShareSync runs on Linux only, where
       * meson names the module this way. */
      path = g_build_filename (dirs[i], "libsharesync-window.so", NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        module = g_module_open (path, G_MODULE_BIND_LOCAL);
    }

  if (module == NULL || !g_module_symbol (module, "ssync_window_face_run", (gpointer *) &run))
    {
      g_printerr (_("sharesync: the window cannot be shown (%s); run with --headless\n"),
                  module == NULL ? _("libsharesync-window.so is missing") : g_module_error ());
      return 1;
    }

  return run (argc, argv);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("SHARESYNC_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* SHARESYNC_LOCALEDIR runs a build tree in its own translations (_build/po), before they
   * are installed: build-aux/screenshots takes the German screenshots that way. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* A write past a file size limit must fail with EFBIG and be reported like a full
   * disk, not kill the process. */
  signal (SIGXFSZ, SIG_IGN);

  if (wants_headless (argc, argv))
    return ssync_headless_run (argc, argv);

  return run_window_face (argc, argv);
}
