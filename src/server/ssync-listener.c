/* ssync-listener.c: limits for SoupServer's connections, the way nginx sets them.
 *
 * SoupServer 3.2 has no idle timeout and no connection limit (NOTES.md). Its
 * "request-started" signal fires as soon as a connection is accepted (later requests on a
 * keep-alive connection only once their first bytes arrive), with the connection's
 * GSocket; the message's "got-headers" fires once the request header is complete, and
 * "request-finished" once the response is sent. From accept, or from the end of a
 * response, until a complete header, the connection is "waiting": it holds a socket and
 * asks for nothing. That is where the limits live:
 *
 * - A connection that waits longer than the header timeout is closed (slowloris).
 * - A GSocket timeout makes any read or write that waits longer than the idle timeout
 *   fail, which closes stalled requests and responses.
 * - When the connection cap is reached, the connection that has waited longest is closed
 *   to admit the new one; a request in progress (a download, an upload, a WebSocket) is
 *   never closed for this. With nothing to close, the new connection's request is
 *   answered 503 (ssync_listener_is_over_capacity()).
 * - One client address may hold only so many connections; the next is closed at once.
 *   The machine's own 127.0.0.1 and ::1 are exempt (local scripts, wrk).
 * - A request URI longer than nginx's request line is answered 414
 *   (ssync_listener_is_uri_too_long()): libsoup 3.6 reads any length.
 *
 * Closing means shutting the socket down: libsoup then reads end-of-file where it waits
 * and closes the connection itself, as if the client had left.
 *
 * The listening socket is made here and handed to SoupServer, which must own it: libsoup
 * keeps connections alive between requests only for servers that have a listener.
 *
 * Stopping a TLS server mid-handshake: libsoup 3.6 runs a connection's TLS handshake
 * without a reference on it, and soup_server_disconnect() (also in SoupServer's dispose)
 * frees every connection, so a handshake ending later calls into freed memory. The
 * handshakes are tracked (SoupServerMessage::connected reports each end, ::disconnected a
 * failure) and soup_server_disconnect() never runs while one is pending. A stop that finds
 * some closes the listening socket itself (the port is free at once), shuts every client
 * socket down so that the handshakes fail at once, refuses requests still read, and
 * disconnects the server, which it holds, once the last handshake has reported.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <sys/socket.h>
#include <string.h>

#include "ssync-listener.h"

/* Connections the kernel queues before they are accepted: a burst of clients (or of idle
 * sockets) must not make a real client's connect wait for a SYN retransmit. */
#define LISTEN_BACKLOG 511
/* Twice nginx's 8 KiB: a PATH_MAX file path, every byte percent-encoded, fits. */
#define MAX_URI_BYTES (16 * 1024)

typedef struct {
  GSocket *socket;
  char *address;       /* the client's address; NULL when exempt from the per-address cap */
  gint64 deadline;     /* monotonic time by which the request header must be complete */
  GList link;          /* in SsyncListener.waiting while it waits for a request header */
  gboolean waiting;
  gboolean refused;    /* beyond the cap: its request is answered 503 */
  gboolean closing;    /* shut down here: it no longer counts */
} Connection;

/* The TLS handshakes libsoup runs; while some are pending it outlives the listener and
 * holds the SoupServer, whose dispose would drop them. */
typedef struct {
  grefcount ref;            /* the listener's, and one while handshakes are pending */
  SoupServer *server;
  GHashTable *pending;      /* SoupServerMessage (a reference): the connection's first */
  gulong gate;              /* "request-started" handler refusing requests once stopped */
  guint finish_source;
  gboolean disconnect;      /* stopped: soup_server_disconnect() once none is pending */
} Handshakes;

struct _SsyncListener
{
  GObject parent_instance;

  SoupServer *server;
  GSocket *listen_socket;
  Handshakes *handshakes;
  GHashTable *connections;  /* GSocket → Connection, open client connections */
  GQueue waiting;           /* Connections waiting for a request header, longest first */
  guint header_timer;
  guint max_connections;
  guint max_per_address;
  guint idle_timeout;
  guint header_timeout;
  guint port;
  gboolean tls;             /* the server speaks HTTPS on its socket */
};

