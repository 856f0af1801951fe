/* ssync-localsend-sender-stream.c: one file's upload to a device, outside libsoup
 * (ssync-localsend-sender-private.h).
 *
 * libsoup 3.2 writes a request body with g_output_stream_splice_async: 8 KiB per trip through
 * the main loop, each its own TLS record and send(), with thread hand-overs around every read
 * of the file. A 256 MiB upload took 32788 send() calls, 185918 futex calls and 65580 polls:
 * 174 MB/s against curl's 609 MB/s on tests/bench/bench-nearby.py, with 5x its CPU. So the body
 * goes out here, from a worker thread, in blocking writes of 1 MiB read from the file, on a
 * connection of its own that is checked as the sessions' are: the certificate pinned to the
 * device's fingerprint, the same connect and I/O timeouts, the caller's cancellable. The request
 * head is written with libsoup's SoupMessageHeaders and the answer's head, bounded, read with
 * libsoup's parser: no HTTP is parsed by hand. "Connection: close" keeps it one request long.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-localsend-sender-private.h"

/* What is read from the file and written at once. */
#define CHUNK (1024 * 1024)
/* The longest answer head (all of it, with any "100 Continue" before it). */
#define MAX_HEAD (16 * 1024)
/* How often the transfer hears of the bytes sent. */
#define PROGRESS_INTERVAL_MS 50

enum {
  CONNECTING,
  CONNECTED,
  TIMED_OUT,
};

typedef struct {
  /* Set before the worker starts; read-only after. */
  char *address;
  char *host;            /* the Host header: "address:port" */
  guint16 port;
  gboolean https;
  char *fingerprint;     /* what the certificate's SHA-256 must be; NULL: any (recorded) */
  char *head;            /* the request head, written as is */
  GFile *file;
  char *name;
  guint64 size;
  guint io_timeout;
  GCancellable *cancellable;  /* ours: cut by the caller's and by the connect timeout */
  GCancellable *outer;
  gulong outer_id;
  /* The worker's, read by the main thread once the task returned. */
  gboolean mismatch;
  char *seen;
  int state;             /* atomic: CONNECTING, CONNECTED or TIMED_OUT */
  /* Progress: the worker adds to @sent, the main thread tells the transfer. */
  GMutex lock;
  guint64 sent;
  guint64 told;
  SsyncTransfer *transfer;
  GSource *connect_timer;
  GSource *progress_timer;
} Stream;

static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
stream_free (Stream *stream)
{
  destroy_source (&stream->connect_timer);
  destroy_source (&stream->progress_timer);
  if (stream->outer != NULL && stream->outer_id != 0)
    g_cancellable_disconnect (stream->outer, stream->outer_id);
  g_clear_object (&stream->outer);
  g_clear_object (&stream->cancellable);
  g_clear_object (&stream->file);
  g_clear_object (&stream->transfer);
  g_mutex_clear (&stream->lock);
  g_free (stream->address);
  g_free (stream->host);
  g_free (stream->fingerprint);
  g_free (stream->head);
  g_free (stream->name);
  g_free (stream->seen);
  g_free (stream);
}

/* Main thread: the transfer learns what left since it last heard. */
static void
tell_progress (Stream *stream)
{
  guint64 sent;

  g_mutex_lock (&stream->lock);
  sent = stream->sent;
  g_mutex_unlock (&stream->lock);
  if (sent > stream->told)
    ssync_transfer_add_bytes (stream->transfer, sent - stream->told);
  stream->told = sent;
}

static gboolean
on_progress_timer (gpointer user_data)
{
  tell_progress (user_data);
  return G_SOURCE_CONTINUE;
}

