/* ssync-history-transfers.c: shares and their transfers in the history store.
 *
 * Both come in bursts (a download starts and ends every millisecond under load), so their
 * writes use statements prepared once and may share a batch transaction. The reads here return
 * whole lists; ssync-history-query.c reads transfers a page at a time for list models.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <sqlite3.h>

#include "ssync-history-private.h"
#include "ssync-transfer.h"

#define TRANSFER_COLUMNS SSYNC_HISTORY_TRANSFER_COLUMNS

#define UPSERT_TRANSFER_SQL \
  "INSERT INTO transfers (" TRANSFER_COLUMNS ") " \
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) " \
  "ON CONFLICT (id) DO UPDATE SET share_id = excluded.share_id, " \
  "share_name = excluded.share_name, file_name = excluded.file_name, " \
  "direction = excluded.direction, kind = excluded.kind, peer = excluded.peer, " \
  "user_agent = excluded.user_agent, started = excluded.started, " \
  "finished = excluded.finished, bytes = excluded.bytes, total = excluded.total, " \
  "\"offset\" = excluded.\"offset\", status = excluded.status, message = excluded.message, " \
  "sha256 = excluded.sha256, saved_as = excluded.saved_as"

/* A share recorded again keeps the creation time of its first row. */
#define UPSERT_SHARE_SQL \
  "INSERT INTO shares (id, name, kind, n_files, total_size, created) " \
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6) " \
  "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, " \
  "n_files = excluded.n_files, total_size = excluded.total_size"

/* A share as queued for the writer. */
typedef struct {
  char *id;
  char *name;
  SsyncShareKind kind;
  guint n_files;
  guint64 total_size;
  gint64 created;
} ShareRow;

static void
share_row_free (ShareRow *row)
{
  g_free (row->id);
  g_free (row->name);
  g_free (row);
}

void
ssync_transfer_record_free (SsyncTransferRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->share_id);
  g_free (record->share_name);
  g_free (record->file_name);
  g_free (record->peer);
  g_free (record->user_agent);
  g_free (record->message);
  g_free (record->sha256);
  g_free (record->saved_as);
  g_free (record);
}

void
ssync_share_totals_free (SsyncShareTotals *totals)
{
  g_free (totals->share_id);
  g_free (totals->share_name);
  g_free (totals);
}

/* Called by ssync_history_open(): the upserts run for every share and transfer event. */
gboolean
ssync_history_prepare_transfers (SsyncHistory  *self,
                                 GError       **error)
{
  if (sqlite3_prepare_v3 (self->db, UPSERT_SHARE_SQL, -1, SQLITE_PREPARE_PERSISTENT,
                          &self->upsert_share, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (self->db, UPSERT_TRANSFER_SQL, -1, SQLITE_PREPARE_PERSISTENT,
                          &self->upsert_transfer, NULL) != SQLITE_OK)
    return ssync_history_set_db_error (self, error);

  return TRUE;
}

/* Transfers still "active" in the store were cut by a crash or a kill of the process that
 * recorded them (a clean stop ends each one): say so instead of showing them in progress
 * forever. Finished time stays NULL, as nobody knows when they stopped. */
gboolean
ssync_history_end_interrupted (SsyncHistory  *self,
                               GError       **error)
{
  return ssync_history_exec (self, "UPDATE transfers SET status = 'incomplete',"
                                   " message = 'ShareSync stopped during this transfer'"
                                   " WHERE status = 'active'", error);
}

/* Steps a persistent statement once and makes it ready for the next write; runs on the writer
 * thread, which holds the connection's mutex around it. */
static void
step_upsert (SsyncHistory *self,
             sqlite3_stmt *stmt,
             const char   *what,
             const char   *id)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not save %s %s to %s: %s", what, id, self->path, sqlite3_errmsg (self->db));

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

/* Runs on the writer thread. */
static void
write_share (SsyncHistory *self,
             gpointer      data)
{
  ShareRow *row = data;
  sqlite3_stmt *stmt = self->upsert_share;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  ssync_history_bind_text (stmt, 1, row->id);
  ssync_history_bind_text (stmt, 2, row->name);
  ssync_history_bind_text (stmt, 3, ssync_enum_to_nick (SSYNC_TYPE_SHARE_KIND, row->kind));
  sqlite3_bind_int64 (stmt, 4, row->n_files);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) row->total_size);
  sqlite3_bind_int64 (stmt, 6, row->created);
  step_upsert (self, stmt, "share", row->id);
  sqlite3_mutex_leave (mutex);
}

