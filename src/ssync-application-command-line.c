/* ssync-application-command-line.c: what the command line asks of the window face once its
 * window shows: the FILEs' share, --receive, --push, --fetch, --discover and --send-to, each
 * saying how it went in the window (a toast) and on the terminal.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-application-private.h"
#include "ssync-session-fetch.h"

/* Says @message in the window (a toast starts with a capital) and on stderr, where it follows
 * "sharesync: " in lower case as headless says it. */
static void
report_message (SsyncApplication *self,
                const char       *message)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  char upper[8] = { 0 };
  g_autofree char *toast = NULL;

  ssync_options_print_error (message);
  g_unichar_to_utf8 (g_unichar_toupper (g_utf8_get_char (message)), upper);
  toast = g_strconcat (upper, g_utf8_next_char (message), NULL);
  if (SSYNC_IS_WINDOW (window))
    ssync_window_show_toast (SSYNC_WINDOW (window), toast);
}

/* Says @what went wrong in the window and on stderr. */
static void
report (SsyncApplication *self,
        const char       *what,
        const GError     *error)
{
  g_autofree char *message = g_strdup_printf (C_("error toast", "%s: %s"), what, error->message);

  report_message (self, message);
}

static void
on_share_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SsyncApplication) self = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;

  share = ssync_session_add_share_finish (SSYNC_SESSION (source), result, &error);
  if (share == NULL)
    report (self, _("Could not share"), error);
}

static void
on_receive_share_added (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(SsyncApplication) self = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;

  share = ssync_session_add_receive_share_finish (SSYNC_SESSION (source), result, &error);
  if (share == NULL)
    report (self, _("Could not receive files"), error);
}

static void
on_pushed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SsyncApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ssync_session_push_share_finish (SSYNC_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    report (self, _("Could not upload to the cloud"), error);
}

/* --push: the files become a share in the window, whose card follows the push. */
static void
on_push_share_added (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SsyncApplication) self = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *clamped = NULL;
  gint64 lifetime = ssync_pusher_clamp_lifetime (self->options.lifetime, &clamped);

  share = ssync_session_add_share_finish (SSYNC_SESSION (source), result, &error);
  if (share == NULL)
    {
      report (self, _("Could not share"), error);
      return;
    }
  if (clamped != NULL)
    ssync_options_print_error (clamped);
  ssync_session_push_share_async (self->session, share, lifetime, NULL, on_pushed,
                                  g_object_ref (self));
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SsyncApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  int n_files = ssync_session_fetch_finish (SSYNC_SESSION (source), result, &error);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *message = NULL;

  if (n_files < 0)
    {
      report (self, _("Could not receive from the link"), error);
      return;
    }
  /* TRANSLATORS: "Received 3 files from the link" */
  message = g_strdup_printf (ngettext ("Received %d file from the link",
                                       "Received %d files from the link", n_files), n_files);
  g_print ("%s\n", message);
  if (SSYNC_IS_WINDOW (window))
    ssync_window_show_toast (SSYNC_WINDOW (window), message);
}

static void
on_device_found (SsyncSession         *session,
                 SsyncLocalsendDevice *device,
                 gpointer              user_data)
{
  /* TRANSLATORS: "Found “Alice’s phone” (mobile) at 192.168.1.7" */
  g_print (_("Found “%s” (%s) at %s\n"), ssync_localsend_device_get_alias (device),
           ssync_localsend_device_get_device_type (device),
           ssync_localsend_device_get_address (device));
}

static void
on_nearby_started (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SsyncApplication) self = user_data;
  SsyncSession *session = SSYNC_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!ssync_session_start_nearby_finish (session, result, &error))
    {
      report (self, _("Could not look for devices nearby"), error);
      return;
    }
  /* TRANSLATORS: "Nearby devices see this computer as “Alice” (fingerprint 3F2A…)" */
  g_print (_("Nearby devices see this computer as “%s” (fingerprint %.8s…)\n"),
           ssync_session_get_nearby_alias (session),
           ssync_session_get_nearby_fingerprint (session));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SsyncApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  SsyncOptions *options = &self->options;

  if (!ssync_session_send_to_finish (SSYNC_SESSION (source), result, &error))
    {
      /* TRANSLATORS: "Could not send to Alice’s phone: The device declined the files" */
      g_autofree char *what = g_strdup_printf (_("Could not send to %s"), options->send_to);

      report (self, what, error);
      return;
    }
  /* TRANSLATORS: "Sent to Alice’s phone" */
  message = g_strdup_printf (_("Sent to %s"), options->send_to);
  g_print ("%s\n", message);
  ssync_window_show_toast (ssync_application_get_window (self), message);
}

