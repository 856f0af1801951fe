/* ssync-application.c: `sharesync [FILE...]` with a display. One instance per user: the
 * primary one owns the session (and so the server); starting sharesync again with files
 * hands them to it, and they become one more share in the same window.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "ssync-application.h"
#include "ssync-duration.h"
#include "ssync-preferences-window.h"
#include "ssync-session.h"
#include "ssync-window.h"

struct _SsyncApplication
{
  AdwApplication parent_instance;

  SsyncSession *session;
  /* NULL when the schema is not installed: ShareSync then runs on the defaults. */
  GSettings *settings;
  GError *start_error;
  int exit_status;
  guint signal_ids[2];
};

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
  /* libadwaita 1.6 deprecates AdwMessageDialog for AdwAlertDialog (1.5), which Debian 12
   * does not have; this path only runs when nothing else can. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = adw_message_dialog_new (NULL, _("ShareSync Could Not Start"),
                                   self->start_error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  g_application_hold (G_APPLICATION (self));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_error_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static SsyncWindow *
get_window (SsyncApplication *self)
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

  gtk_window_present (GTK_WINDOW (get_window (self)));
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

  window = get_window (self);
  gtk_window_present (GTK_WINDOW (window));
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

/* The preferences that apply to a running session: what new shares get, and uploads. */
static void
apply_settings (SsyncApplication *self)
{
  g_autofree char *expiry = NULL;
  gint64 lifetime = 0;
  g_autoptr(GError) error = NULL;

  if (self->settings == NULL)
    return;

  ssync_session_set_auto_accept (self->session,
                                 g_settings_get_boolean (self->settings, "auto-accept"));
  expiry = g_settings_get_string (self->settings, "default-expiry");
  g_strstrip (expiry);
  if (expiry[0] != '\0' && !ssync_duration_parse (expiry, &lifetime, &error))
    {
      g_printerr ("sharesync: %s: %s\n", _("The default expiry in the preferences is ignored"),
                  error->message);
      lifetime = 0;
    }
  ssync_session_set_share_defaults (self->session, NULL, lifetime,
                                    g_settings_get_uint (self->settings, "download-limit"));
  ssync_session_set_max_upload_size (self->session,
                                     g_settings_get_uint64 (self->settings, "max-upload-size"));
}

/* Starts the server where the preferences say; when that fails (the address is no longer
 * this machine's, the port is taken), where it starts without them, so that a stale
 * preference does not keep ShareSync from starting. */
static gboolean
start_session (SsyncApplication  *self,
               SsyncSession      *session,
               GError           **error)
{
  g_autofree char *address = NULL;
  int port = 0;
  g_autofree char *message = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->settings != NULL)
    {
      address = g_settings_get_string (self->settings, "bind-address");
      g_strstrip (address);
      port = g_settings_get_int (self->settings, "port");
    }
  if ((address == NULL || address[0] == '\0') && port == 0)
    return ssync_session_start (session, NULL, -1, error);

  if (ssync_session_start (session, address[0] != '\0' ? address : NULL, port > 0 ? port : -1,
                           &local_error))
    return TRUE;

  /* TRANSLATORS: "Cannot listen on 10.0.0.7, port 8080, so ShareSync uses its default
   * address and port: Address not available" */
  message = g_strdup_printf (_("Cannot listen on %s, port %d, so ShareSync uses its default "
                               "address and port: %s"),
                             address[0] != '\0' ? address : _("every address"),
                             port > 0 ? port : SSYNC_DEFAULT_PORT, local_error->message);
  g_printerr ("sharesync: %s\n", message);
  return ssync_session_start (session, NULL, -1, error);
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
  { "accept-upload", accept_upload, "s" },
  { "decline-upload", decline_upload, "s" },
};

static void
ssync_application_startup (GApplication *application)
{
  SsyncApplication *self = SSYNC_APPLICATION (application);
  GtkApplication *gtk_app = GTK_APPLICATION (application);
  g_autoptr(SsyncSession) session = NULL;
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
  session = ssync_session_new (NULL, &self->start_error);
  if (session == NULL)
    {
      g_printerr ("sharesync: %s\n", self->start_error->message);
      return;
    }
  self->settings = ssync_preferences_lookup_settings ();
  if (!start_session (self, session, &self->start_error))
    {
      g_prefix_error (&self->start_error, _("Cannot listen on port %d: "), SSYNC_DEFAULT_PORT);
      g_printerr ("sharesync: %s\n", self->start_error->message);
      return;
    }
  self->session = g_steal_pointer (&session);
  g_signal_connect_object (self->session, "share-added", G_CALLBACK (on_share_added), self, 0);
  apply_settings (self);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed", G_CALLBACK (apply_settings), self,
                             G_CONNECT_SWAPPED);
}

static void
ssync_application_shutdown (GApplication *application)
{
  SsyncApplication *self = SSYNC_APPLICATION (application);

  for (guint i = 0; i < G_N_ELEMENTS (self->signal_ids); i++)
    g_clear_handle_id (&self->signal_ids[i], g_source_remove);
  /* Transfers in flight end and the history is written before the process exits. */
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

  G_OBJECT_CLASS (ssync_application_parent_class)->finalize (object);
}

static void
ssync_application_class_init (SsyncApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ssync_application_finalize;
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