/* Runs on the writer thread. */
static void
write_transfer (SsyncHistory *self,
                gpointer      data)
{
  SsyncTransferRecord *r = data;
  sqlite3_stmt *stmt = self->upsert_transfer;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  ssync_history_bind_text (stmt, 1, r->id);
  ssync_history_bind_text (stmt, 2, r->share_id);
  ssync_history_bind_text (stmt, 3, r->share_name);
  ssync_history_bind_text (stmt, 4, r->file_name);
  ssync_history_bind_text (stmt, 5, ssync_enum_to_nick (SSYNC_TYPE_DIRECTION, r->direction));
  ssync_history_bind_text (stmt, 6, ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_KIND, r->kind));
  ssync_history_bind_text (stmt, 7, r->peer);
  ssync_history_bind_text (stmt, 8, r->user_agent);
  sqlite3_bind_int64 (stmt, 9, r->started);
  /* A transfer still running has no end time; NULL says so better than 0. */
  if (r->finished != 0)
    sqlite3_bind_int64 (stmt, 10, r->finished);
  else
    sqlite3_bind_null (stmt, 10);
  sqlite3_bind_int64 (stmt, 11, (sqlite3_int64) r->bytes);
  sqlite3_bind_int64 (stmt, 12, (sqlite3_int64) r->total);
  sqlite3_bind_int64 (stmt, 13, (sqlite3_int64) r->offset);
  ssync_history_bind_text (stmt, 14,
                           ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_STATUS, r->status));
  ssync_history_bind_text (stmt, 15, r->message);
  ssync_history_bind_text (stmt, 16, r->sha256);
  ssync_history_bind_text (stmt, 17, r->saved_as);
  step_upsert (self, stmt, "transfer", r->id);
  sqlite3_mutex_leave (mutex);
}

/* Deletes the rows of transfers that ended and started before @data; runs on the writer
 * thread, outside any batch. */
static void
forget (SsyncHistory *self,
        gpointer      data)
{
  gint64 before = *(gint64 *) data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "DELETE FROM transfers WHERE started < ?1 AND status != 'active'",
                          -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_bind_int64 (stmt, 1, before) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not trim the history in %s: %s", self->path, sqlite3_errmsg (self->db));
  sqlite3_mutex_leave (mutex);
}

void
ssync_history_record_share (SsyncHistory   *self,
                            const char     *share_id,
                            const char     *name,
                            SsyncShareKind  kind,
                            guint           n_files,
                            guint64         total_size,
                            gint64          created)
{
  ShareRow *row;

  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (self->writer != NULL);
  g_return_if_fail (share_id != NULL);
  g_return_if_fail (name != NULL);

  row = g_new0 (ShareRow, 1);
  row->id = g_strdup (share_id);
  row->name = g_strdup (name);
  row->kind = kind;
  row->n_files = n_files;
  row->total_size = total_size;
  row->created = created;
  ssync_history_queue_write (self, SSYNC_HISTORY_WRITE_BATCHED, write_share, row,
                             (GDestroyNotify) share_row_free);
}

/* Call at the start of @transfer and again when it ends; the second call updates the row.
 * The transfer is copied now, so later progress does not leak into this write. */
void
ssync_history_record_transfer (SsyncHistory  *self,
                               SsyncTransfer *transfer)
{
  SsyncTransferRecord *r;

  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (self->writer != NULL);
  g_return_if_fail (SSYNC_IS_TRANSFER (transfer));

  r = g_new0 (SsyncTransferRecord, 1);
  r->id = g_strdup (ssync_transfer_get_id (transfer));
  r->share_id = g_strdup (ssync_transfer_get_share_id (transfer));
  r->share_name = g_strdup (ssync_transfer_get_share_name (transfer));
  r->file_name = g_strdup (ssync_transfer_get_file_name (transfer));
  r->direction = ssync_transfer_get_direction (transfer);
  r->kind = ssync_transfer_get_kind (transfer);
  r->peer = g_strdup (ssync_transfer_get_peer (transfer));
  r->user_agent = g_strdup (ssync_transfer_get_user_agent (transfer));
  r->started = ssync_transfer_get_started (transfer);
  r->finished = ssync_transfer_get_finished (transfer);
  r->bytes = ssync_transfer_get_bytes (transfer);
  r->total = ssync_transfer_get_total (transfer);
  r->offset = ssync_transfer_get_offset (transfer);
  r->status = ssync_transfer_get_status (transfer);
  r->message = g_strdup (ssync_transfer_get_message (transfer));
  r->sha256 = g_strdup (ssync_transfer_get_sha256 (transfer));
  r->saved_as = g_strdup (ssync_transfer_get_saved_as (transfer));

  ssync_history_queue_write (self, SSYNC_HISTORY_WRITE_BATCHED, write_transfer, r,
                             (GDestroyNotify) ssync_transfer_record_free);
}

/* Queues the removal of finished transfers that started before @before (real time in
 * microseconds): history retention. */
void
ssync_history_forget_before (SsyncHistory *self,
                             gint64        before)
{
  g_return_if_fail (SSYNC_IS_HISTORY (self));

  ssync_history_queue_write (self, SSYNC_HISTORY_WRITE_ALONE, forget,
                             g_memdup2 (&before, sizeof before), g_free);
}

