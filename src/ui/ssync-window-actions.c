/* ssync-window-actions.c: the window's actions: add and paste files, receive into the
 * receive folder or from another ShareSync's link, open a folder, the preferences, and
 * "win.toast", through which every widget in the window shows a message.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-fetch-dialog.h"
#include "ssync-folder-chooser.h"
#include "ssync-preferences-window.h"
#include "ssync-window-private.h"

static void
on_clipboard_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SsyncWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value;

  value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), result, &error);
  if (value == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ssync_window_show_toast (self, _("There are no files on the clipboard to share"));
      return;
    }

  {
    g_autoptr(GSList) files = gdk_file_list_get_files (g_value_get_boxed (value));

    if (files == NULL)
      ssync_window_show_toast (self, _("There are no files on the clipboard to share"));
    else
      ssync_window_share_file_list (self, files);
  }
}

static void
paste (GSimpleAction *action,
       GVariant      *parameter,
       gpointer       user_data)
{
  SsyncWindow *self = user_data;
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                  self->cancellable, on_clipboard_read, g_object_ref (self));
}

static void
on_files_chosen (GListModel   *files,
                 const GError *error,
                 gpointer      user_data)
{
  SsyncWindow *self = user_data;

  if (files != NULL)
    ssync_window_share_list_model (self, files);
  else
    ssync_window_show_error (self, _("Could not choose files"), error);
}

static void
add_files (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  SsyncWindow *self = user_data;

  ssync_choose_files (GTK_WINDOW (self), _("Share Files"), _("_Share"), self->cancellable,
                      on_files_chosen, g_object_ref (self), g_object_unref);
}

static void
on_receive_share_added (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(SsyncWindow) self = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;

  share = ssync_session_add_receive_share_finish (SSYNC_SESSION (source), result, &error);
  if (share == NULL)
    ssync_window_show_error (self, _("Could not receive files"), error);
}

static void
receive_into (SsyncWindow *self,
              GFile       *folder)
{
  ssync_session_add_receive_share_async (self->session, folder, self->cancellable,
                                         on_receive_share_added, g_object_ref (self));
}

static void
on_folder_chosen (GFile        *folder,
                  const GError *error,
                  gpointer      user_data)
{
  SsyncWindow *self = user_data;

  if (folder != NULL)
    receive_into (self, folder);
  else
    ssync_window_show_error (self, _("Could not choose a folder"), error);
}

static void
choose_receive_folder (SsyncWindow *self)
{
  ssync_choose_folder (GTK_WINDOW (self), _("Receive Files Into"), _("_Receive Here"), NULL,
                       self->cancellable, on_folder_chosen, g_object_ref (self),
                       g_object_unref);
}

#if GTK_CHECK_VERSION (4, 10, 0)
/* GTK 4.10 API, used only behind its version check: the build pins GDK_VERSION_MAX_ALLOWED
 * to Debian 12's GTK 4.8, which would otherwise warn here against a newer GTK. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
on_folder_opened (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SsyncWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (source), result, &error) &&
      !g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    ssync_window_show_error (self, _("Could not open the folder"), error);
}

static void
open_folder (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SsyncWindow *self = user_data;
  g_autoptr(GtkUriLauncher) launcher = NULL;

  /* GtkUriLauncher goes through the OpenURI portal inside a Flatpak. */
  launcher = gtk_uri_launcher_new (g_variant_get_string (parameter, NULL));
  gtk_uri_launcher_launch (launcher, GTK_WINDOW (self), self->cancellable, on_folder_opened,
                           g_object_ref (self));
}
G_GNUC_END_IGNORE_DEPRECATIONS
#else
static void
on_folder_opened (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SsyncWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    ssync_window_show_error (self, _("Could not open the folder"), error);
}

static void
open_folder (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SsyncWindow *self = user_data;

  /* GIO's launcher goes through the portal too inside a Flatpak. */
  g_app_info_launch_default_for_uri_async (g_variant_get_string (parameter, NULL), NULL,
                                           self->cancellable, on_folder_opened,
                                           g_object_ref (self));
}
#endif

static gboolean
is_receiving_into (SsyncWindow *self,
                   GFile       *folder)
{
  GListModel *shares = ssync_session_get_shares (self->session);
  guint n = g_list_model_get_n_items (shares);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SsyncShare) share = g_list_model_get_item (shares, i);

      if (ssync_share_get_kind (share) == SSYNC_SHARE_KIND_RECEIVE &&
          g_file_equal (ssync_share_get_folder (share), folder))
        return TRUE;
    }
  return FALSE;
}

/* Receiving goes into the folder the preferences name (Downloads unless changed), so one
 * click shows the link; only without preferences does ShareSync ask where. */
