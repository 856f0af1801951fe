/* ssync-rtc-fetch.c: desktop to desktop, the fetching side.
 *
 * Given a share link of another ShareSync (http://HOST:PORT/s/TOKEN), it opens that app's
 * /ws, asks for a direct connection ({"type":"rtc-connect","token"}), answers its offer
 * (webrtcbin on both ends), waits for its "hello", asks for the list of files and then for each file in turn,
 * writing each into the target folder with its folders kept (SsyncRtcReceiver: .part,
 * fsync, link). A file counts only when its SHA-256 matches the one the other side
 * announced; the run succeeds only when every file did.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-rtc-fetch.h"
#include "ssync-rtc-frame.h"
#include "ssync-rtc-peer.h"
#include "ssync-rtc-receiver.h"

/* Long enough for a description with its candidates. */
#define MAX_SIGNAL_SIZE (64 * 1024)
/* Seconds to wait for the other side to close after "done". */
#define DONE_TIMEOUT 5
/* Seconds the connection may take to open, and then stay silent in the middle of a run:
 * past them the other side is taken for gone (a network that dropped without a reset). */
#define CONNECT_TIMEOUT 30
#define STALL_TIMEOUT 60

struct _SsyncRtcFetch
{
  GObject parent_instance;

  char *ws_url;
  char *token;
  char *origin;
  GFile *folder;
  char *stun_server;
  char *turn_server;
  GTask *task;
  SoupSession *soup;
  SoupWebsocketConnection *ws;
  SsyncRtcPeer *peer;
  char *share_id;
  char *share_name;
  JsonArray *files;         /* from "list" */
  guint next;               /* index of the next file to ask for */
  JsonObject *current;      /* the list entry of the file in flight */
  SsyncRtcReceiver *receiver;
  SsyncTransfer *transfer;
  guint n_files;
  guint64 bytes;
  gboolean done;            /* "done" sent: waiting for the other side to close */
  guint done_timeout_id;
  gboolean greeted;         /* "hello" arrived: the channel is open on both sides */
  gint64 last_activity;     /* monotonic time of the last message from the other side */
  guint watchdog_id;
};

G_DEFINE_FINAL_TYPE (SsyncRtcFetch, ssync_rtc_fetch, G_TYPE_OBJECT)

enum {
  TRANSFER_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_rtc_fetch_dispose (GObject *object)
{
  SsyncRtcFetch *self = SSYNC_RTC_FETCH (object);

  g_clear_handle_id (&self->done_timeout_id, g_source_remove);
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  g_clear_object (&self->receiver);
  g_clear_object (&self->transfer);
  g_clear_object (&self->peer);
  g_clear_object (&self->ws);
  g_clear_object (&self->soup);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->files, json_array_unref);
  g_clear_pointer (&self->current, json_object_unref);

  G_OBJECT_CLASS (ssync_rtc_fetch_parent_class)->dispose (object);
}

static void
ssync_rtc_fetch_finalize (GObject *object)
{
  SsyncRtcFetch *self = SSYNC_RTC_FETCH (object);

  g_free (self->ws_url);
  g_free (self->token);
  g_free (self->origin);
  g_free (self->stun_server);
  g_free (self->turn_server);
  g_free (self->share_id);
  g_free (self->share_name);

  G_OBJECT_CLASS (ssync_rtc_fetch_parent_class)->finalize (object);
}

static void
ssync_rtc_fetch_class_init (SsyncRtcFetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_rtc_fetch_dispose;
  object_class->finalize = ssync_rtc_fetch_finalize;

  /**
   * SsyncRtcFetch::transfer-started:
   * @transfer: one file coming in (direction upload, kind webrtc)
   */
  signals[TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);
}

static void
ssync_rtc_fetch_init (SsyncRtcFetch *self)
{
}

