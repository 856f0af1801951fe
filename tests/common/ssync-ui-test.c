/* ssync-ui-test.c: helpers for the ui suite's tests.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ssync-ui-test.h"

/* The first widget of @widget's tree (depth first, @widget included) that @matches, or
 * NULL. */
static GtkWidget *
find_first (GtkWidget *widget,
            gboolean (*matches) (GtkWidget *widget, gconstpointer data),
            gconstpointer data)
{
  if (matches (widget, data))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_first (child, matches, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static gboolean
has_action (GtkWidget     *widget,
            gconstpointer  data)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

/* The first widget of @type in @widget's tree (depth first, @widget included), or NULL. */
GtkWidget *
ssync_ui_test_find_widget (GtkWidget *widget,
                           GType      type)
{
  return find_first (widget, is_of_type, GSIZE_TO_POINTER (type));
}

/* The first widget in @widget's tree whose action is @action (a button's), or NULL. */
GtkWidget *
ssync_ui_test_find_action (GtkWidget  *widget,
                           const char *action)
{
  return find_first (widget, has_action, action);
}
