/* ssync-share-options-dialog.h: the password, expiry and download limit of one share.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-session.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_SHARE_OPTIONS_DIALOG (ssync_share_options_dialog_get_type ())

/* AdwMessageDialog (1.2) is what Debian 12 has; 1.6 deprecates it for AdwAlertDialog. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
G_DECLARE_FINAL_TYPE (SsyncShareOptionsDialog, ssync_share_options_dialog, SSYNC,
                      SHARE_OPTIONS_DIALOG, AdwMessageDialog)
G_GNUC_END_IGNORE_DEPRECATIONS

/* Called once the options are applied (@error NULL) or could not be. */
typedef void (*SsyncShareOptionsDone) (SsyncShare   *share,
                                       const GError *error,
                                       gpointer      user_data);

GtkWindow *ssync_share_options_dialog_new (GtkWindow             *parent,
                                           SsyncSession          *session,
                                           SsyncShare            *share,
                                           SsyncShareOptionsDone  done,
                                           gpointer               user_data,
                                           GDestroyNotify         destroy);

G_END_DECLS
