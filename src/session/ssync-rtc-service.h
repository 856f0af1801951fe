/* ssync-rtc-service.h: the direct (WebRTC) half of the session, beside SsyncPusher: a host
 * per page or app that asks over /ws, the GStreamer plugin check, the STUN/TURN servers
 * (from SsyncConfig, the TURN password from SsyncSecrets, both followed), and fetching
 * another app's share. Only the session includes this header: the faces reach it through
 * the session's calls.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-config.h"
#include "ssync-secrets.h"
#include "ssync-share.h"
#include "ssync-upload-gatekeeper.h"
#include "ssync-ws-hub.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_RTC_SERVICE (ssync_rtc_service_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRtcService, ssync_rtc_service, SSYNC, RTC_SERVICE, GObject)

SsyncRtcService *ssync_rtc_service_new             (SsyncConfig           *config,
                                                    SsyncSecrets          *secrets,
                                                    SsyncWsHub            *hub,
                                                    SsyncUploadGatekeeper *gatekeeper);
gboolean         ssync_rtc_service_get_available   (SsyncRtcService       *self,
                                                    const char           **message);
const char      *ssync_rtc_service_get_turn_server (SsyncRtcService       *self);
void             ssync_rtc_service_close_hosts     (SsyncRtcService       *self,
                                                    SsyncShare            *share);
void             ssync_rtc_service_fetch_async     (SsyncRtcService       *self,
                                                    const char            *url,
                                                    GFile                 *folder,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data);
int              ssync_rtc_service_fetch_finish    (SsyncRtcService       *self,
                                                    GAsyncResult          *result,
                                                    GError               **error);

G_END_DECLS
