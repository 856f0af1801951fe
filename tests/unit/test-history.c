/* test-history.c: the history store, on real SQLite files in a temporary folder.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-history.h"
#include "ssync-transfer.h"

/* The schema as version 1 shipped it, spelled out here rather than taken from the code under
 * test, so the migration test starts from what users really have on disk. */
#define SCHEMA_V1 \
  "CREATE TABLE shares (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL," \
  "  n_files INTEGER, total_size INTEGER, created INTEGER NOT NULL);" \
  "CREATE TABLE transfers (id TEXT PRIMARY KEY, share_id TEXT, share_name TEXT," \
  "  file_name TEXT, direction TEXT NOT NULL, kind TEXT NOT NULL, peer TEXT," \
  "  user_agent TEXT, started INTEGER NOT NULL, finished INTEGER," \
  "  bytes INTEGER NOT NULL DEFAULT 0, total INTEGER, status TEXT NOT NULL);" \
  "PRAGMA user_version = 1;"

typedef struct {
  char *dir;
  char *path;
  SsyncHistory *history;
} Fixture;

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  g_assert_no_errno (g_remove (path));
}

/* The database lives two folders down so that opening it has to create them. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-history-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "data", "sharesync", "history.db", NULL);
}

static void
fixture_setup_open (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture_setup (fixture, data);
  fixture->history = ssync_history_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->history);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->history);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* A second connection, as another process would see the file. */
static sqlite3 *
open_direct (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                    NULL), ==, SQLITE_OK);
  return db;
}

static void
exec_direct (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  g_autofree char *text = query_text (db, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static void
test_fresh (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *parent = g_path_get_dirname (fixture->path);
  g_autofree char *journal_mode = NULL;
  GStatBuf st;
  sqlite3 *db;

  g_assert_cmpint (ssync_history_get_schema_version (fixture->history), ==, SSYNC_HISTORY_SCHEMA_VERSION);
  g_assert_true (ssync_history_check (fixture->history));

  /* Who shared what with whom is private, so the folder is the owner's alone. */
  g_assert_no_errno (g_stat (parent, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  db = open_direct (fixture->path);
  journal_mode = query_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, SSYNC_HISTORY_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name IN ('shares', 'transfers')"), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_table_info('transfers') "
                                  "WHERE name IN ('offset', 'message', 'sha256', 'saved_as')"), ==, 4);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                  "AND tbl_name = 'transfers' AND sql IS NOT NULL"), ==, 2);
  sqlite3_close (db);
}

