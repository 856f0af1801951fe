/* test-window.c: the window under Xvfb, driven through the session and through its own
 * handlers: shares added through the session, by a drop and by a paste show a row with their
 * link, "Copy Link" puts it on the clipboard, "Stop Sharing" removes the row, a download in
 * flight shows a transfer row, a pushed file shows a link row whose button copies it,
 * "win.toast" shows a toast, the QR code scans (right size, black on white), every button
 * has an accessible label, and the window finalizes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <adwaita.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <qrencode.h>
#include <string.h>
#include <unistd.h>

#include "ssync-preferences-window.h"
#include "ssync-push-box.h"
#include "ssync-pushed-link-row.h"
#include "ssync-qr-paintable.h"
#include "ssync-receive-prompt.h"
#include "ssync-s3rver.h"
#include "ssync-share-row.h"
#include "ssync-test-server.h"
#include "ssync-transfer-row.h"
#include "ssync-ui-test.h"
#include "ssync-window.h"

#define WAIT_SECONDS 20

typedef struct {
  char *dir;
  char *files;
  SsyncSession *session;
  SsyncWindow *window;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture, gconstpointer data);

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @condition holds; fails the test after WAIT_SECONDS. */
static void
wait_until (Fixture       *fixture,
            Condition      condition,
            gconstpointer  data,
            const char    *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, wake_up, NULL);

  while (!condition (fixture, data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting until %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (SSYNC_IS_SHARE_ROW (widget))
    {
      if (ssync_share_row_get_share (SSYNC_SHARE_ROW (widget)) != NULL &&
          gtk_widget_get_mapped (widget))
        g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* The share rows the window shows now. */
static GPtrArray *
shown_rows (Fixture *fixture)
{
  GPtrArray *rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (fixture->window), rows);
  return rows;
}

static SsyncShareRow *
row_for (Fixture    *fixture,
         SsyncShare *share)
{
  g_autoptr(GPtrArray) rows = shown_rows (fixture);

  for (guint i = 0; i < rows->len; i++)
    if (ssync_share_row_get_share (g_ptr_array_index (rows, i)) == share)
      return g_ptr_array_index (rows, i);
  return NULL;
}

static gboolean
has_n_rows (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = shown_rows (fixture);

  return rows->len == GPOINTER_TO_UINT (data);
}

static gboolean
has_row_for (Fixture       *fixture,
             gconstpointer  share)
{
  return row_for (fixture, (SsyncShare *) share) != NULL;
}

static gboolean
has_n_shares (Fixture       *fixture,
              gconstpointer  data)
{
  return g_list_model_get_n_items (ssync_session_get_shares (fixture->session)) ==
         GPOINTER_TO_UINT (data);
}

/* The label showing @text in @widget's tree, if one is mapped. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether a toast saying @data shows on the window: a label inside libadwaita's toast
 * widget, which is what a user sees. */
static gboolean
shows_toast (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *label = find_label (GTK_WIDGET (fixture->window), data);
  GType toast_type = g_type_from_name ("AdwToastWidget");

  return label != NULL && toast_type != 0 &&
         gtk_widget_get_ancestor (label, toast_type) != NULL;
}

static void
on_toast_action (GSimpleAction *action,
                 GVariant      *parameter,
                 GPtrArray     *toasts)
{
  g_ptr_array_add (toasts, g_variant_dup_string (parameter, NULL));
}

/* Records the messages given to "win.toast" in @toasts, for as long as the window lives:
 * a toast shows for a while, later ones wait their turn, so the messages are read here
 * rather than from the screen. */
static void
record_toasts (Fixture   *fixture,
               GPtrArray *toasts)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (fixture->window), "toast");

  g_assert_nonnull (action);
  g_signal_connect (action, "activate", G_CALLBACK (on_toast_action), toasts);
}

static void
stop_recording_toasts (Fixture   *fixture,
                       GPtrArray *toasts)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (fixture->window), "toast");

  g_signal_handlers_disconnect_by_data (action, toasts);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            gsize       size)
{
  g_autofree char *path = g_build_filename (fixture->files, name, NULL);
  g_autofree char *contents = g_malloc0 (size);
  g_autoptr(GError) error = NULL;

  memset (contents, 'x', size);
  g_file_set_contents (path, contents, size, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static gboolean
window_is_mapped (Fixture       *fixture,
                  gconstpointer  data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (fixture->window));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-ui-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->files = g_build_filename (fixture->dir, "files", NULL);
  data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_assert_no_errno (g_mkdir_with_parents (fixture->files, 0700));
  g_assert_no_errno (g_mkdir_with_parents (data_dir, 0700));

  fixture->session = ssync_session_new (data_dir, &error);
  g_assert_no_error (error);
  ssync_session_start (fixture->session, "127.0.0.1", 0, &error);
  g_assert_no_error (error);

  /* GTK owns a toplevel; this reference lets the test check that it goes away. */
  fixture->window = g_object_ref (ssync_window_new (NULL, fixture->session));
  gtk_window_present (GTK_WINDOW (fixture->window));
  wait_until (fixture, window_is_mapped, NULL, "the window shows");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fixture->window);

  ssync_session_shutdown (fixture->session);
  g_assert_finalize_object (fixture->session);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->files);
  g_free (fixture->dir);
}

/* Sends @request (raw HTTP) to the session's server; the connection stays open. */
static GSocketConnection *
send_request (Fixture    *fixture,
              const char *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                ssync_session_get_port (fixture->session),
                                                NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

/* One request ("Connection: close") whose answer is read in the background: reading on
 * this thread would starve the server, which runs in this main context. */
typedef struct {
  GSocketConnection *connection;
  char reply[4096];
  gsize got;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_clear_object (&exchange->connection);
  g_free (exchange);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Exchange, exchange_free)

static void
on_read_all (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  gsize *got = user_data;
  g_autoptr(GError) error = NULL;

  g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, got, &error);
  g_assert_no_error (error);
}

static Exchange *
start_exchange (Fixture    *fixture,
                const char *request)
{
  Exchange *exchange = g_new0 (Exchange, 1);

  exchange->connection = send_request (fixture, request);
  g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (exchange->connection)),
                                 exchange->reply, sizeof exchange->reply - 1, G_PRIORITY_DEFAULT,
                                 NULL, on_read_all, &exchange->got);
  return exchange;
}

static gboolean
size_is_set (Fixture       *fixture,
             gconstpointer  data)
{
  return *(const gsize *) data > 0;
}

static void
on_share_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SsyncShare **share = user_data;
  g_autoptr(GError) error = NULL;

  *share = ssync_session_add_share_finish (SSYNC_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
share_is_set (Fixture       *fixture,
              gconstpointer  data)
{
  SsyncShare *const *share = data;

  return *share != NULL;
}

static SsyncShare *
add_share (Fixture    *fixture,
           const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  SsyncShare *share = NULL;

  ssync_session_add_share_async (fixture->session, &file, 1, NULL, on_share_added, &share);
  wait_until (fixture, share_is_set, &share, "the share is added");
  return share;
}

static void
test_empty_state (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "notes.txt", 10);
  g_autoptr(SsyncShare) share = NULL;

  g_assert_true (ssync_window_is_empty_visible (fixture->window));
  g_assert_true (has_n_rows (fixture, GUINT_TO_POINTER (0)));

  share = add_share (fixture, path);
  wait_until (fixture, has_row_for, share, "the row shows");
  g_assert_false (ssync_window_is_empty_visible (fixture->window));
}

/* Every button a user can reach says what it does to a screen reader. */
static void
assert_buttons_labelled (GtkWidget *widget)
{
  if ((GTK_IS_BUTTON (widget) && !GTK_IS_MENU_BUTTON (gtk_widget_get_parent (widget))) ||
      GTK_IS_MENU_BUTTON (widget))
    {
      g_test_message ("checking %s", G_OBJECT_TYPE_NAME (widget));
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                                       GTK_ACCESSIBLE_PROPERTY_LABEL));
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_buttons_labelled (child);
}

