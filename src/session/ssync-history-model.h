/* ssync-history-model.h: the history's transfers as a GListModel of SsyncHistoryItem, read
 * page by page on demand.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-history-item.h"
#include "ssync-history-query.h"

G_BEGIN_DECLS

/* Rows read from the store at once. */
#define SSYNC_HISTORY_MODEL_PAGE_SIZE 256

#define SSYNC_TYPE_HISTORY_MODEL (ssync_history_model_get_type ())

G_DECLARE_FINAL_TYPE (SsyncHistoryModel, ssync_history_model, SSYNC, HISTORY_MODEL, GObject)

SsyncHistoryModel *ssync_history_model_new                (SsyncHistory        *history);
SsyncHistory      *ssync_history_model_get_history        (SsyncHistoryModel   *self);
void               ssync_history_model_reload             (SsyncHistoryModel   *self);
const char        *ssync_history_model_get_search         (SsyncHistoryModel   *self);
void               ssync_history_model_set_search         (SsyncHistoryModel   *self,
                                                           const char          *search);
SsyncHistorySort   ssync_history_model_get_sort           (SsyncHistoryModel   *self);
gboolean           ssync_history_model_get_descending     (SsyncHistoryModel   *self);
void               ssync_history_model_set_sort           (SsyncHistoryModel   *self,
                                                           SsyncHistorySort     sort,
                                                           gboolean             descending);
gboolean           ssync_history_model_get_loading        (SsyncHistoryModel   *self);
guint              ssync_history_model_get_n_loaded_pages (SsyncHistoryModel   *self);

void               ssync_history_model_load_stats_async   (SsyncHistoryModel   *self,
                                                           guint                n_days,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean           ssync_history_model_load_stats_finish  (SsyncHistoryModel   *self,
                                                           GAsyncResult        *result,
                                                           GArray             **days,
                                                           GPtrArray          **totals,
                                                           GError             **error);

G_END_DECLS
