/* ssync-window-private.h: the window's state, shared by ssync-window.c and
 * ssync-window-actions.c.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-history-view.h"
#include "ssync-nearby-view.h"
#include "ssync-window.h"

G_BEGIN_DECLS

struct _SsyncWindow
{
  AdwApplicationWindow parent_instance;

  SsyncSession *session;
  GCancellable *cancellable;

  AdwViewSwitcherTitle *switcher_title;
  AdwToastOverlay *toast_overlay;
  AdwViewStack *view_stack;
  SsyncHistoryView *history_view;
  SsyncNearbyView *nearby_view;
  GtkStack *stack;
  GtkListView *list_view;
  GtkButton *add_button;
  GtkButton *receive_button;
  GtkButton *empty_add_button;
  GtkButton *empty_receive_button;
  GtkMenuButton *menu_button;

  /* Where the last "Receive From Link" saves, for its files' "Open Folder". */
  GFile *fetch_folder;

  /* The id of the last desktop notification sent, for tests. */
  char *last_notification;
};

void ssync_window_show_error       (SsyncWindow  *self,
                                    const char   *what,
                                    const GError *error);
void ssync_window_share_file_list  (SsyncWindow  *self,
                                    GSList       *list);
void ssync_window_share_list_model (SsyncWindow  *self,
                                    GListModel   *model);
void ssync_window_add_actions      (SsyncWindow  *self);

G_END_DECLS
