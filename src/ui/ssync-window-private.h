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

  AdwToastOverlay *toast_overlay;
  GtkBox *content_box;
  AdwHeaderBar *header_bar;
  /* What shows the title and the subtitle: an AdwViewSwitcherTitle before libadwaita 1.4,
   * else the AdwWindowTitle of narrow widths (ssync-window-header.c). */
  GtkWidget *window_title;
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

  /* The cards the list shows (SsyncShare): the session's shares, those that ended until
   * dismissed, less those whose "Stop Sharing" toast still offers Undo. */
  GListStore *cards;
  GHashTable *ended;     /* SsyncShare whose card shows it ended */
  GPtrArray *stopping;   /* shares stopped from their card, until the toast goes */

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
void ssync_window_build_header     (SsyncWindow  *self);
void ssync_window_setup_cards      (SsyncWindow  *self);
void ssync_window_finish_cards     (SsyncWindow  *self);
void ssync_window_set_header_subtitle (SsyncWindow *self,
                                       const char  *subtitle);

G_END_DECLS
