/* ssync-window-face.c: the entry point of the window face, a module that `sharesync` opens
 * only when it shows a window.
 *
 * Keeping GTK and libadwaita out of the binary itself means the headless face never maps
 * them: linked in, their pages added 7 MiB to the resident memory of a headless server
 * (tests/bench/bench-downloads.py, 50 clients: 29 MiB without them, 36 MiB with them).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include "ssync-application.h"

int ssync_window_face_run (int    argc,
                           char **argv);

/* Runs the application with the window; every FILE argument becomes part of one share,
 * through GApplication's "open". */
G_MODULE_EXPORT int
ssync_window_face_run (int    argc,
                       char **argv)
{
  g_autoptr(SsyncApplication) app = ssync_application_new ();
  int status = g_application_run (G_APPLICATION (app), argc, argv);

  return status != 0 ? status : ssync_application_get_exit_status (app);
}
