/* ssync-preferences-window-private.h: the preferences' state, shared by
 * ssync-preferences-window.c and ssync-preferences-cloud.c.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-preferences-window.h"

G_BEGIN_DECLS

struct _SsyncPreferencesWindow
{
#if ADW_CHECK_VERSION (1, 5, 0)
  AdwPreferencesDialog parent_instance;

  /* Where the dialog shows, which a window knows as its transient parent. */
  GtkWindow *parent;
#else
  AdwPreferencesWindow parent_instance;
#endif

  GSettings *settings;
  GCancellable *cancellable;

  AdwPreferencesPage *general_page;
  AdwPreferencesPage *receiving_page;
  AdwPreferencesPage *cloud_page;
  GtkSpinButton *port_spin;
  AdwEntryRow *bind_row;
  AdwComboRow *expiry_row;
  /* The key's expiry when it is none of the choices (set elsewhere, or by an older version):
   * offered as a last choice. */
  char *custom_expiry;
  gboolean saving_expiry;
  GtkSpinButton *download_limit_spin;
  AdwActionRow *folder_row;
  GtkButton *folder_button;
  GtkSpinButton *max_upload_spin;
  GtkSwitch *auto_accept_switch;
  AdwPreferencesGroup *background_group;
  AdwActionRow *run_in_background_row;
  GtkSwitch *run_in_background_switch;
  AdwActionRow *start_at_login_row;
  GtkSwitch *start_at_login_switch;
  AdwEntryRow *s3_endpoint_row;
  AdwEntryRow *s3_region_row;
  AdwEntryRow *s3_bucket_row;
  GtkSwitch *s3_path_style_switch;
  AdwEntryRow *s3_access_key_row;
  AdwEntryRow *s3_secret_row;
  /* Every (widget, property) bound to a key, to unbind in dispose (see there). */
  GArray *bound;
  AdwEntryRow *stun_row;
  AdwEntryRow *turn_row;
  AdwEntryRow *turn_user_row;
  AdwEntryRow *turn_password_row;
  GtkLabel *turn_password_status;
  GtkLabel *s3_secret_status;
  SsyncSecrets *secrets;
};

void ssync_preferences_bind_key        (SsyncPreferencesWindow  *self,
                                        const char              *key,
                                        gpointer                 object,
                                        const char              *property,
                                        GSettingsBindGetMapping  get_mapping,
                                        GSettingsBindSetMapping  set_mapping);
void ssync_preferences_label_entry_row (AdwEntryRow             *row);
void ssync_preferences_set_accessible_label (GtkWidget  *widget,
                                             const char *label);
void ssync_preferences_bind_cloud_rows (SsyncPreferencesWindow  *self);

G_END_DECLS
