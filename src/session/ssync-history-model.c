/* ssync-history-model.c: the history's transfers as a GListModel, read page by page.
 *
 * The model knows its length from one count and reads nothing else up front. get_item()
 * answers at once with an empty SsyncHistoryItem and queues the read of the page of
 * SSYNC_HISTORY_MODEL_PAGE_SIZE rows that holds it on a worker thread; when the page
 * arrives its items fill in and notify, so list rows bound to them update in place. A list
 * view only asks for the rows it shows, so opening 100,000 transfers reads one or two pages.
 *
 * Reads never run on the main thread, even the fast ones: ordered by start time a page of
 * 256 rows takes 0.2 ms at the top and 2.4 ms at the bottom of 100,000 rows, but ordered by
 * file name or filtered by a search SQLite scans the table (12 to 42 ms) and the count alone
 * takes 5 ms (20 ms with a search); see tests/unit/test-history-query.c.
 *
 * Every change of order or count bumps a generation number; pages that arrive for an older
 * generation are dropped, and so are counts that a newer count overtook.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-history-model.h"

struct _SsyncHistoryModel
{
  GObject parent_instance;

  SsyncHistory *history;
  char *search;
  SsyncHistorySort sort;
  gboolean descending;

  guint n_items;
  guint generation;   /* of the pages: a change of order or count starts a new one */
  guint count_serial; /* of the counts: only the newest count is applied */
  GHashTable *pages;  /* page number -> GPtrArray of SsyncHistoryItem */
  guint n_loaded_pages;
  guint counting;     /* counts in flight */
  GCancellable *cancellable;
};

static void ssync_history_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SsyncHistoryModel, ssync_history_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ssync_history_model_list_model_init))

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_SEARCH,
  PROP_SORT,
  PROP_DESCENDING,
  PROP_LOADING,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What a worker thread reads: a snapshot of the query, so the main thread may change it. */
typedef struct {
  SsyncHistory *history;
  char *search;
  SsyncHistorySort sort;
  gboolean descending;
  guint generation;  /* the page generation, or for a count its count serial */
  guint page;
} Read;

static void
read_free (Read *read)
{
  g_clear_object (&read->history);
  g_free (read->search);
  g_free (read);
}

static Read *
read_new (SsyncHistoryModel *self,
          guint              page)
{
  Read *read = g_new0 (Read, 1);

  read->history = g_object_ref (self->history);
  read->search = g_strdup (self->search);
  read->sort = self->sort;
  read->descending = self->descending;
  read->generation = self->generation;
  read->page = page;
  return read;
}

static GType
ssync_history_model_get_item_type (GListModel *model)
{
  return SSYNC_TYPE_HISTORY_ITEM;
}

static guint
ssync_history_model_get_n_items (GListModel *model)
{
  return SSYNC_HISTORY_MODEL (model)->n_items;
}

static void
read_page_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Read *read = task_data;
  GError *error = NULL;
  GPtrArray *records;

  if (g_task_return_error_if_cancelled (task))
    return;

  records = ssync_history_query_page (read->history, read->search, read->sort,
                                      read->descending,
                                      read->page * SSYNC_HISTORY_MODEL_PAGE_SIZE,
                                      SSYNC_HISTORY_MODEL_PAGE_SIZE, &error);
  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, (GDestroyNotify) g_ptr_array_unref);
}

static void
read_page_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SsyncHistoryModel *self = SSYNC_HISTORY_MODEL (object);
  Read *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *items;

  records = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (records == NULL)
    {
      g_warning ("%s", error->message);
      return;
    }
  if (read->generation != self->generation)
    return;

  items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (read->page));
  if (items == NULL)
    return;

  /* Rows recorded since the count can make a page longer than it was when its items were
   * handed out; ssync_history_model_reload() picks them up. */
  for (guint i = 0; i < MIN (items->len, records->len); i++)
    ssync_history_item_set_record (g_ptr_array_index (items, i),
                                   g_steal_pointer (&g_ptr_array_index (records, i)));
}

static gpointer
ssync_history_model_get_item (GListModel *model,
                              guint       position)
{
  SsyncHistoryModel *self = SSYNC_HISTORY_MODEL (model);
  g_autoptr(GTask) task = NULL;
  GPtrArray *items;
  guint page;

  if (position >= self->n_items)
    return NULL;

  page = position / SSYNC_HISTORY_MODEL_PAGE_SIZE;
  items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (items == NULL)
    {
      guint first = page * SSYNC_HISTORY_MODEL_PAGE_SIZE;
      guint n = MIN (SSYNC_HISTORY_MODEL_PAGE_SIZE, self->n_items - first);

      items = g_ptr_array_new_full (n, g_object_unref);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (items, ssync_history_item_new ());
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), items);
      self->n_loaded_pages++;

      task = g_task_new (self, self->cancellable, read_page_done, NULL);
      g_task_set_source_tag (task, ssync_history_model_get_item);
      g_task_set_task_data (task, read_new (self, page), (GDestroyNotify) read_free);
      g_task_run_in_thread (task, read_page_thread);
    }

  return g_object_ref (g_ptr_array_index (items, position % SSYNC_HISTORY_MODEL_PAGE_SIZE));
}

