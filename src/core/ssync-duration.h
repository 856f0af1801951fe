/* ssync-duration.h: durations such as "90s", "30m", "2h" or "7d", read and written.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 36,500 days, about a century. */
#define SSYNC_DURATION_MAX_SECONDS (G_GINT64_CONSTANT (36500) * 24 * 60 * 60)

gboolean  ssync_duration_parse  (const char  *text,
                                 gint64      *seconds,
                                 GError     **error);
char     *ssync_duration_format       (gint64       seconds);
char     *ssync_duration_format_short (gint64       seconds);

G_END_DECLS
