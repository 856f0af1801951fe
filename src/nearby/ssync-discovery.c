/* ssync-discovery.c: finding LocalSend devices on the LAN by multicast, and being found.
 *
 * One UDP socket bound to the LocalSend port joins the group on each LAN address and sends
 * through each (IP_MULTICAST_IF), as LocalSend does. Every datagram is from a stranger: it is
 * read into a buffer one byte larger than the largest accepted, so that a larger one is seen
 * and dropped; at most DATAGRAM_BURST datagrams are parsed at once and DATAGRAMS_PER_SECOND on
 * average, whatever arrives (the rest are read and dropped, so the socket never backs up); and
 * an announcement is answered at most once per fingerprint per REPLY_INTERVAL seconds and a few
 * times per address, with a bounded number of register requests in flight. The device list is
 * bounded as well (SSYNC_DISCOVERY_MAX_DEVICES).
 *
 * A device is known by its fingerprint and takes the source address of its last message.
 * Anyone can claim any fingerprint here; the certificate behind it is checked when files are
 * sent, not by discovery.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ssync-discovery-private.h"
#include "ssync-rate-limiter.h"

/* Datagrams read per wake-up before the main loop gets to run something else. */
#define READS_PER_WAKEUP 64

G_DEFINE_FINAL_TYPE (SsyncDiscovery, ssync_discovery, G_TYPE_OBJECT)

enum {
  DEVICE_FOUND,
  DEVICE_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void close_socket (SsyncDiscovery *self);

static void
ssync_discovery_dispose (GObject *object)
{
  SsyncDiscovery *self = SSYNC_DISCOVERY (object);

  /* Not ssync_discovery_stop(): no device-lost to handlers whose objects may be gone. */
  close_socket (self);
  g_clear_object (&self->session);
  g_clear_object (&self->reply_per_fingerprint);
  g_clear_object (&self->reply_per_address);
  g_clear_pointer (&self->by_fingerprint, g_hash_table_unref);
  g_clear_object (&self->devices);

  G_OBJECT_CLASS (ssync_discovery_parent_class)->dispose (object);
}

static void
ssync_discovery_finalize (GObject *object)
{
  SsyncDiscovery *self = SSYNC_DISCOVERY (object);

  g_free (self->alias);
  g_free (self->fingerprint);
  g_free (self->device_type);
  g_free (self->device_model);
  g_free (self->protocol);

  G_OBJECT_CLASS (ssync_discovery_parent_class)->finalize (object);
}

static void
ssync_discovery_class_init (SsyncDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_discovery_dispose;
  object_class->finalize = ssync_discovery_finalize;

  /* A device was seen for the first time (or again after it was lost). */
  signals[DEVICE_FOUND] =
    g_signal_new ("device-found", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_LOCALSEND_DEVICE);
  /* A device was silent for the device timeout, or discovery stopped. */
  signals[DEVICE_LOST] =
    g_signal_new ("device-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_LOCALSEND_DEVICE);
}

static void
ssync_discovery_init (SsyncDiscovery *self)
{
  self->announce_interval = SSYNC_DISCOVERY_DEFAULT_ANNOUNCE_INTERVAL;
  self->device_timeout = SSYNC_DISCOVERY_DEFAULT_DEVICE_TIMEOUT;
  self->multicast_port = SSYNC_LOCALSEND_DEFAULT_PORT;
  self->devices = g_list_store_new (SSYNC_TYPE_LOCALSEND_DEVICE);
  self->by_fingerprint = g_hash_table_new (g_str_hash, g_str_equal);
  self->reply_per_fingerprint = ssync_rate_limiter_new (1, 1.0 / REPLY_INTERVAL);
  self->reply_per_address = ssync_rate_limiter_new (REPLIES_PER_ADDRESS_BURST, 1);
}

/**
 * ssync_discovery_new:
 * @me: who we are; copied. Its port and protocol are those of our LocalSend server.
 */
SsyncDiscovery *
ssync_discovery_new (const SsyncLocalsendIdentity *me)
{
  SsyncDiscovery *self;

  g_return_val_if_fail (me != NULL && me->alias != NULL && me->fingerprint != NULL, NULL);
  g_return_val_if_fail (me->port >= 1 && me->port <= G_MAXUINT16, NULL);

  self = g_object_new (SSYNC_TYPE_DISCOVERY, NULL);
  self->alias = g_strdup (me->alias);
  self->fingerprint = g_strdup (me->fingerprint);
  self->device_type = g_strdup (me->device_type != NULL ? me->device_type : "desktop");
  self->device_model = g_strdup (me->device_model);
  self->port = me->port;
  self->protocol = g_strdup (me->protocol != NULL ? me->protocol : "https");
  return self;
}

SsyncLocalsendIdentity
ssync_discovery_identity (SsyncDiscovery *self)
{
  return (SsyncLocalsendIdentity) {
    .alias = self->alias,
    .fingerprint = self->fingerprint,
    .device_type = self->device_type,
    .device_model = self->device_model,
    .port = self->port,
    .protocol = self->protocol,
  };
}

GListModel *
ssync_discovery_get_devices (SsyncDiscovery *self)
{
  g_return_val_if_fail (SSYNC_IS_DISCOVERY (self), NULL);
  return G_LIST_MODEL (self->devices);
}

/* ---- Devices ---- */

static guint
count_at_address (SsyncDiscovery *self,
                  const char     *address)
{
  guint n = 0;
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(SsyncLocalsendDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices),
                                                                      i);

      if (g_strcmp0 (ssync_localsend_device_get_address (device), address) == 0)
        n++;
    }
  return n;
}

