/* ssync-rtc-peer-signaling.c: the peer's session descriptions and ICE candidates: the
 * offer or answer goes out once ICE gathering is complete (or GATHER_TIMEOUT has passed),
 * with every local candidate inside it; the other side's description and trickled
 * candidates come in.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-rtc-peer-private.h"

/* Seconds to wait for ICE gathering: a STUN or TURN server that does not answer must not
 * hold the description back for good; what was gathered by then goes out. */
#define GATHER_TIMEOUT 5

/* webrtcbin's callbacks, on its threads. */

void
ssync_rtc_peer_on_gathering_state (GstElement   *webrtc,
                                   GParamSpec   *pspec,
                                   SsyncRtcPeer *self)
{
  GstWebRTCICEGatheringState state;

  g_object_get (webrtc, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    ssync_rtc_peer_queue_simple (self, HOP_GATHERED);
}

static void
on_promise (GstPromise *promise,
            gpointer    user_data)
{
  Hop *hop = user_data;

  hop->promise = gst_promise_ref (promise);
  ssync_rtc_peer_hop_queue (hop);
}

/* Emits @action ("create-offer", "set-remote-description"...) on webrtcbin with @arg and a
 * promise whose answer comes back to the main context as a Hop of @kind. */
void
ssync_rtc_peer_emit_with_promise (SsyncRtcPeer *self,
                                  const char   *action,
                                  gpointer      arg,
                                  HopKind       kind)
{
  GstPromise *promise = gst_promise_new_with_change_func (on_promise,
                                                          ssync_rtc_peer_hop_new (self, kind),
                                                          NULL);

  g_signal_emit_by_name (self->webrtc, action, arg, promise);
  gst_promise_unref (promise);
}

/* On the main context from here on. */

/* Sends the local description once gathering is complete (or, with @force, now). */
void
ssync_rtc_peer_send_description (SsyncRtcPeer *self,
                                 gboolean      force)
{
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;
  g_autofree char *sdp = NULL;
  GstWebRTCICEGatheringState state;

  g_object_get (self->webrtc, "ice-gathering-state", &state, "local-description", &desc, NULL);
  if (self->described || !self->local_set || desc == NULL ||
      (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE && !force))
    return;

  self->described = TRUE;
  g_clear_handle_id (&self->gather_timeout_id, g_source_remove);
  sdp = gst_sdp_message_as_text (desc->sdp);
  g_signal_emit_by_name (self, "description", gst_webrtc_sdp_type_to_string (desc->type), sdp);
}

static gboolean
on_gather_timeout (gpointer user_data)
{
  SsyncRtcPeer *self = user_data;

  self->gather_timeout_id = 0;
  ssync_rtc_peer_send_description (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* The promise has answered (its change function ran); NULL when it was interrupted. */
static const GstStructure *
promise_reply (GstPromise *promise)
{
  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return NULL;
  return gst_promise_get_reply (promise);
}

void
ssync_rtc_peer_description_created (SsyncRtcPeer *self,
                                    GstPromise   *promise)
{
  const GstStructure *reply = promise_reply (promise);
  const char *field = self->role == SSYNC_RTC_ROLE_OFFERER ? "offer" : "answer";
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;

  if (reply == NULL || !gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                                           &desc, NULL) || desc == NULL)
    {
      ssync_rtc_peer_fail (self, _("The direct connection could not be negotiated"));
      return;
    }

  g_signal_emit_by_name (self->webrtc, "set-local-description", desc, NULL);
  self->local_set = TRUE;
  self->gather_timeout_id = g_timeout_add_seconds (GATHER_TIMEOUT, on_gather_timeout, self);
  /* Gathering may already be over (it is quick on a LAN with no STUN server). */
  ssync_rtc_peer_send_description (self, FALSE);
}

void
ssync_rtc_peer_remote_set (SsyncRtcPeer *self,
                           GstPromise   *promise)
{
  const GstStructure *reply;

  /* Success replies with no structure, a failure with an "error" field. */
  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED ||
      ((reply = gst_promise_get_reply (promise)) != NULL &&
       gst_structure_has_field (reply, "error")))
    {
      ssync_rtc_peer_fail (self, _("The other side’s connection offer was refused"));
      return;
    }
  if (self->role == SSYNC_RTC_ROLE_ANSWERER)
    ssync_rtc_peer_emit_with_promise (self, "create-answer", NULL, HOP_DESCRIPTION_CREATED);
}

/* The other side's offer (for an answerer) or answer (for an offerer). */
gboolean
ssync_rtc_peer_set_remote (SsyncRtcPeer  *self,
                           const char    *type,
                           const char    *sdp,
                           GError       **error)
{
  GstWebRTCSDPType sdp_type;
  GstSDPMessage *message = NULL;
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;

  g_return_val_if_fail (SSYNC_IS_RTC_PEER (self), FALSE);

  sdp_type = self->role == SSYNC_RTC_ROLE_OFFERER ? GST_WEBRTC_SDP_TYPE_ANSWER
                                                  : GST_WEBRTC_SDP_TYPE_OFFER;
  if (self->closed || self->pipeline == NULL ||
      g_strcmp0 (type, gst_webrtc_sdp_type_to_string (sdp_type)) != 0 || sdp == NULL ||
      gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("Unexpected or malformed session description"));
      return FALSE;
    }

  desc = gst_webrtc_session_description_new (sdp_type, message);
  ssync_rtc_peer_emit_with_promise (self, "set-remote-description", desc, HOP_REMOTE_SET);
  return TRUE;
}

/* A candidate the other side trickles; an empty one (end of candidates) is ignored. A
 * browser's mDNS ".local" host candidates may not resolve: libnice then learns the address
 * from the browser's connectivity checks (NOTES.md). */
void
ssync_rtc_peer_add_candidate (SsyncRtcPeer *self,
                              guint         mline_index,
                              const char   *candidate)
{
  g_return_if_fail (SSYNC_IS_RTC_PEER (self));

  if (self->closed || self->webrtc == NULL || candidate == NULL || candidate[0] == '\0')
    return;
  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", mline_index, candidate);
}
