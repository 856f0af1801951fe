/* ssync-rtc-sender.c: one file over a data channel, with backpressure.
 *
 * The framing (README, "Direct transfers"): a JSON header (the caller's, "file"), the bytes
 * in binary messages of at most 64 KiB, {"type":"end","sha256"}, and the receiver's
 * {"type":"ack","sha256"} with what it computed; the transfer is complete only when both
 * agree. The file is read in READ_SIZE pieces on GIO's worker threads, at most one ahead,
 * and cut into messages; webrtcbin's send queue is held under the peer's high-water mark.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-rtc-frame.h"
#include "ssync-rtc-sender.h"

#define READ_SIZE (1024 * 1024)
#define CHUNK_SIZE SSYNC_RTC_MAX_MESSAGE

struct _SsyncRtcSender
{
  GObject parent_instance;

  SsyncRtcPeer *peer;
  GFile *file;
  guint64 size;
  JsonObject *header;
  GTask *task;            /* the run, until it returns */
  GInputStream *stream;
  GBytes *pending;        /* read, not yet sent */
  gsize pending_offset;
  gboolean reading;
  gboolean eof;
  gboolean ended;         /* "end" sent: waiting for the ack */
  guint64 sent;
  GChecksum *checksum;
  char *sha256;
  gulong writable_id;
  gulong cancelled_id;
};

G_DEFINE_FINAL_TYPE (SsyncRtcSender, ssync_rtc_sender, G_TYPE_OBJECT)

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_rtc_sender_dispose (GObject *object)
{
  SsyncRtcSender *self = SSYNC_RTC_SENDER (object);

  if (self->peer != NULL)
    g_clear_signal_handler (&self->writable_id, self->peer);
  g_clear_object (&self->peer);
  g_clear_object (&self->file);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->pending, g_bytes_unref);
  g_clear_pointer (&self->header, json_object_unref);

  G_OBJECT_CLASS (ssync_rtc_sender_parent_class)->dispose (object);
}

static void
ssync_rtc_sender_finalize (GObject *object)
{
  SsyncRtcSender *self = SSYNC_RTC_SENDER (object);

  g_checksum_free (self->checksum);
  g_free (self->sha256);

  G_OBJECT_CLASS (ssync_rtc_sender_parent_class)->finalize (object);
}

static void
ssync_rtc_sender_class_init (SsyncRtcSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_rtc_sender_dispose;
  object_class->finalize = ssync_rtc_sender_finalize;

  /**
   * SsyncRtcSender::progress:
   * @n: bytes handed to the channel since the last emission
   */
  signals[PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
ssync_rtc_sender_init (SsyncRtcSender *self)
{
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
}

/* @header is the "file" message that announces the file; @size is what it says. */
SsyncRtcSender *
ssync_rtc_sender_new (SsyncRtcPeer *peer,
                      GFile        *file,
                      guint64       size,
                      JsonObject   *header)
{
  SsyncRtcSender *self = g_object_new (SSYNC_TYPE_RTC_SENDER, NULL);

  self->peer = g_object_ref (peer);
  self->file = g_object_ref (file);
  self->size = size;
  self->header = json_object_ref (header);
  return self;
}

/* Ends the run with @error (taken), unless it already ended. */
static void
finish (SsyncRtcSender *self,
        GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  g_clear_signal_handler (&self->writable_id, self->peer);
  if (self->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
  self->cancelled_id = 0;
  if (self->stream != NULL)
    g_input_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
send_frame (SsyncRtcSender  *self,
            JsonObject      *frame,
            GError         **error)
{
  g_autofree char *text = ssync_rtc_frame_to_text (frame);

  return ssync_rtc_peer_send_text (self->peer, text, error);
}

static void pump (SsyncRtcSender *self);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SsyncRtcSender) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  self->reading = FALSE;
  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (self->task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (bytes == NULL)
    {
      g_autofree char *name = g_file_get_basename (self->file);

      finish (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_FAILED, _("Cannot read %s: %s"),
                                 name, error->message));
      g_error_free (error);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    self->eof = TRUE;
  else
    {
      gsize size;
      const guchar *data = g_bytes_get_data (bytes, &size);

      g_checksum_update (self->checksum, data, size);
      self->pending = g_steal_pointer (&bytes);
      self->pending_offset = 0;
    }
  pump (self);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SsyncRtcSender) self = user_data;
  GError *error = NULL;
  GFileInputStream *stream = g_file_read_finish (G_FILE (source), result, &error);

  self->reading = FALSE;
  if (self->task == NULL)
    {
      g_clear_object (&stream);
      g_clear_error (&error);
      return;
    }
  if (stream == NULL)
    {
      g_autofree char *name = g_file_get_basename (self->file);

      finish (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_FAILED, _("Cannot open %s: %s"),
                                 name, error->message));
      g_error_free (error);
      return;
    }
  self->stream = G_INPUT_STREAM (stream);
  pump (self);
}

static void
send_end (SsyncRtcSender *self)
{
  g_autoptr(JsonObject) end = ssync_rtc_frame_new ("end");
  GError *error = NULL;

  if (self->sent != self->size)
    {
      g_autofree char *name = g_file_get_basename (self->file);

      /* A file that changed while it was sent must not arrive looking complete. */
      finish (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_CHANGED,
                                 _("%s changed while it was being sent"), name));
      return;
    }

  self->sha256 = g_strdup (g_checksum_get_string (self->checksum));
  json_object_set_string_member (end, "sha256", self->sha256);
  self->ended = TRUE;
  if (!send_frame (self, end, &error))
    finish (self, error);
}

