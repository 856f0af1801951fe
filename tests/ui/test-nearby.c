/* test-nearby.c: the window's Nearby page under Xvfb: it starts Nearby when first shown and
 * says it is looking; a device that registers with the session's HTTPS server (as LocalSend
 * apps do) shows as a row with its name, type icon, address and short fingerprint; files
 * dropped on the row reach a stand-in LocalSend receiver, also when it asks for a PIN;
 * declined and busy answers are told in a toast. Trust: a device sending files for the first
 * time is asked about with "New device" and its short fingerprint, and "Always Accept From
 * This Device" or "Block" is kept; a row's menu trusts, blocks and forgets, and its tag
 * follows. Screenshots of the page go to SSYNC_TEST_OUTPUT (or the test's folder) as
 * nearby-empty.png, nearby-devices.png, nearby-trust.png, receive-prompt-new-device.png and
 * receive-prompt-unverified.png.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/socket.h>

#include "ssync-device-row.h"
#include "ssync-nearby-view.h"
#include "ssync-receive-prompt.h"
#include "ssync-test-server.h"
#include "ssync-tls-identity.h"
#include "ssync-ui-test.h"
#include "ssync-window.h"

#define WAIT_SECONDS 20
#define SESSION_ID "S1"

typedef struct {
  char *dir;
  char *files;
  SsyncSession *session;
  SsyncWindow *window;
  GPtrArray *toasts;      /* messages given to win.toast */

  /* The stand-in LocalSend receiver. */
  SsyncTlsIdentity *identity;
  SoupServer *server;
  guint port;
  guint prepare_status;
  const char *pin;
  GHashTable *received;   /* fileName → contents */
  GHashTable *names;      /* file id → fileName */
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture, gconstpointer data);

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

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
on_toast (GSimpleAction *action,
          GVariant      *parameter,
          GPtrArray     *toasts)
{
  g_ptr_array_add (toasts, g_variant_dup_string (parameter, NULL));
}

static gboolean
has_toast (Fixture       *fixture,
           gconstpointer  message)
{
  for (guint i = 0; i < fixture->toasts->len; i++)
    if (g_str_equal (g_ptr_array_index (fixture->toasts, i), message))
      return TRUE;
  return FALSE;
}

static void
answer_json (SoupServerMessage *msg,
             guint              status,
             const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  if (json != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                      strlen (json));
}

/* A LocalSend receiver reduced to what a send needs: prepare-upload hands out one token
 * per file, upload keeps the body. */
