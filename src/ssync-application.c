/* ssync-application.c: `sharesync [OPTION...] [FILE...]` with a display. One instance per
 * user: the primary one owns the session (and so the server); starting sharesync again with
 * files hands them to it, and they become one more share in the same window.
 *
 * The command line is the headless face's (ssync-options.c): each option applies to this
 * run, over the preferences, which it never changes. The session's SsyncConfig is filled
 * from the preferences (bound, so a change applies at once), except for the settings the
 * command line or a SHARESYNC_* variable set.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "ssync-alert.h"
#include "ssync-application.h"
#include "ssync-application-private.h"
#include "ssync-duration.h"
#include "ssync-environment.h"
#include "ssync-options.h"
#include "ssync-preferences-window.h"
#include "ssync-session.h"
#include "ssync-window.h"


G_DEFINE_FINAL_TYPE (SsyncApplication, ssync_application, ADW_TYPE_APPLICATION)

static void
on_error_response (GtkWidget        *dialog,
                   const char       *response,
                   SsyncApplication *self)
{
  g_application_release (G_APPLICATION (self));
}

/* Without a session there is nothing to show: say why, on stderr for a terminal and in a
 * dialog for whoever started ShareSync from the desktop, and exit with status 1. */
static void
show_start_error (SsyncApplication *self)
{
  GtkWidget *dialog;

  self->exit_status = 1;
  dialog = ssync_alert_new (_("ShareSync Could Not Start"), self->start_error->message);
  ssync_alert_add_response (SSYNC_ALERT (dialog), "close", _("_Close"));
  g_application_hold (G_APPLICATION (self));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_error_response), self, 0);
  /* With no window yet, it shows as a window of its own. */
  ssync_alert_present (SSYNC_ALERT (dialog), NULL);
}

SsyncWindow *
ssync_application_get_window (SsyncApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SSYNC_IS_WINDOW (window))
    return SSYNC_WINDOW (window);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (SSYNC_IS_WINDOW (l->data))
      return SSYNC_WINDOW (l->data);

  return ssync_window_new (GTK_APPLICATION (self), self->session);
}

static void
ssync_application_activate (GApplication *application)
{
  SsyncApplication *self = SSYNC_APPLICATION (application);

  if (self->session == NULL)
    {
      show_start_error (self);
      return;
    }

  gtk_window_present (GTK_WINDOW (ssync_application_get_window (self)));
  ssync_background_leave (self->background);
}

static void
ssync_application_open (GApplication  *application,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  SsyncApplication *self = SSYNC_APPLICATION (application);
  SsyncWindow *window;

  if (self->session == NULL)
    {
      show_start_error (self);
      return;
    }

  window = ssync_application_get_window (self);
  gtk_window_present (GTK_WINDOW (window));
  ssync_background_leave (self->background);
  ssync_window_share_files (window, files, n_files);
}

