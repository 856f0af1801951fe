/* ssync-daily-chart.c: a small bar chart of downloads per day.
 *
 * One bar per day (SsyncHistoryDay, oldest on the left), scaled to the busiest day, with
 * the date under every seventh bar counting back from today. The numbers are also in the
 * accessible description, since a screen reader cannot read bars.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-daily-chart.h"
#include "ssync-history-query.h"

#define BAR_GAP 2
#define MIN_BAR_WIDTH 4
#define MIN_CHART_HEIGHT 64

struct _SsyncDailyChart
{
  GtkWidget parent_instance;

  GArray *days;  /* SsyncHistoryDay */
  guint max;
};

G_DEFINE_FINAL_TYPE (SsyncDailyChart, ssync_daily_chart, GTK_TYPE_WIDGET)

static int
label_height (GtkWidget *widget)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, "0");
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height + BAR_GAP;
}

static void
ssync_daily_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  SsyncDailyChart *self = SSYNC_DAILY_CHART (widget);
  guint n = self->days != NULL ? MAX (self->days->len, 1) : 30;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = n * (MIN_BAR_WIDTH + BAR_GAP);
      *natural = n * (3 * MIN_BAR_WIDTH + BAR_GAP);
    }
  else
    {
      *minimum = MIN_CHART_HEIGHT + label_height (widget);
      *natural = 2 * MIN_CHART_HEIGHT + label_height (widget);
    }
}

static void
get_foreground (GtkWidget *widget,
                GdkRGBA   *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  /* GTK 4.10 API, used only behind its version check: the build pins GDK_VERSION_MAX_ALLOWED
   * to Debian 12's GTK 4.8, which would otherwise warn here against a newer GTK. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_widget_get_color (widget, color);
  G_GNUC_END_IGNORE_DEPRECATIONS
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

static void
ssync_daily_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  SsyncDailyChart *self = SSYNC_DAILY_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int labels = label_height (widget);
  int chart_height = MAX (height - labels, 1);
  GdkRGBA foreground, bar, axis;
  double slot;

  if (self->days == NULL || self->days->len == 0)
    return;

  get_foreground (widget, &foreground);
  /* Blue 3 of the GNOME palette, the accent libadwaita uses by default. */
  gdk_rgba_parse (&bar, "#3584e4");
  axis = foreground;
  axis.alpha *= 0.3f;

  slot = (double) width / self->days->len;
  gtk_snapshot_append_color (snapshot, &axis,
                             &GRAPHENE_RECT_INIT (0, chart_height - 1, width, 1));

  for (guint i = 0; i < self->days->len; i++)
    {
      SsyncHistoryDay *day = &g_array_index (self->days, SsyncHistoryDay, i);
      double x = i * slot + BAR_GAP / 2.0;
      double bar_width = MAX (slot - BAR_GAP, 1);
      guint from_end = self->days->len - 1 - i;

      if (day->downloads > 0 && self->max > 0)
        {
          /* A day with any downloads shows at least a sliver, so it never reads as zero. */
          double bar_height = MAX ((double) day->downloads / self->max * (chart_height - 2), 2);

          gtk_snapshot_append_color (snapshot, &bar,
                                     &GRAPHENE_RECT_INIT (x, chart_height - 1 - bar_height,
                                                          bar_width, bar_height));
        }

      if (from_end % 7 == 0)
        {
          g_autoptr(GDateTime) date =
            g_date_time_new_from_unix_local (day->day / G_USEC_PER_SEC);
          /* Translators: a day under a bar of the downloads chart, see strftime(3). */
          g_autofree char *text = g_date_time_format (date, C_("chart day", "%e %b"));
          g_autoptr(PangoLayout) layout = NULL;
          int text_width;
          double text_x;

          /* %e pads single-digit days with a space. */
          layout = gtk_widget_create_pango_layout (widget, g_strstrip (text));
          pango_layout_get_pixel_size (layout, &text_width, NULL);
          text_x = CLAMP (x + bar_width / 2 - text_width / 2.0, 0, MAX (width - text_width, 0));
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (text_x, chart_height + BAR_GAP));
          gtk_snapshot_append_layout (snapshot, layout, &foreground);
          gtk_snapshot_restore (snapshot);
        }
    }
}

static void
ssync_daily_chart_finalize (GObject *object)
{
  SsyncDailyChart *self = SSYNC_DAILY_CHART (object);

  g_clear_pointer (&self->days, g_array_unref);

  G_OBJECT_CLASS (ssync_daily_chart_parent_class)->finalize (object);
}

static void
ssync_daily_chart_class_init (SsyncDailyChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ssync_daily_chart_finalize;
  widget_class->measure = ssync_daily_chart_measure;
  widget_class->snapshot = ssync_daily_chart_snapshot;

  gtk_widget_class_set_css_name (widget_class, "dailychart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ssync_daily_chart_init (SsyncDailyChart *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Downloads per day"),
                                  -1);
}

GtkWidget *
ssync_daily_chart_new (void)
{
  return g_object_new (SSYNC_TYPE_DAILY_CHART, NULL);
}

/* Shows @days (SsyncHistoryDay, oldest first); the chart keeps a reference. */
void
ssync_daily_chart_set_days (SsyncDailyChart *self,
                            GArray          *days)
{
  g_autofree char *description = NULL;
  guint total = 0;
  guint busiest = 0;

  g_return_if_fail (SSYNC_IS_DAILY_CHART (self));

  g_clear_pointer (&self->days, g_array_unref);
  self->days = days != NULL ? g_array_ref (days) : NULL;
  self->max = 0;

  for (guint i = 0; self->days != NULL && i < self->days->len; i++)
    {
      SsyncHistoryDay *day = &g_array_index (self->days, SsyncHistoryDay, i);

      total += day->downloads;
      if (day->downloads > self->max)
        {
          self->max = day->downloads;
          busiest = i;
        }
    }

  if (self->max > 0)
    {
      SsyncHistoryDay *day = &g_array_index (self->days, SsyncHistoryDay, busiest);
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (day->day / G_USEC_PER_SEC);
      g_autofree char *date_text = g_date_time_format (date, "%x");

      /* Translators: the first %u is a number of downloads, the second a number of days,
       * %s a date and the last %u that day's downloads. */
      description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%u download in the last %u days; the "
                                                  "busiest day was %s with %u",
                                                  "%u downloads in the last %u days; the "
                                                  "busiest day was %s with %u", total),
                                     total, self->days->len, date_text, self->max);
    }
  else
    description = g_strdup (_("No downloads in this period"));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The downloads of the busiest day shown. */
guint
ssync_daily_chart_get_max (SsyncDailyChart *self)
{
  g_return_val_if_fail (SSYNC_IS_DAILY_CHART (self), 0);

  return self->max;
}
