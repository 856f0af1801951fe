/* ssync-history-private.h: what the history's readers (ssync-history-query.c) share with the
 * store itself.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <sqlite3.h>

#include "ssync-history.h"

G_BEGIN_DECLS

/* The columns of a transfer row, in the order ssync_transfer_record_from_row() reads them.
 * "offset" is quoted because OFFSET is an SQL keyword. */
#define SSYNC_HISTORY_TRANSFER_COLUMNS \
  "id, share_id, share_name, file_name, direction, kind, peer, user_agent, started, " \
  "finished, bytes, total, \"offset\", status, message, sha256, saved_as"

SsyncTransferRecord *ssync_transfer_record_from_row (sqlite3_stmt *stmt);

G_END_DECLS