/**
 * ssync_discovery_add_device:
 * @device: a device seen now (from a datagram or a register request), with its address
 *
 * Updates the device with the same fingerprint in place, or adds @device and emits
 * device-found. Our own fingerprint is ignored, and so is a new device past the limits.
 *
 * Returns: (transfer none) (nullable): the device kept in the list
 */
SsyncLocalsendDevice *
ssync_discovery_add_device (SsyncDiscovery       *self,
                            SsyncLocalsendDevice *device)
{
  const char *fingerprint;
  const char *address;
  SsyncLocalsendDevice *known;

  g_return_val_if_fail (SSYNC_IS_DISCOVERY (self), NULL);
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (device), NULL);

  fingerprint = ssync_localsend_device_get_fingerprint (device);
  address = ssync_localsend_device_get_address (device);
  if (strcmp (fingerprint, self->fingerprint) == 0)
    return NULL;

  ssync_localsend_device_set_last_seen (device, g_get_monotonic_time ());
  known = g_hash_table_lookup (self->by_fingerprint, fingerprint);
  if (known != NULL)
    {
      ssync_localsend_device_update (known, device);
      return known;
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (self->devices)) >= SSYNC_DISCOVERY_MAX_DEVICES
      || count_at_address (self, address) >= SSYNC_DISCOVERY_MAX_DEVICES_PER_ADDRESS)
    {
      g_debug ("Not keeping another device from %s: too many devices", address);
      return NULL;
    }

  g_list_store_append (self->devices, device);
  g_hash_table_insert (self->by_fingerprint, (char *) fingerprint, device);
  g_signal_emit (self, signals[DEVICE_FOUND], 0, device);
  return device;
}

static void
remove_device (SsyncDiscovery *self,
               guint           position)
{
  g_autoptr(SsyncLocalsendDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices),
                                                                  position);

  g_hash_table_remove (self->by_fingerprint, ssync_localsend_device_get_fingerprint (device));
  g_list_store_remove (self->devices, position);
  g_signal_emit (self, signals[DEVICE_LOST], 0, device);
}

