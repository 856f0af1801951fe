/* ssync-daily-chart.h: a small bar chart of downloads per day.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_DAILY_CHART (ssync_daily_chart_get_type ())

G_DECLARE_FINAL_TYPE (SsyncDailyChart, ssync_daily_chart, SSYNC, DAILY_CHART, GtkWidget)

GtkWidget *ssync_daily_chart_new      (void);
void       ssync_daily_chart_set_days (SsyncDailyChart *self,
                                       GArray          *days);
guint      ssync_daily_chart_get_max  (SsyncDailyChart *self);

G_END_DECLS
