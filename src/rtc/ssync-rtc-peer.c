/* ssync-rtc-peer.c: one webrtcbin and its data channel, driven from the main context.
 *
 * NOTES.md lists the traps of GStreamer 1.22's webrtcbin measured on this machine, and this
 * file follows each fix:
 * - the offer or answer is sent once ICE gathering is complete, with every local candidate
 *   inside the SDP (trickling ours lost the race in one run of five); the remote side may
 *   still trickle its own;
 * - the offerer creates its channel in READY (it cannot in NULL), then goes to PLAYING and
 *   creates the offer once, itself, instead of answering on-negotiation-needed (which fires
 *   before the channel exists and gives an offer without a BUNDLE group);
 * - messages are at most 64 KiB, and webrtcbin's send queue, which it does not bound, is
 *   held under HIGH_WATER by the caller through ssync_rtc_peer_is_writable() and the
 *   "writable" signal (on-buffered-amount-low at LOW_WATER);
 * - every webrtcbin callback runs on one of its own threads: it only queues a Hop for the
 *   main context with g_idle_add (which keeps their order, unlike g_main_context_invoke);
 * - teardown closes the channel, sends FLUSH_START to sctpenc's sink pads (1.22's sctpenc
 *   otherwise retries forever while set_state(NULL) waits for it) and only then goes to
 *   NULL, on a worker thread, so that the main loop never waits for it.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>

#define GST_USE_UNSTABLE_API
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "ssync-error.h"
#include "ssync-rtc-peer.h"

/* webrtcbin queues whatever it is given; the sender stops at HIGH_WATER and resumes when
 * the queue is down to LOW_WATER (throughput barely depends on either, NOTES.md). */
#define HIGH_WATER (4 * 1024 * 1024)
#define LOW_WATER (1024 * 1024)
/* Seconds to wait for ICE gathering: a STUN or TURN server that does not answer must not
 * hold the description back for good; what was gathered by then goes out. */
#define GATHER_TIMEOUT 5

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

G_DEFINE_FINAL_TYPE (SsyncRtcPeer, ssync_rtc_peer, G_TYPE_OBJECT)

enum {
  DESCRIPTION,
  OPEN,
  TEXT,
  DATA,
  WRITABLE,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

static void
hop_free (Hop *hop)
{
  g_object_unref (hop->self);
  g_free (hop->text);
  g_clear_pointer (&hop->bytes, g_bytes_unref);
  g_clear_pointer (&hop->promise, gst_promise_unref);
  g_free (hop);
}

static gboolean dispatch (gpointer user_data);

/* Called on webrtcbin's threads: the one thing they do is queue the event for the main
 * context. */
static Hop *
hop_new (SsyncRtcPeer *self,
         HopKind       kind)
{
  Hop *hop = g_new0 (Hop, 1);

  hop->self = g_object_ref (self);
  hop->kind = kind;
  return hop;
}

static void
hop_queue (Hop *hop)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, dispatch, hop, (GDestroyNotify) hop_free);
}

static void
queue_simple (SsyncRtcPeer *self,
              HopKind       kind)
{
  hop_queue (hop_new (self, kind));
}

static void
ssync_rtc_peer_finalize (GObject *object)
{
  SsyncRtcPeer *self = SSYNC_RTC_PEER (object);

  g_free (self->stun_server);
  g_free (self->turn_server);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ssync_rtc_peer_parent_class)->finalize (object);
}

static void
ssync_rtc_peer_dispose (GObject *object)
{
  SsyncRtcPeer *self = SSYNC_RTC_PEER (object);

  /* ssync_rtc_peer_close() holds a reference until the pipeline is down, so this only
   * finds one when it was never started or is already down. */
  g_clear_handle_id (&self->gather_timeout_id, g_source_remove);
  g_clear_object (&self->channel);
  g_clear_object (&self->incoming);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (ssync_rtc_peer_parent_class)->dispose (object);
}

