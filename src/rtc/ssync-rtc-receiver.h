/* ssync-rtc-receiver.h: writes one file that arrives over a data channel.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_RTC_RECEIVER (ssync_rtc_receiver_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRtcReceiver, ssync_rtc_receiver, SSYNC, RTC_RECEIVER, GObject)

SsyncRtcReceiver *ssync_rtc_receiver_new           (GFile               *folder,
                                                    const char          *relative_path,
                                                    guint64              size);
gboolean          ssync_rtc_receiver_push          (SsyncRtcReceiver    *self,
                                                    GBytes              *chunk,
                                                    GError             **error);
guint64           ssync_rtc_receiver_get_received  (SsyncRtcReceiver    *self);
void              ssync_rtc_receiver_finish_async  (SsyncRtcReceiver    *self,
                                                    const char          *sha256,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean          ssync_rtc_receiver_finish_finish (SsyncRtcReceiver    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
const char       *ssync_rtc_receiver_get_sha256    (SsyncRtcReceiver    *self);
const char       *ssync_rtc_receiver_get_saved_as  (SsyncRtcReceiver    *self);
void              ssync_rtc_receiver_abort_async   (SsyncRtcReceiver    *self,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean          ssync_rtc_receiver_abort_finish  (SsyncRtcReceiver    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