static void
test_session_share_shows_link (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "report.pdf", 4096);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  g_autofree char *url = ssync_session_dup_share_url (fixture->session, share);
  SsyncShareRow *row;

  wait_until (fixture, has_row_for, share, "the row shows");
  row = row_for (fixture, share);
  g_assert_cmpstr (ssync_share_row_get_url (row), ==, url);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
  assert_buttons_labelled (GTK_WIDGET (row));
}

static void
on_receive_share_added (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  SsyncShare **share = user_data;
  g_autoptr(GError) error = NULL;

  *share = ssync_session_add_receive_share_finish (SSYNC_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static void
test_receive_share_shows_link (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->files);
  g_autoptr(SsyncShare) share = NULL;
  g_autofree char *url = NULL;

  ssync_session_add_receive_share_async (fixture->session, folder, NULL, on_receive_share_added,
                                         &share);
  wait_until (fixture, share_is_set, &share, "the receive share is added");
  url = ssync_session_dup_share_url (fixture->session, share);
  g_assert_nonnull (strstr (url, "/r/"));

  wait_until (fixture, has_row_for, share, "the row shows");
  g_assert_cmpstr (ssync_share_row_get_url (row_for (fixture, share)), ==, url);
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

static void
test_drop_creates_share (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *one = write_file (fixture, "one.txt", 100);
  g_autofree char *two = write_file (fixture, "two.txt", 200);
  g_autoptr(GFile) file_one = g_file_new_for_path (one);
  g_autoptr(GFile) file_two = g_file_new_for_path (two);
  GFile *dropped[] = { file_one, file_two };
  GtkDropTarget *target = find_drop_target (GTK_WIDGET (fixture->window));
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(SsyncShare) share = NULL;
  g_autofree char *url = NULL;
  gboolean accepted = FALSE;
  SsyncShareRow *row;

  g_assert_nonnull (target);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (dropped, G_N_ELEMENTS (dropped)));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);

  /* Both files dropped together make one share, of both sizes. */
  wait_until (fixture, has_n_shares, GUINT_TO_POINTER (1), "the dropped files are shared");
  share = g_list_model_get_item (ssync_session_get_shares (fixture->session), 0);
  g_assert_cmpuint (ssync_share_get_n_files (share), ==, 2);
  g_assert_cmpuint (ssync_share_get_total_size (share), ==, 300);

  wait_until (fixture, has_row_for, share, "the row shows");
  row = row_for (fixture, share);
  url = ssync_session_dup_share_url (fixture->session, share);
  g_assert_cmpstr (ssync_share_row_get_url (row), ==, url);

  /* The same path as a drop, as "Add Files" and the command line use it. */
  ssync_window_share_files (fixture->window, &file_one, 1);
  wait_until (fixture, has_n_rows, GUINT_TO_POINTER (2), "a second row shows");
}

static void
test_paste_creates_share (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "pasted.odt", 512);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->window));
  GdkFileList *list = gdk_file_list_new_from_array (&file, 1);
  g_autoptr(SsyncShare) share = NULL;

  /* What a file manager's "Copy" puts on the clipboard, then Ctrl+V's action. */
  gdk_clipboard_set (clipboard, GDK_TYPE_FILE_LIST, list);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.paste", NULL));

  wait_until (fixture, has_n_shares, GUINT_TO_POINTER (1), "the pasted file is shared");
  share = g_list_model_get_item (ssync_session_get_shares (fixture->session), 0);
  g_assert_cmpstr (ssync_share_get_name (share), ==, "pasted.odt");
  g_assert_cmpuint (ssync_share_get_total_size (share), ==, 512);
  wait_until (fixture, has_row_for, share, "the row shows");
}

static void
on_text_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
text_is_set (Fixture       *fixture,
             gconstpointer  data)
{
  char *const *text = data;

  return *text != NULL;
}

static void
test_copy_link (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "slides.pdf", 2048);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  g_autofree char *url = ssync_session_dup_share_url (fixture->session, share);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->window));
  g_autofree char *copied = NULL;

  wait_until (fixture, has_row_for, share, "the row shows");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (fixture, share)),
                                             "share.copy-link", NULL));
  gdk_clipboard_read_text_async (clipboard, NULL, on_text_read, &copied);
  wait_until (fixture, text_is_set, &copied, "the clipboard is read");
  g_assert_cmpstr (copied, ==, url);
}

static gboolean
row_shows_transfers (Fixture       *fixture,
                     gconstpointer  data)
{
  const guint *wanted = data;
  g_autoptr(GPtrArray) rows = shown_rows (fixture);

  return rows->len == 1 &&
         ssync_share_row_get_n_transfers_shown (g_ptr_array_index (rows, 0)) == *wanted;
}

/* The first widget of @type in @row's card, if it is mapped: a transfer or a link row. */
static gpointer
shown_in_card (SsyncShareRow *row,
               GType          type)
{
  GtkWidget *found = ssync_ui_test_find_widget (GTK_WIDGET (row), type);

  return found != NULL && gtk_widget_get_mapped (found) ? found : NULL;
}

static void
test_download_progress (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->files, "big.bin", NULL);
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  g_autoptr(SsyncTransfer) transfer = NULL;
  SsyncFileEntry *entry;
  SsyncTransferRow *transfer_row;
  GListModel *transfers;
  const guint one = 1, none = 0;
  int fd;

  /* Larger than every socket buffer, so that a client that does not read keeps the
   * download in flight. */
  fd = g_open (path, O_WRONLY | O_CREAT, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (ftruncate (fd, 256 * 1024 * 1024));
  g_close (fd, NULL);

  share = add_share (fixture, path);
  wait_until (fixture, has_row_for, share, "the row shows");
  entry = ssync_share_get_file (share, 0);

  request = g_strdup_printf ("GET /s/%s/f/%s/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                             ssync_share_get_token (share), ssync_file_entry_get_id (entry));
  connection = send_request (fixture, request);

  wait_until (fixture, row_shows_transfers, &one, "the download shows a progress bar");

  /* The card shows the session's transfer, as one row saying who gets what. */
  transfers = ssync_session_get_transfers (fixture->session, share);
  g_assert_cmpuint (g_list_model_get_n_items (transfers), ==, 1);
  transfer = g_list_model_get_item (transfers, 0);
  transfer_row = shown_in_card (row_for (fixture, share), SSYNC_TYPE_TRANSFER_ROW);
  g_assert_nonnull (transfer_row);
  g_assert_true (ssync_transfer_row_get_transfer (transfer_row) == transfer);
  g_assert_nonnull (find_label (GTK_WIDGET (transfer_row), "Sending big.bin to 127.0.0.1"));
  g_assert_nonnull (ssync_ui_test_find_widget (GTK_WIDGET (transfer_row),
                                               GTK_TYPE_PROGRESS_BAR));

  g_io_stream_close (G_IO_STREAM (connection), NULL, &error);
  g_assert_no_error (error);
  wait_until (fixture, row_shows_transfers, &none, "the progress bar goes");
  g_assert_cmpuint (g_list_model_get_n_items (transfers), ==, 0);
  g_assert_null (shown_in_card (row_for (fixture, share), SSYNC_TYPE_TRANSFER_ROW));
}

static gboolean
history_shows_one_row (Fixture       *fixture,
                       gconstpointer  data)
{
  SsyncHistoryModel *model = ssync_history_view_get_model ((SsyncHistoryView *) data);

  return !ssync_history_model_get_loading (model) &&
         g_list_model_get_n_items (G_LIST_MODEL (model)) == 1;
}

static gboolean
item_is_loaded (Fixture       *fixture,
                gconstpointer  data)
{
  return ssync_history_item_get_loaded ((SsyncHistoryItem *) data);
}

/* The History page lists what happened in this window: here one download cut short. */
static void
test_history_page (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "minutes.txt", 64);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  g_autofree char *request = NULL;
  g_autoptr(Exchange) exchange = NULL;
  SsyncHistoryView *view;
  g_autoptr(SsyncHistoryItem) item = NULL;

  wait_until (fixture, has_row_for, share, "the row shows");
  request = g_strdup_printf ("GET /s/%s/f/%s/minutes.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\n\r\n", ssync_share_get_token (share),
                             ssync_file_entry_get_id (ssync_share_get_file (share, 0)));
  exchange = start_exchange (fixture, request);
  wait_until (fixture, size_is_set, &exchange->got, "the download ends");
  g_assert_nonnull (g_strstr_len (exchange->reply, exchange->got, "\r\n\r\n"));
  ssync_history_flush (ssync_session_get_history (fixture->session));

  view = ssync_window_show_history (fixture->window);
  wait_until (fixture, history_shows_one_row, view, "the history lists the download");
  item = g_list_model_get_item (G_LIST_MODEL (ssync_history_view_get_model (view)), 0);
  wait_until (fixture, item_is_loaded, item, "the row is read from the store");
  g_assert_cmpstr (ssync_history_item_get_file_name (item), ==, "minutes.txt");
  g_assert_cmpstr (ssync_history_item_get_peer (item), ==, "127.0.0.1");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
}