static void
test_migrate_v1 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(SsyncTransfer) transfer = NULL;
  g_autofree char *parent = g_path_get_dirname (fixture->path);
  SsyncTransferRecord *r;
  sqlite3 *db;

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  db = open_direct (fixture->path);
  exec_direct (db, SCHEMA_V1);
  exec_direct (db,
               "INSERT INTO shares VALUES ('s1', 'Holiday', 'send', 2, 300, 1000);"
               "INSERT INTO transfers (id, share_id, share_name, file_name, direction, kind,"
               "  peer, user_agent, started, finished, bytes, total, status) VALUES"
               "  ('t1', 's1', 'Holiday', 'a.jpg', 'download', 'file', '192.0.2.7',"
               "   'Firefox', 2000000, 3000000, 100, 100, 'complete'),"
               "  ('t2', 's1', 'Holiday', NULL, 'download', 'zip', '192.0.2.8',"
               "   NULL, 4000000, NULL, 50, NULL, 'active');");
  sqlite3_close (db);

  fixture->history = ssync_history_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ssync_history_get_schema_version (fixture->history), ==, SSYNC_HISTORY_SCHEMA_VERSION);

  records = ssync_history_list_transfers (fixture->history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);

  r = records->pdata[0];
  g_assert_cmpstr (r->id, ==, "t2");
  g_assert_cmpint (r->kind, ==, SSYNC_TRANSFER_KIND_ZIP);
  /* Active in a store that no process has open any more: cut short. */
  g_assert_cmpint (r->status, ==, SSYNC_TRANSFER_STATUS_INCOMPLETE);
  g_assert_null (r->file_name);
  g_assert_null (r->user_agent);
  g_assert_cmpint (r->finished, ==, 0);
  g_assert_cmpuint (r->total, ==, 0);
  g_assert_cmpuint (r->offset, ==, 0);
  g_assert_cmpstr (r->message, ==, "ShareSync stopped during this transfer");

  r = records->pdata[1];
  g_assert_cmpstr (r->id, ==, "t1");
  g_assert_cmpstr (r->file_name, ==, "a.jpg");
  g_assert_cmpstr (r->peer, ==, "192.0.2.7");
  g_assert_cmpstr (r->user_agent, ==, "Firefox");
  g_assert_cmpint (r->direction, ==, SSYNC_DIRECTION_DOWNLOAD);
  g_assert_cmpint (r->started, ==, 2000000);
  g_assert_cmpint (r->finished, ==, 3000000);
  g_assert_cmpuint (r->bytes, ==, 100);
  g_assert_cmpint (r->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
  g_assert_cmpuint (r->offset, ==, 0);
  g_assert_null (r->message);
  g_clear_pointer (&records, g_ptr_array_unref);

  /* The columns version 2 added take values. */
  transfer = ssync_transfer_new ("s1", "Holiday", "b.jpg", SSYNC_DIRECTION_DOWNLOAD,
                                 SSYNC_TRANSFER_KIND_FILE, "192.0.2.9", "curl", 1000);
  ssync_transfer_set_offset (transfer, 400);
  ssync_transfer_add_bytes (transfer, 10);
  ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_FAILED, "Disk full");
  ssync_history_record_transfer (fixture->history, transfer);
  ssync_history_flush (fixture->history);

  records = ssync_history_list_transfers (fixture->history, "s1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 3);
  r = records->pdata[0];
  g_assert_cmpstr (r->id, ==, ssync_transfer_get_id (transfer));
  g_assert_cmpuint (r->offset, ==, 400);
  g_assert_cmpstr (r->message, ==, "Disk full");

  db = open_direct (fixture->path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, SSYNC_HISTORY_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT created FROM shares WHERE id = 's1'"), ==, 1000);
  sqlite3_close (db);
}

static void
test_newer_schema (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncHistory) history = NULL;
  g_autofree char *parent = g_path_get_dirname (fixture->path);
  sqlite3 *db;

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  db = open_direct (fixture->path);
  exec_direct (db, "CREATE TABLE future (x); PRAGMA user_version = 99;");
  sqlite3_close (db);

  history = ssync_history_open (fixture->path, &error);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_DATABASE);
  g_assert_null (history);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_nonnull (strstr (error->message, "newer ShareSync (schema 99)"));
  {
    g_autofree char *up_to = g_strdup_printf ("up to %d", SSYNC_HISTORY_SCHEMA_VERSION);

    g_assert_nonnull (strstr (error->message, up_to));
  }

  /* Refusing must leave the newer version's data as it was. */
  db = open_direct (fixture->path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'shares'"),
                   ==, 0);
  sqlite3_close (db);
}

static void
test_not_a_database (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncHistory) history = NULL;
  g_autofree char *parent = g_path_get_dirname (fixture->path);

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  g_file_set_contents (fixture->path, "This is not SQLite, but it is long enough to look at.\n"
                       "This is not SQLite, but it is long enough to look at.\n", -1, &error);
  g_assert_no_error (error);

  history = ssync_history_open (fixture->path, &error);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_DATABASE);
  g_assert_null (history);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_nonnull (strstr (error->message, "not a database"));
}

