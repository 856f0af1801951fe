/* ssync-history.c: the history store (SQLite): shares, transfers, pushes and uploads.
 *
 * This file holds the object and its connection; ssync-history-private.h lists the files
 * that hold the schema, the writer thread and each kind of record. Writes go through one
 * writer thread in call order; reads are synchronous and meant for tests and worker threads.
 *
 * All threads share one connection opened with SQLITE_OPEN_FULLMUTEX. Each operation also
 * holds the connection's own mutex from the first bind to the last sqlite3_errmsg(), so an
 * error message always belongs to the statement that failed.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssync-error.h"
#include "ssync-history-private.h"

G_DEFINE_FINAL_TYPE (SsyncHistory, ssync_history, G_TYPE_OBJECT)

gboolean
ssync_history_set_db_error (SsyncHistory  *self,
                            GError       **error)
{
  g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_DATABASE,
               _("Could not use the history database %s: %s"),
               self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

gboolean
ssync_history_exec (SsyncHistory  *self,
                    const char    *sql,
                    GError       **error)
{
  return sqlite3_exec (self->db, sql, NULL, NULL, NULL) == SQLITE_OK ||
         ssync_history_set_db_error (self, error);
}

/* Steps @stmt (prepared and bound, with the connection's mutex held) to its end and returns a
 * record of each row, or NULL with @error set when a step fails. */
GPtrArray *
ssync_history_collect_rows (SsyncHistory         *self,
                            sqlite3_stmt         *stmt,
                            SsyncHistoryRowFunc   row_func,
                            GDestroyNotify        free_row,
                            GError              **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_row);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, row_func (stmt));

  if (rc != SQLITE_DONE)
    {
      ssync_history_set_db_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&rows);
}

static void
ssync_history_dispose (GObject *object)
{
  SsyncHistory *self = SSYNC_HISTORY (object);

  ssync_history_writer_stop (self);

  g_clear_pointer (&self->upsert_share, sqlite3_finalize);
  g_clear_pointer (&self->upsert_transfer, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);

  G_OBJECT_CLASS (ssync_history_parent_class)->dispose (object);
}

static void
ssync_history_finalize (GObject *object)
{
  SsyncHistory *self = SSYNC_HISTORY (object);

  g_free (self->path);

  G_OBJECT_CLASS (ssync_history_parent_class)->finalize (object);
}

static void
ssync_history_class_init (SsyncHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_history_dispose;
  object_class->finalize = ssync_history_finalize;
}

static void
ssync_history_init (SsyncHistory *self)
{
}

/* Only the owner may read the folder and the database; installs made before this rule get
 * it on their next start. SQLite gives the -wal and -shm files the database's own mode, and
 * the database is made here, before SQLite would make it 0644. */
static gboolean
restrict_modes (const char  *dir,
                const char  *path,
                GError     **error)
{
  const char *suffixes[] = { "-wal", "-shm" };
  int fd;

  if (g_chmod (dir, 0700) != 0 ||
      (fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_DATABASE,
                   _("Could not protect the history database %s: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  fchmod (fd, 0600);
  close (fd);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *other = g_strconcat (path, suffixes[i], NULL);

      /* Missing is fine: SQLite makes them with the database's mode. */
      g_chmod (other, 0600);
    }
  return TRUE;
}

/* Opens (creating it and its folders if needed) and migrates the database at @path. This does
 * blocking I/O: call it at startup or on a worker thread. */
SsyncHistory *
ssync_history_open (const char  *path,
                    GError     **error)
{
  g_autoptr(SsyncHistory) self = NULL;
  g_autofree char *dir = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (SSYNC_TYPE_HISTORY, NULL);
  self->path = g_strdup (path);

  /* The history says who downloaded what from whom, so only its owner may read it. */
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_DATABASE,
                   _("Could not create the folder %s for the history database: %s"),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  if (!restrict_modes (dir, path, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      /* Without a handle (out of memory) there is no connection to ask for a message. */
      if (self->db == NULL)
        g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_DATABASE,
                     _("Could not open the history database %s: %s"), path, sqlite3_errstr (rc));
      else
        ssync_history_set_db_error (self, error);
      return NULL;
    }

  /* Writers and the window or a second process may meet on the lock; wait instead of
   * failing at once. */
  sqlite3_busy_timeout (self->db, 5000);

  if (!ssync_history_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !ssync_history_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !ssync_history_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !ssync_history_migrate (self, error) ||
      !ssync_history_end_interrupted (self, error) ||
      !ssync_history_prepare_transfers (self, error) ||
      !ssync_history_writer_start (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Returns the connection, for read queries kept in other core files (ssync-history-query.c).
 * The connection is shared with the writer thread: a reader must hold
 * sqlite3_db_mutex (db) from its first prepare to its last sqlite3_errmsg(), and must not
 * write. Layers above core never call this; they go through core functions. */
sqlite3 *
ssync_history_get_db (SsyncHistory *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY (self), NULL);

  return self->db;
}

int
ssync_history_get_schema_version (SsyncHistory *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY (self), 0);

  return self->schema_version;
}

/* Unlike SELECT 1, which SQLite answers without the file, reading user_version takes a read
 * lock and reads the header, so an unreadable or stuck database fails the check. */
gboolean
ssync_history_check (SsyncHistory *self)
{
  g_autoptr(GError) error = NULL;
  sqlite3_mutex *mutex;
  int version;
  gboolean ok;

  g_return_val_if_fail (SSYNC_IS_HISTORY (self), FALSE);

  if (self->db == NULL)
    return FALSE;

  mutex = sqlite3_db_mutex (self->db);
  sqlite3_mutex_enter (mutex);
  ok = ssync_history_read_user_version (self, &version, &error);
  sqlite3_mutex_leave (mutex);

  if (!ok)
    g_debug ("History check failed: %s", error->message);
  return ok;
}
