/* ssync-history-view.c: the history page.
 *
 * The column view shows SsyncHistoryModel directly: the store sorts and filters, so the
 * list never holds more than the pages a user has scrolled past. Clicking a column header
 * only changes the column view's sorter; each column's sorter is a GtkCustomSorter used as
 * a probe, and on every change the view asks the column view's sorter which column is first
 * and in which direction, then hands that to ssync_history_model_set_sort(). (GTK 4.10 has
 * gtk_column_view_sorter_get_primary_sort_column(); Debian's 4.8 does not.)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-daily-chart.h"
#include "ssync-duration.h"
#include "ssync-history-view.h"

#define N_DAYS 30

typedef enum {
  COLUMN_DIRECTION,
  COLUMN_FILE,
  COLUMN_PEER,
  COLUMN_USER_AGENT,
  COLUMN_BYTES,
  COLUMN_STARTED,
  COLUMN_DURATION,
  COLUMN_STATUS,
  N_COLUMNS
} Column;

typedef struct {
  const char *title;
  SsyncHistorySort sort;
  gboolean expand;
  gboolean numeric;
  guint n_chars;  /* natural width */
} ColumnInfo;

/* File takes what is left; Started keeps its whole date; Direction is an icon; Browser
 * says "Firefox on Android" (the whole user agent in its tooltip). The list scrolls
 * sideways on narrow windows rather than cutting File and Started. */
static const ColumnInfo columns[N_COLUMNS] = {
  [COLUMN_DIRECTION] = { NULL, SSYNC_HISTORY_SORT_DIRECTION, FALSE, FALSE, 2 },
  [COLUMN_FILE] = { N_("File"), SSYNC_HISTORY_SORT_FILE, TRUE, FALSE, 16 },
  [COLUMN_PEER] = { N_("Address"), SSYNC_HISTORY_SORT_PEER, FALSE, FALSE, 12 },
  [COLUMN_USER_AGENT] = { N_("Browser"), SSYNC_HISTORY_SORT_USER_AGENT, FALSE, FALSE, 15 },
  [COLUMN_BYTES] = { N_("Size"), SSYNC_HISTORY_SORT_BYTES, FALSE, TRUE, 8 },
  [COLUMN_STARTED] = { N_("Started"), SSYNC_HISTORY_SORT_STARTED, FALSE, FALSE, 16 },
  [COLUMN_DURATION] = { N_("Duration"), SSYNC_HISTORY_SORT_DURATION, FALSE, TRUE, 9 },
  [COLUMN_STATUS] = { N_("Status"), SSYNC_HISTORY_SORT_STATUS, FALSE, FALSE, 11 },
};

struct _SsyncHistoryView
{
  AdwBin parent_instance;

  GtkSearchEntry *search_entry;
  GtkColumnView *column_view;
  SsyncDailyChart *daily_chart;
  GtkListBox *totals_list;

  SsyncHistoryModel *model;
  GtkColumnViewColumn *column_objects[N_COLUMNS];
  /* Two distinct objects (gtk_sorter_compare() answers EQUAL for one object compared with
   * itself without asking anyone); the probe sorters never look at them. */
  GObject *probe_items[2];
  int probed_column;
  GCancellable *cancellable;
  gboolean stats_wanted;  /* read the chart and totals once the model has counted */
};

