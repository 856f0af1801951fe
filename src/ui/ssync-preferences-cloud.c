/* ssync-preferences-cloud.c: the preferences' S3 page and WebRTC relay rows, whose secrets
 * (the S3 secret key, the TURN password) go to the session's SsyncSecrets, never to a key.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-preferences-window-private.h"

static void
show_secret_status (SsyncPreferencesWindow *self,
                    const char             *message)
{
  gtk_label_set_text (self->s3_secret_status, message);
  gtk_widget_set_visible (GTK_WIDGET (self->s3_secret_status), TRUE);
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SsyncPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ssync_secrets_store_finish (SSYNC_SECRETS (source), result, &error))
    show_secret_status (self, _("The secret key is saved in the keyring."));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_secret_status (self, error->message);
}

/* The secret key goes to the keyring (or, without one, is kept for this run) under the
 * endpoint and access key filled in above; the row is emptied so it never lingers. */
static void
on_secret_applied (SsyncPreferencesWindow *self)
{
  g_autofree char *endpoint = g_settings_get_string (self->settings, "s3-endpoint");
  g_autofree char *access_key = g_settings_get_string (self->settings, "s3-access-key");
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->s3_secret_row));

  if (*endpoint == '\0' || *access_key == '\0')
    {
      show_secret_status (self, _("Fill in the endpoint and the access key first."));
      return;
    }
  if (*secret == '\0')
    return;

  ssync_secrets_store_async (self->secrets, SSYNC_SECRET_S3, endpoint, access_key, secret,
                             self->cancellable, on_secret_stored, g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->s3_secret_row), "");
}

/* The secret row's own buttons (apply, and show or hide in a password row) come without a
 * name a screen reader could say. */
static void
label_row_buttons (GtkWidget  *widget,
                   const char *show_label,
                   const char *save_label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TOGGLE_BUTTON (child))
        ssync_preferences_set_accessible_label (child, show_label);
      else if (GTK_IS_BUTTON (child))
        ssync_preferences_set_accessible_label (child, save_label);
      label_row_buttons (child, show_label, save_label);
    }
}

static void
on_turn_password_stored (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(SsyncPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ssync_secrets_store_finish (SSYNC_SECRETS (source), result, &error))
    gtk_label_set_text (self->turn_password_status,
                        _("The TURN password is saved in the keyring."));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (self->turn_password_status, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->turn_password_status), TRUE);
}

/* The TURN password goes to the keyring under the relay and user name above, as the
 * preferences hold them (the secrets make the relay's keyring name); the session then reads
 * it again, as it does after any change of secret. */
static void
on_turn_password_applied (SsyncPreferencesWindow *self)
{
  g_autofree char *turn = g_strstrip (g_settings_get_string (self->settings, "turn-server"));
  g_autofree char *user = g_settings_get_string (self->settings, "turn-username");
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->turn_password_row));

  if (*turn == '\0' || *user == '\0')
    {
      gtk_label_set_text (self->turn_password_status,
                          _("Fill in the TURN relay (turn://host:port) and the user name first."));
      gtk_widget_set_visible (GTK_WIDGET (self->turn_password_status), TRUE);
      return;
    }
  if (*password == '\0')
    return;

  ssync_secrets_store_async (self->secrets, SSYNC_SECRET_TURN, turn, user, password,
                             self->cancellable, on_turn_password_stored, g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->turn_password_row), "");
}

static void
bind_ice_rows (SsyncPreferencesWindow *self)
{
  ssync_preferences_bind_key (self, "stun-server", self->stun_row, "text", NULL, NULL);
  ssync_preferences_bind_key (self, "turn-server", self->turn_row, "text", NULL, NULL);
  ssync_preferences_bind_key (self, "turn-username", self->turn_user_row, "text", NULL, NULL);
  g_signal_connect_object (self->turn_password_row, "apply",
                           G_CALLBACK (on_turn_password_applied), self, G_CONNECT_SWAPPED);
  ssync_preferences_label_entry_row (self->stun_row);
  ssync_preferences_label_entry_row (self->turn_row);
  ssync_preferences_label_entry_row (self->turn_user_row);
  ssync_preferences_label_entry_row (self->turn_password_row);
  label_row_buttons (GTK_WIDGET (self->turn_password_row), _("Show the TURN password"),
                     _("Save the TURN password"));
}

static void
bind_s3_page (SsyncPreferencesWindow *self)
{
  ssync_preferences_bind_key (self, "s3-endpoint", self->s3_endpoint_row, "text", NULL, NULL);
  ssync_preferences_bind_key (self, "s3-region", self->s3_region_row, "text", NULL, NULL);
  ssync_preferences_bind_key (self, "s3-bucket", self->s3_bucket_row, "text", NULL, NULL);
  ssync_preferences_bind_key (self, "s3-path-style", self->s3_path_style_switch, "active", NULL, NULL);
  ssync_preferences_bind_key (self, "s3-access-key", self->s3_access_key_row, "text", NULL, NULL);
  g_signal_connect_object (self->s3_secret_row, "apply", G_CALLBACK (on_secret_applied), self,
                           G_CONNECT_SWAPPED);
  ssync_preferences_label_entry_row (self->s3_endpoint_row);
  ssync_preferences_label_entry_row (self->s3_region_row);
  ssync_preferences_label_entry_row (self->s3_bucket_row);
  ssync_preferences_label_entry_row (self->s3_access_key_row);
  ssync_preferences_label_entry_row (self->s3_secret_row);
  label_row_buttons (GTK_WIDGET (self->s3_secret_row), _("Show the secret key"),
                     _("Save the secret key"));
}

void
ssync_preferences_bind_cloud_rows (SsyncPreferencesWindow *self)
{
  bind_s3_page (self);
  bind_ice_rows (self);
}
