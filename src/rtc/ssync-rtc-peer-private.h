/* ssync-rtc-peer-private.h: what ssync-rtc-peer.c shares with the peer's channel
 * (ssync-rtc-peer-channel.c) and signaling (ssync-rtc-peer-signaling.c) files.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#define GST_USE_UNSTABLE_API
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "ssync-rtc-peer.h"

G_BEGIN_DECLS

struct _SsyncRtcPeer
{
  GObject parent_instance;

  SsyncRtcRole role;
  char *stun_server;
  char *turn_server;
  GstElement *pipeline;
  GstElement *webrtc;
  GstWebRTCDataChannel *channel;
  GMutex lock;                            /* guards incoming */
  GstWebRTCDataChannel *incoming;         /* the answerer's channel, from webrtcbin's thread */
  gboolean local_set;    /* set-local-description was asked for */
  gboolean described;    /* the offer or answer went out */
  gboolean open;
  gboolean closed;       /* closed by either side: nothing more is emitted */
  guint gather_timeout_id;
};

/* An event from one of webrtcbin's threads, on its way to the main context. */
typedef enum {
  HOP_GATHERED,
  HOP_CONNECTION_STATE,
  HOP_OPEN,
  HOP_CHANNEL_CLOSED,
  HOP_CHANNEL_ERROR,
  HOP_TEXT,
  HOP_DATA,
  HOP_WRITABLE,
  HOP_DESCRIPTION_CREATED,
  HOP_REMOTE_SET,
} HopKind;

typedef struct {
  SsyncRtcPeer *self;
  HopKind kind;
  int state;
  char *text;
  GBytes *bytes;
  GstPromise *promise;
} Hop;

/* ssync-rtc-peer.c */
Hop     *ssync_rtc_peer_hop_new      (SsyncRtcPeer *self,
                                      HopKind       kind);
void     ssync_rtc_peer_hop_queue    (Hop          *hop);
void     ssync_rtc_peer_queue_simple (SsyncRtcPeer *self,
                                      HopKind       kind);
void     ssync_rtc_peer_fail         (SsyncRtcPeer *self,
                                      const char   *message);

/* ssync-rtc-peer-channel.c */
void     ssync_rtc_peer_connect_channel (SsyncRtcPeer         *self,
                                         GstWebRTCDataChannel *channel);
void     ssync_rtc_peer_on_data_channel (GstElement           *webrtc,
                                         GstWebRTCDataChannel *channel,
                                         SsyncRtcPeer         *self);

/* ssync-rtc-peer-signaling.c */
void     ssync_rtc_peer_on_gathering_state   (GstElement   *webrtc,
                                              GParamSpec   *pspec,
                                              SsyncRtcPeer *self);
void     ssync_rtc_peer_emit_with_promise    (SsyncRtcPeer *self,
                                              const char   *action,
                                              gpointer      arg,
                                              HopKind       kind);
void     ssync_rtc_peer_send_description     (SsyncRtcPeer *self,
                                              gboolean      force);
void     ssync_rtc_peer_description_created  (SsyncRtcPeer *self,
                                              GstPromise   *promise);
void     ssync_rtc_peer_remote_set           (SsyncRtcPeer *self,
                                              GstPromise   *promise);

G_END_DECLS
