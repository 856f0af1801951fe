/* ssync-send-to-dialog.c: the devices seen nearby, as a list to pick one from; the share's
 * files are then sent to it (ssync_nearby_send_async, which tells how it went). The list
 * follows the session's devices as they come and go, also when Nearby only starts now.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-alert.h"
#include "ssync-device-row.h"
#include "ssync-file-entry.h"
#include "ssync-nearby-send.h"
#include "ssync-send-to-dialog.h"

#define DEVICES_KEY "ssync-send-to-device"
#define SEND_TO_KEY "ssync-send-to"

typedef struct {
  SsyncSession *session;
  SsyncShare *share;
  GtkWindow *parent;      /* toasts and the PIN prompt go there: the dialog closes first */
  GtkListBox *list_box;
  GListModel *devices;    /* the model bound, which changes once when Nearby starts */
} SendTo;

static void
send_to_free (SendTo *data)
{
  g_clear_object (&data->session);
  g_clear_object (&data->share);
  g_clear_weak_pointer (&data->parent);
  g_clear_object (&data->devices);
  g_free (data);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  SsyncLocalsendDevice *device = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (ssync_device_type_icon_name (
                                                    ssync_localsend_device_get_device_type (device)));
  const char *address = ssync_localsend_device_get_address (device);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 ssync_localsend_device_get_alias (device));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), address != NULL ? address : "");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), DEVICES_KEY, g_object_ref (device), g_object_unref);
  return row;
}

/* Before Nearby starts the session answers an empty list that never fills: the real one
 * comes with the first device found. */
static void
bind_devices (SendTo *data)
{
  GListModel *devices = ssync_session_get_nearby_devices (data->session);

  if (devices == data->devices)
    return;
  g_set_object (&data->devices, devices);
  gtk_list_box_bind_model (data->list_box, devices, create_row, NULL, NULL);
}

static void
on_device_found (SsyncSession         *session,
                 SsyncLocalsendDevice *device,
                 GtkWidget            *dialog)
{
  bind_devices (g_object_get_data (G_OBJECT (dialog), SEND_TO_KEY));
}

static void
on_row_activated (GtkListBox    *list_box,
                  GtkListBoxRow *row,
                  GtkWidget     *dialog)
{
  SendTo *data = g_object_get_data (G_OBJECT (dialog), SEND_TO_KEY);
  SsyncLocalsendDevice *device = g_object_get_data (G_OBJECT (row), DEVICES_KEY);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  guint n = ssync_share_get_n_files (data->share);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (files, ssync_file_entry_get_file (ssync_share_get_file (data->share, i)));
  if (data->parent != NULL && files->len > 0)
    ssync_nearby_send_async (GTK_WIDGET (data->parent), data->session, device,
                             (GFile **) files->pdata, files->len, NULL, NULL, NULL);
  ssync_alert_close (SSYNC_ALERT (dialog));
}

/* A dialog listing the devices nearby; picking one sends @share's files to it. */
GtkWidget *
ssync_send_to_dialog_new (GtkWindow    *parent,
                          SsyncSession *session,
                          SsyncShare   *share)
{
  SendTo *data = g_new0 (SendTo, 1);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *placeholder;

  g_return_val_if_fail (SSYNC_IS_SESSION (session), NULL);
  g_return_val_if_fail (SSYNC_IS_SHARE (share), NULL);

  /* TRANSLATORS: %s is the name of a share */
  heading = g_strdup_printf (_("Send “%s” To"), ssync_share_get_name (share));
  dialog = ssync_alert_new (heading, _("LocalSend apps and other ShareSyncs on this network "
                                      "appear here."));
  data->session = g_object_ref (session);
  data->share = g_object_ref (share);
  g_set_weak_pointer (&data->parent, parent);
  data->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (data->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (data->list_box), "boxed-list");
  placeholder = gtk_label_new (_("Looking for devices nearby…"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (data->list_box, placeholder);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (data->list_box));
  ssync_alert_set_extra_child (SSYNC_ALERT (dialog), scrolled);
  ssync_alert_add_response (SSYNC_ALERT (dialog), "cancel", _("_Cancel"));
  ssync_alert_set_close_response (SSYNC_ALERT (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), SEND_TO_KEY, data,
                          (GDestroyNotify) send_to_free);
  bind_devices (data);
  /* The session outlives the dialog: the handler goes with the dialog. */
  g_signal_connect_object (session, "nearby-device-found", G_CALLBACK (on_device_found), dialog,
                           0);
  g_signal_connect_object (data->list_box, "row-activated", G_CALLBACK (on_row_activated),
                           dialog, 0);
  return dialog;
}
