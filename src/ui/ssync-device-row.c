/* ssync-device-row.c: a nearby device (a LocalSend app or another ShareSync) as a row: its
 * name, a type icon, its address and the short form of its fingerprint (the whole one in
 * the tooltip), kept up to date as the device announces itself again. Files dropped on the
 * row, or chosen with its button, are sent to it; while files go to it (from here or from a
 * share card's "Send To…"), a progress bar shows how far.
 *
 * What the user decided about the device shows as a "Trusted" or "Blocked" tag; the row's
 * menu changes it (Trust, Block, Forget Decision), and the row follows the session's
 * "device-trust-changed", whoever changed it (the receive prompt, another row, headless).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-device-row.h"
#include "ssync-folder-chooser.h"
#include "ssync-nearby-send.h"
#include "ssync-transfer.h"

struct _SsyncDeviceRow
{
  AdwActionRow parent_instance;

  SsyncSession *session;
  SsyncLocalsendDevice *device;
  GCancellable *cancellable;  /* the send this row started, while it runs */
  GPtrArray *transfers;       /* SsyncTransfer in flight to this device */

  GtkImage *type_icon;
  GtkProgressBar *progress;
  GtkLabel *trust_label;
  GtkLabel *fingerprint_label;
  GtkMenuButton *trust_button;
  GtkButton *send_button;
  GtkButton *cancel_button;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_DEVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SsyncDeviceRow, ssync_device_row, ADW_TYPE_ACTION_ROW)

/* LocalSend's device types: phones, desktops (and servers, headless ShareSyncs), browsers. */
const char *
ssync_device_type_icon_name (const char *device_type)
{
  if (g_strcmp0 (device_type, "mobile") == 0)
    return "phone-symbolic";
  if (g_strcmp0 (device_type, "web") == 0)
    return "web-browser-symbolic";
  return "computer-symbolic";
}

/* What a person calls a device of @device_type, for the icon's tooltip and screen readers. */
const char *
ssync_device_type_name (const char *device_type)
{
  if (g_strcmp0 (device_type, "mobile") == 0)
    return _("Phone or tablet");
  if (g_strcmp0 (device_type, "web") == 0)
    return _("Web browser");
  if (g_strcmp0 (device_type, "headless") == 0 || g_strcmp0 (device_type, "server") == 0)
    return _("Server");
  return _("Computer");
}

static void
update_device (SsyncDeviceRow *self)
{
  const char *fingerprint = ssync_localsend_device_get_fingerprint (self->device);
  const char *model = ssync_localsend_device_get_device_model (self->device);
  const char *address = ssync_localsend_device_get_address (self->device);
  g_autofree char *short_fingerprint = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self),
                                 ssync_localsend_device_get_alias (self->device));
  if (model != NULL && address != NULL)
    /* TRANSLATORS: a nearby device's address and model, "192.168.1.7 · Pixel 7" */
    subtitle = g_strdup_printf (_("%s · %s"), address, model);
  else
    subtitle = g_strdup (address != NULL ? address : model);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle != NULL ? subtitle : "");
  gtk_image_set_from_icon_name (self->type_icon, ssync_device_type_icon_name (
                                  ssync_localsend_device_get_device_type (self->device)));
  /* The same grouping as the receive prompt shows, to compare one with the other. */
  if (fingerprint != NULL)
    short_fingerprint = ssync_device_short_fingerprint (fingerprint);
  gtk_label_set_text (self->fingerprint_label, short_fingerprint);
  /* TRANSLATORS: the tooltip of a device's short fingerprint */
  tooltip = g_strdup_printf (_("Fingerprint: %s"), fingerprint);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fingerprint_label), tooltip);
}

static void
update_trust (SsyncDeviceRow *self)
{
  const char *fingerprint = ssync_localsend_device_get_fingerprint (self->device);
  SsyncDeviceTrust trust = SSYNC_DEVICE_TRUST_UNKNOWN;
  GtkWidget *tag = GTK_WIDGET (self->trust_label);

  if (fingerprint != NULL)
    trust = ssync_session_get_device_trust (self->session, fingerprint);
  gtk_widget_set_visible (tag, trust == SSYNC_DEVICE_TRUST_TRUSTED ||
                               trust == SSYNC_DEVICE_TRUST_BLOCKED);
  gtk_label_set_text (self->trust_label,
                      trust == SSYNC_DEVICE_TRUST_BLOCKED ? _("Blocked") : _("Trusted"));
  if (trust == SSYNC_DEVICE_TRUST_BLOCKED)
    gtk_widget_add_css_class (tag, "blocked");
  else
    gtk_widget_remove_css_class (tag, "blocked");
  if (trust == SSYNC_DEVICE_TRUST_TRUSTED)
    gtk_widget_add_css_class (tag, "trusted");
  else
    gtk_widget_remove_css_class (tag, "trusted");

  /* Without a fingerprint there is nothing to keep a decision about. */
  gtk_widget_set_visible (GTK_WIDGET (self->trust_button), fingerprint != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.trust",
                                 fingerprint != NULL && trust != SSYNC_DEVICE_TRUST_TRUSTED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.block",
                                 fingerprint != NULL && trust != SSYNC_DEVICE_TRUST_BLOCKED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.forget",
                                 trust == SSYNC_DEVICE_TRUST_TRUSTED ||
                                 trust == SSYNC_DEVICE_TRUST_BLOCKED);
}

