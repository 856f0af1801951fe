/* ssync-history-devices.c: nearby devices in the history store, by fingerprint, with the
 * trust the user decided for them.
 *
 * The session reads every row once (they are few: one per device ever asked about) and keeps
 * them in memory; each change is written back through the writer thread.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <sqlite3.h>

#include "ssync-history-private.h"

#define DEVICE_COLUMNS "fingerprint, alias, device_type, trust, first_seen, last_seen"

SsyncDeviceRecord *
ssync_device_record_copy (const SsyncDeviceRecord *record)
{
  SsyncDeviceRecord *copy = g_new0 (SsyncDeviceRecord, 1);

  copy->fingerprint = g_strdup (record->fingerprint);
  copy->alias = g_strdup (record->alias);
  copy->device_type = g_strdup (record->device_type);
  copy->trust = record->trust;
  copy->first_seen = record->first_seen;
  copy->last_seen = record->last_seen;
  return copy;
}

void
ssync_device_record_free (SsyncDeviceRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->fingerprint);
  g_free (record->alias);
  g_free (record->device_type);
  g_free (record);
}

/* Writes one device row; a device already there keeps its first_seen, and its alias and type
 * when the record has none (a decision from the command line names only the fingerprint).
 * Runs on the writer thread. */
static void
write_device (SsyncHistory *self,
              gpointer      data)
{
  SsyncDeviceRecord *r = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO devices (" DEVICE_COLUMNS ") "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                          "ON CONFLICT (fingerprint) DO UPDATE SET"
                          " alias = coalesce (excluded.alias, alias),"
                          " device_type = coalesce (excluded.device_type, device_type),"
                          " trust = excluded.trust, last_seen = excluded.last_seen",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      ssync_history_bind_text (stmt, 1, r->fingerprint);
      ssync_history_bind_text (stmt, 2, r->alias);
      ssync_history_bind_text (stmt, 3, r->device_type);
      sqlite3_bind_int (stmt, 4, r->trust);
      sqlite3_bind_int64 (stmt, 5, r->first_seen);
      sqlite3_bind_int64 (stmt, 6, r->last_seen);
    }
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not save device %s to %s: %s", r->fingerprint, self->path,
               sqlite3_errmsg (self->db));
  sqlite3_mutex_leave (mutex);
}

/* Queues a write of @record (copied now). The fingerprint is stored in uppercase, as LocalSend
 * computes it, so one device has one row however its fingerprint was typed. */
void
ssync_history_record_device (SsyncHistory            *self,
                             const SsyncDeviceRecord *record)
{
  SsyncDeviceRecord *r;

  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (record != NULL && record->fingerprint != NULL);

  r = ssync_device_record_copy (record);
  g_free (r->fingerprint);
  r->fingerprint = g_ascii_strup (record->fingerprint, -1);
  ssync_history_queue_write (self, SSYNC_HISTORY_WRITE_ALONE, write_device, r,
                             (GDestroyNotify) ssync_device_record_free);
}

static gpointer
device_from_row (sqlite3_stmt *stmt)
{
  SsyncDeviceRecord *r = g_new0 (SsyncDeviceRecord, 1);
  int trust = sqlite3_column_int (stmt, 3);

  r->fingerprint = ssync_history_column_strdup (stmt, 0);
  r->alias = ssync_history_column_strdup (stmt, 1);
  r->device_type = ssync_history_column_strdup (stmt, 2);
  /* A number this build does not know (a newer one wrote it) decides nothing. */
  r->trust = trust >= SSYNC_DEVICE_TRUST_UNKNOWN && trust <= SSYNC_DEVICE_TRUST_BLOCKED
             ? (SsyncDeviceTrust) trust : SSYNC_DEVICE_TRUST_SEEN;
  r->first_seen = sqlite3_column_int64 (stmt, 4);
  r->last_seen = sqlite3_column_int64 (stmt, 5);
  return r;
}

/* Every device row, as SsyncDeviceRecord. A synchronous read: call it from a worker thread. */
GPtrArray *
ssync_history_list_devices (SsyncHistory  *self,
                            GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex;
  GPtrArray *devices = NULL;

  g_return_val_if_fail (SSYNC_IS_HISTORY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  mutex = sqlite3_db_mutex (self->db);
  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db, "SELECT " DEVICE_COLUMNS " FROM devices", -1, &stmt,
                          NULL) != SQLITE_OK)
    ssync_history_set_db_error (self, error);
  else
    devices = ssync_history_collect_rows (self, stmt, device_from_row,
                                          (GDestroyNotify) ssync_device_record_free, error);
  sqlite3_mutex_leave (mutex);
  return devices;
}