static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (g_str_equal (path, "/api/localsend/v2/prepare-upload"))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GString) answer = g_string_new ("{\"sessionId\":\"" SESSION_ID "\",\"files\":{");
      g_autoptr(GList) ids = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *files;

      if (fixture->pin != NULL &&
          (query == NULL || g_strcmp0 (g_hash_table_lookup (query, "pin"), fixture->pin) != 0))
        return answer_json (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      if (fixture->prepare_status != SOUP_STATUS_OK)
        return answer_json (msg, fixture->prepare_status, NULL);
      json_parser_load_from_data (parser, body->data, body->length, &error);
      g_assert_no_error (error);
      files = json_object_get_object_member (json_node_get_object (
                                               json_parser_get_root (parser)), "files");
      ids = json_object_get_members (files);
      for (GList *l = ids; l != NULL; l = l->next)
        {
          JsonObject *file = json_object_get_object_member (files, l->data);

          g_hash_table_insert (fixture->names, g_strdup (l->data),
                               g_strdup (json_object_get_string_member (file, "fileName")));
          g_string_append_printf (answer, "%s\"%s\":\"tok-%s\"", l != ids ? "," : "",
                                  (char *) l->data, (char *) l->data);
        }
      g_string_append (answer, "}}");
      answer_json (msg, SOUP_STATUS_OK, answer->str);
    }
  else if (g_str_equal (path, "/api/localsend/v2/upload") && query != NULL)
    {
      const char *name = g_hash_table_lookup (fixture->names,
                                              g_hash_table_lookup (query, "fileId"));

      g_assert_nonnull (name);
      g_hash_table_insert (fixture->received, g_strdup (name),
                           g_strndup (body->data, body->length));
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
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
  g_autofree char *stand_in_dir = NULL;
  g_autoptr(GSList) uris = NULL;
  GAction *toast;

  fixture->dir = g_dir_make_tmp ("ssync-ui-nearby-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->files = g_build_filename (fixture->dir, "files", NULL);
  data_dir = g_build_filename (fixture->dir, "data", NULL);
  stand_in_dir = g_build_filename (fixture->dir, "stand-in", NULL);
  g_assert_no_errno (g_mkdir_with_parents (fixture->files, 0700));
  g_assert_no_errno (g_mkdir_with_parents (data_dir, 0700));
  g_assert_no_errno (g_mkdir_with_parents (stand_in_dir, 0700));

  fixture->session = ssync_session_new (data_dir, &error);
  g_assert_no_error (error);
  /* Any free port: a LocalSend app or another test may have 53317. */
  g_object_set (ssync_session_get_config (fixture->session), "localsend-port", 0,
                "alias", "Test Desk", NULL);
  ssync_session_start (fixture->session, "127.0.0.1", 0, &error);
  g_assert_no_error (error);

  fixture->window = g_object_ref (ssync_window_new (NULL, fixture->session));
  gtk_window_present (GTK_WINDOW (fixture->window));
  wait_until (fixture, window_is_mapped, NULL, "the window shows");
  fixture->toasts = g_ptr_array_new_with_free_func (g_free);
  toast = g_action_map_lookup_action (G_ACTION_MAP (fixture->window), "toast");
  g_signal_connect (toast, "activate", G_CALLBACK (on_toast), fixture->toasts);

  fixture->identity = ssync_tls_identity_load_or_create (stand_in_dir, &error);
  g_assert_no_error (error);
  fixture->server = soup_server_new ("tls-certificate",
                                     ssync_tls_identity_get_certificate (fixture->identity),
                                     NULL);
  soup_server_add_handler (fixture->server, NULL, handle, fixture, NULL);
  soup_server_listen_local (fixture->server, 0,
                            SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  fixture->prepare_status = SOUP_STATUS_OK;
  fixture->received = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  GAction *toast = g_action_map_lookup_action (G_ACTION_MAP (fixture->window), "toast");

  g_signal_handlers_disconnect_by_data (toast, fixture->toasts);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fixture->window);

  ssync_session_shutdown (fixture->session);
  g_assert_finalize_object (fixture->session);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->identity);
  g_hash_table_unref (fixture->received);
  g_hash_table_unref (fixture->names);
  g_ptr_array_unref (fixture->toasts);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->files);
  g_free (fixture->dir);
}

static gboolean
nearby_started (Fixture       *fixture,
                gconstpointer  data)
{
  SsyncNearbyView *view = (SsyncNearbyView *) data;

  return ssync_session_get_nearby_port (fixture->session) != 0 ||
         g_strcmp0 (ssync_nearby_view_get_state (view), "error") == 0;
}

static SsyncNearbyView *
show_nearby (Fixture *fixture)
{
  SsyncNearbyView *view = ssync_window_show_nearby (fixture->window);

  wait_until (fixture, nearby_started, view, "Nearby starts");
  g_assert_cmpstr (ssync_nearby_view_get_state (view), !=, "error");
  return view;
}

static gboolean
is_true (Fixture       *fixture,
         gconstpointer  data)
{
  return *(const gboolean *) data;
}

