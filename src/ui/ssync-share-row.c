/* ssync-share-row.c: a share's name, size, link, QR code, download count, transfers in
 * flight and "Stop Sharing". Rows are recycled by the list view: everything tied to one
 * share is set up in ssync_share_row_set_share() and undone when the next share comes.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-qr-paintable.h"
#include "ssync-push-box.h"
#include "ssync-share-options-dialog.h"
#include "ssync-share-row.h"
#include "ssync-transfer-row.h"

struct _SsyncShareRow
{
  AdwBin parent_instance;

  SsyncSession *session;
  SsyncShare *share;
  GListModel *transfers;    /* SsyncTransfer of this share in flight, the session's */
  gulong downloads_id;
  gulong transfers_changed_id;
  GListModel *links;        /* the share's SsyncPushedLink, the session's */
  gulong links_changed_id;

  GtkImage *kind_icon;
  GtkLabel *name_label;
  GtkLabel *details_label;
  GtkLabel *link_label;
  GtkMenuButton *qr_button;
  GtkPicture *qr_picture;
  GtkButton *copy_button;
  GtkMenuButton *options_button;
  GMenuModel *send_menu;
  GMenuModel *receive_menu;
  AdwBin *push_slot;
  SsyncPushBox *push_box;
  GtkButton *stop_button;
  GtkButton *again_button;
  GtkButton *dismiss_button;
  GtkWidget *link_box;
  GtkListBox *transfers_box;
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SsyncShareRow, ssync_share_row, ADW_TYPE_BIN)

static void
show_toast (SsyncShareRow *self,
            const char    *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

static gboolean
has_ended (SsyncShareRow *self)
{
  return self->share != NULL &&
         ssync_share_get_state (self->share, g_get_real_time ()) != SSYNC_SHARE_STATE_ACTIVE;
}

/* Why the share ended, in the words the card shows instead of its details. */
static char *
dup_end_reason (SsyncShare *share)
{
  guint downloads = ssync_share_get_downloads (share);

  switch (ssync_share_get_state (share, g_get_real_time ()))
    {
    case SSYNC_SHARE_STATE_EXHAUSTED:
      /* TRANSLATORS: the card of a share whose link stopped working */
      return g_strdup_printf (ngettext ("Ended: its download limit was reached (%u download)",
                                        "Ended: its download limit was reached (%u downloads)",
                                        downloads), downloads);
    case SSYNC_SHARE_STATE_EXPIRED:
      {
        g_autoptr(GDateTime) when =
          g_date_time_new_from_unix_local (ssync_share_get_expires (share) / G_USEC_PER_SEC);
        g_autofree char *time = g_date_time_format (when, "%x %H:%M");

        /* TRANSLATORS: "Ended: it expired at 11/27/26 14:30" */
        return g_strdup_printf (_("Ended: it expired at %s"), time);
      }
    case SSYNC_SHARE_STATE_REVOKED:
      return g_strdup (_("Ended: sharing was stopped"));
    case SSYNC_SHARE_STATE_ACTIVE:
    default:
      return NULL;
    }
}

/* A live card offers its link; an ended one says why it ended and offers to share again. */
static void
update_state (SsyncShareRow *self)
{
  gboolean ended = has_ended (self);

  gtk_widget_set_visible (GTK_WIDGET (self->qr_button), !ended);
  gtk_widget_set_visible (GTK_WIDGET (self->options_button), !ended);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), !ended);
  gtk_widget_set_visible (self->link_box, !ended);
  gtk_widget_set_visible (GTK_WIDGET (self->again_button), ended);
  gtk_widget_set_visible (GTK_WIDGET (self->dismiss_button), ended);
  if (ended)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "ended");
      gtk_widget_add_css_class (GTK_WIDGET (self->kind_icon), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "ended");
      gtk_widget_remove_css_class (GTK_WIDGET (self->kind_icon), "dim-label");
    }
}

