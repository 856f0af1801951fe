/* ssync-background.h: keeps the window face serving after its window closes.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "ssync-session.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_BACKGROUND (ssync_background_get_type ())

G_DECLARE_FINAL_TYPE (SsyncBackground, ssync_background, SSYNC, BACKGROUND, GObject)

SsyncBackground *ssync_background_new              (GApplication    *application,
                                                    SsyncSession    *session,
                                                    GSettings       *settings);
guint            ssync_background_count_live       (SsyncBackground *self);
gboolean         ssync_background_keeps_running    (SsyncBackground *self);
void             ssync_background_enter            (SsyncBackground *self);
void             ssync_background_leave            (SsyncBackground *self);
gboolean         ssync_background_is_active        (SsyncBackground *self);
void             ssync_background_stop_all         (SsyncBackground *self);
gboolean         ssync_background_close_request    (SsyncBackground *self,
                                                    GtkWindow       *window);

G_END_DECLS