static void
receive_files (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  SsyncWindow *self = user_data;
  g_autoptr(GSettings) settings = ssync_preferences_lookup_settings ();
  g_autoptr(GFile) folder = NULL;

  if (settings == NULL)
    {
      choose_receive_folder (self);
      return;
    }
  folder = ssync_preferences_dup_receive_folder (settings);
  if (is_receiving_into (self, folder))
    {
      ssync_window_show_toast (self, _("Files are already being received into this folder: "
                                       "its link is in the list"));
      return;
    }
  receive_into (self, folder);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SsyncWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *uri = NULL;
  AdwToast *toast;
  int n_files;

  n_files = ssync_session_fetch_finish (SSYNC_SESSION (source), result, &error);
  if (n_files < 0)
    {
      ssync_window_show_error (self, _("Could not receive from the link"), error);
      return;
    }

  /* TRANSLATORS: "Received 3 files from the link" */
  message = g_strdup_printf (ngettext ("Received %d file from the link",
                                       "Received %d files from the link", n_files), n_files);
  toast = adw_toast_new (message);
  uri = g_file_get_uri (self->fetch_folder);
  adw_toast_set_button_label (toast, _("_Open Folder"));
  adw_toast_set_action_name (toast, "win.open-folder");
  adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_fetch_link (const char *url,
               gpointer    user_data)
{
  SsyncWindow *self = user_data;

  ssync_window_show_toast (self, _("Receiving from the link over a direct connection…"));
  ssync_session_fetch_async (self->session, url, self->fetch_folder, self->cancellable,
                             on_fetched, g_object_ref (self));
}

/* Fetches another ShareSync's share over WebRTC into the receive folder. */
static void
receive_from_link (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  SsyncWindow *self = user_data;
  g_autoptr(GSettings) settings = ssync_preferences_lookup_settings ();
  g_autofree char *name = NULL;
  const char *unavailable = NULL;

  if (!ssync_session_get_rtc_available (self->session, &unavailable))
    {
      ssync_window_show_toast (self, unavailable);
      return;
    }

  g_clear_object (&self->fetch_folder);
  self->fetch_folder = ssync_preferences_dup_receive_folder (settings);
  name = g_file_get_basename (self->fetch_folder);
  ssync_alert_present (SSYNC_ALERT (ssync_fetch_dialog_new (name, on_fetch_link, self)),
                       GTK_WIDGET (self));
}

/* The preferences' page called @page ("general", "receiving", "cloud": the ids of their
 * template's pages without "_page"), or the first one for NULL. */
static void
show_preferences (SsyncWindow *self,
                  const char  *page)
{
  g_autoptr(GSettings) settings = ssync_preferences_lookup_settings ();
  g_autofree char *id = page != NULL ? g_strconcat (page, "_page", NULL) : NULL;
  SsyncPreferencesWindow *window;
  GObject *shown;

  /* Without the schema (ShareSync run from a build directory) there is nowhere to keep them;
   * ShareSync runs on its defaults then. */
  if (settings == NULL)
    {
      ssync_window_show_toast (self, _("Preferences are unavailable: their schema is not "
                                       "installed"));
      return;
    }
  window = ssync_preferences_window_new (GTK_WINDOW (self), settings,
                                         ssync_session_get_secrets (self->session));
  shown = id != NULL ? gtk_widget_get_template_child (GTK_WIDGET (window),
                                                      SSYNC_TYPE_PREFERENCES_WINDOW, id)
                     : NULL;
  if (ADW_IS_PREFERENCES_PAGE (shown))
    {
#if ADW_CHECK_VERSION (1, 5, 0)
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      adw_preferences_dialog_set_visible_page (ADW_PREFERENCES_DIALOG (window),
                                               ADW_PREFERENCES_PAGE (shown));
      G_GNUC_END_IGNORE_DEPRECATIONS
#else
      adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (window),
                                               ADW_PREFERENCES_PAGE (shown));
#endif
    }
  ssync_preferences_window_present (window);
}

static void
preferences (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  show_preferences (user_data, NULL);
}

/* "win.show-preferences" with a page's name: where a card's "Set Up Cloud Storage…" leads. */
static void
preferences_page (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  show_preferences (user_data, g_variant_get_string (parameter, NULL));
}

/* The whole of an error a toast had no room for: ("(ss)") what failed, and why. */
static void
error_details (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  SsyncWindow *self = user_data;
  const char *what;
  const char *why;
  GtkWidget *dialog;
  g_autofree char *sentence = NULL;
  char first[8];

  /* Errors start in lower case to follow "what: "; alone, the sentence starts a capital. */
  g_variant_get (parameter, "(&s&s)", &what, &why);
  first[g_unichar_to_utf8 (g_unichar_totitle (g_utf8_get_char (why)), first)] = '\0';
  sentence = why[0] != '\0' ? g_strconcat (first, g_utf8_next_char (why), NULL)
                           : g_strdup (why);
  dialog = ssync_alert_new (what, sentence);
  ssync_alert_add_response (SSYNC_ALERT (dialog), "close", _("_Close"));
  ssync_alert_present (SSYNC_ALERT (dialog), GTK_WIDGET (self));
}

/* A push that found no cloud settings: a short toast whose button opens them. */
static void
cloud_not_set_up (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  SsyncWindow *self = user_data;
  AdwToast *toast = adw_toast_new (_("Cloud storage is not set up yet"));

  adw_toast_set_button_label (toast, _("_Set Up…"));
  adw_toast_set_action_name (toast, "win.show-preferences");
  adw_toast_set_action_target_value (toast, g_variant_new_string ("cloud"));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
send_share_to (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  ssync_window_send_share_to (user_data, g_variant_get_string (parameter, NULL));
}

/* A message from any widget of the window ("s": already translated). */
static void
toast (GSimpleAction *action,
       GVariant      *parameter,
       gpointer       user_data)
{
  ssync_window_show_toast (user_data, g_variant_get_string (parameter, NULL));
}

static const GActionEntry win_entries[] = {
  { "add-files", add_files },
  { "receive-files", receive_files },
  { "paste", paste },
  { "preferences", preferences },
  { "show-preferences", preferences_page, "s" },
  { "cloud-not-set-up", cloud_not_set_up },
  { "error-details", error_details, "(ss)" },
  { "open-folder", open_folder, "s" },
  { "receive-from-link", receive_from_link },
  { "toast", toast, "s" },
  { "send-share-to", send_share_to, "s" },
};

void
ssync_window_add_actions (SsyncWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries, G_N_ELEMENTS (win_entries),
                                   self);
}