static void
update_details (SsyncShareRow *self)
{
  g_autofree char *text = NULL;

  update_state (self);
  if (has_ended (self))
    {
      g_autofree char *reason = dup_end_reason (self->share);

      gtk_label_set_text (self->details_label, reason);
      return;
    }

  if (ssync_share_get_kind (self->share) == SSYNC_SHARE_KIND_RECEIVE)
    {
      GFile *folder = ssync_share_get_folder (self->share);
      g_autofree char *shown = folder != NULL ? g_file_get_parse_name (folder) : NULL;

      /* TRANSLATORS: %s is the folder where files sent from browsers are saved. */
      text = g_strdup_printf (_("Receiving files into %s"), shown != NULL ? shown : "");
    }
  else
    {
      guint n_files = ssync_share_get_n_files (self->share);
      guint downloads = ssync_share_get_downloads (self->share);
      guint limit = ssync_share_get_max_downloads (self->share);
      g_autofree char *size = g_format_size (ssync_share_get_total_size (self->share));
      g_autofree char *files = g_strdup_printf (ngettext ("%u file", "%u files", n_files),
                                                n_files);
      g_autofree char *count = NULL;

      if (limit > 0)
        /* TRANSLATORS: "2 of 10 downloads" */
        count = g_strdup_printf (ngettext ("%u of %u download", "%u of %u downloads", limit),
                                 downloads, limit);
      else
        count = g_strdup_printf (ngettext ("%u download", "%u downloads", downloads), downloads);

      /* TRANSLATORS: "3 files · 12.4 MB · 2 downloads" */
      text = g_strdup_printf (C_("share details", "%s · %s · %s"), files, size, count);
    }

  /* What protects the link, after what it holds. */
  if (ssync_share_get_password_hash (self->share) != NULL)
    {
      g_autofree char *more = g_strdup_printf (C_("share details", "%s · %s"), text,
                                               _("password"));

      g_free (text);
      text = g_steal_pointer (&more);
    }
  if (ssync_share_get_expires (self->share) > 0)
    {
      g_autoptr(GDateTime) when =
        g_date_time_new_from_unix_local (ssync_share_get_expires (self->share) / G_USEC_PER_SEC);
      g_autofree char *time = g_date_time_format (when, "%x %H:%M");
      /* TRANSLATORS: "3 files · 12.4 MB · 2 downloads · ends 11/27/26 14:30" */
      g_autofree char *more = g_strdup_printf (_("%s · ends %s"), text, time);

      g_free (text);
      text = g_steal_pointer (&more);
    }

  gtk_label_set_text (self->details_label, text);
}

static GtkWidget *
create_transfer_row (gpointer item,
                     gpointer user_data)
{
  return ssync_transfer_row_new (item);
}

static void
update_transfers_visible (SsyncShareRow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->transfers_box),
                          self->transfers != NULL &&
                          g_list_model_get_n_items (self->transfers) > 0);
}

static void
copy_link (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  SsyncShareRow *self = SSYNC_SHARE_ROW (widget);

  if (self->share == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), gtk_label_get_text (self->link_label));
  show_toast (self, _("Link copied"));
}

/* "Stop Sharing", "Share Again" and "Dismiss" change the window's list of cards, which the
 * window keeps: the row passes them on with its share's id. The list view may drop this row
 * meanwhile, so nothing here touches @self after it. */
static void
pass_to_window (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SsyncShareRow *self = SSYNC_SHARE_ROW (widget);
  g_autofree char *id = NULL;
  const char *window_action;

  if (self->share == NULL)
    return;
  if (g_str_equal (action_name, "share.stop"))
    window_action = "win.stop-share";
  else if (g_str_equal (action_name, "share.again"))
    window_action = "win.share-again";
  else
    window_action = "win.dismiss-share";
  id = g_strdup (ssync_share_get_id (self->share));
  gtk_widget_activate_action (widget, window_action, "s", id);
}

static void
on_options_applied (SsyncShare   *share,
                    const GError *error,
                    gpointer      user_data)
{
  SsyncShareRow *self = user_data;
  g_autofree char *message = NULL;

  if (error != NULL)
    /* TRANSLATORS: "Could not change the options: …" */
    message = g_strdup_printf (_("Could not change the options: %s"), error->message);
  else
    /* TRANSLATORS: %s is the name of a share */
    message = g_strdup_printf (_("Options of “%s” changed"), ssync_share_get_name (share));
  /* The row may show another share by now (the list recycles rows). */
  if (self->share == share)
    update_details (self);
  show_toast (self, message);
}

static void
edit_options (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SsyncShareRow *self = SSYNC_SHARE_ROW (widget);
  GtkWidget *dialog;

  if (self->share == NULL)
    return;

  dialog = ssync_share_options_dialog_new (self->session, self->share, on_options_applied,
                                           g_object_ref (self), g_object_unref);
  ssync_alert_present (SSYNC_ALERT (dialog), widget);
}

static void
set_accessible_label (GtkWidget *widget)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_widget_get_tooltip_text (widget), -1);
}

