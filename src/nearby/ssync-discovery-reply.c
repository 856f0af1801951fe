/* ssync-discovery-reply.c: answering another device's announcement, as LocalSend does: a
 * register request over HTTP(S) to the device, or, when that fails within REGISTER_TIMEOUT, a
 * multicast answer (announce: false). Rate limited per fingerprint and per address, with a
 * bounded number of requests in flight, since announcements come from strangers.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <string.h>

#include "ssync-discovery-private.h"

static void
send_answer (SsyncDiscovery *self)
{
  SsyncLocalsendIdentity me = ssync_discovery_identity (self);
  g_autofree char *message = ssync_localsend_message_build (&me, FALSE);

  ssync_discovery_send_to_group (self, message);
}

typedef struct {
  SsyncDiscovery *self;
  char *uri;
} Reply;

static void
reply_free (Reply *reply)
{
  reply->self->replies_in_flight--;
  g_object_unref (reply->self);
  g_free (reply->uri);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

/* Register requests go to devices that present a self-signed certificate, as LocalSend's do;
 * discovery trusts no certificate, so there is nothing to check here. */
static gboolean
accept_any_certificate (SoupMessage          *message,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Reply) reply = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  /* Only the status counts: the answer is not read, so a device cannot make us hold a body. */
  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  status = message != NULL ? soup_message_get_status (message) : 0;
  if (stream != NULL && SOUP_STATUS_IS_SUCCESSFUL (status))
    return;

  g_debug ("Register request to %s failed (%s): answering by multicast", reply->uri,
           error != NULL ? error->message : soup_status_get_phrase (status));
  if (reply->self->socket != NULL)
    send_answer (reply->self);
}

static SoupSession *
get_session (SsyncDiscovery *self)
{
  if (self->session == NULL)
    self->session = g_object_new (SOUP_TYPE_SESSION,
                                  "timeout", REGISTER_TIMEOUT,
                                  "idle-timeout", REGISTER_TIMEOUT,
                                  "max-conns", REPLIES_IN_FLIGHT,
                                  /* Devices are on the LAN: never through a proxy. */
                                  "proxy-resolver", NULL,
                                  "user-agent", "ShareSync",
                                  NULL);
  return self->session;
}

/* Answers an announcement as LocalSend does: POST register to the device, or multicast. */
void
ssync_discovery_reply_to (SsyncDiscovery       *self,
                          SsyncLocalsendDevice *device)
{
  const char *address = ssync_localsend_device_get_address (device);
  SsyncLocalsendIdentity me = ssync_discovery_identity (self);
  g_autofree char *body = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Reply *reply;

  if (!ssync_rate_limiter_take (self->reply_per_fingerprint,
                                ssync_localsend_device_get_fingerprint (device), NULL)
      || !ssync_rate_limiter_take (self->reply_per_address, address, NULL)
      || self->replies_in_flight >= REPLIES_IN_FLIGHT)
    {
      g_debug ("Not answering %s again so soon", address);
      return;
    }

  reply = g_new0 (Reply, 1);
  reply->self = g_object_ref (self);
  reply->uri = g_strdup_printf ("%s://%s:%u/api/localsend/v2/register",
                                ssync_localsend_device_get_protocol (device), address,
                                ssync_localsend_device_get_port (device));
  self->replies_in_flight++;

  message = soup_message_new (SOUP_METHOD_POST, reply->uri);
  if (message == NULL)
    {
      reply_free (reply);
      send_answer (self);
      return;
    }
  body = ssync_localsend_message_build_info (&me);
  bytes = g_bytes_new_take (g_steal_pointer (&body), strlen (body));
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  soup_session_send_async (get_session (self), message, G_PRIORITY_DEFAULT, self->cancellable,
                           on_registered, reply);
}
