/* ssync-receive-prompt.c: asks whether to accept the files a browser or a nearby device
 * wants to send.
 *
 * The dialog names the sender's address, the files and their total size, and follows the
 * request: files offered while it is open are added to the text, and when the request is
 * decided elsewhere (a notification button, the session's timeout, the share stopped) the
 * dialog closes by itself.
 *
 * A nearby (LocalSend) device also shows its name and the short form of its fingerprint, so
 * that the user can compare it with what the device shows; "New device" the first time, a
 * warning when it claims a trusted fingerprint it could not prove. Its answers can then be
 * kept: "Always Accept From This Device" and "Block".
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-device-row.h"
#include "ssync-localsend-device.h"
#include "ssync-receive-prompt.h"

/* How many names the dialog lists before "and N more". */
#define MAX_NAMES 5

struct _SsyncReceivePrompt
{
  SsyncAlert parent_instance;

  SsyncUploadRequest *request;

  GtkWidget *device_box;
  GtkWidget *new_label;
  GtkLabel *fingerprint_label;
  GtkImage *type_icon;
  GtkWidget *unverified_label;
};

G_DEFINE_FINAL_TYPE (SsyncReceivePrompt, ssync_receive_prompt, SSYNC_TYPE_ALERT)

static void
update_body (SsyncReceivePrompt *self)
{
  g_autofree char *summary = ssync_upload_request_dup_summary (self->request, MAX_NAMES);
  const char *share_name = ssync_share_get_name (ssync_upload_request_get_share (self->request));
  g_autofree char *body = NULL;

  if (ssync_upload_request_get_fingerprint (self->request) != NULL)
    /* TRANSLATORS: "“a.pdf”, “b.txt” (12.5 MB) into “Downloads”, from 192.168.1.7" */
    body = g_strdup_printf (_("%s into “%s”, from %s"), summary, share_name,
                            ssync_upload_request_get_peer (self->request));
  else
    /* TRANSLATORS: "“a.pdf”, “b.txt” (12.5 MB) into “Downloads”" */
    body = g_strdup_printf (_("%s into “%s”"), summary, share_name);
  ssync_alert_set_body (SSYNC_ALERT (self), body);
}

static gboolean
close_later (gpointer user_data)
{
  SsyncAlert *dialog = user_data;

  if (gtk_widget_get_visible (GTK_WIDGET (dialog)))
    ssync_alert_close (dialog);
  return G_SOURCE_REMOVE;
}

/* Answered (here or elsewhere): the dialog goes. Closing waits for an idle moment, because
 * the answer may come from inside the dialog's own response handler, after which the dialog
 * closes itself. */
static void
on_decided (SsyncReceivePrompt *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_later, g_object_ref (self), g_object_unref);
}

static void
on_response (SsyncReceivePrompt *self,
             const char         *response)
{
  if (g_strcmp0 (response, "accept") == 0)
    ssync_upload_request_accept (self->request);
  else if (g_strcmp0 (response, "always") == 0)
    ssync_upload_request_accept_always (self->request);
  else if (g_strcmp0 (response, "block") == 0)
    ssync_upload_request_block (self->request);
  else
    ssync_upload_request_decline (self->request);
}

static void
ssync_receive_prompt_dispose (GObject *object)
{
  SsyncReceivePrompt *self = SSYNC_RECEIVE_PROMPT (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_RECEIVE_PROMPT);
  g_clear_object (&self->request);

  G_OBJECT_CLASS (ssync_receive_prompt_parent_class)->dispose (object);
}