static void
push_to_cloud (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ssync_push_box_push (SSYNC_SHARE_ROW (widget)->push_box);
}

static void
delete_from_cloud (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ssync_push_box_delete (SSYNC_SHARE_ROW (widget)->push_box);
}

/* Preferences open at their cloud page. */
static void
set_up_cloud (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "win.show-preferences", "s", "cloud");
}

/* Pushing needs cloud settings; deleting needs something pushed. */
static void
update_cloud_actions (SsyncShareRow *self)
{
  gboolean send = self->share != NULL &&
                  ssync_share_get_kind (self->share) == SSYNC_SHARE_KIND_SEND;
  gboolean configured =
    ssync_config_get_string (ssync_session_get_config (self->session), "s3-endpoint") != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "share.push", send && configured);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "share.set-up-cloud", send && !configured);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "share.delete-pushed",
                                 send && self->links != NULL &&
                                 g_list_model_get_n_items (self->links) > 0);
}

/* The window starts Nearby if need be and asks which device. */
static void
send_to (GtkWidget  *widget,
         const char *action_name,
         GVariant   *parameter)
{
  SsyncShareRow *self = SSYNC_SHARE_ROW (widget);

  if (self->share != NULL)
    gtk_widget_activate_action (widget, "win.send-share-to", "s",
                                ssync_share_get_id (self->share));
}

/* The push box needs the session, which is only set once the template is built. */
static void
ssync_share_row_constructed (GObject *object)
{
  SsyncShareRow *self = SSYNC_SHARE_ROW (object);

  G_OBJECT_CLASS (ssync_share_row_parent_class)->constructed (object);

  self->push_box = ssync_push_box_new (self->session);
  adw_bin_set_child (self->push_slot, GTK_WIDGET (self->push_box));
  g_signal_connect_object (ssync_session_get_config (self->session), "notify::s3-endpoint",
                           G_CALLBACK (update_cloud_actions), self, G_CONNECT_SWAPPED);
}

static void
ssync_share_row_dispose (GObject *object)
{
  SsyncShareRow *self = SSYNC_SHARE_ROW (object);

  ssync_share_row_set_share (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_SHARE_ROW);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ssync_share_row_parent_class)->dispose (object);
}

static void
ssync_share_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SsyncShareRow *self = SSYNC_SHARE_ROW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_share_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SsyncShareRow *self = SSYNC_SHARE_ROW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_share_row_class_init (SsyncShareRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ssync_share_row_constructed;
  object_class->dispose = ssync_share_row_dispose;
  object_class->get_property = ssync_share_row_get_property;
  object_class->set_property = ssync_share_row_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SSYNC_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sharesync/ShareSync/ssync-share-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, kind_icon);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, link_label);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, qr_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, options_button);
  gtk_widget_class_bind_template_child_full (widget_class, "share_menu", FALSE,
                                             G_STRUCT_OFFSET (SsyncShareRow, send_menu));
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, receive_menu);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, again_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, dismiss_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, link_box);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, transfers_box);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareRow, push_slot);

  gtk_widget_class_install_action (widget_class, "share.copy-link", NULL, copy_link);
  gtk_widget_class_install_action (widget_class, "share.stop", NULL, pass_to_window);
  gtk_widget_class_install_action (widget_class, "share.again", NULL, pass_to_window);
  gtk_widget_class_install_action (widget_class, "share.dismiss", NULL, pass_to_window);
  gtk_widget_class_install_action (widget_class, "share.options", NULL, edit_options);
  gtk_widget_class_install_action (widget_class, "share.push", NULL, push_to_cloud);
  gtk_widget_class_install_action (widget_class, "share.delete-pushed", NULL, delete_from_cloud);
  gtk_widget_class_install_action (widget_class, "share.set-up-cloud", NULL, set_up_cloud);
  gtk_widget_class_install_action (widget_class, "share.send-to", NULL, send_to);
}

static void
ssync_share_row_init (SsyncShareRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  set_accessible_label (GTK_WIDGET (self->qr_button));
  set_accessible_label (GTK_WIDGET (self->copy_button));
  set_accessible_label (GTK_WIDGET (self->options_button));
  set_accessible_label (GTK_WIDGET (self->dismiss_button));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stop_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stop Sharing"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_widget_get_tooltip_text (GTK_WIDGET (self->stop_button)),
                                  -1);
}

SsyncShareRow *
ssync_share_row_new (SsyncSession *session)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (session), NULL);

  return g_object_new (SSYNC_TYPE_SHARE_ROW, "session", session, NULL);
}

