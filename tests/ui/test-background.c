/* test-background.c: the window face keeps serving after its window closes.
 *
 * Each case runs in a subprocess with its own session bus (GTestDBus) on which this test
 * plays the desktop: org.freedesktop.portal.Desktop with the Background interface, and
 * org.freedesktop.Notifications (GLib's "freedesktop" notification backend). The real
 * SsyncApplication runs in the process, as `sharesync FILE` would.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gtk/gtk.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ssync-application-private.h"

static const char fake_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Background'>"
  "    <method name='RequestBackground'>"
  "      <arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "      <arg type='o' direction='out'/>"
  "    </method>"
  "  </interface>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

typedef struct {
  GTestDBus *bus;
  GDBusConnection *desktop;     /* the fake desktop's own connection */
  char *tmpdir;
  SsyncApplication *app;
  SoupSession *http;
  char *url;
  GVariant *background_options;  /* what RequestBackground was asked */
  char *summary;                 /* the last notification's title */
  GStrv actions;                 /* its actions: key, label, key, label... */
  guint notification_id;
  guint n_notified;
  gboolean closed;               /* the window was closed */
  int served;                    /* the link: 0 not asked yet, 1 asked, 2 answered */
  guint n_closed_notifications;
  int autostart_step;            /* 0 off, 1 asked on, 2 asked off again */
  gint64 closed_at;
} Fixture;

static void
on_desktop_call (GDBusConnection       *connection,
                 const char            *sender,
                 const char            *path,
                 const char            *interface,
                 const char            *method,
                 GVariant              *parameters,
                 GDBusMethodInvocation *invocation,
                 gpointer               user_data)
{
  Fixture *f = user_data;

  if (g_str_equal (method, "RequestBackground"))
    {
      g_autofree char *token = NULL;
      g_autofree char *unique = g_strdelimit (g_strdup (sender + 1), ".", '_');
      g_autofree char *handle = NULL;
      GVariantBuilder results;

      g_clear_pointer (&f->background_options, g_variant_unref);
      g_variant_get (parameters, "(s@a{sv})", NULL, &f->background_options);
      g_assert_true (g_variant_lookup (f->background_options, "handle_token", "s", &token));
      handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", unique, token);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", handle));
      g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (TRUE));
      g_variant_builder_add (&results, "{sv}", "autostart", g_variant_new_boolean (FALSE));
      g_dbus_connection_emit_signal (connection, sender, handle,
                                     "org.freedesktop.portal.Request", "Response",
                                     g_variant_new ("(ua{sv})", 0, &results), NULL);
    }
  else if (g_str_equal (method, "Notify"))
    {
      guint replaces;

      g_clear_pointer (&f->summary, g_free);
      g_clear_pointer (&f->actions, g_strfreev);
      g_variant_get (parameters, "(&su&ss&s^as@a{sv}i)", NULL, &replaces, NULL, &f->summary,
                     NULL, &f->actions, NULL, NULL);
      f->summary = g_strdup (f->summary);
      f->n_notified++;
      f->notification_id = replaces != 0 ? replaces : f->n_notified;
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u)", f->notification_id));
    }
  else if (g_str_equal (method, "CloseNotification"))
    {
      f->n_closed_notifications++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "fake", "test", "1",
                                                            "1.2"));
    }
}

static const GDBusInterfaceVTable desktop_vtable = { on_desktop_call };

