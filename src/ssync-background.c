/* ssync-background.c: closing the window while something is shared keeps ShareSync serving.
 *
 * The application holds itself (g_application_hold), asks the Background portal for leave to
 * go on without a window, and leaves a notification "Sharing N items" with "Open" and "Stop
 * All"; once nothing is shared any more it lets go, and the application quits. Without a
 * portal (a plain session, the tests' bus) the hold and the notification do the same.
 *
 * "start-at-login" asks the same portal for autostart inside a sandbox; outside one, where the
 * portal cannot write autostart entries for the host, it writes or removes an XDG autostart
 * desktop file itself.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <errno.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ssync-alert.h"
#include "ssync-background.h"

#define NOTIFICATION_ID "background"
/* Shares expire and run out of downloads on their own: how often to look, in seconds. */
#define RECHECK_INTERVAL 5

struct _SsyncBackground
{
  GObject parent_instance;

  GApplication *application;  /* not owned: the application owns this object */
  SsyncSession *session;
  GSettings *settings;        /* NULL without the schema: the defaults apply */
  gboolean held;
  guint n_live;
  guint recheck_id;
  guint response_id;
};

G_DEFINE_FINAL_TYPE (SsyncBackground, ssync_background, G_TYPE_OBJECT)

static gboolean
get_setting (SsyncBackground *self,
             const char      *key,
             gboolean         fallback)
{
  return self->settings != NULL ? g_settings_get_boolean (self->settings, key) : fallback;
}

/* Shares and receive links that still answer. */
guint
ssync_background_count_live (SsyncBackground *self)
{
  GListModel *shares = ssync_session_get_shares (self->session);
  gint64 now = g_get_real_time ();
  guint n_live = 0;

  for (guint i = 0; i < g_list_model_get_n_items (shares); i++)
    {
      g_autoptr(SsyncShare) share = g_list_model_get_item (shares, i);

      if (ssync_share_get_state (share, now) == SSYNC_SHARE_STATE_ACTIVE)
        n_live++;
    }
  return n_live;
}

/* Whether closing the window should leave ShareSync running: the preference says so and
 * something is shared. */
gboolean
ssync_background_keeps_running (SsyncBackground *self)
{
  return get_setting (self, "run-in-background", TRUE) && ssync_background_count_live (self) > 0;
}

gboolean
ssync_background_is_active (SsyncBackground *self)
{
  return self->held;
}

static void
send_notification (SsyncBackground *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;

  /* TRANSLATORS: the notification left when the window closes: "Sharing 3 items" */
  title = g_strdup_printf (ngettext ("Sharing %u item", "Sharing %u items", self->n_live),
                           self->n_live);
  notification = g_notification_new (title);
  g_notification_set_body (notification,
                           _("ShareSync keeps its links working in the background until you "
                             "stop them"));
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_LOW);
  g_notification_set_default_action (notification, "app.show-window");
  g_notification_add_button (notification, _("Open"), "app.show-window");
  g_notification_add_button (notification, _("Stop All"), "app.stop-all");
  g_application_send_notification (self->application, NOTIFICATION_ID, notification);
}

static void
on_portal_response (GDBusConnection *connection,
                    const char      *sender_name,
                    const char      *object_path,
                    const char      *interface_name,
                    const char      *signal_name,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  SsyncBackground *self = user_data;
  g_autoptr(GVariant) results = NULL;
  gboolean allowed = TRUE;
  guint32 response;

  g_dbus_connection_signal_unsubscribe (connection, self->response_id);
  self->response_id = 0;
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "background", "b", &allowed);
  /* The hold keeps ShareSync running all the same; a desktop that refuses may still stop it. */
  if (response != 0 || !allowed)
    g_printerr ("sharesync: %s\n",
                _("The desktop did not allow ShareSync to run in the background; close the "
                  "window only when you no longer share anything"));
}

static void
on_request_background (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(SsyncBackground) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  /* No portal (a plain session): the hold and the notification are enough. */
  if (reply == NULL)
    g_debug ("No Background portal: %s", error->message);
}

/* Asks the Background portal to let ShareSync run without a window, and to start it at login
 * or not. The answer comes as a Response signal on the request's object, whose path is known
 * from our unique name and the token, so that we listen before asking. */