G_DEFINE_FINAL_TYPE (SsyncListener, ssync_listener, G_TYPE_OBJECT)

static GQuark over_capacity_quark;
/* Whether libsoup reports the end of each TLS handshake (SoupServerMessage::connected, with
 * its SoupServerConnection); 3.2 does not, and its handshakes keep their connection. */
static gboolean handshakes_are_reported;

static void
connection_free (Connection *conn)
{
  g_object_unref (conn->socket);
  g_free (conn->address);
  g_free (conn);
}

static void
stop_waiting (SsyncListener *self,
              Connection    *conn)
{
  if (!conn->waiting)
    return;
  g_queue_unlink (&self->waiting, &conn->link);
  conn->waiting = FALSE;
}

/* Closes @conn as the client would: libsoup sees end-of-file and lets go of it. */
static void
close_connection (SsyncListener *self,
                  Connection    *conn)
{
  stop_waiting (self, conn);
  conn->closing = TRUE;
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
}

static gboolean on_header_timer (gpointer user_data);

/* Arms the timer for the connection that has waited longest, unless it is armed. */
static void
arm_header_timer (SsyncListener *self)
{
  Connection *first = g_queue_peek_head (&self->waiting);
  gint64 delay;

  if (self->header_timer != 0 || first == NULL || self->header_timeout == 0)
    return;

  delay = MAX (first->deadline - g_get_monotonic_time (), 0);
  self->header_timer = g_timeout_add (delay / 1000 + 1, on_header_timer, self);
}

static gboolean
on_header_timer (gpointer user_data)
{
  SsyncListener *self = user_data;
  gint64 now = g_get_monotonic_time ();
  Connection *conn;

  self->header_timer = 0;
  while ((conn = g_queue_peek_head (&self->waiting)) != NULL && conn->deadline <= now)
    {
      g_debug ("Closing a connection from %s: no request header within %u s",
               conn->address != NULL ? conn->address : "this machine", self->header_timeout);
      close_connection (self, conn);
    }
  arm_header_timer (self);

  return G_SOURCE_REMOVE;
}

/* The header timer starts (again) for @conn; it goes last in the eviction order. */
static void
start_waiting (SsyncListener *self,
               Connection    *conn)
{
  stop_waiting (self, conn);
  conn->deadline = g_get_monotonic_time () + (gint64) self->header_timeout * G_USEC_PER_SEC;
  g_queue_push_tail_link (&self->waiting, &conn->link);
  conn->waiting = TRUE;
  arm_header_timer (self);
}

/* Forgets the connections libsoup closed. */
static void
sweep (SsyncListener *self)
{
  GHashTableIter iter;
  Connection *conn;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    {
      if (g_socket_is_closed (conn->socket))
        {
          stop_waiting (self, conn);
          g_hash_table_iter_remove (&iter);
        }
    }
}

/* The client address of @socket as a string, or NULL for this machine's own 127.0.0.1
 * and ::1 (also when IPv4-mapped), which have no per-address cap. */
static char *
client_address (GSocket *socket)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  GInetAddress *inet;
  g_autofree char *text = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  text = g_inet_address_to_string (inet);
  if (g_str_has_prefix (text, "::ffff:") && strchr (text + 7, ':') == NULL)
    memmove (text, text + 7, strlen (text + 7) + 1);

  if (strcmp (text, "127.0.0.1") == 0 || strcmp (text, "::1") == 0)
    return NULL;
  return g_steal_pointer (&text);
}

/* Whether the client already closed @conn (libsoup has not read its end yet): such a
 * connection must not count against its address's cap. */
