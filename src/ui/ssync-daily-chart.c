/* ssync-daily-chart.c: a small bar chart of downloads per day.
 *
 * One bar per day (SsyncHistoryDay, oldest on the left), scaled to the busiest day, whose
 * count the scale on the left shows (with 0 at the axis), and the date under every seventh
 * bar counting back from today, leaving out those that would run into the next one on narrow
 * widths. The numbers are also in the accessible description, since a screen reader cannot
 * read bars.
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
/* Space between two dates under the bars, and between the scale and the bars. */
#define LABEL_GAP 8
#define SCALE_GAP 4

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

static PangoLayout *
scale_layout (SsyncDailyChart *self,
              guint            value)
{
  g_autofree char *text = g_strdup_printf ("%u", value);

  return gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
}

/* The width of the scale left of the bars: the busiest day's count and its gap. */
static int
scale_width (SsyncDailyChart *self)
{
  g_autoptr(PangoLayout) layout = scale_layout (self, MAX (self->max, 1));
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width + SCALE_GAP;
}

static PangoLayout *
date_layout (SsyncDailyChart *self,
             guint            index)
{
  SsyncHistoryDay *day = &g_array_index (self->days, SsyncHistoryDay, index);
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (day->day / G_USEC_PER_SEC);
  /* Translators: a day under a bar of the downloads chart, see strftime(3). */
  g_autofree char *text = g_date_time_format (date, C_("chart day", "%e %b"));

  /* %e pads single-digit days with a space. */
  return gtk_widget_create_pango_layout (GTK_WIDGET (self), g_strstrip (text));
}

/* Where the dates go under the bars when the chart is @width wide: under every seventh bar
 * from today's, right to left, each only where it keeps LABEL_GAP from the one on its right
 * (and inside the chart). */
GArray *
ssync_daily_chart_layout_dates (SsyncDailyChart *self,
                                int              width)
{
  GArray *labels = g_array_new (FALSE, FALSE, sizeof (SsyncChartLabel));
  int left = scale_width (self);
  double slot;
  int limit = width;

  g_return_val_if_fail (SSYNC_IS_DAILY_CHART (self), labels);

  if (self->days == NULL || self->days->len == 0)
    return labels;
  slot = (double) MAX (width - left, 1) / self->days->len;
  for (guint i = self->days->len; i-- > 0;)
    {
      g_autoptr(PangoLayout) layout = NULL;
      SsyncChartLabel label = { 0 };
      double middle = left + (i + 0.5) * slot;

      if ((self->days->len - 1 - i) % 7 != 0)
        continue;
      layout = date_layout (self, i);
      pango_layout_get_pixel_size (layout, &label.width, NULL);
      label.index = i;
      label.x = CLAMP ((int) (middle - label.width / 2.0), left, MAX (width - label.width, left));
      if (label.x + label.width > limit || label.x < left)
        continue;
      g_array_prepend_val (labels, label);
      limit = label.x - LABEL_GAP;
    }
  return labels;
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
      *minimum = scale_width (self) + n * (MIN_BAR_WIDTH + BAR_GAP);
      *natural = scale_width (self) + n * (2 * MIN_BAR_WIDTH + BAR_GAP);
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
  int left = scale_width (self);
  g_autoptr(GArray) dates = NULL;
  g_autoptr(PangoLayout) top = NULL;
  g_autoptr(PangoLayout) zero = NULL;
  GdkRGBA foreground, bar, axis, dim;
  int text_width, text_height;
  double slot;

  if (self->days == NULL || self->days->len == 0)
    return;

  get_foreground (widget, &foreground);
  /* Blue 3 of the GNOME palette, the accent libadwaita uses by default. */
  gdk_rgba_parse (&bar, "#3584e4");
  axis = foreground;
  axis.alpha *= 0.3f;
  dim = foreground;
  dim.alpha *= 0.7f;
  slot = (double) MAX (width - left, 1) / self->days->len;

  /* The scale: the busiest day's count at the top, with a faint line there, and 0. */
  top = scale_layout (self, self->max);
  zero = scale_layout (self, 0);
  pango_layout_get_pixel_size (top, &text_width, &text_height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (left - SCALE_GAP - text_width, 0));
  gtk_snapshot_append_layout (snapshot, top, &dim);
  gtk_snapshot_restore (snapshot);
  pango_layout_get_pixel_size (zero, &text_width, NULL);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (left - SCALE_GAP - text_width,
                                                MAX (chart_height - text_height, text_height)));
  gtk_snapshot_append_layout (snapshot, zero, &dim);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_append_color (snapshot, &axis,
                             &GRAPHENE_RECT_INIT (left, text_height / 2.0, width - left, 1));
  gtk_snapshot_append_color (snapshot, &axis,
                             &GRAPHENE_RECT_INIT (left, chart_height - 1, width - left, 1));

  for (guint i = 0; i < self->days->len; i++)
    {
      SsyncHistoryDay *day = &g_array_index (self->days, SsyncHistoryDay, i);
      double x = left + i * slot + BAR_GAP / 2.0;
      double bar_width = MAX (slot - BAR_GAP, 1);
      /* The busiest day's bar reaches the line of its count. */
      double full = chart_height - 1 - text_height / 2.0;

      if (day->downloads > 0 && self->max > 0)
        {
          /* A day with any downloads shows at least a sliver, so it never reads as zero. */
          double bar_height = MAX ((double) day->downloads / self->max * full, 2);

          gtk_snapshot_append_color (snapshot, &bar,
                                     &GRAPHENE_RECT_INIT (x, chart_height - 1 - bar_height,
                                                          bar_width, bar_height));
        }
    }

  dates = ssync_daily_chart_layout_dates (self, width);
  for (guint i = 0; i < dates->len; i++)
    {
      SsyncChartLabel *label = &g_array_index (dates, SsyncChartLabel, i);
      g_autoptr(PangoLayout) layout = date_layout (self, label->index);

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (label->x, chart_height + BAR_GAP));
      gtk_snapshot_append_layout (snapshot, layout, &foreground);
      gtk_snapshot_restore (snapshot);
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
