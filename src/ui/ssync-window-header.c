/* ssync-window-header.c: the window's header bar title and page switchers, the part of the
 * window that differs by libadwaita version. From 1.4 the pages sit in an AdwToolbarView with
 * an AdwViewSwitcher in the header bar, which a breakpoint swaps for the title and a bottom
 * AdwViewSwitcherBar on narrow widths; Debian 12's 1.2 has AdwViewSwitcherTitle for that.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <string.h>

#include "ssync-window-private.h"

#if ADW_CHECK_VERSION (1, 4, 0)
/* libadwaita 1.4 API, used only behind its version check: the build pins
 * ADW_VERSION_MAX_ALLOWED to Debian 12's 1.2, which would otherwise warn here. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
void
ssync_window_build_header (SsyncWindow *self)
{
  g_autoptr(GtkWidget) header_bar = g_object_ref (GTK_WIDGET (self->header_bar));
  g_autoptr(GtkWidget) view_stack = g_object_ref (GTK_WIDGET (self->view_stack));
  AdwToolbarView *toolbar = ADW_TOOLBAR_VIEW (adw_toolbar_view_new ());
  GtkWidget *switcher = adw_view_switcher_new ();
  GtkWidget *switcher_bar = adw_view_switcher_bar_new ();
  AdwBreakpoint *breakpoint;

  gtk_box_remove (self->content_box, header_bar);
  gtk_box_remove (self->content_box, view_stack);
  adw_toolbar_view_add_top_bar (toolbar, header_bar);
  adw_toolbar_view_set_content (toolbar, view_stack);
  adw_toolbar_view_add_bottom_bar (toolbar, switcher_bar);
  adw_toast_overlay_set_child (self->toast_overlay, GTK_WIDGET (toolbar));
  self->content_box = NULL;

  adw_view_switcher_set_stack (ADW_VIEW_SWITCHER (switcher), self->view_stack);
  adw_view_switcher_set_policy (ADW_VIEW_SWITCHER (switcher), ADW_VIEW_SWITCHER_POLICY_WIDE);
  adw_header_bar_set_title_widget (self->header_bar, switcher);
  adw_view_switcher_bar_set_stack (ADW_VIEW_SWITCHER_BAR (switcher_bar), self->view_stack);

  /* The breakpoint's setters hold the narrow title (and the switcher while it is out of the
   * header bar) for the window's lifetime. */
  self->window_title = adw_window_title_new ("ShareSync", NULL);
  breakpoint = adw_breakpoint_new (adw_breakpoint_condition_parse ("max-width: 550sp"));
  /* The header's buttons keep only their icons (and tooltips) there, so that the window's
   * narrowest width still holds the header bar. */
  adw_breakpoint_add_setters (breakpoint,
                              G_OBJECT (self->header_bar), "title-widget", self->window_title,
                              G_OBJECT (switcher_bar), "reveal", TRUE,
                              G_OBJECT (gtk_button_get_child (self->add_button)), "label", "",
                              G_OBJECT (gtk_button_get_child (self->receive_button)), "label",
                              "",
                              NULL);
  adw_application_window_add_breakpoint (ADW_APPLICATION_WINDOW (self), breakpoint);
}

void
ssync_window_set_header_subtitle (SsyncWindow *self,
                                  const char  *subtitle)
{
  adw_window_title_set_subtitle (ADW_WINDOW_TITLE (self->window_title), subtitle);
}
G_GNUC_END_IGNORE_DEPRECATIONS
#else
/* The icon-only twin of a header button: same action, icon and tooltip, and the button's
 * label as its accessible name. */
static GtkWidget *
icon_twin (GtkButton *button)
{
  AdwButtonContent *content = ADW_BUTTON_CONTENT (gtk_button_get_child (button));
  GtkWidget *twin = gtk_button_new_from_icon_name (adw_button_content_get_icon_name (content));
  g_autofree char *label = g_strdup (adw_button_content_get_label (content));
  char *underscore;

  /* "_Add Files" → "Add Files" */
  while ((underscore = strchr (label, '_')) != NULL)
    memmove (underscore, underscore + 1, strlen (underscore));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (twin),
                                  gtk_actionable_get_action_name (GTK_ACTIONABLE (button)));
  gtk_widget_set_tooltip_text (twin, gtk_widget_get_tooltip_text (GTK_WIDGET (button)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (twin), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_widget_get_tooltip_text (GTK_WIDGET (button)), -1);
  return twin;
}

