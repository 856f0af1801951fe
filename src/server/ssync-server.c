/* ssync-server.c: routes of the embedded HTTP server (DESIGN.md, "HTTP API").
 *
 * Paths are matched raw (SoupServer:raw-paths) and split on '/', each segment decoded on
 * its own: an encoded "%2F" can never add a path level, and no path is ever mapped to
 * the filesystem; files are found by the share token and the file's index only.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-access.h"
#include "ssync-listener.h"
#include "ssync-response.h"
#include "ssync-server-private.h"
#include "ssync-tus.h"
#include "ssync-ws-hub.h"

/* Enough for a household of phones and laptops; past it idle connections make room, and
 * with none a client waits (503). */
#define MAX_CONNECTIONS 256
/* Seconds a connection may sit without the client sending or taking a byte. */
#define IDLE_TIMEOUT 60
/* Seconds a client has to send a request header, from connecting or from the last response. */
#define HEADER_TIMEOUT 10
/* Connections one client address may hold (not this machine's own 127.0.0.1 and ::1). */
#define MAX_PER_ADDRESS 32
/* Download chunks in memory at once, for all clients together (1 MiB each). */
#define N_BUFFERS 16
#define BUFFER_SIZE (1024 * 1024)
/* libsoup 3.2 reads request headers into memory with no limit we can set. */
#define MAX_HEADER_BYTES (32 * 1024)
/* Request bodies but tus PATCH (streamed to disk) are forms and metadata. */
#define MAX_BODY_BYTES (64 * 1024)

struct _SsyncServer
{
  GObject parent_instance;

  SoupServer *soup;
  SsyncListener *listener;
  SsyncBufferPool *buffers;
  SsyncTus *tus;
  SsyncAccess *access;
  SsyncWsHub *ws_hub;
  SsyncRegistry *registry;
  SsyncHistory *history;
  gint64 started;
};

G_DEFINE_FINAL_TYPE (SsyncServer, ssync_server, G_TYPE_OBJECT)