static void
ssync_history_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ssync_history_model_get_item_type;
  iface->get_n_items = ssync_history_model_get_n_items;
  iface->get_item = ssync_history_model_get_item;
}

/* Drops every item and page and announces @n_items new ones. The change is emitted as a
 * removal and then an addition, not as one replacement: for a replacement, GTK 4.8's list
 * views ask for every added item to look for widgets to reuse, which would read all pages
 * (measured: a sort change of 100,000 rows asked for all 391). */
static void
replace_all (SsyncHistoryModel *self,
             guint              n_items)
{
  guint old_n_items = self->n_items;

  self->generation++;
  g_hash_table_remove_all (self->pages);
  self->n_items = 0;
  if (old_n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n_items, 0);
  self->n_items = n_items;
  if (n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n_items);
}

static void
count_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Read *read = task_data;
  GError *error = NULL;
  guint count;

  if (g_task_return_error_if_cancelled (task))
    return;

  count = ssync_history_query_count (read->history, read->search, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, count);
}

static void
count_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SsyncHistoryModel *self = SSYNC_HISTORY_MODEL (object);
  Read *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gssize count;
  guint old_n_items;

  count = g_task_propagate_int (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->counting--;
  if (self->counting == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);

  if (error != NULL)
    {
      g_warning ("%s", error->message);
      return;
    }
  if (read->generation != self->count_serial)
    return;

  /* Items handed out before now belong to the old count; drop them with it. */
  old_n_items = self->n_items;
  replace_all (self, (guint) count);
  if (old_n_items != self->n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Counts again and then replaces every item, for a new search or new rows in the store. */
static void
recount (SsyncHistoryModel *self)
{
  g_autoptr(GTask) task = NULL;
  Read *read = read_new (self, 0);

  read->generation = ++self->count_serial;
  task = g_task_new (self, self->cancellable, count_done, NULL);
  g_task_set_source_tag (task, recount);
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);
  g_task_run_in_thread (task, count_thread);

  self->counting++;
  if (self->counting == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
ssync_history_model_dispose (GObject *object)
{
  SsyncHistoryModel *self = SSYNC_HISTORY_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->history);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pages, g_hash_table_unref);

  G_OBJECT_CLASS (ssync_history_model_parent_class)->dispose (object);
}

static void
ssync_history_model_finalize (GObject *object)
{
  SsyncHistoryModel *self = SSYNC_HISTORY_MODEL (object);

  g_free (self->search);

  G_OBJECT_CLASS (ssync_history_model_parent_class)->finalize (object);
}

static void
ssync_history_model_constructed (GObject *object)
{
  SsyncHistoryModel *self = SSYNC_HISTORY_MODEL (object);

  G_OBJECT_CLASS (ssync_history_model_parent_class)->constructed (object);

  g_return_if_fail (SSYNC_IS_HISTORY (self->history));
  recount (self);
}

static void
ssync_history_model_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SsyncHistoryModel *self = SSYNC_HISTORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    case PROP_SORT:
      g_value_set_int (value, self->sort);
      break;
    case PROP_DESCENDING:
      g_value_set_boolean (value, self->descending);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, ssync_history_model_get_loading (self));
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_history_model_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SsyncHistoryModel *self = SSYNC_HISTORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;
    case PROP_SEARCH:
      ssync_history_model_set_search (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_history_model_class_init (SsyncHistoryModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = ssync_history_model_dispose;
  object_class->finalize = ssync_history_model_finalize;
  object_class->constructed = ssync_history_model_constructed;
  object_class->get_property = ssync_history_model_get_property;
  object_class->set_property = ssync_history_model_set_property;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, SSYNC_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* SsyncHistorySort has no registered GType, so the order is an int. */
  properties[PROP_SORT] = g_param_spec_int ("sort", NULL, NULL, 0, SSYNC_HISTORY_SORT_STATUS,
                                            SSYNC_HISTORY_SORT_STARTED, flags);
  properties[PROP_DESCENDING] = g_param_spec_boolean ("descending", NULL, NULL, TRUE, flags);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ssync_history_model_init (SsyncHistoryModel *self)
{
  self->sort = SSYNC_HISTORY_SORT_STARTED;
  self->descending = TRUE;
  self->cancellable = g_cancellable_new ();
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
}

/* Starts empty; the count arrives from a worker thread moments later (items-changed). */
SsyncHistoryModel *
ssync_history_model_new (SsyncHistory *history)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY (history), NULL);

  return g_object_new (SSYNC_TYPE_HISTORY_MODEL, "history", history, NULL);
}