static gboolean
accept_any (SoupMessage          *msg,
            GTlsCertificate      *certificate,
            GTlsCertificateFlags  errors,
            gpointer              user_data)
{
  return TRUE;
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* What a LocalSend app does when it sees this computer's announcement. */
static void
register_device (Fixture    *fixture,
                 const char *alias,
                 const char *fingerprint,
                 const char *device_type,
                 const char *model,
                 guint       port)
{
  g_autoptr(SoupSession) client = soup_session_new ();
  g_autofree char *uri = g_strdup_printf ("https://127.0.0.1:%u/api/localsend/v2/register",
                                          ssync_session_get_nearby_port (fixture->session));
  g_autofree char *model_member = model != NULL ? g_strdup_printf ("\"deviceModel\":\"%s\",",
                                                                   model)
                                                 : g_strdup ("");
  g_autofree char *json = g_strdup_printf ("{\"alias\":\"%s\",\"version\":\"2.1\",%s"
                                           "\"deviceType\":\"%s\",\"fingerprint\":\"%s\","
                                           "\"port\":%u,\"protocol\":\"https\","
                                           "\"download\":false}",
                                           alias, model_member, device_type, fingerprint, port);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  gboolean done = FALSE;

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  soup_session_send_and_read_async (client, msg, G_PRIORITY_DEFAULT, NULL, on_registered,
                                    &done);
  wait_until (fixture, is_true, &done, "the device registered");
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
}

typedef struct {
  SsyncNearbyView *view;
  const char *fingerprint;
} RowQuery;

static gboolean
has_row (Fixture       *fixture,
         gconstpointer  data)
{
  const RowQuery *query = data;
  GtkWidget *row = ssync_nearby_view_find_row (query->view, query->fingerprint);

  return row != NULL && gtk_widget_get_mapped (row);
}

static SsyncDeviceRow *
wait_for_row (Fixture         *fixture,
              SsyncNearbyView *view,
              const char      *fingerprint)
{
  RowQuery query = { view, fingerprint };

  wait_until (fixture, has_row, &query, "the device's row shows");
  return SSYNC_DEVICE_ROW (ssync_nearby_view_find_row (view, fingerprint));
}

static gboolean
frame_drawn (Fixture       *fixture,
             gconstpointer  data)
{
  return *(const guint *) data >= 20;
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* The window as drawn now, as a PNG, for a person to look at. */
static GskRenderNode *
snapshot_content (GtkWidget *window)
{
  /* A toplevel draws itself only into its surface: the paintable takes its content. */
  GtkWidget *content = gtk_widget_get_first_child (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (content);
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (content),
                          gtk_widget_get_height (content));
  return gtk_snapshot_free_to_node (snapshot);
}

/* The window's content as drawn now, as a PNG, for a person to look at. */
static void
save_screenshot_of (Fixture    *fixture,
                    GtkWidget  *widget,
                    const char *name)
{
  const char *output = g_getenv ("SSYNC_TEST_OUTPUT");
  g_autofree char *folder = g_strdup (output != NULL ? output : fixture->dir);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  graphene_rect_t bounds;
  guint frames = 0;
  guint tick;

  /* Let the page's crossfade end and the rows lay out. */
  tick = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);
  wait_until (fixture, frame_drawn, &frames, "the window is drawn");
  gtk_widget_remove_tick_callback (widget, tick);
  while ((node = snapshot_content (widget)) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  gsk_render_node_get_bounds (node, &bounds);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &bounds);
  g_assert_no_errno (g_mkdir_with_parents (folder, 0700));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

static void
save_screenshot (Fixture    *fixture,
                 const char *name)
{
  save_screenshot_of (fixture, GTK_WIDGET (fixture->window), name);
}

static GtkWidget *find_label (GtkWidget  *widget,
                              const char *text);

/* Shown the first time, the page starts Nearby and says it is looking; "Look Again"
 * announces. Other ShareSyncs on this network may answer meanwhile: the page then lists
 * them, which is the other half of the same rule. */
static void
test_empty_state (Fixture       *fixture,
                  gconstpointer  data)
{
  SsyncNearbyView *view;
  GListModel *devices;

  g_assert_cmpuint (ssync_session_get_nearby_port (fixture->session), ==, 0);
  view = show_nearby (fixture);
  devices = ssync_session_get_nearby_devices (fixture->session);
  g_assert_cmpstr (ssync_nearby_view_get_state (view), ==,
                   g_list_model_get_n_items (devices) == 0 ? "looking" : "devices");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "nearby.look-again", NULL));
  if (g_list_model_get_n_items (devices) == 0)
    save_screenshot (fixture, "nearby-empty.png");
}

