/* ssync-response.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include "ssync-page-i18n.h"
#include "ssync-response.h"

#define RESOURCE_PREFIX "/io/github/sharesync/web/"

/* Pages never run script from anywhere but this server, and share links (which carry the
 * token) are never leaked to other sites through the Referer header. */
static const char content_security_policy[] =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void
ssync_response_set_common_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Security-Policy", content_security_policy);
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
}

static GBytes *
lookup_resource (const char *name)
{
  g_autofree char *path = g_strconcat (RESOURCE_PREFIX, name, NULL);

  return g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

/* Every unknown token and path gets exactly this answer, so a 404 tells nothing about
 * which tokens exist. */
void
ssync_response_not_found (SoupServerMessage *msg)
{
  g_autoptr(GBytes) resource = lookup_resource ("error.html");
  g_autoptr(GBytes) page = ssync_page_localize (resource, ssync_page_locale_for_request (msg));

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (page, NULL), g_bytes_get_size (page));
}

void
ssync_response_text (SoupServerMessage *msg,
                     guint              status,
                     const char        *text)
{
  g_autofree char *body = g_strconcat (text, "\n", NULL);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), strlen (text) + 1);
}

void
ssync_response_json (SoupServerMessage *msg,
                     guint              status,
                     JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *data;

  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &length);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, length);
}

void
ssync_response_resource (SoupServerMessage *msg,
                         const char        *name,
                         const char        *content_type)
{
  g_autoptr(GBytes) data = lookup_resource (name);

  if (data == NULL)
    {
      ssync_response_not_found (msg);
      return;
    }

  /* Every page is sent in the reader's language, with its scripts' catalog. */
  if (g_str_has_prefix (content_type, "text/html"))
    {
      GBytes *page = ssync_page_localize (data, ssync_page_locale_for_request (msg));

      g_bytes_unref (data);
      data = page;
    }

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-cache");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (data, NULL), g_bytes_get_size (data));
}

/* After a refusal sent without reading the request body, the rest of what the client sends
 * is read and thrown away for a moment before the socket closes, as nginx's lingering close
 * does: closing a socket that still holds unread data makes the kernel send a reset, which
 * can destroy the answer before the client has read it. */
#define LINGER_SECONDS 2
#define LINGER_BUFFER_SIZE 4096

typedef struct {
  GIOStream *stream;
  GSocket *socket;
  GCancellable *cancellable;
  guint timeout_id;
  guint8 buffer[LINGER_BUFFER_SIZE];
} Linger;

static void
linger_free (Linger *linger)
{
  g_clear_handle_id (&linger->timeout_id, g_source_remove);
  /* The close holds its own reference until it is done. */
  g_io_stream_close_async (linger->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_object_unref (linger->stream);
  g_clear_object (&linger->socket);
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
on_linger_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Linger *linger = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      linger_free (linger);
      return;
    }

  g_input_stream_read_async (G_INPUT_STREAM (source), linger->buffer, sizeof linger->buffer,
                             G_PRIORITY_LOW, linger->cancellable, on_linger_read, linger);
}

static void
on_refusal_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Linger *linger = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      linger_free (linger);
      return;
    }

  /* The client sees the end of the answer at once; what it still sends is discarded. */
  if (linger->socket != NULL)
    g_socket_shutdown (linger->socket, FALSE, TRUE, NULL);
  linger->timeout_id = g_timeout_add_seconds (LINGER_SECONDS, on_linger_timeout, linger);
  g_input_stream_read_async (g_io_stream_get_input_stream (linger->stream), linger->buffer,
                             sizeof linger->buffer, G_PRIORITY_LOW, linger->cancellable,
                             on_linger_read, linger);
}

static gboolean
announces_body (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      /* -1 when the length does not fit a goffset. */
      return soup_message_headers_get_content_length (headers) != 0;
    case SOUP_ENCODING_NONE:
      return FALSE;
    default:
      return TRUE;
    }
}

/* Writes @status, @reason, the response headers set on @msg and @body on @msg's connection,
 * taken from libsoup, and ends the connection. */
static void
send_raw (SoupServerMessage *msg,
          guint              status,
          const char        *reason,
          GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeadersIter iter;
  const char *name, *value;
  GSocket *socket;
  Linger *linger;

  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_remove (headers, "Content-Length");
  soup_message_headers_remove (headers, "Transfer-Encoding");

  g_string_append_printf (answer, "HTTP/1.%d %u %s\r\n",
                          soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0 ? 0 : 1,
                          status, reason != NULL ? reason : soup_status_get_phrase (status));
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (answer, "%s: %s\r\n", name, value);
  g_string_append_printf (answer, "Content-Length: %zu\r\n\r\n", g_bytes_get_size (body));
  if (soup_server_message_get_method (msg) != SOUP_METHOD_HEAD)
    g_string_append_len (answer, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  bytes = g_string_free_to_bytes (g_steal_pointer (&answer));

  socket = soup_server_message_get_socket (msg);
  linger = g_new0 (Linger, 1);
  linger->socket = socket != NULL ? g_object_ref (socket) : NULL;
  linger->cancellable = g_cancellable_new ();
  /* This may free @msg. */
  linger->stream = soup_server_message_steal_connection (msg);
  if (linger->stream == NULL)
    {
      g_clear_object (&linger->socket);
      g_object_unref (linger->cancellable);
      g_free (linger);
      return;
    }

  g_output_stream_write_all_async (g_io_stream_get_output_stream (linger->stream),
                                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, linger->cancellable, on_refusal_written,
                                   linger);
  /* The write reads from @bytes until it completes. */
  g_object_set_data_full (G_OBJECT (linger->cancellable), "ssync-answer",
                          g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

/* Answers @msg with @status and @text without reading its body: when it announced one, the
 * connection is taken from libsoup (which would read the whole body first), the answer is
 * written on it with "Connection: close", and the connection ends. Headers already set on the
 * response (Allow, Retry-After...) are sent along. Use it only before the body is read: from
 * an early handler or a "got-chunk" handler. */
void
ssync_response_refuse (SoupServerMessage *msg,
                       guint              status,
                       const char        *reason,
                       const char        *text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) body = NULL;

  if (!announces_body (msg))
    {
      ssync_response_text (msg, status, text);
      soup_server_message_set_status (msg, status, reason);
      return;
    }

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Content-Type", "text/plain; charset=utf-8");
  body = g_bytes_new_take (g_strconcat (text, "\n", NULL), strlen (text) + 1);
  send_raw (msg, status, reason, body);
}

/* Sends the answer already set on @msg (status, headers, body) without reading the request
 * body, as ssync_response_refuse() does; for routes that build their own error answers. */
void
ssync_response_send_now (SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = NULL;

  if (!announces_body (msg))
    return;

  body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  send_raw (msg, soup_server_message_get_status (msg),
            soup_server_message_get_reason_phrase (msg), body);
}

/* An error page in the reader's language: @title and @text are page msgids, marked NP_()
 * where they are written and translated here for the request. */
void
ssync_response_error_page (SoupServerMessage *msg,
                           guint              status,
                           const char        *title,
                           const char        *text)
{
  const SsyncPageLocale *locale = ssync_page_locale_for_request (msg);
  g_autofree char *body = g_strdup_printf ("%s\n%s\n", ssync_page_gettext (locale, title),
                                           ssync_page_gettext (locale, text));

  ssync_response_text (msg, status, body);
}