static void
collect_prompts (GtkWidget  *window,
                 GPtrArray  *prompts)
{
  if (SSYNC_IS_ALERT (window) && gtk_widget_get_visible (window))
    g_ptr_array_add (prompts, window);
}

static GtkWidget *
find_prompt (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) prompts = g_ptr_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      collect_prompts (window, prompts);
    }
  return prompts->len > 0 ? g_ptr_array_index (prompts, 0) : NULL;
}

static gboolean
prompt_shows (Fixture       *fixture,
              gconstpointer  data)
{
  return find_prompt () != NULL;
}

static gboolean
prompt_is_gone (Fixture       *fixture,
                gconstpointer  data)
{
  return find_prompt () == NULL;
}

static gboolean
file_exists (Fixture       *fixture,
             gconstpointer  data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* With auto-accept off, a browser's upload waits for the prompt; "Accept" lets it in, the
 * file arrives, and a notification goes out only when the window is in the background. */
static void
test_receive_prompt (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->files);
  g_autoptr(SsyncShare) share = NULL;
  g_autofree char *request = NULL;
  g_autoptr(Exchange) exchange = NULL;
  g_autofree char *name = g_base64_encode ((const guchar *) "empty.txt", 9);
  g_autofree char *arrived = g_build_filename (fixture->files, "empty.txt", NULL);
  GtkWidget *prompt;
  const char *notification;

  g_object_set (ssync_session_get_config (fixture->session), "auto-accept", FALSE, NULL);
  ssync_session_add_receive_share_async (fixture->session, folder, NULL, on_receive_share_added,
                                         &share);
  wait_until (fixture, share_is_set, &share, "the receive share is added");

  request = g_strdup_printf ("POST /r/%s/uploads/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Tus-Resumable: 1.0.0\r\nUpload-Length: 0\r\n"
                             "Upload-Metadata: filename %s\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n",
                             ssync_share_get_token (share), name);
  exchange = start_exchange (fixture, request);

  wait_until (fixture, prompt_shows, NULL, "the prompt shows");
  prompt = find_prompt ();
  g_assert_cmpstr (ssync_alert_get_heading (SSYNC_ALERT (prompt)), ==,
                   "Accept Files From 127.0.0.1?");
  g_assert_nonnull (strstr (ssync_alert_get_body (SSYNC_ALERT (prompt)),
                            "“empty.txt”"));
  /* Nothing arrives before the answer. */
  g_assert_cmpuint (exchange->got, ==, 0);
  notification = ssync_window_get_last_notification (fixture->window);
  if (gtk_window_is_active (GTK_WINDOW (fixture->window)))
    g_assert_null (notification);
  else
    g_assert_true (g_str_has_prefix (notification, "upload-"));

  ssync_alert_response (SSYNC_ALERT (prompt), "accept");
  wait_until (fixture, size_is_set, &exchange->got, "the upload is created");
  g_assert_true (g_str_has_prefix (exchange->reply, "HTTP/1.1 201"));
  wait_until (fixture, file_exists, arrived, "the file arrives");
  wait_until (fixture, prompt_is_gone, NULL, "the prompt closes");
}

static gboolean
share_has_password (Fixture       *fixture,
                    gconstpointer  data)
{
  return ssync_share_get_password_hash ((SsyncShare *) data) != NULL;
}

/* What the share page answers now, as "HTTP/1.1 401 …". */
static char *
fetch_status_line (Fixture    *fixture,
                   SsyncShare *share)
{
  g_autofree char *request = NULL;
  g_autoptr(Exchange) exchange = NULL;

  request = g_strdup_printf ("GET /s/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                             "\r\n", ssync_share_get_token (share));
  exchange = start_exchange (fixture, request);
  wait_until (fixture, size_is_set, &exchange->got, "the page answers");
  return g_strndup (exchange->reply, strcspn (exchange->reply, "\r"));
}

/* The options dialog sets a password, an expiry and a download limit on a live share: the
 * page then asks for the password, and the row says so. */
static void
test_share_options (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "plans.odt", 100);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkWidget *dialog;
  SsyncShareRow *row;
  gint64 expires;

  wait_until (fixture, has_row_for, share, "the row shows");
  before = fetch_status_line (fixture, share);
  g_assert_cmpstr (before, ==, "HTTP/1.1 200 OK");

  row = row_for (fixture, share);
  gtk_widget_activate_action (GTK_WIDGET (row), "share.options", NULL);
  wait_until (fixture, prompt_shows, NULL, "the options show");
  dialog = find_prompt ();

  gtk_switch_set_active (GTK_SWITCH (ssync_ui_test_find_widget (dialog, GTK_TYPE_SWITCH)), TRUE);
  /* Protection without a password cannot be applied. */
  g_assert_false (ssync_alert_get_response_enabled (SSYNC_ALERT (dialog), "apply"));
  gtk_editable_set_text (GTK_EDITABLE (ssync_ui_test_find_widget (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW)),
                         "open sesame");
  g_assert_true (ssync_alert_get_response_enabled (SSYNC_ALERT (dialog), "apply"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (ssync_ui_test_find_widget (dialog, ADW_TYPE_COMBO_ROW)), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ssync_ui_test_find_widget (dialog, GTK_TYPE_SPIN_BUTTON)), 2);
  ssync_alert_response (SSYNC_ALERT (dialog), "apply");
  ssync_alert_close (SSYNC_ALERT (dialog));

  wait_until (fixture, share_has_password, share, "the password is set");
  g_assert_cmpuint (ssync_share_get_max_downloads (share), ==, 2);
  expires = ssync_share_get_expires (share) - g_get_real_time ();
  g_assert_cmpint (expires, >, (gint64) 3590 * G_USEC_PER_SEC);
  g_assert_cmpint (expires, <=, (gint64) 3600 * G_USEC_PER_SEC);

  after = fetch_status_line (fixture, share);
  g_assert_cmpstr (after, ==, "HTTP/1.1 401 Unauthorized");
}

static gboolean
has_cloud_link (Fixture       *fixture,
                gconstpointer  data)
{
  return g_list_model_get_n_items ((GListModel *) data) == 1;
}

static guint
http_get (const char  *url,
          GBytes     **body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) bytes = soup_session_send_and_read (session, msg, NULL, NULL);

  if (body != NULL)
    *body = g_steal_pointer (&bytes);
  return soup_message_get_status (msg);
}