/* Not connected (with TLS) in time: the device does not answer. */
static gboolean
on_connect_timer (gpointer user_data)
{
  Stream *stream = user_data;

  g_clear_pointer (&stream->connect_timer, g_source_unref);
  if (g_atomic_int_compare_and_exchange (&stream->state, CONNECTING, TIMED_OUT))
    g_cancellable_cancel (stream->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_outer_cancelled (GCancellable *outer,
                    GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

/* Worker: the certificate must be the pinned one; with nothing pinned it is recorded. */
static gboolean
check_certificate (Stream          *stream,
                   GTlsCertificate *certificate)
{
  g_autofree char *seen = NULL;

  if (certificate != NULL)
    seen = ssync_localsend_sender_fingerprint_of (certificate);
  if (stream->fingerprint != NULL
      && (seen == NULL || g_ascii_strcasecmp (seen, stream->fingerprint) != 0))
    {
      stream->mismatch = TRUE;
      return FALSE;
    }
  g_free (stream->seen);
  stream->seen = g_steal_pointer (&seen);
  return TRUE;
}

/* LocalSend's certificates are self-signed: they are judged by their fingerprint only. */
static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       Stream               *stream)
{
  return check_certificate (stream, certificate);
}

/* What a failure of the connection means to the user (takes @error). */
static GError *
transport_error (Stream *stream,
                 GError *error)
{
  g_autoptr(GError) cause = error;

  if (stream->outer != NULL && g_cancellable_is_cancelled (stream->outer))
    return g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled"));
  if (stream->mismatch)
    return g_error_new (SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                        _("The device at %s did not show the certificate it announced: "
                          "not sending to it"), stream->address);
  if (g_atomic_int_get (&stream->state) == TIMED_OUT)
    return g_error_new (SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                        _("The device at %s does not answer"), stream->address);
  return g_error_new (SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE, _("Cannot reach the device at %s: %s"),
                      stream->address, cause->message);
}

/* Worker: a connection to the device, its certificate checked, within the connect timeout. */
static GIOStream *
connect_to_device (Stream  *stream,
                   GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) where = g_network_address_new (stream->address, stream->port);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  GError *local = NULL;

  /* Devices are on the LAN: never through a proxy. The timeout is each read's and write's. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, stream->io_timeout);
  connection = g_socket_client_connect (client, where, stream->cancellable, &local);
  if (connection == NULL)
    goto failed;
  /* As curl does: without it, on a 1 GiB send through a veth pair the sender spent 0.8 s in
   * the kernel (tcp_write_xmit, 27% of its profile, against 7% for curl), with it 0.43 s.
   * The body goes out in whole TLS records: there is nothing small for Nagle to hold back. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
  if (!stream->https)
    tls = G_IO_STREAM (g_steal_pointer (&connection));
  else
    {
      tls = g_tls_client_connection_new (G_IO_STREAM (connection), NULL, &local);
      if (tls == NULL)
        goto failed;
      g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), stream);
      if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), stream->cancellable, &local))
        goto failed;
      /* A certificate that a certificate authority signed never reaches accept-certificate. */
      if (!check_certificate (stream,
                              g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls))))
        {
          local = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "certificate");
          goto failed;
        }
    }
  if (!g_atomic_int_compare_and_exchange (&stream->state, CONNECTING, CONNECTED))
    {
      local = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "connect timeout");
      goto failed;
    }
  return g_steal_pointer (&tls);

failed:
  g_propagate_error (error, transport_error (stream, local));
  return NULL;
}

/* Worker: sends the file's bytes, telling the main thread how far it got. */
static gboolean
send_body (Stream         *stream,
           GInputStream   *input,
           GOutputStream  *output,
           GError        **error)
{
  g_autofree guint8 *buffer = g_malloc (CHUNK);
  guint64 left = stream->size;
  GError *local = NULL;

  while (left > 0)
    {
      gsize want = MIN (left, CHUNK);
      gsize got = 0;

      if (!g_input_stream_read_all (input, buffer, want, &got, stream->cancellable, &local))
        {
          if (g_cancellable_is_cancelled (stream->cancellable))
            g_propagate_error (error, transport_error (stream, local));
          else
            {
              g_prefix_error (&local, _("Cannot read %s: "), stream->name);
              g_propagate_error (error, local);
            }
          return FALSE;
        }
      if (got < want)
        {
          g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_CHANGED,
                       _("%s became shorter while it was being sent"), stream->name);
          return FALSE;
        }
      if (!g_output_stream_write_all (output, buffer, got, NULL, stream->cancellable, &local))
        {
          g_propagate_error (error, transport_error (stream, local));
          return FALSE;
        }
      left -= got;
      g_mutex_lock (&stream->lock);
      stream->sent += got;
      g_mutex_unlock (&stream->lock);
    }
  return TRUE;
}

