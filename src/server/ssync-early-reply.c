/* ssync-early-reply.c: sends the answer already set on a message at once, from an early
 * handler, and closes the connection without reading the request body.
 *
 * libsoup 3.2 reads a request's whole body before it writes any answer, even when an early
 * handler already set an error: a 48 MiB body to a route that takes none would be read
 * (and kept in memory), and a Content-Length libsoup cannot parse (it becomes -1) is read
 * until the client closes. Stealing the connection stops libsoup's reading at once (its
 * I/O loop checks for that after every callback); the status line, headers and body set on
 * the message are then written here, and the connection is closed the way nginx does
 * ("lingering close"): stop writing, drain what the client still sends for a short while,
 * then close, so that the client reads the answer instead of a reset.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-early-reply.h"

/* How long, and how many bytes, to drain before closing. */
#define LINGER_SECONDS 2
#define LINGER_BYTES (1024 * 1024)

typedef struct {
  GIOStream *stream;
  GBytes *reply;
  GCancellable *cancellable;
  guint timeout_id;
  gsize drained;
  guint8 buffer[16 * 1024];
} Linger;

static void
linger_free (Linger *linger)
{
  g_clear_handle_id (&linger->timeout_id, g_source_remove);
  g_io_stream_close (linger->stream, NULL, NULL);
  g_object_unref (linger->stream);
  g_bytes_unref (linger->reply);
  g_object_unref (linger->cancellable);
  g_free (linger);
}

static gboolean
on_linger_timeout (gpointer user_data)
{
  Linger *linger = user_data;

  linger->timeout_id = 0;
  g_cancellable_cancel (linger->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_drained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Linger *linger = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n > 0 && (linger->drained += n) < LINGER_BYTES)
    {
      g_input_stream_read_async (G_INPUT_STREAM (source), linger->buffer, sizeof linger->buffer,
                                 G_PRIORITY_DEFAULT, linger->cancellable, on_drained, linger);
      return;
    }
  linger_free (linger);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Linger *linger = user_data;
  GInputStream *in = g_io_stream_get_input_stream (linger->stream);

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      linger_free (linger);
      return;
    }

  if (G_IS_SOCKET_CONNECTION (linger->stream))
    g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (linger->stream)),
                       FALSE, TRUE, NULL);
  linger->timeout_id = g_timeout_add_seconds (LINGER_SECONDS, on_linger_timeout, linger);
  g_input_stream_read_async (in, linger->buffer, sizeof linger->buffer, G_PRIORITY_DEFAULT,
                             linger->cancellable, on_drained, linger);
}

static GBytes *
serialize (SoupServerMessage *msg)
{
  GString *text = g_string_new (NULL);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) content = soup_message_body_flatten (body);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  guint status = soup_server_message_get_status (msg);

  g_string_append_printf (text, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  soup_message_headers_remove (headers, "Content-Length");
  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (text, "%s: %s\r\n", name, value);
  g_string_append_printf (text, "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                          g_bytes_get_size (content));
  g_string_append_len (text, g_bytes_get_data (content, NULL), g_bytes_get_size (content));

  return g_string_free_to_bytes (text);
}

/* Writes the status, headers and body set on @msg (an early handler's error) and closes the
 * connection; libsoup forgets @msg, and its body is never read. */
void
ssync_early_reply_send (SoupServerMessage *msg)
{
  g_autoptr(GBytes) reply = serialize (msg);
  GIOStream *stream = soup_server_message_steal_connection (msg);
  Linger *linger;

  if (stream == NULL)
    return;

  linger = g_new0 (Linger, 1);
  linger->stream = stream;
  linger->reply = g_steal_pointer (&reply);
  linger->cancellable = g_cancellable_new ();
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (linger->reply, NULL),
                                   g_bytes_get_size (linger->reply), G_PRIORITY_DEFAULT,
                                   linger->cancellable, on_written, linger);
}