static void
on_device_trust_changed (SsyncSession   *session,
                         const char     *fingerprint,
                         SsyncDeviceRow *self)
{
  const char *mine = ssync_localsend_device_get_fingerprint (self->device);

  if (mine != NULL && fingerprint != NULL && g_ascii_strcasecmp (mine, fingerprint) == 0)
    update_trust (self);
}

static void
set_trust (SsyncDeviceRow   *self,
           SsyncDeviceTrust  trust)
{
  const char *fingerprint = ssync_localsend_device_get_fingerprint (self->device);

  if (fingerprint == NULL)
    return;
  ssync_session_set_device_trust (self->session, fingerprint,
                                  ssync_localsend_device_get_alias (self->device),
                                  ssync_localsend_device_get_device_type (self->device), trust);
}

static void
trust_device (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  set_trust (SSYNC_DEVICE_ROW (widget), SSYNC_DEVICE_TRUST_TRUSTED);
}

static void
block_device (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  set_trust (SSYNC_DEVICE_ROW (widget), SSYNC_DEVICE_TRUST_BLOCKED);
}

/* Back to "seen": the next files from it are asked about again. */
static void
forget_device (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  set_trust (SSYNC_DEVICE_ROW (widget), SSYNC_DEVICE_TRUST_SEEN);
}

static void
update_progress (SsyncDeviceRow *self)
{
  guint64 bytes = 0;
  guint64 total = 0;
  gboolean sending;

  /* A send that outlived its row ends here after dispose. */
  if (self->transfers == NULL)
    return;
  sending = self->cancellable != NULL || self->transfers->len > 0;
  for (guint i = 0; i < self->transfers->len; i++)
    {
      SsyncTransfer *transfer = g_ptr_array_index (self->transfers, i);

      bytes += ssync_transfer_get_bytes (transfer);
      total += ssync_transfer_get_total (transfer);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->progress), sending);
  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress, MIN (1.0, (double) bytes / total));
  else if (sending)
    gtk_progress_bar_pulse (self->progress);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), self->cancellable != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->send_button), self->cancellable == NULL);
}

static void
on_transfer_finished (SsyncTransfer  *transfer,
                      SsyncDeviceRow *self)
{
  g_signal_handlers_disconnect_by_data (transfer, self);
  g_ptr_array_remove (self->transfers, transfer);
  update_progress (self);
}

/* Files going to this device, whoever started them: LocalSend sends name the device by its
 * address. */
static void
on_transfer_started (SsyncSession   *session,
                     SsyncTransfer  *transfer,
                     SsyncDeviceRow *self)
{
  if (ssync_transfer_get_kind (transfer) != SSYNC_TRANSFER_KIND_LOCALSEND ||
      ssync_transfer_get_direction (transfer) != SSYNC_DIRECTION_DOWNLOAD ||
      g_strcmp0 (ssync_transfer_get_peer (transfer),
                 ssync_localsend_device_get_address (self->device)) != 0)
    return;

  g_ptr_array_add (self->transfers, g_object_ref (transfer));
  g_signal_connect_object (transfer, "notify::bytes", G_CALLBACK (update_progress), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (transfer, "finished", G_CALLBACK (on_transfer_finished), self, 0);
  update_progress (self);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SsyncDeviceRow) self = user_data;

  /* The user was told how it went already. */
  ssync_nearby_send_finish (result, NULL);
  g_clear_object (&self->cancellable);
  update_progress (self);
}

/* Sends @files to the device; one send at a time from a row. */
void
ssync_device_row_send (SsyncDeviceRow  *self,
                       GFile          **files,
                       guint            n_files)
{
  g_return_if_fail (SSYNC_IS_DEVICE_ROW (self));

  if (n_files == 0 || self->cancellable != NULL)
    return;

  self->cancellable = g_cancellable_new ();
  update_progress (self);
  ssync_nearby_send_async (GTK_WIDGET (self), self->session, self->device, files, n_files,
                           self->cancellable, on_sent, g_object_ref (self));
}

gboolean
ssync_device_row_is_sending (SsyncDeviceRow *self)
{
  g_return_val_if_fail (SSYNC_IS_DEVICE_ROW (self), FALSE);

  return self->cancellable != NULL;
}

