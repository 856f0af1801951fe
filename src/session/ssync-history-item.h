/* ssync-history-item.h: one row of the history list: a transfer, filled in when its page
 * has been read.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-history.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_HISTORY_ITEM (ssync_history_item_get_type ())

G_DECLARE_FINAL_TYPE (SsyncHistoryItem, ssync_history_item, SSYNC, HISTORY_ITEM, GObject)

SsyncHistoryItem    *ssync_history_item_new            (void);
gboolean             ssync_history_item_get_loaded     (SsyncHistoryItem    *self);
SsyncDirection       ssync_history_item_get_direction  (SsyncHistoryItem    *self);
const char          *ssync_history_item_get_file_name  (SsyncHistoryItem    *self);
const char          *ssync_history_item_get_share_name (SsyncHistoryItem    *self);
const char          *ssync_history_item_get_peer       (SsyncHistoryItem    *self);
const char          *ssync_history_item_get_user_agent (SsyncHistoryItem    *self);
guint64              ssync_history_item_get_bytes      (SsyncHistoryItem    *self);
gint64               ssync_history_item_get_started    (SsyncHistoryItem    *self);
gint64               ssync_history_item_get_finished   (SsyncHistoryItem    *self);
SsyncTransferStatus  ssync_history_item_get_status     (SsyncHistoryItem    *self);
void                 ssync_history_item_set_record     (SsyncHistoryItem    *self,
                                                        SsyncTransferRecord *record);

G_END_DECLS