static gboolean
sweep (gpointer user_data)
{
  SsyncDiscovery *self = user_data;
  gint64 oldest = g_get_monotonic_time () - (gint64) self->device_timeout * G_USEC_PER_SEC;
  guint i = 0;

  while (i < g_list_model_get_n_items (G_LIST_MODEL (self->devices)))
    {
      g_autoptr(SsyncLocalsendDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices),
                                                                      i);

      if (ssync_localsend_device_get_last_seen (device) < oldest)
        remove_device (self, i);
      else
        i++;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- Sending ---- */

void
ssync_discovery_send_to_group (SsyncDiscovery *self,
                               const char     *message)
{
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string (SSYNC_LOCALSEND_MULTICAST_GROUP);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (group, self->multicast_port);
  gsize length = strlen (message);
  guint n_sends = MAX (self->interfaces->len, 1);

  for (guint i = 0; i < n_sends; i++)
    {
      g_autoptr(GError) error = NULL;

      /* Through each LAN address in turn; with none, wherever the routing table says. */
      if (i < self->interfaces->len
          && setsockopt (g_socket_get_fd (self->socket), IPPROTO_IP, IP_MULTICAST_IF,
                         self->interfaces->pdata[i], sizeof (struct in_addr)) != 0)
        {
          g_debug ("Cannot send multicast through a LAN address: %s", g_strerror (errno));
          continue;
        }
      if (g_socket_send_to (self->socket, to, message, length, NULL, &error) < 0)
        g_debug ("Cannot send a multicast announcement: %s", error->message);
    }
}

/**
 * ssync_discovery_announce:
 *
 * Tells the LAN we are here and asks every device to answer (announce: true).
 */
void
ssync_discovery_announce (SsyncDiscovery *self)
{
  SsyncLocalsendIdentity me;
  g_autofree char *message = NULL;

  g_return_if_fail (SSYNC_IS_DISCOVERY (self));

  if (self->socket == NULL)
    return;
  me = ssync_discovery_identity (self);
  message = ssync_localsend_message_build (&me, TRUE);
  ssync_discovery_send_to_group (self, message);
}

/* ---- Receiving ---- */

/* Whether the datagram budget has a token left; refills DATAGRAMS_PER_SECOND per second. */
static gboolean
take_budget (SsyncDiscovery *self)
{
  gint64 now = g_get_monotonic_time ();

  self->budget = MIN (DATAGRAM_BURST, self->budget
                      + (double) (now - self->budget_updated) * DATAGRAMS_PER_SECOND
                        / G_USEC_PER_SEC);
  self->budget_updated = now;
  if (self->budget < 1)
    return FALSE;
  self->budget -= 1;
  return TRUE;
}

static void
handle_datagram (SsyncDiscovery *self,
                 GSocketAddress *from,
                 gsize           length)
{
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  SsyncLocalsendDevice *kept;
  gboolean announce = FALSE;

  if (length > SSYNC_LOCALSEND_MAX_DATAGRAM || !G_IS_INET_SOCKET_ADDRESS (from)
      || !take_budget (self))
    return;

  device = ssync_localsend_message_parse (self->buffer, length, &announce, &error);
  if (device == NULL)
    {
      g_debug ("Ignoring a datagram: %s", error->message);
      return;
    }

  address = g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)));
  ssync_localsend_device_set_address (device, address);
  kept = ssync_discovery_add_device (self, device);
  if (kept != NULL && announce)
    ssync_discovery_reply_to (self, kept);
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  SsyncDiscovery *self = user_data;

  for (guint i = 0; i < READS_PER_WAKEUP && self->socket != NULL; i++)
    {
      g_autoptr(GSocketAddress) from = NULL;
      g_autoptr(GError) error = NULL;
      gssize n;

      n = g_socket_receive_from (socket, &from, self->buffer, sizeof self->buffer, NULL, &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("Cannot read a datagram: %s", error->message);
          break;
        }
      handle_datagram (self, from, (gsize) n);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- Lifecycle ---- */

static void
join_group (SsyncDiscovery       *self,
            const struct in_addr *interface)
{
  struct ip_mreq request = { 0 };

  inet_pton (AF_INET, SSYNC_LOCALSEND_MULTICAST_GROUP, &request.imr_multiaddr);
  request.imr_interface = *interface;
  if (setsockopt (g_socket_get_fd (self->socket), IPPROTO_IP, IP_ADD_MEMBERSHIP,
                  &request, sizeof request) != 0)
    g_message ("Cannot join the LocalSend multicast group on a LAN address: %s",
               g_strerror (errno));
}

static gboolean
open_socket (SsyncDiscovery  *self,
             GError         **error)
{
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (any, self->multicast_port);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_blocking (socket, FALSE);
  /* LocalSend apps and other ShareSyncs on this machine bind the same port. */
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, error)
      || !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error)
      || !g_socket_bind (socket, local, TRUE, error))
    return FALSE;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return FALSE;
  self->multicast_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  self->socket = g_steal_pointer (&socket);
  return TRUE;
}

