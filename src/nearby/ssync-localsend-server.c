/* ssync-localsend-server.c: the HTTPS server other LocalSend devices register with.
 *
 * A LocalSend app that hears our announcement answers with POST /api/localsend/v2/register
 * to this server, and GET /api/localsend/v2/info describes us; a sender's prepare-upload,
 * upload and cancel go to the server's SsyncLocalsendReceiver. Anyone on the LAN can reach
 * it, so every request is checked once its headers are read, before its body: its rate, its
 * path and method, its size (uploads, streamed to disk, only by the receiver). libsoup
 * 3.2 reads a whole body into memory before any handler runs, however large, so a refusal
 * of a request that carries a body is written on the connection taken from libsoup.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ssync-listener.h"
#include "ssync-localsend-receiver.h"
#include "ssync-localsend-server.h"
#include "ssync-response.h"
#include "ssync-rate-limiter.h"

#define REGISTER_PATH "/api/localsend/v2/register"
#define INFO_PATH "/api/localsend/v2/info"
#define PREPARE_PATH "/api/localsend/v2/prepare-upload"
#define UPLOAD_PATH "/api/localsend/v2/upload"
#define CANCEL_PATH "/api/localsend/v2/cancel"

/* A device registers when it hears an announcement: a few times a minute at most. The burst
 * leaves room for a device that restarts and a person who looks at /info by hand. */
#define REQUESTS_BURST 20
#define REQUESTS_PER_SECOND 2.0

/* libsoup 3.2 has neither the name nor the phrase of 429. */
#define STATUS_TOO_MANY_REQUESTS 429

enum {
  SIGNAL_REGISTER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _SsyncLocalsendServer
{
  GObject parent_instance;

  SoupServer *soup;
  SsyncListener *listener;  /* the connection policy of ShareSync's own server */
  SsyncRateLimiter *limiter;
  SsyncLocalsendReceiver *receiver;
  guint port;
  gsize prepare_held;       /* bytes of prepare-upload bodies reserved now */

  /* Our own identity, owned copies of SsyncLocalsendIdentity's strings. */
  char *alias;
  char *fingerprint;
  char *device_type;
  char *device_model;
};

/* The connection policy (see ssync_localsend_server_new()). */
#define MAX_CONNECTIONS 64
#define MAX_PER_ADDRESS 8
#define IDLE_TIMEOUT 30
#define HEADER_TIMEOUT 10

G_DEFINE_FINAL_TYPE (SsyncLocalsendServer, ssync_localsend_server, G_TYPE_OBJECT)

static void
ssync_localsend_server_dispose (GObject *object)
{
  SsyncLocalsendServer *self = SSYNC_LOCALSEND_SERVER (object);

  ssync_localsend_server_stop (self);
  g_clear_object (&self->listener);
  g_clear_object (&self->soup);
  g_clear_object (&self->limiter);
  g_clear_object (&self->receiver);

  G_OBJECT_CLASS (ssync_localsend_server_parent_class)->dispose (object);
}

static void
ssync_localsend_server_finalize (GObject *object)
{
  SsyncLocalsendServer *self = SSYNC_LOCALSEND_SERVER (object);

  g_free (self->alias);
  g_free (self->fingerprint);
  g_free (self->device_type);
  g_free (self->device_model);

  G_OBJECT_CLASS (ssync_localsend_server_parent_class)->finalize (object);
}

static void
ssync_localsend_server_class_init (SsyncLocalsendServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_localsend_server_dispose;
  object_class->finalize = ssync_localsend_server_finalize;

  /**
   * SsyncLocalsendServer::register:
   * @device: the device that registered; its address is @peer_ip and its last-seen now
   * @peer_ip: the address the request came from, which counts rather than what the
   *   body says
   *
   * A device told us about itself. Not emitted for our own fingerprint.
   */
  signals[SIGNAL_REGISTER] =
    g_signal_new ("register", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SSYNC_TYPE_LOCALSEND_DEVICE, G_TYPE_STRING);
}

static void
ssync_localsend_server_init (SsyncLocalsendServer *self)
{
  self->limiter = ssync_rate_limiter_new (REQUESTS_BURST, REQUESTS_PER_SECOND);
  self->receiver = ssync_localsend_receiver_new ();
}

/* Our message with the port we really listen on and the protocol we really speak. */
static char *
build_info (SsyncLocalsendServer *self)
{
  SsyncLocalsendIdentity me = {
    .alias = self->alias,
    .fingerprint = self->fingerprint,
    .device_type = self->device_type,
    .device_model = self->device_model,
    .port = self->port,
    .protocol = "https",
  };

  return ssync_localsend_message_build_info (&me);
}

static const char *
reason_phrase (guint status)
{
  return status == STATUS_TOO_MANY_REQUESTS ? "Too Many Requests" : soup_status_get_phrase (status);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         char              *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (msg, status, reason_phrase (status));
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text)
{
  respond (msg, status, "text/plain; charset=utf-8", g_strconcat (text, "\n", NULL));
}

/* A prepare-upload body's share of the budget, given back when its message is gone. */
typedef struct {
  SsyncLocalsendServer *server;
  gsize bytes;
} Reservation;

static void
reservation_free (Reservation *reservation)
{
  reservation->server->prepare_held -= reservation->bytes;
  g_object_unref (reservation->server);
  g_free (reservation);
}

static gboolean
reserve_prepare (SsyncLocalsendServer *self,
                 SoupServerMessage    *msg,
                 gsize                 bytes)
{
  Reservation *reservation;

  if (bytes > SSYNC_LOCALSEND_SERVER_PREPARE_BUDGET - self->prepare_held)
    return FALSE;
  reservation = g_new0 (Reservation, 1);
  reservation->server = g_object_ref (self);
  reservation->bytes = bytes;
  self->prepare_held += bytes;
  g_object_set_data_full (G_OBJECT (msg), "ssync-prepare-reservation", reservation,
                          (GDestroyNotify) reservation_free);
  return TRUE;
}

static void
on_request_chunk (SoupServerMessage *msg,
                  GBytes            *chunk,
                  gpointer           user_data)
{
  gsize limit = GPOINTER_TO_SIZE (user_data);
  gsize total = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "ssync-body-bytes"));

  total += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), "ssync-body-bytes", GSIZE_TO_POINTER (total));
  if (total > limit)
    {
      g_signal_handlers_disconnect_by_func (msg, on_request_chunk, user_data);
      ssync_response_refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
                             "The request body is too large");
    }
}

