/* ssync-daily-chart.h: a small bar chart of downloads per day.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A date under the bars: the day's index, and where its text goes. */
typedef struct {
  guint index;
  int x;
  int width;
} SsyncChartLabel;

#define SSYNC_TYPE_DAILY_CHART (ssync_daily_chart_get_type ())

G_DECLARE_FINAL_TYPE (SsyncDailyChart, ssync_daily_chart, SSYNC, DAILY_CHART, GtkWidget)

GtkWidget *ssync_daily_chart_new      (void);
void       ssync_daily_chart_set_days (SsyncDailyChart *self,
                                       GArray          *days);
guint      ssync_daily_chart_get_max  (SsyncDailyChart *self);
GArray    *ssync_daily_chart_layout_dates (SsyncDailyChart *self,
                                           int              width);

G_END_DECLS