static gboolean
on_drop (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         SsyncDeviceRow *self)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  g_autoptr(GSList) list = NULL;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  if (files->len == 0 || self->cancellable != NULL)
    return FALSE;
  ssync_device_row_send (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

/* Errors of the chooser itself have nowhere better to go than the log. */
static void
on_files_chosen (GListModel   *chosen,
                 const GError *error,
                 gpointer      user_data)
{
  SsyncDeviceRow *self = user_data;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  if (chosen == NULL)
    {
      g_warning ("Could not choose files to send: %s", error->message);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (chosen); i++)
    g_ptr_array_add (files, g_list_model_get_item (chosen, i));
  ssync_device_row_send (self, (GFile **) files->pdata, files->len);
}

/* The keyboard's way to send, beside the drop. */
static void
send_files (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SsyncDeviceRow *self = SSYNC_DEVICE_ROW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *title = NULL;

  /* TRANSLATORS: the title of the file chooser, "Send Files to Alice’s phone" */
  title = g_strdup_printf (_("Send Files to %s"), ssync_localsend_device_get_alias (self->device));
  ssync_choose_files (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, title, _("_Send"), NULL,
                      on_files_chosen, g_object_ref (self), g_object_unref);
}

static void
cancel_send (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SsyncDeviceRow *self = SSYNC_DEVICE_ROW (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
ssync_device_row_constructed (GObject *object)
{
  SsyncDeviceRow *self = SSYNC_DEVICE_ROW (object);
  const char *alias = ssync_localsend_device_get_alias (self->device);
  g_autofree char *send_label = NULL;
  g_autofree char *cancel_label = NULL;
  g_autofree char *trust_label = NULL;

  G_OBJECT_CLASS (ssync_device_row_parent_class)->constructed (object);

  update_device (self);
  update_trust (self);
  g_signal_connect_object (self->device, "notify", G_CALLBACK (update_device), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "device-trust-changed",
                           G_CALLBACK (on_device_trust_changed), self, 0);
  g_signal_connect_object (self->session, "transfer-started", G_CALLBACK (on_transfer_started),
                           self, 0);

  /* TRANSLATORS: "Send Files to Alice’s phone" */
  send_label = g_strdup_printf (_("Send Files to %s"), alias);
  /* TRANSLATORS: "Stop Sending to Alice’s phone" */
  cancel_label = g_strdup_printf (_("Stop Sending to %s"), alias);
  /* TRANSLATORS: "Trust or Block Alice’s phone", the label of a device's menu button */
  trust_label = g_strdup_printf (_("Trust or Block %s"), alias);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->send_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, send_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, cancel_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, send_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->trust_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, trust_label, -1);
}

static void
ssync_device_row_dispose (GObject *object)
{
  SsyncDeviceRow *self = SSYNC_DEVICE_ROW (object);

  /* A send outlives its row (the device may just have gone quiet): it ends on its own. */
  g_clear_object (&self->cancellable);
  if (self->transfers != NULL)
    for (guint i = 0; i < self->transfers->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->transfers, i), self);
  g_clear_pointer (&self->transfers, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_DEVICE_ROW);
  g_clear_object (&self->device);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ssync_device_row_parent_class)->dispose (object);
}

static void
ssync_device_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SsyncDeviceRow *self = SSYNC_DEVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_DEVICE:
      g_value_set_object (value, self->device);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_device_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SsyncDeviceRow *self = SSYNC_DEVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_DEVICE:
      self->device = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_device_row_class_init (SsyncDeviceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ssync_device_row_constructed;
  object_class->dispose = ssync_device_row_dispose;
  object_class->get_property = ssync_device_row_get_property;
  object_class->set_property = ssync_device_row_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SSYNC_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE] =
    g_param_spec_object ("device", NULL, NULL, SSYNC_TYPE_LOCALSEND_DEVICE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sharesync/ShareSync/"
                                               "ssync-device-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncDeviceRow, type_icon);
  gtk_widget_class_bind_template_child (widget_class, SsyncDeviceRow, progress);
  gtk_widget_class_bind_template_child (widget_class, SsyncDeviceRow, trust_label);
  gtk_widget_class_bind_template_child (widget_class, SsyncDeviceRow, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, SsyncDeviceRow, trust_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncDeviceRow, send_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncDeviceRow, cancel_button);
  gtk_widget_class_install_action (widget_class, "device.send-files", NULL, send_files);
  gtk_widget_class_install_action (widget_class, "device.cancel", NULL, cancel_send);
  gtk_widget_class_install_action (widget_class, "device.trust", NULL, trust_device);
  gtk_widget_class_install_action (widget_class, "device.block", NULL, block_device);
  gtk_widget_class_install_action (widget_class, "device.forget", NULL, forget_device);
}

static void
ssync_device_row_init (SsyncDeviceRow *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->transfers = g_ptr_array_new_with_free_func (g_object_unref);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

GtkWidget *
ssync_device_row_new (SsyncSession         *session,
                      SsyncLocalsendDevice *device)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (session), NULL);
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (device), NULL);

  return g_object_new (SSYNC_TYPE_DEVICE_ROW, "session", session, "device", device, NULL);
}

SsyncLocalsendDevice *
ssync_device_row_get_device (SsyncDeviceRow *self)
{
  g_return_val_if_fail (SSYNC_IS_DEVICE_ROW (self), NULL);

  return self->device;
}