/* Where the head in @data ends (after the line break of its last line), or 0 while it has not
 * ended. */
static gsize
head_end (const char *data,
          gsize       length)
{
  for (gsize i = 0; i + 1 < length; i++)
    if (data[i] == '\n'
        && (data[i + 1] == '\n' || (data[i + 1] == '\r' && i + 2 < length && data[i + 2] == '\n')))
      return i + 1;
  return 0;
}

/* Worker: reads the answer's status line and headers, at most MAX_HEAD bytes in all, skipping
 * interim (1xx) answers; its body is not needed and not read. */
static gboolean
read_answer (Stream        *stream,
             GInputStream  *input,
             guint         *status,
             GError       **error)
{
  g_autofree char *data = g_malloc (MAX_HEAD);
  gsize filled = 0;
  gsize consumed = 0;  /* by interim answers */
  GError *local = NULL;

  for (;;)
    {
      gsize end = head_end (data, filled);
      gssize got;

      if (end > 0)
        {
          g_autoptr(SoupMessageHeaders) headers =
            soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
          g_autofree char *reason = NULL;
          SoupHTTPVersion version;
          gsize skip = end + (data[end] == '\r' ? 2 : 1);

          if (!soup_headers_parse_response (data, (int) end, headers, &version, status, &reason))
            {
              g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
                           _("The device at %s gave an answer ShareSync does not understand"),
                           stream->address);
              return FALSE;
            }
          if (!SOUP_STATUS_IS_INFORMATIONAL (*status))
            return TRUE;
          memmove (data, data + skip, filled - skip);
          filled -= skip;
          consumed += skip;
          continue;
        }
      if (consumed + filled >= MAX_HEAD)
        {
          g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
                       _("The device at %s answered with too much data"), stream->address);
          return FALSE;
        }
      got = g_input_stream_read (input, data + filled, MAX_HEAD - consumed - filled,
                                 stream->cancellable, &local);
      if (got == 0)
        local = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                     _("The connection was closed before an answer"));
      if (got <= 0)
        {
          g_propagate_error (error, transport_error (stream, local));
          return FALSE;
        }
      filled += got;
    }
}

/* Worker: a connection given up on is closed under its TLS layer first. Dropped as it is, its
 * TLS layer would send close_notify, and to a receiver that stopped reading that write blocks
 * for the whole I/O timeout: a send cancelled mid-body then took 30 s to end, not at once. */
static void
abandon (GIOStream *connection)
{
  g_autoptr(GIOStream) base = NULL;

  if (G_IS_TLS_CONNECTION (connection))
    g_object_get (connection, "base-io-stream", &base, NULL);
  else
    base = g_object_ref (connection);
  if (G_IS_SOCKET_CONNECTION (base))
    g_socket_close (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base)), NULL);
}

static void
stream_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *unused)
{
  Stream *stream = task_data;
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GIOStream) connection = NULL;
  SsyncLocalsendResponse *answer;
  GOutputStream *output;
  GError *error = NULL;
  guint status = 0;

  input = g_file_read (stream->file, stream->cancellable, &error);
  if (input == NULL)
    {
      g_prefix_error (&error, _("Cannot read %s: "), stream->name);
      g_task_return_error (task, error);
      return;
    }
  connection = connect_to_device (stream, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  output = g_io_stream_get_output_stream (connection);
  if (!g_output_stream_write_all (output, stream->head, strlen (stream->head), NULL,
                                  stream->cancellable, &error))
    {
      abandon (connection);
      g_task_return_error (task, transport_error (stream, error));
      return;
    }
  if (!send_body (stream, G_INPUT_STREAM (input), output, &error)
      || !read_answer (stream, g_io_stream_get_input_stream (connection), &status, &error))
    {
      abandon (connection);
      g_task_return_error (task, error);
      return;
    }
  /* The answer is all we wanted: a failing close changes nothing. */
  g_io_stream_close (connection, stream->cancellable, NULL);

  answer = g_new0 (SsyncLocalsendResponse, 1);
  answer->status = status;
  answer->body = g_bytes_new (NULL, 0);
  answer->fingerprint = g_steal_pointer (&stream->seen);
  g_task_return_pointer (task, answer, (GDestroyNotify) ssync_localsend_response_free);
}

