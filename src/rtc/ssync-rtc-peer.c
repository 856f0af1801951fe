/* ssync-rtc-peer.c: one webrtcbin and its data channel, driven from the main context.
 *
 * NOTES.md lists the traps of GStreamer 1.22's webrtcbin measured on this machine, and the
 * peer follows each fix:
 * - the offer or answer is sent once ICE gathering is complete, with every local candidate
 *   inside the SDP (trickling ours lost the race in one run of five); the remote side may
 *   still trickle its own (ssync-rtc-peer-signaling.c);
 * - the offerer creates its channel in READY (it cannot in NULL), then goes to PLAYING and
 *   creates the offer once, itself, instead of answering on-negotiation-needed (which fires
 *   before the channel exists and gives an offer without a BUNDLE group);
 * - messages are at most 64 KiB, and webrtcbin's send queue, which it does not bound, is
 *   held under HIGH_WATER by the caller through ssync_rtc_peer_is_writable() and the
 *   "writable" signal (on-buffered-amount-low at LOW_WATER, ssync-rtc-peer-channel.c);
 * - every webrtcbin callback runs on one of its own threads: it only queues a Hop for the
 *   main context with g_idle_add (which keeps their order, unlike g_main_context_invoke);
 * - teardown closes the channel, sends FLUSH_START to sctpenc's sink pads (1.22's sctpenc
 *   otherwise retries forever while set_state(NULL) waits for it) and only then goes to
 *   NULL, on a worker thread, so that the main loop never waits for it.
 *
 * This file holds the object, the hop to the main context, the pipeline's set-up and its
 * teardown; the data channel and the descriptions live beside it.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-rtc-peer-private.h"

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
Hop *
ssync_rtc_peer_hop_new (SsyncRtcPeer *self,
                        HopKind       kind)
{
  Hop *hop = g_new0 (Hop, 1);

  hop->self = g_object_ref (self);
  hop->kind = kind;
  return hop;
}

void
ssync_rtc_peer_hop_queue (Hop *hop)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, dispatch, hop, (GDestroyNotify) hop_free);
}

void
ssync_rtc_peer_queue_simple (SsyncRtcPeer *self,
                             HopKind       kind)
{
  ssync_rtc_peer_hop_queue (ssync_rtc_peer_hop_new (self, kind));
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
void
ssync_rtc_peer_fail (SsyncRtcPeer *self,
                     const char   *message)
{
  if (self->closed)
    return;

  g_object_ref (self);
  g_signal_emit (self, signals[CLOSED], 0, message);
  ssync_rtc_peer_close (self);
  g_object_unref (self);
}

/* On webrtcbin's threads. */
static void
on_connection_state (GstElement   *webrtc,
                     GParamSpec   *pspec,
                     SsyncRtcPeer *self)
{
  Hop *hop = ssync_rtc_peer_hop_new (self, HOP_CONNECTION_STATE);
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtc, "connection-state", &state, NULL);
  hop->state = state;
  ssync_rtc_peer_hop_queue (hop);
}

/* On the main context: one event from webrtcbin's threads, in the order they came. */
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
      ssync_rtc_peer_send_description (self, FALSE);
      break;

    case HOP_CONNECTION_STATE:
      if (hop->state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
        ssync_rtc_peer_fail (self, _("The direct connection failed"));
      else if (hop->state == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED)
        ssync_rtc_peer_fail (self, _("The other side closed the direct connection"));
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
      ssync_rtc_peer_fail (self, _("The other side closed the direct connection"));
      break;

    case HOP_CHANNEL_ERROR:
      {
        g_autofree char *message = g_strdup_printf (_("The direct connection broke: %s"),
                                                    hop->text != NULL ? hop->text : "?");

        ssync_rtc_peer_fail (self, message);
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
      ssync_rtc_peer_description_created (self, hop->promise);
      break;

    case HOP_REMOTE_SET:
      ssync_rtc_peer_remote_set (self, hop->promise);
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
                    G_CALLBACK (ssync_rtc_peer_on_gathering_state), self);
  g_signal_connect (self->webrtc, "notify::connection-state",
                    G_CALLBACK (on_connection_state), self);
  g_signal_connect (self->webrtc, "on-data-channel",
                    G_CALLBACK (ssync_rtc_peer_on_data_channel), self);

  if (gst_element_set_state (self->pipeline, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
    goto failed;

  if (self->role == SSYNC_RTC_ROLE_OFFERER)
    {
      g_signal_emit_by_name (self->webrtc, "create-data-channel", "sharesync", NULL,
                             &self->channel);
      if (self->channel == NULL)
        goto failed;
      ssync_rtc_peer_connect_channel (self, self->channel);
    }

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    goto failed;

  if (self->role == SSYNC_RTC_ROLE_OFFERER)
    ssync_rtc_peer_emit_with_promise (self, "create-offer", NULL, HOP_DESCRIPTION_CREATED);
  return TRUE;

failed:
  g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
               _("The direct connection could not be set up (GStreamer’s webrtcbin failed)"));
  ssync_rtc_peer_close (self);
  return FALSE;
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
