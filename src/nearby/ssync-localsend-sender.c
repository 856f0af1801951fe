/* ssync-localsend-sender.c: the sender's requests to a device (ssync-localsend-sender.h); the
 * sending itself is in ssync-localsend-sender-upload.c.
 *
 * A device is a stranger until proven otherwise: when it announced HTTPS, its certificate must
 * be the one its fingerprint names (LocalSend's certificates are self-signed, so the
 * fingerprint is the only thing that ties the device we saw to the one we reach); every answer
 * is read with a size limit; connecting has its own short timeout, and waiting for an answer a
 * long one only where the receiver asks its user.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-localsend-sender-private.h"

#define INFO_PATH "/api/localsend/v2/info"

struct _SsyncLocalsendSender
{
  GObject parent_instance;

  char *alias;
  char *fingerprint;
  char *device_type;
  char *device_model;
  char *protocol;
  SsyncLocalsendIdentity me;  /* points into the strings above */
  guint connect_timeout;
  SoupSession *session;       /* uploads and quick requests */
  SoupSession *wait_session;  /* prepare-upload: the receiver may ask its user first */
};

G_DEFINE_FINAL_TYPE (SsyncLocalsendSender, ssync_localsend_sender, G_TYPE_OBJECT)

enum {
  TRANSFER_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_localsend_sender_dispose (GObject *object)
{
  SsyncLocalsendSender *self = SSYNC_LOCALSEND_SENDER (object);

  g_clear_object (&self->session);
  g_clear_object (&self->wait_session);

  G_OBJECT_CLASS (ssync_localsend_sender_parent_class)->dispose (object);
}

static void
ssync_localsend_sender_finalize (GObject *object)
{
  SsyncLocalsendSender *self = SSYNC_LOCALSEND_SENDER (object);

  g_free (self->alias);
  g_free (self->fingerprint);
  g_free (self->device_type);
  g_free (self->device_model);
  g_free (self->protocol);

  G_OBJECT_CLASS (ssync_localsend_sender_parent_class)->finalize (object);
}

static void
ssync_localsend_sender_class_init (SsyncLocalsendSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_localsend_sender_dispose;
  object_class->finalize = ssync_localsend_sender_finalize;

  /**
   * SsyncLocalsendSender::transfer-started:
   * @transfer: a file began to travel to the device (direction download, kind localsend)
   */
  signals[TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);
}

static SoupSession *
make_session (guint timeout)
{
  return g_object_new (SOUP_TYPE_SESSION,
                       "timeout", timeout,
                       "idle-timeout", SSYNC_LOCALSEND_SENDER_IO_TIMEOUT,
                       /* Devices are on the LAN: never through a proxy. */
                       "proxy-resolver", NULL,
                       "user-agent", "ShareSync",
                       NULL);
}

static void
ssync_localsend_sender_init (SsyncLocalsendSender *self)
{
  self->connect_timeout = SSYNC_LOCALSEND_SENDER_CONNECT_TIMEOUT;
  self->session = make_session (SSYNC_LOCALSEND_SENDER_IO_TIMEOUT);
  self->wait_session = make_session (SSYNC_LOCALSEND_SENDER_ANSWER_TIMEOUT);
}

/* @me is who we say we are in prepare-upload (copied). */
SsyncLocalsendSender *
ssync_localsend_sender_new (const SsyncLocalsendIdentity *me)
{
  SsyncLocalsendSender *self = g_object_new (SSYNC_TYPE_LOCALSEND_SENDER, NULL);

  g_return_val_if_fail (me != NULL && me->alias != NULL && me->fingerprint != NULL, self);

  self->alias = g_strdup (me->alias);
  self->fingerprint = g_strdup (me->fingerprint);
  self->device_type = g_strdup (me->device_type != NULL ? me->device_type : "desktop");
  self->device_model = g_strdup (me->device_model);
  self->protocol = g_strdup (me->protocol != NULL ? me->protocol : "https");
  self->me.alias = self->alias;
  self->me.fingerprint = self->fingerprint;
  self->me.device_type = self->device_type;
  self->me.device_model = self->device_model;
  self->me.port = me->port != 0 ? me->port : SSYNC_LOCALSEND_DEFAULT_PORT;
  self->me.protocol = self->protocol;
  return self;
}

/* How long reaching a device may take before it counts as unreachable. */
void
ssync_localsend_sender_set_connect_timeout (SsyncLocalsendSender *self,
                                            guint                 seconds)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_SENDER (self));

  self->connect_timeout = seconds;
}