/* Refuses a body past its path's limit before it is read, whether announced or sent in
 * chunks; a prepare-upload body also takes its room from the budget first (a chunked one
 * the most it may send). */
static void
limit_body (SsyncLocalsendServer *self,
            SoupServerMessage    *msg,
            const char           *path)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  gboolean prepare = g_str_equal (path, PREPARE_PATH);
  gsize limit = prepare ? SSYNC_LOCALSEND_SERVER_MAX_PREPARE_BODY
                        : SSYNC_LOCALSEND_SERVER_MAX_BODY;
  gsize reserve = 0;

  switch (soup_message_headers_get_encoding (request))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      {
        goffset length = soup_message_headers_get_content_length (request);

        if (length < 0 || (guint64) length > limit)
          {
            ssync_response_refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
                                   "The request body is too large");
            return;
          }
        reserve = length;
      }
      break;
    case SOUP_ENCODING_CHUNKED:
      g_signal_connect (msg, "got-chunk", G_CALLBACK (on_request_chunk),
                        GSIZE_TO_POINTER (limit));
      reserve = limit;
      break;
    default:
      break;
    }

  if (prepare && !reserve_prepare (self, msg, reserve))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "5");
      ssync_response_refuse (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL,
                             "Too many senders at once, try again shortly");
    }
}

/* The methods @path answers, or NULL when nothing lives there. */
static const char *
allowed_methods (const char *path)
{
  if (g_str_equal (path, REGISTER_PATH))
    return "POST";
  if (g_str_equal (path, INFO_PATH))
    return "GET, HEAD";
  if (g_str_equal (path, PREPARE_PATH) || g_str_equal (path, UPLOAD_PATH) ||
      g_str_equal (path, CANCEL_PATH))
    return "POST";
  return NULL;
}

