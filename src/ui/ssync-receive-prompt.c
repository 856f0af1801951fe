/* ssync-receive-prompt.c: asks whether to accept the files a browser wants to send.
 *
 * The dialog names the sender's address, the files and their total size, and follows the
 * request: files offered while it is open are added to the text, and when the request is
 * decided elsewhere (a notification button, the session's timeout, the share stopped) the
 * dialog closes by itself.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-receive-prompt.h"

/* How many names the dialog lists before "and N more". */
#define MAX_NAMES 5

/* AdwMessageDialog (1.2) is what Debian 12 has; 1.6 deprecates it for AdwAlertDialog. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
update_body (AdwMessageDialog   *dialog,
             SsyncUploadRequest *request)
{
  g_autofree char *summary = ssync_upload_request_dup_summary (request, MAX_NAMES);
  g_autofree char *body = NULL;

  /* TRANSLATORS: "“a.pdf”, “b.txt” (12.5 MB) into “Downloads”" */
  body = g_strdup_printf (_("%s into “%s”"), summary,
                          ssync_share_get_name (ssync_upload_request_get_share (request)));
  adw_message_dialog_set_body (dialog, body);
}

static void
on_files_changed (SsyncUploadRequest *request,
                  GParamSpec         *pspec,
                  AdwMessageDialog   *dialog)
{
  update_body (dialog, request);
}

static gboolean
close_later (gpointer user_data)
{
  GtkWindow *dialog = user_data;

  if (gtk_widget_get_visible (GTK_WIDGET (dialog)))
    gtk_window_close (dialog);
  return G_SOURCE_REMOVE;
}

/* Answered (here or elsewhere): the dialog goes. Closing waits for an idle moment, because
 * the answer may come from inside the dialog's own response handler, after which the dialog
 * closes itself. */
static void
on_decided (SsyncUploadRequest *request,
            GtkWindow          *dialog)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_later, g_object_ref (dialog), g_object_unref);
}

static void
on_response (AdwMessageDialog   *dialog,
             const char         *response,
             SsyncUploadRequest *request)
{
  if (g_strcmp0 (response, "accept") == 0)
    ssync_upload_request_accept (request);
  else
    ssync_upload_request_decline (request);
}

GtkWindow *
ssync_receive_prompt_new (GtkWindow          *parent,
                          SsyncUploadRequest *request)
{
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (request), NULL);

  /* TRANSLATORS: "Accept Files From 192.168.1.7?" */
  heading = g_strdup_printf (_("Accept Files From %s?"), ssync_upload_request_get_peer (request));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, NULL));
  update_body (dialog, request);
  adw_message_dialog_add_responses (dialog,
                                    "decline", _("_Decline"),
                                    "accept", _("_Accept"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "decline", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "accept");
  /* Closing the dialog (Escape) without an answer declines: nothing arrives unasked. */
  adw_message_dialog_set_close_response (dialog, "decline");

  g_object_set_data_full (G_OBJECT (dialog), "ssync-request", g_object_ref (request),
                          g_object_unref);
  g_signal_connect_object (request, "notify::n-files", G_CALLBACK (on_files_changed), dialog, 0);
  g_signal_connect_object (request, "decided", G_CALLBACK (on_decided), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_response), request, 0);

  return GTK_WINDOW (dialog);
}

G_GNUC_END_IGNORE_DEPRECATIONS