/* How long a device may stay silent while a file travels. */
void
ssync_localsend_sender_set_io_timeout (SsyncLocalsendSender *self,
                                       guint                 seconds)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_SENDER (self));

  g_object_set (self->session, "timeout", seconds, NULL);
}

/* How long the device's user may take to accept. */
void
ssync_localsend_sender_set_answer_timeout (SsyncLocalsendSender *self,
                                           guint                 seconds)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_SENDER (self));

  g_object_set (self->wait_session, "timeout", seconds, NULL);
}

const SsyncLocalsendIdentity *
ssync_localsend_sender_get_me (SsyncLocalsendSender *self)
{
  return &self->me;
}

/* The timeouts of an upload, which travels outside the sessions
 * (ssync-localsend-sender-stream.c). */
void
ssync_localsend_sender_get_timeouts (SsyncLocalsendSender *self,
                                     guint                *connect_timeout,
                                     guint                *io_timeout)
{
  *connect_timeout = self->connect_timeout;
  g_object_get (self->session, "timeout", io_timeout, NULL);
}

void
ssync_localsend_sender_emit_started (SsyncLocalsendSender *self,
                                     SsyncTransfer        *transfer)
{
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, transfer);
}

/* The SHA-256 of the DER certificate in uppercase hex, as LocalSend and our own identity
 * compute it. */
char *
ssync_localsend_sender_fingerprint_of (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  g_checksum_update (checksum, der->data, der->len);
  return g_ascii_strup (g_checksum_get_string (checksum), -1);
}

/* Whether @data nests brackets at most @max_depth deep (outside strings): json-glib's parser
 * recurses once per level, and an answer of 64 KiB of "[" must not reach the end of the
 * stack. */
gboolean
ssync_localsend_json_depth_ok (const char *data,
                               gsize       length,
                               guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '{' || c == '[') && ++depth > max_depth)
        return FALSE;
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

SsyncLocalsendPeer *
ssync_localsend_peer_new (const char *address,
                          guint       port,
                          const char *protocol,
                          const char *fingerprint)
{
  SsyncLocalsendPeer *peer = g_new0 (SsyncLocalsendPeer, 1);
  gboolean https = g_strcmp0 (protocol, "http") != 0;

  peer->address = g_strdup (address);
  /* An IPv6 address goes between brackets in a URI. */
  peer->base_uri = g_strdup_printf (strchr (address, ':') != NULL ? "%s://[%s]:%u" : "%s://%s:%u",
                                    https ? "https" : "http", address, port);
  /* Over HTTP there is no certificate, and LocalSend's fingerprint is then a random string. */
  peer->fingerprint = https ? g_strdup (fingerprint) : NULL;
  return peer;
}

SsyncLocalsendPeer *
ssync_localsend_peer_copy (SsyncLocalsendPeer *peer)
{
  SsyncLocalsendPeer *copy = g_new0 (SsyncLocalsendPeer, 1);

  copy->address = g_strdup (peer->address);
  copy->base_uri = g_strdup (peer->base_uri);
  copy->fingerprint = g_strdup (peer->fingerprint);
  return copy;
}

void
ssync_localsend_peer_free (SsyncLocalsendPeer *peer)
{
  g_free (peer->address);
  g_free (peer->base_uri);
  g_free (peer->fingerprint);
  g_free (peer);
}

void
ssync_localsend_response_free (SsyncLocalsendResponse *answer)
{
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_free (answer->fingerprint);
  g_free (answer);
}

/* One request in flight. */
typedef struct {
  SsyncLocalsendPeer *peer;     /* borrowed: the caller keeps it until the request ends */
  SoupMessage *message;
  GCancellable *cancellable;    /* ours: cut by the caller's and by the connect timeout */
  GCancellable *outer;
  gulong outer_id;
  GSource *timer;
  gboolean timed_out;
  gboolean mismatch;
  char *seen;                   /* the fingerprint of the certificate the device showed */
  GInputStream *stream;
  guint8 *buffer;
} Request;