static gboolean
method_is_allowed (const char *method,
                   const char *allowed)
{
  g_auto(GStrv) methods = g_strsplit (allowed, ", ", -1);

  return g_strv_contains ((const char * const *) methods, method);
}

/* Runs once the headers are read, before the body: everything refused here costs nothing
 * more. */
static void
handle_early (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  SsyncLocalsendServer *self = user_data;
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *peer = soup_server_message_get_remote_host (msg);
  const char *allowed;
  guint retry_after = 0;

  /* Every connection is busy with a real request: no room for this one. */
  if (ssync_listener_is_over_capacity (msg))
    {
      soup_message_headers_replace (response, "Retry-After", "5");
      ssync_response_refuse (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL,
                             "Too many connections, try again shortly");
      return;
    }

  /* The same limit on the URI as on the share server. */
  if (ssync_listener_is_uri_too_long (msg))
    {
      ssync_response_refuse (msg, SOUP_STATUS_REQUEST_URI_TOO_LONG, "URI Too Long",
                             "The address is too long");
      return;
    }

  /* A session's uploads are many and large: they count against no rate, and their bodies
   * are streamed to disk by the receiver, unless they do not belong to the session. */
  if (g_str_equal (path, UPLOAD_PATH) &&
      soup_server_message_get_method (msg) == SOUP_METHOD_POST)
    {
      if (!ssync_localsend_receiver_handle_upload_early (self->receiver, msg, query))
        ssync_rate_limiter_take (self->limiter, peer != NULL ? peer : "", &retry_after);
      return;
    }

  if (!ssync_rate_limiter_take (self->limiter, peer != NULL ? peer : "", &retry_after))
    {
      g_autofree char *seconds = g_strdup_printf ("%u", MAX (retry_after, 1));

      soup_message_headers_replace (response, "Retry-After", seconds);
      ssync_response_refuse (msg, STATUS_TOO_MANY_REQUESTS, "Too Many Requests",
                             "Too many requests, try again shortly");
      return;
    }

  allowed = allowed_methods (path);
  if (allowed == NULL)
    {
      ssync_response_refuse (msg, SOUP_STATUS_NOT_FOUND, NULL, "Not found");
      return;
    }
  if (!method_is_allowed (soup_server_message_get_method (msg), allowed))
    {
      soup_message_headers_replace (response, "Allow", allowed);
      ssync_response_refuse (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL,
                             "This address does not answer that method");
      return;
    }

  limit_body (self, msg, path);
}

static void
handle_register (SsyncLocalsendServer *self,
                 SoupServerMessage    *msg)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  const char *peer = soup_server_message_get_remote_host (msg);
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  device = ssync_localsend_message_parse (data, length, NULL, &error);
  if (device == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Not a LocalSend device: %s", error->message);

      g_debug ("Register from %s refused: %s", peer, error->message);
      respond_text (msg, SOUP_STATUS_BAD_REQUEST, text);
      return;
    }

  /* The peer's address is where the request came from: a body could name any machine. */
  ssync_localsend_device_set_address (device, peer);
  ssync_localsend_device_set_last_seen (device, g_get_monotonic_time ());
  /* Our own announcement echoed back (several interfaces, a loop) is not a device. */
  if (g_strcmp0 (ssync_localsend_device_get_fingerprint (device), self->fingerprint) != 0)
    g_signal_emit (self, signals[SIGNAL_REGISTER], 0, device, peer);

  respond (msg, SOUP_STATUS_OK, "application/json", build_info (self));
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SsyncLocalsendServer *self = user_data;

  /* The early handler let through only the methods these paths answer. */
  if (g_str_equal (path, REGISTER_PATH))
    handle_register (self, msg);
  else if (g_str_equal (path, INFO_PATH))
    respond (msg, SOUP_STATUS_OK, "application/json", build_info (self));
  else if (g_str_equal (path, PREPARE_PATH))
    ssync_localsend_receiver_handle_prepare (self->receiver, msg, query);
  else if (g_str_equal (path, UPLOAD_PATH))
    ssync_localsend_receiver_handle_upload (self->receiver, msg);
  else if (g_str_equal (path, CANCEL_PATH))
    ssync_localsend_receiver_handle_cancel (self->receiver, msg, query);
  else
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "Not found");
}

