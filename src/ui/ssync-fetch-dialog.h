/* ssync-fetch-dialog.h: "Receive From Link": asks for another ShareSync's link.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-alert.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_FETCH_DIALOG (ssync_fetch_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SsyncFetchDialog, ssync_fetch_dialog, SSYNC, FETCH_DIALOG,
                      SsyncAlert)

/* Called with the link the user gave. */
/* @password: NULL when none was typed. */
typedef void (*SsyncFetchDialogDone) (const char *url,
                                      const char *password,
                                      gpointer    user_data);

GtkWidget *ssync_fetch_dialog_new (const char           *folder_name,
                                   SsyncFetchDialogDone  done,
                                   gpointer              user_data);
void       ssync_fetch_dialog_ask_password (SsyncFetchDialog *self,
                                            const char       *url,
                                            const char       *problem);

G_END_DECLS
