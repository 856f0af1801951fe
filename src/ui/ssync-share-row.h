/* ssync-share-row.h: one share in the window's list.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-session.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_SHARE_ROW (ssync_share_row_get_type ())

G_DECLARE_FINAL_TYPE (SsyncShareRow, ssync_share_row, SSYNC, SHARE_ROW, AdwBin)

SsyncShareRow *ssync_share_row_new       (SsyncSession  *session);
void           ssync_share_row_set_share (SsyncShareRow *self,
                                          SsyncShare    *share);
SsyncShare    *ssync_share_row_get_share (SsyncShareRow *self);
const char    *ssync_share_row_get_url   (SsyncShareRow *self);
guint          ssync_share_row_get_n_transfers_shown (SsyncShareRow *self);
gboolean       ssync_share_row_get_ended (SsyncShareRow *self);

G_END_DECLS