static gboolean
link_is_gone (Fixture       *fixture,
              gconstpointer  data)
{
  return http_get (data, NULL) == SOUP_STATUS_NOT_FOUND;
}

static gboolean
said_deleted (Fixture       *fixture,
              gconstpointer  data)
{
  GPtrArray *const *toasts = data;

  for (guint i = 0; i < (*toasts)->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (*toasts, i), "Deleted from the cloud"))
      return TRUE;
  return FALSE;
}

/* "Push to the Cloud" from a card, into a bucket that does not exist yet: the window offers
 * to create it, then the card lists the file's pre-signed link, which serves the same bytes;
 * "Delete From the Cloud" takes it out of the bucket. */
static void
test_push_to_cloud (Fixture       *fixture,
                    gconstpointer  data)
{
  SsyncS3rver s3rver = { 0 };
  g_autofree char *path = write_file (fixture, "slides.pdf", 300000);
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *url = NULL;
  gsize length;
  GListModel *links;
  GtkWidget *dialog;
  SsyncShareRow *row;
  g_autoptr(SsyncPushedLink) link = NULL;
  g_autoptr(GPtrArray) toasts = g_ptr_array_new_with_free_func (g_free);

  /* As the window's face fills them from the preferences and the keyring. */
  ssync_s3rver_start (&s3rver);
  g_object_set (ssync_session_get_config (fixture->session),
                "s3-endpoint", s3rver.endpoint,
                "s3-bucket", "pushed-from-the-window",
                "s3-access-key", SSYNC_S3RVER_KEY,
                NULL);
  ssync_secrets_set_for_run (ssync_session_get_secrets (fixture->session), SSYNC_SECRET_S3,
                             s3rver.endpoint, SSYNC_S3RVER_KEY, SSYNC_S3RVER_KEY);

  share = add_share (fixture, path);
  wait_until (fixture, has_row_for, share, "the row shows");
  row = row_for (fixture, share);
  links = ssync_push_box_get_links (SSYNC_PUSH_BOX (ssync_ui_test_find_widget (GTK_WIDGET (row),
                                                                       SSYNC_TYPE_PUSH_BOX)));
  g_assert_true (links == ssync_session_get_pushed_links (fixture->session, share));
  record_toasts (fixture, toasts);
  gtk_widget_activate_action (GTK_WIDGET (row), "share.push", NULL);

  wait_until (fixture, prompt_shows, NULL, "the window offers to create the bucket");
  dialog = find_prompt ();
  g_assert_cmpstr (ssync_alert_get_heading (SSYNC_ALERT (dialog)), ==,
                   "Create the Bucket?");
  ssync_alert_response (SSYNC_ALERT (dialog), "create");
  ssync_alert_close (SSYNC_ALERT (dialog));

  wait_until (fixture, has_cloud_link, links, "the card lists the cloud link");
  link = g_list_model_get_item (links, 0);
  g_assert_cmpstr (ssync_pushed_link_get_file (link), ==, "slides.pdf");
  url = g_strdup (ssync_pushed_link_get_url (link));
  g_assert_true (g_str_has_prefix (url, s3rver.endpoint));
  g_assert_nonnull (strstr (url, "X-Amz-Signature="));
  g_assert_cmpuint (http_get (url, &body), ==, SOUP_STATUS_OK);
  g_file_get_contents (path, &contents, &length, NULL);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), contents, length);

  gtk_widget_activate_action (GTK_WIDGET (row), "share.delete-pushed", NULL);
  wait_until (fixture, link_is_gone, url, "the object leaves the bucket");
  wait_until (fixture, said_deleted, &toasts, "the card says it was deleted");
  /* The session drops the links before it answers. */
  g_assert_cmpuint (g_list_model_get_n_items (links), ==, 0);
  stop_recording_toasts (fixture, toasts);

  ssync_s3rver_stop (&s3rver);
}

static gboolean
has_link_row (Fixture       *fixture,
              gconstpointer  share)
{
  SsyncShareRow *row = row_for (fixture, (SsyncShare *) share);

  return row != NULL && shown_in_card (row, SSYNC_TYPE_PUSHED_LINK_ROW) != NULL;
}

/* A file the pusher announces as pushed gets a row under its card, from the session's list;
 * its button puts the link on the clipboard and says so. */
static void
test_pushed_link_row (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "report.pdf", 1000);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  const char *url = "http://127.0.0.1:9/bucket/report.pdf?X-Amz-Signature=0123";
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->window));
  g_autoptr(GPtrArray) toasts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SsyncPushedLink) link = NULL;
  g_autofree char *copied = NULL;
  SsyncPushedLinkRow *link_row;
  GtkWidget *copy_button;

  wait_until (fixture, has_row_for, share, "the row shows");
  g_assert_null (shown_in_card (row_for (fixture, share), SSYNC_TYPE_PUSHED_LINK_ROW));

  g_signal_emit_by_name (ssync_session_get_pusher (fixture->session), "pushed", share,
                         "report.pdf", "shares/report.pdf", url,
                         g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC);
  wait_until (fixture, has_link_row, share, "the card lists the pushed link");
  link_row = shown_in_card (row_for (fixture, share), SSYNC_TYPE_PUSHED_LINK_ROW);
  link = g_list_model_get_item (ssync_session_get_pushed_links (fixture->session, share), 0);
  g_assert_true (ssync_pushed_link_row_get_link (link_row) == link);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (link_row)), ==,
                   "report.pdf in the cloud");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (link_row)), ==, url);
  copy_button = ssync_ui_test_find_widget (GTK_WIDGET (link_row), GTK_TYPE_BUTTON);
  g_assert_nonnull (copy_button);
  assert_buttons_labelled (GTK_WIDGET (link_row));

  record_toasts (fixture, toasts);
  g_signal_emit_by_name (copy_button, "clicked");
  gdk_clipboard_read_text_async (clipboard, NULL, on_text_read, &copied);
  wait_until (fixture, text_is_set, &copied, "the clipboard is read");
  g_assert_cmpstr (copied, ==, url);
  g_assert_cmpuint (toasts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (toasts, 0), ==, "Cloud link copied");
  wait_until (fixture, shows_toast, "Cloud link copied", "the toast shows");
  stop_recording_toasts (fixture, toasts);
}

/* "win.toast" is how every widget of the window tells the user something. */
static void
test_toast_action (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_false (shows_toast (fixture, "Something happened"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toast", "s",
                                             "Something happened"));
  wait_until (fixture, shows_toast, "Something happened", "the toast shows");
}

/* Where "Receive From Link" saves: the Downloads folder, set up in main(). */
static char *downloads;

/* "Receive From Link" fetches another ShareSync's share (a headless one here) over WebRTC
 * into the Downloads folder. */
static void
test_receive_from_link (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = ssync_test_write_random (fixture->files, "field notes.bin", 700000);
  g_autofree char *arrived = g_build_filename (downloads, "field notes.bin", NULL);
  g_autofree char *sent_sum = ssync_test_sha256_of_file (path);
  g_autofree char *got_sum = NULL;
  const char *args[] = { path, NULL };
  SsyncTestServer sharer = { 0 };
  g_autoptr(JsonObject) share = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  ssync_test_server_start (&sharer, NULL, args);
  share = ssync_test_server_read_event (&sharer, "share");

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "receive-from-link", NULL);
  wait_until (fixture, prompt_shows, NULL, "the link dialog shows");
  dialog = find_prompt ();
  entry = ssync_ui_test_find_widget (dialog, GTK_TYPE_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (entry), "not a link");
  g_assert_false (ssync_alert_get_response_enabled (SSYNC_ALERT (dialog), "fetch"));
  gtk_editable_set_text (GTK_EDITABLE (entry), json_object_get_string_member (share, "url"));
  g_assert_true (ssync_alert_get_response_enabled (SSYNC_ALERT (dialog), "fetch"));
  ssync_alert_response (SSYNC_ALERT (dialog), "fetch");
  ssync_alert_close (SSYNC_ALERT (dialog));

  wait_until (fixture, file_exists, arrived, "the file arrives over WebRTC");
  got_sum = ssync_test_sha256_of_file (arrived);
  g_assert_cmpstr (got_sum, ==, sent_sum);
  g_unlink (arrived);
  g_assert_cmpint (ssync_test_server_stop (&sharer), ==, 0);
}

