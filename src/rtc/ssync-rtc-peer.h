/* ssync-rtc-peer.h: one WebRTC peer connection (webrtcbin) with one data channel.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The largest message either side may send: webrtcbin 1.22 announces no max-message-size,
 * so browsers hold to 64 KiB (NOTES.md). */
#define SSYNC_RTC_MAX_MESSAGE 65536

typedef enum {
  SSYNC_RTC_ROLE_OFFERER,
  SSYNC_RTC_ROLE_ANSWERER,
} SsyncRtcRole;

#define SSYNC_TYPE_RTC_PEER (ssync_rtc_peer_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRtcPeer, ssync_rtc_peer, SSYNC, RTC_PEER, GObject)

SsyncRtcPeer *ssync_rtc_peer_new             (SsyncRtcRole   role,
                                              const char    *stun_server,
                                              const char    *turn_server);
gboolean      ssync_rtc_peer_start           (SsyncRtcPeer  *self,
                                              GError       **error);
gboolean      ssync_rtc_peer_set_remote      (SsyncRtcPeer  *self,
                                              const char    *type,
                                              const char    *sdp,
                                              GError       **error);
void          ssync_rtc_peer_add_candidate   (SsyncRtcPeer  *self,
                                              guint          mline_index,
                                              const char    *candidate);
gboolean      ssync_rtc_peer_send_text       (SsyncRtcPeer  *self,
                                              const char    *text,
                                              GError       **error);
gboolean      ssync_rtc_peer_send_bytes      (SsyncRtcPeer  *self,
                                              GBytes        *bytes,
                                              GError       **error);
gboolean      ssync_rtc_peer_is_writable     (SsyncRtcPeer  *self);
gboolean      ssync_rtc_peer_is_open         (SsyncRtcPeer  *self);
void          ssync_rtc_peer_close           (SsyncRtcPeer  *self);

G_END_DECLS
