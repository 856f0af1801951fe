/* main.c: the `sharesync` binary.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>

#include "ssync-headless.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* A write past a file size limit must fail with EFBIG and be reported like a full
   * disk, not kill the process. */
  signal (SIGXFSZ, SIG_IGN);

  /* The window face comes with the ui layer; until then every start is headless. */
  return ssync_headless_run (argc, argv);
}
