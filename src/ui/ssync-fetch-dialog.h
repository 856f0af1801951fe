/* ssync-fetch-dialog.h: "Receive From Link": asks for another ShareSync's link.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Called with the link the user gave. */
typedef void (*SsyncFetchDialogDone) (const char *url,
                                      gpointer    user_data);

GtkWindow *ssync_fetch_dialog_new (GtkWindow            *parent,
                                   const char           *folder_name,
                                   SsyncFetchDialogDone  done,
                                   gpointer              user_data);

G_END_DECLS