static void
request_free (Request *request)
{
  if (request->timer != NULL)
    g_source_destroy (request->timer);
  g_clear_pointer (&request->timer, g_source_unref);
  if (request->outer != NULL)
    g_cancellable_disconnect (request->outer, request->outer_id);
  g_clear_object (&request->outer);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->message);
  g_clear_object (&request->stream);
  g_free (request->seen);
  g_free (request->buffer);
  g_free (request);
}

static void
on_outer_cancelled (GCancellable *outer,
                    GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  Request *request = user_data;

  request->timed_out = TRUE;
  g_clear_pointer (&request->timer, g_source_unref);
  g_cancellable_cancel (request->cancellable);
  return G_SOURCE_REMOVE;
}

/* Checks the certificate against the pinned fingerprint; records it when nothing is pinned. */
static gboolean
check_certificate (Request         *request,
                   GTlsCertificate *certificate)
{
  g_autofree char *seen = ssync_localsend_sender_fingerprint_of (certificate);

  if (request->peer->fingerprint != NULL
      && (seen == NULL || g_ascii_strcasecmp (seen, request->peer->fingerprint) != 0))
    {
      request->mismatch = TRUE;
      return FALSE;
    }
  g_free (request->seen);
  request->seen = g_steal_pointer (&seen);
  return TRUE;
}

/* LocalSend's certificates are self-signed: they are judged by their fingerprint only. */
static gboolean
on_accept_certificate (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       Request              *request)
{
  return check_certificate (request, certificate);
}

/* Connected (a new connection or a kept one): the connect timeout ends, and a certificate that
 * a certificate authority signed, which accept-certificate never sees, is checked too, before
 * any body leaves. */
static void
on_wrote_headers (SoupMessage *message,
                  Request     *request)
{
  GTlsCertificate *certificate = soup_message_get_tls_peer_certificate (message);

  if (request->timer != NULL)
    {
      g_source_destroy (request->timer);
      g_clear_pointer (&request->timer, g_source_unref);
    }
  if (certificate != NULL && !check_certificate (request, certificate))
    g_cancellable_cancel (request->cancellable);
  else if (certificate == NULL && request->peer->fingerprint != NULL)
    {
      request->mismatch = TRUE;
      g_cancellable_cancel (request->cancellable);
    }
}

static void
return_transport_error (GTask   *task,
                        Request *request,
                        GError  *error)
{
  if (request->outer != NULL && g_cancellable_is_cancelled (request->outer))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled"));
  else if (request->mismatch)
    g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                             _("The device at %s did not show the certificate it announced: "
                               "not sending to it"), request->peer->address);
  else if (request->timed_out)
    g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                             _("The device at %s does not answer"), request->peer->address);
  else
    g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                             _("Cannot reach the device at %s: %s"), request->peer->address,
                             error->message);
}

static void
on_answer_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SsyncLocalsendResponse *answer;
  gsize filled = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &filled, &error))
    {
      return_transport_error (task, request, error);
      return;
    }
  if (filled > SSYNC_LOCALSEND_SENDER_MAX_ANSWER)
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_FAILED,
                               _("The device at %s answered with too much data"),
                               request->peer->address);
      return;
    }
  /* The rest of the stream is not waited for: closing it in the background is enough. */
  g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  answer = g_new0 (SsyncLocalsendResponse, 1);
  answer->status = soup_message_get_status (request->message);
  answer->body = g_bytes_new (request->buffer, filled);
  answer->fingerprint = g_steal_pointer (&request->seen);
  g_task_return_pointer (task, answer, (GDestroyNotify) ssync_localsend_response_free);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (request->stream == NULL)
    {
      return_transport_error (task, request, error);
      return;
    }
  /* One byte more than allowed tells a too long answer from one that fits exactly. */
  request->buffer = g_malloc (SSYNC_LOCALSEND_SENDER_MAX_ANSWER + 1);
  g_input_stream_read_all_async (request->stream, request->buffer,
                                 SSYNC_LOCALSEND_SENDER_MAX_ANSWER + 1, G_PRIORITY_DEFAULT,
                                 request->cancellable, on_answer_read, g_object_ref (task));
}