static void
start_desktop (Fixture *f)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (fake_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *names[] = { "org.freedesktop.portal.Desktop", "org.freedesktop.Notifications" };

  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  /* GTestDBus unsets DISPLAY so that no X11 autolaunch starts a bus; GTK needs it back. */
  g_setenv ("DISPLAY", display, TRUE);
  f->desktop = g_dbus_connection_new_for_address_sync (
    g_test_dbus_get_bus_address (f->bus),
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (f->desktop, "/org/freedesktop/portal/desktop",
                                     info->interfaces[0], &desktop_vtable, f, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (f->desktop, "/org/freedesktop/Notifications",
                                     info->interfaces[1], &desktop_vtable, f, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_clear_pointer (&reply, g_variant_unref);
      reply = g_dbus_connection_call_sync (f->desktop, "org.freedesktop.DBus",
                                           "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                           "RequestName", g_variant_new ("(su)", names[i], 4),
                                           G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("sharesync-background-XXXXXX", &error);
  g_assert_no_error (error);
  /* GLib picks the portal backend only inside a sandbox, and org.gtk.Notifications when
   * GNOME Shell owns it: the fake speaks the one every desktop has. */
  g_setenv ("GNOTIFICATION_BACKEND", "freedesktop", TRUE);
  g_setenv ("XDG_CONFIG_HOME", f->tmpdir, TRUE);
  start_desktop (f);
  f->http = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", f->tmpdir);

  g_clear_object (&f->app);
  g_clear_object (&f->http);
  g_clear_pointer (&f->background_options, g_variant_unref);
  g_clear_pointer (&f->summary, g_free);
  g_clear_pointer (&f->actions, g_strfreev);
  g_clear_pointer (&f->url, g_free);
  g_dbus_connection_close_sync (f->desktop, NULL, NULL);
  g_clear_object (&f->desktop);
  /* Neither g_test_dbus_down() nor _stop(): GTK keeps its own reference to the session bus,
   * which both wait for in vain. The case runs in a process of its own that ends here, and
   * GTestDBus's watcher stops the daemon when it does. */
  f->bus = NULL;
  g_assert_cmpint (system (rm), ==, 0);
  g_free (f->tmpdir);
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("The test did not finish within 60 s");
  return G_SOURCE_REMOVE;
}

/* Emits the notification's "Stop All" as the desktop does when it is clicked. */
static void
click_stop_all (Fixture *f)
{
  for (guint i = 0; f->actions[i] != NULL && f->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (f->actions[i + 1], "Stop All"))
      {
        g_dbus_connection_emit_signal (f->desktop, NULL, "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "ActionInvoked",
                                       g_variant_new ("(us)", f->notification_id,
                                                      f->actions[i]),
                                       NULL);
        return;
      }
  g_error ("The notification has no Stop All button");
}

static void
on_downloaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  g_assert_nonnull (body);
  f->served = 2;
}

/* Steps through the run once a second, as the app's state allows. */
static gboolean
step_shared (gpointer user_data)
{
  Fixture *f = user_data;
  GListModel *shares = ssync_session_get_shares (f->app->session);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));

  if (!f->closed)
    {
      g_autoptr(SsyncShare) share = NULL;

      if (window == NULL || g_list_model_get_n_items (shares) == 0)
        return G_SOURCE_CONTINUE;
      share = g_list_model_get_item (shares, 0);
      f->url = ssync_session_dup_share_url (f->app->session, share);
      gtk_window_close (window);
      f->closed = TRUE;
      return G_SOURCE_CONTINUE;
    }

  /* Closed: no window, yet the app runs and the link answers. */
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  if (f->served == 0)
    {
      g_autoptr(SoupMessage) msg = NULL;

      if (f->n_notified == 0 || f->background_options == NULL)
        return G_SOURCE_CONTINUE;
      /* The share page lists the file; fetching the page proves the server still runs. */
      msg = soup_message_new ("GET", f->url);
      soup_session_send_and_read_async (f->http, msg, G_PRIORITY_DEFAULT, NULL, on_downloaded,
                                        f);
      f->served = 1;
      return G_SOURCE_CONTINUE;
    }
  if (f->served != 2)
    return G_SOURCE_CONTINUE;

  click_stop_all (f);
  return G_SOURCE_REMOVE;
}

/* Runs `sharesync [report.txt]` until it quits, with @step called every second. */
static int
run_app (Fixture     *f,
         gboolean     share_a_file,
         GSourceFunc  step)
{
  g_autofree char *file = g_build_filename (f->tmpdir, "report.txt", NULL);
  g_autofree char *data_dir = g_build_filename (f->tmpdir, "data", NULL);
  char *argv[] = { "sharesync", "--bind", "127.0.0.1", "--port", "0", "--data-dir", data_dir,
                   share_a_file ? file : NULL, NULL };

  g_assert_true (g_file_set_contents (file, "quarterly figures\n", -1, NULL));
  f->app = ssync_application_new ();
  g_timeout_add_seconds (1, step, f);
  g_timeout_add_seconds (60, on_timeout, NULL);
  return g_application_run (G_APPLICATION (f->app), share_a_file ? 8 : 7, argv);
}

static void
test_background_keeps_serving (Fixture       *f,
                               gconstpointer  data)
{
  gboolean autostart = TRUE, activatable = TRUE;
  g_autofree const char **commandline = NULL;
  const char *reason = NULL;
  int status = run_app (f, TRUE, step_shared);

  /* "Stop All" quit the app: every share stopped, the notification went. */
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (f->served, ==, 2);
  g_assert_cmpstr (f->summary, ==, "Sharing 1 item");
  g_assert_cmpuint (f->n_closed_notifications, >=, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ssync_session_get_shares (f->app->session)), ==,
                    0);

  g_assert_true (g_variant_lookup (f->background_options, "reason", "&s", &reason));
  g_assert_cmpstr (reason, !=, "");
  g_assert_true (g_variant_lookup (f->background_options, "autostart", "b", &autostart));
  g_assert_false (autostart);
  g_assert_true (g_variant_lookup (f->background_options, "dbus-activatable", "b",
                                   &activatable));
  g_assert_false (activatable);
  g_assert_true (g_variant_lookup (f->background_options, "commandline", "^a&s",
                                   &commandline));
  g_assert_cmpstrv (commandline, ((const char *[]) { "sharesync", NULL }));
}

