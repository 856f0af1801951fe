/* ssync-history-private.h: what the parts of the history store share.
 *
 * The store is one object split by concern, after Epiphany's history service:
 *   ssync-history.c            the object: opening, modes, the connection, the health check
 *   ssync-history-migrations.c the schema and the steps that bring an old database to it
 *   ssync-history-writer.c     the ordered writer thread and its batched transactions
 *   ssync-history-transfers.c  shares and their transfers (writes, reads, totals, retention)
 *   ssync-history-pushes.c     files pushed to S3 buckets
 *   ssync-history-uploads.c    unfinished uploads, for cleanup and resuming
 *   ssync-history-devices.c    nearby devices and the trust decided for them
 *   ssync-history-query.c      paged, searchable reads of transfers for list models
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <sqlite3.h>

#include "ssync-history.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _SsyncHistory
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  int schema_version;

  /* Writer state (ssync-history-writer.c). */
  GThreadPool *writer;  /* one exclusive thread, so jobs run in the order they were pushed */
  gboolean in_batch;    /* writer thread only: a transaction spans the queued writes */
  gint64 batch_started; /* writer thread only: monotonic time of its BEGIN */
  int queued;           /* jobs pushed and not yet started (atomic) */

  /* Prepared once, used only on the writer thread (ssync-history-transfers.c). */
  sqlite3_stmt *upsert_share;
  sqlite3_stmt *upsert_transfer;
};

/* The columns of a transfer row, in the order ssync_transfer_record_from_row() reads them.
 * "offset" is quoted because OFFSET is an SQL keyword. */
#define SSYNC_HISTORY_TRANSFER_COLUMNS \
  "id, share_id, share_name, file_name, direction, kind, peer, user_agent, started, " \
  "finished, bytes, total, \"offset\", status, message, sha256, saved_as"

/* Statements bind strings that outlive their step, so SQLite need not copy them. */
static inline void
ssync_history_bind_text (sqlite3_stmt *stmt,
                         int           column,
                         const char   *text)
{
  sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
}

static inline char *
ssync_history_column_strdup (sqlite3_stmt *stmt,
                             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* ssync-history.c */
gboolean ssync_history_set_db_error       (SsyncHistory  *self,
                                           GError       **error);
gboolean ssync_history_exec               (SsyncHistory  *self,
                                           const char    *sql,
                                           GError       **error);

/* Makes one record of the row @stmt is on. */
typedef gpointer (*SsyncHistoryRowFunc) (sqlite3_stmt *stmt);

GPtrArray *ssync_history_collect_rows     (SsyncHistory         *self,
                                           sqlite3_stmt         *stmt,
                                           SsyncHistoryRowFunc   row_func,
                                           GDestroyNotify        free_row,
                                           GError              **error);

/* ssync-history-migrations.c */
gboolean ssync_history_read_user_version  (SsyncHistory  *self,
                                           int           *version,
                                           GError       **error);
gboolean ssync_history_migrate            (SsyncHistory  *self,
                                           GError       **error);

/* ssync-history-writer.c. How a queued write meets the batch transaction: */
typedef enum {
  /* Opens a batch when more writes are queued behind it (shares and transfers, the writes
   * that come in bursts). */
  SSYNC_HISTORY_WRITE_BATCHED,
  /* Joins a batch already open but never opens one. */
  SSYNC_HISTORY_WRITE_IN_BATCH,
  /* Commits any open batch first and runs on its own. */
  SSYNC_HISTORY_WRITE_ALONE,
} SsyncHistoryWriteMode;

/* Runs on the writer thread; holds the connection's mutex itself while it uses it. */
typedef void (*SsyncHistoryWriteFunc) (SsyncHistory *self,
                                       gpointer      data);

gboolean ssync_history_writer_start       (SsyncHistory          *self,
                                           GError               **error);
void     ssync_history_writer_stop        (SsyncHistory          *self);
void     ssync_history_queue_write        (SsyncHistory          *self,
                                           SsyncHistoryWriteMode  mode,
                                           SsyncHistoryWriteFunc  func,
                                           gpointer               data,
                                           GDestroyNotify         free_data);

/* ssync-history-transfers.c */
gboolean ssync_history_prepare_transfers  (SsyncHistory  *self,
                                           GError       **error);
gboolean ssync_history_end_interrupted    (SsyncHistory  *self,
                                           GError       **error);
SsyncTransferRecord *ssync_transfer_record_from_row (sqlite3_stmt *stmt);

G_END_DECLS
