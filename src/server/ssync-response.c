/* ssync-response.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include "ssync-page-i18n.h"
#include "ssync-page-render.h"
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
  ssync_response_error_page_full (msg, SOUP_STATUS_NOT_FOUND, "error",
                                  NP_("This link does not work"),
                                  NP_("The share may have been stopped or may have expired, or "
                                      "the address was not copied completely."),
                                  NP_("Ask the person who shared the files for a new link."));
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

/* The share page a request under /s/{token}/ or /r/{token}/ came from, or NULL: where an
 * error page's way back leads. Only a token's own characters make it into the link. */
static char *
page_of_request (SoupServerMessage *msg)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  g_auto(GStrv) parts = NULL;

  if (path == NULL || path[0] != '/')
    return NULL;
  parts = g_strsplit (path + 1, "/", 3);
  if (g_strv_length (parts) < 2 || (strcmp (parts[0], "s") != 0 && strcmp (parts[0], "r") != 0) ||
      parts[1][0] == '\0' || strspn (parts[1], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                "0123456789-_") != strlen (parts[1]))
    return NULL;
  return g_strdup_printf ("/%s/%s", parts[0], parts[1]);
}

/* "Try again in 12 seconds." from the Retry-After already set on the answer, or NULL. */
static char *
retry_text (SoupServerMessage     *msg,
            const SsyncPageLocale *locale)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *header = soup_message_headers_get_one (headers, "Retry-After");
  guint64 seconds;

  if (header == NULL || !g_ascii_string_to_unsigned (header, 10, 1, G_MAXUINT32, &seconds, NULL))
    return NULL;
  if (seconds < 120)
    return g_strdup_printf (PN_ (locale, "Try again in %u second.", "Try again in %u seconds.",
                                 seconds), (guint) seconds);
  seconds = (seconds + 59) / 60;
  return g_strdup_printf (PN_ (locale, "Try again in %u minute.", "Try again in %u minutes.",
                               seconds), (guint) seconds);
}

/* A styled page in the reader's language: @title and @text (and @hint, another paragraph,
 * or NULL) are page msgids marked NP_() where they are written. @icon names the picture
 * ("error", "gone", "locked", "wait"). The retry time comes from a Retry-After header set
 * before, and the way back leads to the share page the request came from, unless the share
 * is gone or unknown (a 404 must be the same for every path). */
void
ssync_response_error_page_full (SoupServerMessage *msg,
                                guint              status,
                                const char        *icon,
                                const char        *title,
                                const char        *text,
                                const char        *hint)
{
  const SsyncPageLocale *locale = ssync_page_locale_for_request (msg);
  g_autoptr(SsyncPage) page = ssync_page_new ("error.html");
  g_autoptr(GString) more = g_string_new (NULL);
  g_autofree char *retry = retry_text (msg, locale);
  g_autofree char *back = NULL;
  char code[16];

  if (hint != NULL)
    {
      g_autofree char *markup = ssync_page_escape (ssync_page_gettext (locale, hint));

      g_string_append_printf (more, "<p class=\"status-text\">%s</p>\n", markup);
    }
  if (retry != NULL)
    {
      g_autofree char *markup = ssync_page_escape (retry);

      g_string_append_printf (more, "<p class=\"status-text status-retry\">%s</p>\n", markup);
    }

  if (status != SOUP_STATUS_NOT_FOUND && status != SOUP_STATUS_GONE &&
      (back = page_of_request (msg)) != NULL)
    g_string_append_printf (more, "<a class=\"button pill suggested status-action\" href=\"%s\">"
                            "%s</a>\n", back,
                            retry != NULL || status >= 500 ? P_ (locale, "Try again")
                                                           : P_ (locale, "Back to the share"));

  g_snprintf (code, sizeof code, "%u", status);
  ssync_page_set (page, "status", code);
  ssync_page_set (page, "icon", icon);
  ssync_page_set_text (page, "title", ssync_page_gettext (locale, title));
  ssync_page_set_text (page, "text", ssync_page_gettext (locale, text));
  ssync_page_set (page, "more", more->str);
  ssync_page_send (page, msg, status, locale);
}

void
ssync_response_error_page (SoupServerMessage *msg,
                           guint              status,
                           const char        *title,
                           const char        *text)
{
  ssync_response_error_page_full (msg, status, status == 429 ? "wait" : "error", title, text,
                                  NULL);
}