static void
test_qr_paintable (void)
{
  const char *url = "http://192.168.1.20:5001/s/3q2-7wFJ8yXv0B1aLkP4mQ";
  g_autoptr(SsyncQrPaintable) qr = ssync_qr_paintable_new (url);
  QRcode *reference = QRcode_encodeString8bit (url, 0, QR_ECLEVEL_M);
  guint n = ssync_qr_paintable_get_module_count (qr);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guchar *pixels = NULL;
  guint side = 400;
  guint total = n + 2 * SSYNC_QR_QUIET_ZONE;
  guint module = side / total;
  guint offset = (side - module * total) / 2;

  g_assert_nonnull (reference);
  g_assert_cmpuint (n, ==, (guint) reference->width);
  /* Version n: 17 + 4n modules; a LAN link fits in a small version a phone reads easily. */
  g_assert_cmpuint ((n - 17) % 4, ==, 0);
  g_assert_cmpuint (n, <=, 41);
  for (guint y = 0; y < n; y++)
    for (guint x = 0; x < n; x++)
      g_assert_cmpint (ssync_qr_paintable_get_module (qr, x, y), ==,
                       reference->data[y * n + x] & 1);
  QRcode_free (reference);

  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (qr)), >=, 200);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (qr)), ==,
                   gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (qr)));

  /* Draw it and look at the pixels: a white quiet zone, then the black corner of the top
   * left finder pattern, each module a whole number of pixels. */
  gdk_paintable_snapshot (GDK_PAINTABLE (qr), snapshot, side, side);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  gsk_renderer_realize (renderer, NULL, &error);
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, side, side));
  gsk_renderer_unrealize (renderer);
  pixels = g_malloc (side * side * 4);
  gdk_texture_download (texture, pixels, side * 4);

#define PIXEL(x, y) (pixels + ((gsize) (y) * side + (x)) * 4)
  g_assert_cmpuint (module, >=, 2);
  /* Quiet zone: white. Finder pattern corner: black. Its inner white ring: white. */
  g_assert_cmphex (*(guint32 *) PIXEL (offset + 1, offset + 1), ==, 0xffffffff);
  g_assert_cmphex (*(guint32 *) PIXEL (offset + SSYNC_QR_QUIET_ZONE * module,
                                       offset + SSYNC_QR_QUIET_ZONE * module), ==, 0xff000000);
  g_assert_cmphex (*(guint32 *) PIXEL (offset + (SSYNC_QR_QUIET_ZONE + 1) * module,
                                       offset + (SSYNC_QR_QUIET_ZONE + 1) * module), ==,
                   0xffffffff);
  g_assert_cmphex (*(guint32 *) PIXEL (offset + (SSYNC_QR_QUIET_ZONE + 1) * module - 1,
                                       offset + (SSYNC_QR_QUIET_ZONE + 1) * module - 1), ==,
                   0xff000000);
#undef PIXEL
}

/* ---- Issue 14, the window that says what is true ---- */

static gboolean
drawn_enough (Fixture       *fixture,
              gconstpointer  data)
{
  return *(const guint *) data >= 30;
}

static gboolean
count_frames (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Writes what @toplevel shows now to SSYNC_TEST_OUTPUT/@name, for a person to look at. */
static void
save_picture (Fixture    *fixture,
              GtkWidget  *toplevel,
              const char *name)
{
  const char *output = g_getenv ("SSYNC_TEST_OUTPUT");
  g_autofree char *path = g_build_filename (output != NULL ? output : fixture->dir, name, NULL);
  GtkWidget *content = gtk_widget_get_first_child (toplevel);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  graphene_rect_t bounds;
  GdkRGBA background;
  guint frames = 0;
  guint tick = gtk_widget_add_tick_callback (toplevel, count_frames, &frames, NULL);

  wait_until (fixture, drawn_enough, &frames, "the window is drawn");
  gtk_widget_remove_tick_callback (toplevel, tick);
  paintable = gtk_widget_paintable_new (content);
  snapshot = gtk_snapshot_new ();
  /* The toplevel draws the window's background itself, which the content's paintable lacks. */
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (toplevel), "window_bg_color",
                                       &background))
    background = (GdkRGBA) { 1, 1, 1, 1 };
  gtk_snapshot_append_color (snapshot, &background,
                             &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (content),
                                                  gtk_widget_get_height (content)));
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (content),
                          gtk_widget_get_height (content));
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  gsk_render_node_get_bounds (node, &bounds);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (toplevel)), node,
                                         &bounds);
  g_assert_no_errno (g_mkdir_with_parents (output != NULL ? output : fixture->dir, 0700));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

/* The shortcuts window has a title of its own, not the program's name. */
static void
test_shortcuts_title (void)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/sharesync/ShareSync/gtk/help-overlay.ui");
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));

  g_assert_nonnull (window);
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Keyboard Shortcuts");
  gtk_window_destroy (window);
}

static gboolean
is_drawn (Fixture       *fixture,
          gconstpointer  data)
{
  return gtk_widget_get_mapped ((GtkWidget *) data) &&
         gtk_widget_get_height ((GtkWidget *) data) > 0;
}

/* The button labelled @label inside @widget, if one is mapped. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  GtkWidget *text = find_label (widget, label);

  return text != NULL ? gtk_widget_get_ancestor (text, GTK_TYPE_BUTTON) : NULL;
}

/* Whether @window has room for all it holds, its buttons included: laid out at its width, its
 * content needs no more height than it has. */
static gboolean
prompt_fits (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *content = gtk_widget_get_first_child ((GtkWidget *) data);
  int needed = 0;

  if (content == NULL || !gtk_widget_get_mapped (content))
    return FALSE;
  gtk_widget_measure (content, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (content), &needed,
                      NULL, NULL, NULL);
  return needed <= gtk_widget_get_height (content);
}

/* A file that joins an open question makes the prompt longer: it grows (or scrolls), and its
 * buttons stay where they can be clicked. */
static void
test_prompt_grows (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->files);
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(SsyncUploadRequest) request = NULL;
  GtkWidget *prompt;
  GtkWidget *window;

  ssync_session_add_receive_share_async (fixture->session, folder, NULL, on_receive_share_added,
                                         &share);
  wait_until (fixture, share_is_set, &share, "the receive share is added");
  /* A nearby device's prompt: the most it holds (device, four answers). */
  request = ssync_upload_request_new (share, "192.168.1.7", "Alice’s phone");
  ssync_upload_request_set_device (request, "3F2A9C1B7D0E4F5A6B7C8D9E0F1A2B3C4D5E6F708192A3B4C5D6"
                                   "E7F8091A2B3C", "mobile", SSYNC_DEVICE_TRUST_UNKNOWN, FALSE);
  ssync_upload_request_add_file (request, "a.pdf", 1000);
  prompt = ssync_receive_prompt_new (request);
  ssync_alert_present (SSYNC_ALERT (prompt), GTK_WIDGET (fixture->window));
  window = GTK_WIDGET (gtk_widget_get_root (prompt));
  wait_until (fixture, is_drawn, window, "the prompt shows");
  g_assert_nonnull (find_button (window, "Always Accept From This Device"));
  wait_until (fixture, prompt_fits, window, "the prompt's buttons show");

  ssync_upload_request_add_file (request, "Quarterly report for the board, final version "
                                 "with every appendix.pdf", 2000000);
  ssync_upload_request_add_file (request, "Holiday photos from the summer by the sea, "
                                 "second day.zip", 30000000);
  ssync_upload_request_add_file (request, "Minutes of the meeting of the garden club, "
                                 "November.odt", 40000);
  ssync_upload_request_add_file (request, "IMG_20260714_183012_HDR_panorama_of_the_harbour_"
                                 "at_sunset_final.jpg", 4000000);
  ssync_upload_request_add_file (request, "VID_20260714_183512_the_boats_coming_in.mp4",
                                 90000000);
  wait_until (fixture, prompt_fits, window, "the prompt grows with its files");
  save_picture (fixture, window, "window-prompt-grown.png");
  ssync_upload_request_decline (request);
  wait_until (fixture, prompt_is_gone, NULL, "the prompt closes");
}

