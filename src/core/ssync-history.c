/* ssync-history.c: the history store (SQLite): shares and transfers.
 *
 * Writes are snapshotted on the calling thread and applied in call order by one worker
 * thread, so neither the window nor the server waits for the disk. Reads are synchronous and
 * meant for tests and worker threads.
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
#include "ssync-transfer.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

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
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SSYNC_HISTORY_SCHEMA_VERSION);

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

typedef enum {
  JOB_SHARE,
  JOB_TRANSFER,
  JOB_BARRIER,
  JOB_FORGET,
  JOB_PUSH,
  JOB_UPLOAD,
  JOB_UPLOAD_DONE,
} JobKind;

typedef struct {
  GMutex mutex;
  GCond cond;
  gboolean done;
} Barrier;

typedef struct {
  JobKind type;
  union {
    struct {
      char *id;
      char *name;
      SsyncShareKind kind;
      guint n_files;
      guint64 total_size;
      gint64 created;
    } share;
    SsyncTransferRecord *transfer;
    SsyncPushRecord *push;
    SsyncUploadRecord *upload;  /* JOB_UPLOAD */
    char *upload_id;            /* JOB_UPLOAD_DONE */
    Barrier *barrier;  /* owned by the thread waiting in ssync_history_flush() */
    gint64 before;     /* JOB_FORGET: finished transfers that started earlier go */
  };
} Job;

struct _SsyncHistory
{
  GObject parent_instance;

  char *path;
  sqlite3 *db;
  GThreadPool *writer;  /* one exclusive thread, so jobs run in the order they were pushed */
  sqlite3_stmt *upsert_share;     /* used only on the writer thread */
  sqlite3_stmt *upsert_transfer;  /* used only on the writer thread */
  int schema_version;
  gboolean in_batch;  /* writer thread only: a transaction spans the queued writes */
  gint64 batch_started;  /* writer thread only: monotonic time of its BEGIN */
  int queued;         /* jobs pushed and not yet started (atomic) */
};

G_DEFINE_FINAL_TYPE (SsyncHistory, ssync_history, G_TYPE_OBJECT)

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

static void
job_free (Job *job)
{
  if (job->type == JOB_SHARE)
    {
      g_free (job->share.id);
      g_free (job->share.name);
    }
  else if (job->type == JOB_TRANSFER)
    ssync_transfer_record_free (job->transfer);
  else if (job->type == JOB_PUSH)
    ssync_push_record_free (job->push);
  else if (job->type == JOB_UPLOAD)
    ssync_upload_record_free (job->upload);
  else if (job->type == JOB_UPLOAD_DONE)
    g_free (job->upload_id);
  g_free (job);
}