/* @url is a share link (http://HOST:PORT/s/TOKEN); files go into @folder. */
SsyncRtcFetch *
ssync_rtc_fetch_new (const char  *url,
                     GFile       *folder,
                     const char  *stun_server,
                     const char  *turn_server,
                     GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_PATH, NULL);
  g_auto(GStrv) parts = NULL;
  SsyncRtcFetch *self;
  const char *scheme;
  gboolean tls;

  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri != NULL)
    parts = g_strsplit (g_uri_get_path (uri), "/", -1);
  if (scheme == NULL || (g_ascii_strcasecmp (scheme, "http") != 0 &&
                         g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_strv_length (parts) < 3 ||
      !g_str_equal (parts[0], "") || !g_str_equal (parts[1], "s") || parts[2][0] == '\0' ||
      (parts[3] != NULL && parts[3][0] != '\0'))
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a ShareSync share link (http://HOST:PORT/s/TOKEN)"), url);
      return NULL;
    }

  tls = g_ascii_strcasecmp (scheme, "https") == 0;
  self = g_object_new (SSYNC_TYPE_RTC_FETCH, NULL);
  self->token = g_uri_unescape_string (parts[2], NULL);
  {
    g_autoptr(GUri) ws = g_uri_build (G_URI_FLAGS_NONE, tls ? "wss" : "ws", NULL,
                                      g_uri_get_host (uri), g_uri_get_port (uri), "/ws",
                                      NULL, NULL);
    g_autoptr(GUri) origin = g_uri_build (G_URI_FLAGS_NONE, scheme, NULL,
                                          g_uri_get_host (uri), g_uri_get_port (uri), "",
                                          NULL, NULL);

    self->ws_url = g_uri_to_string (ws);
    self->origin = g_uri_to_string (origin);
  }
  self->folder = g_object_ref (folder);
  self->stun_server = g_strdup (stun_server);
  self->turn_server = g_strdup (turn_server);
  return self;
}

static void
stop (SsyncRtcFetch *self)
{
  if (self->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->peer, self);
      ssync_rtc_peer_close (self->peer);
      g_clear_object (&self->peer);
    }
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
}

static void
return_result (GTask *task)
{
  GError *error = g_task_get_task_data (task);

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_aborted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ssync_rtc_receiver_abort_finish (SSYNC_RTC_RECEIVER (source), result, NULL);
  return_result (user_data);
}

/* Ends the run: @error (taken) or success. A file in flight fails with the error. */
static void
finish (SsyncRtcFetch *self,
        GError        *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  g_clear_handle_id (&self->done_timeout_id, g_source_remove);
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  if (self->transfer != NULL)
    {
      ssync_transfer_finish (self->transfer, SSYNC_TRANSFER_STATUS_FAILED,
                             error != NULL ? error->message : NULL);
      g_clear_object (&self->transfer);
    }
  stop (self);

  if (error != NULL)
    g_task_set_task_data (task, error, (GDestroyNotify) g_error_free);

  /* The run returns once the partial file is gone: a caller that exits right after must
   * not leave it behind. */
  if (self->receiver != NULL)
    {
      g_autoptr(SsyncRtcReceiver) receiver = g_steal_pointer (&self->receiver);

      ssync_rtc_receiver_abort_async (receiver, on_aborted, g_steal_pointer (&task));
    }
  else
    return_result (g_steal_pointer (&task));
}

/* Once every file is in, the other side closes (after "done"): that is no failure. */
static void
fail (SsyncRtcFetch *self,
      const char    *message)
{
  if (self->done)
    finish (self, NULL);
  else
    finish (self, g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_NETWORK, message));
}