static void
about (GSimpleAction *action,
       GVariant      *parameter,
       gpointer       user_data)
{
  GtkApplication *application = user_data;
  const char *developers[] = { _("The ShareSync developers"), NULL };
  GtkWidget *window;

  /* AdwAboutDialog replaces it in libadwaita 1.5; Debian 12 has 1.2. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  window = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                         "transient-for", gtk_application_get_active_window (application),
                         "application-name", "ShareSync",
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The ShareSync developers"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_MIT_X11,
                         "comments", _("Share files with the people around you: anyone on "
                                       "the same network opens a link or scans a QR code"),
                         "translator-credits", _("translator-credits"),
                         NULL);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_window_present (GTK_WINDOW (window));
}

/* The buttons of the "wants to send you files" notification. */
static void
answer_upload (SsyncApplication *self,
               GVariant         *parameter,
               gboolean          accept)
{
  SsyncUploadRequest *request;

  if (self->session == NULL)
    return;
  request = ssync_session_lookup_upload_request (self->session,
                                                 g_variant_get_string (parameter, NULL));
  if (request == NULL)
    return;
  if (accept)
    ssync_upload_request_accept (request);
  else
    ssync_upload_request_decline (request);
}

static void
accept_upload (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  answer_upload (user_data, parameter, TRUE);
}

static void
decline_upload (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  answer_upload (user_data, parameter, FALSE);
}

static void
quit (GSimpleAction *action,
      GVariant      *parameter,
      gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* "Open" in the notification left while running in the background. */
static void
show_window (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

/* "Stop All" in that notification: every share stops, and ShareSync quits unless its window
 * is open. */
static void
stop_all (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  SsyncApplication *self = user_data;

  if (self->background != NULL)
    ssync_background_stop_all (self->background);
}

static gboolean
on_close_request (GtkWindow        *window,
                  SsyncApplication *self)
{
  return self->background != NULL && ssync_background_close_request (self->background, window);
}

static void
on_window_added (GtkApplication   *application,
                 GtkWindow        *window,
                 SsyncApplication *self)
{
  if (SSYNC_IS_WINDOW (window))
    g_signal_connect_object (window, "close-request", G_CALLBACK (on_close_request), self, 0);
}

/* Whoever started ShareSync from a terminal gets each link there too, to paste or script. */
static void
on_share_added (SsyncSession     *session,
                SsyncShare       *share,
                SsyncApplication *self)
{
  g_autofree char *url = ssync_session_dup_share_url (session, share);

  /* TRANSLATORS: "Sharing “report.pdf” at http://192.168.1.5:5001/s/…" */
  g_print (_("Sharing “%s” at %s\n"), ssync_share_get_name (share), url);
}

/* "2h" in the preferences → 7200 s; an unreadable one is said once and means no expiry. */
static gboolean
map_expiry (GValue   *value,
            GVariant *variant,
            gpointer  user_data)
{
  g_autofree char *text = g_strstrip (g_variant_dup_string (variant, NULL));
  g_autoptr(GError) error = NULL;
  gint64 lifetime = 0;

  if (text[0] != '\0' && !ssync_duration_parse (text, &lifetime, &error))
    {
      g_printerr ("sharesync: %s: %s\n", _("The default expiry in the preferences is ignored"),
                  error->message);
      lifetime = 0;
    }
  g_value_set_int64 (value, lifetime);
  return TRUE;
}

/* A pushed file's link, for the terminal too. */
static void
on_file_pushed (SsyncPusher *pusher,
                SsyncShare  *share,
                const char  *file,
                const char  *key,
                const char  *url,
                gint64       expires,
                gpointer     user_data)
{
  /* TRANSLATORS: "“report.pdf” in the cloud at https://…" */
  g_print (_("“%s” in the cloud at %s\n"), file, url);
}

/* The preferences' default port moves to the next free one when taken, as the command line's
 * default (the configuration's -1) does; 0 is any free port there as with --port 0. */
static gboolean
map_port (GValue   *value,
          GVariant *variant,
          gpointer  user_data)
{
  int port = g_variant_get_int32 (variant);

  g_value_set_int (value, port == SSYNC_DEFAULT_PORT ? -1 : port);
  return TRUE;
}

/* The preferences → the session's configuration, each followed from now on; @fixed names the
 * settings that the command line or the environment set for this run. */
static void
bind_settings (SsyncApplication *self,
               GHashTable       *fixed)
{
  SsyncConfig *config = ssync_session_get_config (self->session);
  const struct {
    const char *key;
    const char *setting;
    GSettingsBindGetMapping mapping;
  } keys[] = {
    { "port", "port", map_port },
    { "bind-address", "bind-address" },
    { "default-expiry", "default-lifetime", map_expiry },
    { "download-limit", "default-max-downloads" },
    { "max-upload-size", "max-upload-size" },
    { "auto-accept", "auto-accept" },
    { "s3-endpoint", "s3-endpoint" },
    { "s3-region", "s3-region" },
    { "s3-bucket", "s3-bucket" },
    { "s3-path-style", "s3-path-style" },
    { "s3-access-key", "s3-access-key" },
    { "s3-part-size", "s3-part-size" },
    { "stun-server", "stun-server" },
    { "turn-server", "turn-server" },
    { "turn-username", "turn-username" },
  };

  if (self->settings == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (g_hash_table_contains (fixed, keys[i].setting))
        continue;
      if (keys[i].mapping != NULL)
        g_settings_bind_with_mapping (self->settings, keys[i].key, config, keys[i].setting,
                                      G_SETTINGS_BIND_GET, keys[i].mapping, NULL, NULL, NULL);
      else
        g_settings_bind (self->settings, keys[i].key, config, keys[i].setting,
                         G_SETTINGS_BIND_GET);
    }
}

/* Starts the server where the configuration says. When the preferences chose the place and
 * it fails (the address is no longer this machine's, the port is taken), it starts where it
 * does without them, so that a stale preference does not keep ShareSync from starting; a
 * place asked for on the command line is not second-guessed. */
static gboolean
start_session (SsyncApplication  *self,
               GError           **error)
{
  SsyncConfig *config = ssync_session_get_config (self->session);
  const char *address = ssync_config_get_string (config, "bind-address");
  int port = ssync_config_get_int (config, "port");
  g_autofree char *message = NULL;
  g_autoptr(GError) local_error = NULL;

  if (ssync_session_start (self->session, address, port, &local_error))
    return TRUE;
  if (ssync_options_sets_server (&self->options) || (address == NULL && port == -1))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* TRANSLATORS: "Cannot listen on 10.0.0.7, port 8080, so ShareSync uses its default
   * address and port: Address not available" */
  message = g_strdup_printf (_("Cannot listen on %s, port %d, so ShareSync uses its default "
                               "address and port: %s"),
                             address != NULL ? address : _("every address"),
                             port > 0 ? port : SSYNC_DEFAULT_PORT, local_error->message);
  ssync_options_print_error (message);
  return ssync_session_start (self->session, NULL, -1, error);
}

/* The command line is read here, before the application registers, so that the primary
 * instance starts its session with it. A second instance hands its files to the first;
 * options that only apply when ShareSync starts are refused there rather than ignored. */
static gboolean
ssync_application_local_command_line (GApplication   *application,
                                      char         ***arguments,
                                      int            *exit_status)
{
  SsyncApplication *self = SSYNC_APPLICATION (application);
  g_autoptr(GError) error = NULL;

  *exit_status = 0;
  /* D-Bus activation (the desktop file is DBusActivatable) starts ShareSync as a service:
   * the Activate or Open call that follows says what to show. */
  if (g_strv_contains ((const char * const *) *arguments, "--gapplication-service"))
    {
      g_application_set_flags (application,
                               g_application_get_flags (application) | G_APPLICATION_IS_SERVICE);
      if (!g_application_register (application, NULL, &error))
        {
          ssync_options_print_error (error->message);
          *exit_status = 1;
        }
      return TRUE;
    }

  if (!ssync_options_parse (&self->options, arguments, TRUE, &error))
    {
      ssync_options_print_error (error->message);
      *exit_status = 2;
      return TRUE;
    }

  if (!g_application_register (application, NULL, &error))
    {
      ssync_options_print_error (error->message);
      *exit_status = 1;
      return TRUE;
    }

  if (g_application_get_is_remote (application))
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      SsyncOptions *options = &self->options;

      if (ssync_options_sets_server (options) || ssync_options_sets_shares (options) ||
          options->receive != NULL || options->push || options->fetch != NULL ||
          options->discover > 0 || options->alias != NULL || options->send_to != NULL ||
          options->accept_all || options->trust != NULL || options->block != NULL)
        {
          g_printerr ("sharesync: %s\n",
                      _("ShareSync is already running, and these options only apply when it "
                        "starts: quit it first, or leave them out"));
          *exit_status = 2;
          return TRUE;
        }
      /* A FILE that is not there is said here, on this terminal, as headless says it. */
      if (!ssync_options_check_paths (options, &error))
        {
          ssync_options_print_error (error->message);
          *exit_status = 1;
          return TRUE;
        }
      for (guint i = 0; self->options.files != NULL && self->options.files[i] != NULL; i++)
        g_ptr_array_add (files, g_file_new_for_commandline_arg (self->options.files[i]));
      if (files->len > 0)
        g_application_open (application, (GFile **) files->pdata, files->len, "");
      else
        g_application_activate (application);
      return TRUE;
    }

  ssync_application_run_command_line (self);
  return TRUE;
}

/* SIGINT (Ctrl+C in a terminal) and SIGTERM (logout, kill) quit like Ctrl+Q: transfers end
 * as cancelled and the history is written, instead of rows left "in progress". */
static gboolean
on_quit_signal (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static const GActionEntry app_entries[] = {
  { "about", about },
  { "quit", quit },
  { "show-window", show_window },
  { "stop-all", stop_all },
  { "accept-upload", accept_upload, "s" },
  { "decline-upload", decline_upload, "s" },
};

static void
ssync_application_startup (GApplication *application)
{
  SsyncApplication *self = SSYNC_APPLICATION (application);
  GtkApplication *gtk_app = GTK_APPLICATION (application);
  g_autoptr(GHashTable) fixed = NULL;
  /* The settings the command line sets for this run, which the preferences do not. */
  const struct {
    const char *setting;
    gboolean given;
  } from_options[] = {
    { "port", self->options.port != -1 },
    { "bind-address", self->options.bind != NULL },
    { "max-upload-size", self->options.max_upload != NULL },
    { "default-lifetime", self->options.expires != NULL && !self->options.push },
    { "default-max-downloads", ssync_options_sets_shares (&self->options) &&
                               self->options.max_downloads >= 0 },
    { "alias", self->options.alias != NULL },
  };
  struct {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "win.add-files", { "<Control>o", NULL } },
    { "win.paste", { "<Control>v", NULL } },
    { "win.preferences", { "<Control>comma", NULL } },
    { "app.quit", { "<Control>q", NULL } },
  };

  G_APPLICATION_CLASS (ssync_application_parent_class)->startup (application);

  self->signal_ids[0] = g_unix_signal_add (SIGINT, on_quit_signal, self);
  self->signal_ids[1] = g_unix_signal_add (SIGTERM, on_quit_signal, self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries, G_N_ELEMENTS (app_entries),
                                   self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (gtk_app, accels[i].action, accels[i].accels);

  /* The server starts with the primary instance; a failure is reported on activate or
   * open, when there is a display to report it on. */
  self->session = ssync_session_new (self->options.data_dir, &self->start_error);
  if (self->session == NULL)
    {
      ssync_options_print_error (self->start_error->message);
      return;
    }
  /* With a window, Nearby announces every 30 s only while its page shows. */
  ssync_session_set_nearby_periodic (self->session, FALSE);
  fixed = ssync_environment_apply (self->session);
  for (guint i = 0; i < G_N_ELEMENTS (from_options); i++)
    if (from_options[i].given)
      g_hash_table_add (fixed, (gpointer) from_options[i].setting);
  self->settings = ssync_preferences_lookup_settings ();
  bind_settings (self, fixed);
  if (!ssync_options_apply (&self->options, self->session, &self->start_error))
    {
      ssync_options_print_error (self->start_error->message);
      g_clear_object (&self->session);
      return;
    }
  if (!start_session (self, &self->start_error))
    {
      int port = ssync_config_get_int (ssync_session_get_config (self->session), "port");

      port = port < 0 ? SSYNC_DEFAULT_PORT : port;
      /* The terminal's line reads as headless says it; the window's starts with a capital. */
      g_printerr (_("sharesync: cannot listen on port %d: %s\n"), port,
                  self->start_error->message);
      g_prefix_error (&self->start_error, _("Cannot listen on port %d: "), port);
      g_clear_object (&self->session);
      return;
    }
  g_signal_connect_object (self->session, "share-added", G_CALLBACK (on_share_added), self, 0);
  /* Once Nearby is on (its page, --discover), nearby devices may send into the receive
   * folder of the preferences; the window asks first. */
  if (self->settings != NULL)
    {
      g_autoptr(GFile) folder = ssync_preferences_dup_receive_folder (self->settings);

      ssync_session_set_nearby_receive_folder (self->session, folder, self->options.accept_all);
    }
  g_signal_connect_object (ssync_session_get_pusher (self->session), "pushed",
                           G_CALLBACK (on_file_pushed), self, 0);
  self->background = ssync_background_new (application, self->session, self->settings);
  g_signal_connect_object (gtk_app, "window-added", G_CALLBACK (on_window_added), self, 0);
}

static void
ssync_application_shutdown (GApplication *application)
{
  SsyncApplication *self = SSYNC_APPLICATION (application);

  for (guint i = 0; i < G_N_ELEMENTS (self->signal_ids); i++)
    g_clear_handle_id (&self->signal_ids[i], g_source_remove);
  /* Transfers in flight end and the history is written before the process exits. */
  if (self->background != NULL)
    ssync_background_leave (self->background);
  g_clear_object (&self->background);
  if (self->session != NULL)
    ssync_session_shutdown (self->session);

  G_APPLICATION_CLASS (ssync_application_parent_class)->shutdown (application);
}

static void
ssync_application_finalize (GObject *object)
{
  SsyncApplication *self = SSYNC_APPLICATION (object);

  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_error (&self->start_error);
  ssync_options_clear (&self->options);

  G_OBJECT_CLASS (ssync_application_parent_class)->finalize (object);
}

static void
ssync_application_class_init (SsyncApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ssync_application_finalize;
  app_class->local_command_line = ssync_application_local_command_line;
  app_class->startup = ssync_application_startup;
  app_class->shutdown = ssync_application_shutdown;
  app_class->activate = ssync_application_activate;
  app_class->open = ssync_application_open;
}

static void
ssync_application_init (SsyncApplication *self)
{
}

SsyncApplication *
ssync_application_new (void)
{
  return g_object_new (SSYNC_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

/* What main() returns once g_application_run() has: 1 when the session could not start. */
int
ssync_application_get_exit_status (SsyncApplication *self)
{
  g_return_val_if_fail (SSYNC_IS_APPLICATION (self), 1);

  return self->exit_status;
}