SsyncHistory *
ssync_history_model_get_history (SsyncHistoryModel *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_MODEL (self), NULL);

  return self->history;
}

/* Reads the store again: call it when transfers were recorded or forgotten. */
void
ssync_history_model_reload (SsyncHistoryModel *self)
{
  g_return_if_fail (SSYNC_IS_HISTORY_MODEL (self));

  recount (self);
}

const char *
ssync_history_model_get_search (SsyncHistoryModel *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_MODEL (self), NULL);

  return self->search;
}

/* Keeps the transfers whose file, peer, user agent or share name contains @search (ASCII
 * letters in any case); NULL or "" keeps all. */
void
ssync_history_model_set_search (SsyncHistoryModel *self,
                                const char        *search)
{
  g_return_if_fail (SSYNC_IS_HISTORY_MODEL (self));

  if (search != NULL && *search == '\0')
    search = NULL;
  if (g_strcmp0 (self->search, search) == 0)
    return;
  g_free (self->search);
  self->search = g_strdup (search);

  recount (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

SsyncHistorySort
ssync_history_model_get_sort (SsyncHistoryModel *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_MODEL (self), SSYNC_HISTORY_SORT_STARTED);

  return self->sort;
}

gboolean
ssync_history_model_get_descending (SsyncHistoryModel *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_MODEL (self), TRUE);

  return self->descending;
}

/* The count does not change, so every item is replaced at once by empty ones that fill in
 * as their pages arrive in the new order. */
void
ssync_history_model_set_sort (SsyncHistoryModel *self,
                              SsyncHistorySort   sort,
                              gboolean           descending)
{
  g_return_if_fail (SSYNC_IS_HISTORY_MODEL (self));

  descending = !!descending;
  if (self->sort == sort && self->descending == descending)
    return;

  self->sort = sort;
  self->descending = descending;
  replace_all (self, self->n_items);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCENDING]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* TRUE while the number of items is being counted for a new search or a reload. */
gboolean
ssync_history_model_get_loading (SsyncHistoryModel *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_MODEL (self), FALSE);

  return self->counting > 0;
}

/* How many pages get_item() has asked the store for since the items were last replaced: for
 * tests that check the model reads lazily. */
guint
ssync_history_model_get_n_loaded_pages (SsyncHistoryModel *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_MODEL (self), 0);

  return g_hash_table_size (self->pages);
}

typedef struct {
  GArray *days;
  GPtrArray *totals;
} Stats;

static void
stats_free (Stats *stats)
{
  g_clear_pointer (&stats->days, g_array_unref);
  g_clear_pointer (&stats->totals, g_ptr_array_unref);
  g_free (stats);
}

/* What a worker thread reads the statistics from. */
typedef struct {
  SsyncHistory *history;
  guint n_days;
} StatsRequest;

static void
stats_request_free (StatsRequest *request)
{
  g_object_unref (request->history);
  g_free (request);
}

static void
load_stats_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  StatsRequest *request = task_data;
  SsyncHistory *history = request->history;
  guint n_days = request->n_days;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) first = g_date_time_add_days (now, 1 - (int) n_days);
  GError *error = NULL;
  Stats *stats = g_new0 (Stats, 1);

  stats->days = ssync_history_query_daily (history, g_date_time_to_unix (first) * G_USEC_PER_SEC,
                                           &error);
  if (stats->days != NULL)
    stats->totals = ssync_history_list_totals (history, &error);

  if (error != NULL)
    {
      stats_free (stats);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, stats, (GDestroyNotify) stats_free);
}

/* Reads, on a worker thread, the completed downloads of each of the last @n_days days
 * (today included) and the totals of every share. */
void
ssync_history_model_load_stats_async (SsyncHistoryModel   *self,
                                      guint                n_days,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StatsRequest *request;

  g_return_if_fail (SSYNC_IS_HISTORY_MODEL (self));
  g_return_if_fail (n_days > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ssync_history_model_load_stats_async);
  request = g_new0 (StatsRequest, 1);
  request->history = g_object_ref (self->history);
  request->n_days = n_days;
  g_task_set_task_data (task, request, (GDestroyNotify) stats_request_free);
  g_task_run_in_thread (task, load_stats_thread);
}

/* @days receives SsyncHistoryDay, oldest first; @totals SsyncShareTotals. */
gboolean
ssync_history_model_load_stats_finish (SsyncHistoryModel  *self,
                                       GAsyncResult       *result,
                                       GArray            **days,
                                       GPtrArray         **totals,
                                       GError            **error)
{
  Stats *stats;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  stats = g_task_propagate_pointer (G_TASK (result), error);
  if (stats == NULL)
    return FALSE;

  if (days != NULL)
    *days = g_steal_pointer (&stats->days);
  if (totals != NULL)
    *totals = g_steal_pointer (&stats->totals);
  stats_free (stats);
  return TRUE;
}
