/* ssync-fetch-dialog.c: asks for the link of another ShareSync's share, to fetch it over a
 * direct (WebRTC) connection.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-fetch-dialog.h"

typedef struct {
  GtkEntry *entry;
  SsyncFetchDialogDone done;
  gpointer done_data;
} Fetch;

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

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
on_changed (GtkEditable      *entry,
            AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "fetch", is_share_link (text));
}

static void
on_activate (GtkEntry         *entry,
             AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "fetch"))
    {
      adw_message_dialog_response (dialog, "fetch");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  Fetch *fetch = g_object_get_data (G_OBJECT (dialog), "ssync-fetch");
  g_autofree char *url = NULL;

  if (fetch == NULL || g_strcmp0 (response, "fetch") != 0)
    return;
  url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (fetch->entry))));
  fetch->done (url, fetch->done_data);
}

GtkWindow *
ssync_fetch_dialog_new (GtkWindow            *parent,
                        const char           *folder_name,
                        SsyncFetchDialogDone  done,
                        gpointer              user_data)
{
  Fetch *fetch = g_new0 (Fetch, 1);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  fetch->done = done;
  fetch->done_data = user_data;

  /* TRANSLATORS: %s is the folder files are saved into, such as “Downloads” */
  body = g_strdup_printf (_("Paste the link another ShareSync shows. Its files come straight "
                            "from that computer, encrypted, into “%s”."), folder_name);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Receive From Link"), body));

  fetch->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (fetch->entry, "http://192.168.1.20:5001/s/…");
  gtk_entry_set_input_purpose (fetch->entry, GTK_INPUT_PURPOSE_URL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (fetch->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Link of the share"), -1);
  adw_message_dialog_set_extra_child (dialog, GTK_WIDGET (fetch->entry));

  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "fetch", _("_Receive"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "fetch", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "fetch", FALSE);
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "ssync-fetch", fetch, g_free);
  g_signal_connect (fetch->entry, "changed", G_CALLBACK (on_changed), dialog);
  g_signal_connect (fetch->entry, "activate", G_CALLBACK (on_activate), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), NULL);
  return GTK_WINDOW (dialog);
}

G_GNUC_END_IGNORE_DEPRECATIONS
