/* ssync-body-pump.c: the download loop.
 *
 * libsoup has no sendfile path. The fastest bounded-memory way measured (NOTES.md) is to
 * read 1 MiB chunks asynchronously, append each to a non-accumulating response body and
 * keep at most two chunks queued, pausing the message while the disk is read. The chunks
 * come from the server's buffer pool, so the memory of all downloads together is bounded
 * too, not only that of each.
 *
 * The pump owns a reference to itself while a read is in flight or the message is alive,
 * and frees itself once both are over.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-body-pump.h"

#define MAX_QUEUED 2

typedef struct {
  gatomicrefcount ref;
  SoupServerMessage *msg;
  GInputStream *stream;
  SsyncTransfer *transfer;
  SsyncBufferPool *pool;
  char *owner;     /* the client's address: its share of the pool */
  guint8 *buffer;  /* being read into */
  GCancellable *cancellable;
  guint64 to_read;
  guint queued;
  gboolean reading;
  gboolean done;
  gboolean released;
} Pump;

static void pump_read_next (Pump *pump);

static Pump *
pump_ref (Pump *pump)
{
  g_atomic_ref_count_inc (&pump->ref);
  return pump;
}

static void
pump_unref (Pump *pump)
{
  if (!g_atomic_ref_count_dec (&pump->ref))
    return;

  g_clear_object (&pump->msg);
  g_clear_object (&pump->stream);
  g_clear_object (&pump->transfer);
  g_clear_object (&pump->pool);
  g_clear_object (&pump->cancellable);
  g_free (pump->owner);
  g_free (pump);
}

/* Drops the message's hold on the pump, once, whether the exchange finished or the
 * connection was taken away from libsoup. */
static void
pump_release_message (Pump *pump)
{
  if (pump->released)
    return;

  pump->released = TRUE;
  g_signal_handlers_disconnect_by_data (pump->msg, pump);
  g_signal_handlers_disconnect_by_data (ssync_transfer_get_cancellable (pump->transfer), pump);
  g_cancellable_cancel (pump->cancellable);

  /* A wait for a buffer held a reference. */
  if (ssync_buffer_pool_cancel (pump->pool, pump) > 0)
    {
      pump->reading = FALSE;
      pump_unref (pump);
    }

  pump_unref (pump);
}

/* After the headers went out, the only way to tell a client that the body cannot be
 * completed is to cut the connection: a short body never looks like a whole file. The
 * connection is taken from libsoup and closed (it came from our own listener, so libsoup
 * holds no socket to shut down). */
static void
pump_cut (Pump                *pump,
          SsyncTransferStatus  status,
          const char          *message)
{
  g_autoptr(GIOStream) connection = NULL;

  if (pump->done)
    return;

  pump->done = TRUE;
  ssync_transfer_finish (pump->transfer, status, message);

  pump_ref (pump);
  connection = soup_server_message_steal_connection (pump->msg);
  if (connection != NULL)
    g_io_stream_close (connection, NULL, NULL);
  pump_release_message (pump);
  pump_unref (pump);
}

static void
pump_fail (Pump       *pump,
           const char *message)
{
  pump_cut (pump, SSYNC_TRANSFER_STATUS_FAILED, message);
}

/* The share was stopped, or ShareSync is quitting. */
static void
on_cancelled (GCancellable *cancellable,
              Pump         *pump)
{
  pump_cut (pump, SSYNC_TRANSFER_STATUS_CANCELLED, _("Sharing was stopped"));
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pump *pump = user_data;
  guint8 *buffer = g_steal_pointer (&pump->buffer);
  g_autoptr(GError) error = NULL;
  gssize n;

  pump->reading = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (pump->done || n <= 0)
    {
      ssync_buffer_pool_give_back (pump->pool, buffer);
      /* Zero bytes: the file got shorter than it was when the headers were sent. */
      if (!pump->done)
        pump_fail (pump, n < 0 ? error->message : _("The file changed while it was being sent"));
    }
  else
    {
      g_autoptr(GBytes) bytes = ssync_buffer_pool_wrap (pump->pool, buffer, n);

      pump->to_read -= n;
      pump->queued++;
      soup_message_body_append_bytes (soup_server_message_get_response_body (pump->msg), bytes);
      soup_server_message_unpause (pump->msg);
      if (pump->queued < MAX_QUEUED)
        pump_read_next (pump);
    }

  pump_unref (pump);
}

static void
on_buffer (guint8   *buffer,
           gsize     size,
           gpointer  user_data)
{
  Pump *pump = user_data;

  if (pump->done)
    {
      ssync_buffer_pool_give_back (pump->pool, buffer);
      pump->reading = FALSE;
      pump_unref (pump);
      return;
    }

  /* The reference taken for the wait now belongs to the read. */
  pump->buffer = buffer;
  g_input_stream_read_async (pump->stream, buffer, MIN (pump->to_read, size),
                             G_PRIORITY_DEFAULT, pump->cancellable, on_read, pump);
}

static void
pump_read_next (Pump *pump)
{
  if (pump->reading || pump->done || pump->to_read == 0)
    return;

  pump->reading = TRUE;
  ssync_buffer_pool_take (pump->pool, pump->owner, on_buffer, pump_ref (pump));
}

static void
on_wrote_chunk (SoupServerMessage *msg,
                Pump              *pump)
{
  pump->queued--;
  pump_read_next (pump);
}

static void
on_wrote_body_data (SoupServerMessage *msg,
                    guint              chunk_size,
                    Pump              *pump)
{
  ssync_transfer_add_bytes (pump->transfer, chunk_size);
}

static void
on_wrote_body (SoupServerMessage *msg,
               Pump              *pump)
{
  if (pump->done)
    return;

  pump->done = TRUE;
  ssync_transfer_finish (pump->transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
}

/* Emitted when the exchange is over, whether the body went out or the client left. */
static void
on_finished (SoupServerMessage *msg,
             Pump              *pump)
{
  if (!pump->done)
    {
      pump->done = TRUE;
      ssync_transfer_finish (pump->transfer, SSYNC_TRANSFER_STATUS_INCOMPLETE,
                             _("The connection closed before the download ended"));
    }

  pump_release_message (pump);
}

/* Sends exactly @length bytes of @stream as the body of @msg, whose status and headers
 * (with Content-Length) are set. @transfer counts the bytes and gets the outcome. */
void
ssync_body_pump_start (SsyncBufferPool   *pool,
                       SoupServerMessage *msg,
                       GInputStream      *stream,
                       guint64            length,
                       SsyncTransfer     *transfer)
{
  Pump *pump = g_new0 (Pump, 1);

  g_atomic_ref_count_init (&pump->ref);
  pump->msg = g_object_ref (msg);
  pump->stream = g_object_ref (stream);
  pump->transfer = g_object_ref (transfer);
  pump->pool = g_object_ref (pool);
  pump->owner = g_strdup (soup_server_message_get_remote_host (msg));
  pump->cancellable = g_cancellable_new ();
  pump->to_read = length;

  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CONTENT_LENGTH);
  soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg),
                                           length);

  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), pump);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), pump);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (on_wrote_body), pump);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), pump);
  g_signal_connect (ssync_transfer_get_cancellable (transfer), "cancelled",
                    G_CALLBACK (on_cancelled), pump);

  if (length > 0)
    {
      /* Nothing is written until the first chunk is read. */
      soup_server_message_pause (msg);
      pump_read_next (pump);
    }
}
