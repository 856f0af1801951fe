/* ssync-fetch-dialog.c: asks for the link of another ShareSync's share, to fetch it over a
 * direct (WebRTC) connection; "Receive" waits for something that looks like a share link.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-fetch-dialog.h"

struct _SsyncFetchDialog
{
  SsyncAlert parent_instance;

  SsyncFetchDialogDone done;
  gpointer done_data;

  GtkEntry *entry;
  GtkPasswordEntry *password_entry;
  GtkLabel *problem_label;
};

G_DEFINE_FINAL_TYPE (SsyncFetchDialog, ssync_fetch_dialog, SSYNC_TYPE_ALERT)

/* A share link: http(s)://HOST[:PORT]/s/TOKEN, as the other app shows it. */
static gboolean
is_share_link (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  return uri != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "https") == 0) &&
         g_uri_get_host (uri) != NULL &&
         g_str_has_prefix (g_uri_get_path (uri), "/s/") &&
         g_uri_get_path (uri)[3] != '\0';
}

static void
on_changed (SsyncFetchDialog *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *text = g_strstrip (g_strdup (typed));

  ssync_alert_set_response_enabled (SSYNC_ALERT (self), "fetch",
                                           is_share_link (text));
}

static void
on_activate (SsyncFetchDialog *self)
{
  if (ssync_alert_get_response_enabled (SSYNC_ALERT (self), "fetch"))
    {
      ssync_alert_response (SSYNC_ALERT (self), "fetch");
      ssync_alert_close (SSYNC_ALERT (self));
    }
}

static void
on_response (SsyncFetchDialog *self,
             const char       *response)
{
  g_autofree char *url = NULL;
  const char *password;

  if (g_strcmp0 (response, "fetch") != 0 || self->done == NULL)
    return;
  url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  self->done (url, password[0] != '\0' ? password : NULL, self->done_data);
}

static void
ssync_fetch_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SSYNC_TYPE_FETCH_DIALOG);

  G_OBJECT_CLASS (ssync_fetch_dialog_parent_class)->dispose (object);
}

static void
ssync_fetch_dialog_class_init (SsyncFetchDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ssync_fetch_dialog_dispose;

  ssync_alert_class_set_template (
    widget_class, "/io/github/sharesync/ShareSync/ssync-fetch-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncFetchDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, SsyncFetchDialog, password_entry);
  gtk_widget_class_bind_template_child (widget_class, SsyncFetchDialog, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_response);
}

static void
ssync_fetch_dialog_init (SsyncFetchDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ssync_fetch_dialog_new (const char           *folder_name,
                        SsyncFetchDialogDone  done,
                        gpointer              user_data)
{
  SsyncFetchDialog *self;
  g_autofree char *body = NULL;


  /* TRANSLATORS: %s is the folder files are saved into, such as “Downloads” */
  /* Not "encrypted": the files come over the other computer's web server (plain HTTP on
   * the network) unless that cannot be reached. */
  body = g_strdup_printf (_("Paste the link another ShareSync shows. Its files come straight "
                            "from that computer into “%s”."), folder_name);
  self = g_object_new (SSYNC_TYPE_FETCH_DIALOG, "body", body, NULL);
  self->done = done;
  self->done_data = user_data;
  return GTK_WIDGET (self);
}

/* Asks again for @url's share, whose fetch failed for want of its password (or with a wrong
 * one, or after too many): @problem says which, above the password field, which has the
 * focus. */
void
ssync_fetch_dialog_ask_password (SsyncFetchDialog *self,
                                 const char       *url,
                                 const char       *problem)
{
  g_return_if_fail (SSYNC_IS_FETCH_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->entry), url);
  gtk_label_set_text (self->problem_label, problem);
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
}