enum {
  TRANSFER_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_server_dispose (GObject *object)
{
  SsyncServer *self = SSYNC_SERVER (object);

  ssync_server_stop (self);
  g_clear_object (&self->listener);
  g_clear_object (&self->buffers);
  g_clear_object (&self->tus);
  g_clear_object (&self->access);
  g_clear_object (&self->ws_hub);
  g_clear_object (&self->soup);
  g_clear_object (&self->registry);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (ssync_server_parent_class)->dispose (object);
}

static void
ssync_server_class_init (SsyncServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_server_dispose;

  /**
   * SsyncServer::transfer-started:
   * @transfer: the new transfer, active; it emits SsyncTransfer::finished once
   */
  signals[TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);
}

static char **
split_path (const char *raw_path)
{
  g_auto(GStrv) parts = g_strsplit (raw_path + 1, "/", -1);
  guint n = g_strv_length (parts);

  for (guint i = 0; i < n; i++)
    {
      /* NULL when a segment decodes to a '/' or a NUL byte: such a path matches nothing. */
      char *decoded = g_uri_unescape_string (parts[i], "/");

      if (decoded == NULL)
        return NULL;
      g_free (parts[i]);
      parts[i] = decoded;
    }

  return g_steal_pointer (&parts);
}

static void
serve_static (SoupServerMessage *msg,
              const char        *name)
{
  static const struct {
    const char *name;
    const char *type;
  } assets[] = {
    { "share.css", "text/css; charset=utf-8" },
    { "common.js", "text/javascript; charset=utf-8" },
    { "share.js", "text/javascript; charset=utf-8" },
    { "favicon.svg", "image/svg+xml" },
    { "receive.js", "text/javascript; charset=utf-8" },
    { "unlock.js", "text/javascript; charset=utf-8" },
    { "rtc.js", "text/javascript; charset=utf-8" },
    { "p2p.js", "text/javascript; charset=utf-8" },
    { "receive-direct.js", "text/javascript; charset=utf-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (assets); i++)
    {
      if (strcmp (name, assets[i].name) == 0)
        {
          ssync_response_resource (msg, assets[i].name, assets[i].type);
          return;
        }
    }

  ssync_response_not_found (msg);
}

static void
route_share (SsyncServer       *self,
             SoupServerMessage *msg,
             char             **parts,
             guint              n)
{
  SsyncShare *share = ssync_registry_lookup_token (self->registry, parts[1]);

  if (share == NULL || ssync_share_get_kind (share) != SSYNC_SHARE_KIND_SEND)
    {
      if (share == NULL && ssync_registry_token_is_gone (self->registry, parts[1]))
        ssync_access_check_gone (msg, TRUE);
      else
        ssync_response_not_found (msg);
      return;
    }

  if (!ssync_access_check (self->access, msg, share))
    return;

  if (n == 2)
    {
      ssync_response_resource (msg, "share.html", "text/html; charset=utf-8");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Cache-Control", "no-store");
    }
  else if (n == 3 && strcmp (parts[2], "archive.zip") == 0)
    ssync_zip_response_handle (self, msg, share);
  else if (n == 5 && strcmp (parts[2], "f") == 0)
    {
      SsyncFileEntry *entry = ssync_share_lookup_file (share, parts[3]);

      /* The name in the URL is only for the browser, but it must be the right one, so that
       * each file has exactly one URL. */
      if (entry == NULL || strcmp (parts[4], ssync_file_entry_get_name (entry)) != 0)
        ssync_response_not_found (msg);
      else
        ssync_file_response_handle (self, msg, share, entry);
    }
  else
    ssync_response_not_found (msg);
}

/* Looks up the receive share of a /r/{token}/... path. */
static SsyncShare *
lookup_receive (SsyncServer *self,
                const char  *token)
{
  SsyncShare *share = ssync_registry_lookup_token (self->registry, token);

  if (share == NULL || ssync_share_get_kind (share) != SSYNC_SHARE_KIND_RECEIVE)
    return NULL;
  return share;
}

/* NULL (answered) unless @token names a receive share that @msg may use. */
static SsyncShare *
check_receive (SsyncServer       *self,
               SoupServerMessage *msg,
               const char        *token)
{
  SsyncShare *share = lookup_receive (self, token);

  if (share == NULL)
    {
      if (ssync_registry_token_is_gone (self->registry, token))
        ssync_access_check_gone (msg, TRUE);
      else
        ssync_response_not_found (msg);
      return NULL;
    }

  return ssync_access_check (self->access, msg, share) ? share : NULL;
}

static void
route_receive_page (SsyncServer       *self,
                    SoupServerMessage *msg,
                    const char        *token)
{
  if (check_receive (self, msg, token) == NULL)
    return;

  ssync_response_resource (msg, "receive.html", "text/html; charset=utf-8");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
}

/* /r/{token}/uploads/ and /r/{token}/uploads/{id}: tus. */
static void
route_uploads (SsyncServer       *self,
               SoupServerMessage *msg,
               char             **parts,
               guint              n)
{
  SsyncShare *share;
  const char *id = n == 4 && parts[3][0] != '\0' ? parts[3] : NULL;

  if (n > 4)
    {
      ssync_response_not_found (msg);
      return;
    }
  if ((share = check_receive (self, msg, parts[1])) == NULL)
    return;

  if (id == NULL && soup_server_message_get_method (msg) == SOUP_METHOD_POST &&
      !ssync_access_take (self->access, msg, SSYNC_RATE_UPLOAD_CREATE))
    return;

  ssync_tus_handle (self->tus, msg, share, id);
}

/* POST /s/{token}/unlock or /r/{token}/unlock. */
static void
route_unlock (SsyncServer       *self,
              SoupServerMessage *msg,
              const char        *prefix,
              const char        *token)
{
  SsyncShare *share = ssync_registry_lookup_token (self->registry, token);
  SsyncShareKind kind = prefix[0] == 'r' ? SSYNC_SHARE_KIND_RECEIVE : SSYNC_SHARE_KIND_SEND;
  g_autofree char *page = NULL;

  if (share == NULL || ssync_share_get_kind (share) != kind)
    {
      if (share == NULL && ssync_registry_token_is_gone (self->registry, token))
        ssync_access_check_gone (msg, TRUE);
      else
        ssync_response_not_found (msg);
      return;
    }

  page = g_strdup_printf ("/%s/%s", prefix, token);
  ssync_access_handle_unlock (self->access, msg, share, page);
}

static void
route_api (SsyncServer       *self,
           SoupServerMessage *msg,
           char             **parts,
           guint              n)
{
  if (!ssync_access_take (self->access, msg, SSYNC_RATE_API))
    return;

  if (n == 2 && strcmp (parts[1], "health") == 0)
    ssync_api_health (self, msg);
  else if (n == 2 && strcmp (parts[1], "stats") == 0)
    {
      if (ssync_access_check_owner (self->access, msg))
        ssync_api_stats (self, msg);
    }
  else if (n == 3 && strcmp (parts[1], "files") == 0)
    {
      SsyncShare *share = ssync_registry_lookup_token (self->registry, parts[2]);

      if (share == NULL && ssync_registry_token_is_gone (self->registry, parts[2]))
        ssync_access_check_gone (msg, TRUE);
      else if (share == NULL)
        ssync_response_not_found (msg);
      else if (ssync_access_check (self->access, msg, share))
        ssync_api_files (self, msg, share);
    }
  else
    ssync_response_not_found (msg);
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SsyncServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = NULL;
  guint n;

  /* An early handler already answered (a refused upload, a busy server). */
  if (soup_server_message_get_status (msg) != 0)
    return;

  parts = path[0] == '/' ? split_path (path) : NULL;
  if (parts != NULL && g_strv_length (parts) >= 3 && strcmp (parts[0], "r") == 0 &&
      strcmp (parts[2], "uploads") == 0)
    {
      route_uploads (self, msg, parts, g_strv_length (parts));
      return;
    }

  if (parts != NULL && g_strv_length (parts) == 3 && strcmp (parts[2], "unlock") == 0 &&
      (strcmp (parts[0], "s") == 0 || strcmp (parts[0], "r") == 0) &&
      method == SOUP_METHOD_POST)
    {
      route_unlock (self, msg, parts[0], parts[1]);
      return;
    }

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      ssync_response_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                           _("This address only answers GET and HEAD"));
      return;
    }

  if (parts == NULL)
    {
      ssync_response_not_found (msg);
      return;
    }
  n = g_strv_length (parts);

  if (n >= 2 && strcmp (parts[0], "s") == 0)
    route_share (self, msg, parts, n);
  else if (n == 2 && strcmp (parts[0], "r") == 0)
    route_receive_page (self, msg, parts[1]);
  else if (n >= 2 && strcmp (parts[0], "api") == 0)
    route_api (self, msg, parts, n);
  else if (n == 2 && strcmp (parts[0], "static") == 0)
    serve_static (msg, parts[1]);
  else if (n == 1 && strcmp (parts[0], "favicon.ico") == 0)
    serve_static (msg, "favicon.svg");
  else
    ssync_response_not_found (msg);
}

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

/* Runs once the headers are read, before the body: the place to refuse oversized
 * requests before they cost anything more. */
static void
handle_early (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  SsyncServer *self = user_data;
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
      ssync_response_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                           _("Too many connections, try again shortly"));
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

