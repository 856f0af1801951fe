/* test-history-query.c: paged, searched and sorted reads of the history, on real SQLite
 * files in a temporary folder, up to 100,000 rows.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <glib/gstdio.h>

#include "ssync-history-fill.h"
#include "ssync-history-query.h"
#include "ssync-transfer.h"

#define BIG 100000

typedef struct {
  char *dir;
  char *path;
  SsyncHistory *history;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-history-query-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "history.db", NULL);
  fixture->history = ssync_history_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_assert_finalize_object (fixture->history);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);

      if (g_file_test (file, G_FILE_TEST_EXISTS))
        g_assert_no_errno (g_remove (file));
    }
  g_assert_no_errno (g_rmdir (fixture->dir));
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
record (Fixture             *fixture,
        const char          *file_name,
        SsyncDirection       direction,
        const char          *peer,
        const char          *user_agent,
        guint64              bytes,
        SsyncTransferStatus  status)
{
  g_autoptr(SsyncTransfer) transfer = NULL;

  transfer = ssync_transfer_new ("s1", "Holiday 100%", file_name, direction,
                                 direction == SSYNC_DIRECTION_UPLOAD ?
                                 SSYNC_TRANSFER_KIND_UPLOAD : SSYNC_TRANSFER_KIND_FILE,
                                 peer, user_agent, bytes);
  ssync_history_record_transfer (fixture->history, transfer);
  ssync_transfer_add_bytes (transfer, bytes);
  ssync_transfer_finish (transfer, status, NULL);
  ssync_history_record_transfer (fixture->history, transfer);
  /* Start times are in microseconds; keep them apart so the order is not by tie-break. */
  g_usleep (2000);
}

static GPtrArray *
page (Fixture          *fixture,
      const char       *search,
      SsyncHistorySort  sort,
      gboolean          descending,
      guint             offset,
      guint             limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *records;

  records = ssync_history_query_page (fixture->history, search, sort, descending, offset, limit,
                                      &error);
  g_assert_no_error (error);
  g_assert_nonnull (records);
  return records;
}

static const char *
file_at (GPtrArray *records,
         guint      i)
{
  return ((SsyncTransferRecord *) g_ptr_array_index (records, i))->file_name;
}

/* A handful of transfers recorded the way the server records them. */
static void
test_small (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) newest = NULL;
  g_autoptr(GPtrArray) by_bytes = NULL;
  g_autoptr(GPtrArray) by_name = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) tail = NULL;
  SsyncTransferRecord *r;

  record (fixture, "beach.jpg", SSYNC_DIRECTION_DOWNLOAD, "10.0.0.2", "Firefox/120", 300,
          SSYNC_TRANSFER_STATUS_COMPLETE);
  record (fixture, "Agenda.pdf", SSYNC_DIRECTION_UPLOAD, "10.0.0.3", "curl/7.88", 100,
          SSYNC_TRANSFER_STATUS_FAILED);
  record (fixture, "notes_1.txt", SSYNC_DIRECTION_DOWNLOAD, "10.0.0.4", "Chrome/120", 200,
          SSYNC_TRANSFER_STATUS_COMPLETE);
  ssync_history_flush (fixture->history);

  g_assert_cmpuint (ssync_history_query_count (fixture->history, NULL, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "", &error), ==, 3);

  newest = page (fixture, NULL, SSYNC_HISTORY_SORT_STARTED, TRUE, 0, 10);
  g_assert_cmpuint (newest->len, ==, 3);
  g_assert_cmpstr (file_at (newest, 0), ==, "notes_1.txt");
  g_assert_cmpstr (file_at (newest, 2), ==, "beach.jpg");
  r = g_ptr_array_index (newest, 1);
  g_assert_cmpint (r->direction, ==, SSYNC_DIRECTION_UPLOAD);
  g_assert_cmpint (r->status, ==, SSYNC_TRANSFER_STATUS_FAILED);
  g_assert_cmpstr (r->peer, ==, "10.0.0.3");
  g_assert_cmpstr (r->user_agent, ==, "curl/7.88");
  g_assert_cmpstr (r->share_name, ==, "Holiday 100%");
  g_assert_cmpuint (r->bytes, ==, 100);
  g_assert_cmpint (r->finished, >=, r->started);

  tail = page (fixture, NULL, SSYNC_HISTORY_SORT_STARTED, TRUE, 2, 10);
  g_assert_cmpuint (tail->len, ==, 1);
  g_assert_cmpstr (file_at (tail, 0), ==, "beach.jpg");

  by_bytes = page (fixture, NULL, SSYNC_HISTORY_SORT_BYTES, FALSE, 0, 10);
  g_assert_cmpstr (file_at (by_bytes, 0), ==, "Agenda.pdf");
  g_assert_cmpstr (file_at (by_bytes, 2), ==, "beach.jpg");

  /* File names sort the way people read them, not by byte value ('A' < 'b' < 'n'). */
  by_name = page (fixture, NULL, SSYNC_HISTORY_SORT_FILE, TRUE, 0, 10);
  g_assert_cmpstr (file_at (by_name, 0), ==, "notes_1.txt");
  g_assert_cmpstr (file_at (by_name, 1), ==, "beach.jpg");
  g_assert_cmpstr (file_at (by_name, 2), ==, "Agenda.pdf");

  /* Search looks at file, peer, user agent and share name, ignoring ASCII case; % and _
   * typed by the user are literal characters, not wildcards. */
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "AGENDA", NULL), ==, 1);
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "10.0.0.4", NULL), ==, 1);
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "chrome", NULL), ==, 1);
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "holiday", NULL), ==, 3);
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "100%", NULL), ==, 3);
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "s_1", NULL), ==, 1);
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "es_1", NULL), ==, 1);
  g_assert_cmpuint (ssync_history_query_count (fixture->history, "e_1", NULL), ==, 0);
  found = page (fixture, "curl", SSYNC_HISTORY_SORT_STARTED, TRUE, 0, 10);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (file_at (found, 0), ==, "Agenda.pdf");
}

