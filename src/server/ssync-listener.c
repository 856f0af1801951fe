/* ssync-listener.c: our own accept loop in front of SoupServer.
 *
 * SoupServer 3.2 has no idle timeout and no connection limit (NOTES.md). Accepting the
 * connections ourselves and handing them over with soup_server_accept_iostream() gives a
 * place for both: a GSocket timeout makes any read or write that waits longer than
 * @idle_timeout fail, which closes idle and stalled connections, and past
 * @max_connections a client gets a short 503 instead of another slot.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-listener.h"

struct _SsyncListener
{
  GObject parent_instance;

  SoupServer *server;
  GSocketService *service;
  GPtrArray *connections;  /* GSocketConnection, pruned when closed */
  guint max_connections;
  guint idle_timeout;
  guint port;
};

G_DEFINE_FINAL_TYPE (SsyncListener, ssync_listener, G_TYPE_OBJECT)

static const char busy_response[] =
  "HTTP/1.1 503 Service Unavailable\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "Retry-After: 5\r\n"
  "Connection: close\r\n"
  "Content-Length: 40\r\n"
  "\r\n"
  "Too many connections, try again shortly\n";

static void
prune_closed (SsyncListener *self)
{
  for (guint i = self->connections->len; i > 0; i--)
    {
      GSocketConnection *conn = g_ptr_array_index (self->connections, i - 1);

      if (g_socket_is_closed (g_socket_connection_get_socket (conn)))
        g_ptr_array_remove_index_fast (self->connections, i - 1);
    }
}

static void
busy_written (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GIOStream) conn = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  g_io_stream_close (conn, NULL, NULL);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  SsyncListener *self = user_data;
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_set_timeout (socket, self->idle_timeout);
  prune_closed (self);

  if (self->connections->len >= self->max_connections)
    {
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

      g_output_stream_write_all_async (out, busy_response, sizeof busy_response - 1,
                                       G_PRIORITY_DEFAULT, NULL, busy_written,
                                       g_object_ref (connection));
      return TRUE;
    }

  local = g_socket_connection_get_local_address (connection, NULL);
  remote = g_socket_connection_get_remote_address (connection, NULL);

  if (!soup_server_accept_iostream (self->server, G_IO_STREAM (connection), local, remote,
                                    &error))
    {
      g_debug ("Could not accept a connection: %s", error->message);
      return TRUE;
    }

  g_ptr_array_add (self->connections, g_object_ref (connection));
  return TRUE;
}

static void
ssync_listener_dispose (GObject *object)
{
  SsyncListener *self = SSYNC_LISTENER (object);

  ssync_listener_stop (self);
  g_clear_object (&self->service);
  g_clear_object (&self->server);
  g_clear_pointer (&self->connections, g_ptr_array_unref);

  G_OBJECT_CLASS (ssync_listener_parent_class)->dispose (object);
}

static void
ssync_listener_class_init (SsyncListenerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_listener_dispose;
}

static void
ssync_listener_init (SsyncListener *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
}

SsyncListener *
ssync_listener_new (SoupServer *server,
                    guint       max_connections,
                    guint       idle_timeout)
{
  SsyncListener *self = g_object_new (SSYNC_TYPE_LISTENER, NULL);

  self->server = g_object_ref (server);
  self->max_connections = max_connections;
  self->idle_timeout = idle_timeout;
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);

  return self;
}

/* Listens on @address (NULL for every IPv4 address) and @port (0 for any free port). */
gboolean
ssync_listener_listen (SsyncListener  *self,
                       const char     *address,
                       guint           port,
                       GError        **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) wanted = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  if (address != NULL)
    {
      inet = g_inet_address_new_from_string (address);
      if (inet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not an IP address"), address);
          return FALSE;
        }
    }
  else
    inet = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);

  wanted = g_inet_socket_address_new (inet, port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), wanted,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, error))
    return FALSE;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_service_start (self->service);
  return TRUE;
}

guint
ssync_listener_get_port (SsyncListener *self)
{
  return self->port;
}

guint
ssync_listener_get_n_connections (SsyncListener *self)
{
  prune_closed (self);
  return self->connections->len;
}

/* Stops accepting and closes every open connection. */
void
ssync_listener_stop (SsyncListener *self)
{
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }

  if (self->connections != NULL)
    {
      for (guint i = 0; i < self->connections->len; i++)
        g_io_stream_close (g_ptr_array_index (self->connections, i), NULL, NULL);
      g_ptr_array_set_size (self->connections, 0);
    }
}
