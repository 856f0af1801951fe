/* ssync-transfer-row.c: a transfer in flight as a line of text over a progress bar, kept up
 * to date as bytes go through. A share's card lists one per transfer of the session's model
 * (ssync_session_get_transfers()), which drops it when the transfer ends.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-transfer-row.h"

struct _SsyncTransferRow
{
  GtkBox parent_instance;

  SsyncTransfer *transfer;

  GtkLabel *label;
  GtkProgressBar *progress;
};

enum {
  PROP_0,
  PROP_TRANSFER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SsyncTransferRow, ssync_transfer_row, GTK_TYPE_BOX)

static void
update_progress (SsyncTransferRow *self)
{
  guint64 bytes = ssync_transfer_get_bytes (self->transfer);
  guint64 total = ssync_transfer_get_total (self->transfer);
  g_autofree char *done = g_format_size (bytes);

  if (total > 0)
    {
      g_autofree char *all = g_format_size (total);
      g_autofree char *text = NULL;

      /* TRANSLATORS: progress of one transfer, "3.2 MB of 10.0 MB" */
      text = g_strdup_printf (_("%s of %s"), done, all);
      gtk_progress_bar_set_fraction (self->progress, MIN (1.0, (double) bytes / total));
      gtk_progress_bar_set_text (self->progress, text);
    }
  else
    {
      gtk_progress_bar_pulse (self->progress);
      gtk_progress_bar_set_text (self->progress, done);
    }
}

static void
ssync_transfer_row_constructed (GObject *object)
{
  SsyncTransferRow *self = SSYNC_TRANSFER_ROW (object);
  const char *peer = ssync_transfer_get_peer (self->transfer);
  const char *name = ssync_transfer_get_file_name (self->transfer);
  g_autofree char *text = NULL;

  G_OBJECT_CLASS (ssync_transfer_row_parent_class)->constructed (object);

  if (peer == NULL)
    peer = _("unknown address");
  if (ssync_transfer_get_direction (self->transfer) == SSYNC_DIRECTION_DOWNLOAD)
    /* TRANSLATORS: "Sending report.pdf to 192.168.1.20" */
    text = g_strdup_printf (_("Sending %s to %s"), name, peer);
  else
    /* TRANSLATORS: "Receiving report.pdf from 192.168.1.20" */
    text = g_strdup_printf (_("Receiving %s from %s"), name, peer);

  gtk_label_set_text (self->label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  update_progress (self);
  g_signal_connect_object (self->transfer, "notify::bytes", G_CALLBACK (update_progress), self,
                           G_CONNECT_SWAPPED);
}

static void
ssync_transfer_row_dispose (GObject *object)
{
  SsyncTransferRow *self = SSYNC_TRANSFER_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_TRANSFER_ROW);
  g_clear_object (&self->transfer);

  G_OBJECT_CLASS (ssync_transfer_row_parent_class)->dispose (object);
}

static void
ssync_transfer_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SsyncTransferRow *self = SSYNC_TRANSFER_ROW (object);

  switch (prop_id)
    {
    case PROP_TRANSFER:
      g_value_set_object (value, self->transfer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_transfer_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SsyncTransferRow *self = SSYNC_TRANSFER_ROW (object);

  switch (prop_id)
    {
    case PROP_TRANSFER:
      self->transfer = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_transfer_row_class_init (SsyncTransferRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ssync_transfer_row_constructed;
  object_class->dispose = ssync_transfer_row_dispose;
  object_class->get_property = ssync_transfer_row_get_property;
  object_class->set_property = ssync_transfer_row_set_property;

  properties[PROP_TRANSFER] =
    g_param_spec_object ("transfer", NULL, NULL, SSYNC_TYPE_TRANSFER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/sharesync/ShareSync/ssync-transfer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncTransferRow, label);
  gtk_widget_class_bind_template_child (widget_class, SsyncTransferRow, progress);
}

static void
ssync_transfer_row_init (SsyncTransferRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ssync_transfer_row_new (SsyncTransfer *transfer)
{
  g_return_val_if_fail (SSYNC_IS_TRANSFER (transfer), NULL);

  return g_object_new (SSYNC_TYPE_TRANSFER_ROW, "transfer", transfer, NULL);
}

SsyncTransfer *
ssync_transfer_row_get_transfer (SsyncTransferRow *self)
{
  g_return_val_if_fail (SSYNC_IS_TRANSFER_ROW (self), NULL);

  return self->transfer;
}