static void
request_background (SsyncBackground *self,
                    const char      *reason)
{
  GDBusConnection *connection = g_application_get_dbus_connection (self->application);
  g_autofree char *token = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *handle = NULL;
  const char *commandline[] = { "sharesync", NULL };
  GVariantBuilder options;

  if (connection == NULL)
    return;

  token = g_strdup_printf ("sharesync%u", g_random_int ());
  sender = g_strdelimit (g_strdup (g_dbus_connection_get_unique_name (connection) + 1), ".", '_');
  handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender, token);
  if (self->response_id != 0)
    g_dbus_connection_signal_unsubscribe (connection, self->response_id);
  self->response_id = g_dbus_connection_signal_subscribe (connection,
                                                          "org.freedesktop.portal.Desktop",
                                                          "org.freedesktop.portal.Request",
                                                          "Response", handle, NULL,
                                                          G_DBUS_SIGNAL_FLAGS_NO_MATCH_RULE,
                                                          on_portal_response, self, NULL);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason", g_variant_new_string (reason));
  g_variant_builder_add (&options, "{sv}", "autostart",
                         g_variant_new_boolean (get_setting (self, "start-at-login", FALSE)));
  g_variant_builder_add (&options, "{sv}", "commandline",
                         g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (connection, "org.freedesktop.portal.Desktop",
                          "/org/freedesktop/portal/desktop", "org.freedesktop.portal.Background",
                          "RequestBackground", g_variant_new ("(sa{sv})", "", &options),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          on_request_background, g_object_ref (self));
}

static void
recount (SsyncBackground *self)
{
  guint n_live = ssync_background_count_live (self);

  if (!self->held)
    return;
  if (n_live == 0)
    {
      ssync_background_leave (self);
      return;
    }
  if (n_live != self->n_live)
    {
      self->n_live = n_live;
      send_notification (self);
    }
}

static void
on_shares_changed (GListModel      *shares,
                   guint            position,
                   guint            removed,
                   guint            added,
                   SsyncBackground *self)
{
  recount (self);
}

static gboolean
on_recheck (gpointer user_data)
{
  recount (user_data);
  return G_SOURCE_CONTINUE;
}

/* The window is closing with something shared: go on without it. */
void
ssync_background_enter (SsyncBackground *self)
{
  g_return_if_fail (SSYNC_IS_BACKGROUND (self));

  self->n_live = ssync_background_count_live (self);
  if (self->held || self->n_live == 0)
    return;
  self->held = TRUE;
  g_application_hold (self->application);
  request_background (self, _("ShareSync keeps serving your shares and receive links after "
                              "its window is closed"));
  send_notification (self);
  self->recheck_id = g_timeout_add_seconds (RECHECK_INTERVAL, on_recheck, self);
}

/* A window is back, or nothing is shared any more: the notification goes, and so does the
 * hold, so that the application quits when it has no window. */
void
ssync_background_leave (SsyncBackground *self)
{
  g_return_if_fail (SSYNC_IS_BACKGROUND (self));

  if (!self->held)
    return;
  self->held = FALSE;
  g_clear_handle_id (&self->recheck_id, g_source_remove);
  g_application_withdraw_notification (self->application, NOTIFICATION_ID);
  g_application_release (self->application);
}

/* "Stop All": every share and receive link stops; in the background, ShareSync then quits. */
void
ssync_background_stop_all (SsyncBackground *self)
{
  GListModel *shares = ssync_session_get_shares (self->session);
  g_autoptr(GPtrArray) live = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (shares); i++)
    g_ptr_array_add (live, g_list_model_get_item (shares, i));
  for (guint i = 0; i < live->len; i++)
    ssync_session_revoke_share (self->session, live->pdata[i]);
  ssync_background_leave (self);
}

static void
on_quit_response (GtkWidget       *dialog,
                  const char      *response,
                  SsyncBackground *self)
{
  if (g_str_equal (response, "quit"))
    g_application_quit (self->application);
}

/* The window is closing. With something shared it goes on in the background unless the
 * preference says not to, and then only after asking, since quitting breaks the links.
 * Returns TRUE to keep @window open while asking. */