static void
ssync_receive_prompt_class_init (SsyncReceivePromptClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ssync_receive_prompt_dispose;

  ssync_alert_class_set_template (
    widget_class, "/io/github/sharesync/ShareSync/ssync-receive-prompt.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncReceivePrompt, device_box);
  gtk_widget_class_bind_template_child (widget_class, SsyncReceivePrompt, new_label);
  gtk_widget_class_bind_template_child (widget_class, SsyncReceivePrompt, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, SsyncReceivePrompt, type_icon);
  gtk_widget_class_bind_template_child (widget_class, SsyncReceivePrompt, unverified_label);
  gtk_widget_class_bind_template_callback (widget_class, on_response);
}

static void
ssync_receive_prompt_init (SsyncReceivePrompt *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* A browser: Decline or Accept, as always. */
static void
add_browser_responses (SsyncReceivePrompt *self)
{
  SsyncAlert *dialog = SSYNC_ALERT (self);

  ssync_alert_add_response (dialog, "decline", _("_Decline"));
  ssync_alert_add_response (dialog, "accept", _("_Accept"));
  ssync_alert_set_response_appearance (dialog, "decline", ADW_RESPONSE_DESTRUCTIVE);
  ssync_alert_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
}

/* A nearby device: who it says it is, and answers that are kept for the next time. */
static void
show_device (SsyncReceivePrompt *self)
{
  SsyncAlert *dialog = SSYNC_ALERT (self);
  const char *fingerprint = ssync_upload_request_get_fingerprint (self->request);
  const char *device_type = ssync_upload_request_get_device_type (self->request);
  SsyncDeviceTrust trust = ssync_upload_request_get_device_trust (self->request);
  g_autofree char *short_fingerprint = ssync_device_short_fingerprint (fingerprint);
  g_autofree char *tooltip = NULL;
  gboolean unverified;

  /* A device that proved a trusted key is not asked at all: asked, it did not prove it. */
  unverified = trust == SSYNC_DEVICE_TRUST_TRUSTED &&
               !ssync_upload_request_get_verified (self->request);

  gtk_widget_set_visible (self->device_box, TRUE);
  gtk_image_set_from_icon_name (self->type_icon, ssync_device_type_icon_name (device_type));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->type_icon), ssync_device_type_name (device_type));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->type_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  ssync_device_type_name (device_type), -1);
  gtk_widget_set_visible (self->new_label, trust == SSYNC_DEVICE_TRUST_UNKNOWN);
  gtk_widget_set_visible (self->unverified_label, unverified);
  gtk_label_set_text (self->fingerprint_label, short_fingerprint);
  /* TRANSLATORS: the tooltip of a device's short fingerprint */
  tooltip = g_strdup_printf (_("Fingerprint: %s"), fingerprint);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fingerprint_label), tooltip);

  ssync_alert_add_response (dialog, "block", _("_Block"));
  ssync_alert_add_response (dialog, "decline", _("_Decline"));
  ssync_alert_set_response_appearance (dialog, "block", ADW_RESPONSE_DESTRUCTIVE);
  /* Perhaps a stranger using a trusted device's name: nothing invites accepting, and
   * trusting again what is trusted already would change nothing. */
  if (unverified)
    {
      ssync_alert_add_response (dialog, "accept", _("_Accept"));
      ssync_alert_set_default_response (dialog, "decline");
      return;
    }
  ssync_alert_add_response (dialog, "always", _("Al_ways Accept From This Device"));
  ssync_alert_add_response (dialog, "accept", _("_Accept"));
  ssync_alert_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
}

GtkWidget *
ssync_receive_prompt_new (SsyncUploadRequest *request)
{
  SsyncReceivePrompt *self;
  g_autofree char *heading = NULL;
  gboolean nearby;

  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (request), NULL);

  /* A nearby device's request carries its name as the user agent, a browser's the browser. */
  nearby = ssync_upload_request_get_fingerprint (request) != NULL;
  if (nearby)
    /* TRANSLATORS: "Accept Files From “Alice’s phone”?" */
    heading = g_strdup_printf (_("Accept Files From “%s”?"),
                               ssync_upload_request_get_user_agent (request) != NULL
                               ? ssync_upload_request_get_user_agent (request)
                               : ssync_upload_request_get_peer (request));
  else
    /* TRANSLATORS: "Accept Files From 192.168.1.7?" */
    heading = g_strdup_printf (_("Accept Files From %s?"),
                               ssync_upload_request_get_peer (request));
  self = g_object_new (SSYNC_TYPE_RECEIVE_PROMPT, "heading", heading,
                       NULL);
  self->request = g_object_ref (request);
  if (nearby)
    show_device (self);
  else
    add_browser_responses (self);
  update_body (self);
  g_signal_connect_object (request, "notify::n-files", G_CALLBACK (update_body), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (request, "decided", G_CALLBACK (on_decided), self,
                           G_CONNECT_SWAPPED);
  return GTK_WIDGET (self);
}
