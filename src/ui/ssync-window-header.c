/* ssync-window-header.c: the window's header bar title and page switchers, the part of the
 * window that differs by libadwaita version. From 1.4 the pages sit in an AdwToolbarView with
 * an AdwViewSwitcher in the header bar, which a breakpoint swaps for the title and a bottom
 * AdwViewSwitcherBar on narrow widths; Debian 12's 1.2 has AdwViewSwitcherTitle for that.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

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
void
ssync_window_build_header (SsyncWindow *self)
{
  GtkWidget *title = adw_view_switcher_title_new ();
  GtkWidget *switcher_bar = adw_view_switcher_bar_new ();

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