/**
 * ssync_localsend_server_new:
 * @certificate: our certificate with its private key (SsyncTlsIdentity's)
 * @me: who we say we are; its port and protocol are ignored (the port we listen on and
 *   "https" are sent)
 */
SsyncLocalsendServer *
ssync_localsend_server_new (GTlsCertificate              *certificate,
                            const SsyncLocalsendIdentity *me)
{
  SsyncLocalsendServer *self;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  g_return_val_if_fail (me != NULL, NULL);

  self = g_object_new (SSYNC_TYPE_LOCALSEND_SERVER, NULL);
  /* No Server header: it would only tell the LAN which libsoup runs here. */
  self->soup = soup_server_new ("tls-certificate", certificate, "server-header", NULL, NULL);
  /* Strangers hold no connection for free here either: as on the share server, a client
   * has 10 s for its handshake and request header, a stalled read or write ends after 30 s,
   * and one address holds at most 8 of the 64 connections. */
  self->listener = ssync_listener_new (self->soup);
  ssync_listener_set_tls (self->listener, TRUE);
  ssync_listener_set_max_connections (self->listener, MAX_CONNECTIONS);
  ssync_listener_set_max_per_address (self->listener, MAX_PER_ADDRESS);
  ssync_listener_set_idle_timeout (self->listener, IDLE_TIMEOUT);
  ssync_listener_set_header_timeout (self->listener, HEADER_TIMEOUT);
  soup_server_add_early_handler (self->soup, NULL, handle_early, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);
  ssync_localsend_server_set_identity (self, me);
  return self;
}

/* Changes who we say we are (the alias when the user renames this device); takes effect on
 * the next answer. */
void
ssync_localsend_server_set_identity (SsyncLocalsendServer         *self,
                                     const SsyncLocalsendIdentity *me)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_SERVER (self));
  g_return_if_fail (me != NULL && me->alias != NULL && me->fingerprint != NULL);

  g_free (self->alias);
  g_free (self->fingerprint);
  g_free (self->device_type);
  g_free (self->device_model);
  self->alias = g_strdup (me->alias);
  self->fingerprint = g_strdup (me->fingerprint);
  self->device_type = g_strdup (me->device_type);
  self->device_model = g_strdup (me->device_model);
}

/**
 * ssync_localsend_server_listen:
 * @port: the TCP port, on all IPv4 addresses; 0 for any free one (tests)
 *
 * Starts serving HTTPS. LocalSend speaks IPv4 on the LAN, so IPv6 is not served.
 */
gboolean
ssync_localsend_server_listen (SsyncLocalsendServer  *self,
                               guint                  port,
                               GError               **error)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_SERVER (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (self->port == 0, FALSE);

  if (!ssync_listener_listen (self->listener, NULL, port, error))
    return FALSE;
  self->port = ssync_listener_get_port (self->listener);
  return TRUE;
}

/* Seconds a client has for its TLS handshake and request header (default 10); for tests,
 * which do not wait that long. */
void
ssync_localsend_server_set_header_timeout (SsyncLocalsendServer *self,
                                           guint                 seconds)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_SERVER (self));

  ssync_listener_set_header_timeout (self->listener, seconds);
}

/* Who receives files sent to this server: set its folder, PIN and question there. */
SsyncLocalsendReceiver *
ssync_localsend_server_get_receiver (SsyncLocalsendServer *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_SERVER (self), NULL);

  return self->receiver;
}

/* The port listened on; 0 before ssync_localsend_server_listen() succeeds. */
guint
ssync_localsend_server_get_port (SsyncLocalsendServer *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_SERVER (self), 0);

  return self->port;
}

/* Stops listening and drops the open connections; listening again is allowed. */
void
ssync_localsend_server_stop (SsyncLocalsendServer *self)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_SERVER (self));

  if (self->receiver != NULL)
    ssync_localsend_receiver_cancel (self->receiver);
  if (self->listener != NULL)
    ssync_listener_stop (self->listener);
  self->port = 0;
}