/* A device that registers shows with its name, type, address and short fingerprint. */
static void
test_device_appears (Fixture       *fixture,
                     gconstpointer  data)
{
  SsyncNearbyView *view = show_nearby (fixture);
  const char *fingerprint = "3F2A9C1B7D0E4F5A6B7C8D9E0F1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C";
  SsyncDeviceRow *row;
  GtkWidget *label;

  register_device (fixture, "Alice’s phone", fingerprint, "mobile", "Pixel 7", 53317);
  row = wait_for_row (fixture, view, fingerprint);
  g_assert_cmpstr (ssync_nearby_view_get_state (view), ==, "devices");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "Alice’s phone");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "127.0.0.1 · Pixel 7");
  label = find_label (GTK_WIDGET (row), "3F2A 9C1B 7D0E 4F5A");
  g_assert_nonnull (label);
  g_assert_true (g_str_has_suffix (gtk_widget_get_tooltip_text (label), fingerprint));
  g_assert_cmpstr (ssync_device_type_icon_name ("mobile"), ==, "phone-symbolic");
  g_assert_cmpstr (ssync_device_type_icon_name ("web"), ==, "web-browser-symbolic");
  g_assert_cmpstr (ssync_device_type_icon_name ("headless"), ==, "computer-symbolic");

  register_device (fixture, "Build server", "77AA00BB11CC22DD", "headless", NULL, 53317);
  row = wait_for_row (fixture, view, "77AA00BB11CC22DD");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "127.0.0.1");
  save_screenshot (fixture, "nearby-devices.png");
}

/* The label whose text starts with @text in @widget's tree. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), text))
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

static SsyncDeviceRow *
stand_in_row (Fixture *fixture)
{
  SsyncNearbyView *view = show_nearby (fixture);
  const char *fingerprint = ssync_tls_identity_get_fingerprint (fixture->identity);

  register_device (fixture, "Stand-in", fingerprint, "desktop", NULL, fixture->port);
  return wait_for_row (fixture, view, fingerprint);
}

static void
drop_file (Fixture        *fixture,
           SsyncDeviceRow *row,
           const char     *name,
           const char     *contents)
{
  g_autofree char *path = g_build_filename (fixture->files, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = find_drop_target (GTK_WIDGET (row));
  g_autoptr(GError) error = NULL;
  gboolean accepted = FALSE;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (target);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (&file, 1));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
}

/* Files dropped on a device's row are sent to it; the toast says so at the end. */
static void
test_drop_sends (Fixture       *fixture,
                 gconstpointer  data)
{
  SsyncDeviceRow *row = stand_in_row (fixture);

  drop_file (fixture, row, "notes.txt", "Hello, nearby");
  g_assert_true (ssync_device_row_is_sending (row));
  wait_until (fixture, has_toast, "Sent 1 file to Stand-in", "the file is sent");
  g_assert_cmpstr (g_hash_table_lookup (fixture->received, "notes.txt"), ==, "Hello, nearby");
  g_assert_false (ssync_device_row_is_sending (row));
}

/* The visible dialog of @type, if one shows. */
static GtkWidget *
find_dialog (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static GtkWidget *
find_pin_dialog (void)
{
  return find_dialog (SSYNC_TYPE_ALERT);
}

/* Whether a dialog of the GType at @type shows. */
static gboolean
shows_dialog (Fixture       *fixture,
              gconstpointer  type)
{
  return find_dialog (*(const GType *) type) != NULL;
}

/* A receiver that wants a PIN gets one asked of the user, then the same files with it. */
static void
test_pin (Fixture       *fixture,
          gconstpointer  data)
{
  SsyncDeviceRow *row = stand_in_row (fixture);
  GType type = SSYNC_TYPE_ALERT;
  GtkWidget *dialog;

  fixture->pin = "4321";
  drop_file (fixture, row, "secret.txt", "for your eyes");
  wait_until (fixture, shows_dialog, &type, "the PIN is asked for");
  dialog = find_pin_dialog ();
  save_screenshot_of (fixture, dialog, "nearby-pin.png");
  gtk_editable_set_text (GTK_EDITABLE (ssync_alert_get_extra_child (
                                         SSYNC_ALERT (dialog))), "4321");
  ssync_alert_response (SSYNC_ALERT (dialog), "send");
  ssync_alert_close (SSYNC_ALERT (dialog));
  wait_until (fixture, has_toast, "Sent 1 file to Stand-in", "the file is sent with the PIN");
  g_assert_cmpstr (g_hash_table_lookup (fixture->received, "secret.txt"), ==, "for your eyes");
}

/* Declined and busy receivers are told apart in plain words. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  SsyncDeviceRow *row = stand_in_row (fixture);

  fixture->prepare_status = SOUP_STATUS_FORBIDDEN;
  drop_file (fixture, row, "a.txt", "a");
  wait_until (fixture, has_toast, "“Stand-in” declined the files", "the decline is told");
  fixture->prepare_status = SOUP_STATUS_CONFLICT;
  drop_file (fixture, row, "b.txt", "b");
  wait_until (fixture, has_toast, "“Stand-in” is busy receiving other files: try again later",
              "the busy answer is told");
  g_assert_cmpuint (g_hash_table_size (fixture->received), ==, 0);
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
is_set (Fixture       *fixture,
        gconstpointer  data)
{
  return *(gpointer const *) data != NULL;
}

/* The send-to dialog's row for the stand-in: other ShareSyncs on this network (other tests
 * running at the same time) may be listed too, even first. */
static GtkListBoxRow *
stand_in_choice (GtkWidget *list_box)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), i)) != NULL; i++)
    if (find_label (GTK_WIDGET (row), "Stand-in") != NULL)
      return row;
  return NULL;
}