static gboolean
peer_has_closed (Connection *conn)
{
  char byte;

  return recv (g_socket_get_fd (conn->socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* A server stopped with handshakes pending answers nothing more: its owner, whose data its
 * handlers hold, may be gone. */
static void
refuse_stopped (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
}

static void
on_gated_request (SoupServer        *server,
                  SoupServerMessage *msg,
                  Handshakes        *hs)
{
  refuse_stopped (msg);
}

static void
handshakes_set_stopped (Handshakes *hs,
                        gboolean    stopped)
{
  hs->disconnect = stopped;
  if (stopped && hs->gate == 0)
    hs->gate = g_signal_connect (hs->server, "request-started", G_CALLBACK (on_gated_request),
                                 hs);
  else if (!stopped)
    g_clear_signal_handler (&hs->gate, hs->server);
}

static Handshakes *
handshakes_new (SoupServer *server)
{
  Handshakes *hs = g_new0 (Handshakes, 1);

  g_ref_count_init (&hs->ref);
  hs->server = g_object_ref (server);
  hs->pending = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  return hs;
}

static void
handshakes_unref (Handshakes *hs)
{
  if (!g_ref_count_dec (&hs->ref))
    return;
  handshakes_set_stopped (hs, FALSE);
  g_hash_table_unref (hs->pending);
  g_object_unref (hs->server);
  g_free (hs);
}

/* The last pending handshake has reported (and its callback returned): the connections
 * may go now. */
static gboolean
handshakes_finish (gpointer user_data)
{
  Handshakes *hs = user_data;

  hs->finish_source = 0;
  if (g_hash_table_size (hs->pending) > 0)
    return G_SOURCE_REMOVE;
  if (hs->disconnect)
    {
      handshakes_set_stopped (hs, FALSE);
      soup_server_disconnect (hs->server);
    }
  handshakes_unref (hs);
  return G_SOURCE_REMOVE;
}

/* @msg's connection is established ("connected") or closed ("disconnected"): libsoup's
 * handshake callback runs it. */
static void
on_handshake_ended (SoupServerMessage *msg,
                    Handshakes        *hs)
{
  g_signal_handlers_disconnect_by_data (msg, hs);
  if (hs->disconnect)
    refuse_stopped (msg);
  g_hash_table_remove (hs->pending, msg);
  /* From an idle: that callback has not returned yet. */
  if (g_hash_table_size (hs->pending) == 0 && hs->finish_source == 0)
    hs->finish_source = g_idle_add (handshakes_finish, hs);
}

/* libsoup starts a TLS handshake for @msg's new connection. */
static void
handshakes_add (Handshakes        *hs,
                SoupServerMessage *msg)
{
  /* The set keeps itself (and the server) while a handshake is pending. */
  if (g_hash_table_size (hs->pending) == 0 && hs->finish_source == 0)
    g_ref_count_inc (&hs->ref);
  g_hash_table_add (hs->pending, g_object_ref (msg));
  g_signal_connect (msg, "connected", G_CALLBACK (on_handshake_ended), hs);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_handshake_ended), hs);
}

static void
on_got_headers (SoupServerMessage *msg,
                SsyncListener     *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *conn = socket != NULL ? g_hash_table_lookup (self->connections, socket) : NULL;

  if (conn != NULL)
    stop_waiting (self, conn);
}

/* A new connection: the caps decide whether it is served, refused or closed. */
static Connection *
admit (SsyncListener     *self,
       SoupServerMessage *msg,
       GSocket           *socket)
{
  g_autofree char *address = client_address (socket);
  GHashTableIter iter;
  Connection *conn;
  guint n_open = 0, n_from_address = 0;

  sweep (self);
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    {
      if (conn->closing)
        continue;
      if (!conn->refused)
        n_open++;
      if (address != NULL && g_strcmp0 (conn->address, address) == 0)
        n_from_address++;
    }

  /* At the cap, connections the client already closed make room first. */
  if (address != NULL && n_from_address >= self->max_per_address)
    {
      g_hash_table_iter_init (&iter, self->connections);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
        if (!conn->closing && g_strcmp0 (conn->address, address) == 0 && peer_has_closed (conn))
          {
            close_connection (self, conn);
            n_from_address--;
          }
    }

  if (address != NULL && n_from_address >= self->max_per_address)
    {
      g_debug ("Closing a connection from %s: it already has %u", address, n_from_address);
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
      return NULL;
    }

  conn = g_new0 (Connection, 1);
  conn->socket = g_object_ref (socket);
  conn->address = g_steal_pointer (&address);
  conn->link.data = conn;
  g_hash_table_insert (self->connections, socket, conn);

  if (n_open >= self->max_connections)
    {
      Connection *victim = NULL;

      for (GList *l = self->waiting.head; l != NULL && victim == NULL; l = l->next)
        {
          Connection *candidate = l->data;

          if (!candidate->refused)
            victim = candidate;
        }

      if (victim != NULL)
        close_connection (self, victim);
      else
        {
          conn->refused = TRUE;
          g_object_set_qdata (G_OBJECT (msg), over_capacity_quark, GINT_TO_POINTER (TRUE));
        }
    }

  return conn;
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    SsyncListener     *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *conn;

  if (socket == NULL)
    return;

  conn = g_hash_table_lookup (self->connections, socket);
  if (conn == NULL)
    {
      if (self->tls && handshakes_are_reported)
        handshakes_add (self->handshakes, msg);
      g_socket_set_timeout (socket, self->idle_timeout);
      conn = admit (self, msg, socket);
    }
  if (conn == NULL || conn->closing)
    return;

  /* On a keep-alive connection the wait began when the last response was sent. */
  if (!conn->waiting)
    start_waiting (self, conn);
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (on_got_headers), self, 0);
}