G_DEFINE_FINAL_TYPE (SsyncHistoryView, ssync_history_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The product in @ua that names the browser, as "Firefox", or NULL. */
static const char *
browser_name (const char *ua)
{
  static const struct {
    const char *token;
    const char *name;
  } browsers[] = {
    /* Order matters: Edge, Opera and Samsung Internet also say Chrome and Safari; Chrome
     * also says Safari. */
    { "Edg/", "Edge" },
    { "EdgA/", "Edge" },
    { "OPR/", "Opera" },
    { "SamsungBrowser/", "Samsung Internet" },
    { "Firefox/", "Firefox" },
    { "FxiOS/", "Firefox" },
    { "CriOS/", "Chrome" },
    { "Chromium/", "Chromium" },
    { "Chrome/", "Chrome" },
    { "Safari/", "Safari" },
    { "ShareSync/", "ShareSync" },
    { "LocalSend", "LocalSend" },
    { "curl/", "curl" },
    { "Wget/", "Wget" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (browsers); i++)
    if (strstr (ua, browsers[i].token) != NULL)
      return browsers[i].name;
  return NULL;
}

/* The system in @ua, as "Android", or NULL. */
static const char *
system_name (const char *ua)
{
  static const struct {
    const char *token;
    const char *name;
  } systems[] = {
    { "Android", "Android" },
    { "iPhone", "iOS" },
    { "iPad", "iPadOS" },
    { "CrOS", "ChromeOS" },
    { "Mac OS X", "macOS" },
    { "Macintosh", "macOS" },
    { "Windows", "Windows" },
    { "Linux", "Linux" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (systems); i++)
    if (strstr (ua, systems[i].token) != NULL)
      return systems[i].name;
  return NULL;
}

/* "Firefox on Android" for a browser's User-Agent, the browser alone when the system is
 * not said, and @ua itself when neither can be told. */
char *
ssync_history_view_describe_user_agent (const char *ua)
{
  const char *browser;
  const char *system;

  if (ua == NULL || ua[0] == '\0')
    return g_strdup ("");
  browser = browser_name (ua);
  system = system_name (ua);
  if (browser != NULL && system != NULL)
    /* TRANSLATORS: a browser and its system in the history, "Firefox on Android" */
    return g_strdup_printf (C_("user agent", "%s on %s"), browser, system);
  return g_strdup (browser != NULL ? browser : ua);
}

static char *
format_cell (SsyncHistoryItem *item,
             Column            column)
{
  gint64 started = ssync_history_item_get_started (item);
  gint64 finished = ssync_history_item_get_finished (item);

  if (!ssync_history_item_get_loaded (item))
    return g_strdup ("");

  switch (column)
    {
    case COLUMN_DIRECTION:
      return g_strdup (ssync_history_item_get_direction (item) == SSYNC_DIRECTION_UPLOAD ?
                       _("Received") : _("Sent"));
    case COLUMN_FILE:
      /* A zip of the whole share has no file name of its own. */
      return g_strdup (ssync_history_item_get_file_name (item) != NULL ?
                       ssync_history_item_get_file_name (item) :
                       ssync_history_item_get_share_name (item));
    case COLUMN_PEER:
      return g_strdup (ssync_history_item_get_peer (item));
    case COLUMN_USER_AGENT:
      return ssync_history_view_describe_user_agent (ssync_history_item_get_user_agent (item));
    case COLUMN_BYTES:
      return g_format_size (ssync_history_item_get_bytes (item));
    case COLUMN_STARTED:
      {
        g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (started / G_USEC_PER_SEC);

        /* Translators: the start of a transfer in the history, see strftime(3); to the
         * minute, so that the columns after it keep their room. */
        return g_date_time_format (time, C_("history start", "%Y-%m-%d %H:%M"));
      }
    case COLUMN_DURATION:
      if (finished == 0)
        return g_strdup ("");
      return ssync_duration_format_short (MAX (finished - started, 0) / G_USEC_PER_SEC);
    case COLUMN_STATUS:
      switch (ssync_history_item_get_status (item))
        {
        case SSYNC_TRANSFER_STATUS_ACTIVE:
          return g_strdup (_("In progress"));
        case SSYNC_TRANSFER_STATUS_COMPLETE:
          return g_strdup (_("Complete"));
        case SSYNC_TRANSFER_STATUS_INCOMPLETE:
          return g_strdup (_("Interrupted"));
        case SSYNC_TRANSFER_STATUS_FAILED:
          return g_strdup (_("Failed"));
        case SSYNC_TRANSFER_STATUS_CANCELLED:
          return g_strdup (_("Cancelled"));
        default:
          return g_strdup ("");
        }
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
update_cell (GtkWidget        *cell,
             SsyncHistoryItem *item)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (cell), "column"));
  g_autofree char *text = format_cell (item, column);

  /* Direction is an icon, which says in its tooltip and accessible name what it means. */
  if (column == COLUMN_DIRECTION)
    {
      gboolean received = ssync_history_item_get_direction (item) == SSYNC_DIRECTION_UPLOAD;

      gtk_image_set_from_icon_name (GTK_IMAGE (cell), !ssync_history_item_get_loaded (item)
                                    ? NULL : received ? "folder-download-symbolic"
                                    : "document-send-symbolic");
      gtk_widget_set_tooltip_text (cell, text[0] != '\0' ? text : NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      text, -1);
      return;
    }
  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
  /* Cut or described texts show whole in their tooltip: the browser's full user agent. */
  if (column == COLUMN_USER_AGENT)
    gtk_widget_set_tooltip_text (cell, ssync_history_item_get_loaded (item)
                                 ? ssync_history_item_get_user_agent (item) : NULL);
  else if (column == COLUMN_FILE || column == COLUMN_PEER || column == COLUMN_STATUS)
    gtk_widget_set_tooltip_text (cell, text[0] != '\0' ? text : NULL);
}

static void
on_item_loaded (GtkWidget        *cell,
                GParamSpec       *pspec,
                SsyncHistoryItem *item)
{
  update_cell (cell, item);
}

/* GtkInscription (GTK 4.8) rather than GtkLabel: its size does not depend on its text, so
 * rows are measured without laying text out. That took the first frame of the page from
 * about 230 ms to about 150 ms under Xvfb (tests/bench/bench-history-view.c). */
static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *cell;

  if (column == COLUMN_DIRECTION)
    {
      cell = gtk_image_new ();
      g_object_set_data (G_OBJECT (cell), "column", user_data);
      gtk_list_item_set_child (list_item, cell);
      return;
    }
  cell = gtk_inscription_new (NULL);
  /* File and Started keep room for what tells rows apart; the list scrolls instead. */
  if (column == COLUMN_FILE || column == COLUMN_STARTED)
    gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), column == COLUMN_FILE ? 14 : 16);
  gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), columns[column].numeric ? 1.0f : 0.0f);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), columns[column].n_chars);
  if (columns[column].numeric)
    gtk_widget_add_css_class (cell, "numeric");
  g_object_set_data (G_OBJECT (cell), "column", user_data);
  gtk_list_item_set_child (list_item, cell);
}