static void
ssync_rtc_peer_class_init (SsyncRtcPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_rtc_peer_dispose;
  object_class->finalize = ssync_rtc_peer_finalize;

  /**
   * SsyncRtcPeer::description:
   * @type: "offer" or "answer"
   * @sdp: the SDP, every local ICE candidate included
   */
  signals[DESCRIPTION] =
    g_signal_new ("description", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /** SsyncRtcPeer::open: the data channel is open. */
  signals[OPEN] =
    g_signal_new ("open", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /** SsyncRtcPeer::text: a text message arrived. */
  signals[TEXT] =
    g_signal_new ("text", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /** SsyncRtcPeer::data: a binary message arrived. */
  signals[DATA] =
    g_signal_new ("data", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);
  /** SsyncRtcPeer::writable: the send queue went down to its low-water mark. */
  signals[WRITABLE] =
    g_signal_new ("writable", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /**
   * SsyncRtcPeer::closed:
   * @message: why, for a person
   *
   * The other side closed the channel or the connection failed; emitted once, never after
   * ssync_rtc_peer_close().
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ssync_rtc_peer_init (SsyncRtcPeer *self)
{
  g_mutex_init (&self->lock);
}

/* @stun_server ("stun://host:port") and @turn_server ("turn://user:pass@host:port") may be
 * NULL or empty: on a LAN none is needed. */
SsyncRtcPeer *
ssync_rtc_peer_new (SsyncRtcRole  role,
                    const char   *stun_server,
                    const char   *turn_server)
{
  SsyncRtcPeer *self = g_object_new (SSYNC_TYPE_RTC_PEER, NULL);

  self->role = role;
  self->stun_server = stun_server != NULL && stun_server[0] != '\0' ? g_strdup (stun_server)
                                                                     : NULL;
  self->turn_server = turn_server != NULL && turn_server[0] != '\0' ? g_strdup (turn_server)
                                                                     : NULL;
  return self;
}

/* Ends the peer from the remote side or a failure: tells the owner once, then tears down. */
static void
fail (SsyncRtcPeer *self,
      const char   *message)
{
  if (self->closed)
    return;

  g_object_ref (self);
  g_signal_emit (self, signals[CLOSED], 0, message);
  ssync_rtc_peer_close (self);
  g_object_unref (self);
}

/* The channel's callbacks, on webrtcbin's threads. */

static void
on_channel_open (GstWebRTCDataChannel *channel,
                 SsyncRtcPeer         *self)
{
  queue_simple (self, HOP_OPEN);
}

static void
on_channel_close (GstWebRTCDataChannel *channel,
                  SsyncRtcPeer         *self)
{
  queue_simple (self, HOP_CHANNEL_CLOSED);
}

static void
on_channel_error (GstWebRTCDataChannel *channel,
                  GError               *error,
                  SsyncRtcPeer         *self)
{
  Hop *hop = hop_new (self, HOP_CHANNEL_ERROR);

  hop->text = g_strdup (error != NULL ? error->message : NULL);
  hop_queue (hop);
}

static void
on_channel_string (GstWebRTCDataChannel *channel,
                   const char           *text,
                   SsyncRtcPeer         *self)
{
  Hop *hop = hop_new (self, HOP_TEXT);

  hop->text = g_strdup (text);
  hop_queue (hop);
}

static void
on_channel_data (GstWebRTCDataChannel *channel,
                 GBytes               *bytes,
                 SsyncRtcPeer         *self)
{
  Hop *hop = hop_new (self, HOP_DATA);

  hop->bytes = bytes != NULL ? g_bytes_ref (bytes) : g_bytes_new (NULL, 0);
  hop_queue (hop);
}

static void
on_channel_low (GstWebRTCDataChannel *channel,
                SsyncRtcPeer         *self)
{
  queue_simple (self, HOP_WRITABLE);
}

static void
connect_channel (SsyncRtcPeer         *self,
                 GstWebRTCDataChannel *channel)
{
  g_object_set (channel, "buffered-amount-low-threshold", (guint64) LOW_WATER, NULL);
  g_signal_connect (channel, "on-open", G_CALLBACK (on_channel_open), self);
  g_signal_connect (channel, "on-close", G_CALLBACK (on_channel_close), self);
  g_signal_connect (channel, "on-error", G_CALLBACK (on_channel_error), self);
  g_signal_connect (channel, "on-message-string", G_CALLBACK (on_channel_string), self);
  g_signal_connect (channel, "on-message-data", G_CALLBACK (on_channel_data), self);
  g_signal_connect (channel, "on-buffered-amount-low", G_CALLBACK (on_channel_low), self);
}

/* webrtcbin's callbacks, on its threads. */

static void
on_data_channel (GstElement           *webrtc,
                 GstWebRTCDataChannel *channel,
                 SsyncRtcPeer         *self)
{
  /* on-open fires right after this: it must be connected here, not on the main thread.
   * The channel is kept under the lock so that a close racing with this still disconnects
   * it. */
  g_mutex_lock (&self->lock);
  if (self->incoming == NULL)
    {
      connect_channel (self, channel);
      self->incoming = g_object_ref (channel);
    }
  g_mutex_unlock (&self->lock);
}

static void
on_gathering_state (GstElement   *webrtc,
                    GParamSpec   *pspec,
                    SsyncRtcPeer *self)
{
  GstWebRTCICEGatheringState state;

  g_object_get (webrtc, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    queue_simple (self, HOP_GATHERED);
}

static void
on_connection_state (GstElement   *webrtc,
                     GParamSpec   *pspec,
                     SsyncRtcPeer *self)
{
  Hop *hop = hop_new (self, HOP_CONNECTION_STATE);
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtc, "connection-state", &state, NULL);
  hop->state = state;
  hop_queue (hop);
}

static void
on_promise (GstPromise *promise,
            gpointer    user_data)
{
  Hop *hop = user_data;

  hop->promise = gst_promise_ref (promise);
  hop_queue (hop);
}

/* Emits @action ("create-offer", "set-remote-description"...) on webrtcbin with @arg and a
 * promise whose answer comes back to the main context as a Hop of @kind. */
static void
emit_with_promise (SsyncRtcPeer *self,
                   const char   *action,
                   gpointer      arg,
                   HopKind       kind)
{
  GstPromise *promise = gst_promise_new_with_change_func (on_promise, hop_new (self, kind),
                                                          NULL);

  g_signal_emit_by_name (self->webrtc, action, arg, promise);
  gst_promise_unref (promise);
}

/* On the main context from here on. */

/* Sends the local description once gathering is complete (or, with @force, now). */
static void
send_description (SsyncRtcPeer *self,
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
  g_signal_emit (self, signals[DESCRIPTION], 0,
                 gst_webrtc_sdp_type_to_string (desc->type), sdp);
}

static gboolean
on_gather_timeout (gpointer user_data)
{
  SsyncRtcPeer *self = user_data;

  self->gather_timeout_id = 0;
  send_description (self, TRUE);
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

static void
description_created (SsyncRtcPeer *self,
                     GstPromise   *promise)
{
  const GstStructure *reply = promise_reply (promise);
  const char *field = self->role == SSYNC_RTC_ROLE_OFFERER ? "offer" : "answer";
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;

  if (reply == NULL || !gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                                           &desc, NULL) || desc == NULL)
    {
      fail (self, _("The direct connection could not be negotiated"));
      return;
    }

  g_signal_emit_by_name (self->webrtc, "set-local-description", desc, NULL);
  self->local_set = TRUE;
  self->gather_timeout_id = g_timeout_add_seconds (GATHER_TIMEOUT, on_gather_timeout, self);
  /* Gathering may already be over (it is quick on a LAN with no STUN server). */
  send_description (self, FALSE);
}

static void
remote_set (SsyncRtcPeer *self,
            GstPromise   *promise)
{
  const GstStructure *reply;

  /* Success replies with no structure, a failure with an "error" field. */
  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED ||
      ((reply = gst_promise_get_reply (promise)) != NULL &&
       gst_structure_has_field (reply, "error")))
    {
      fail (self, _("The other side’s connection offer was refused"));
      return;
    }
  if (self->role == SSYNC_RTC_ROLE_ANSWERER)
    emit_with_promise (self, "create-answer", NULL, HOP_DESCRIPTION_CREATED);
}

static gboolean
dispatch (gpointer user_data)
{
  Hop *hop = user_data;
  SsyncRtcPeer *self = hop->self;

  g_debug ("peer %p: event %d (state %d)%s", self, hop->kind, hop->state,
           self->closed ? ", closed" : "");
  if (self->closed)
    return G_SOURCE_REMOVE;

  switch (hop->kind)
    {
    case HOP_GATHERED:
      send_description (self, FALSE);
      break;

    case HOP_CONNECTION_STATE:
      if (hop->state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
        fail (self, _("The direct connection failed"));
      else if (hop->state == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED)
        fail (self, _("The other side closed the direct connection"));
      break;

    case HOP_OPEN:
      if (self->channel == NULL)
        {
          g_mutex_lock (&self->lock);
          self->channel = g_steal_pointer (&self->incoming);
          g_mutex_unlock (&self->lock);
        }
      self->open = TRUE;
      g_signal_emit (self, signals[OPEN], 0);
      break;

    case HOP_CHANNEL_CLOSED:
      fail (self, _("The other side closed the direct connection"));
      break;

    case HOP_CHANNEL_ERROR:
      {
        g_autofree char *message = g_strdup_printf (_("The direct connection broke: %s"),
                                                    hop->text != NULL ? hop->text : "?");

        fail (self, message);
      }
      break;

    case HOP_TEXT:
      g_signal_emit (self, signals[TEXT], 0, hop->text != NULL ? hop->text : "");
      break;

    case HOP_DATA:
      g_signal_emit (self, signals[DATA], 0, hop->bytes);
      break;

    case HOP_WRITABLE:
      g_signal_emit (self, signals[WRITABLE], 0);
      break;

    case HOP_DESCRIPTION_CREATED:
      description_created (self, hop->promise);
      break;

    case HOP_REMOTE_SET:
      remote_set (self, hop->promise);
      break;

    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* libnice asks the router for a port mapping (UPnP IGD) by default: useless on a LAN, slow,
 * and gupnp warns when a port it tries is taken. */
static void
disable_upnp (GstElement *webrtc)
{
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GObject) agent = NULL;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") == NULL)
    return;
  g_object_get (ice, "agent", &agent, NULL);
  if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp") != NULL)
    g_object_set (agent, "upnp", FALSE, NULL);
}

/* Builds the pipeline and, for the offerer, the channel and the offer; "description" then
 * carries the offer once ICE gathering is complete. */
gboolean
ssync_rtc_peer_start (SsyncRtcPeer  *self,
                      GError       **error)
{
  g_return_val_if_fail (SSYNC_IS_RTC_PEER (self), FALSE);
  g_return_val_if_fail (self->pipeline == NULL, FALSE);

  if (!gst_init_check (NULL, NULL, error))
    return FALSE;

  self->webrtc = gst_element_factory_make ("webrtcbin", NULL);
  if (self->webrtc == NULL)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
                   _("Direct transfers need GStreamer’s webrtc plugin, which is not installed"));
      return FALSE;
    }

  self->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  gst_bin_add (GST_BIN (self->pipeline), self->webrtc);
  g_object_set (self->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  if (self->stun_server != NULL)
    g_object_set (self->webrtc, "stun-server", self->stun_server, NULL);
  if (self->turn_server != NULL)
    g_object_set (self->webrtc, "turn-server", self->turn_server, NULL);

  disable_upnp (self->webrtc);
  g_signal_connect (self->webrtc, "notify::ice-gathering-state",
                    G_CALLBACK (on_gathering_state), self);
  g_signal_connect (self->webrtc, "notify::connection-state",
                    G_CALLBACK (on_connection_state), self);
  g_signal_connect (self->webrtc, "on-data-channel", G_CALLBACK (on_data_channel), self);

  if (gst_element_set_state (self->pipeline, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
    goto failed;

  if (self->role == SSYNC_RTC_ROLE_OFFERER)
    {
      g_signal_emit_by_name (self->webrtc, "create-data-channel", "sharesync", NULL,
                             &self->channel);
      if (self->channel == NULL)
        goto failed;
      connect_channel (self, self->channel);
    }

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    goto failed;

  if (self->role == SSYNC_RTC_ROLE_OFFERER)
    emit_with_promise (self, "create-offer", NULL, HOP_DESCRIPTION_CREATED);
  return TRUE;

failed:
  g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
               _("The direct connection could not be set up (GStreamer’s webrtcbin failed)"));
  ssync_rtc_peer_close (self);
  return FALSE;
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
  emit_with_promise (self, "set-remote-description", desc, HOP_REMOTE_SET);
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

static gboolean
check_open (SsyncRtcPeer  *self,
            GError       **error)
{
  if (!self->open || self->closed || self->channel == NULL)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_NETWORK,
                   _("The direct connection is not open"));
      return FALSE;
    }
  return TRUE;
}

gboolean
ssync_rtc_peer_send_text (SsyncRtcPeer  *self,
                          const char    *text,
                          GError       **error)
{
  g_return_val_if_fail (SSYNC_IS_RTC_PEER (self), FALSE);

  return check_open (self, error) &&
         gst_webrtc_data_channel_send_string_full (self->channel, text, error);
}

/* @bytes must be at most SSYNC_RTC_MAX_MESSAGE long. */
gboolean
ssync_rtc_peer_send_bytes (SsyncRtcPeer  *self,
                           GBytes        *bytes,
                           GError       **error)
{
  g_return_val_if_fail (SSYNC_IS_RTC_PEER (self), FALSE);
  g_return_val_if_fail (g_bytes_get_size (bytes) <= SSYNC_RTC_MAX_MESSAGE, FALSE);

  return check_open (self, error) &&
         gst_webrtc_data_channel_send_data_full (self->channel, bytes, error);
}

/* Whether the sender may queue more: when not, wait for "writable". */
gboolean
ssync_rtc_peer_is_writable (SsyncRtcPeer *self)
{
  guint64 buffered = 0;

  g_return_val_if_fail (SSYNC_IS_RTC_PEER (self), FALSE);

  if (self->channel == NULL || self->closed)
    return FALSE;
  g_object_get (self->channel, "buffered-amount", &buffered, NULL);
  return buffered < HIGH_WATER;
}

gboolean
ssync_rtc_peer_is_open (SsyncRtcPeer *self)
{
  g_return_val_if_fail (SSYNC_IS_RTC_PEER (self), FALSE);

  return self->open && !self->closed;
}

typedef struct {
  GstElement *pipeline;
  GstWebRTCDataChannel *channel;
} Teardown;

static void
teardown_free (Teardown *teardown)
{
  g_clear_object (&teardown->channel);
  g_clear_object (&teardown->pipeline);
  g_free (teardown);
}

static void
flush_sctpenc (GstElement *pipeline)
{
  g_autoptr(GstIterator) elements = gst_bin_iterate_recurse (GST_BIN (pipeline));
  g_auto(GValue) item = G_VALUE_INIT;

  while (gst_iterator_next (elements, &item) == GST_ITERATOR_OK)
    {
      GstElement *element = g_value_get_object (&item);
      GstElementFactory *factory = gst_element_get_factory (element);

      if (factory != NULL &&
          g_strcmp0 (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "sctpenc") == 0)
        {
          g_autoptr(GstIterator) pads = gst_element_iterate_sink_pads (element);
          g_auto(GValue) pad = G_VALUE_INIT;

          while (gst_iterator_next (pads, &pad) == GST_ITERATOR_OK)
            {
              gst_pad_send_event (g_value_get_object (&pad), gst_event_new_flush_start ());
              g_value_reset (&pad);
            }
        }
      g_value_reset (&item);
    }
}

static void
teardown_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Teardown *teardown = task_data;

  if (teardown->channel != NULL)
    gst_webrtc_data_channel_close (teardown->channel);
  flush_sctpenc (teardown->pipeline);
  gst_element_set_state (teardown->pipeline, GST_STATE_NULL);
  g_task_return_boolean (task, TRUE);
}

/* Closes the channel and the connection; nothing is emitted afterwards. The pipeline goes
 * down on a worker thread, and the peer stays alive until it is down. */
void
ssync_rtc_peer_close (SsyncRtcPeer *self)
{
  g_autoptr(GTask) task = NULL;
  Teardown *teardown;

  g_return_if_fail (SSYNC_IS_RTC_PEER (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  self->open = FALSE;
  g_clear_handle_id (&self->gather_timeout_id, g_source_remove);
  if (self->pipeline == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->webrtc, self);
  g_mutex_lock (&self->lock);
  if (self->channel == NULL)
    self->channel = g_steal_pointer (&self->incoming);
  g_clear_object (&self->incoming);
  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);
  g_mutex_unlock (&self->lock);

  teardown = g_new0 (Teardown, 1);
  teardown->pipeline = g_steal_pointer (&self->pipeline);
  teardown->channel = g_steal_pointer (&self->channel);
  self->webrtc = NULL;

  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, teardown, (GDestroyNotify) teardown_free);
  g_task_run_in_thread (task, teardown_thread);
}
