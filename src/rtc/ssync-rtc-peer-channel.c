/* ssync-rtc-peer-channel.c: the peer's data channel: its callbacks, which only queue a Hop
 * for the main context, and what the owner sends through it.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-rtc-peer-private.h"

/* webrtcbin queues whatever it is given; the sender stops at HIGH_WATER and resumes when
 * the queue is down to LOW_WATER (throughput barely depends on either, NOTES.md). */
#define HIGH_WATER (4 * 1024 * 1024)
#define LOW_WATER (1024 * 1024)

/* The channel's callbacks, on webrtcbin's threads. */

static void
on_channel_open (GstWebRTCDataChannel *channel,
                 SsyncRtcPeer         *self)
{
  ssync_rtc_peer_queue_simple (self, HOP_OPEN);
}

static void
on_channel_close (GstWebRTCDataChannel *channel,
                  SsyncRtcPeer         *self)
{
  ssync_rtc_peer_queue_simple (self, HOP_CHANNEL_CLOSED);
}

static void
on_channel_error (GstWebRTCDataChannel *channel,
                  GError               *error,
                  SsyncRtcPeer         *self)
{
  Hop *hop = ssync_rtc_peer_hop_new (self, HOP_CHANNEL_ERROR);

  hop->text = g_strdup (error != NULL ? error->message : NULL);
  ssync_rtc_peer_hop_queue (hop);
}

static void
on_channel_string (GstWebRTCDataChannel *channel,
                   const char           *text,
                   SsyncRtcPeer         *self)
{
  Hop *hop = ssync_rtc_peer_hop_new (self, HOP_TEXT);

  hop->text = g_strdup (text);
  ssync_rtc_peer_hop_queue (hop);
}

static void
on_channel_data (GstWebRTCDataChannel *channel,
                 GBytes               *bytes,
                 SsyncRtcPeer         *self)
{
  Hop *hop = ssync_rtc_peer_hop_new (self, HOP_DATA);

  hop->bytes = bytes != NULL ? g_bytes_ref (bytes) : g_bytes_new (NULL, 0);
  ssync_rtc_peer_hop_queue (hop);
}

static void
on_channel_low (GstWebRTCDataChannel *channel,
                SsyncRtcPeer         *self)
{
  ssync_rtc_peer_queue_simple (self, HOP_WRITABLE);
}

void
ssync_rtc_peer_connect_channel (SsyncRtcPeer         *self,
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

void
ssync_rtc_peer_on_data_channel (GstElement           *webrtc,
                                GstWebRTCDataChannel *channel,
                                SsyncRtcPeer         *self)
{
  /* on-open fires right after this: it must be connected here, not on the main thread.
   * The channel is kept under the lock so that a close racing with this still disconnects
   * it. */
  g_mutex_lock (&self->lock);
  if (self->incoming == NULL)
    {
      ssync_rtc_peer_connect_channel (self, channel);
      self->incoming = g_object_ref (channel);
    }
  g_mutex_unlock (&self->lock);
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
