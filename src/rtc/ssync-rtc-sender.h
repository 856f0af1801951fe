/* ssync-rtc-sender.h: sends one file over a peer's data channel.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ssync-rtc-peer.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_RTC_SENDER (ssync_rtc_sender_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRtcSender, ssync_rtc_sender, SSYNC, RTC_SENDER, GObject)

SsyncRtcSender *ssync_rtc_sender_new         (SsyncRtcPeer        *peer,
                                              GFile               *file,
                                              guint64              size,
                                              JsonObject          *header);
void            ssync_rtc_sender_run_async   (SsyncRtcSender      *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        ssync_rtc_sender_run_finish  (SsyncRtcSender      *self,
                                              GAsyncResult        *result,
                                              GError             **error);
gboolean        ssync_rtc_sender_handle_ack  (SsyncRtcSender      *self,
                                              JsonObject          *ack);
void            ssync_rtc_sender_fail        (SsyncRtcSender      *self,
                                              const char          *message);
const char     *ssync_rtc_sender_get_sha256  (SsyncRtcSender      *self);

G_END_DECLS
