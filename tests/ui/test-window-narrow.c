/* test-window-narrow.c: the window at GNOME's narrowest phone width (360 px) and at its
 * default width (760 px), under Xvfb: it goes down to 360, its header buttons are then
 * icons with tooltips and accessible names, its title is whole, and the History page keeps
 * File and Started, shows browsers as "Firefox on Android" (the user agent in a tooltip)
 * and dates under the chart that do not run into each other. Screenshots of both widths,
 * on the Shares and History pages, go to $SSYNC_TEST_OUTPUT.
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
#include "ssync-session.h"
#include "ssync-share.h"
#include "ssync-share-row.h"
#include "ssync-ui-screenshot.h"
#include "ssync-ui-test.h"
#include "ssync-window.h"

#define TIMEOUT_US (10 * G_USEC_PER_SEC)

typedef struct {
  char *dir;
  SsyncSession *session;
  SsyncWindow *window;
} Fixture;

/* Resizes the window and waits until it has that width (less its frame: without a window
 * manager under Xvfb, GTK draws the window's border inside the size asked for). */
static void
resize (Fixture *fixture,
        int      width)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), width, 700);
  while (ABS (gtk_widget_get_width (GTK_WIDGET (fixture->window)) - width) > 12)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the window is %d px wide, not %d",
                 gtk_widget_get_width (GTK_WIDGET (fixture->window)), width);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  ssync_ui_iterate_for (300);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *db = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-narrow-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_assert_no_errno (g_mkdir_with_parents (data_dir, 0700));
  fixture->session = ssync_session_new (data_dir, &error);
  g_assert_no_error (error);
  /* A history to show, in the database the session made: a transfer an hour for 30 days. */
  db = g_build_filename (data_dir, "history.db", NULL);
  ssync_history_fill (db, 30 * 24, g_get_real_time ());
  ssync_session_start (fixture->session, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  fixture->window = g_object_ref (ssync_window_new (NULL, fixture->session));
  gtk_window_present (GTK_WINDOW (fixture->window));
  resize (fixture, 760);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->window);
  ssync_session_shutdown (fixture->session);
  g_clear_object (&fixture->session);
  g_assert_cmpint (system (command), ==, 0);
  g_free (fixture->dir);
}

/* The first label under @widget that says @text. */
static GtkLabel *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether @widget and every ancestor up to the window are visible and have room. */
static gboolean
is_shown (GtkWidget *widget)
{
  return gtk_widget_is_drawable (widget) && gtk_widget_get_width (widget) > 0;
}

/* The header's "Add Files" buttons: the labelled one, and the icon-only one the header
 * shows instead when narrow. */
static void
header_buttons (Fixture    *fixture,
                GtkWidget **labelled,
                GtkWidget **icon)
{
  GtkWidget *header = ssync_ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                 ADW_TYPE_HEADER_BAR);
  GtkLabel *label = find_label (header, "Add Files");

  g_assert_nonnull (label);
  *labelled = gtk_widget_get_ancestor (GTK_WIDGET (label), GTK_TYPE_BUTTON);
  *icon = NULL;
  for (GtkWidget *w = header; w != NULL;)
    {
      /* Depth first through the header, for a button of "win.add-files" without a label. */
      if (GTK_IS_BUTTON (w) && w != *labelled &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), "win.add-files") == 0)
        {
          *icon = w;
          break;
        }
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != header && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == header ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
}

static void
show_page (Fixture    *fixture,
           const char *name)
{
  AdwViewStack *stack = ADW_VIEW_STACK (ssync_ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                                   ADW_TYPE_VIEW_STACK));

  adw_view_stack_set_visible_child_name (stack, name);
  ssync_ui_iterate_for (500);
}

/* 360 px: the window gets there; the header's buttons are icons that say what they do;
 * "ShareSync" is whole. At 760 px the buttons have their labels again. */
static void
test_header (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *labelled = NULL;
  GtkWidget *icon = NULL;
  GtkLabel *title;
  g_autofree char *tooltip = NULL;

  header_buttons (fixture, &labelled, &icon);
  ssync_ui_screenshot (GTK_WIDGET (fixture->window), "window-760");
  g_assert_nonnull (icon);
  g_assert_true (is_shown (labelled));
  g_assert_false (is_shown (icon));

  resize (fixture, 360);
  g_assert_false (is_shown (labelled));
  g_assert_true (is_shown (icon));
  tooltip = g_strdup (gtk_widget_get_tooltip_text (icon));
  g_assert_nonnull (tooltip);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (icon), ==,
                   gtk_widget_get_tooltip_text (labelled));
  title = find_label (ssync_ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                 ADW_TYPE_HEADER_BAR), "ShareSync");
  g_assert_nonnull (title);
  g_assert_true (is_shown (GTK_WIDGET (title)));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (title)));
  ssync_ui_screenshot (GTK_WIDGET (fixture->window), "window-360");

  resize (fixture, 760);
  g_assert_true (is_shown (labelled));
}

