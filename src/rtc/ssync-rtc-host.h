/* ssync-rtc-host.h: serves one share to one remote peer over a data channel.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ssync-share.h"
#include "ssync-transfer.h"
#include "ssync-upload-request.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_RTC_HOST (ssync_rtc_host_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRtcHost, ssync_rtc_host, SSYNC, RTC_HOST, GObject)

SsyncRtcHost *ssync_rtc_host_new           (SsyncShare    *share,
                                            const char    *peer_address,
                                            const char    *user_agent,
                                            const char    *stun_server,
                                            const char    *turn_server);
gboolean      ssync_rtc_host_start         (SsyncRtcHost  *self,
                                            GError       **error);
void          ssync_rtc_host_handle_signal (SsyncRtcHost  *self,
                                            JsonObject    *message);
void          ssync_rtc_host_close         (SsyncRtcHost  *self,
                                            const char    *reason);
SsyncShare   *ssync_rtc_host_get_share     (SsyncRtcHost  *self);
void          ssync_rtc_host_set_max_upload_size (SsyncRtcHost *self,
                                                  guint64       max_size);
void          ssync_rtc_host_set_upload_gate     (SsyncRtcHost    *self,
                                                  SsyncUploadGate  gate,
                                                  gpointer         user_data);

G_END_DECLS
