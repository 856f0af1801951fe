/* ssync-window.h: the main window: the shares, and where files are dropped.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-history-view.h"
#include "ssync-nearby-view.h"
#include "ssync-session.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_WINDOW (ssync_window_get_type ())

G_DECLARE_FINAL_TYPE (SsyncWindow, ssync_window, SSYNC, WINDOW, AdwApplicationWindow)

SsyncWindow  *ssync_window_new              (GtkApplication *application,
                                             SsyncSession   *session);
SsyncSession *ssync_window_get_session      (SsyncWindow    *self);
void          ssync_window_share_files      (SsyncWindow    *self,
                                             GFile         **files,
                                             guint           n_files);
void          ssync_window_show_toast       (SsyncWindow    *self,
                                             const char     *message);
gboolean      ssync_window_is_empty_visible (SsyncWindow    *self);
SsyncHistoryView *ssync_window_show_history (SsyncWindow    *self);
SsyncNearbyView  *ssync_window_show_nearby  (SsyncWindow    *self);
GtkWidget    *ssync_window_send_share_to    (SsyncWindow    *self,
                                             const char     *share_id);
const char   *ssync_window_get_last_notification (SsyncWindow *self);

G_END_DECLS
