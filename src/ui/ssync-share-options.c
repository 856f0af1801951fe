/* ssync-share-options.c: a dialog for the password, expiry and download limit of a share.
 *
 * Built in code rather than a template: it is three rows in an AdwMessageDialog's extra
 * child, and AdwMessageDialog (the dialog Debian's libadwaita 1.2 has) is final.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-share-options.h"

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

typedef struct {
  SsyncSession *session;
  SsyncShare *share;
  gboolean keep_expiry_offered;
  GtkSwitch *password_switch;
  AdwPasswordEntryRow *password_row;
  AdwComboRow *expiry_row;
  GtkSpinButton *limit_spin;
  SsyncShareOptionsDone done;
  gpointer done_data;
  GDestroyNotify destroy;
} Options;

static void
options_free (Options *options)
{
  if (options->destroy != NULL)
    options->destroy (options->done_data);
  g_clear_object (&options->session);
  g_clear_object (&options->share);
  g_free (options);
}

static void
on_applied (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Options *options = user_data;
  g_autoptr(GError) error = NULL;

  ssync_session_set_share_options_finish (SSYNC_SESSION (source), result, &error);
  if (options->done != NULL)
    options->done (options->share, error, options->done_data);
  options_free (options);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  Options *options = g_object_get_data (G_OBJECT (dialog), "ssync-options");
  SsyncShareOptions wanted = { 0 };
  guint expiry;
  const char *password;
  gboolean protect;

  if (options == NULL || g_strcmp0 (response, "apply") != 0)
    return;
  expiry = adw_combo_row_get_selected (options->expiry_row);
  password = gtk_editable_get_text (GTK_EDITABLE (options->password_row));
  protect = gtk_switch_get_active (options->password_switch);
  /* From here on the applying owns the options (the dialog may go first). */
  g_object_steal_data (G_OBJECT (dialog), "ssync-options");

  /* An empty field keeps the password the share already has. */
  if (!protect)
    wanted.set_password = ssync_share_get_password_hash (options->share) != NULL;
  else if (password[0] != '\0')
    {
      wanted.set_password = TRUE;
      wanted.password = password;
    }
  if (!(options->keep_expiry_offered && expiry == 0))
    {
      wanted.set_expires = TRUE;
      wanted.lifetime_seconds = expiries[expiry - (options->keep_expiry_offered ? 1 : 0)].seconds;
    }
  if (options->limit_spin != NULL)
    {
      wanted.set_max_downloads = TRUE;
      wanted.max_downloads = gtk_spin_button_get_value_as_int (options->limit_spin);
    }

  ssync_session_set_share_options_async (options->session, options->share, &wanted, NULL,
                                         on_applied, options);
}

/* "Apply" waits for a password when protection is turned on for a share without one. */
static void
update_apply (AdwMessageDialog *dialog)
{
  Options *options = g_object_get_data (G_OBJECT (dialog), "ssync-options");
  gboolean protect = gtk_switch_get_active (options->password_switch);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (options->password_row));

  gtk_widget_set_sensitive (GTK_WIDGET (options->password_row), protect);
  adw_message_dialog_set_response_enabled (dialog, "apply",
                                           !protect || password[0] != '\0' ||
                                           ssync_share_get_password_hash (options->share) != NULL);
}

static GtkStringList *
expiry_model (Options *options)
{
  GtkStringList *model = gtk_string_list_new (NULL);
  gint64 expires = ssync_share_get_expires (options->share);

  if (expires > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (expires / G_USEC_PER_SEC);
      g_autofree char *time = g_date_time_format (when, "%x %X");
      /* TRANSLATORS: the share's current expiry, kept: "As set: 11/27/26 14:30:00" */
      g_autofree char *label = g_strdup_printf (_("As set: %s"), time);

      gtk_string_list_append (model, label);
      options->keep_expiry_offered = TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (expiries); i++)
    gtk_string_list_append (model, gettext (expiries[i].label));
  return model;
}

static void
add_limit_row (Options    *options,
               GtkListBox *list)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Download Limit"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (row, _("Completed downloads before the link ends; 0 for no "
                                      "limit"));
  options->limit_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 100000, 1));
  gtk_spin_button_set_value (options->limit_spin, ssync_share_get_max_downloads (options->share));
  gtk_widget_set_valign (GTK_WIDGET (options->limit_spin), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (options->limit_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Download Limit"), -1);
  adw_action_row_add_suffix (row, GTK_WIDGET (options->limit_spin));
  adw_action_row_set_activatable_widget (row, GTK_WIDGET (options->limit_spin));
  gtk_list_box_append (list, GTK_WIDGET (row));
}

GtkWindow *
ssync_share_options_new (GtkWindow             *parent,
                         SsyncSession          *session,
                         SsyncShare            *share,
                         SsyncShareOptionsDone  done,
                         gpointer               user_data,
                         GDestroyNotify         destroy)
{
  Options *options = g_new0 (Options, 1);
  AdwMessageDialog *dialog;
  GtkWidget *list = gtk_list_box_new ();
  AdwActionRow *row;
  g_autofree char *heading = NULL;
  g_autoptr(GtkStringList) model = NULL;
  gboolean has_password = ssync_share_get_password_hash (share) != NULL;

  options->session = g_object_ref (session);
  options->share = g_object_ref (share);
  options->done = done;
  options->done_data = user_data;
  options->destroy = destroy;

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Require a Password"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  options->password_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (options->password_switch), GTK_ALIGN_CENTER);
  gtk_switch_set_active (options->password_switch, has_password);
  gtk_accessible_update_property (GTK_ACCESSIBLE (options->password_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Require a Password"), -1);
  adw_action_row_add_suffix (row, GTK_WIDGET (options->password_switch));
  adw_action_row_set_activatable_widget (row, GTK_WIDGET (options->password_switch));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (row));

  options->password_row = ADW_PASSWORD_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (options->password_row),
                                 has_password ? _("New Password (empty keeps the current one)")
                                              : _("Password"));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (options->password_row));

  model = expiry_model (options);
  options->expiry_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (options->expiry_row), _("_Expires"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (options->expiry_row), TRUE);
  adw_combo_row_set_model (options->expiry_row, G_LIST_MODEL (model));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (options->expiry_row));

  /* Receive shares are never downloaded from: no limit to set. */
  if (ssync_share_get_kind (share) == SSYNC_SHARE_KIND_SEND)
    add_limit_row (options, GTK_LIST_BOX (list));

  /* TRANSLATORS: "Options for “report.pdf”" */
  heading = g_strdup_printf (_("Options for “%s”"), ssync_share_get_name (share));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, NULL));
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "apply", _("_Apply"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");

  /* Until a response, the dialog owns the options; then the applying does. */
  g_object_set_data_full (G_OBJECT (dialog), "ssync-options", options,
                          (GDestroyNotify) options_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), NULL);
  g_signal_connect_swapped (options->password_switch, "notify::active",
                            G_CALLBACK (update_apply), dialog);
  g_signal_connect_swapped (options->password_row, "changed", G_CALLBACK (update_apply), dialog);
  update_apply (dialog);

  return GTK_WINDOW (dialog);
}

G_GNUC_END_IGNORE_DEPRECATIONS