static gboolean
has_device_choice (Fixture       *fixture,
                   gconstpointer  list_box)
{
  return stand_in_choice ((GtkWidget *) list_box) != NULL;
}

/* "Send To…" of a share card starts Nearby when the page was never shown, lists the devices
 * as they come, and sends the share's files to the one picked. */
static void
test_send_share_to (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->files, "report.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;
  GtkWidget *list_box;

  g_file_set_contents (path, "quarterly", -1, &error);
  g_assert_no_error (error);
  ssync_session_add_share_async (fixture->session, &file, 1, NULL, on_share_added, &share);
  wait_until (fixture, is_set, &share, "the file is shared");

  g_assert_cmpuint (ssync_session_get_nearby_port (fixture->session), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-share-to",
                                             "s", ssync_share_get_id (share)));
  dialog = ssync_window_send_share_to (fixture->window, ssync_share_get_id (share));
  g_assert_nonnull (dialog);
  list_box = ssync_ui_test_find_widget (dialog, GTK_TYPE_LIST_BOX);
  g_assert_nonnull (list_box);
  g_assert_false (has_device_choice (fixture, list_box));

  show_nearby (fixture);
  register_device (fixture, "Stand-in", ssync_tls_identity_get_fingerprint (fixture->identity),
                   "desktop", NULL, fixture->port);
  wait_until (fixture, has_device_choice, list_box, "the device is offered");
  save_screenshot_of (fixture, dialog, "nearby-send-to.png");
  g_signal_emit_by_name (list_box, "row-activated", stand_in_choice (list_box));
  wait_until (fixture, has_toast, "Sent 1 file to Stand-in", "the share is sent");
  g_assert_cmpstr (g_hash_table_lookup (fixture->received, "report.txt"), ==, "quarterly");

  /* The first dialog, opened through the action, is still there. */
  for (GtkWidget *other; (other = find_pin_dialog ()) != NULL;)
    gtk_window_destroy (GTK_WINDOW (other));
}

typedef struct {
  const char *fingerprint;
  guint heard;            /* announcements of this session heard */
} Listener;