static gboolean
set_db_error (SsyncHistory  *self,
              GError       **error)
{
  g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_DATABASE,
               _("Could not use the history database %s: %s"),
               self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (SsyncHistory  *self,
      const char    *sql,
      GError       **error)
{
  return sqlite3_exec (self->db, sql, NULL, NULL, NULL) == SQLITE_OK || set_db_error (self, error);
}

static gboolean
read_user_version (SsyncHistory  *self,
                   int          *version,
                   GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return set_db_error (self, error);

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

  if (!read_user_version (self, &version, error))
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
  if (!exec (self, migrations[version], error) || !exec (self, set_version, error))
    return FALSE;

  g_debug ("Migrating %s to history schema %d", self->path, version + 1);
  return TRUE;
}

/* Each step runs in its own IMMEDIATE transaction, taken before the version is read, so two
 * processes opening an old database at once never apply a step twice, and a failed step
 * leaves the database at the last version that was complete. */
static gboolean
migrate (SsyncHistory  *self,
         GError       **error)
{
  gboolean done = FALSE;

  while (!done)
    {
      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      if (!migrate_step (self, &done, error) || !exec (self, "COMMIT", error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
}

static int
write_share (SsyncHistory *self,
             Job          *job)
{
  sqlite3_stmt *stmt = self->upsert_share;

  bind_text (stmt, 1, job->share.id);
  bind_text (stmt, 2, job->share.name);
  bind_text (stmt, 3, ssync_enum_to_nick (SSYNC_TYPE_SHARE_KIND, job->share.kind));
  sqlite3_bind_int64 (stmt, 4, job->share.n_files);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) job->share.total_size);
  sqlite3_bind_int64 (stmt, 6, job->share.created);
  return sqlite3_step (stmt);
}

static int
write_transfer (SsyncHistory        *self,
                SsyncTransferRecord *r)
{
  sqlite3_stmt *stmt = self->upsert_transfer;

  bind_text (stmt, 1, r->id);
  bind_text (stmt, 2, r->share_id);
  bind_text (stmt, 3, r->share_name);
  bind_text (stmt, 4, r->file_name);
  bind_text (stmt, 5, ssync_enum_to_nick (SSYNC_TYPE_DIRECTION, r->direction));
  bind_text (stmt, 6, ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_KIND, r->kind));
  bind_text (stmt, 7, r->peer);
  bind_text (stmt, 8, r->user_agent);
  sqlite3_bind_int64 (stmt, 9, r->started);
  /* A transfer still running has no end time; NULL says so better than 0. */
  if (r->finished != 0)
    sqlite3_bind_int64 (stmt, 10, r->finished);
  else
    sqlite3_bind_null (stmt, 10);
  sqlite3_bind_int64 (stmt, 11, (sqlite3_int64) r->bytes);
  sqlite3_bind_int64 (stmt, 12, (sqlite3_int64) r->total);
  sqlite3_bind_int64 (stmt, 13, (sqlite3_int64) r->offset);
  bind_text (stmt, 14, ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_STATUS, r->status));
  bind_text (stmt, 15, r->message);
  bind_text (stmt, 16, r->sha256);
  bind_text (stmt, 17, r->saved_as);
  return sqlite3_step (stmt);
}

/* Writes queued behind each other share one transaction: under load (a download starts
 * and ends every millisecond) that is one WAL commit per burst instead of two per
 * download. The transaction commits as soon as the queue is empty, before a flush
 * returns, and at least every BATCH_MAX_AGE under a load that never lets the queue empty,
 * so a crash loses at most that much history. */
#define BATCH_MAX_AGE (100 * G_TIME_SPAN_MILLISECOND)

static void
end_batch (SsyncHistory *self)
{
  g_autoptr(GError) error = NULL;

  if (!self->in_batch)
    return;

  self->in_batch = FALSE;
  if (!exec (self, "COMMIT", &error))
    g_warning ("Could not save the history to %s: %s", self->path, error->message);
}

/* Commits the batch once nothing more is queued or it is old enough. */
static void
maybe_end_batch (SsyncHistory *self)
{
  if (g_atomic_int_get (&self->queued) == 0 ||
      g_get_monotonic_time () - self->batch_started > BATCH_MAX_AGE)
    end_batch (self);
}

/* Deletes the rows of transfers that ended and started before @before. */
static void
forget (SsyncHistory *self,
        gint64        before)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  end_batch (self);
  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "DELETE FROM transfers WHERE started < ?1 AND status != 'active'",
                          -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_bind_int64 (stmt, 1, before) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not trim the history in %s: %s", self->path, sqlite3_errmsg (self->db));
  sqlite3_mutex_leave (mutex);
}

#define PUSH_COLUMNS \
  "id, share_id, file_name, endpoint, bucket, object_key, size, pushed, expires, status, message"

/* Writes (or updates) one push row; runs on the writer thread. */
static void
write_push (SsyncHistory    *self,
            SsyncPushRecord *r)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO pushes (" PUSH_COLUMNS ") "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      bind_text (stmt, 1, r->id);
      bind_text (stmt, 2, r->share_id);
      bind_text (stmt, 3, r->file_name);
      bind_text (stmt, 4, r->endpoint);
      bind_text (stmt, 5, r->bucket);
      bind_text (stmt, 6, r->object_key);
      sqlite3_bind_int64 (stmt, 7, (sqlite3_int64) r->size);
      sqlite3_bind_int64 (stmt, 8, r->pushed);
      sqlite3_bind_int64 (stmt, 9, r->expires);
      bind_text (stmt, 10, r->status);
      bind_text (stmt, 11, r->message);
    }
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not save push %s to %s: %s", r->id, self->path, sqlite3_errmsg (self->db));
  sqlite3_mutex_leave (mutex);
}

