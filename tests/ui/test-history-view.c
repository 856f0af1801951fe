/* test-history-view.c: the history page over 100,000 transfers, in a real window under Xvfb.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ssync-daily-chart.h"
#include "ssync-history-fill.h"
#include "ssync-history-view.h"
#include "ssync-transfer.h"
#include "ssync-ui-test.h"

#define BIG 100000
#define TIMEOUT_US (10 * G_USEC_PER_SEC)

typedef struct {
  char *dir;
  char *path;
  SsyncHistory *history;
  GtkWidget *window;
  SsyncHistoryView *view;
  SsyncHistoryModel *model;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture);

/* Runs the main loop until @condition holds; fails the test after TIMEOUT_US. */
static void
wait_for (Fixture    *fixture,
          Condition   condition,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (!condition (fixture))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-history-view-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "history.db", NULL);
  fixture->history = ssync_history_open (fixture->path, &error);
  g_assert_no_error (error);
  ssync_history_fill (fixture->path, BIG, g_get_real_time ());

  fixture->view = ssync_history_view_new (fixture->history);
  fixture->model = g_object_ref (ssync_history_view_get_model (fixture->view));
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->view));
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static gboolean
model_idle (Fixture *fixture)
{
  return !ssync_history_model_get_loading (fixture->model);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
  SsyncHistoryModel *model = fixture->model;

  wait_for (fixture, model_idle, "the model to settle");
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->model = NULL;

  /* Page reads still in flight hold the model until they land. */
  g_object_add_weak_pointer (G_OBJECT (model), (gpointer *) &model);
  g_object_unref (model);
  while (model != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (model);

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

static gboolean
counted (Fixture *fixture)
{
  return g_list_model_get_n_items (G_LIST_MODEL (fixture->model)) > 0 &&
         !ssync_history_model_get_loading (fixture->model);
}

static gboolean
first_row_loaded (Fixture *fixture)
{
  g_autoptr(SsyncHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (fixture->model), 0);

  return item != NULL && ssync_history_item_get_loaded (item);
}

static char *
first_file (Fixture *fixture)
{
  g_autoptr(SsyncHistoryItem) item = NULL;

  wait_for (fixture, first_row_loaded, "the first row");
  item = g_list_model_get_item (G_LIST_MODEL (fixture->model), 0);
  return g_strdup (ssync_history_item_get_file_name (item));
}

static gboolean
window_mapped (Fixture *fixture)
{
  return gtk_widget_get_mapped (GTK_WIDGET (fixture->view)) &&
         gtk_widget_get_height (GTK_WIDGET (fixture->view)) > 0;
}

static guint visible_position;

static gboolean
visible_row_loaded (Fixture *fixture)
{
  g_autoptr(SsyncHistoryItem) item =
    g_list_model_get_item (G_LIST_MODEL (fixture->model), visible_position);

  return ssync_history_item_get_loaded (item);
}

/* Scrolls the column view to @fraction of its height and lets it draw. */
static void
scroll_to (Fixture *fixture,
           double   fraction)
{
  GtkWidget *column_view = ssync_ui_test_find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_COLUMN_VIEW);
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (column_view));
  double upper = gtk_adjustment_get_upper (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);
  gint64 settle = g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND;

  gtk_adjustment_set_value (adjustment, (upper - page) * fraction);
  while (g_get_monotonic_time () < settle)
    g_main_context_iteration (NULL, FALSE);

  visible_position = MIN ((guint) (fraction * (BIG - 1)), BIG - 1);
  wait_for (fixture, visible_row_loaded, "the row scrolled to");
}

/* 100,000 rows are counted at once, and showing and scrolling them reads a few pages. */
static void
test_lazy (Fixture       *fixture,
           gconstpointer  data)
{
  gint64 start = g_get_monotonic_time ();
  g_autofree char *newest = NULL;
  SsyncDailyChart *chart;
  GtkListBox *totals;
  guint n_rows = 0;

  wait_for (fixture, counted, "the count");
  g_test_message ("%u rows counted %.1f ms after the window was presented",
                  g_list_model_get_n_items (G_LIST_MODEL (fixture->model)),
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->model)), ==, BIG);
  /* Knowing the length reads no rows. */
  g_assert_cmpuint (ssync_history_model_get_n_loaded_pages (fixture->model), <=, 1);

  wait_for (fixture, window_mapped, "the window");
  newest = first_file (fixture);
  g_assert_cmpstr (newest, ==, "file-099999.bin");
  g_test_message ("pages read after the first frame: %u",
                  ssync_history_model_get_n_loaded_pages (fixture->model));
  g_assert_cmpuint (ssync_history_model_get_n_loaded_pages (fixture->model), <=, 2);

  scroll_to (fixture, 0.5);
  scroll_to (fixture, 1.0);
  g_test_message ("pages read after scrolling to the middle and the end: %u of %u",
                  ssync_history_model_get_n_loaded_pages (fixture->model),
                  (BIG + SSYNC_HISTORY_MODEL_PAGE_SIZE - 1) / SSYNC_HISTORY_MODEL_PAGE_SIZE);
  g_assert_cmpuint (ssync_history_model_get_n_loaded_pages (fixture->model), <=, 8);

  /* The analytics: one bar a day, five shares. */
  chart = SSYNC_DAILY_CHART (ssync_ui_test_find_widget (GTK_WIDGET (fixture->view),
                                              SSYNC_TYPE_DAILY_CHART));
  totals = GTK_LIST_BOX (ssync_ui_test_find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_LIST_BOX));
  while (gtk_list_box_get_row_at_index (totals, 0) == NULL)
    g_main_context_iteration (NULL, TRUE);
  while (gtk_list_box_get_row_at_index (totals, n_rows) != NULL)
    n_rows++;
  g_assert_cmpuint (n_rows, ==, 5);
  /* One transfer a minute; 27 in 40 are complete downloads: about 972 a day. */
  g_assert_cmpuint (ssync_daily_chart_get_max (chart), >, 900);
  g_assert_cmpuint (ssync_daily_chart_get_max (chart), <, 1100);
}

