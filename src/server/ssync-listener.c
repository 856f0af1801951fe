/* ssync-listener.c: limits for SoupServer's connections.
 *
 * SoupServer 3.2 has no idle timeout and no connection limit (NOTES.md). In 3.2 the
 * server's "request-started" signal fires as soon as a connection is accepted (and again
 * for each request on it), with its GSocket. That is where both limits live: a GSocket
 * timeout makes any read or write that waits longer than @idle_timeout fail, which closes
 * idle and stalled connections; and a connection beyond @max_connections is marked, so
 * that its request is answered with a short 503 instead of being served.
 *
 * The listening socket is made here and handed to SoupServer, which must own it: libsoup
 * keeps connections alive between requests only for servers that have a listener.
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
  GHashTable *sockets;  /* GSocket → itself, open client connections */
  guint max_connections;
  guint idle_timeout;
  guint port;
};

G_DEFINE_FINAL_TYPE (SsyncListener, ssync_listener, G_TYPE_OBJECT)

static GQuark over_capacity_quark;

static gboolean
socket_is_closed (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  return g_socket_is_closed (key);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    SsyncListener     *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket == NULL || g_hash_table_contains (self->sockets, socket))
    return;

  /* A new connection. */
  g_socket_set_timeout (socket, self->idle_timeout);
  g_hash_table_foreach_remove (self->sockets, socket_is_closed, NULL);

  if (g_hash_table_size (self->sockets) >= self->max_connections)
    {
      g_object_set_qdata (G_OBJECT (msg), over_capacity_quark, GINT_TO_POINTER (TRUE));
      return;
    }

  g_hash_table_add (self->sockets, g_object_ref (socket));
}

static void
ssync_listener_dispose (GObject *object)
{
  SsyncListener *self = SSYNC_LISTENER (object);

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_clear_object (&self->server);
  g_clear_pointer (&self->sockets, g_hash_table_unref);

  G_OBJECT_CLASS (ssync_listener_parent_class)->dispose (object);
}

static void
ssync_listener_class_init (SsyncListenerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_listener_dispose;

  over_capacity_quark = g_quark_from_static_string ("ssync-over-capacity");
}

static void
ssync_listener_init (SsyncListener *self)
{
  self->sockets = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
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
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);

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
  g_autoptr(GSocket) socket = NULL;

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
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL ||
      !g_socket_bind (socket, wanted, TRUE, error) ||
      !g_socket_listen (socket, error))
    return FALSE;

  effective = g_socket_get_local_address (socket, error);
  if (effective == NULL || !soup_server_listen_socket (self->server, socket, 0, error))
    return FALSE;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
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
  g_hash_table_foreach_remove (self->sockets, socket_is_closed, NULL);
  return g_hash_table_size (self->sockets);
}

/* Whether @msg came on a connection beyond the limit; it must be answered 503. */
gboolean
ssync_listener_is_over_capacity (SoupServerMessage *msg)
{
  return g_object_get_qdata (G_OBJECT (msg), over_capacity_quark) != NULL;
}

/* Stops listening and closes every open connection. */
void
ssync_listener_stop (SsyncListener *self)
{
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  if (self->sockets != NULL)
    g_hash_table_remove_all (self->sockets);
}