#define UPLOAD_COLUMNS \
  "id, share_token, folder, path, part_name, length, metadata, created, expires"

/* Writes one upload row, or moves the expiry of one already there (nothing else about an
 * upload changes); runs on the writer thread. */
static void
write_upload (SsyncHistory      *self,
              SsyncUploadRecord *r)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO uploads (" UPLOAD_COLUMNS ") "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                          "ON CONFLICT (id) DO UPDATE SET expires = excluded.expires",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      bind_text (stmt, 1, r->id);
      bind_text (stmt, 2, r->share_token);
      bind_text (stmt, 3, r->folder);
      bind_text (stmt, 4, r->path);
      bind_text (stmt, 5, r->part_name);
      sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) r->length);
      bind_text (stmt, 7, r->metadata);
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
               const char   *id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db, "DELETE FROM uploads WHERE id = ?1", -1, &stmt,
                          NULL) == SQLITE_OK)
    bind_text (stmt, 1, id);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not remove upload %s from %s: %s", id, self->path,
               sqlite3_errmsg (self->db));
  sqlite3_mutex_leave (mutex);
}

/* Runs on the writer thread. */
static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  SsyncHistory *self = user_data;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);
  sqlite3_stmt *stmt;
  gboolean more;
  int rc;

  /* Counted by hand: the pool cannot be asked while dispose is freeing it. */
  more = !g_atomic_int_dec_and_test (&self->queued);

  if (job->type == JOB_BARRIER)
    {
      end_batch (self);
      g_mutex_lock (&job->barrier->mutex);
      job->barrier->done = TRUE;
      g_cond_signal (&job->barrier->cond);
      g_mutex_unlock (&job->barrier->mutex);
      g_free (job);
      return;
    }

  if (job->type == JOB_FORGET)
    {
      forget (self, job->before);
      g_free (job);
      return;
    }

  if (job->type == JOB_PUSH || job->type == JOB_UPLOAD || job->type == JOB_UPLOAD_DONE)
    {
      if (job->type == JOB_PUSH)
        write_push (self, job->push);
      else if (job->type == JOB_UPLOAD)
        write_upload (self, job->upload);
      else
        delete_upload (self, job->upload_id);
      job_free (job);
      maybe_end_batch (self);
      return;
    }

  if (!self->in_batch && more)
    {
      self->in_batch = exec (self, "BEGIN IMMEDIATE", NULL);
      self->batch_started = g_get_monotonic_time ();
    }

  sqlite3_mutex_enter (mutex);
  if (job->type == JOB_SHARE)
    {
      stmt = self->upsert_share;
      rc = write_share (self, job);
    }
  else
    {
      stmt = self->upsert_transfer;
      rc = write_transfer (self, job->transfer);
    }

  if (rc != SQLITE_DONE)
    g_warning ("Could not save %s %s to %s: %s",
               job->type == JOB_SHARE ? "share" : "transfer",
               job->type == JOB_SHARE ? job->share.id : job->transfer->id,
               self->path, sqlite3_errmsg (self->db));

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  sqlite3_mutex_leave (mutex);
  job_free (job);
  maybe_end_batch (self);
}

/* The pool is exclusive, so its one thread already runs and pushing never has to start one,
 * which is the only way g_thread_pool_push() can fail. */
static void
push_job (SsyncHistory *self,
          Job          *job)
{
  g_atomic_int_inc (&self->queued);
  g_thread_pool_push (self->writer, job, NULL);
}