/* The response is sent. On a keep-alive connection libsoup now waits for the next
 * request, but 3.2 emits "request-started" only once its first bytes arrive: the
 * connection is idle from here, and the header timer starts again. (A connection handed
 * over to a WebSocket never finishes its request.) */
static void
on_request_finished (SoupServer        *server,
                     SoupServerMessage *msg,
                     SsyncListener     *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *conn = socket != NULL ? g_hash_table_lookup (self->connections, socket) : NULL;

  if (conn != NULL && !conn->closing && !g_socket_is_closed (socket))
    start_waiting (self, conn);
}

static void
forget_connections (SsyncListener *self)
{
  g_clear_handle_id (&self->header_timer, g_source_remove);
  g_queue_init (&self->waiting);
  if (self->connections != NULL)
    g_hash_table_remove_all (self->connections);
}

static void
ssync_listener_dispose (GObject *object)
{
  SsyncListener *self = SSYNC_LISTENER (object);

  /* Its server must not go on listening with none to track its handshakes. */
  if (self->handshakes != NULL && g_hash_table_size (self->handshakes->pending) > 0 &&
      !self->handshakes->disconnect)
    ssync_listener_stop (self);
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_clear_pointer (&self->handshakes, handshakes_unref);
  g_clear_object (&self->server);
  g_clear_object (&self->listen_socket);
  forget_connections (self);
  g_clear_pointer (&self->connections, g_hash_table_unref);

  G_OBJECT_CLASS (ssync_listener_parent_class)->dispose (object);
}

static void
ssync_listener_class_init (SsyncListenerClass *klass)
{
  gpointer message_class;

  G_OBJECT_CLASS (klass)->dispose = ssync_listener_dispose;

  over_capacity_quark = g_quark_from_static_string ("ssync-over-capacity");
  /* Signals are looked up on a class already made. */
  message_class = g_type_class_ref (SOUP_TYPE_SERVER_MESSAGE);
  handshakes_are_reported = g_signal_lookup ("connected", SOUP_TYPE_SERVER_MESSAGE) != 0;
  g_type_class_unref (message_class);
}

static void
ssync_listener_init (SsyncListener *self)
{
  self->connections = g_hash_table_new_full (NULL, NULL, NULL,
                                             (GDestroyNotify) connection_free);
  g_queue_init (&self->waiting);
  self->max_connections = G_MAXUINT;
  self->max_per_address = G_MAXUINT;
}

/* A listener for @server with no limits yet: the setters give them. */
SsyncListener *
ssync_listener_new (SoupServer *server)
{
  SsyncListener *self = g_object_new (SSYNC_TYPE_LISTENER, NULL);

  self->server = g_object_ref (server);
  self->handshakes = handshakes_new (server);
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_finished), self);

  return self;
}