static void
test_record_transfers (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(SsyncTransfer) done = NULL;
  g_autoptr(SsyncTransfer) cut = NULL;
  g_autoptr(SsyncTransfer) other = NULL;
  SsyncTransferRecord *r;
  sqlite3 *db;

  ssync_history_record_share (fixture->history, "s1", "Holiday photos", SSYNC_SHARE_KIND_SEND,
                              2, 3000, 1700000000000000);

  done = ssync_transfer_new ("s1", "Holiday photos", "beach.jpg", SSYNC_DIRECTION_DOWNLOAD,
                             SSYNC_TRANSFER_KIND_FILE, "192.0.2.7", "Mozilla/5.0 Firefox", 2000);
  ssync_history_record_transfer (fixture->history, done);
  ssync_transfer_add_bytes (done, 1500);
  ssync_transfer_add_bytes (done, 500);
  ssync_transfer_finish (done, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  ssync_history_record_transfer (fixture->history, done);

  cut = ssync_transfer_new ("s1", "Holiday photos", NULL, SSYNC_DIRECTION_DOWNLOAD,
                            SSYNC_TRANSFER_KIND_ZIP, "192.0.2.8", "curl/8.0", 1000);
  ssync_history_record_transfer (fixture->history, cut);
  ssync_transfer_add_bytes (cut, 300);
  ssync_transfer_finish (cut, SSYNC_TRANSFER_STATUS_INCOMPLETE, "The connection was closed");
  ssync_history_record_transfer (fixture->history, cut);

  other = ssync_transfer_new ("s2", "Inbox", "report.pdf", SSYNC_DIRECTION_UPLOAD,
                              SSYNC_TRANSFER_KIND_UPLOAD, "192.0.2.9", "Chromium", 10);
  ssync_history_record_transfer (fixture->history, other);

  ssync_history_flush (fixture->history);

  records = ssync_history_list_transfers (fixture->history, "s1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);

  /* Both were started within a microsecond or so; the later one comes first. */
  r = records->pdata[1];
  g_assert_cmpstr (r->id, ==, ssync_transfer_get_id (done));
  g_assert_cmpstr (r->share_id, ==, "s1");
  g_assert_cmpstr (r->share_name, ==, "Holiday photos");
  g_assert_cmpstr (r->file_name, ==, "beach.jpg");
  g_assert_cmpint (r->direction, ==, SSYNC_DIRECTION_DOWNLOAD);
  g_assert_cmpint (r->kind, ==, SSYNC_TRANSFER_KIND_FILE);
  g_assert_cmpstr (r->peer, ==, "192.0.2.7");
  g_assert_cmpstr (r->user_agent, ==, "Mozilla/5.0 Firefox");
  g_assert_cmpint (r->started, ==, ssync_transfer_get_started (done));
  g_assert_cmpint (r->finished, ==, ssync_transfer_get_finished (done));
  g_assert_cmpint (r->finished, >=, r->started);
  g_assert_cmpuint (r->bytes, ==, 2000);
  g_assert_cmpuint (r->total, ==, 2000);
  g_assert_cmpint (r->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
  g_assert_null (r->message);

  r = records->pdata[0];
  g_assert_cmpstr (r->id, ==, ssync_transfer_get_id (cut));
  g_assert_null (r->file_name);
  g_assert_cmpint (r->kind, ==, SSYNC_TRANSFER_KIND_ZIP);
  g_assert_cmpuint (r->bytes, ==, 300);
  g_assert_cmpuint (r->total, ==, 1000);
  g_assert_cmpint (r->status, ==, SSYNC_TRANSFER_STATUS_INCOMPLETE);
  g_assert_cmpstr (r->message, ==, "The connection was closed");
  g_clear_pointer (&records, g_ptr_array_unref);

  records = ssync_history_list_transfers (fixture->history, "s2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  r = records->pdata[0];
  g_assert_cmpint (r->direction, ==, SSYNC_DIRECTION_UPLOAD);
  g_assert_cmpint (r->status, ==, SSYNC_TRANSFER_STATUS_ACTIVE);
  g_assert_cmpint (r->finished, ==, 0);
  g_clear_pointer (&records, g_ptr_array_unref);

  records = ssync_history_list_transfers (fixture->history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 3);
  g_clear_pointer (&records, g_ptr_array_unref);

  records = ssync_history_list_transfers (fixture->history, "nothing", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);

  db = open_direct (fixture->path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM shares WHERE id = 's1' "
                                  "AND name = 'Holiday photos' AND kind = 'send' "
                                  "AND n_files = 2 AND total_size = 3000 "
                                  "AND created = 1700000000000000"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM transfers WHERE finished IS NULL"),
                   ==, 1);
  sqlite3_close (db);
}

/* A write is a copy taken at the call: progress made afterwards, or dropping the transfer
 * before the writer gets to it, does not change what is stored. */
static void
test_snapshot (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  SsyncTransfer *transfer;
  SsyncTransferRecord *r;

  transfer = ssync_transfer_new ("s1", "Holiday", "a.jpg", SSYNC_DIRECTION_DOWNLOAD,
                                 SSYNC_TRANSFER_KIND_FILE, "192.0.2.7", "Firefox", 100);
  ssync_history_record_transfer (fixture->history, transfer);
  ssync_transfer_add_bytes (transfer, 100);
  ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  g_object_unref (transfer);
  ssync_history_flush (fixture->history);

  records = ssync_history_list_transfers (fixture->history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  r = records->pdata[0];
  g_assert_cmpuint (r->bytes, ==, 0);
  g_assert_cmpint (r->status, ==, SSYNC_TRANSFER_STATUS_ACTIVE);
  g_assert_cmpstr (r->file_name, ==, "a.jpg");
}

/* Every start and end of 2,000 transfers is queued at once; the rows must hold the end
 * state, which they only do if the writer kept the order of the calls. */
static void
test_many (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) transfers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  const guint n = 2000;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%u.bin", i);
      SsyncTransfer *transfer = ssync_transfer_new ("s1", "Many", name,
                                                    SSYNC_DIRECTION_DOWNLOAD,
                                                    SSYNC_TRANSFER_KIND_FILE, "192.0.2.7",
                                                    "curl", i + 1);

      ssync_history_record_transfer (fixture->history, transfer);
      ssync_transfer_add_bytes (transfer, i + 1);
      ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
      ssync_history_record_transfer (fixture->history, transfer);
      g_hash_table_insert (ids, (char *) ssync_transfer_get_id (transfer), transfer);
      g_ptr_array_add (transfers, transfer);
    }
  ssync_history_flush (fixture->history);

  records = ssync_history_list_transfers (fixture->history, "s1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, n);

  for (guint i = 0; i < records->len; i++)
    {
      SsyncTransferRecord *r = records->pdata[i];
      SsyncTransfer *transfer = g_hash_table_lookup (ids, r->id);

      g_assert_nonnull (transfer);
      g_assert_true (g_hash_table_remove (ids, r->id));
      g_assert_cmpint (r->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
      g_assert_cmpuint (r->bytes, ==, ssync_transfer_get_bytes (transfer));
      g_assert_cmpstr (r->file_name, ==, ssync_transfer_get_file_name (transfer));
      if (i > 0)
        g_assert_cmpint (r->started, <=, ((SsyncTransferRecord *) records->pdata[i - 1])->started);
    }
  g_assert_cmpuint (g_hash_table_size (ids), ==, 0);
}

/* A write that fails is reported, and the writer carries on with the next one. */
static void
test_write_error (Fixture       *fixture,
                  gconstpointer  data)
{
  sqlite3 *db = open_direct (fixture->path);

  exec_direct (db, "CREATE TRIGGER refuse BEFORE INSERT ON shares WHEN NEW.id = 'bad' "
                   "BEGIN SELECT RAISE (ABORT, 'the disk is on fire'); END;");

  g_test_expect_message ("ssync-core", G_LOG_LEVEL_WARNING,
                         "*share bad*history.db*the disk is on fire*");
  ssync_history_record_share (fixture->history, "bad", "Bad", SSYNC_SHARE_KIND_SEND, 0, 0, 1);
  ssync_history_record_share (fixture->history, "good", "Good", SSYNC_SHARE_KIND_RECEIVE,
                              0, 0, 2);
  ssync_history_flush (fixture->history);
  g_test_assert_expected_messages ();

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM shares"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM shares WHERE id = 'good' "
                                  "AND kind = 'receive'"), ==, 1);
  sqlite3_close (db);
}

/* Disposing the store writes what is still queued before it closes the file. */
static void
test_dispose_flushes (Fixture       *fixture,
                      gconstpointer  data)
{
  sqlite3 *db;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *id = g_strdup_printf ("share-%u", i);

      ssync_history_record_share (fixture->history, id, "Share", SSYNC_SHARE_KIND_SEND, i, i, i);
    }
  g_clear_object (&fixture->history);

  db = open_direct (fixture->path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM shares"), ==, 100);
  sqlite3_close (db);
}

/* Retention: finished transfers that started before the cutoff go, active ones stay. */
static void
test_forget (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SsyncTransfer) done = ssync_transfer_new ("s1", "Share", "a.txt",
                                                      SSYNC_DIRECTION_DOWNLOAD,
                                                      SSYNC_TRANSFER_KIND_FILE, "10.0.0.2",
                                                      "UA", 10);
  g_autoptr(SsyncTransfer) running = ssync_transfer_new ("s1", "Share", "b.txt",
                                                         SSYNC_DIRECTION_DOWNLOAD,
                                                         SSYNC_TRANSFER_KIND_FILE, "10.0.0.2",
                                                         "UA", 10);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  ssync_transfer_finish (done, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  ssync_history_record_transfer (fixture->history, done);
  ssync_history_record_transfer (fixture->history, running);
  ssync_history_forget_before (fixture->history, g_get_real_time () + G_USEC_PER_SEC);
  ssync_history_flush (fixture->history);

  rows = ssync_history_list_transfers (fixture->history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((SsyncTransferRecord *) g_ptr_array_index (rows, 0))->file_name, ==, "b.txt");
}

/* A process killed mid-transfer leaves its row "active": the next open marks it incomplete,
 * so the history never shows a transfer in progress that nobody runs. */
static void
test_interrupted (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SsyncTransfer) running = ssync_transfer_new ("s1", "Share", "cut.iso",
                                                         SSYNC_DIRECTION_DOWNLOAD,
                                                         SSYNC_TRANSFER_KIND_FILE, "10.0.0.2",
                                                         "UA", 10);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  SsyncTransferRecord *row;

  ssync_history_record_transfer (fixture->history, running);
  g_clear_object (&fixture->history);

  fixture->history = ssync_history_open (fixture->path, &error);
  g_assert_no_error (error);
  rows = ssync_history_list_transfers (fixture->history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpstr (row->file_name, ==, "cut.iso");
  g_assert_cmpint (row->status, ==, SSYNC_TRANSFER_STATUS_INCOMPLETE);
  g_assert_cmpstr (row->message, ==, "ShareSync stopped during this transfer");
}

/* A version 3 database (as that release left it) gains the pushes table; push rows then
 * round-trip, and only objects whose link ended and that are still in the bucket count as
 * expired. */
static void
test_migrate_v3_pushes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) expired = NULL;
  g_autofree char *parent = g_path_get_dirname (fixture->path);
  SsyncPushRecord old = { "p1", "s1", "a.jpg", "http://127.0.0.1:9000", "b", "s1/a.jpg", 100,
                          1000, 5000, "pushed", NULL };
  SsyncPushRecord live = { "p2", "s1", "b.jpg", "http://127.0.0.1:9000", "b", "s1/b é.jpg", 200,
                           2000, 90000, "pushed", NULL };
  SsyncPushRecord gone = { "p3", "s2", "c.jpg", "http://127.0.0.1:9000", "b", "s2/c.jpg", 300,
                           3000, 4000, "deleted", NULL };
  SsyncPushRecord *r;
  sqlite3 *db;

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  db = open_direct (fixture->path);
  exec_direct (db, SCHEMA_V1);
  exec_direct (db, "ALTER TABLE transfers ADD COLUMN \"offset\" INTEGER NOT NULL DEFAULT 0;"
                   "ALTER TABLE transfers ADD COLUMN message TEXT;"
                   "ALTER TABLE transfers ADD COLUMN sha256 TEXT;"
                   "ALTER TABLE transfers ADD COLUMN saved_as TEXT;"
                   "INSERT INTO shares VALUES ('s1', 'Holiday', 'send', 2, 300, 1000);"
                   "PRAGMA user_version = 3;");
  sqlite3_close (db);

  fixture->history = ssync_history_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ssync_history_get_schema_version (fixture->history), ==,
                   SSYNC_HISTORY_SCHEMA_VERSION);

  ssync_history_record_push (fixture->history, &old);
  ssync_history_record_push (fixture->history, &live);
  ssync_history_record_push (fixture->history, &gone);
  ssync_history_flush (fixture->history);

  all = ssync_history_list_pushes (fixture->history, "s1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  r = all->pdata[0];
  g_assert_cmpstr (r->object_key, ==, "s1/b é.jpg");
  g_assert_cmpuint (r->size, ==, 200);
  g_assert_cmpint (r->expires, ==, 90000);
  g_assert_cmpstr (r->status, ==, "pushed");

  expired = ssync_history_list_pushes (fixture->history, NULL, 10000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expired->len, ==, 1);
  g_assert_cmpstr (((SsyncPushRecord *) expired->pdata[0])->id, ==, "p1");

  /* A deleted object is written over, not added. */
  old.status = "deleted";
  ssync_history_record_push (fixture->history, &old);
  ssync_history_flush (fixture->history);
  g_clear_pointer (&expired, g_ptr_array_unref);
  expired = ssync_history_list_pushes (fixture->history, NULL, 10000, &error);
  g_assert_cmpuint (expired->len, ==, 0);

  db = open_direct (fixture->path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pushes"), ==, 3);
  g_assert_cmpint (query_int (db, "SELECT created FROM shares WHERE id = 's1'"), ==, 1000);
  sqlite3_close (db);
}

/* Unfinished uploads: listed per receive folder, newest first; recorded again, only the
 * expiry moves; forgotten once done; kept across a reopen (a restart resumes them). */
static void
test_uploads (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) inbox = NULL;
  SsyncUploadRecord a = { "u1", "tok1", "/home/u/Downloads", "a.bin", "a.bin.part", 100,
                          "filename YS5iaW4=", 1000, 5000 };
  SsyncUploadRecord b = { "u2", "tok1", "/home/u/Downloads", "sub/b é.bin", "b é (1).bin.part",
                          200, NULL, 2000, 6000 };
  SsyncUploadRecord c = { "u3", "tok2", "/srv/in", "c.bin", "c.bin.part", 300, NULL, 3000,
                          7000 };
  SsyncUploadRecord *r;

  ssync_history_record_upload (fixture->history, &a);
  ssync_history_record_upload (fixture->history, &b);
  ssync_history_record_upload (fixture->history, &c);
  a.expires = 9000;
  a.created = 4000;
  a.path = "changed.bin";
  ssync_history_record_upload (fixture->history, &a);
  ssync_history_forget_upload (fixture->history, "u3");
  ssync_history_flush (fixture->history);

  g_clear_object (&fixture->history);
  fixture->history = ssync_history_open (fixture->path, &error);
  g_assert_no_error (error);

  all = ssync_history_list_uploads (fixture->history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  inbox = ssync_history_list_uploads (fixture->history, "/home/u/Downloads", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (inbox->len, ==, 2);
  r = inbox->pdata[0];
  g_assert_cmpstr (r->id, ==, "u2");
  g_assert_cmpstr (r->path, ==, "sub/b é.bin");
  g_assert_cmpstr (r->part_name, ==, "b é (1).bin.part");
  g_assert_null (r->metadata);
  r = inbox->pdata[1];
  g_assert_cmpstr (r->id, ==, "u1");
  g_assert_cmpstr (r->share_token, ==, "tok1");
  g_assert_cmpstr (r->path, ==, "a.bin");
  g_assert_cmpstr (r->metadata, ==, "filename YS5iaW4=");
  g_assert_cmpuint (r->length, ==, 100);
  g_assert_cmpint (r->created, ==, 1000);
  g_assert_cmpint (r->expires, ==, 9000);
}

/* Devices by fingerprint: stored in uppercase, one row however the fingerprint was typed; a
 * later write changes the trust but keeps the first sighting, and keeps the name when it gives
 * none (a decision from the command line). A trust this build does not know decides nothing. */
static void
test_devices (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  SsyncDeviceRecord seen = { "ab12", "Phone", "mobile", SSYNC_DEVICE_TRUST_SEEN, 1000, 1000 };
  SsyncDeviceRecord trusted = { "AB12", NULL, NULL, SSYNC_DEVICE_TRUST_TRUSTED, 5000, 5000 };
  SsyncDeviceRecord blocked = { "CD34", "Laptop", "desktop", SSYNC_DEVICE_TRUST_BLOCKED, 2000,
                                2000 };
  sqlite3 *db;

  ssync_history_record_device (fixture->history, &seen);
  ssync_history_record_device (fixture->history, &trusted);
  ssync_history_record_device (fixture->history, &blocked);
  ssync_history_flush (fixture->history);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO devices VALUES ('EF56', 'Future', 'web', 42, 1,"
                                 " 1)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_clear_object (&fixture->history);
  fixture->history = ssync_history_open (fixture->path, &error);
  g_assert_no_error (error);
  devices = ssync_history_list_devices (fixture->history, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 3);
  for (guint i = 0; i < devices->len; i++)
    {
      SsyncDeviceRecord *r = devices->pdata[i];

      if (g_str_equal (r->fingerprint, "AB12"))
        {
          g_assert_cmpstr (r->alias, ==, "Phone");
          g_assert_cmpstr (r->device_type, ==, "mobile");
          g_assert_cmpint (r->trust, ==, SSYNC_DEVICE_TRUST_TRUSTED);
          g_assert_cmpint (r->first_seen, ==, 1000);
          g_assert_cmpint (r->last_seen, ==, 5000);
        }
      else if (g_str_equal (r->fingerprint, "CD34"))
        g_assert_cmpint (r->trust, ==, SSYNC_DEVICE_TRUST_BLOCKED);
      else
        {
          g_assert_cmpstr (r->fingerprint, ==, "EF56");
          g_assert_cmpint (r->trust, ==, SSYNC_DEVICE_TRUST_SEEN);
        }
    }
}

/* Writes of every kind queued in one burst land in call order, whichever of them share the
 * writer's batch transaction: a forget queued between transfers removes only the ones before
 * it, and the pushes and uploads around it are kept. The totals count what is left. */
static void
test_mixed_order (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) transfers = NULL;
  g_autoptr(GPtrArray) totals = NULL;
  g_autoptr(GPtrArray) pushes = NULL;
  g_autoptr(GPtrArray) uploads = NULL;
  g_autoptr(SsyncTransfer) before = NULL;
  g_autoptr(SsyncTransfer) sent = NULL;
  g_autoptr(SsyncTransfer) received = NULL;
  SsyncPushRecord push = { "p1", "s1", "a.jpg", "http://127.0.0.1:9000", "b", "s1/a.jpg", 100,
                           1000, 5000, "pushed", NULL };
  SsyncUploadRecord upload = { "u1", "tok1", "/srv/in", "c.bin", "c.bin.part", 300, NULL, 3000,
                               7000 };
  SsyncShareTotals *t;

  before = ssync_transfer_new ("s1", "Share", "old.txt", SSYNC_DIRECTION_DOWNLOAD,
                               SSYNC_TRANSFER_KIND_FILE, "10.0.0.2", "UA", 10);
  ssync_transfer_add_bytes (before, 10);
  ssync_transfer_finish (before, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);

  ssync_history_record_share (fixture->history, "s1", "Share", SSYNC_SHARE_KIND_SEND, 1, 10,
                              1000);
  ssync_history_record_transfer (fixture->history, before);
  ssync_history_record_push (fixture->history, &push);
  ssync_history_record_upload (fixture->history, &upload);
  ssync_history_forget_before (fixture->history, g_get_real_time () + G_USEC_PER_SEC);

  sent = ssync_transfer_new ("s1", "Share", "new.txt", SSYNC_DIRECTION_DOWNLOAD,
                             SSYNC_TRANSFER_KIND_FILE, "10.0.0.3", "UA", 20);
  ssync_transfer_add_bytes (sent, 20);
  ssync_transfer_finish (sent, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  received = ssync_transfer_new ("s1", "Share", "in.txt", SSYNC_DIRECTION_UPLOAD,
                                 SSYNC_TRANSFER_KIND_FILE, "10.0.0.4", "UA", 5);
  ssync_transfer_add_bytes (received, 5);
  ssync_transfer_finish (received, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  ssync_history_record_transfer (fixture->history, sent);
  ssync_history_record_transfer (fixture->history, received);
  ssync_history_flush (fixture->history);

  transfers = ssync_history_list_transfers (fixture->history, "s1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (transfers->len, ==, 2);
  for (guint i = 0; i < transfers->len; i++)
    g_assert_cmpstr (((SsyncTransferRecord *) transfers->pdata[i])->file_name, !=, "old.txt");

  pushes = ssync_history_list_pushes (fixture->history, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pushes->len, ==, 1);
  uploads = ssync_history_list_uploads (fixture->history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uploads->len, ==, 1);

  totals = ssync_history_list_totals (fixture->history, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (totals->len, ==, 1);
  t = totals->pdata[0];
  g_assert_cmpstr (t->share_id, ==, "s1");
  g_assert_cmpstr (t->share_name, ==, "Share");
  g_assert_cmpuint (t->downloads, ==, 1);
  g_assert_cmpuint (t->uploads, ==, 1);
  g_assert_cmpuint (t->bytes_sent, ==, 20);
  g_assert_cmpuint (t->bytes_received, ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, setup, func) \
  g_test_add (path, Fixture, NULL, setup, func, fixture_teardown)

  ADD ("/history/open/fresh", fixture_setup_open, test_fresh);
  ADD ("/history/open/migrate-v1", fixture_setup, test_migrate_v1);
  ADD ("/history/open/migrate-v3-pushes", fixture_setup, test_migrate_v3_pushes);
  ADD ("/history/open/newer-schema", fixture_setup, test_newer_schema);
  ADD ("/history/open/not-a-database", fixture_setup, test_not_a_database);
  ADD ("/history/record/transfers", fixture_setup_open, test_record_transfers);
  ADD ("/history/record/snapshot", fixture_setup_open, test_snapshot);
  ADD ("/history/record/many", fixture_setup_open, test_many);
  ADD ("/history/record/write-error", fixture_setup_open, test_write_error);
  ADD ("/history/record/dispose-flushes", fixture_setup_open, test_dispose_flushes);
  ADD ("/history/record/forget", fixture_setup_open, test_forget);
  ADD ("/history/open/interrupted", fixture_setup_open, test_interrupted);
  ADD ("/history/record/uploads", fixture_setup_open, test_uploads);
  ADD ("/history/record/devices", fixture_setup_open, test_devices);
  ADD ("/history/record/mixed-order", fixture_setup_open, test_mixed_order);

#undef ADD

  return g_test_run ();
}
