/* ssync-nearby-send.h: sending files to a nearby device from the window, with the PIN
 * prompt and the messages the user sees at the end.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-alert.h"

#include "ssync-localsend-device.h"
#include "ssync-session.h"

G_BEGIN_DECLS

void     ssync_nearby_send_async  (GtkWidget             *widget,
                                   SsyncSession          *session,
                                   SsyncLocalsendDevice  *device,
                                   GFile                **files,
                                   guint                  n_files,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data);
gboolean ssync_nearby_send_finish (GAsyncResult          *result,
                                   GError               **error);

G_END_DECLS