static void
on_share_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SsyncShare **share = user_data;
  g_autoptr(GError) error = NULL;

  *share = ssync_session_add_share_finish (SSYNC_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* A share's card at 360 px: its name has room and its details (limits, expiry) are whole,
 * wrapped, because "Stop Sharing" is an icon then (with its name for screen readers); at
 * 760 px the button says it again. */
static void
test_share_card (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "Quarterly report.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SsyncShare) share = NULL;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
  GtkLabel *name;
  GtkButton *stop;
  GtkWidget *card;

  g_assert_true (g_file_set_contents (path, "report", -1, NULL));
  ssync_session_add_share_async (fixture->session, &file, 1, NULL, on_share_added, &share);
  while (share == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (share);
  ssync_share_set_max_downloads (share, 3);
  ssync_share_set_expires (share, g_get_real_time () + (gint64) 7 * 24 * 3600 * G_USEC_PER_SEC);
  ssync_ui_iterate_for (500);

  name = find_label (GTK_WIDGET (fixture->window), "Quarterly report.pdf");
  g_assert_nonnull (name);
  card = gtk_widget_get_ancestor (GTK_WIDGET (name), SSYNC_TYPE_SHARE_ROW);
  g_assert_nonnull (card);
  stop = GTK_BUTTON (ssync_ui_test_find_action (card, "share.stop"));
  g_assert_nonnull (stop);
  g_assert_cmpstr (gtk_button_get_label (stop), ==, "_Stop Sharing");

  resize (fixture, 360);
  ssync_ui_screenshot (GTK_WIDGET (fixture->window), "share-card-360");
  g_assert_null (gtk_button_get_label (stop));
  g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (stop)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (name)), >=, 120);
  for (GtkWidget *w = gtk_widget_get_next_sibling (GTK_WIDGET (name)); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_LABEL (w))
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (w))));

  resize (fixture, 760);
  g_assert_cmpstr (gtk_button_get_label (stop), ==, "_Stop Sharing");
  ssync_session_revoke_share (fixture->session, share);
}

/* The History page at both widths: File and Started whole, browsers named, the chart's
 * dates apart and its scale shown. */
static void
test_history (Fixture       *fixture,
              gconstpointer  data)
{
  SsyncDailyChart *chart;
  const int widths[] = { 760, 360 };

  show_page (fixture, "history");
  chart = SSYNC_DAILY_CHART (ssync_ui_test_find_widget (GTK_WIDGET (fixture->window),
                                                        SSYNC_TYPE_DAILY_CHART));
  g_assert_nonnull (chart);
  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_autofree char *name = g_strdup_printf ("history-%d", widths[w]);
      g_autoptr(GArray) dates = NULL;
      int chart_width;

      resize (fixture, widths[w]);
      ssync_ui_iterate_for (500);
      chart_width = gtk_widget_get_width (GTK_WIDGET (chart));
      g_assert_cmpint (chart_width, >, 0);
      g_assert_cmpuint (ssync_daily_chart_get_max (chart), >, 0);
      dates = ssync_daily_chart_layout_dates (chart, chart_width);
      g_assert_cmpuint (dates->len, >=, 2);
      for (guint i = 1; i < dates->len; i++)
        {
          SsyncChartLabel *before = &g_array_index (dates, SsyncChartLabel, i - 1);
          SsyncChartLabel *after = &g_array_index (dates, SsyncChartLabel, i);

          g_assert_cmpint (before->x + before->width, <, after->x);
        }
      g_assert_cmpint (g_array_index (dates, SsyncChartLabel, dates->len - 1).x +
                       g_array_index (dates, SsyncChartLabel, dates->len - 1).width, <=,
                       chart_width);
      ssync_ui_screenshot (GTK_WIDGET (fixture->window), name);
    }
  /* The narrow chart has too little room for a date every week: some are left out. */
  {
    g_autoptr(GArray) narrow = ssync_daily_chart_layout_dates (chart, 150);
    g_autoptr(GArray) wide = ssync_daily_chart_layout_dates (chart, 700);

    g_assert_cmpuint (narrow->len, <, wide->len);
  }
}

/* User agents read as a person says them. */
static void
test_user_agents (void)
{
  const struct {
    const char *ua;
    const char *said;
  } cases[] = {
    { "Mozilla/5.0 (Android 14; Mobile; rv:126.0) Gecko/126.0 Firefox/126.0",
      "Firefox on Android" },
    { "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
      "like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "Safari on iOS" },
    { "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0", "Edge on Windows" },
    { "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/124.0.0.0 Safari/537.36", "Chrome on Linux" },
    { "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/17.4 Safari/605.1.15", "Safari on macOS" },
    { "curl/8.14.1", "curl" },
    { "ShareSync/0.1.0", "ShareSync" },
    { "SomethingElse/1.0", "SomethingElse/1.0" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *said = ssync_history_view_describe_user_agent (cases[i].ua);

      g_assert_cmpstr (said, ==, cases[i].said);
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/window-narrow/user-agents", test_user_agents);
  g_test_add ("/window-narrow/share-card", Fixture, NULL, fixture_set_up, test_share_card,
              fixture_tear_down);
  g_test_add ("/window-narrow/header", Fixture, NULL, fixture_set_up, test_header,
              fixture_tear_down);
  g_test_add ("/window-narrow/history", Fixture, NULL, fixture_set_up, test_history,
              fixture_tear_down);

  return g_test_run ();
}
