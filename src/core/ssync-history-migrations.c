/* ssync-history-migrations.c: the history's schema, as the steps that build it.
 *
 * The schema version lives in PRAGMA user_version. Opening a database applies, in order,
 * every step after the version it carries, each in its own transaction.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "ssync-error.h"
#include "ssync-history-private.h"

/* Step N (counting from 1) takes a database from user_version N - 1 to N. A shipped step is
 * never edited: a change to the schema is a new step at the end. */
static const char * const migrations[] = {
  "CREATE TABLE shares ("
  "  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, n_files INTEGER,"
  "  total_size INTEGER, created INTEGER NOT NULL);"
  "CREATE TABLE transfers ("
  "  id TEXT PRIMARY KEY, share_id TEXT, share_name TEXT, file_name TEXT,"
  "  direction TEXT NOT NULL, kind TEXT NOT NULL, peer TEXT, user_agent TEXT,"
  "  started INTEGER NOT NULL, finished INTEGER, bytes INTEGER NOT NULL DEFAULT 0,"
  "  total INTEGER, status TEXT NOT NULL);",

  "ALTER TABLE transfers ADD COLUMN \"offset\" INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE transfers ADD COLUMN message TEXT;"
  "CREATE INDEX transfers_started ON transfers (started);"
  "CREATE INDEX transfers_share_id ON transfers (share_id);",

  "ALTER TABLE transfers ADD COLUMN sha256 TEXT;"
  "ALTER TABLE transfers ADD COLUMN saved_as TEXT;",

  "CREATE TABLE pushes ("
  "  id TEXT PRIMARY KEY, share_id TEXT, file_name TEXT, endpoint TEXT NOT NULL,"
  "  bucket TEXT NOT NULL, object_key TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0,"
  "  pushed INTEGER NOT NULL, expires INTEGER NOT NULL, status TEXT NOT NULL, message TEXT);"
  "CREATE INDEX pushes_expires ON pushes (status, expires);"
  "CREATE INDEX pushes_share_id ON pushes (share_id);",

  /* Every .part an upload created, until it is complete or dropped: cleanup deletes only
   * these, and a restart resumes them. */
  "CREATE TABLE uploads ("
  "  id TEXT PRIMARY KEY, share_token TEXT NOT NULL, folder TEXT NOT NULL,"
  "  path TEXT NOT NULL, part_name TEXT NOT NULL, length INTEGER NOT NULL,"
  "  metadata TEXT, created INTEGER NOT NULL, expires INTEGER NOT NULL);"
  "CREATE INDEX uploads_folder ON uploads (folder);",

  /* Nearby devices by fingerprint: whether their files are taken or refused without asking,
   * and whether they were asked about before. */
  "CREATE TABLE devices ("
  "  fingerprint TEXT PRIMARY KEY, alias TEXT, device_type TEXT, trust INTEGER NOT NULL,"
  "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SSYNC_HISTORY_SCHEMA_VERSION);

gboolean
ssync_history_read_user_version (SsyncHistory  *self,
                                 int           *version,
                                 GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return ssync_history_set_db_error (self, error);

  *version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

/* Applies the step after the database's current version, or sets @done when there is none.
 * The caller holds a write transaction, so the version read here cannot change underneath. */
static gboolean
migrate_step (SsyncHistory  *self,
              gboolean      *done,
              GError       **error)
{
  g_autofree char *set_version = NULL;
  int version;

  if (!ssync_history_read_user_version (self, &version, error))
    return FALSE;

  if (version > SSYNC_HISTORY_SCHEMA_VERSION)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_DATABASE,
                   _("%s was written by a newer ShareSync (schema %d); "
                     "this version understands up to %d"),
                   self->path, version, SSYNC_HISTORY_SCHEMA_VERSION);
      return FALSE;
    }

  self->schema_version = version;
  *done = version == SSYNC_HISTORY_SCHEMA_VERSION;
  if (*done)
    return TRUE;

  /* PRAGMA takes no bound parameters; the value is our own step number, not input. */
  set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
  if (!ssync_history_exec (self, migrations[version], error) ||
      !ssync_history_exec (self, set_version, error))
    return FALSE;

  g_debug ("Migrating %s to history schema %d", self->path, version + 1);
  return TRUE;
}

/* Each step runs in its own IMMEDIATE transaction, taken before the version is read, so two
 * processes opening an old database at once never apply a step twice, and a failed step
 * leaves the database at the last version that was complete. */
gboolean
ssync_history_migrate (SsyncHistory  *self,
                       GError       **error)
{
  gboolean done = FALSE;

  while (!done)
    {
      if (!ssync_history_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      if (!migrate_step (self, &done, error) || !ssync_history_exec (self, "COMMIT", error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return TRUE;
}