  parts = path[0] == '/' ? split_path (path) : NULL;
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
      SsyncShare *share = lookup_receive (self, parts[1]);

      if (share != NULL && ssync_access_check (self->access, msg, share))
        ssync_tus_handle_early (self->tus, msg, share, parts[3]);
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

static SsyncTransfer *
begin_upload (SoupServerMessage *msg,
              SsyncShare        *share,
              const char        *path,
              guint64            offset,
              guint64            length,
              gpointer           user_data)
{
  return ssync_server_begin_transfer (user_data, msg, share, path, SSYNC_DIRECTION_UPLOAD,
                                      SSYNC_TRANSFER_KIND_UPLOAD, offset, length);
}

/* The limits can be tuned without a rebuild (and made small in tests). */
static guint
limit_from_env (const char *name,
                guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 parsed;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &parsed, NULL))
    return fallback;
  return parsed;
}

static void
ssync_server_init (SsyncServer *self)
{
  self->started = g_get_monotonic_time ();
  self->buffers = ssync_buffer_pool_new (N_BUFFERS, BUFFER_SIZE);
  self->tus = ssync_tus_new (begin_upload, self);
  self->access = ssync_access_new ();
  self->soup = soup_server_new ("server-header", "ShareSync/" PACKAGE_VERSION " ",
                                "raw-paths", TRUE,
                                NULL);
  soup_server_add_early_handler (self->soup, NULL, handle_early, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);
  self->listener = ssync_listener_new (self->soup);
  ssync_listener_set_max_connections (self->listener,
                                      limit_from_env ("SHARESYNC_MAX_CONNECTIONS",
                                                      MAX_CONNECTIONS));
  ssync_listener_set_idle_timeout (self->listener,
                                   limit_from_env ("SHARESYNC_IDLE_TIMEOUT", IDLE_TIMEOUT));
  ssync_listener_set_header_timeout (self->listener, HEADER_TIMEOUT);
  ssync_listener_set_max_per_address (self->listener, MAX_PER_ADDRESS);
}

static gboolean
ws_allows (SsyncShare  *share,
           const char  *cookie_header,
           SsyncAccess *access)
{
  return ssync_access_allows (access, share, cookie_header);
}