/* Connections served at once; past them, waiting connections are closed to make room. */
void
ssync_listener_set_max_connections (SsyncListener *self,
                                    guint          max_connections)
{
  self->max_connections = max_connections;
}

/* Connections one client address may hold (127.0.0.1 and ::1 have no cap). */
void
ssync_listener_set_max_per_address (SsyncListener *self,
                                    guint          max_per_address)
{
  self->max_per_address = max_per_address;
}

/* Seconds a read or write may wait for the client; 0 for no limit. Applies to the
 * connections accepted from now on. */
void
ssync_listener_set_idle_timeout (SsyncListener *self,
                                 guint          seconds)
{
  self->idle_timeout = seconds;
}

/* Seconds a client has to send a complete request header, from the moment it connects
 * and again from the end of each response; 0 for no limit. Applies to the waits that
 * start from now on. */
void
ssync_listener_set_header_timeout (SsyncListener *self,
                                   guint          seconds)
{
  self->header_timeout = seconds;
  if (seconds == 0)
    g_clear_handle_id (&self->header_timer, g_source_remove);
}

/* Whether the server speaks HTTPS (its "tls-certificate") on the sockets listened on from now
 * on. The header timeout then also ends a TLS handshake that never finishes. */
void
ssync_listener_set_tls (SsyncListener *self,
                        gboolean       tls)
{
  self->tls = tls;
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
  if (socket == NULL)
    return FALSE;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, wanted, TRUE, error) ||
      !g_socket_listen (socket, error))
    return FALSE;

  effective = g_socket_get_local_address (socket, error);
  if (effective == NULL ||
      !soup_server_listen_socket (self->server, socket, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                  error))
    return FALSE;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_set_object (&self->listen_socket, socket);
  /* A stop still waiting for handshakes must not end this listening. */
  handshakes_set_stopped (self->handshakes, FALSE);
  return TRUE;
}

guint
ssync_listener_get_port (SsyncListener *self)
{
  return self->port;
}

/* Client connections served now (not counting those refused or being closed). */
guint
ssync_listener_get_n_connections (SsyncListener *self)
{
  GHashTableIter iter;
  Connection *conn;
  guint n = 0;

  sweep (self);
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    n += !conn->closing && !conn->refused;

  return n;
}

/* Whether @msg's request URI (path and query) is longer than MAX_URI_BYTES; it must be
 * answered 414. */
gboolean
ssync_listener_is_uri_too_long (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;

  return (path != NULL ? strlen (path) : 0) + (query != NULL ? strlen (query) : 0) >
         MAX_URI_BYTES;
}

/* Whether @msg came on a connection beyond the limit; it must be answered 503. */
gboolean
ssync_listener_is_over_capacity (SoupServerMessage *msg)
{
  return g_object_get_qdata (G_OBJECT (msg), over_capacity_quark) != NULL;
}

/* Stops listening and closes every open connection: at once, or with TLS handshakes
 * pending, as soon as they have failed (see the top of this file). The port is free when
 * this returns either way. */
void
ssync_listener_stop (SsyncListener *self)
{
  Handshakes *hs = self->handshakes;
  GHashTableIter iter;
  gpointer item;

  if (hs == NULL)
    return;
  if (g_hash_table_size (hs->pending) == 0)
    {
      soup_server_disconnect (self->server);
      forget_connections (self);
      g_clear_object (&self->listen_socket);
      return;
    }

  g_debug ("Stopping with %u TLS handshakes pending", g_hash_table_size (hs->pending));
  if (self->listen_socket != NULL)
    g_socket_close (self->listen_socket, NULL);
  g_clear_object (&self->listen_socket);

  g_hash_table_iter_init (&iter, hs->pending);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      GSocket *socket = soup_server_message_get_socket (item);

      if (socket != NULL)
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }
  /* The connections stay known, as closing: requests still read on them are not admitted. */
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &item))
    close_connection (self, item);
  g_clear_handle_id (&self->header_timer, g_source_remove);
  handshakes_set_stopped (hs, TRUE);
}
