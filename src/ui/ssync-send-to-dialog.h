/* ssync-send-to-dialog.h: "Send To…" of a share card: pick a nearby device, the share's
 * files go to it.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-alert.h"

#include "ssync-session.h"

G_BEGIN_DECLS

GtkWidget *ssync_send_to_dialog_new (GtkWindow    *parent,
                                     SsyncSession *session,
                                     SsyncShare   *share);

G_END_DECLS