/* Items arrive empty and fill in when their page has been read: the cell follows. */
static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  SsyncHistoryItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  update_cell (cell, item);
  if (!ssync_history_item_get_loaded (item))
    g_signal_connect_object (item, "notify::loaded", G_CALLBACK (on_item_loaded), cell,
                             G_CONNECT_SWAPPED);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  SsyncHistoryItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  g_signal_handlers_disconnect_by_func (item, on_item_loaded, cell);
}

static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SsyncHistoryView *self = g_object_get_data (G_OBJECT (a), "view");

  self->probed_column = GPOINTER_TO_INT (user_data);
  return GTK_ORDERING_SMALLER;
}

/* The column view's sorter compares with the first column's sorter and turns the answer
 * round when that column sorts descending; the probe sorters record which column ran. */
static void
on_sorter_changed (GtkSorter        *sorter,
                   GtkSorterChange   change,
                   SsyncHistoryView *self)
{
  GtkOrdering order;

  self->probed_column = -1;
  order = gtk_sorter_compare (sorter, self->probe_items[0], self->probe_items[1]);

  if (self->probed_column < 0)
    ssync_history_model_set_sort (self->model, SSYNC_HISTORY_SORT_STARTED, TRUE);
  else
    ssync_history_model_set_sort (self->model, columns[self->probed_column].sort,
                                  order == GTK_ORDERING_LARGER);
}

static void
on_search_changed (GtkSearchEntry   *entry,
                   SsyncHistoryView *self)
{
  ssync_history_model_set_search (self->model, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static GtkWidget *
totals_row_new (SsyncShareTotals *totals)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *sent = g_format_size (totals->bytes_sent);
  g_autofree char *received = g_format_size (totals->bytes_received);
  g_autofree char *count_downloads = g_strdup_printf ("%" G_GUINT64_FORMAT, totals->downloads);
  g_autofree char *count_uploads = g_strdup_printf ("%" G_GUINT64_FORMAT, totals->uploads);
  g_autofree char *downloads = NULL;
  g_autofree char *uploads = NULL;
  g_autofree char *subtitle = NULL;

  /* The counts go in as text: xgettext cuts a msgid at G_GUINT64_FORMAT, which would leave
   * these untranslatable. */
  downloads = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s download", "%s downloads",
                                            (gulong) MIN (totals->downloads, G_MAXULONG)),
                               count_downloads);
  uploads = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s upload", "%s uploads",
                                          (gulong) MIN (totals->uploads, G_MAXULONG)),
                             count_uploads);
  /* Translators: "12 downloads (1.2 GB sent), 3 uploads (40 MB received)". */
  subtitle = g_strdup_printf (_("%s (%s sent), %s (%s received)"),
                              downloads, sent, uploads, received);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 totals->share_name != NULL ? totals->share_name : "");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
stats_loaded (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GArray) days = NULL;
  g_autoptr(GPtrArray) totals = NULL;
  g_autoptr(GError) error = NULL;
  SsyncHistoryView *self;
  GtkWidget *child;

  if (!ssync_history_model_load_stats_finish (SSYNC_HISTORY_MODEL (object), result, &days,
                                              &totals, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("%s", error->message);
      return;
    }

  self = user_data;
  ssync_daily_chart_set_days (self->daily_chart, days);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->totals_list))) != NULL)
    gtk_list_box_remove (self->totals_list, child);
  for (guint i = 0; i < totals->len; i++)
    gtk_list_box_append (self->totals_list, totals_row_new (g_ptr_array_index (totals, i)));
}

