/* ssync-ws-limit.c: a WebSocket's incoming stream that limits whole messages.
 *
 * libsoup 3.2 limits the payload of each frame, but not a message sent as many continuation
 * frames: it gathers them all in memory, however many there are, before anyone sees the
 * message (newer libsoup has "max-total-message-size"). This stream sits between the socket
 * and SoupWebsocketConnection, reads the frame headers of what the client sends and adds up
 * the payloads of each data message. When one passes the limit, the frame that would pass it
 * and every data frame after it are dropped whole (libsoup has only seen complete frames
 * before them), the owner is told, and it closes the connection with 1009 (too big). Control
 * frames (close, ping, pong) still pass, so the closing handshake can finish.
 *
 * Frames from a client are masked; the header is 2 bytes, then 2 or 8 bytes of extended
 * length, then 4 bytes of mask (RFC 6455, 5.2). Payloads are passed through untouched.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include "ssync-ws-limit.h"

#define MAX_HEADER_SIZE 14

struct _SsyncWsLimit
{
  GInputStream parent_instance;

  GIOStream *base;              /* closed with this stream */
  GInputStream *input;          /* the base's, pollable */
  guint64 max_message_size;
  SsyncWsLimitFunc too_big;
  gpointer user_data;
  GDestroyNotify destroy;

  guint8 header[MAX_HEADER_SIZE];
  guint header_len;
  guint header_need;
  guint64 payload_left;         /* of the current frame */
  gboolean dropping;            /* the current frame's payload is dropped */
  guint64 message_size;         /* of the data message in progress */
  gboolean over;                /* a message passed the limit: data frames are dropped */

  GByteArray *out;              /* passed bytes not yet handed to the reader */
  guint out_pos;
};

static void ssync_ws_limit_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SsyncWsLimit, ssync_ws_limit, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      ssync_ws_limit_pollable_init))

static guint64
header_payload_length (const guint8 *header)
{
  guint len7 = header[1] & 0x7f;
  guint64 length = 0;

  if (len7 < 126)
    return len7;
  for (guint i = 0; i < (len7 == 126 ? 2u : 8u); i++)
    length = (length << 8) | header[2 + i];
  return length;
}

/* A whole frame header was read: decides whether its frame passes. */
static void
header_done (SsyncWsLimit *self)
{
  guint opcode = self->header[0] & 0x0f;
  gboolean fin = (self->header[0] & 0x80) != 0;
  guint64 length = header_payload_length (self->header);

  /* Control frames have opcodes 8 and up and never belong to a message. */
  if (opcode < 8 && !self->over)
    {
      guint64 before = opcode == 0 ? self->message_size : 0;

      if (length > self->max_message_size || before + length > self->max_message_size)
        {
          self->over = TRUE;
          if (self->too_big != NULL)
            self->too_big (self->user_data);
        }
      else
        self->message_size = fin ? 0 : before + length;
    }

  self->dropping = opcode < 8 && self->over;
  if (!self->dropping)
    g_byte_array_append (self->out, self->header, self->header_len);
  self->payload_left = length;
  self->header_len = 0;
  self->header_need = 2;
}

/* Runs @n bytes from the client through the frame parser; what passes goes to self->out. */
static void
filter (SsyncWsLimit *self,
        const guint8 *data,
        gsize         n)
{
  while (n > 0)
    {
      if (self->payload_left > 0)
        {
          gsize take = MIN (n, self->payload_left);

          if (!self->dropping)
            g_byte_array_append (self->out, data, take);
          data += take;
          n -= take;
          self->payload_left -= take;
          continue;
        }

      self->header[self->header_len++] = *data++;
      n--;
      if (self->header_len == 2)
        {
          guint len7 = self->header[1] & 0x7f;

          self->header_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) +
                              ((self->header[1] & 0x80) != 0 ? 4 : 0);
        }
      if (self->header_len == self->header_need)
        header_done (self);
    }
}

static gboolean
has_output (SsyncWsLimit *self)
{
  return self->out_pos < self->out->len;
}

static gssize
drain (SsyncWsLimit *self,
       void         *buffer,
       gsize         count)
{
  gsize n = MIN (count, self->out->len - self->out_pos);

  memcpy (buffer, self->out->data + self->out_pos, n);
  self->out_pos += n;
  if (self->out_pos == self->out->len)
    {
      g_byte_array_set_size (self->out, 0);
      self->out_pos = 0;
    }
  return n;
}

/* Reads from the base (blocking or not) until some bytes pass, the base has nothing more
 * for now, or it ends. */