static void
send_now (SsyncApplication *self)
{
  SsyncOptions *options = &self->options;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->send_pending == FALSE)
    return;
  self->send_pending = FALSE;
  for (guint i = 0; options->files[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_commandline_arg (options->files[i]));
  ssync_session_send_to_async (self->session, options->send_to, (GFile **) files->pdata,
                               files->len, options->pin, NULL, on_sent, g_object_ref (self));
}

/* --send-to NAME or FINGERPRINT: sent once Nearby sees that device. */
static void
on_send_device_found (SsyncSession         *session,
                      SsyncLocalsendDevice *device,
                      SsyncApplication     *self)
{
  if (ssync_localsend_device_matches (device, self->options.send_to))
    send_now (self);
}

/* --send-to with a window: Nearby starts (the page shows the device), and the FILEs go to the
 * device once it is seen; the answer is a toast. */
static void
send_to (SsyncApplication *self)
{
  self->send_pending = TRUE;
  if (ssync_options_target_is_address (self->options.send_to))
    {
      send_now (self);
      return;
    }
  g_signal_connect_object (self->session, "nearby-device-found",
                           G_CALLBACK (on_send_device_found), self, 0);
  ssync_session_start_nearby_async (self->session, "desktop", NULL, on_nearby_started,
                                    g_object_ref (self));
}

/* What the command line asks of the primary instance, once its window shows. */
void
ssync_application_run_command_line (SsyncApplication *self)
{
  SsyncOptions *options = &self->options;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; options->files != NULL && options->files[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_commandline_arg (options->files[i]));

  /* A FILE or DIR that is not there is said at once, as headless says it, and nothing of
   * the command line starts; the window stays. */
  if (self->session != NULL && !ssync_options_check_paths (options, &error))
    {
      gtk_window_present (GTK_WINDOW (ssync_application_get_window (self)));
      report_message (self, error->message);
      return;
    }

  if (self->session != NULL && options->send_to != NULL)
    {
      gtk_window_present (GTK_WINDOW (ssync_application_get_window (self)));
      send_to (self);
      return;
    }

  /* With a window, Nearby stays on for the run once asked for. */
  if (self->session != NULL && options->discover > 0)
    {
      g_signal_connect_object (self->session, "nearby-device-found",
                               G_CALLBACK (on_device_found), self, 0);
      ssync_session_start_nearby_async (self->session, "desktop", NULL, on_nearby_started,
                                        g_object_ref (self));
    }

  if (self->session == NULL || (files->len == 0 && options->receive == NULL &&
                                options->fetch == NULL))
    {
      g_application_activate (G_APPLICATION (self));
      return;
    }

  gtk_window_present (GTK_WINDOW (ssync_application_get_window (self)));
  if (options->push)
    ssync_session_add_share_async (self->session, (GFile **) files->pdata, files->len, NULL,
                                   on_push_share_added, g_object_ref (self));
  else if (files->len > 0)
    ssync_session_add_share_async (self->session, (GFile **) files->pdata, files->len, NULL,
                                   on_share_added, g_object_ref (self));
  if (options->receive != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_commandline_arg (options->receive);

      ssync_session_add_receive_share_async (self->session, folder, NULL,
                                             on_receive_share_added, g_object_ref (self));
      /* Nearby devices send there too once Nearby is on: asked in the window, unless
       * --accept-all. */
      ssync_session_set_nearby_receive_folder (self->session, folder, options->accept_all);
    }
  if (options->fetch != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_commandline_arg (options->fetch_to != NULL
                                                                ? options->fetch_to : ".");

      ssync_window_show_toast (ssync_application_get_window (self),
                               _("Receiving from the link over a direct connection…"));
      ssync_session_fetch_with_password_async (self->session, options->fetch, folder,
                                               options->fetch_password, NULL, on_fetched,
                                               g_object_ref (self));
    }
}