/* Opens the options menu of @row's card; its items as a person sees them. */
static GtkWidget *
open_options_menu (Fixture       *fixture,
                   SsyncShareRow *row)
{
  GtkMenuButton *button;
  GtkWidget *popover;

  /* The first menu button is the QR code's; the options are the next one. */
  button = GTK_MENU_BUTTON (ssync_ui_test_find_widget (GTK_WIDGET (row), GTK_TYPE_MENU_BUTTON));
  button = GTK_MENU_BUTTON (gtk_widget_get_next_sibling (GTK_WIDGET (button)));
  g_assert_nonnull (gtk_menu_button_get_menu_model (button));
  gtk_menu_button_popup (button);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (button));
  wait_until (fixture, is_drawn, popover, "the menu opens");
  return popover;
}

/* The options menu names what the dialog sets: a receive share has no download limit. */
static void
test_options_menu_item (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->files);
  g_autofree char *path = write_file (fixture, "agenda.txt", 10);
  g_autoptr(SsyncShare) sent = add_share (fixture, path);
  g_autoptr(SsyncShare) received = NULL;
  const struct { SsyncShare **share; const char *shown, *hidden; } cases[] = {
    { &sent, "Password, Expiry and Limit…", "Password and Expiry…" },
    { &received, "Password and Expiry…", "Password, Expiry and Limit…" },
  };

  ssync_session_add_receive_share_async (fixture->session, folder, NULL, on_receive_share_added,
                                         &received);
  wait_until (fixture, share_is_set, &received, "the receive share is added");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *popover;

      wait_until (fixture, has_row_for, *cases[i].share, "the row shows");
      popover = open_options_menu (fixture, row_for (fixture, *cases[i].share));
      g_assert_nonnull (find_label (popover, cases[i].shown));
      g_assert_null (find_label (popover, cases[i].hidden));
      if (i == 1)
        {
          /* Nothing to send on or push from a receive share either. */
          g_assert_null (find_label (popover, "Send To a Device Nearby…"));
          g_assert_null (find_label (popover, "Delete From the Cloud"));
          save_picture (fixture, popover, "window-receive-options-menu.png");
        }
      gtk_popover_popdown (GTK_POPOVER (popover));
    }
}

/* Whether the menu item labelled @label in @popover can be chosen. */
static gboolean
item_is_enabled (GtkWidget  *popover,
                 const char *label)
{
  GtkWidget *text = find_label (popover, label);

  g_assert_nonnull (text);
  return gtk_widget_is_sensitive (text);
}

/* The preferences, a window of their own before libadwaita 1.5, a dialog inside ours since. */
static GtkWidget *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);
      GtkWidget *found = SSYNC_IS_PREFERENCES_WINDOW (window)
                         ? window
                         : ssync_ui_test_find_widget (window, SSYNC_TYPE_PREFERENCES_WINDOW);

      if (found != NULL && gtk_widget_get_mapped (found))
        return found;
    }
  return NULL;
}

static gboolean
preferences_show (Fixture       *fixture,
                  gconstpointer  data)
{
  return find_preferences () != NULL;
}

static GObject *
visible_preferences_page (GtkWidget *preferences)
{
#if ADW_CHECK_VERSION (1, 5, 0)
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  return G_OBJECT (adw_preferences_dialog_get_visible_page (ADW_PREFERENCES_DIALOG (preferences)));
  G_GNUC_END_IGNORE_DEPRECATIONS
#else
  return G_OBJECT (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (preferences)));
#endif
}

/* The cloud items say what can be done: without cloud settings "Set Up Cloud Storage…" opens
 * the preferences at their cloud page instead of a push that can only fail; "Delete From the
 * Cloud" can be chosen once something was pushed. */
static void
test_cloud_menu (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "report.pdf", 1000);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  GtkWidget *popover;
  GtkWidget *preferences;

  wait_until (fixture, has_row_for, share, "the row shows");
  popover = open_options_menu (fixture, row_for (fixture, share));
  g_assert_nonnull (find_label (popover, "Set Up Cloud Storage…"));
  g_assert_null (find_label (popover, "Push to the Cloud"));
  g_assert_false (item_is_enabled (popover, "Delete From the Cloud"));
  save_picture (fixture, popover, "window-cloud-menu.png");
  gtk_popover_popdown (GTK_POPOVER (popover));

  g_signal_emit_by_name (ssync_session_get_pusher (fixture->session), "pushed", share,
                         "report.pdf", "shares/report.pdf", "http://127.0.0.1:9/b/report.pdf",
                         g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC);
  g_object_set (ssync_session_get_config (fixture->session), "s3-endpoint",
                "http://127.0.0.1:9", NULL);
  popover = open_options_menu (fixture, row_for (fixture, share));
  g_assert_nonnull (find_label (popover, "Push to the Cloud"));
  g_assert_null (find_label (popover, "Set Up Cloud Storage…"));
  g_assert_true (item_is_enabled (popover, "Delete From the Cloud"));
  gtk_popover_popdown (GTK_POPOVER (popover));
  /* An endpoint alone is not enough: the push says so and offers the settings. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (fixture, share)), "share.push",
                                             NULL));
  wait_until (fixture, shows_toast, "Cloud storage is not set up yet", "the toast shows");
  g_assert_nonnull (find_button (GTK_WIDGET (fixture->window), "Set Up…"));

  g_object_set (ssync_session_get_config (fixture->session), "s3-endpoint", NULL, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (fixture, share)),
                                             "share.set-up-cloud", NULL));
  wait_until (fixture, preferences_show, NULL, "the preferences open");
  preferences = find_preferences ();
  g_assert_true (visible_preferences_page (preferences) ==
                 gtk_widget_get_template_child (preferences, SSYNC_TYPE_PREFERENCES_WINDOW,
                                                "cloud_page"));
  save_picture (fixture, GTK_WIDGET (gtk_widget_get_root (preferences)),
                "window-set-up-cloud.png");
  ssync_preferences_window_close (SSYNC_PREFERENCES_WINDOW (preferences));
}

static gboolean
share_is_revoked (Fixture       *fixture,
                  gconstpointer  share)
{
  return ssync_share_get_state ((SsyncShare *) share, g_get_real_time ()) ==
         SSYNC_SHARE_STATE_REVOKED;
}

/* "Stop Sharing" takes the card away at once; the link works until its toast goes (Undo is
 * offered meanwhile), then the share ends and leaves the session. */
static void
test_stop_sharing (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "photo.jpg", 1000);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  g_autofree char *status = NULL;

  wait_until (fixture, has_row_for, share, "the row shows");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (fixture, share)),
                                             "share.stop", NULL));
  wait_until (fixture, has_n_rows, GUINT_TO_POINTER (0), "the row goes");
  g_assert_true (ssync_window_is_empty_visible (fixture->window));
  wait_until (fixture, shows_toast, "Stopped sharing “photo.jpg”", "the toast shows");
  g_assert_nonnull (find_button (GTK_WIDGET (fixture->window), "Undo"));
  status = fetch_status_line (fixture, share);
  g_assert_cmpstr (status, ==, "HTTP/1.1 200 OK");

  wait_until (fixture, share_is_revoked, share, "the toast goes and the share ends");
  g_assert_cmpuint (g_list_model_get_n_items (ssync_session_get_shares (fixture->session)), ==, 0);
  g_assert_true (ssync_window_is_empty_visible (fixture->window));
}