static gboolean
step_nothing_shared (gpointer user_data)
{
  Fixture *f = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));
  g_autofree char *entry = g_build_filename (g_get_user_config_dir (), "autostart",
                                             APP_ID ".desktop", NULL);

  if (window == NULL)
    return G_SOURCE_CONTINUE;

  /* Outside a sandbox "Start at Login" is an XDG autostart entry, written then removed. */
  if (f->autostart_step == 0)
    {
      g_settings_set_boolean (f->app->settings, "start-at-login", TRUE);
      f->autostart_step = 1;
      return G_SOURCE_CONTINUE;
    }
  if (f->autostart_step == 1)
    {
      g_autofree char *contents = NULL;

      if (!g_file_get_contents (entry, &contents, NULL, NULL))
        return G_SOURCE_CONTINUE;
      g_assert_nonnull (strstr (contents, "\nExec=sharesync\n"));
      g_settings_set_boolean (f->app->settings, "start-at-login", FALSE);
      f->autostart_step = 2;
      return G_SOURCE_CONTINUE;
    }
  if (g_file_test (entry, G_FILE_TEST_EXISTS))
    return G_SOURCE_CONTINUE;

  f->closed_at = g_get_monotonic_time ();
  gtk_window_close (window);
  return G_SOURCE_REMOVE;
}

static void
test_nothing_shared_quits (Fixture       *f,
                           gconstpointer  data)
{
  g_assert_cmpint (run_app (f, FALSE, step_nothing_shared), ==, 0);

  /* It quit at once: no portal request, no notification. */
  g_assert_cmpint (f->autostart_step, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - f->closed_at, <, 5 * G_USEC_PER_SEC);
  g_assert_null (f->background_options);
  g_assert_cmpuint (f->n_notified, ==, 0);
}

static GtkWindow *
find_quit_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      if (ADW_IS_MESSAGE_DIALOG (window))
        return window;
      G_GNUC_END_IGNORE_DEPRECATIONS
    }
  return NULL;
}

static gboolean
step_ask_before_quitting (gpointer user_data)
{
  Fixture *f = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (f->app));
  GtkWindow *dialog;

  if (!f->closed)
    {
      GListModel *shares = ssync_session_get_shares (f->app->session);

      if (window == NULL || g_list_model_get_n_items (shares) == 0)
        return G_SOURCE_CONTINUE;
      g_settings_set_boolean (f->app->settings, "run-in-background", FALSE);
      gtk_window_close (window);
      f->closed = TRUE;
      return G_SOURCE_CONTINUE;
    }

  /* The window stays while the question is asked; "Quit" quits. */
  dialog = find_quit_dialog ();
  if (dialog == NULL)
    return G_SOURCE_CONTINUE;
  g_assert_nonnull (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "quit");
  G_GNUC_END_IGNORE_DEPRECATIONS
  return G_SOURCE_REMOVE;
}

static void
test_ask_before_quitting (Fixture       *f,
                          gconstpointer  data)
{
  g_assert_cmpint (run_app (f, TRUE, step_ask_before_quitting), ==, 0);

  /* "Run in Background" off: no portal request, no notification, the app quit. */
  g_assert_null (f->background_options);
  g_assert_cmpuint (f->n_notified, ==, 0);
}

/* Each case gets a process of its own: one GApplication per process, one bus per case. */
static void
run_in_subprocess (gconstpointer data)
{
  g_test_trap_subprocess (data, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/background/keeps-serving/subprocess", Fixture, NULL, fixture_set_up,
              test_background_keeps_serving, fixture_tear_down);
  g_test_add ("/background/nothing-shared-quits/subprocess", Fixture, NULL, fixture_set_up,
              test_nothing_shared_quits, fixture_tear_down);
  g_test_add ("/background/ask-before-quitting/subprocess", Fixture, NULL, fixture_set_up,
              test_ask_before_quitting, fixture_tear_down);
  g_test_add_data_func ("/background/keeps-serving", "/background/keeps-serving/subprocess",
                        run_in_subprocess);
  g_test_add_data_func ("/background/ask-before-quitting",
                        "/background/ask-before-quitting/subprocess", run_in_subprocess);
  g_test_add_data_func ("/background/nothing-shared-quits",
                        "/background/nothing-shared-quits/subprocess", run_in_subprocess);

  return g_test_run ();
}