/* Below this width the header's buttons may lose their labels, as the breakpoint of newer
 * libadwaita versions does (550sp). */
#define NARROW_WIDTH 550

/* Wide windows keep the labels: the icon-only twins are only offered to the squeezer (which
 * would pick them as soon as the centred title wants the room) below NARROW_WIDTH. Offering
 * them is also what lets the window get narrower than the labels. The width is the
 * surface's once there is one, so that a maximized or tiled window (a phone's) counts as
 * what it is, not as its default size. */
static void
update_header_buttons (GtkWidget *narrow)
{
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (narrow));
  GdkSurface *surface = window != NULL ? gtk_native_get_surface (GTK_NATIVE (window)) : NULL;
  int width = 0, height = 0;

  /* Either narrow: the size asked for (which the labels would keep the window from) or
   * the one the surface got. */
  if (window != NULL)
    gtk_window_get_default_size (window, &width, &height);
  if (surface != NULL && gdk_surface_get_width (surface) > 0)
    width = width > 0 ? MIN (width, gdk_surface_get_width (surface))
                      : gdk_surface_get_width (surface);
  gtk_widget_set_visible (narrow, width > 0 && width < NARROW_WIDTH);
}

static void
on_window_realized (GtkWidget *window,
                    GtkWidget *narrow)
{
  g_signal_connect_object (gtk_native_get_surface (GTK_NATIVE (window)), "notify::width",
                           G_CALLBACK (update_header_buttons), narrow, G_CONNECT_SWAPPED);
  update_header_buttons (narrow);
}

/* Debian 12's libadwaita has no breakpoints: a squeezer shows the labelled header buttons
 * while they fit and their icon-only twins when they do not, so that the window goes down to
 * 360 pixels (GNOME's narrowest phone) instead of the labels' 500. */
static void
squeeze_header_buttons (SsyncWindow *self)
{
  GtkWidget *squeezer = adw_squeezer_new ();
  GtkWidget *wide = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *narrow = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkButton *buttons[] = { self->add_button, self->receive_button };

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      g_autoptr(GtkWidget) button = g_object_ref (GTK_WIDGET (buttons[i]));

      adw_header_bar_remove (self->header_bar, button);
      gtk_box_append (GTK_BOX (wide), button);
      gtk_box_append (GTK_BOX (narrow), icon_twin (buttons[i]));
    }
  adw_squeezer_set_homogeneous (ADW_SQUEEZER (squeezer), FALSE);
  adw_squeezer_set_transition_type (ADW_SQUEEZER (squeezer), ADW_SQUEEZER_TRANSITION_TYPE_NONE);
  adw_squeezer_add (ADW_SQUEEZER (squeezer), wide);
  adw_squeezer_add (ADW_SQUEEZER (squeezer), narrow);
  adw_header_bar_pack_start (self->header_bar, squeezer);
  g_signal_connect_object (self, "notify::default-width", G_CALLBACK (update_header_buttons),
                           narrow, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "realize", G_CALLBACK (on_window_realized), narrow, 0);
  update_header_buttons (narrow);
}

void
ssync_window_build_header (SsyncWindow *self)
{
  GtkWidget *title = adw_view_switcher_title_new ();
  GtkWidget *switcher_bar = adw_view_switcher_bar_new ();

  squeeze_header_buttons (self);

  adw_view_switcher_title_set_stack (ADW_VIEW_SWITCHER_TITLE (title), self->view_stack);
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (title), "ShareSync");
  adw_header_bar_set_title_widget (self->header_bar, title);
  adw_view_switcher_bar_set_stack (ADW_VIEW_SWITCHER_BAR (switcher_bar), self->view_stack);
  /* The title shows the switcher while it fits; when it does not, the bar at the bottom. */
  g_object_bind_property (title, "title-visible", switcher_bar, "reveal", G_BINDING_SYNC_CREATE);
  gtk_box_append (self->content_box, switcher_bar);
  self->window_title = title;
}

void
ssync_window_set_header_subtitle (SsyncWindow *self,
                                  const char  *subtitle)
{
  adw_view_switcher_title_set_subtitle (ADW_VIEW_SWITCHER_TITLE (self->window_title), subtitle);
}
#endif