/* Whether the card shows its share ended (why, "Share Again", "Dismiss"). */
gboolean
ssync_share_row_get_ended (SsyncShareRow *self)
{
  g_return_val_if_fail (SSYNC_IS_SHARE_ROW (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->again_button));
}

/* Shows @share, with its transfers in flight as progress bars; NULL empties the row. */
void
ssync_share_row_set_share (SsyncShareRow *self,
                           SsyncShare    *share)
{
  GListModel *transfers;

  g_return_if_fail (SSYNC_IS_SHARE_ROW (self));

  if (self->share != NULL)
    g_clear_signal_handler (&self->downloads_id, self->share);
  if (self->transfers != NULL)
    g_clear_signal_handler (&self->transfers_changed_id, self->transfers);
  if (self->links != NULL)
    g_clear_signal_handler (&self->links_changed_id, self->links);
  transfers = share != NULL ? ssync_session_get_transfers (self->session, share) : NULL;
  g_set_object (&self->share, share);
  g_set_object (&self->transfers, transfers);
  g_clear_object (&self->links);
  if (share != NULL)
    self->links = g_object_ref (G_LIST_MODEL (ssync_session_get_pushed_links (self->session,
                                                                              share)));

  /* Runs during dispose too, when the template children may be gone already. */
  if (self->transfers_box != NULL)
    {
      gtk_list_box_bind_model (self->transfers_box, transfers,
                               transfers != NULL ? create_transfer_row : NULL, NULL, NULL);
      update_transfers_visible (self);
    }

  if (self->push_box != NULL)
    ssync_push_box_set_share (self->push_box, share);
  if (share == NULL)
    return;

  /* Only what is shared can be pushed: a receive share has nothing to upload. */
  update_cloud_actions (self);
  if (self->links != NULL)
    self->links_changed_id =
      g_signal_connect_object (self->links, "items-changed", G_CALLBACK (update_cloud_actions),
                               self, G_CONNECT_SWAPPED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "share.send-to",
                                 ssync_share_get_kind (share) == SSYNC_SHARE_KIND_SEND);
  /* A receive share's menu holds only what applies to it. */
  gtk_menu_button_set_menu_model (self->options_button,
                                  ssync_share_get_kind (share) == SSYNC_SHARE_KIND_SEND
                                  ? self->send_menu : self->receive_menu);

  {
    g_autofree char *url = ssync_session_dup_share_url (self->session, share);
    g_autoptr(SsyncQrPaintable) qr = ssync_qr_paintable_new (url);
    g_autofree char *qr_label = NULL;
    gboolean receive = ssync_share_get_kind (share) == SSYNC_SHARE_KIND_RECEIVE;

    gtk_label_set_text (self->name_label, ssync_share_get_name (share));
    gtk_label_set_text (self->link_label, url);
    gtk_image_set_from_icon_name (self->kind_icon, receive ? "folder-download-symbolic"
                                                           : "document-send-symbolic");
    gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (qr));
    /* TRANSLATORS: %s is a link */
    qr_label = g_strdup_printf (_("QR code of %s"), url);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_picture),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, qr_label, -1);
  }

  update_details (self);
  self->downloads_id = g_signal_connect_object (share, "notify::downloads",
                                                G_CALLBACK (update_details), self,
                                                G_CONNECT_SWAPPED);
  if (transfers != NULL)
    self->transfers_changed_id =
      g_signal_connect_object (transfers, "items-changed", G_CALLBACK (update_transfers_visible),
                               self, G_CONNECT_SWAPPED);
}

SsyncShare *
ssync_share_row_get_share (SsyncShareRow *self)
{
  g_return_val_if_fail (SSYNC_IS_SHARE_ROW (self), NULL);

  return self->share;
}

/* The link as shown, which is what "Copy Link" copies. */
const char *
ssync_share_row_get_url (SsyncShareRow *self)
{
  g_return_val_if_fail (SSYNC_IS_SHARE_ROW (self), NULL);

  return gtk_label_get_text (self->link_label);
}

/* How many transfers in flight the row shows a progress bar for. */
guint
ssync_share_row_get_n_transfers_shown (SsyncShareRow *self)
{
  g_return_val_if_fail (SSYNC_IS_SHARE_ROW (self), 0);

  return gtk_widget_get_visible (GTK_WIDGET (self->transfers_box)) && self->transfers != NULL
         ? g_list_model_get_n_items (self->transfers) : 0;
}
