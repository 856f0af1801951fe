/* ssync-transfer-row.h: one transfer in flight under its share: who, what, how far.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-transfer.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_TRANSFER_ROW (ssync_transfer_row_get_type ())

G_DECLARE_FINAL_TYPE (SsyncTransferRow, ssync_transfer_row, SSYNC, TRANSFER_ROW, GtkBox)

GtkWidget     *ssync_transfer_row_new          (SsyncTransfer    *transfer);
SsyncTransfer *ssync_transfer_row_get_transfer (SsyncTransferRow *self);

G_END_DECLS