static gboolean
on_done_timeout (gpointer user_data)
{
  SsyncRtcFetch *self = user_data;

  self->done_timeout_id = 0;
  finish (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
send_ws (SsyncRtcFetch *self,
         JsonObject    *frame)
{
  g_autofree char *text = ssync_rtc_frame_to_text (frame);

  if (self->ws != NULL && soup_websocket_connection_get_state (self->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (self->ws, text);
}

static void
send_channel (SsyncRtcFetch *self,
              JsonObject    *frame)
{
  g_autofree char *text = ssync_rtc_frame_to_text (frame);
  GError *error = NULL;

  if (!ssync_rtc_peer_send_text (self->peer, text, &error))
    finish (self, error);
}

/* Asks for the next file, or ends the run when there is none. */
static void
request_next (SsyncRtcFetch *self)
{
  g_autoptr(JsonObject) get = NULL;
  JsonObject *entry;
  const char *id;

  /* The last "ack" must reach the other side before the connection ends, or it would
   * count its last file as failed: "done" follows it on the same ordered channel, and the
   * other side closes when it reads it. */
  if (self->next >= json_array_get_length (self->files))
    {
      g_autoptr(JsonObject) done = ssync_rtc_frame_new ("done");

      send_channel (self, done);
      self->done = TRUE;
      self->done_timeout_id = g_timeout_add_seconds (DONE_TIMEOUT, on_done_timeout, self);
      return;
    }

  entry = json_array_get_object_element (self->files, self->next++);
  id = entry != NULL ? ssync_rtc_frame_get_string (entry, "id") : NULL;
  if (id == NULL)
    {
      fail (self, _("The other ShareSync sent a malformed list of files"));
      return;
    }

  g_clear_pointer (&self->current, json_object_unref);
  self->current = json_object_ref (entry);
  get = ssync_rtc_frame_new ("get");
  json_object_set_string_member (get, "file", id);
  send_channel (self, get);
}

static void
handle_list (SsyncRtcFetch *self,
             JsonObject    *list)
{
  JsonNode *files = json_object_get_member (list, "files");

  if (self->files != NULL || files == NULL || !JSON_NODE_HOLDS_ARRAY (files))
    {
      fail (self, _("The other ShareSync sent a malformed list of files"));
      return;
    }

  self->share_id = g_strdup (ssync_rtc_frame_get_string (list, "id"));
  self->share_name = g_strdup (ssync_rtc_frame_get_string (list, "name"));
  self->files = json_array_ref (json_node_get_array (files));
  request_next (self);
}

static void
handle_header (SsyncRtcFetch *self,
               JsonObject    *header)
{
  const char *path = ssync_rtc_frame_get_string (header, "path");
  guint64 size;

  if (self->current == NULL || self->receiver != NULL || path == NULL ||
      !ssync_rtc_frame_get_uint (header, "size", &size) ||
      g_strcmp0 (ssync_rtc_frame_get_string (header, "id"),
                 ssync_rtc_frame_get_string (self->current, "id")) != 0)
    {
      fail (self, _("The other ShareSync sent a file that was not asked for"));
      return;
    }

  self->transfer = ssync_transfer_new (self->share_id, self->share_name, path,
                                       SSYNC_DIRECTION_UPLOAD, SSYNC_TRANSFER_KIND_WEBRTC,
                                       self->origin, NULL, size);
  self->receiver = ssync_rtc_receiver_new (self->folder, path, size);
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, self->transfer);
}

static void
on_received (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SsyncRtcFetch) self = user_data;
  SsyncRtcReceiver *receiver = SSYNC_RTC_RECEIVER (source);
  g_autoptr(JsonObject) ack = NULL;
  GError *error = NULL;

  if (self->receiver != receiver)
    return;

  if (!ssync_rtc_receiver_finish_finish (receiver, result, &error))
    {
      g_autoptr(JsonObject) frame = ssync_rtc_frame_new ("error");

      json_object_set_string_member (frame, "message", error->message);
      send_channel (self, frame);
      finish (self, error);
      return;
    }

  ack = ssync_rtc_frame_new ("ack");
  json_object_set_string_member (ack, "sha256", ssync_rtc_receiver_get_sha256 (receiver));
  json_object_set_string_member (ack, "saved_as", ssync_rtc_receiver_get_saved_as (receiver));
  ssync_transfer_set_result (self->transfer, ssync_rtc_receiver_get_sha256 (receiver),
                             ssync_rtc_receiver_get_saved_as (receiver));
  ssync_transfer_finish (self->transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  g_clear_object (&self->transfer);
  g_clear_object (&self->receiver);
  self->n_files++;
  send_channel (self, ack);
  if (self->task != NULL)
    request_next (self);
}

static void
handle_end (SsyncRtcFetch *self,
            JsonObject    *end)
{
  const char *sent = ssync_rtc_frame_get_string (end, "sha256");
  const char *listed = ssync_rtc_frame_get_string (self->current, "sha256");

  if (self->receiver == NULL || !ssync_rtc_frame_is_sha256 (sent))
    {
      fail (self, _("The other ShareSync ended a file that was not being sent"));
      return;
    }
  /* The list's SHA-256 comes from the other app's hashing pass, when it was done: a file
   * that changed since then must not pass. */
  if (listed != NULL && g_strcmp0 (listed, sent) != 0)
    {
      fail (self, _("A file changed on the other computer while it was being sent"));
      return;
    }
  ssync_rtc_receiver_finish_async (self->receiver, sent, NULL, on_received,
                                   g_object_ref (self));
}

static void
on_peer_text (SsyncRtcPeer  *peer,
              const char    *text,
              SsyncRtcFetch *self)
{
  g_autoptr(JsonObject) frame = ssync_rtc_frame_parse (text, strlen (text));
  const char *type = frame != NULL ? ssync_rtc_frame_get_string (frame, "type") : NULL;

  self->last_activity = g_get_monotonic_time ();
  if (g_strcmp0 (type, "hello") == 0 && !self->greeted)
    {
      self->greeted = TRUE;
      g_autoptr(JsonObject) list = ssync_rtc_frame_new ("list");

      send_channel (self, list);
    }
  else if (g_strcmp0 (type, "list") == 0)
    handle_list (self, frame);
  else if (g_strcmp0 (type, "file") == 0)
    handle_header (self, frame);
  else if (g_strcmp0 (type, "end") == 0)
    handle_end (self, frame);
  else if (g_strcmp0 (type, "error") == 0 || g_strcmp0 (type, "cancel") == 0)
    {
      const char *message = ssync_rtc_frame_get_string (frame, "message");
      g_autofree char *text_error = g_strdup_printf (_("The other ShareSync stopped: %s"),
                                                     message != NULL ? message
                                                                     : _("cancelled"));

      fail (self, text_error);
    }
  else
    fail (self, _("The other ShareSync sent a message this version does not understand"));
}

static void
on_peer_data (SsyncRtcPeer  *peer,
              GBytes        *bytes,
              SsyncRtcFetch *self)
{
  GError *error = NULL;

  self->last_activity = g_get_monotonic_time ();
  if (self->receiver == NULL)
    {
      fail (self, _("The other ShareSync sent data that was not asked for"));
      return;
    }
  if (!ssync_rtc_receiver_push (self->receiver, bytes, &error))
    {
      finish (self, error);
      return;
    }
  self->bytes += g_bytes_get_size (bytes);
  ssync_transfer_add_bytes (self->transfer, g_bytes_get_size (bytes));
}

static void
on_peer_description (SsyncRtcPeer  *peer,
                     const char    *type,
                     const char    *sdp,
                     SsyncRtcFetch *self)
{
  g_autoptr(JsonObject) frame = ssync_rtc_frame_new ("rtc-answer");

  json_object_set_string_member (frame, "sdp", sdp);
  send_ws (self, frame);
}

static void
on_peer_closed (SsyncRtcPeer  *peer,
                const char    *message,
                SsyncRtcFetch *self)
{
  fail (self, message);
}

static void
handle_offer (SsyncRtcFetch *self,
              JsonObject    *offer)
{
  GError *error = NULL;

  if (self->peer != NULL)
    return;

  self->peer = ssync_rtc_peer_new (SSYNC_RTC_ROLE_ANSWERER, self->stun_server,
                                   self->turn_server);
  g_signal_connect (self->peer, "description", G_CALLBACK (on_peer_description), self);
  g_signal_connect (self->peer, "text", G_CALLBACK (on_peer_text), self);
  g_signal_connect (self->peer, "data", G_CALLBACK (on_peer_data), self);
  g_signal_connect (self->peer, "closed", G_CALLBACK (on_peer_closed), self);
  if (!ssync_rtc_peer_start (self->peer, &error) ||
      !ssync_rtc_peer_set_remote (self->peer, "offer",
                                  ssync_rtc_frame_get_string (offer, "sdp"), &error))
    finish (self, error);
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               int                      data_type,
               GBytes                  *message,
               SsyncRtcFetch           *self)
{
  gsize size;
  const char *data = g_bytes_get_data (message, &size);
  g_autoptr(JsonObject) frame = ssync_rtc_frame_parse (data, size);
  const char *type = frame != NULL ? ssync_rtc_frame_get_string (frame, "type") : NULL;

  if (g_strcmp0 (type, "rtc-offer") == 0)
    handle_offer (self, frame);
  else if (g_strcmp0 (type, "rtc-candidate") == 0 && self->peer != NULL)
    {
      guint64 index = 0;

      ssync_rtc_frame_get_uint (frame, "sdpMLineIndex", &index);
      ssync_rtc_peer_add_candidate (self->peer, index,
                                    ssync_rtc_frame_get_string (frame, "candidate"));
    }
  else if (g_strcmp0 (type, "rtc-closed") == 0)
    fail (self, _("The other ShareSync closed the direct connection"));
  else if (g_strcmp0 (type, "error") == 0)
    {
      const char *text = ssync_rtc_frame_get_string (frame, "message");
      g_autofree char *message_text = g_strdup_printf (_("The other ShareSync refused: %s"),
                                                       text != NULL ? text : "?");

      fail (self, message_text);
    }
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              SsyncRtcFetch           *self)
{
  /* The signaling connection lives as long as the other app does: when it drops, so did
   * the other side. */
  fail (self, _("The other ShareSync went away"));
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SsyncRtcFetch) self = user_data;
  g_autoptr(JsonObject) connect = NULL;
  GError *error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      g_autoptr(GError) owned = error;

      if (self->task != NULL)
        finish (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_NETWORK,
                                   _("Cannot reach the other ShareSync at %s: %s"),
                                   self->origin, owned->message));
      return;
    }
  if (self->task == NULL)
    {
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (ws);
      return;
    }

  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_SIGNAL_SIZE);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  connect = ssync_rtc_frame_new ("rtc-connect");
  json_object_set_string_member (connect, "token", self->token);
  send_ws (self, connect);
}

