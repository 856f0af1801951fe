/* ssync-nearby-send.c: sends files to a nearby device through the session
 * (ssync_session_send_to_async), and talks to the user about it: a PIN prompt when the
 * receiver asks for one (then the same files again with that PIN), and one toast at the end
 * through "win.toast" ("Sent 3 files to Alice’s phone", declined, busy, unreachable).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-alert.h"
#include "ssync-error.h"
#include "ssync-nearby-send.h"

typedef struct {
  GtkWidget *widget;   /* toasts go through its "win.toast", the prompt over its window */
  SsyncSession *session;
  char *alias;
  char *fingerprint;
  GPtrArray *files;    /* GFile */
  guint n_tries;
} Send;

static void
send_free (Send *send)
{
  g_clear_object (&send->widget);
  g_clear_object (&send->session);
  g_free (send->alias);
  g_free (send->fingerprint);
  g_ptr_array_unref (send->files);
  g_free (send);
}

static void
show_toast (Send       *send,
            const char *message)
{
  gtk_widget_activate_action (send->widget, "win.toast", "s", message);
}

static void send_now (GTask      *task,
                      const char *pin);

static void
on_pin_response (SsyncAlert *dialog,
                 const char       *response,
                 GTask            *task)
{
  GtkEditable *entry = GTK_EDITABLE (ssync_alert_get_extra_child (dialog));
  const char *pin = gtk_editable_get_text (entry);

  /* One answer per prompt: closing the dialog after a response answers "cancel" too. */
  g_signal_handlers_disconnect_by_func (dialog, on_pin_response, task);
  if (g_strcmp0 (response, "send") == 0 && *pin != '\0')
    send_now (task, pin);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("No PIN given"));
  g_object_unref (task);
}

static void
on_pin_changed (GtkEditable      *entry,
                SsyncAlert *dialog)
{
  ssync_alert_set_response_enabled (dialog, "send",
                                           *gtk_editable_get_text (entry) != '\0');
}

/* The receiver wants a PIN (or did not take the one given): ask for it. */
static void
ask_pin (GTask *task)
{
  Send *send = g_task_get_task_data (task);
  GtkWidget *dialog;
  /* A plain entry: the receiver shows the PIN on its screen anyway (and GTK 4.8's password
   * entry warns when its dialog closes). */
  GtkWidget *entry = gtk_entry_new ();
  g_autofree char *body = NULL;

  if (send->n_tries > 1)
    /* TRANSLATORS: %s is a device's name */
    body = g_strdup_printf (_("“%s” did not accept that PIN. Type the PIN it shows."),
                            send->alias);
  else
    /* TRANSLATORS: %s is a device's name */
    body = g_strdup_printf (_("“%s” asks for a PIN before it takes files. Type the PIN it "
                              "shows."), send->alias);
  dialog = ssync_alert_new (_("PIN Required"), body);
  g_object_set (entry, "activates-default", TRUE, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("PIN"), -1);
  ssync_alert_set_extra_child (SSYNC_ALERT (dialog), entry);
  ssync_alert_add_response (SSYNC_ALERT (dialog), "cancel", _("_Cancel"));
  ssync_alert_add_response (SSYNC_ALERT (dialog), "send", _("_Send"));
  ssync_alert_set_response_appearance (SSYNC_ALERT (dialog), "send", ADW_RESPONSE_SUGGESTED);
  ssync_alert_set_response_enabled (SSYNC_ALERT (dialog), "send", FALSE);
  ssync_alert_set_default_response (SSYNC_ALERT (dialog), "send");
  ssync_alert_set_close_response (SSYNC_ALERT (dialog), "cancel");
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_pin_changed), dialog, 0);
  g_signal_connect (dialog, "response", G_CALLBACK (on_pin_response), g_object_ref (task));
  ssync_alert_present (SSYNC_ALERT (dialog), send->widget);
  gtk_widget_grab_focus (entry);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Send *send = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (ssync_session_send_to_finish (SSYNC_SESSION (source), result, &error))
    {
      /* TRANSLATORS: "Sent 3 files to Alice’s phone" */
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Sent %u file to %s",
                                              "Sent %u files to %s", send->files->len),
                                 send->files->len, send->alias);
      show_toast (send, message);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED))
    {
      ask_pin (task);
      return;
    }
  if (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_DECLINED))
    /* TRANSLATORS: %s is a device's name */
    message = g_strdup_printf (_("“%s” declined the files"), send->alias);
  else if (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_BUSY))
    /* TRANSLATORS: %s is a device's name */
    message = g_strdup_printf (_("“%s” is busy receiving other files: try again later"),
                               send->alias);
  else if (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE))
    /* TRANSLATORS: "Could not reach “Alice’s phone”: Connection refused" */
    message = g_strdup_printf (_("Could not reach “%s”: %s"), send->alias, error->message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* TRANSLATORS: "Could not send to “Alice’s phone”: …" */
    message = g_strdup_printf (_("Could not send to “%s”: %s"), send->alias, error->message);
  if (message != NULL)
    show_toast (send, message);
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
send_now (GTask      *task,
          const char *pin)
{
  Send *send = g_task_get_task_data (task);

  send->n_tries++;
  ssync_session_send_to_async (send->session, send->fingerprint,
                               (GFile **) send->files->pdata, send->files->len, pin,
                               g_task_get_cancellable (task), on_sent, g_object_ref (task));
}

/* Sends @files to @device, named by its fingerprint (aliases need not be unique). The
 * outcome is told to the user here; @callback only learns that it is over. */
void
ssync_nearby_send_async (GtkWidget             *widget,
                         SsyncSession          *session,
                         SsyncLocalsendDevice  *device,
                         GFile                **files,
                         guint                  n_files,
                         GCancellable          *cancellable,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (widget, cancellable, callback, user_data);
  Send *send = g_new0 (Send, 1);

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (SSYNC_IS_SESSION (session));
  g_return_if_fail (SSYNC_IS_LOCALSEND_DEVICE (device));

  g_task_set_source_tag (task, ssync_nearby_send_async);
  send->widget = g_object_ref (widget);
  send->session = g_object_ref (session);
  send->alias = g_strdup (ssync_localsend_device_get_alias (device));
  send->fingerprint = g_strdup (ssync_localsend_device_get_fingerprint (device));
  send->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (send->files, g_object_ref (files[i]));
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);
  send_now (task, NULL);
}

gboolean
ssync_nearby_send_finish (GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