static gssize
read_filtered (SsyncWsLimit  *self,
               void          *buffer,
               gsize          count,
               gboolean       blocking,
               GCancellable  *cancellable,
               GError       **error)
{
  if (count == 0)
    return 0;

  while (!has_output (self))
    {
      gssize n = blocking
                 ? g_input_stream_read (self->input, buffer, count, cancellable, error)
                 : g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->input),
                                                             buffer, count, cancellable,
                                                             error);

      if (n <= 0)
        return n;
      filter (self, buffer, n);

      /* Past the limit, a client that keeps sending must not keep the reader (libsoup reads
       * until it would block) from returning to the main loop, where the close waits. */
      if (self->over && !has_output (self) && !blocking)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                               "Dropped a message over the size limit");
          return -1;
        }
    }

  return drain (self, buffer, count);
}

static gssize
ssync_ws_limit_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return read_filtered (SSYNC_WS_LIMIT (stream), buffer, count, TRUE, cancellable, error);
}

static gssize
ssync_ws_limit_read_nonblocking (GPollableInputStream  *stream,
                                 void                  *buffer,
                                 gsize                  count,
                                 GError               **error)
{
  return read_filtered (SSYNC_WS_LIMIT (stream), buffer, count, FALSE, NULL, error);
}

static gboolean
ssync_ws_limit_can_poll (GPollableInputStream *stream)
{
  SsyncWsLimit *self = SSYNC_WS_LIMIT (stream);

  return G_IS_POLLABLE_INPUT_STREAM (self->input) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->input));
}

static gboolean
ssync_ws_limit_is_readable (GPollableInputStream *stream)
{
  SsyncWsLimit *self = SSYNC_WS_LIMIT (stream);

  return has_output (self) ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->input));
}

static GSource *
ssync_ws_limit_create_source (GPollableInputStream *stream,
                              GCancellable         *cancellable)
{
  SsyncWsLimit *self = SSYNC_WS_LIMIT (stream);
  g_autoptr(GSource) child = NULL;

  /* Bytes left over from a short read are ready now; libsoup reads 1 KiB at a time and
   * until it would block, so this only happens to readers with tiny buffers. */
  if (has_output (self))
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->input),
                                                   cancellable);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static gboolean
ssync_ws_limit_close (GInputStream  *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  return g_io_stream_close (SSYNC_WS_LIMIT (stream)->base, cancellable, error);
}

static void
on_base_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Closing is forwarded to the base, asynchronously on its own terms, instead of GIO's
 * default of a blocking close on a worker thread. */
static void
ssync_ws_limit_close_async (GInputStream        *stream,
                            int                  io_priority,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_io_stream_close_async (SSYNC_WS_LIMIT (stream)->base, io_priority, cancellable,
                           on_base_closed, task);
}

static gboolean
ssync_ws_limit_close_finish (GInputStream  *stream,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ssync_ws_limit_finalize (GObject *object)
{
  SsyncWsLimit *self = SSYNC_WS_LIMIT (object);

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_byte_array_unref (self->out);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (ssync_ws_limit_parent_class)->finalize (object);
}

static void
ssync_ws_limit_class_init (SsyncWsLimitClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = ssync_ws_limit_finalize;
  stream_class->read_fn = ssync_ws_limit_read;
  stream_class->close_fn = ssync_ws_limit_close;
  stream_class->close_async = ssync_ws_limit_close_async;
  stream_class->close_finish = ssync_ws_limit_close_finish;
}

static void
ssync_ws_limit_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = ssync_ws_limit_can_poll;
  iface->is_readable = ssync_ws_limit_is_readable;
  iface->create_source = ssync_ws_limit_create_source;
  iface->read_nonblocking = ssync_ws_limit_read_nonblocking;
}

static void
ssync_ws_limit_init (SsyncWsLimit *self)
{
  self->out = g_byte_array_new ();
  self->header_need = 2;
}

/* Returns a stream like @base whose input drops every data frame from the first message
 * over @max_message_size on, calling @too_big once when that happens. Closing it closes
 * @base. */
GIOStream *
ssync_ws_limit_wrap (GIOStream        *base,
                     guint64           max_message_size,
                     SsyncWsLimitFunc  too_big,
                     gpointer          user_data,
                     GDestroyNotify    destroy)
{
  g_autoptr(SsyncWsLimit) self = g_object_new (SSYNC_TYPE_WS_LIMIT, NULL);

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  self->base = g_object_ref (base);
  self->input = g_io_stream_get_input_stream (base);
  self->max_message_size = max_message_size;
  self->too_big = too_big;
  self->user_data = user_data;
  self->destroy = destroy;

  return g_simple_io_stream_new (G_INPUT_STREAM (self), g_io_stream_get_output_stream (base));
}
