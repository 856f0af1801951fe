/* ssync-share-options.h: the password, expiry and download limit of one share.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-session.h"

G_BEGIN_DECLS

/* Called once the options are applied (@error NULL) or could not be. */
typedef void (*SsyncShareOptionsDone) (SsyncShare   *share,
                                       const GError *error,
                                       gpointer      user_data);

GtkWindow *ssync_share_options_new (GtkWindow             *parent,
                                    SsyncSession          *session,
                                    SsyncShare            *share,
                                    SsyncShareOptionsDone  done,
                                    gpointer               user_data,
                                    GDestroyNotify         destroy);

G_END_DECLS