static guint expected_count;

static gboolean
count_is_expected (Fixture *fixture)
{
  return !ssync_history_model_get_loading (fixture->model) &&
         g_list_model_get_n_items (G_LIST_MODEL (fixture->model)) == expected_count;
}

/* Typing in the search entry narrows the list to the matching transfers. */
static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *entry = ssync_ui_test_find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_SEARCH_ENTRY);
  g_autofree char *first = NULL;

  wait_for (fixture, counted, "the count");
  gtk_editable_set_text (GTK_EDITABLE (entry), "FILE-0123");
  expected_count = 100;
  wait_for (fixture, count_is_expected, "the search");
  first = first_file (fixture);
  g_assert_cmpstr (first, ==, "file-012399.bin");
  g_assert_cmpuint (ssync_history_model_get_n_loaded_pages (fixture->model), ==, 1);

  /* Peers match too: 192.168.1.250 is every row with i % 250 == 249. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "192.168.1.250");
  expected_count = BIG / 250;
  wait_for (fixture, count_is_expected, "the second search");

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  expected_count = BIG;
  wait_for (fixture, count_is_expected, "the search to clear");
}

static GtkColumnViewColumn *
column_titled (GtkColumnView *column_view,
               const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (column_view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }
  g_assert_not_reached ();
}

/* Clicking a header orders the store by that column: the first row changes. */
static void
test_sort (Fixture       *fixture,
           gconstpointer  data)
{
  GtkColumnView *column_view;
  g_autofree char *newest = NULL;
  g_autofree char *by_name = NULL;
  g_autofree char *by_name_reversed = NULL;
  g_autofree char *oldest = NULL;

  column_view = GTK_COLUMN_VIEW (ssync_ui_test_find_widget (GTK_WIDGET (fixture->view),
                                                  GTK_TYPE_COLUMN_VIEW));
  wait_for (fixture, counted, "the count");
  newest = first_file (fixture);
  g_assert_cmpstr (newest, ==, "file-099999.bin");

  gtk_column_view_sort_by_column (column_view, column_titled (column_view, "File"),
                                  GTK_SORT_ASCENDING);
  g_assert_cmpint (ssync_history_model_get_sort (fixture->model), ==, SSYNC_HISTORY_SORT_FILE);
  g_assert_false (ssync_history_model_get_descending (fixture->model));
  by_name = first_file (fixture);
  g_assert_cmpstr (by_name, ==, "file-000000.bin");
  /* A new order drops the rows read so far and reads only what is shown. */
  g_assert_cmpuint (ssync_history_model_get_n_loaded_pages (fixture->model), <=, 2);

  gtk_column_view_sort_by_column (column_view, column_titled (column_view, "File"),
                                  GTK_SORT_DESCENDING);
  g_assert_true (ssync_history_model_get_descending (fixture->model));
  by_name_reversed = first_file (fixture);
  g_assert_cmpstr (by_name_reversed, ==, "file-099999.bin");

  gtk_column_view_sort_by_column (column_view, column_titled (column_view, "Started"),
                                  GTK_SORT_ASCENDING);
  g_assert_cmpint (ssync_history_model_get_sort (fixture->model), ==,
                   SSYNC_HISTORY_SORT_STARTED);
  oldest = first_file (fixture);
  g_assert_cmpstr (oldest, ==, "file-000000.bin");
}

/* A transfer recorded while the page is open shows up on reload, on top. */
static void
test_reload (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SsyncTransfer) transfer = NULL;
  g_autofree char *newest = NULL;

  wait_for (fixture, counted, "the count");
  transfer = ssync_transfer_new ("s9", "Late share", "late.pdf", SSYNC_DIRECTION_DOWNLOAD,
                                 SSYNC_TRANSFER_KIND_FILE, "10.1.2.3", "Firefox/121", 10);
  ssync_transfer_add_bytes (transfer, 10);
  ssync_transfer_finish (transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  ssync_history_record_transfer (fixture->history, transfer);
  ssync_history_flush (fixture->history);

  ssync_history_view_reload (fixture->view);
  expected_count = BIG + 1;
  wait_for (fixture, count_is_expected, "the reload");
  newest = first_file (fixture);
  g_assert_cmpstr (newest, ==, "late.pdf");
}

int
main (int   argc,
      char *argv[])
{
  /* Column titles are compared in English. */
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/history-view/lazy", Fixture, NULL, fixture_setup, test_lazy, fixture_teardown);
  g_test_add ("/history-view/search", Fixture, NULL, fixture_setup, test_search,
              fixture_teardown);
  g_test_add ("/history-view/sort", Fixture, NULL, fixture_setup, test_sort, fixture_teardown);
  g_test_add ("/history-view/reload", Fixture, NULL, fixture_setup, test_reload,
              fixture_teardown);

  return g_test_run ();
}
