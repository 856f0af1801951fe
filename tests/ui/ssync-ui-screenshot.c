/* ssync-ui-screenshot.c: see ssync-ui-screenshot.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ssync-ui-screenshot.h"

/* Runs the main loop for @ms milliseconds: long enough for GTK to lay out and draw. */
void
ssync_ui_iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Writes what @widget shows to $SSYNC_TEST_OUTPUT/NAME.png (nothing without the variable). */
void
ssync_ui_screenshot (GtkWidget  *widget,
                     const char *name)
{
  const char *dir = g_getenv ("SSYNC_TEST_OUTPUT");
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (dir == NULL || node == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, file, NULL);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}