static gboolean
on_watchdog (gpointer user_data)
{
  SsyncRtcFetch *self = user_data;
  gint64 silent = (g_get_monotonic_time () - self->last_activity) / G_USEC_PER_SEC;

  if (!self->greeted && silent >= CONNECT_TIMEOUT)
    {
      self->watchdog_id = 0;
      fail (self, _("The direct connection could not be made: no answer within 30 seconds"));
      return G_SOURCE_REMOVE;
    }
  if (self->greeted && silent >= STALL_TIMEOUT && !self->done)
    {
      self->watchdog_id = 0;
      fail (self, _("The other ShareSync stopped sending for a minute"));
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_cancelled (GCancellable  *cancellable,
              SsyncRtcFetch *self)
{
  fail (self, _("The transfer was cancelled"));
}

void
ssync_rtc_fetch_run_async (SsyncRtcFetch       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (SSYNC_IS_RTC_FETCH (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, ssync_rtc_fetch_run_async);
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (on_cancelled), self, 0);

  self->last_activity = g_get_monotonic_time ();
  self->watchdog_id = g_timeout_add_seconds (1, on_watchdog, self);
  self->soup = soup_session_new_with_options ("user-agent", "ShareSync/" PACKAGE_VERSION,
                                              NULL);
  msg = soup_message_new (SOUP_METHOD_GET, self->ws_url);
  soup_session_websocket_connect_async (self->soup, msg, self->origin, NULL,
                                        G_PRIORITY_DEFAULT, cancellable, on_ws_connected,
                                        g_object_ref (self));
}

gboolean
ssync_rtc_fetch_run_finish (SsyncRtcFetch  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Files that arrived complete so far. */
guint
ssync_rtc_fetch_get_n_files (SsyncRtcFetch *self)
{
  return self->n_files;
}

guint64
ssync_rtc_fetch_get_bytes (SsyncRtcFetch *self)
{
  return self->bytes;
}
