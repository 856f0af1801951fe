/* ssync-fetch-dialog.h: "Receive From Link": asks for another ShareSync's link.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_FETCH_DIALOG (ssync_fetch_dialog_get_type ())

/* AdwMessageDialog (1.2) is what Debian 12 has; 1.6 deprecates it for AdwAlertDialog. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
G_DECLARE_FINAL_TYPE (SsyncFetchDialog, ssync_fetch_dialog, SSYNC, FETCH_DIALOG,
                      AdwMessageDialog)
G_GNUC_END_IGNORE_DEPRECATIONS

/* Called with the link the user gave. */
typedef void (*SsyncFetchDialogDone) (const char *url,
                                      gpointer    user_data);

GtkWindow *ssync_fetch_dialog_new (GtkWindow            *parent,
                                   const char           *folder_name,
                                   SsyncFetchDialogDone  done,
                                   gpointer              user_data);

G_END_DECLS
