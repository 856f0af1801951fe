/* ssync-history-fill.h: fills a history database with many made-up transfers, fast.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Row i (counting from 0) is transfer "t%06d" of file "file-%06d.bin", started
 * SSYNC_FILL_SPACING microseconds after row i - 1, the last one at @newest. Every tenth row
 * (i % 10 == 9) failed; every fourth (i % 4 == 3) is an upload; the rest are complete
 * downloads. Peers are 192.168.1.(i % 250 + 1). */
#define SSYNC_FILL_SPACING G_TIME_SPAN_MINUTE

void ssync_history_fill (const char *path,
                         guint       n_rows,
                         gint64      newest);

G_END_DECLS
