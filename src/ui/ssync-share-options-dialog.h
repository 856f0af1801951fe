/* ssync-share-options-dialog.h: the password, expiry and download limit of one share.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-alert.h"

#include "ssync-session.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_SHARE_OPTIONS_DIALOG (ssync_share_options_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SsyncShareOptionsDialog, ssync_share_options_dialog, SSYNC,
                      SHARE_OPTIONS_DIALOG, SsyncAlert)

/* Called once the options are applied (@error NULL) or could not be. */
typedef void (*SsyncShareOptionsDone) (SsyncShare   *share,
                                       const GError *error,
                                       gpointer      user_data);

GtkWidget *ssync_share_options_dialog_new (SsyncSession          *session,
                                           SsyncShare            *share,
                                           SsyncShareOptionsDone  done,
                                           gpointer               user_data,
                                           GDestroyNotify         destroy);

G_END_DECLS