/* Today and the 29 days before it, with the complete downloads in each. */
static void
test_daily_small (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) days = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) month_ago = g_date_time_add_days (now, -29);
  SsyncHistoryDay *today;

  record (fixture, "a", SSYNC_DIRECTION_DOWNLOAD, "p", "u", 1, SSYNC_TRANSFER_STATUS_COMPLETE);
  record (fixture, "b", SSYNC_DIRECTION_DOWNLOAD, "p", "u", 1, SSYNC_TRANSFER_STATUS_COMPLETE);
  record (fixture, "c", SSYNC_DIRECTION_DOWNLOAD, "p", "u", 1, SSYNC_TRANSFER_STATUS_FAILED);
  record (fixture, "d", SSYNC_DIRECTION_UPLOAD, "p", "u", 1, SSYNC_TRANSFER_STATUS_COMPLETE);
  ssync_history_flush (fixture->history);

  days = ssync_history_query_daily (fixture->history,
                                    g_date_time_to_unix (month_ago) * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (days->len, ==, 30);
  today = &g_array_index (days, SsyncHistoryDay, 29);
  g_assert_cmpuint (today->downloads, ==, 2);
  g_assert_cmpint (today->day, <=, g_get_real_time ());
  g_assert_cmpint (g_get_real_time () - today->day, <, 25 * G_TIME_SPAN_HOUR);
  for (guint i = 0; i < 29; i++)
    g_assert_cmpuint (g_array_index (days, SsyncHistoryDay, i).downloads, ==, 0);
}

