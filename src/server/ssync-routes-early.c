/* ssync-routes-early.c: what every request must pass once its headers are read, before its
 * body: room on the server, the length of its URI and headers, the Host it names, the
 * method its path answers and the size of its body. Refused here, a request costs nothing
 * more.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-listener.h"
#include "ssync-page-form.h"
#include "ssync-page-i18n.h"
#include "ssync-response.h"
#include "ssync-routes.h"

/* libsoup 3.2 reads request headers into memory with no limit we can set. */
#define MAX_HEADER_BYTES (32 * 1024)
/* Request bodies but tus PATCH (streamed to disk) are forms and metadata. */
#define MAX_BODY_BYTES (64 * 1024)

/* The methods a path answers; any other is refused with 405 before its body is read. */
static const char *
allowed_methods (char **parts)
{
  guint n = parts != NULL ? g_strv_length (parts) : 0;

  if (n >= 3 && strcmp (parts[0], "r") == 0 && strcmp (parts[2], "uploads") == 0)
    {
      if (n == 3 || (n == 4 && parts[3][0] == '\0'))
        return "OPTIONS, POST";
      if (n == 4)
        return "GET, HEAD, OPTIONS, PATCH, DELETE";
      /* Nothing lives deeper: every method gets the same 404. */
      return NULL;
    }

  /* The receive page's plain form posts to the page itself. */
  if (n == 2 && strcmp (parts[0], "r") == 0)
    return "GET, HEAD, POST";

  if (n == 3 && strcmp (parts[2], "unlock") == 0 &&
      (strcmp (parts[0], "s") == 0 || strcmp (parts[0], "r") == 0))
    return "GET, HEAD, POST";

  return "GET, HEAD";
}

static gboolean
method_is_allowed (const char *method,
                   const char *allowed)
{
  g_auto(GStrv) methods = NULL;

  if (allowed == NULL)
    return TRUE;
  methods = g_strsplit (allowed, ", ", -1);
  return g_strv_contains ((const char * const *) methods, method);
}

/* Whether @name (a Host without its port, or the request URI's host) is one this server
 * answers to: an IP literal, localhost or this machine's own name. Any other is what a DNS
 * rebinding page would send, from a name it controls that now points at us. */
static gboolean
host_name_is_allowed (const char *name)
{
  g_autofree char *lower = NULL;
  g_autofree char *own = NULL;
  g_autofree char *own_local = NULL;
  g_autofree char *short_local = NULL;
  g_autofree char *short_name = NULL;
  gsize len = strlen (name);

  g_autoptr(GInetAddress) address = NULL;

  if (len == 0)
    return FALSE;
  address = g_inet_address_new_from_string (name);
  if (address != NULL)
    return TRUE;
  if (strchr (name, ':') != NULL)
    return FALSE;

  /* A fully qualified name may end with a dot. */
  lower = g_ascii_strdown (name, name[len - 1] == '.' ? (gssize) len - 1 : (gssize) len);
  own = g_ascii_strdown (g_get_host_name (), -1);
  short_name = g_strndup (own, strcspn (own, "."));
  own_local = g_strconcat (own, ".local", NULL);
  short_local = g_strconcat (short_name, ".local", NULL);

  return g_str_equal (lower, "localhost") || g_str_equal (lower, own) ||
         g_str_equal (lower, own_local) || g_str_equal (lower, short_name) ||
         g_str_equal (lower, short_local);
}

static gboolean
port_is_valid (const char *port)
{
  gsize len = strlen (port);

  return len > 0 && len <= 5 && strspn (port, "0123456789") == len;
}

/* Splits "host", "host:port", "[v6]" or "[v6]:port"; NULL when it is none of them. */
static char *
host_without_port (const char *host)
{
  const char *end;

  if (host[0] == '[')
    {
      end = strchr (host, ']');
      if (end == NULL || (end[1] != '\0' && (end[1] != ':' || !port_is_valid (end + 2))))
        return NULL;
      return g_strndup (host + 1, end - host - 1);
    }

  end = strchr (host, ':');
  if (end != NULL && !port_is_valid (end + 1))
    return NULL;
  return end != NULL ? g_strndup (host, end - host) : g_strdup (host);
}

static gboolean
host_is_allowed (SoupServerMessage *msg)
{
  /* Several Host headers come joined with commas, which no host name holds. */
  const char *host = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                    "Host");
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *name = NULL;

  /* Only HTTP/1.0 may leave Host out (libsoup refuses it otherwise). */
  if (host != NULL && ((name = host_without_port (host)) == NULL || !host_name_is_allowed (name)))
    return FALSE;

  /* An absolute request URI names the host too. */
  return uri == NULL || g_uri_get_host (uri) == NULL ||
         host_name_is_allowed (g_uri_get_host (uri));
}