void
ssync_localsend_sender_request_async (SsyncLocalsendSender *self,
                                      SsyncLocalsendPeer   *peer,
                                      SoupMessage          *message,
                                      gboolean              wait_for_user,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, ssync_localsend_sender_request_async);
  /* Our cancellable, not the caller's, reaches libsoup: a timeout must be told from a user's
   * cancel. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  request->peer = peer;
  request->message = g_object_ref (message);
  request->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      request->outer = g_object_ref (cancellable);
      request->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                                 request->cancellable, NULL);
    }
  if (self->connect_timeout > 0)
    {
      request->timer = g_timeout_source_new_seconds (self->connect_timeout);
      g_source_set_callback (request->timer, on_connect_timeout, request, NULL);
      g_source_attach (request->timer, g_main_context_get_thread_default ());
    }
  g_signal_connect (message, "accept-certificate", G_CALLBACK (on_accept_certificate), request);
  g_signal_connect (message, "wrote-headers", G_CALLBACK (on_wrote_headers), request);
  soup_session_send_async (wait_for_user ? self->wait_session : self->session, message,
                           G_PRIORITY_DEFAULT, request->cancellable, on_sent, task);
}

SsyncLocalsendResponse *
ssync_localsend_sender_request_finish (SsyncLocalsendSender *self,
                                       GAsyncResult         *result,
                                       GError              **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  SsyncLocalsendPeer *peer;
  guint port;
} InfoData;

static void
info_data_free (InfoData *data)
{
  ssync_localsend_peer_free (data->peer);
  g_free (data);
}

static void
on_info (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  InfoData *data = g_task_get_task_data (task);
  g_autoptr(SsyncLocalsendResponse) answer = NULL;
  g_autoptr(SsyncLocalsendDevice) parsed = NULL;
  g_autoptr(GError) error = NULL;
  SsyncLocalsendDevice *device;
  const char *body;
  gsize length;

  answer = ssync_localsend_sender_request_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                  &error);
  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  body = g_bytes_get_data (answer->body, &length);
  if (answer->status != SOUP_STATUS_OK || length == 0
      || (parsed = ssync_localsend_message_parse (body, length, NULL, &error)) == NULL)
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                               _("The device at %s does not speak LocalSend"),
                               data->peer->address);
      return;
    }
  /* Whoever answers at that address must own the fingerprint it gives. */
  if (answer->fingerprint == NULL
      || g_ascii_strcasecmp (answer->fingerprint,
                             ssync_localsend_device_get_fingerprint (parsed)) != 0)
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                               _("The device at %s did not show the certificate it announced: "
                                 "not sending to it"), data->peer->address);
      return;
    }
  /* The address and port are where we reached it, not what it says. */
  device = ssync_localsend_device_new (ssync_localsend_device_get_alias (parsed),
                                       ssync_localsend_device_get_fingerprint (parsed),
                                       ssync_localsend_device_get_device_type (parsed),
                                       ssync_localsend_device_get_device_model (parsed),
                                       data->port, "https",
                                       ssync_localsend_device_get_download (parsed));
  ssync_localsend_device_set_address (device, data->peer->address);
  ssync_localsend_device_set_last_seen (device, g_get_monotonic_time ());
  g_task_return_pointer (task, device, g_object_unref);
}

/* Asks the device at @address:@port (HTTPS) who it is: GET /api/localsend/v2/info. The
 * device answered must show the certificate its fingerprint names. */
void
ssync_localsend_sender_get_info_async (SsyncLocalsendSender *self,
                                       const char           *address,
                                       guint                 port,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  InfoData *data = g_new0 (InfoData, 1);
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) message = NULL;

  g_task_set_source_tag (task, ssync_localsend_sender_get_info_async);
  g_task_set_task_data (task, data, (GDestroyNotify) info_data_free);
  data->peer = ssync_localsend_peer_new (address, port, "https", NULL);
  data->port = port;
  uri = g_strconcat (data->peer->base_uri, INFO_PATH, NULL);
  message = soup_message_new (SOUP_METHOD_GET, uri);
  if (message == NULL)
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not an address"), address);
      g_object_unref (task);
      return;
    }
  ssync_localsend_sender_request_async (self, data->peer, message, FALSE, cancellable,
                                        on_info, task);
}

SsyncLocalsendDevice *
ssync_localsend_sender_get_info_finish (SsyncLocalsendSender *self,
                                        GAsyncResult         *result,
                                        GError              **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
