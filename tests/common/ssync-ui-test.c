/* ssync-ui-test.c: helpers for the ui suite's tests.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ssync-ui-test.h"

/* The first widget of @type in @widget's tree (depth first, @widget included), or NULL. */
GtkWidget *
ssync_ui_test_find_widget (GtkWidget *widget,
                           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ssync_ui_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}
