/* ssync-history-query.h: paged, searchable, sortable reads of the history for list models.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-history.h"

G_BEGIN_DECLS

/* The column a page of transfers is ordered by; ties are broken by insertion order. */
typedef enum {
  SSYNC_HISTORY_SORT_STARTED,
  SSYNC_HISTORY_SORT_DIRECTION,
  SSYNC_HISTORY_SORT_FILE,
  SSYNC_HISTORY_SORT_PEER,
  SSYNC_HISTORY_SORT_USER_AGENT,
  SSYNC_HISTORY_SORT_BYTES,
  SSYNC_HISTORY_SORT_DURATION,
  SSYNC_HISTORY_SORT_STATUS,
} SsyncHistorySort;

/* One local calendar day and the downloads completed in it. */
typedef struct {
  gint64 day;        /* local midnight starting the day, microseconds since the epoch */
  guint downloads;
} SsyncHistoryDay;

guint      ssync_history_query_count (SsyncHistory      *self,
                                      const char        *search,
                                      GError           **error);
GPtrArray *ssync_history_query_page  (SsyncHistory      *self,
                                      const char        *search,
                                      SsyncHistorySort   sort,
                                      gboolean           descending,
                                      guint              offset,
                                      guint              limit,
                                      GError           **error);
GArray    *ssync_history_query_daily (SsyncHistory      *self,
                                      gint64             since,
                                      GError           **error);

G_END_DECLS
