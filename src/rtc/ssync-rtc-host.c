/* ssync-rtc-host.c: the app's side of a direct transfer with a browser or another app.
 *
 * The remote side asks over the signaling WebSocket; the host offers (webrtcbin creates
 * the channel, NOTES.md), says {"type":"hello"} once the channel is open on its side (the
 * remote side must wait for it: webrtcbin 1.22 may drop a message that arrives before it
 * has read the channel's open acknowledgement) and then answers requests on the channel,
 * one file at a time:
 * - {"type":"list"}: the share's files, {"type":"list","id","name","files":[{"id","path",
 *   "size","sha256"}]} (send shares);
 * - {"type":"get","file":ID}: that file, framed by SsyncRtcSender (send shares);
 * - {"type":"file","path","size"}: an upload offer (receive shares), answered
 *   {"type":"ready"} once its .part exists or {"type":"error","message"}; then the bytes,
 *   {"type":"end","sha256"}, answered {"type":"ack","sha256","saved_as"} or "error";
 * - {"type":"cancel"} ends the file in flight; {"type":"done"} ends the connection (a
 *   fetching app says it after its last "ack", so that the ack is read before the close).
 * Every file is a SsyncTransfer of kind webrtc, so the history, the window and the pages
 * see it like any other. A peer that goes away mid-file leaves it failed.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-rtc-frame.h"
#include "ssync-rtc-host.h"
#include "ssync-rtc-peer.h"
#include "ssync-rtc-receiver.h"
#include "ssync-rtc-sender.h"

struct _SsyncRtcHost
{
  GObject parent_instance;

  SsyncShare *share;
  char *peer_address;
  char *user_agent;
  SsyncRtcPeer *peer;
  SsyncTransfer *transfer;       /* the file in flight */
  SsyncRtcSender *sender;        /* ... when sending */
  SsyncRtcReceiver *receiver;    /* ... when receiving */
  gboolean ending;               /* "end" arrived: the receiver is finishing */
  guint64 max_upload_size;       /* 0: only the free space limits uploads */
  SsyncUploadGate gate;          /* asks the user before an upload starts */
  gpointer gate_data;
  SsyncUploadRequest *asking;    /* the offer waiting for the user's answer */
  char *asking_path;
  guint64 asking_size;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (SsyncRtcHost, ssync_rtc_host, G_TYPE_OBJECT)