static gboolean
on_datagram (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  Listener *listener = user_data;
  char buffer[4096];
  gssize length = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, NULL);

  if (length > 0)
    {
      buffer[length] = '\0';
      if (strstr (buffer, listener->fingerprint) != NULL && strstr (buffer, "\"announce\":true"))
        listener->heard++;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
heard_at_least (Fixture       *fixture,
                gconstpointer  data)
{
  const Listener *listener = data;

  return listener->heard >= 2;
}

static void
run_for (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;
  guint tick = g_timeout_add (20, wake_up, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

/* The page announces this computer when it shows and then every interval while it shows;
 * hidden, it announces nothing (it still answers). Heard on the LocalSend group, as another
 * device on the LAN hears it. */
static void
test_announces_while_shown (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string ("224.0.0.167");
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (any, 53317);
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  Listener listener = { NULL, 0 };

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  g_assert_no_error (error);
  g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, local, TRUE, &error);
  g_assert_no_error (error);
  g_socket_join_multicast_group (socket, group, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_datagram), &listener, NULL);
  g_source_attach (source, NULL);

  g_object_set (ssync_session_get_config (fixture->session), "announce-interval", 1, NULL);
  show_nearby (fixture);
  listener.fingerprint = ssync_session_get_nearby_fingerprint (fixture->session);
  /* The start's announcement, then one each second. */
  run_for (2500);
  g_assert_cmpuint (listener.heard, >=, 2);

  ssync_window_show_history (fixture->window);
  run_for (300);
  listener.heard = 0;
  run_for (3000);
  g_assert_cmpuint (listener.heard, ==, 0);

  show_nearby (fixture);
  wait_until (fixture, heard_at_least, &listener, "the page announces again");
  g_source_destroy (source);
}

#define TRUST_FP "3F2A9C1B7D0E4F5A6B7C8D9E0F1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C"
#define OTHER_FP "77AA00BB11CC22DD33EE44FF5566778899AABBCCDDEEFF00112233445566778A"

typedef struct {
  SoupSession *client;
  SoupMessage *msg;
  gboolean done;
} Prepare;

/* Files go to this computer's Nearby receiver, which then asks in the window. */
static void
receive_into_inbox (Fixture *fixture)
{
  g_autofree char *inbox = g_build_filename (fixture->dir, "inbox", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (inbox);

  g_assert_no_errno (g_mkdir_with_parents (inbox, 0700));
  ssync_session_set_nearby_receive_folder (fixture->session, folder, FALSE);
}

/* What a LocalSend app sends first: who it is and which files, to be asked about. Its info
 * names @port, where a trusted fingerprint is checked by calling back. */
static Prepare *
prepare_upload (Fixture    *fixture,
                const char *alias,
                const char *fingerprint,
                guint       port)
{
  Prepare *prepare = g_new0 (Prepare, 1);
  g_autofree char *uri =
    g_strdup_printf ("https://127.0.0.1:%u/api/localsend/v2/prepare-upload",
                     ssync_session_get_nearby_port (fixture->session));
  g_autofree char *json =
    g_strdup_printf ("{\"info\":{\"alias\":\"%s\",\"version\":\"2.1\",\"deviceType\":\"mobile\","
                     "\"fingerprint\":\"%s\",\"port\":%u,\"protocol\":\"https\","
                     "\"download\":false},\"files\":{\"a\":{\"id\":\"a\",\"fileName\":"
                     "\"holiday.jpg\",\"size\":1234567,\"fileType\":\"image/jpeg\"}}}",
                     alias, fingerprint, port);
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

  prepare->client = soup_session_new ();
  prepare->msg = soup_message_new ("POST", uri);
  soup_message_set_request_body_from_bytes (prepare->msg, "application/json", bytes);
  g_signal_connect (prepare->msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  soup_session_send_and_read_async (prepare->client, prepare->msg, G_PRIORITY_DEFAULT, NULL,
                                    on_registered, &prepare->done);
  return prepare;
}

static guint
prepare_wait (Fixture *fixture,
              Prepare *prepare)
{
  guint status;

  wait_until (fixture, is_true, &prepare->done, "the prepare-upload is answered");
  status = soup_message_get_status (prepare->msg);
  g_object_unref (prepare->msg);
  g_object_unref (prepare->client);
  g_free (prepare);
  return status;
}

static GtkWidget *
find_receive_prompt (void)
{
  return find_dialog (SSYNC_TYPE_RECEIVE_PROMPT);
}

static GtkWidget *
wait_for_prompt (Fixture *fixture)
{
  GType type = SSYNC_TYPE_RECEIVE_PROMPT;

  wait_until (fixture, shows_dialog, &type, "the receive prompt shows");
  return find_receive_prompt ();
}

/* Whether @dialog shows a label starting with @text. */
static gboolean
prompt_says (GtkWidget  *dialog,
             const char *text)
{
  GtkWidget *label = find_label (dialog, text);

  return label != NULL && gtk_widget_is_visible (label);
}

/* Whether @widget's tree shows a visible image of @icon_name whose tooltip is @tooltip. */
static gboolean
shows_icon (GtkWidget  *widget,
            const char *icon_name,
            const char *tooltip)
{
  if (GTK_IS_IMAGE (widget) && gtk_widget_is_visible (widget) &&
      g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (widget)), icon_name) == 0 &&
      g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_icon (child, icon_name, tooltip))
      return TRUE;
  return FALSE;
}

/* A device sending for the first time is "New device" with its type and the short
 * fingerprint the user can compare; "Always Accept From This Device" keeps it trusted. */
static void
test_prompt_always_accept (Fixture       *fixture,
                           gconstpointer  data)
{
  Prepare *prepare;
  GtkWidget *dialog;

  receive_into_inbox (fixture);
  show_nearby (fixture);
  g_assert_cmpint (ssync_session_get_device_trust (fixture->session, TRUST_FP), ==,
                   SSYNC_DEVICE_TRUST_UNKNOWN);
  prepare = prepare_upload (fixture, "Alice’s phone", TRUST_FP, 53317);
  dialog = wait_for_prompt (fixture);
  g_assert_cmpstr (ssync_alert_get_heading (SSYNC_ALERT (dialog)), ==,
                   "Accept Files From “Alice’s phone”?");
  g_assert_true (prompt_says (dialog, "New device"));
  g_assert_true (prompt_says (dialog, "3F2A 9C1B 7D0E 4F5A"));
  g_assert_true (shows_icon (dialog, "phone-symbolic", "Phone or tablet"));
  g_assert_false (prompt_says (dialog, "Could not verify"));
  g_assert_true (ssync_alert_has_response (SSYNC_ALERT (dialog), "always"));
  g_assert_true (ssync_alert_has_response (SSYNC_ALERT (dialog), "block"));
  save_screenshot_of (fixture, dialog, "receive-prompt-new-device.png");

  ssync_alert_response (SSYNC_ALERT (dialog), "always");
  g_assert_cmpuint (prepare_wait (fixture, prepare), ==, SOUP_STATUS_OK);
  g_assert_cmpint (ssync_session_get_device_trust (fixture->session, TRUST_FP), ==,
                   SSYNC_DEVICE_TRUST_TRUSTED);
}

static gboolean
prompt_gone (Fixture       *fixture,
             gconstpointer  data)
{
  return find_receive_prompt () == NULL;
}

/* "Block" refuses these files and keeps the device blocked: the next files are refused
 * without a question. */
static void
test_prompt_block (Fixture       *fixture,
                   gconstpointer  data)
{
  Prepare *prepare;
  GtkWidget *dialog;

  receive_into_inbox (fixture);
  show_nearby (fixture);
  prepare = prepare_upload (fixture, "Spammer", OTHER_FP, 53317);
  dialog = wait_for_prompt (fixture);
  ssync_alert_response (SSYNC_ALERT (dialog), "block");
  g_assert_cmpuint (prepare_wait (fixture, prepare), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpint (ssync_session_get_device_trust (fixture->session, OTHER_FP), ==,
                   SSYNC_DEVICE_TRUST_BLOCKED);
  wait_until (fixture, prompt_gone, NULL, "the prompt closes");

  prepare = prepare_upload (fixture, "Spammer", OTHER_FP, 53317);
  g_assert_cmpuint (prepare_wait (fixture, prepare), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_null (find_receive_prompt ());
}

/* A sender claiming a trusted fingerprint whose info (the stand-in, with another
 * certificate) does not prove it is asked about, with a warning. */
static void
test_prompt_unverified (Fixture       *fixture,
                        gconstpointer  data)
{
  Prepare *prepare;
  GtkWidget *dialog;

  receive_into_inbox (fixture);
  show_nearby (fixture);
  ssync_session_set_device_trust (fixture->session, TRUST_FP, "Alice’s phone", "mobile",
                                  SSYNC_DEVICE_TRUST_TRUSTED);
  prepare = prepare_upload (fixture, "Alice’s phone", TRUST_FP, fixture->port);
  dialog = wait_for_prompt (fixture);
  g_assert_true (prompt_says (dialog, "Could not verify this device"));
  g_assert_false (prompt_says (dialog, "New device"));
  g_assert_false (ssync_alert_has_response (SSYNC_ALERT (dialog), "always"));
  g_assert_cmpstr (ssync_alert_get_default_response (SSYNC_ALERT (dialog)), ==,
                   "decline");
  save_screenshot_of (fixture, dialog, "receive-prompt-unverified.png");
  ssync_alert_response (SSYNC_ALERT (dialog), "decline");
  g_assert_cmpuint (prepare_wait (fixture, prepare), ==, SOUP_STATUS_FORBIDDEN);
  /* A plain answer keeps what was decided before. */
  g_assert_cmpint (ssync_session_get_device_trust (fixture->session, TRUST_FP), ==,
                   SSYNC_DEVICE_TRUST_TRUSTED);
}

/* The tag a row shows: "Trusted", "Blocked" or none (NULL). */
static const char *
row_tag (SsyncDeviceRow *row)
{
  if (find_label (GTK_WIDGET (row), "Trusted") != NULL &&
      gtk_widget_is_visible (find_label (GTK_WIDGET (row), "Trusted")))
    return "Trusted";
  if (find_label (GTK_WIDGET (row), "Blocked") != NULL &&
      gtk_widget_is_visible (find_label (GTK_WIDGET (row), "Blocked")))
    return "Blocked";
  return NULL;
}

/* The row's menu trusts, blocks and forgets; the tag follows, also when the decision comes
 * from elsewhere. */
static void
test_row_trust (Fixture       *fixture,
                gconstpointer  data)
{
  SsyncNearbyView *view = show_nearby (fixture);
  SsyncDeviceRow *alice;
  SsyncDeviceRow *other;

  register_device (fixture, "Alice’s phone", TRUST_FP, "mobile", "Pixel 7", 53317);
  register_device (fixture, "Unknown laptop", OTHER_FP, "desktop", NULL, 53317);
  alice = wait_for_row (fixture, view, TRUST_FP);
  other = wait_for_row (fixture, view, OTHER_FP);
  g_assert_null (row_tag (alice));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (alice), "device.trust", NULL));
  g_assert_cmpint (ssync_session_get_device_trust (fixture->session, TRUST_FP), ==,
                   SSYNC_DEVICE_TRUST_TRUSTED);
  g_assert_cmpstr (row_tag (alice), ==, "Trusted");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (other), "device.block", NULL));
  g_assert_cmpint (ssync_session_get_device_trust (fixture->session, OTHER_FP), ==,
                   SSYNC_DEVICE_TRUST_BLOCKED);
  g_assert_cmpstr (row_tag (other), ==, "Blocked");
  save_screenshot (fixture, "nearby-trust.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (other), "device.forget", NULL));
  g_assert_cmpint (ssync_session_get_device_trust (fixture->session, OTHER_FP), ==,
                   SSYNC_DEVICE_TRUST_SEEN);
  g_assert_null (row_tag (other));

  ssync_session_set_device_trust (fixture->session, TRUST_FP, "Alice’s phone", "mobile",
                                  SSYNC_DEVICE_TRUST_BLOCKED);
  g_assert_cmpstr (row_tag (alice), ==, "Blocked");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The application loads its style sheet by itself; the window alone here needs it for the
   * screenshots to look like what a user sees (the trust tags are styled). */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/sharesync/ShareSync/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ui/nearby/empty-state", test_empty_state);
  ADD ("/ui/nearby/device-appears", test_device_appears);
  ADD ("/ui/nearby/drop-sends", test_drop_sends);
  ADD ("/ui/nearby/pin", test_pin);
  ADD ("/ui/nearby/refused", test_refused);
  ADD ("/ui/nearby/send-share-to", test_send_share_to);
  ADD ("/ui/nearby/announces-while-shown", test_announces_while_shown);
  ADD ("/ui/nearby/prompt-always-accept", test_prompt_always_accept);
  ADD ("/ui/nearby/prompt-block", test_prompt_block);
  ADD ("/ui/nearby/prompt-unverified", test_prompt_unverified);
  ADD ("/ui/nearby/row-trust", test_row_trust);
#undef ADD

  return g_test_run ();
}
