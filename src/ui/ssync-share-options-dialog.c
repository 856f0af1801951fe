/* ssync-share-options-dialog.c: a dialog for the password, expiry and download limit of a
 * share: rows in a message dialog's extra child, from ssync-share-options-dialog.ui.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-share-options-dialog.h"

/* The expiry choices, after "keep the current one" when the share has one. */
static const struct {
  const char *label;
  gint64 seconds;
} expiries[] = {
  { N_("Never"), 0 },
  { N_("In 1 hour"), 60 * 60 },
  { N_("In 1 day"), 24 * 60 * 60 },
  { N_("In 7 days"), 7 * 24 * 60 * 60 },
};

struct _SsyncShareOptionsDialog
{
  SsyncAlert parent_instance;

  /* Kept until finalize: applying outlives the dialog, which closes on its answer. */
  SsyncSession *session;
  SsyncShare *share;
  gboolean keep_expiry_offered;
  SsyncShareOptionsDone done;
  gpointer done_data;
  GDestroyNotify destroy;

  GtkSwitch *password_switch;
  AdwPasswordEntryRow *password_row;
  AdwComboRow *expiry_row;
  AdwActionRow *limit_row;
  GtkSpinButton *limit_spin;
};

G_DEFINE_FINAL_TYPE (SsyncShareOptionsDialog, ssync_share_options_dialog,
                     SSYNC_TYPE_ALERT)

static void
on_applied (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SsyncShareOptionsDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  ssync_session_set_share_options_finish (SSYNC_SESSION (source), result, &error);
  if (self->done != NULL)
    self->done (self->share, error, self->done_data);
}

static void
on_response (SsyncShareOptionsDialog *self,
             const char              *response)
{
  SsyncShareOptions wanted = { 0 };
  guint expiry;
  const char *password;

  if (g_strcmp0 (response, "apply") != 0)
    return;
  expiry = adw_combo_row_get_selected (self->expiry_row);
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  /* An empty field keeps the password the share already has. */
  if (!gtk_switch_get_active (self->password_switch))
    wanted.set_password = ssync_share_get_password_hash (self->share) != NULL;
  else if (password[0] != '\0')
    {
      wanted.set_password = TRUE;
      wanted.password = password;
    }
  if (!(self->keep_expiry_offered && expiry == 0))
    {
      wanted.set_expires = TRUE;
      wanted.lifetime_seconds = expiries[expiry - (self->keep_expiry_offered ? 1 : 0)].seconds;
    }
  /* Receive shares are never downloaded from: no limit to set. */
  if (ssync_share_get_kind (self->share) == SSYNC_SHARE_KIND_SEND)
    {
      wanted.set_max_downloads = TRUE;
      wanted.max_downloads = gtk_spin_button_get_value_as_int (self->limit_spin);
    }

  ssync_session_set_share_options_async (self->session, self->share, &wanted, NULL,
                                         on_applied, g_object_ref (self));
}

/* "Apply" waits for a password when protection is turned on for a share without one. */
static void
update_apply (SsyncShareOptionsDialog *self)
{
  gboolean protect = gtk_switch_get_active (self->password_switch);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  /* The template's signals may fire before the share is set. */
  if (self->share == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), protect);
  ssync_alert_set_response_enabled (SSYNC_ALERT (self), "apply",
                                           !protect || password[0] != '\0' ||
                                           ssync_share_get_password_hash (self->share) != NULL);
}

static GtkStringList *
expiry_model (SsyncShareOptionsDialog *self)
{
  GtkStringList *model = gtk_string_list_new (NULL);
  gint64 expires = ssync_share_get_expires (self->share);

  if (expires > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (expires / G_USEC_PER_SEC);
      g_autofree char *time = g_date_time_format (when, "%x %X");
      /* TRANSLATORS: the share's current expiry, kept: "As set: 11/27/26 14:30:00" */
      g_autofree char *label = g_strdup_printf (_("As set: %s"), time);

      gtk_string_list_append (model, label);
      self->keep_expiry_offered = TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (expiries); i++)
    gtk_string_list_append (model, gettext (expiries[i].label));
  return model;
}

/* Fills the rows from the share once it is set. */
static void
show_share (SsyncShareOptionsDialog *self)
{
  gboolean has_password = ssync_share_get_password_hash (self->share) != NULL;
  g_autoptr(GtkStringList) model = expiry_model (self);
  g_autofree char *heading = NULL;

  /* TRANSLATORS: "Options for “report.pdf”" */
  heading = g_strdup_printf (_("Options for “%s”"), ssync_share_get_name (self->share));
  ssync_alert_set_heading (SSYNC_ALERT (self), heading);

  gtk_switch_set_active (self->password_switch, has_password);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row),
                                 has_password ? _("New Password (empty keeps the current one)")
                                              : _("Password"));
  adw_combo_row_set_model (self->expiry_row, G_LIST_MODEL (model));
  gtk_spin_button_set_value (self->limit_spin, ssync_share_get_max_downloads (self->share));
  gtk_widget_set_visible (GTK_WIDGET (self->limit_row),
                          ssync_share_get_kind (self->share) == SSYNC_SHARE_KIND_SEND);
  update_apply (self);
}

static void
ssync_share_options_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SSYNC_TYPE_SHARE_OPTIONS_DIALOG);

  G_OBJECT_CLASS (ssync_share_options_dialog_parent_class)->dispose (object);
}

static void
ssync_share_options_dialog_finalize (GObject *object)
{
  SsyncShareOptionsDialog *self = SSYNC_SHARE_OPTIONS_DIALOG (object);

  if (self->destroy != NULL)
    self->destroy (self->done_data);
  g_clear_object (&self->session);
  g_clear_object (&self->share);

  G_OBJECT_CLASS (ssync_share_options_dialog_parent_class)->finalize (object);
}

static void
ssync_share_options_dialog_class_init (SsyncShareOptionsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ssync_share_options_dialog_dispose;
  object_class->finalize = ssync_share_options_dialog_finalize;

  ssync_alert_class_set_template (
    widget_class, "/io/github/sharesync/ShareSync/ssync-share-options-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncShareOptionsDialog, password_switch);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareOptionsDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareOptionsDialog, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareOptionsDialog, limit_row);
  gtk_widget_class_bind_template_child (widget_class, SsyncShareOptionsDialog, limit_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_response);
  gtk_widget_class_bind_template_callback (widget_class, update_apply);
}

static void
ssync_share_options_dialog_init (SsyncShareOptionsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ssync_share_options_dialog_new (SsyncSession          *session,
                                SsyncShare            *share,
                                SsyncShareOptionsDone  done,
                                gpointer               user_data,
                                GDestroyNotify         destroy)
{
  SsyncShareOptionsDialog *self;

  g_return_val_if_fail (SSYNC_IS_SESSION (session), NULL);
  g_return_val_if_fail (SSYNC_IS_SHARE (share), NULL);

  self = g_object_new (SSYNC_TYPE_SHARE_OPTIONS_DIALOG, NULL);
  self->session = g_object_ref (session);
  self->share = g_object_ref (share);
  self->done = done;
  self->done_data = user_data;
  self->destroy = destroy;
  show_share (self);
  return GTK_WIDGET (self);
}