static void
ssync_history_dispose (GObject *object)
{
  SsyncHistory *self = SSYNC_HISTORY (object);

  /* Waiting (the last TRUE) lets the writer finish every queued job before the statements and
   * the connection it uses go away. */
  if (self->writer != NULL)
    {
      g_thread_pool_free (self->writer, FALSE, TRUE);
      self->writer = NULL;
    }

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

/* Transfers still "active" in the store were cut by a crash or a kill of the process that
 * recorded them (a clean stop ends each one): say so instead of showing them in progress
 * forever. Finished time stays NULL, as nobody knows when they stopped. */
static gboolean
end_interrupted (SsyncHistory  *self,
                 GError       **error)
{
  return exec (self, "UPDATE transfers SET status = 'incomplete',"
                     " message = 'ShareSync stopped during this transfer'"
                     " WHERE status = 'active'", error);
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
        set_db_error (self, error);
      return NULL;
    }

  /* Writers and the window or a second process may meet on the lock; wait instead of
   * failing at once. */
  sqlite3_busy_timeout (self->db, 5000);

  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error) ||
      !end_interrupted (self, error))
    return NULL;

  if (sqlite3_prepare_v3 (self->db, UPSERT_SHARE_SQL, -1, SQLITE_PREPARE_PERSISTENT,
                          &self->upsert_share, NULL) != SQLITE_OK ||
      sqlite3_prepare_v3 (self->db, UPSERT_TRANSFER_SQL, -1, SQLITE_PREPARE_PERSISTENT,
                          &self->upsert_transfer, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return NULL;
    }

  self->writer = g_thread_pool_new (run_job, self, 1, TRUE, error);
  if (self->writer == NULL)
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

void
ssync_history_record_share (SsyncHistory   *self,
                            const char     *share_id,
                            const char     *name,
                            SsyncShareKind  kind,
                            guint           n_files,
                            guint64         total_size,
                            gint64          created)
{
  Job *job;

  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (self->writer != NULL);
  g_return_if_fail (share_id != NULL);
  g_return_if_fail (name != NULL);

  job = g_new0 (Job, 1);
  job->type = JOB_SHARE;
  job->share.id = g_strdup (share_id);
  job->share.name = g_strdup (name);
  job->share.kind = kind;
  job->share.n_files = n_files;
  job->share.total_size = total_size;
  job->share.created = created;
  push_job (self, job);
}

/* Call at the start of @transfer and again when it ends; the second call updates the row.
 * The transfer is copied now, so later progress does not leak into this write. */
void
ssync_history_record_transfer (SsyncHistory  *self,
                               SsyncTransfer *transfer)
{
  SsyncTransferRecord *r;
  Job *job;

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

  job = g_new0 (Job, 1);
  job->type = JOB_TRANSFER;
  job->transfer = r;
  push_job (self, job);
}

/* Blocks until every write queued before this call is in the database. Call it from any
 * thread but the writer's. */
void
ssync_history_flush (SsyncHistory *self)
{
  Barrier barrier = { .done = FALSE };
  Job *job;

  g_return_if_fail (SSYNC_IS_HISTORY (self));

  if (self->writer == NULL)
    return;

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);

  job = g_new0 (Job, 1);
  job->type = JOB_BARRIER;
  job->barrier = &barrier;
  push_job (self, job);

  g_mutex_lock (&barrier.mutex);
  while (!barrier.done)
    g_cond_wait (&barrier.cond, &barrier.mutex);
  g_mutex_unlock (&barrier.mutex);

  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);
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
  ok = read_user_version (self, &version, &error);
  sqlite3_mutex_leave (mutex);

  if (!ok)
    g_debug ("History check failed: %s", error->message);
  return ok;
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* One row of SSYNC_HISTORY_TRANSFER_COLUMNS as a record. */
SsyncTransferRecord *
ssync_transfer_record_from_row (sqlite3_stmt *stmt)
{
  SsyncTransferRecord *r = g_new0 (SsyncTransferRecord, 1);

  r->id = column_strdup (stmt, 0);
  r->share_id = column_strdup (stmt, 1);
  r->share_name = column_strdup (stmt, 2);
  r->file_name = column_strdup (stmt, 3);
  r->direction = ssync_enum_from_nick (SSYNC_TYPE_DIRECTION,
                                       (const char *) sqlite3_column_text (stmt, 4),
                                       SSYNC_DIRECTION_DOWNLOAD);
  r->kind = ssync_enum_from_nick (SSYNC_TYPE_TRANSFER_KIND,
                                  (const char *) sqlite3_column_text (stmt, 5),
                                  SSYNC_TRANSFER_KIND_FILE);
  r->peer = column_strdup (stmt, 6);
  r->user_agent = column_strdup (stmt, 7);
  r->started = sqlite3_column_int64 (stmt, 8);
  r->finished = sqlite3_column_int64 (stmt, 9);
  r->bytes = (guint64) sqlite3_column_int64 (stmt, 10);
  r->total = (guint64) sqlite3_column_int64 (stmt, 11);
  r->offset = (guint64) sqlite3_column_int64 (stmt, 12);
  /* A status this build does not know must not read as a transfer still running. */
  r->status = ssync_enum_from_nick (SSYNC_TYPE_TRANSFER_STATUS,
                                    (const char *) sqlite3_column_text (stmt, 13),
                                    SSYNC_TRANSFER_STATUS_INCOMPLETE);
  r->message = column_strdup (stmt, 14);
  r->sha256 = column_strdup (stmt, 15);
  r->saved_as = column_strdup (stmt, 16);
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
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex;
  int rc;

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
    {
      set_db_error (self, error);
      sqlite3_mutex_leave (mutex);
      return NULL;
    }
  bind_text (stmt, 1, share_id);

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_transfer_record_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (records, ssync_transfer_record_from_row (stmt));
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      sqlite3_mutex_leave (mutex);
      return NULL;
    }

  sqlite3_mutex_leave (mutex);
  return g_steal_pointer (&records);
}

