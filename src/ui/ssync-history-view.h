/* ssync-history-view.h: the history page: every transfer, searchable and sortable, with
 * downloads per day and totals per share.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-history-model.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_HISTORY_VIEW (ssync_history_view_get_type ())

G_DECLARE_FINAL_TYPE (SsyncHistoryView, ssync_history_view, SSYNC, HISTORY_VIEW, AdwBin)

SsyncHistoryView  *ssync_history_view_new       (SsyncHistory     *history);
void               ssync_history_view_reload    (SsyncHistoryView *self);
SsyncHistoryModel *ssync_history_view_get_model (SsyncHistoryView *self);
char              *ssync_history_view_describe_user_agent (const char *ua);

G_END_DECLS