gboolean
ssync_background_close_request (SsyncBackground *self,
                                GtkWindow       *window)
{
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  guint n_live;

  if (self->held)
    return FALSE;
  if (ssync_background_keeps_running (self))
    {
      ssync_background_enter (self);
      return FALSE;
    }
  n_live = ssync_background_count_live (self);
  if (n_live == 0)
    return FALSE;

  /* TRANSLATORS: asked when closing the window with "Run in background" off */
  body = g_strdup_printf (ngettext ("Quitting stops sharing %u item: its link stops working.",
                                    "Quitting stops sharing %u items: their links stop working.",
                                    n_live), n_live);
  dialog = ssync_alert_new (_("Stop Sharing and Quit?"), body);
  ssync_alert_add_response (SSYNC_ALERT (dialog), "cancel", _("_Cancel"));
  ssync_alert_add_response (SSYNC_ALERT (dialog), "quit", _("_Quit"));
  ssync_alert_set_response_appearance (SSYNC_ALERT (dialog), "quit", ADW_RESPONSE_DESTRUCTIVE);
  ssync_alert_set_close_response (SSYNC_ALERT (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_quit_response), self, 0);
  ssync_alert_present (SSYNC_ALERT (dialog), GTK_WIDGET (window));
  return TRUE;
}

static void
on_autostart_written (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_printerr ("sharesync: %s: %s\n", _("Could not set ShareSync to start at login"),
                error->message);
}

static void
on_autostart_deleted (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_printerr ("sharesync: %s: %s\n", _("Could not stop ShareSync from starting at login"),
                error->message);
}

/* Outside a sandbox the desktop reads ~/.config/autostart itself. */
#define AUTOSTART_ENTRY \
  "[Desktop Entry]\n" \
  "Type=Application\n" \
  "Name=ShareSync\n" \
  "Exec=sharesync\n" \
  "Icon=" APP_ID "\n" \
  "X-GNOME-Autostart-enabled=true\n"

/* In a worker thread: the folder may not exist yet on a fresh account. */
static void
write_autostart_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  const char *path = task_data;
  g_autofree char *folder = g_path_get_dirname (path);
  GError *error = NULL;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int errsv = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s",
                               folder, g_strerror (errsv));
      return;
    }
  if (!g_file_set_contents_full (path, AUTOSTART_ENTRY, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
write_autostart_file (SsyncBackground *self,
                      gboolean         enabled)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "autostart",
                                            APP_ID ".desktop", NULL);
  g_autoptr(GTask) task = NULL;

  if (!enabled)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, on_autostart_deleted, NULL);
      return;
    }

  task = g_task_new (NULL, NULL, on_autostart_written, NULL);
  g_task_set_task_data (task, g_steal_pointer (&path), g_free);
  g_task_run_in_thread (task, write_autostart_thread);
}

static void
on_start_at_login_changed (GSettings       *settings,
                           const char      *key,
                           SsyncBackground *self)
{
  gboolean enabled = g_settings_get_boolean (settings, key);

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    request_background (self, enabled ? _("ShareSync starts at login to receive files")
                                      : _("ShareSync no longer starts at login"));
  else
    write_autostart_file (self, enabled);
}

static void
ssync_background_dispose (GObject *object)
{
  SsyncBackground *self = SSYNC_BACKGROUND (object);
  GDBusConnection *connection = g_application_get_dbus_connection (self->application);

  g_clear_handle_id (&self->recheck_id, g_source_remove);
  if (self->response_id != 0 && connection != NULL)
    g_dbus_connection_signal_unsubscribe (connection, self->response_id);
  self->response_id = 0;
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ssync_background_parent_class)->dispose (object);
}

static void
ssync_background_class_init (SsyncBackgroundClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_background_dispose;
}

static void
ssync_background_init (SsyncBackground *self)
{
}

SsyncBackground *
ssync_background_new (GApplication *application,
                      SsyncSession *session,
                      GSettings    *settings)
{
  SsyncBackground *self = g_object_new (SSYNC_TYPE_BACKGROUND, NULL);

  self->application = application;
  self->session = g_object_ref (session);
  g_set_object (&self->settings, settings);
  g_signal_connect_object (ssync_session_get_shares (session), "items-changed",
                           G_CALLBACK (on_shares_changed), self, 0);
  if (settings != NULL)
    g_signal_connect_object (settings, "changed::start-at-login",
                             G_CALLBACK (on_start_at_login_changed), self, 0);
  return self;
}
