/* bench-history-view.c: how long the history page takes to open over 100,000 transfers.
 *
 * Under Xvfb, for several runs: the time from ssync_history_view_new() to the first frame
 * of a window holding the view (GdkFrameClock "after-paint"), and to the first frame that
 * shows real rows (the newest transfer read). Two references, measured in the same run:
 * the same window holding only a label (what GTK and Xvfb cost before the view adds
 * anything), and what a model that loads every row up front would pay before drawing
 * anything (reading all rows and wrapping each in an item). The first run also pays for
 * GTK's own start-up (fonts, theme) and is shown apart.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-bench"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "ssync-history-fill.h"
#include "ssync-history-view.h"

#define N_ROWS 100000
#define N_RUNS 7
#define TARGET_MS 150.0

typedef struct {
  SsyncHistoryModel *model;
  gint64 start;
  gint64 first_frame;
  gint64 rows_frame;
  gboolean rows_laid_out;
} Run;

static gboolean
first_row_loaded (SsyncHistoryModel *model)
{
  g_autoptr(SsyncHistoryItem) item = NULL;

  if (model == NULL)
    return TRUE;
  if (g_list_model_get_n_items (G_LIST_MODEL (model)) == 0)
    return FALSE;
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  return ssync_history_item_get_loaded (item);
}

/* GTK lays out and then paints a frame without returning to the main loop, so rows that
 * were loaded when layout ended are the rows that frame shows. */
static void
on_layout (GdkFrameClock *clock,
           Run           *run)
{
  run->rows_laid_out = first_row_loaded (run->model);
}

static void
on_after_paint (GdkFrameClock *clock,
                Run           *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->first_frame == 0)
    run->first_frame = now;
  if (run->rows_frame == 0 && run->rows_laid_out)
    run->rows_frame = now;
}

static void
on_realize (GtkWidget *window,
            Run       *run)
{
  GdkFrameClock *clock = gdk_surface_get_frame_clock (gtk_native_get_surface (GTK_NATIVE (window)));

  g_signal_connect (clock, "layout", G_CALLBACK (on_layout), run);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), run);
}

/* Opens a window on the history view, or on a label when @history is NULL. */
static void
open_once (SsyncHistory *history,
           Run          *run)
{
  GtkWidget *child;
  GtkWidget *window;
  gint64 deadline;

  run->start = g_get_monotonic_time ();
  if (history != NULL)
    {
      SsyncHistoryView *view = ssync_history_view_new (history);

      run->model = g_object_ref (ssync_history_view_get_model (view));
      child = GTK_WIDGET (view);
    }
  else
    child = gtk_label_new ("ShareSync");
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (window), child);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize), run);
  gtk_window_present (GTK_WINDOW (window));

  deadline = run->start + 30 * G_USEC_PER_SEC;
  while (run->rows_frame == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (run->rows_frame == 0)
    g_error ("The history view drew no rows within 30 s");

  {
    GdkFrameClock *clock =
      gdk_surface_get_frame_clock (gtk_native_get_surface (GTK_NATIVE (window)));

    g_signal_handlers_disconnect_by_func (clock, on_layout, run);
    g_signal_handlers_disconnect_by_func (clock, on_after_paint, run);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  /* Let page reads still in flight land before the next run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&run->model);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_double);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* What an eager model would do before its first frame: read every row and make an item. */
static double
eager_load (SsyncHistory *history)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GListStore) store = g_list_store_new (SSYNC_TYPE_HISTORY_ITEM);
  g_autoptr(GError) error = NULL;

  records = ssync_history_list_transfers (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, N_ROWS);
  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(SsyncHistoryItem) item = ssync_history_item_new ();

      ssync_history_item_set_record (item, g_steal_pointer (&records->pdata[i]));
      g_list_store_append (store, item);
    }
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncHistory) history = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char *suffixes[] = { "", "-wal", "-shm" };
  double first_frame[N_RUNS - 1], rows_frame[N_RUNS - 1], label_frame[N_RUNS];
  double cold_first = 0, cold_rows = 0, eager[3];
  double warm_rows;

  gtk_init ();
  adw_init ();

  dir = g_dir_make_tmp ("ssync-bench-history-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "history.db", NULL);
  history = ssync_history_open (path, &error);
  g_assert_no_error (error);
  ssync_history_fill (path, N_ROWS, g_get_real_time ());

  for (guint i = 0; i < N_RUNS; i++)
    {
      Run run = { 0 };

      open_once (history, &run);
      if (i == 0)
        {
          cold_first = (run.first_frame - run.start) / 1000.0;
          cold_rows = (run.rows_frame - run.start) / 1000.0;
        }
      else
        {
          first_frame[i - 1] = (run.first_frame - run.start) / 1000.0;
          rows_frame[i - 1] = (run.rows_frame - run.start) / 1000.0;
        }
    }

  for (guint i = 0; i < N_RUNS; i++)
    {
      Run run = { 0 };

      open_once (NULL, &run);
      label_frame[i] = (run.first_frame - run.start) / 1000.0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (eager); i++)
    eager[i] = eager_load (history);
  warm_rows = median (rows_frame, N_RUNS - 1);

  printf ("History view over %d transfers (Xvfb, GTK %u.%u.%u, median of %d warm runs)\n\n",
          N_ROWS, gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
          N_RUNS - 1);
  printf ("| %-46s | %9s | %9s | %6s |\n", "measure", "cold (ms)", "warm (ms)", "target");
  printf ("|%s|%s|%s|%s|\n", "------------------------------------------------",
          "-----------", "-----------", "--------");
  printf ("| %-46s | %9.1f | %9.1f | %6.0f |\n", "ShareSync: new view to first frame",
          cold_first, median (first_frame, N_RUNS - 1), TARGET_MS);
  printf ("| %-46s | %9.1f | %9.1f | %6.0f |\n", "ShareSync: new view to first frame with rows",
          cold_rows, warm_rows, TARGET_MS);
  printf ("| %-46s | %9s | %9.1f | %6s |\n", "reference: window with one label, first frame",
          "", median (label_frame, N_RUNS), "");
  printf ("| %-46s | %9s | %9.1f | %6s |\n", "reference: load all rows up front (no drawing)",
          "", median (eager, G_N_ELEMENTS (eager)), "");
  printf ("\nTarget %.0f ms: %s\n", TARGET_MS, warm_rows <= TARGET_MS ? "met" : "missed");

  g_clear_object (&history);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
  g_rmdir (dir);

  return 0;
}