/* "Undo" in the toast brings the card back with the same link, which never stopped working. */
static void
test_stop_undo (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "photo.jpg", 1000);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  g_autofree char *url = ssync_session_dup_share_url (fixture->session, share);
  g_autofree char *status = NULL;
  GtkWidget *undo;

  wait_until (fixture, has_row_for, share, "the row shows");
  gtk_widget_activate_action (GTK_WIDGET (row_for (fixture, share)), "share.stop", NULL);
  wait_until (fixture, shows_toast, "Stopped sharing “photo.jpg”", "the toast shows");
  undo = find_button (GTK_WIDGET (fixture->window), "Undo");
  g_assert_nonnull (undo);
  save_picture (fixture, GTK_WIDGET (fixture->window), "window-stop-undo.png");
  g_signal_emit_by_name (undo, "clicked");

  wait_until (fixture, has_row_for, share, "the row comes back");
  g_assert_cmpstr (ssync_share_row_get_url (row_for (fixture, share)), ==, url);
  g_assert_false (ssync_share_row_get_ended (row_for (fixture, share)));
  g_assert_cmpint (ssync_share_get_state (share, g_get_real_time ()), ==,
                   SSYNC_SHARE_STATE_ACTIVE);
  status = fetch_status_line (fixture, share);
  g_assert_cmpstr (status, ==, "HTTP/1.1 200 OK");
  g_assert_cmpuint (g_list_model_get_n_items (ssync_session_get_shares (fixture->session)), ==, 1);
}

static gboolean
row_is_ended (Fixture       *fixture,
              gconstpointer  share)
{
  SsyncShareRow *row = row_for (fixture, (SsyncShare *) share);

  return row != NULL && ssync_share_row_get_ended (row);
}

static gboolean
has_other_share (Fixture       *fixture,
                 gconstpointer  share)
{
  GListModel *shares = ssync_session_get_shares (fixture->session);
  g_autoptr(SsyncShare) first = NULL;

  if (g_list_model_get_n_items (shares) != 1)
    return FALSE;
  first = g_list_model_get_item (shares, 0);
  return first != share;
}

/* The card as a person sees it, light and dark. */
static void
save_pictures (Fixture    *fixture,
               const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *light = g_strdup_printf ("%s-light.png", name);
  g_autofree char *dark = g_strdup_printf ("%s-dark.png", name);

  save_picture (fixture, GTK_WIDGET (fixture->window), light);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  save_picture (fixture, GTK_WIDGET (fixture->window), dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* The download that spends the limit turns the card into its ended state at once: why it
 * ended, no link, "Share Again"; the card stays after the share leaves the session, and
 * "Share Again" puts the same file under a new link in its place. */
static void
test_ended_limit (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "budget.ods", 1000);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  g_autofree char *url = ssync_session_dup_share_url (fixture->session, share);
  g_autofree char *request = NULL;
  g_autoptr(Exchange) exchange = NULL;
  g_autoptr(SsyncShare) again = NULL;
  SsyncShareRow *row;

  ssync_share_set_max_downloads (share, 1);
  wait_until (fixture, has_row_for, share, "the row shows");
  g_assert_false (ssync_share_row_get_ended (row_for (fixture, share)));
  request = g_strdup_printf ("GET /s/%s/f/0/budget.ods HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\n\r\n", ssync_share_get_token (share));
  exchange = start_exchange (fixture, request);

  wait_until (fixture, row_is_ended, share, "the card shows the share ended");
  /* Ended at once, not at the next sweep (every 30 s). */
  wait_until (fixture, has_n_shares, GUINT_TO_POINTER (0), "the share ends");
  wait_until (fixture, row_is_ended, share, "the card stays, ended");
  row = row_for (fixture, share);
  g_assert_nonnull (find_label (GTK_WIDGET (row),
                                "Ended: its download limit was reached (1 download)"));
  g_assert_null (find_label (GTK_WIDGET (row), url));
  g_assert_nonnull (find_button (GTK_WIDGET (row), "Share Again"));
  g_assert_null (find_button (GTK_WIDGET (row), "Stop Sharing"));
  assert_buttons_labelled (GTK_WIDGET (row));
  save_pictures (fixture, "window-share-ended");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "share.again", NULL));
  wait_until (fixture, has_other_share, share, "the files are shared again");
  again = g_list_model_get_item (ssync_session_get_shares (fixture->session), 0);
  g_assert_cmpstr (ssync_share_get_name (again), ==, "budget.ods");
  g_assert_cmpstr (ssync_share_get_token (again), !=, ssync_share_get_token (share));
  wait_until (fixture, has_row_for, again, "the new card shows");
  wait_until (fixture, has_n_rows, GUINT_TO_POINTER (1), "the ended card goes");
  g_assert_false (ssync_share_row_get_ended (row_for (fixture, again)));
}

static gboolean
has_no_links (Fixture       *fixture,
              gconstpointer  links)
{
  return g_list_model_get_n_items ((GListModel *) links) == 0;
}

/* An expired share's card says so and stays until dismissed. */
static void
test_ended_expired (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "poster.png", 100);
  g_autoptr(SsyncShare) share = NULL;
  SsyncShareRow *row;
  GtkWidget *details;

  g_object_set (ssync_session_get_config (fixture->session), "default-lifetime",
                (gint64) 1, NULL);
  share = add_share (fixture, path);
  g_signal_emit_by_name (ssync_session_get_pusher (fixture->session), "pushed", share,
                         "poster.png", "shares/poster.png", "http://127.0.0.1:9/b/poster.png",
                         ssync_share_get_expires (share));
  wait_until (fixture, has_n_shares, GUINT_TO_POINTER (0), "the share expires");
  wait_until (fixture, row_is_ended, share, "the card shows the share ended");
  /* Its cloud copies went with it: the card lists no link that stopped working. */
  wait_until (fixture, has_no_links, ssync_session_get_pushed_links (fixture->session, share),
              "the cloud links go");
  row = row_for (fixture, share);
  details = ssync_ui_test_find_widget (GTK_WIDGET (row), GTK_TYPE_LABEL);
  g_assert_nonnull (details);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (gtk_widget_get_next_sibling (details))),
                                   "Ended: it expired at "));
  g_assert_false (ssync_window_is_empty_visible (fixture->window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "share.dismiss", NULL));
  wait_until (fixture, has_n_rows, GUINT_TO_POINTER (0), "the card goes");
  g_assert_true (ssync_window_is_empty_visible (fixture->window));
}

/* Root reads any file whatever its permissions: while not @as_root, this process (every
 * thread of it: glibc's seteuid() applies to all) acts as "nobody", as a user's ShareSync
 * never could read such a file either. */
static void
act_as_root (Fixture  *fixture,
             gboolean  as_root)
{
  if (getuid () != 0)
    return;
  if (!as_root)
    {
      /* Nobody may look into the test's folders, only not at the file itself. */
      g_assert_no_errno (g_chmod (fixture->dir, 0711));
      g_assert_no_errno (g_chmod (fixture->files, 0711));
    }
  g_assert_no_errno (seteuid (as_root ? 0 : 65534));
}

static void
on_share_refused (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(SsyncShare) share = NULL;

  share = ssync_session_add_share_finish (SSYNC_SESSION (source), result, error);
  g_assert_null (share);
  g_assert_nonnull (*error);
}