/* One row of SSYNC_HISTORY_TRANSFER_COLUMNS as a record. */
SsyncTransferRecord *
ssync_transfer_record_from_row (sqlite3_stmt *stmt)
{
  SsyncTransferRecord *r = g_new0 (SsyncTransferRecord, 1);

  r->id = ssync_history_column_strdup (stmt, 0);
  r->share_id = ssync_history_column_strdup (stmt, 1);
  r->share_name = ssync_history_column_strdup (stmt, 2);
  r->file_name = ssync_history_column_strdup (stmt, 3);
  r->direction = ssync_enum_from_nick (SSYNC_TYPE_DIRECTION,
                                       (const char *) sqlite3_column_text (stmt, 4),
                                       SSYNC_DIRECTION_DOWNLOAD);
  r->kind = ssync_enum_from_nick (SSYNC_TYPE_TRANSFER_KIND,
                                  (const char *) sqlite3_column_text (stmt, 5),
                                  SSYNC_TRANSFER_KIND_FILE);
  r->peer = ssync_history_column_strdup (stmt, 6);
  r->user_agent = ssync_history_column_strdup (stmt, 7);
  r->started = sqlite3_column_int64 (stmt, 8);
  r->finished = sqlite3_column_int64 (stmt, 9);
  r->bytes = (guint64) sqlite3_column_int64 (stmt, 10);
  r->total = (guint64) sqlite3_column_int64 (stmt, 11);
  r->offset = (guint64) sqlite3_column_int64 (stmt, 12);
  /* A status this build does not know must not read as a transfer still running. */
  r->status = ssync_enum_from_nick (SSYNC_TYPE_TRANSFER_STATUS,
                                    (const char *) sqlite3_column_text (stmt, 13),
                                    SSYNC_TRANSFER_STATUS_INCOMPLETE);
  r->message = ssync_history_column_strdup (stmt, 14);
  r->sha256 = ssync_history_column_strdup (stmt, 15);
  r->saved_as = ssync_history_column_strdup (stmt, 16);
  return r;
}

/* Returns the transfers of @share_id (or of every share when NULL), newest first, as
 * SsyncTransferRecord. Writes still queued are not seen; ssync_history_flush() first if that
 * matters. This blocks on the disk: never call it on the main thread of the window or server. */
GPtrArray *
ssync_history_list_transfers (SsyncHistory  *self,
                              const char    *share_id,
                              GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex;
  GPtrArray *records = NULL;

  g_return_val_if_fail (SSYNC_IS_HISTORY (self), NULL);
  g_return_val_if_fail (self->db != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  mutex = sqlite3_db_mutex (self->db);
  sqlite3_mutex_enter (mutex);

  /* The rowid breaks ties between transfers started in the same microsecond. */
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT " TRANSFER_COLUMNS " FROM transfers "
                          "WHERE ?1 IS NULL OR share_id = ?1 "
                          "ORDER BY started DESC, rowid DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    ssync_history_set_db_error (self, error);
  else
    {
      ssync_history_bind_text (stmt, 1, share_id);
      records = ssync_history_collect_rows (self, stmt,
                                            (SsyncHistoryRowFunc) ssync_transfer_record_from_row,
                                            (GDestroyNotify) ssync_transfer_record_free, error);
    }

  sqlite3_mutex_leave (mutex);
  return records;
}

static gpointer
totals_from_row (sqlite3_stmt *stmt)
{
  SsyncShareTotals *t = g_new0 (SsyncShareTotals, 1);

  t->share_id = ssync_history_column_strdup (stmt, 0);
  t->share_name = ssync_history_column_strdup (stmt, 1);
  t->downloads = sqlite3_column_int64 (stmt, 2);
  t->uploads = sqlite3_column_int64 (stmt, 3);
  t->bytes_sent = sqlite3_column_int64 (stmt, 4);
  t->bytes_received = sqlite3_column_int64 (stmt, 5);
  return t;
}

/* Completed downloads and uploads per share, with their bytes, most active first. A
 * synchronous read: call it from a worker thread. */
GPtrArray *
ssync_history_list_totals (SsyncHistory  *self,
                           GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);
  GPtrArray *totals = NULL;

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT share_id, max(share_name),"
                          " sum(direction = 'download'), sum(direction = 'upload'),"
                          " sum(CASE WHEN direction = 'download' THEN bytes ELSE 0 END),"
                          " sum(CASE WHEN direction = 'upload' THEN bytes ELSE 0 END)"
                          " FROM transfers WHERE status = 'complete'"
                          " GROUP BY share_id ORDER BY count(*) DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    ssync_history_set_db_error (self, error);
  else
    totals = ssync_history_collect_rows (self, stmt, totals_from_row,
                                         (GDestroyNotify) ssync_share_totals_free, error);

  sqlite3_mutex_leave (mutex);
  return totals;
}
