/* ssync-rtc-fetch.h: fetches a whole share from another ShareSync over WebRTC.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-transfer.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_RTC_FETCH (ssync_rtc_fetch_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRtcFetch, ssync_rtc_fetch, SSYNC, RTC_FETCH, GObject)

SsyncRtcFetch *ssync_rtc_fetch_new          (const char           *url,
                                             GFile                *folder,
                                             const char           *stun_server,
                                             const char           *turn_server,
                                             GError              **error);
void           ssync_rtc_fetch_run_async    (SsyncRtcFetch        *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean       ssync_rtc_fetch_run_finish   (SsyncRtcFetch        *self,
                                             GAsyncResult         *result,
                                             GError              **error);
guint          ssync_rtc_fetch_get_n_files  (SsyncRtcFetch        *self);
guint64        ssync_rtc_fetch_get_bytes    (SsyncRtcFetch        *self);

G_END_DECLS