static double
time_page (Fixture          *fixture,
           const char       *search,
           SsyncHistorySort  sort,
           gboolean          descending,
           guint             offset,
           GPtrArray       **records)
{
  gint64 start = g_get_monotonic_time ();

  *records = page (fixture, search, sort, descending, offset, 256);
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* 100,000 rows: the counts, the page contents at both ends, and how long a page takes. */
static void
test_big (Fixture       *fixture,
          gconstpointer  data)
{
  gint64 newest = g_get_real_time ();
  gint64 start;
  double ms;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) middle = NULL;
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GPtrArray) by_bytes = NULL;
  g_autoptr(GPtrArray) by_file = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GArray) days = NULL;
  guint total = 0;
  guint count;

  start = g_get_monotonic_time ();
  ssync_history_fill (fixture->path, BIG, newest);
  g_test_message ("inserted %u rows in %.0f ms", BIG,
                  (g_get_monotonic_time () - start) / 1000.0);

  start = g_get_monotonic_time ();
  count = ssync_history_query_count (fixture->history, NULL, NULL);
  g_test_message ("count: %.2f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (count, ==, BIG);

  /* Warm the page cache once, as a window that has been open a moment would have it. */
  g_ptr_array_unref (page (fixture, NULL, SSYNC_HISTORY_SORT_STARTED, TRUE, 0, 256));

  ms = time_page (fixture, NULL, SSYNC_HISTORY_SORT_STARTED, TRUE, 0, &first);
  g_test_message ("page of 256 by start, offset 0: %.2f ms", ms);
  g_assert_cmpuint (first->len, ==, 256);
  g_assert_cmpstr (file_at (first, 0), ==, "file-099999.bin");
  g_assert_cmpstr (file_at (first, 255), ==, "file-099744.bin");
  g_assert_cmpfloat (ms, <, 50);

  ms = time_page (fixture, NULL, SSYNC_HISTORY_SORT_STARTED, TRUE, 50000, &middle);
  g_test_message ("page of 256 by start, offset 50000: %.2f ms", ms);
  g_assert_cmpstr (file_at (middle, 0), ==, "file-049999.bin");

  ms = time_page (fixture, NULL, SSYNC_HISTORY_SORT_STARTED, TRUE, BIG - 100, &last);
  g_test_message ("page of 256 by start, offset 99900: %.2f ms", ms);
  g_assert_cmpuint (last->len, ==, 100);
  g_assert_cmpstr (file_at (last, 99), ==, "file-000000.bin");

  ms = time_page (fixture, NULL, SSYNC_HISTORY_SORT_BYTES, TRUE, 0, &by_bytes);
  g_test_message ("page of 256 by bytes (no index), offset 0: %.2f ms", ms);
  for (guint i = 1; i < by_bytes->len; i++)
    g_assert_cmpuint (((SsyncTransferRecord *) by_bytes->pdata[i - 1])->bytes, >=,
                      ((SsyncTransferRecord *) by_bytes->pdata[i])->bytes);

  ms = time_page (fixture, NULL, SSYNC_HISTORY_SORT_FILE, FALSE, 50000, &by_file);
  g_test_message ("page of 256 by file (no index), offset 50000: %.2f ms", ms);
  g_assert_cmpstr (file_at (by_file, 0), ==, "file-050000.bin");

  start = g_get_monotonic_time ();
  count = ssync_history_query_count (fixture->history, "file-0123", NULL);
  g_test_message ("count with search: %.2f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (count, ==, 100);

  ms = time_page (fixture, "file-0123", SSYNC_HISTORY_SORT_STARTED, FALSE, 0, &found);
  g_test_message ("page with search: %.2f ms", ms);
  g_assert_cmpuint (found->len, ==, 100);
  g_assert_cmpstr (file_at (found, 0), ==, "file-012300.bin");

  start = g_get_monotonic_time ();
  days = ssync_history_query_daily (fixture->history, newest - 29 * G_TIME_SPAN_DAY,
                                    NULL);
  g_test_message ("daily, 30 days: %.2f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (days->len, >=, 30);
  g_assert_cmpuint (days->len, <=, 31);
  for (guint i = 0; i < days->len; i++)
    total += g_array_index (days, SsyncHistoryDay, i).downloads;
  /* One row a minute: 30 days hold 43,200 rows at most, of which complete downloads are
   * those with i % 4 != 3 and i % 10 != 9 (27 in 40). */
  g_assert_cmpuint (total, >, 25000);
  g_assert_cmpuint (total, <, 30000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/history-query/small", Fixture, NULL, fixture_setup, test_small,
              fixture_teardown);
  g_test_add ("/history-query/daily", Fixture, NULL, fixture_setup, test_daily_small,
              fixture_teardown);
  g_test_add ("/history-query/100k", Fixture, NULL, fixture_setup, test_big, fixture_teardown);

  return g_test_run ();
}
