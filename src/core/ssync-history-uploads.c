/* ssync-history-uploads.c: unfinished uploads in the history store.
 *
 * Every .part an upload creates has a row here until the upload completes or the .part is
 * dropped: cleanup deletes only the .part files listed here, and a restart resumes them.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <sqlite3.h>

#include "ssync-history-private.h"

#define UPLOAD_COLUMNS \
  "id, share_token, folder, path, part_name, length, metadata, created, expires"

void
ssync_upload_record_free (SsyncUploadRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->share_token);
  g_free (record->folder);
  g_free (record->path);
  g_free (record->part_name);
  g_free (record->metadata);
  g_free (record);
}

/* Writes one upload row, or moves the expiry of one already there (nothing else about an
 * upload changes); runs on the writer thread. */
static void
write_upload (SsyncHistory *self,
              gpointer      data)
{
  SsyncUploadRecord *r = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO uploads (" UPLOAD_COLUMNS ") "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                          "ON CONFLICT (id) DO UPDATE SET expires = excluded.expires",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      ssync_history_bind_text (stmt, 1, r->id);
      ssync_history_bind_text (stmt, 2, r->share_token);
      ssync_history_bind_text (stmt, 3, r->folder);
      ssync_history_bind_text (stmt, 4, r->path);
      ssync_history_bind_text (stmt, 5, r->part_name);
      sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) r->length);
      ssync_history_bind_text (stmt, 7, r->metadata);
      sqlite3_bind_int64 (stmt, 8, r->created);
      sqlite3_bind_int64 (stmt, 9, r->expires);
    }
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not save upload %s to %s: %s", r->id, self->path,
               sqlite3_errmsg (self->db));
  sqlite3_mutex_leave (mutex);
}

/* Runs on the writer thread. */
static void
delete_upload (SsyncHistory *self,
               gpointer      data)
{
  const char *id = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db, "DELETE FROM uploads WHERE id = ?1", -1, &stmt,
                          NULL) == SQLITE_OK)
    ssync_history_bind_text (stmt, 1, id);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not remove upload %s from %s: %s", id, self->path,
               sqlite3_errmsg (self->db));
  sqlite3_mutex_leave (mutex);
}

/* Queues a write of @record (copied now). Recorded again under the same id, only its expiry
 * changes. */
void
ssync_history_record_upload (SsyncHistory            *self,
                             const SsyncUploadRecord *record)
{
  SsyncUploadRecord *r;

  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (record->id != NULL && record->share_token != NULL);
  g_return_if_fail (record->folder != NULL && record->path != NULL);
  g_return_if_fail (record->part_name != NULL);

  r = g_new0 (SsyncUploadRecord, 1);
  r->id = g_strdup (record->id);
  r->share_token = g_strdup (record->share_token);
  r->folder = g_strdup (record->folder);
  r->path = g_strdup (record->path);
  r->part_name = g_strdup (record->part_name);
  r->length = record->length;
  r->metadata = g_strdup (record->metadata);
  r->created = record->created;
  r->expires = record->expires;

  ssync_history_queue_write (self, SSYNC_HISTORY_WRITE_IN_BATCH, write_upload, r,
                             (GDestroyNotify) ssync_upload_record_free);
}

/* Queues the removal of an upload's row: it completed, or its .part was deleted. */
void
ssync_history_forget_upload (SsyncHistory *self,
                             const char   *upload_id)
{
  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (upload_id != NULL);

  ssync_history_queue_write (self, SSYNC_HISTORY_WRITE_IN_BATCH, delete_upload,
                             g_strdup (upload_id), g_free);
}

static gpointer
upload_from_row (sqlite3_stmt *stmt)
{
  SsyncUploadRecord *r = g_new0 (SsyncUploadRecord, 1);

  r->id = ssync_history_column_strdup (stmt, 0);
  r->share_token = ssync_history_column_strdup (stmt, 1);
  r->folder = ssync_history_column_strdup (stmt, 2);
  r->path = ssync_history_column_strdup (stmt, 3);
  r->part_name = ssync_history_column_strdup (stmt, 4);
  r->length = (guint64) sqlite3_column_int64 (stmt, 5);
  r->metadata = ssync_history_column_strdup (stmt, 6);
  r->created = sqlite3_column_int64 (stmt, 7);
  r->expires = sqlite3_column_int64 (stmt, 8);
  return r;
}

/* The unfinished uploads into @folder (every folder when NULL), newest first, as
 * SsyncUploadRecord. A synchronous read: call it from a worker thread. */
GPtrArray *
ssync_history_list_uploads (SsyncHistory  *self,
                            const char    *folder,
                            GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex;
  GPtrArray *uploads = NULL;

  g_return_val_if_fail (SSYNC_IS_HISTORY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  mutex = sqlite3_db_mutex (self->db);
  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT " UPLOAD_COLUMNS " FROM uploads"
                          " WHERE ?1 IS NULL OR folder = ?1"
                          " ORDER BY created DESC, rowid DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    ssync_history_set_db_error (self, error);
  else
    {
      ssync_history_bind_text (stmt, 1, folder);
      uploads = ssync_history_collect_rows (self, stmt, upload_from_row,
                                            (GDestroyNotify) ssync_upload_record_free, error);
    }

  sqlite3_mutex_leave (mutex);
  return uploads;
}