static void
on_request_chunk (SoupServerMessage *msg,
                  GBytes            *chunk,
                  gpointer           user_data)
{
  gsize total = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "ssync-body-bytes"));

  total += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), "ssync-body-bytes", GSIZE_TO_POINTER (total));
  if (total > MAX_BODY_BYTES)
    {
      g_signal_handlers_disconnect_by_func (msg, on_request_chunk, user_data);
      ssync_response_refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
                             _("The request body is too large"));
    }
}

/* The receive share of a request whose body is streamed to disk, or NULL once @msg is
 * answered: an unknown or ended token, or a share still locked, is answered here and now,
 * as its body would otherwise be read into memory first. */
static SsyncShare *
resolve_before_body (SsyncRouteContext *context,
                     SoupServerMessage *msg,
                     const char        *token)
{
  SsyncShare *share = ssync_route_resolve_share (context, msg, token, SSYNC_ROUTE_RECEIVE);

  if (share == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      ssync_response_send_now (msg);
    }
  return share;
}

/* Runs once the headers are read, before the body: the place to refuse oversized
 * requests before they cost anything more. @user_data is the SsyncRouteContext. */
void
ssync_routes_handle_early (SoupServer        *soup,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query,
                           gpointer           user_data)
{
  SsyncRouteContext *context = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  g_auto(GStrv) parts = NULL;
  const char *allowed;
  gsize total = 0;

  if (ssync_listener_is_over_capacity (msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "5");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      /* Often a person opening a page while many files are going out. */
      ssync_response_error_page (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                 NP_("The computer sharing these files is busy"),
                                 NP_("Too many devices are connected to it right now."));
      return;
    }

  if (ssync_listener_is_uri_too_long (msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      ssync_response_refuse (msg, SOUP_STATUS_REQUEST_URI_TOO_LONG, "URI Too Long",
                             _("The address is too long"));
      return;
    }

  soup_message_headers_iter_init (&iter, request);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    total += strlen (name) + strlen (value) + 4;

  if (total > MAX_HEADER_BYTES)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      ssync_response_refuse (msg, 431, "Request Header Fields Too Large",
                             _("Request headers are too large"));
      return;
    }

  if (!host_is_allowed (msg))
    {
      ssync_response_refuse (msg, SOUP_STATUS_MISDIRECTED_REQUEST, "Misdirected Request",
                             _("This server does not answer to that host name"));
      return;
    }

  parts = path[0] == '/' ? ssync_routes_split_path (path) : NULL;
  allowed = allowed_methods (parts);
  if (!method_is_allowed (method, allowed))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    allowed);
      /* tus clients expect the protocol version on every answer of its paths. */
      if (parts != NULL && g_strv_length (parts) >= 3 && strcmp (parts[0], "r") == 0 &&
          strcmp (parts[2], "uploads") == 0)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                      "Tus-Resumable", "1.0.0");
      ssync_response_refuse (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL,
                             _("This address does not answer that method"));
      return;
    }

  /* An upload's body is streamed to disk from here on, never held in memory. */
  if (parts != NULL && g_strv_length (parts) == 4 && strcmp (parts[0], "r") == 0 &&
      strcmp (parts[2], "uploads") == 0 && strcmp (method, "PATCH") == 0)
    {
      SsyncShare *share = resolve_before_body (context, msg, parts[1]);

      if (share == NULL)
        return;
      ssync_tus_handle_early (context->tus, msg, share, parts[3]);
      return;
    }

  /* The receive page's form upload is streamed to disk too. */
  if (parts != NULL && g_strv_length (parts) == 2 && strcmp (parts[0], "r") == 0 &&
      method == SOUP_METHOD_POST)
    {
      SsyncShare *share = resolve_before_body (context, msg, parts[1]);

      if (share == NULL)
        return;
      ssync_page_form_early (context, msg, share);
      return;
    }

  /* Every other body is small (a form, upload metadata): refused past the limit before
   * it is read, whether announced or sent in chunks. */
  switch (soup_message_headers_get_encoding (request))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      {
        goffset length = soup_message_headers_get_content_length (request);

        if (length < 0 || length > MAX_BODY_BYTES)
          ssync_response_refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
                                 _("The request body is too large"));
      }
      break;
    case SOUP_ENCODING_CHUNKED:
      g_signal_connect (msg, "got-chunk", G_CALLBACK (on_request_chunk), NULL);
      break;
    default:
      break;
    }
}