void
ssync_share_totals_free (SsyncShareTotals *totals)
{
  g_free (totals->share_id);
  g_free (totals->share_name);
  g_free (totals);
}

/* Completed downloads and uploads per share, with their bytes, most active first. A
 * synchronous read: call it from a worker thread. */
GPtrArray *
ssync_history_list_totals (SsyncHistory  *self,
                           GError       **error)
{
  g_autoptr(GPtrArray) totals = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);
  int rc;

  totals = g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_share_totals_free);
  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT share_id, max(share_name),"
                          " sum(direction = 'download'), sum(direction = 'upload'),"
                          " sum(CASE WHEN direction = 'download' THEN bytes ELSE 0 END),"
                          " sum(CASE WHEN direction = 'upload' THEN bytes ELSE 0 END)"
                          " FROM transfers WHERE status = 'complete'"
                          " GROUP BY share_id ORDER BY count(*) DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      sqlite3_mutex_leave (mutex);
      return NULL;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SsyncShareTotals *t = g_new0 (SsyncShareTotals, 1);

      t->share_id = column_strdup (stmt, 0);
      t->share_name = column_strdup (stmt, 1);
      t->downloads = sqlite3_column_int64 (stmt, 2);
      t->uploads = sqlite3_column_int64 (stmt, 3);
      t->bytes_sent = sqlite3_column_int64 (stmt, 4);
      t->bytes_received = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (totals, t);
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      sqlite3_mutex_leave (mutex);
      return NULL;
    }

  sqlite3_mutex_leave (mutex);
  return g_steal_pointer (&totals);
}

/* Queues the removal of finished transfers that started before @before (real time in
 * microseconds): history retention. */
void
ssync_history_forget_before (SsyncHistory *self,
                             gint64        before)
{
  Job *job;

  g_return_if_fail (SSYNC_IS_HISTORY (self));

  job = g_new0 (Job, 1);
  job->type = JOB_FORGET;
  job->before = before;
  push_job (self, job);
}

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