static void
add_header (const char *name,
            const char *value,
            gpointer    user_data)
{
  g_string_append_printf (user_data, "%s: %s\r\n", name, value);
}

static char *
build_head (Stream     *stream,
            const char *path_and_query,
            const char *mime)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  GString *head = g_string_new (NULL);

  g_string_append_printf (head, "POST %s HTTP/1.1\r\n", path_and_query);
  soup_message_headers_append (headers, "Host", stream->host);
  soup_message_headers_append (headers, "User-Agent", "ShareSync");
  soup_message_headers_set_content_type (headers, mime, NULL);
  soup_message_headers_set_content_length (headers, (goffset) stream->size);
  soup_message_headers_append (headers, "Connection", "close");
  soup_message_headers_foreach (headers, add_header, head);
  g_string_append (head, "\r\n");
  return g_string_free (head, FALSE);
}

void
ssync_localsend_sender_stream_async (SsyncLocalsendSender   *self,
                                     SsyncLocalsendPeer     *peer,
                                     const char             *path_and_query,
                                     SsyncLocalsendSendFile *file,
                                     SsyncTransfer          *transfer,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data)
{
  /* No source object: the worker may drop the last reference to the task, and the sender
   * (with its libsoup sessions) must never be finalized on that thread. */
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GUri) uri = g_uri_parse (peer->base_uri, G_URI_FLAGS_NONE, NULL);
  Stream *stream = g_new0 (Stream, 1);
  guint connect_timeout;
  const char *host;

  g_task_set_source_tag (task, ssync_localsend_sender_stream_async);
  /* Our cancellable, not the caller's, stops the worker: a timeout must be told from a user's
   * cancel. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, stream, (GDestroyNotify) stream_free);
  g_mutex_init (&stream->lock);
  ssync_localsend_sender_get_timeouts (self, &connect_timeout, &stream->io_timeout);
  stream->address = g_strdup (peer->address);
  stream->fingerprint = g_strdup (peer->fingerprint);
  stream->file = g_object_ref (file->file);
  stream->name = g_strdup (file->name);
  stream->size = file->size;
  stream->transfer = g_object_ref (transfer);
  stream->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      stream->outer = g_object_ref (cancellable);
      stream->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                                stream->cancellable, NULL);
    }
  if (uri == NULL || g_uri_get_port (uri) <= 0)
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_FAILED, "%s",
                               _("Cannot make the upload request"));
      return;
    }
  host = g_uri_get_host (uri);
  stream->port = (guint16) g_uri_get_port (uri);
  stream->https = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0;
  stream->host = g_strdup_printf (strchr (host, ':') != NULL ? "[%s]:%u" : "%s:%u", host,
                                  stream->port);
  stream->head = build_head (stream, path_and_query, file->mime);

  if (connect_timeout > 0)
    {
      stream->connect_timer = g_timeout_source_new_seconds (connect_timeout);
      g_source_set_callback (stream->connect_timer, on_connect_timer, stream, NULL);
      g_source_attach (stream->connect_timer, g_main_context_get_thread_default ());
    }
  stream->progress_timer = g_timeout_source_new (PROGRESS_INTERVAL_MS);
  g_source_set_callback (stream->progress_timer, on_progress_timer, stream, NULL);
  g_source_attach (stream->progress_timer, g_main_context_get_thread_default ());
  g_task_run_in_thread (task, stream_thread);
}

SsyncLocalsendResponse *
ssync_localsend_sender_stream_finish (SsyncLocalsendSender  *self,
                                      GAsyncResult          *result,
                                      GError               **error)
{
  Stream *stream = g_task_get_task_data (G_TASK (result));

  /* The timers end here, on the main thread they run on, and what belongs to that thread is
   * let go of: the worker may free the rest. */
  destroy_source (&stream->connect_timer);
  destroy_source (&stream->progress_timer);
  tell_progress (stream);
  g_clear_object (&stream->transfer);
  if (stream->outer != NULL)
    g_cancellable_disconnect (stream->outer, stream->outer_id);
  stream->outer_id = 0;
  return g_task_propagate_pointer (G_TASK (result), error);
}