enum {
  SIGNAL,
  TRANSFER_STARTED,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_rtc_host_dispose (GObject *object)
{
  SsyncRtcHost *self = SSYNC_RTC_HOST (object);

  ssync_rtc_host_close (self, NULL);
  g_clear_object (&self->share);

  G_OBJECT_CLASS (ssync_rtc_host_parent_class)->dispose (object);
}

static void
ssync_rtc_host_finalize (GObject *object)
{
  SsyncRtcHost *self = SSYNC_RTC_HOST (object);

  g_free (self->peer_address);
  g_free (self->user_agent);
  g_free (self->asking_path);

  G_OBJECT_CLASS (ssync_rtc_host_parent_class)->finalize (object);
}

static void
ssync_rtc_host_class_init (SsyncRtcHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_rtc_host_dispose;
  object_class->finalize = ssync_rtc_host_finalize;

  /**
   * SsyncRtcHost::signal:
   * @text: a signaling message (JSON) for the remote side's WebSocket
   */
  signals[SIGNAL] =
    g_signal_new ("signal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /** SsyncRtcHost::transfer-started: a file began to travel. */
  signals[TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);
  /** SsyncRtcHost::closed: the connection is over (either side). */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ssync_rtc_host_init (SsyncRtcHost *self)
{
}

SsyncRtcHost *
ssync_rtc_host_new (SsyncShare *share,
                    const char *peer_address,
                    const char *user_agent,
                    const char *stun_server,
                    const char *turn_server)
{
  SsyncRtcHost *self = g_object_new (SSYNC_TYPE_RTC_HOST, NULL);

  self->share = g_object_ref (share);
  self->peer_address = g_strdup (peer_address);
  self->user_agent = g_strdup (user_agent);
  self->peer = ssync_rtc_peer_new (SSYNC_RTC_ROLE_OFFERER, stun_server, turn_server);
  return self;
}

SsyncShare *
ssync_rtc_host_get_share (SsyncRtcHost *self)
{
  return self->share;
}

static void
send_frame (SsyncRtcHost *self,
            JsonObject   *frame)
{
  g_autofree char *text = ssync_rtc_frame_to_text (frame);

  /* A failure means the channel is closing: "closed" follows and says so. */
  ssync_rtc_peer_send_text (self->peer, text, NULL);
}

static void
send_error (SsyncRtcHost *self,
            const char   *message)
{
  g_autoptr(JsonObject) frame = ssync_rtc_frame_new ("error");

  json_object_set_string_member (frame, "message", message);
  send_frame (self, frame);
}

/* Ends the file in flight with @status. */
static void
end_transfer (SsyncRtcHost        *self,
              SsyncTransferStatus  status,
              const char          *message)
{
  g_autoptr(SsyncTransfer) transfer = g_steal_pointer (&self->transfer);
  g_autoptr(SsyncRtcSender) sender = g_steal_pointer (&self->sender);
  g_autoptr(SsyncRtcReceiver) receiver = g_steal_pointer (&self->receiver);

  self->ending = FALSE;
  if (sender != NULL)
    {
      g_signal_handlers_disconnect_by_data (sender, self);
      ssync_rtc_sender_fail (sender, message != NULL ? message : "");
    }
  if (receiver != NULL && status != SSYNC_TRANSFER_STATUS_COMPLETE)
    ssync_rtc_receiver_abort_async (receiver, NULL, NULL);
  if (receiver != NULL)
    g_signal_handlers_disconnect_by_data (receiver, self);
  if (transfer != NULL)
    {
      g_signal_handlers_disconnect_by_data (ssync_transfer_get_cancellable (transfer), self);
      if (ssync_transfer_get_status (transfer) == SSYNC_TRANSFER_STATUS_ACTIVE)
        ssync_transfer_finish (transfer, status, message);
    }
}

static void
on_transfer_cancelled (GCancellable *cancellable,
                       SsyncRtcHost *self)
{
  g_autoptr(JsonObject) frame = ssync_rtc_frame_new ("cancel");

  send_frame (self, frame);
  end_transfer (self, SSYNC_TRANSFER_STATUS_CANCELLED, _("ShareSync stopped the transfer"));
}

static void
begin_transfer (SsyncRtcHost   *self,
                const char     *path,
                SsyncDirection  direction,
                guint64         size)
{
  self->transfer = ssync_transfer_new (ssync_share_get_id (self->share),
                                       ssync_share_get_name (self->share), path, direction,
                                       SSYNC_TRANSFER_KIND_WEBRTC, self->peer_address,
                                       self->user_agent, size);
  /* Cancelled by the session (the share ended, ShareSync stops): from the main context. */
  g_signal_connect (ssync_transfer_get_cancellable (self->transfer), "cancelled",
                    G_CALLBACK (on_transfer_cancelled), self);
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, self->transfer);
}

static void
on_sender_progress (SsyncRtcSender *sender,
                    guint64         n,
                    SsyncRtcHost   *self)
{
  ssync_transfer_add_bytes (self->transfer, n);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SsyncRtcHost) self = user_data;
  SsyncRtcSender *sender = SSYNC_RTC_SENDER (source);
  g_autoptr(GError) error = NULL;

  if (self->sender != sender)
    return;

  if (!ssync_rtc_sender_run_finish (sender, result, &error))
    {
      send_error (self, error->message);
      end_transfer (self, SSYNC_TRANSFER_STATUS_FAILED, error->message);
      return;
    }

  ssync_transfer_set_result (self->transfer, ssync_rtc_sender_get_sha256 (sender), NULL);
  ssync_share_add_download (self->share);
  end_transfer (self, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
}

static void
handle_list (SsyncRtcHost *self)
{
  g_autoptr(JsonObject) frame = ssync_rtc_frame_new ("list");
  g_autoptr(JsonArray) files = json_array_new ();

  for (guint i = 0; i < ssync_share_get_n_files (self->share); i++)
    {
      SsyncFileEntry *entry = ssync_share_get_file (self->share, i);
      g_autofree char *sha256 = ssync_file_entry_dup_sha256 (entry);
      JsonObject *file = json_object_new ();

      json_object_set_string_member (file, "id", ssync_file_entry_get_id (entry));
      json_object_set_string_member (file, "path", ssync_file_entry_get_path (entry));
      json_object_set_int_member (file, "size", ssync_file_entry_get_size (entry));
      if (sha256 != NULL)
        json_object_set_string_member (file, "sha256", sha256);
      else
        json_object_set_null_member (file, "sha256");
      json_array_add_object_element (files, file);
    }

  json_object_set_string_member (frame, "id", ssync_share_get_id (self->share));
  json_object_set_string_member (frame, "name", ssync_share_get_name (self->share));
  json_object_set_array_member (frame, "files", g_steal_pointer (&files));
  send_frame (self, frame);
}

static void
handle_get (SsyncRtcHost *self,
            JsonObject   *request)
{
  const char *id = ssync_rtc_frame_get_string (request, "file");
  SsyncFileEntry *entry = id != NULL ? ssync_share_lookup_file (self->share, id) : NULL;
  g_autoptr(JsonObject) header = NULL;
  g_autofree char *sha256 = NULL;

  if (entry == NULL)
    {
      send_error (self, _("This share has no such file"));
      return;
    }

  header = ssync_rtc_frame_new ("file");
  sha256 = ssync_file_entry_dup_sha256 (entry);
  json_object_set_string_member (header, "id", ssync_file_entry_get_id (entry));
  json_object_set_string_member (header, "name", ssync_file_entry_get_name (entry));
  json_object_set_string_member (header, "path", ssync_file_entry_get_path (entry));
  json_object_set_int_member (header, "size", ssync_file_entry_get_size (entry));
  if (sha256 != NULL)
    json_object_set_string_member (header, "sha256", sha256);

  begin_transfer (self, ssync_file_entry_get_path (entry), SSYNC_DIRECTION_DOWNLOAD,
                  ssync_file_entry_get_size (entry));
  self->sender = ssync_rtc_sender_new (self->peer, ssync_file_entry_get_file (entry),
                                       ssync_file_entry_get_size (entry), header);
  g_signal_connect (self->sender, "progress", G_CALLBACK (on_sender_progress), self);
  ssync_rtc_sender_run_async (self->sender, ssync_transfer_get_cancellable (self->transfer),
                              on_sent, g_object_ref (self));
}

static void
on_receiver_ready (SsyncRtcReceiver *receiver,
                   const char       *error_message,
                   SsyncRtcHost     *self)
{
  g_autoptr(JsonObject) frame = NULL;

  if (error_message != NULL)
    {
      send_error (self, error_message);
      end_transfer (self, SSYNC_TRANSFER_STATUS_FAILED, error_message);
      return;
    }

  frame = ssync_rtc_frame_new ("ready");
  send_frame (self, frame);
}

static void
receive_file (SsyncRtcHost *self,
              const char   *path,
              guint64       size)
{
  begin_transfer (self, path, SSYNC_DIRECTION_UPLOAD, size);
  self->receiver = ssync_rtc_receiver_new (ssync_share_get_folder (self->share), path, size);
  g_signal_connect (self->receiver, "ready", G_CALLBACK (on_receiver_ready), self);
}

static void
send_declined (SsyncRtcHost *self,
               const char   *path)
{
  g_autofree char *message = g_strdup_printf (_("The receiver declined “%s”"), path);

  send_error (self, message);
}

static void
stop_asking (SsyncRtcHost *self)
{
  if (self->asking == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->asking, self);
  g_clear_object (&self->asking);
  g_clear_pointer (&self->asking_path, g_free);
}

/* The user answered the offer this host holds (the same question as for tus uploads). */
static void
on_request_decided (SsyncUploadRequest *request,
                    SsyncRtcHost       *self)
{
  g_autofree char *path = g_strdup (self->asking_path);
  guint64 size = self->asking_size;
  gboolean accepted = ssync_upload_request_get_state (request) == SSYNC_UPLOAD_REQUEST_ACCEPTED;

  stop_asking (self);
  if (self->closed)
    return;
  if (accepted)
    receive_file (self, path, size);
  else
    send_declined (self, path);
}

static void
handle_file (SsyncRtcHost *self,
             JsonObject   *offer)
{
  const char *path = ssync_rtc_frame_get_string (offer, "path");
  guint64 size;

  if (path == NULL)
    path = ssync_rtc_frame_get_string (offer, "name");
  if (ssync_share_get_kind (self->share) != SSYNC_SHARE_KIND_RECEIVE)
    {
      send_error (self, _("This share does not take files"));
      return;
    }
  if (path == NULL || path[0] == '\0' || !ssync_rtc_frame_get_uint (offer, "size", &size))
    {
      send_error (self, _("The file offer needs a name and a size"));
      return;
    }
  if (self->max_upload_size > 0 && size > self->max_upload_size)
    {
      g_autofree char *limit = g_format_size (self->max_upload_size);
      g_autofree char *message = g_strdup_printf (_("This computer takes files of at most %s"),
                                                  limit);

      send_error (self, message);
      return;
    }

  if (self->gate != NULL)
    {
      g_autoptr(SsyncUploadRequest) request = self->gate (self->share, self->peer_address,
                                                          self->user_agent, path, size,
                                                          self->gate_data);

      if (request != NULL &&
          ssync_upload_request_get_state (request) == SSYNC_UPLOAD_REQUEST_PENDING)
        {
          self->asking = g_steal_pointer (&request);
          self->asking_path = g_strdup (path);
          self->asking_size = size;
          g_signal_connect (self->asking, "decided", G_CALLBACK (on_request_decided), self);
          return;
        }
      if (request != NULL &&
          ssync_upload_request_get_state (request) == SSYNC_UPLOAD_REQUEST_DECLINED)
        {
          send_declined (self, path);
          return;
        }
    }

  receive_file (self, path, size);
}

static void
on_received (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SsyncRtcHost) self = user_data;
  SsyncRtcReceiver *receiver = SSYNC_RTC_RECEIVER (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) ack = NULL;

  if (self->receiver != receiver)
    return;

  if (!ssync_rtc_receiver_finish_finish (receiver, result, &error))
    {
      send_error (self, error->message);
      end_transfer (self, SSYNC_TRANSFER_STATUS_FAILED, error->message);
      return;
    }

  ack = ssync_rtc_frame_new ("ack");
  json_object_set_string_member (ack, "sha256", ssync_rtc_receiver_get_sha256 (receiver));
  json_object_set_string_member (ack, "saved_as", ssync_rtc_receiver_get_saved_as (receiver));
  send_frame (self, ack);
  ssync_transfer_set_result (self->transfer, ssync_rtc_receiver_get_sha256 (receiver),
                             ssync_rtc_receiver_get_saved_as (receiver));
  end_transfer (self, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
}

static void
handle_end (SsyncRtcHost *self,
            JsonObject   *end)
{
  const char *sha256 = ssync_rtc_frame_get_string (end, "sha256");

  if (self->receiver == NULL || self->ending)
    {
      send_error (self, _("No file is being received"));
      return;
    }
  if (sha256 != NULL && !ssync_rtc_frame_is_sha256 (sha256))
    {
      send_error (self, _("The SHA-256 must be 64 lower-case hexadecimal digits"));
      end_transfer (self, SSYNC_TRANSFER_STATUS_FAILED, _("Malformed end of file"));
      return;
    }

  self->ending = TRUE;
  ssync_rtc_receiver_finish_async (self->receiver, sha256, NULL, on_received,
                                   g_object_ref (self));
}

static void
on_peer_text (SsyncRtcPeer *peer,
              const char   *text,
              SsyncRtcHost *self)
{
  g_autoptr(JsonObject) frame = ssync_rtc_frame_parse (text, strlen (text));
  const char *type = frame != NULL ? ssync_rtc_frame_get_string (frame, "type") : NULL;
  gboolean busy = self->transfer != NULL || self->asking != NULL;

  g_debug ("host %p: message %s", self, type);

  if (type == NULL)
    send_error (self, _("Malformed message"));
  else if (g_str_equal (type, "list") && ssync_share_get_kind (self->share) == SSYNC_SHARE_KIND_SEND)
    handle_list (self);
  else if ((g_str_equal (type, "get") || g_str_equal (type, "file")) && busy)
    send_error (self, _("One file at a time: wait for the current one to finish"));
  else if (g_str_equal (type, "get") && ssync_share_get_kind (self->share) == SSYNC_SHARE_KIND_SEND)
    handle_get (self, frame);
  else if (g_str_equal (type, "file"))
    handle_file (self, frame);
  else if (g_str_equal (type, "end"))
    handle_end (self, frame);
  else if (g_str_equal (type, "ack") && self->sender != NULL)
    ssync_rtc_sender_handle_ack (self->sender, frame);
  else if (g_str_equal (type, "done") && !busy)
    ssync_rtc_host_close (self, NULL);
  else if ((g_str_equal (type, "cancel") || g_str_equal (type, "error")) && busy)
    {
      const char *message = ssync_rtc_frame_get_string (frame, "message");

      end_transfer (self, SSYNC_TRANSFER_STATUS_FAILED,
                    message != NULL ? message : _("The other side cancelled the transfer"));
    }
  else if (!g_str_equal (type, "cancel") && !g_str_equal (type, "error"))
    send_error (self, _("Unexpected message"));
}

static void
on_peer_data (SsyncRtcPeer *peer,
              GBytes       *bytes,
              SsyncRtcHost *self)
{
  g_autoptr(GError) error = NULL;

  if (self->receiver == NULL || self->ending)
    {
      send_error (self, _("Unexpected data: no file is being received"));
      return;
    }
  if (!ssync_rtc_receiver_push (self->receiver, bytes, &error))
    {
      send_error (self, error->message);
      end_transfer (self, SSYNC_TRANSFER_STATUS_FAILED, error->message);
      return;
    }
  ssync_transfer_add_bytes (self->transfer, g_bytes_get_size (bytes));
}

static void
on_peer_description (SsyncRtcPeer *peer,
                     const char   *type,
                     const char   *sdp,
                     SsyncRtcHost *self)
{
  g_autoptr(JsonObject) frame = NULL;
  g_autofree char *message_type = g_strconcat ("rtc-", type, NULL);
  g_autofree char *text = NULL;

  frame = ssync_rtc_frame_new (message_type);
  json_object_set_string_member (frame, "sdp", sdp);
  text = ssync_rtc_frame_to_text (frame);
  g_signal_emit (self, signals[SIGNAL], 0, text);
}

static void
on_peer_open (SsyncRtcPeer *peer,
              SsyncRtcHost *self)
{
  g_autoptr(JsonObject) hello = ssync_rtc_frame_new ("hello");

  json_object_set_string_member (hello, "kind",
                                 ssync_enum_to_nick (SSYNC_TYPE_SHARE_KIND,
                                                     ssync_share_get_kind (self->share)));
  send_frame (self, hello);
}

static void
on_peer_closed (SsyncRtcPeer *peer,
                const char   *message,
                SsyncRtcHost *self)
{
  ssync_rtc_host_close (self, message);
}

/* Creates the connection; the offer comes out of "signal". */
gboolean
ssync_rtc_host_start (SsyncRtcHost  *self,
                      GError       **error)
{
  g_signal_connect (self->peer, "description", G_CALLBACK (on_peer_description), self);
  g_signal_connect (self->peer, "open", G_CALLBACK (on_peer_open), self);
  g_signal_connect (self->peer, "text", G_CALLBACK (on_peer_text), self);
  g_signal_connect (self->peer, "data", G_CALLBACK (on_peer_data), self);
  g_signal_connect (self->peer, "closed", G_CALLBACK (on_peer_closed), self);
  return ssync_rtc_peer_start (self->peer, error);
}

/* A signaling message from the remote side: {"type":"rtc-answer","sdp"} or
 * {"type":"rtc-candidate","candidate","sdpMLineIndex"}. */
void
ssync_rtc_host_handle_signal (SsyncRtcHost *self,
                              JsonObject   *message)
{
  const char *type = ssync_rtc_frame_get_string (message, "type");

  if (self->closed || type == NULL)
    return;

  if (g_str_equal (type, "rtc-answer"))
    {
      g_autoptr(GError) error = NULL;

      if (!ssync_rtc_peer_set_remote (self->peer, "answer",
                                      ssync_rtc_frame_get_string (message, "sdp"), &error))
        ssync_rtc_host_close (self, error->message);
    }
  else if (g_str_equal (type, "rtc-candidate"))
    {
      guint64 index = 0;

      ssync_rtc_frame_get_uint (message, "sdpMLineIndex", &index);
      ssync_rtc_peer_add_candidate (self->peer, index,
                                    ssync_rtc_frame_get_string (message, "candidate"));
    }
}

/* Ends the connection; a file in flight fails with @reason (NULL: the app closed it, the
 * file is cancelled). Emits "closed" once. */
void
ssync_rtc_host_close (SsyncRtcHost *self,
                      const char   *reason)
{
  if (self->closed)
    return;
  self->closed = TRUE;

  g_object_ref (self);
  stop_asking (self);
  end_transfer (self,
                reason != NULL ? SSYNC_TRANSFER_STATUS_FAILED : SSYNC_TRANSFER_STATUS_CANCELLED,
                reason != NULL ? reason : _("ShareSync stopped the transfer"));
  if (self->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->peer, self);
      ssync_rtc_peer_close (self->peer);
      g_clear_object (&self->peer);
    }
  /* webrtcbin 1.22 does not always tell the other side that the channel closed: the
   * signaling connection does, at once. */
  {
    g_autoptr(JsonObject) frame = ssync_rtc_frame_new ("rtc-closed");
    g_autofree char *text = NULL;

    if (reason != NULL)
      json_object_set_string_member (frame, "message", reason);
    text = ssync_rtc_frame_to_text (frame);
    g_signal_emit (self, signals[SIGNAL], 0, text);
  }
  g_signal_emit (self, signals[CLOSED], 0);
  g_object_unref (self);
}

/* Who is asked before an upload starts (the session's gatekeeper), as for tus uploads. */
void
ssync_rtc_host_set_upload_gate (SsyncRtcHost    *self,
                                SsyncUploadGate  gate,
                                gpointer         user_data)
{
  g_return_if_fail (SSYNC_IS_RTC_HOST (self));

  self->gate = gate;
  self->gate_data = user_data;
}

/* The largest file a receive share takes (0: only the free space limits it), as for tus. */
void
ssync_rtc_host_set_max_upload_size (SsyncRtcHost *self,
                                    guint64       max_size)
{
  g_return_if_fail (SSYNC_IS_RTC_HOST (self));

  self->max_upload_size = max_size;
}
