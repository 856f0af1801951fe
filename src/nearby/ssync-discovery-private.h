/* ssync-discovery-private.h: what the files of SsyncDiscovery share.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-discovery.h"
#include "ssync-rate-limiter.h"

G_BEGIN_DECLS

#define DATAGRAMS_PER_SECOND 100
#define DATAGRAM_BURST 200
#define REPLY_INTERVAL 5
#define REPLIES_PER_ADDRESS_BURST 4
#define REPLIES_IN_FLIGHT 8
/* A register request that has not been answered by then falls back to multicast. */
#define REGISTER_TIMEOUT 2

struct _SsyncDiscovery
{
  GObject parent_instance;

  char *alias;
  char *fingerprint;
  char *device_type;
  char *device_model;
  guint port;
  char *protocol;

  guint announce_interval;
  guint device_timeout;
  guint multicast_port;

  GSocket *socket;
  GSource *read_source;
  GPtrArray *interfaces;           /* struct in_addr *, the IPv4 LAN addresses */
  guint announce_id;
  guint sweep_id;
  GCancellable *cancellable;
  SoupSession *session;
  guint replies_in_flight;

  gint64 budget_updated;
  double budget;

  SsyncRateLimiter *reply_per_fingerprint;
  SsyncRateLimiter *reply_per_address;

  GListStore *devices;
  GHashTable *by_fingerprint;      /* fingerprint -> SsyncLocalsendDevice (the store holds it) */

  char buffer[SSYNC_LOCALSEND_MAX_DATAGRAM + 1];
};

SsyncLocalsendIdentity ssync_discovery_identity      (SsyncDiscovery       *self);
void                   ssync_discovery_send_to_group (SsyncDiscovery       *self,
                                                      const char           *message);
void                   ssync_discovery_reply_to      (SsyncDiscovery       *self,
                                                      SsyncLocalsendDevice *device);

G_END_DECLS