/* Reads the store again: new rows, new counts, new chart. */
void
ssync_history_view_reload (SsyncHistoryView *self)
{
  g_return_if_fail (SSYNC_IS_HISTORY_VIEW (self));

  self->stats_wanted = TRUE;
  ssync_history_model_reload (self->model);
}

/* The chart and totals scan the whole table (about 100 ms for 100,000 rows) and would hold
 * the connection while the list waits for its count; they are read after it. */
static void
on_model_loading (SsyncHistoryModel *model,
                  GParamSpec        *pspec,
                  SsyncHistoryView  *self)
{
  if (ssync_history_model_get_loading (model) || !self->stats_wanted)
    return;

  self->stats_wanted = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* The cancellable, cancelled in dispose, keeps the callback from a disposed view. */
  ssync_history_model_load_stats_async (self->model, N_DAYS, self->cancellable, stats_loaded,
                                        self);
}

static void
ssync_history_view_constructed (GObject *object)
{
  SsyncHistoryView *self = SSYNC_HISTORY_VIEW (object);
  g_autoptr(GtkNoSelection) selection = NULL;

  G_OBJECT_CLASS (ssync_history_view_parent_class)->constructed (object);

  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  self->stats_wanted = TRUE;
  g_signal_connect_object (self->model, "notify::loading", G_CALLBACK (on_model_loading), self,
                           0);
  on_model_loading (self->model, NULL, self);
}

static void
ssync_history_view_dispose (GObject *object)
{
  SsyncHistoryView *self = SSYNC_HISTORY_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_func (gtk_column_view_get_sorter (self->column_view),
                                          on_sorter_changed, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_HISTORY_VIEW);
  for (guint i = 0; i < N_COLUMNS; i++)
    g_clear_object (&self->column_objects[i]);
  g_clear_object (&self->model);
  g_clear_object (&self->probe_items[0]);
  g_clear_object (&self->probe_items[1]);

  G_OBJECT_CLASS (ssync_history_view_parent_class)->dispose (object);
}

static void
ssync_history_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SsyncHistoryView *self = SSYNC_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_history_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SsyncHistoryView *self = SSYNC_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_history_view_class_init (SsyncHistoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ssync_history_view_constructed;
  object_class->dispose = ssync_history_view_dispose;
  object_class->get_property = ssync_history_view_get_property;
  object_class->set_property = ssync_history_view_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, SSYNC_TYPE_HISTORY_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SSYNC_TYPE_DAILY_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sharesync/ShareSync/"
                                               "ssync-history-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncHistoryView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SsyncHistoryView, column_view);
  gtk_widget_class_bind_template_child (widget_class, SsyncHistoryView, daily_chart);
  gtk_widget_class_bind_template_child (widget_class, SsyncHistoryView, totals_list);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
}

static void
ssync_history_view_init (SsyncHistoryView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (self->probe_items); i++)
    {
      self->probe_items[i] = g_object_new (G_TYPE_OBJECT, NULL);
      g_object_set_data (self->probe_items[i], "view", self);
    }

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkSorter) sorter = NULL;
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), GINT_TO_POINTER (i));
      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, GINT_TO_POINTER (i), NULL));

      column = gtk_column_view_column_new (columns[i].title != NULL ? _(columns[i].title) : NULL,
                                           g_object_ref (factory));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      gtk_column_view_column_set_resizable (column, i != COLUMN_DIRECTION);
      if (i == COLUMN_DIRECTION)
        gtk_column_view_column_set_fixed_width (column, 40);
      gtk_column_view_append_column (self->column_view, column);
      self->column_objects[i] = column;
    }

  /* The store's default order, shown on the header before anyone clicks. */
  gtk_column_view_sort_by_column (self->column_view, self->column_objects[COLUMN_STARTED],
                                  GTK_SORT_DESCENDING);
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed",
                    G_CALLBACK (on_sorter_changed), self);
}

SsyncHistoryView *
ssync_history_view_new (SsyncHistory *history)
{
  g_autoptr(SsyncHistoryModel) model = NULL;

  g_return_val_if_fail (SSYNC_IS_HISTORY (history), NULL);

  model = ssync_history_model_new (history);
  return g_object_new (SSYNC_TYPE_HISTORY_VIEW, "model", model, NULL);
}

SsyncHistoryModel *
ssync_history_view_get_model (SsyncHistoryView *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_VIEW (self), NULL);

  return self->model;
}
