/* ssync-ui-test.h: helpers for the ui suite's tests.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget *ssync_ui_test_find_widget (GtkWidget  *widget,
                                      GType       type);
GtkWidget *ssync_ui_test_find_action (GtkWidget  *widget,
                                      const char *action);

G_END_DECLS