static gboolean
announce_tick (gpointer user_data)
{
  ssync_discovery_announce (user_data);
  return G_SOURCE_CONTINUE;
}

static void
restart_timers (SsyncDiscovery *self)
{
  g_clear_handle_id (&self->announce_id, g_source_remove);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->socket == NULL)
    return;
  if (self->announce_interval > 0)
    self->announce_id = g_timeout_add_seconds (self->announce_interval, announce_tick, self);
  /* Checked four times per timeout, so a device is dropped at most a quarter late. */
  self->sweep_id = g_timeout_add (CLAMP (self->device_timeout * 250, 250, 10000), sweep, self);
}

/**
 * ssync_discovery_start:
 * @lan_addresses: (nullable): the IPv4 LAN addresses to join the group on and send from
 *   (others are skipped); with none, the system's default multicast interface
 *
 * Binds the multicast port, joins the group and announces. Fails only when the port cannot
 * be bound; a LAN address that cannot join is logged and skipped.
 */
gboolean
ssync_discovery_start (SsyncDiscovery  *self,
                       GStrv            lan_addresses,
                       GError         **error)
{
  g_return_val_if_fail (SSYNC_IS_DISCOVERY (self), FALSE);
  g_return_val_if_fail (self->socket == NULL, FALSE);

  if (!open_socket (self, error))
    return FALSE;

  self->interfaces = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; lan_addresses != NULL && lan_addresses[i] != NULL; i++)
    {
      struct in_addr address;

      if (inet_pton (AF_INET, lan_addresses[i], &address) == 1)
        g_ptr_array_add (self->interfaces, g_memdup2 (&address, sizeof address));
    }
  if (self->interfaces->len == 0)
    {
      struct in_addr any = { .s_addr = htonl (INADDR_ANY) };

      join_group (self, &any);
    }
  for (guint i = 0; i < self->interfaces->len; i++)
    join_group (self, self->interfaces->pdata[i]);

  self->cancellable = g_cancellable_new ();
  self->budget = DATAGRAM_BURST;
  self->budget_updated = g_get_monotonic_time ();
  self->read_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (self->read_source, NULL);
  restart_timers (self);
  ssync_discovery_announce (self);
  return TRUE;
}

static void
close_socket (SsyncDiscovery *self)
{
  g_clear_handle_id (&self->announce_id, g_source_remove);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->read_source != NULL)
    g_source_destroy (self->read_source);
  g_clear_pointer (&self->read_source, g_source_unref);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  g_clear_pointer (&self->interfaces, g_ptr_array_unref);
}

/**
 * ssync_discovery_stop:
 *
 * Closes the socket, cancels register requests and forgets every device (device-lost).
 */
void
ssync_discovery_stop (SsyncDiscovery *self)
{
  g_return_if_fail (SSYNC_IS_DISCOVERY (self));

  close_socket (self);
  while (self->devices != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->devices)) > 0)
    remove_device (self, 0);
}

/* 0 announces only at start and on request. */
void
ssync_discovery_set_announce_interval (SsyncDiscovery *self,
                                       guint           seconds)
{
  g_return_if_fail (SSYNC_IS_DISCOVERY (self));
  self->announce_interval = seconds;
  restart_timers (self);
}

void
ssync_discovery_set_device_timeout (SsyncDiscovery *self,
                                    guint           seconds)
{
  g_return_if_fail (SSYNC_IS_DISCOVERY (self));
  self->device_timeout = MAX (seconds, 1);
  restart_timers (self);
}

/* The UDP port to bind and send to; LocalSend's 53317 by default, 0 for any free port
 * (tests then send to the port read back with ssync_discovery_get_multicast_port()). */
void
ssync_discovery_set_multicast_port (SsyncDiscovery *self,
                                    guint           port)
{
  g_return_if_fail (SSYNC_IS_DISCOVERY (self));
  g_return_if_fail (self->socket == NULL);
  g_return_if_fail (port <= G_MAXUINT16);
  self->multicast_port = port;
}

guint
ssync_discovery_get_multicast_port (SsyncDiscovery *self)
{
  g_return_val_if_fail (SSYNC_IS_DISCOVERY (self), 0);
  return self->multicast_port;
}