/* Queues a write of @record (copied now); a later record with the same id replaces it. */
void
ssync_history_record_push (SsyncHistory          *self,
                           const SsyncPushRecord *record)
{
  SsyncPushRecord *r = g_new0 (SsyncPushRecord, 1);
  Job *job;

  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (record->id != NULL && record->object_key != NULL);

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

  job = g_new0 (Job, 1);
  job->type = JOB_PUSH;
  job->push = r;
  push_job (self, job);
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
  g_autoptr(GPtrArray) pushes = g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_push_record_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex = sqlite3_db_mutex (self->db);
  int rc;

  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT " PUSH_COLUMNS " FROM pushes"
                          " WHERE (?1 IS NULL OR share_id = ?1)"
                          " AND (?2 = 0 OR (status = 'pushed' AND expires < ?2))"
                          " ORDER BY pushed DESC, rowid DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      sqlite3_mutex_leave (mutex);
      return NULL;
    }
  bind_text (stmt, 1, share_id);
  sqlite3_bind_int64 (stmt, 2, expired_before);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SsyncPushRecord *r = g_new0 (SsyncPushRecord, 1);

      r->id = column_strdup (stmt, 0);
      r->share_id = column_strdup (stmt, 1);
      r->file_name = column_strdup (stmt, 2);
      r->endpoint = column_strdup (stmt, 3);
      r->bucket = column_strdup (stmt, 4);
      r->object_key = column_strdup (stmt, 5);
      r->size = sqlite3_column_int64 (stmt, 6);
      r->pushed = sqlite3_column_int64 (stmt, 7);
      r->expires = sqlite3_column_int64 (stmt, 8);
      r->status = column_strdup (stmt, 9);
      r->message = column_strdup (stmt, 10);
      g_ptr_array_add (pushes, r);
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      sqlite3_mutex_leave (mutex);
      return NULL;
    }

  sqlite3_mutex_leave (mutex);
  return g_steal_pointer (&pushes);
}

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

/* Queues a write of @record (copied now). Recorded again under the same id, only its expiry
 * changes. */
void
ssync_history_record_upload (SsyncHistory            *self,
                             const SsyncUploadRecord *record)
{
  SsyncUploadRecord *r;
  Job *job;

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

  job = g_new0 (Job, 1);
  job->type = JOB_UPLOAD;
  job->upload = r;
  push_job (self, job);
}

/* Queues the removal of an upload's row: it completed, or its .part was deleted. */
void
ssync_history_forget_upload (SsyncHistory *self,
                             const char   *upload_id)
{
  Job *job;

  g_return_if_fail (SSYNC_IS_HISTORY (self));
  g_return_if_fail (upload_id != NULL);

  job = g_new0 (Job, 1);
  job->type = JOB_UPLOAD_DONE;
  job->upload_id = g_strdup (upload_id);
  push_job (self, job);
}

/* The unfinished uploads into @folder (every folder when NULL), newest first, as
 * SsyncUploadRecord. A synchronous read: call it from a worker thread. */
GPtrArray *
ssync_history_list_uploads (SsyncHistory  *self,
                            const char    *folder,
                            GError       **error)
{
  g_autoptr(GPtrArray) uploads = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3_mutex *mutex;
  int rc;

  g_return_val_if_fail (SSYNC_IS_HISTORY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_upload_record_free);

  mutex = sqlite3_db_mutex (self->db);
  sqlite3_mutex_enter (mutex);
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT " UPLOAD_COLUMNS " FROM uploads"
                          " WHERE ?1 IS NULL OR folder = ?1"
                          " ORDER BY created DESC, rowid DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      sqlite3_mutex_leave (mutex);
      return NULL;
    }
  bind_text (stmt, 1, folder);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SsyncUploadRecord *r = g_new0 (SsyncUploadRecord, 1);

      r->id = column_strdup (stmt, 0);
      r->share_token = column_strdup (stmt, 1);
      r->folder = column_strdup (stmt, 2);
      r->path = column_strdup (stmt, 3);
      r->part_name = column_strdup (stmt, 4);
      r->length = (guint64) sqlite3_column_int64 (stmt, 5);
      r->metadata = column_strdup (stmt, 6);
      r->created = sqlite3_column_int64 (stmt, 7);
      r->expires = sqlite3_column_int64 (stmt, 8);
      g_ptr_array_add (uploads, r);
    }

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      sqlite3_mutex_leave (mutex);
      return NULL;
    }

  sqlite3_mutex_leave (mutex);
  return g_steal_pointer (&uploads);
}
