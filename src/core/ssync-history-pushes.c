/* ssync-history-pushes.c: files pushed to S3 buckets, in the history store.
 *
 * A push row outlives the share: the cleanup timer reads the pushes whose link ended to delete
 * their objects from the bucket.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <sqlite3.h>

#include "ssync-history-private.h"

#define PUSH_COLUMNS \
  "id, share_id, file_name, endpoint, bucket, object_key, size, pushed, expires, status, message"

void
ssync_push_record_free (SsyncPushRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->share_id);
  g_free (record->file_name);
  g_free (record->endpoint);
  g_free (record->bucket);
  g_free (record->object_key);
  g_free (record->status);
  g_free (record->message);
  g_free (record);
}

/* Writes (or updates) one push row; runs on the writer thread. */
static void
write_push (SsyncHistory *self,
            gpointer      data)
{
  SsyncPushRecord *r = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO pushes (" PUSH_COLUMNS ") "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      ssync_history_bind_text (stmt, 1, r->id);
      ssync_history_bind_text (stmt, 2, r->share_id);
      ssync_history_bind_text (stmt, 3, r->file_name);
      ssync_history_bind_text (stmt, 4, r->endpoint);
      ssync_history_bind_text (stmt, 5, r->bucket);
      ssync_history_bind_text (stmt, 6, r->object_key);
      sqlite3_bind_int64 (stmt, 7, (sqlite3_int64) r->size);
      sqlite3_bind_int64 (stmt, 8, r->pushed);
      sqlite3_bind_int64 (stmt, 9, r->expires);
      ssync_history_bind_text (stmt, 10, r->status);
      ssync_history_bind_text (stmt, 11, r->message);
    }
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not save push %s to %s: %s", r->id, self->path, sqlite3_errmsg (self->db));
  sqlite3_mutex_leave (mutex);
}

/* Queues a write of @record (copied now); a later record with the same id replaces it. */
void
ssync_history_record_push (SsyncHistory          *self,
                           const SsyncPushRecord *record)
{
  SsyncPushRecord *r;

  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (record->id != NULL && record->object_key != NULL);

  r = g_new0 (SsyncPushRecord, 1);
  r->id = g_strdup (record->id);
  r->share_id = g_strdup (record->share_id);
  r->file_name = g_strdup (record->file_name);
  r->endpoint = g_strdup (record->endpoint);
  r->bucket = g_strdup (record->bucket);
  r->object_key = g_strdup (record->object_key);
  r->size = record->size;
  r->pushed = record->pushed;
  r->expires = record->expires;
  r->status = g_strdup (record->status);
  r->message = g_strdup (record->message);

  ssync_history_queue_write (self, SSYNC_HISTORY_WRITE_IN_BATCH, write_push, r,
                             (GDestroyNotify) ssync_push_record_free);
}

static gpointer
push_from_row (sqlite3_stmt *stmt)
{
  SsyncPushRecord *r = g_new0 (SsyncPushRecord, 1);

  r->id = ssync_history_column_strdup (stmt, 0);
  r->share_id = ssync_history_column_strdup (stmt, 1);
  r->file_name = ssync_history_column_strdup (stmt, 2);
  r->endpoint = ssync_history_column_strdup (stmt, 3);
  r->bucket = ssync_history_column_strdup (stmt, 4);
  r->object_key = ssync_history_column_strdup (stmt, 5);
  r->size = sqlite3_column_int64 (stmt, 6);
  r->pushed = sqlite3_column_int64 (stmt, 7);
  r->expires = sqlite3_column_int64 (stmt, 8);
  r->status = ssync_history_column_strdup (stmt, 9);
  r->message = ssync_history_column_strdup (stmt, 10);
  return r;
}

/* The pushes of @share_id (every share when NULL), newest first; with @expired_before > 0,
 * only objects still in their bucket ("pushed") whose link ended before it. A synchronous
 * read: call it from a worker thread. */
GPtrArray *
ssync_history_list_pushes (SsyncHistory  *self,
                           const char    *share_id,
                           gint64         expired_before,
                           GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);
  GPtrArray *pushes = NULL;

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT " PUSH_COLUMNS " FROM pushes"
                          " WHERE (?1 IS NULL OR share_id = ?1)"
                          " AND (?2 = 0 OR (status = 'pushed' AND expires < ?2))"
                          " ORDER BY pushed DESC, rowid DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    ssync_history_set_db_error (self, error);
  else
    {
      ssync_history_bind_text (stmt, 1, share_id);
      sqlite3_bind_int64 (stmt, 2, expired_before);
      pushes = ssync_history_collect_rows (self, stmt, push_from_row,
                                           (GDestroyNotify) ssync_push_record_free, error);
    }

  sqlite3_mutex_leave (mutex);
  return pushes;
}