/* Sends what was read while the channel takes it, then reads on. */
static void
pump (SsyncRtcSender *self)
{
  guint64 progress = 0;

  while (self->task != NULL && self->pending != NULL && ssync_rtc_peer_is_writable (self->peer))
    {
      gsize size = g_bytes_get_size (self->pending);
      gsize n = MIN (CHUNK_SIZE, size - self->pending_offset);
      g_autoptr(GBytes) chunk = g_bytes_new_from_bytes (self->pending, self->pending_offset, n);
      GError *error = NULL;

      if (!ssync_rtc_peer_send_bytes (self->peer, chunk, &error))
        {
          finish (self, error);
          return;
        }
      self->pending_offset += n;
      self->sent += n;
      progress += n;
      if (self->pending_offset == size)
        g_clear_pointer (&self->pending, g_bytes_unref);
    }

  if (progress > 0)
    g_signal_emit (self, signals[PROGRESS], 0, progress);
  if (self->task == NULL || self->reading || self->ended)
    return;

  if (self->sent > self->size)
    send_end (self);
  else if (self->pending == NULL && self->eof)
    send_end (self);
  else if (self->pending == NULL)
    {
      self->reading = TRUE;
      g_input_stream_read_bytes_async (self->stream, READ_SIZE, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (self->task), on_read,
                                       g_object_ref (self));
    }
}

static void
on_writable (SsyncRtcPeer   *peer,
             SsyncRtcSender *self)
{
  pump (self);
}

static gboolean
fail_cancelled (gpointer user_data)
{
  SsyncRtcSender *self = user_data;

  ssync_rtc_sender_fail (self, _("The transfer was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable   *cancellable,
              SsyncRtcSender *self)
{
  /* Disconnecting from inside this handler would deadlock: end the run from an idle. */
  g_idle_add_full (G_PRIORITY_DEFAULT, fail_cancelled, g_object_ref (self), g_object_unref);
}

/* Sends the header, the bytes and "end", and returns once the receiver acknowledged them
 * with the same SHA-256 (feed its "ack" to ssync_rtc_sender_handle_ack()). */
void
ssync_rtc_sender_run_async (SsyncRtcSender      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GError *error = NULL;

  g_return_if_fail (SSYNC_IS_RTC_SENDER (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, ssync_rtc_sender_run_async);
  g_task_set_return_on_cancel (self->task, FALSE);

  if (!send_frame (self, self->header, &error))
    {
      finish (self, error);
      return;
    }

  self->writable_id = g_signal_connect (self->peer, "writable", G_CALLBACK (on_writable),
                                        self);
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self,
                                                NULL);
  if (self->task == NULL)
    return;

  self->reading = TRUE;
  g_file_read_async (self->file, G_PRIORITY_DEFAULT, cancellable, on_opened,
                     g_object_ref (self));
}

gboolean
ssync_rtc_sender_run_finish (SsyncRtcSender  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The receiver's "ack"; returns FALSE when none was expected. */
gboolean
ssync_rtc_sender_handle_ack (SsyncRtcSender *self,
                             JsonObject     *ack)
{
  const char *sha256 = ssync_rtc_frame_get_string (ack, "sha256");

  g_return_val_if_fail (SSYNC_IS_RTC_SENDER (self), FALSE);

  if (self->task == NULL || !self->ended)
    return FALSE;

  if (g_strcmp0 (sha256, self->sha256) != 0)
    {
      g_autofree char *name = g_file_get_basename (self->file);

      finish (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_CHANGED,
                                 _("%s arrived damaged: the receiver’s SHA-256 differs"), name));
    }
  else
    finish (self, NULL);
  return TRUE;
}

/* Ends the run with @message: the peer went away or sent "cancel" or "error". */
void
ssync_rtc_sender_fail (SsyncRtcSender *self,
                       const char     *message)
{
  g_return_if_fail (SSYNC_IS_RTC_SENDER (self));

  finish (self, g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_NETWORK, message));
}

/* The SHA-256 of what was sent, once "end" went out. */
const char *
ssync_rtc_sender_get_sha256 (SsyncRtcSender *self)
{
  return self->sha256;
}
