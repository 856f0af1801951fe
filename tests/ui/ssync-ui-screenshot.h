/* ssync-ui-screenshot.h: what the ui tests of issue 14 share: waiting on the main loop, and
 * writing what a widget shows as a PNG into $SSYNC_TEST_OUTPUT.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void ssync_ui_iterate_for (guint       ms);
void ssync_ui_screenshot  (GtkWidget  *widget,
                           const char *name);

G_END_DECLS
