/* ssync-history-fill.c: fills a history database with many made-up transfers, fast.
 *
 * Going through ssync_history_record_transfer() costs about a millisecond per row; tests
 * that need 100,000 rows insert them directly, in one transaction, into a database that
 * ssync_history_open() has already created (so the schema is the real one).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <sqlite3.h>

#include "ssync-history-fill.h"

static const char * const user_agents[] = {
  "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1",
  "curl/7.88.1",
};

void
ssync_history_fill (const char *path,
                    guint       n_rows,
                    gint64      newest)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO transfers (id, share_id, share_name,"
                                       " file_name, direction, kind, peer, user_agent,"
                                       " started, finished, bytes, total, status)"
                                       " VALUES (?1, ?2, ?3, ?4, ?5, 'file', ?6, ?7, ?8, ?9,"
                                       " ?10, ?10, ?11)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);

  for (guint i = 0; i < n_rows; i++)
    {
      char id[32], share_id[16], share_name[32], file_name[32], peer[32];
      gint64 started = newest - (gint64) (n_rows - 1 - i) * SSYNC_FILL_SPACING;

      g_snprintf (id, sizeof id, "t%06u", i);
      g_snprintf (share_id, sizeof share_id, "s%u", i % 5);
      g_snprintf (share_name, sizeof share_name, "Share %u", i % 5);
      g_snprintf (file_name, sizeof file_name, "file-%06u.bin", i);
      g_snprintf (peer, sizeof peer, "192.168.1.%u", i % 250 + 1);

      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, share_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, share_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, file_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, i % 4 == 3 ? "upload" : "download", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, peer, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 7, user_agents[i % G_N_ELEMENTS (user_agents)], -1,
                         SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 8, started);
      sqlite3_bind_int64 (stmt, 9, started + (gint64) (i % 100) * G_USEC_PER_SEC);
      sqlite3_bind_int64 (stmt, 10, (gint64) (i * 7919u) % (10 * 1024 * 1024));
      sqlite3_bind_text (stmt, 11, i % 10 == 9 ? "failed" : "complete", -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }

  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}