SsyncServer *
ssync_server_new (SsyncRegistry *registry,
                  SsyncHistory  *history)
{
  SsyncServer *self = g_object_new (SSYNC_TYPE_SERVER, NULL);

  self->registry = g_object_ref (registry);
  self->history = history != NULL ? g_object_ref (history) : NULL;
  ssync_tus_set_history (self->tus, history);
  self->ws_hub = ssync_ws_hub_new (registry);
  ssync_ws_hub_set_access_func (self->ws_hub, (SsyncWsAccessFunc) ws_allows, self->access);
  ssync_ws_hub_attach (self->ws_hub, self->soup);
  /* libsoup matches early handlers by path like the others: each path with its own
   * handler needs its own early one for the limits to apply to it too. */
  soup_server_add_early_handler (self->soup, "/ws", handle_early, self, NULL);
  soup_server_add_early_handler (self->soup, "/p2p", handle_early, self, NULL);
  soup_server_add_early_handler (self->soup, "/api/p2p", handle_early, self, NULL);

  return self;
}

/* Listens on @address (NULL: every IPv4 address) and @port (0: any free port). */
gboolean
ssync_server_listen (SsyncServer  *self,
                     const char   *address,
                     guint         port,
                     GError      **error)
{
  return ssync_listener_listen (self->listener, address, port, error);
}

guint
ssync_server_get_port (SsyncServer *self)
{
  return ssync_listener_get_port (self->listener);
}

guint
ssync_server_get_n_connections (SsyncServer *self)
{
  return ssync_listener_get_n_connections (self->listener);
}

SsyncRegistry *
ssync_server_get_registry (SsyncServer *self)
{
  return self->registry;
}

SsyncHistory *
ssync_server_get_history (SsyncServer *self)
{
  return self->history;
}

/* Seconds since the server was created. */
double
ssync_server_get_uptime (SsyncServer *self)
{
  return (g_get_monotonic_time () - self->started) / (double) G_USEC_PER_SEC;
}

/* The largest upload a receive share accepts; 0 for no limit but the free space. */
void
ssync_server_set_max_upload_size (SsyncServer *self,
                                  guint64      max_size)
{
  ssync_tus_set_max_size (self->tus, max_size);
}

guint64
ssync_server_get_max_upload_size (SsyncServer *self)
{
  return ssync_tus_get_max_size (self->tus);
}

/* Who decides whether a new upload may start (the session, asking the user). */
void
ssync_server_set_upload_gate (SsyncServer     *self,
                              SsyncUploadGate  gate,
                              gpointer         user_data)
{
  ssync_tus_set_gate (self->tus, gate, user_data);
}

/* How long a password unlock lasts (12 hours by default). */
void
ssync_server_set_unlock_lifetime (SsyncServer *self,
                                  guint        seconds)
{
  ssync_access_set_session_lifetime (self->access, seconds);
}

void
ssync_server_set_owner_token (SsyncServer *self,
                              const char  *token)
{
  ssync_access_set_owner_token (self->access, token);
}

/* Serves again an upload an earlier run left unfinished (see ssync_tus_restore()). */
void
ssync_server_restore_upload (SsyncServer *self,
                             SsyncShare  *share,
                             SsyncUpload *upload,
                             const char  *metadata,
                             gint64       expires)
{
  ssync_tus_restore (self->tus, share, upload, metadata, expires);
}

/* @share stopped answering (revoked, expired or out of downloads): its uploads end and
 * the pages following it are told, with @notice ("stopped" or "expired"). */
void
ssync_server_share_ended (SsyncServer *self,
                          SsyncShare  *share,
                          const char  *notice)
{
  ssync_tus_cancel_share (self->tus, share);
  ssync_ws_hub_notify_share (self->ws_hub, share, notice);
}

/* Stops listening and closes every connection; transfers in flight end incomplete. */
void
ssync_server_stop (SsyncServer *self)
{
  if (self->listener != NULL)
    ssync_listener_stop (self->listener);
}

SsyncBufferPool *
ssync_server_get_buffer_pool (SsyncServer *self)
{
  return self->buffers;
}

SsyncTransfer *
ssync_server_begin_transfer (SsyncServer       *self,
                             SoupServerMessage *msg,
                             SsyncShare        *share,
                             const char        *file_name,
                             SsyncDirection     direction,
                             SsyncTransferKind  kind,
                             guint64            offset,
                             guint64            total)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SsyncTransfer *transfer;

  transfer = ssync_transfer_new (ssync_share_get_id (share), ssync_share_get_name (share),
                                 file_name, direction, kind,
                                 soup_server_message_get_remote_host (msg),
                                 soup_message_headers_get_one (headers, "User-Agent"),
                                 total);
  ssync_transfer_set_offset (transfer, offset);
  ssync_ws_hub_watch_transfer (self->ws_hub, share, transfer);
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, transfer);

  return transfer;
}

/* The WebSocket endpoint: the session drives direct connections through it. */
SsyncWsHub *
ssync_server_get_ws_hub (SsyncServer *self)
{
  return self->ws_hub;
}
