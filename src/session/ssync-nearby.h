/* ssync-nearby.h: the Nearby half of the session, beside SsyncPusher and SsyncRtcService:
 * this device's LocalSend identity (a certificate kept in the data folder), the HTTPS server
 * other devices register with, and multicast discovery, following SsyncConfig. Only the
 * session includes this header.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-config.h"
#include "ssync-localsend-device.h"
#include "ssync-localsend-receiver.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_NEARBY (ssync_nearby_get_type ())

G_DECLARE_FINAL_TYPE (SsyncNearby, ssync_nearby, SSYNC, NEARBY, GObject)

SsyncNearby *ssync_nearby_new             (SsyncConfig          *config,
                                           const char           *data_dir);
void         ssync_nearby_start_async     (SsyncNearby          *self,
                                           const char           *device_type,
                                           GStrv                 lan_addresses,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean     ssync_nearby_start_finish    (SsyncNearby          *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void         ssync_nearby_stop            (SsyncNearby          *self);
void         ssync_nearby_announce        (SsyncNearby          *self);
void         ssync_nearby_set_periodic    (SsyncNearby          *self,
                                           gboolean              periodic);
GListModel  *ssync_nearby_get_devices     (SsyncNearby          *self);
const char  *ssync_nearby_get_fingerprint (SsyncNearby          *self);
const char  *ssync_nearby_get_alias       (SsyncNearby          *self);
guint        ssync_nearby_get_port        (SsyncNearby          *self);
SsyncLocalsendReceiver *ssync_nearby_get_receiver (SsyncNearby     *self);

G_END_DECLS