static gboolean
error_is_set (Fixture       *fixture,
              gconstpointer  data)
{
  return *(GError *const *) data != NULL;
}

/* A file that cannot be read is refused when the share is made, by name and why: the
 * session's error is what the command line prints, the window shows it in a toast. */
static void
test_unreadable_file (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "salaries.ods", 100);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *expected = g_strdup_printf ("cannot read %s: permission denied", path);
  g_autoptr(GError) error = NULL;
  GtkWidget *details;
  GtkWidget *dialog;

  g_assert_no_errno (g_chmod (path, 0));
  act_as_root (fixture, FALSE);
  ssync_session_add_share_async (fixture->session, &file, 1, NULL, on_share_refused, &error);
  wait_until (fixture, error_is_set, &error, "the share is refused");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, expected);

  /* The toast has room for what failed; its button shows which file and why, whole. */
  ssync_window_share_files (fixture->window, &file, 1);
  wait_until (fixture, shows_toast, "Could not share", "the toast says the share failed");
  act_as_root (fixture, TRUE);
  save_picture (fixture, GTK_WIDGET (fixture->window), "window-unreadable-file.png");
  details = find_button (GTK_WIDGET (fixture->window), "Details");
  g_assert_nonnull (details);
  g_signal_emit_by_name (details, "clicked");
  wait_until (fixture, prompt_shows, NULL, "the details show");
  dialog = find_prompt ();
  g_assert_cmpstr (ssync_alert_get_heading (SSYNC_ALERT (dialog)), ==, "Could not share");
  g_assert_cmpstr (ssync_alert_get_body (SSYNC_ALERT (dialog)) + 1, ==, expected + 1);
  g_assert_true (g_str_has_prefix (ssync_alert_get_body (SSYNC_ALERT (dialog)), "Cannot read "));
  save_picture (fixture, GTK_WIDGET (gtk_widget_get_root (dialog)),
                "window-unreadable-file-details.png");
  ssync_alert_close (SSYNC_ALERT (dialog));
  wait_until (fixture, prompt_is_gone, NULL, "the details close");
  g_assert_cmpuint (g_list_model_get_n_items (ssync_session_get_shares (fixture->session)), ==, 0);
  g_assert_true (ssync_window_is_empty_visible (fixture->window));
  g_assert_no_errno (g_chmod (path, 0600));
}

/* A window closed while its "Stop Sharing" toast still offers Undo ends the share: what the
 * user asked for happens, and nothing calls back into the window that went. */
static void
test_stop_then_close (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "photo.jpg", 1000);
  g_autoptr(SsyncShare) share = add_share (fixture, path);
  SsyncWindow *second = g_object_ref (ssync_window_new (NULL, fixture->session));
  Fixture other = *fixture;

  other.window = second;
  gtk_window_present (GTK_WINDOW (second));
  wait_until (&other, window_is_mapped, NULL, "the second window shows");
  wait_until (&other, has_row_for, share, "its row shows");
  gtk_widget_activate_action (GTK_WIDGET (row_for (&other, share)), "share.stop", NULL);
  wait_until (&other, shows_toast, "Stopped sharing “photo.jpg”", "the toast shows");
  g_assert_cmpint (ssync_share_get_state (share, g_get_real_time ()), ==,
                   SSYNC_SHARE_STATE_ACTIVE);

  gtk_window_destroy (GTK_WINDOW (second));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (second);
  g_assert_cmpint (ssync_share_get_state (share, g_get_real_time ()), ==,
                   SSYNC_SHARE_STATE_REVOKED);
  g_assert_cmpuint (g_list_model_get_n_items (ssync_session_get_shares (fixture->session)), ==, 0);
}

/* A receive share that expired is shared again into the same folder, under a new link. */
static void
test_receive_again (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->files);
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(SsyncShare) again = NULL;

  g_object_set (ssync_session_get_config (fixture->session), "default-lifetime",
                (gint64) 1, NULL);
  ssync_session_add_receive_share_async (fixture->session, folder, NULL, on_receive_share_added,
                                         &share);
  wait_until (fixture, share_is_set, &share, "the receive share is added");
  wait_until (fixture, row_is_ended, share, "the card shows the share ended");
  wait_until (fixture, has_n_shares, GUINT_TO_POINTER (0), "the share leaves the session");
  g_object_set (ssync_session_get_config (fixture->session), "default-lifetime",
                (gint64) 0, NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_for (fixture, share)),
                                             "share.again", NULL));
  wait_until (fixture, has_other_share, share, "the folder receives again");
  again = g_list_model_get_item (ssync_session_get_shares (fixture->session), 0);
  g_assert_cmpint (ssync_share_get_kind (again), ==, SSYNC_SHARE_KIND_RECEIVE);
  g_assert_true (g_file_equal (ssync_share_get_folder (again), folder));
  g_assert_cmpstr (ssync_share_get_token (again), !=, ssync_share_get_token (share));
  wait_until (fixture, has_n_rows, GUINT_TO_POINTER (1), "the ended card goes");
  g_assert_nonnull (row_for (fixture, again));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("ssync-ui-home-XXXXXX", &error);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *dirs = g_build_filename (config, "user-dirs.dirs", NULL);
  g_autofree char *dirs_text = NULL;
  int status;

  /* GLib reads the Downloads folder from user-dirs.dirs once: point it at a folder of ours
   * before anything asks. */
  g_assert_no_error (error);
  downloads = g_build_filename (home, "Downloads", NULL);
  g_assert_no_errno (g_mkdir_with_parents (config, 0700));
  g_assert_no_errno (g_mkdir_with_parents (downloads, 0700));
  dirs_text = g_strdup_printf ("XDG_DOWNLOAD_DIR=\"%s\"\n", downloads);
  g_file_set_contents (dirs, dirs_text, -1, &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", SSYNC_SCHEMAS_DIR, FALSE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* What GtkApplication loads for the app, so that the screenshots show what users see. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/sharesync/ShareSync/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ui/window/empty-state", test_empty_state);
  ADD ("/ui/window/session-share-shows-link", test_session_share_shows_link);
  ADD ("/ui/window/receive-share-shows-link", test_receive_share_shows_link);
  ADD ("/ui/window/drop-creates-share", test_drop_creates_share);
  ADD ("/ui/window/paste-creates-share", test_paste_creates_share);
  ADD ("/ui/window/copy-link", test_copy_link);
  ADD ("/ui/window/stop-sharing", test_stop_sharing);
  ADD ("/ui/window/stop-undo", test_stop_undo);
  ADD ("/ui/window/stop-then-close", test_stop_then_close);
  ADD ("/ui/window/ended-limit", test_ended_limit);
  ADD ("/ui/window/ended-expired", test_ended_expired);
  ADD ("/ui/window/receive-again", test_receive_again);
  ADD ("/ui/window/download-progress", test_download_progress);
  ADD ("/ui/window/history-page", test_history_page);
  ADD ("/ui/window/receive-prompt", test_receive_prompt);
  ADD ("/ui/window/share-options", test_share_options);
  ADD ("/ui/window/push-to-cloud", test_push_to_cloud);
  ADD ("/ui/window/pushed-link-row", test_pushed_link_row);
  ADD ("/ui/window/toast-action", test_toast_action);
  ADD ("/ui/window/receive-from-link", test_receive_from_link);
  ADD ("/ui/window/prompt-grows", test_prompt_grows);
  ADD ("/ui/window/options-menu-item", test_options_menu_item);
  ADD ("/ui/window/cloud-menu", test_cloud_menu);
  ADD ("/ui/window/unreadable-file", test_unreadable_file);
#undef ADD
  g_test_add_func ("/ui/qr-paintable", test_qr_paintable);
  g_test_add_func ("/ui/shortcuts-title", test_shortcuts_title);

  status = g_test_run ();
  ssync_test_remove_tree (home);
  g_free (downloads);
  return status;
}
