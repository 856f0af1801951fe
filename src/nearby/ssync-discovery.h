/* ssync-discovery.h: finding LocalSend devices (LocalSend apps, other ShareSyncs) on the LAN
 * by multicast, and being found by them.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-localsend-device.h"
#include "ssync-localsend-message.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_DISCOVERY (ssync_discovery_get_type ())

G_DECLARE_FINAL_TYPE (SsyncDiscovery, ssync_discovery, SSYNC, DISCOVERY, GObject)

/* Defaults: LocalSend announces every 30 s and forgets a device after 2 minutes of silence. */
#define SSYNC_DISCOVERY_DEFAULT_ANNOUNCE_INTERVAL 30
#define SSYNC_DISCOVERY_DEFAULT_DEVICE_TIMEOUT 120
/* At most this many devices are kept, and this many from one address: a stranger making up
 * fingerprints must not grow the list without end. */
#define SSYNC_DISCOVERY_MAX_DEVICES 256
#define SSYNC_DISCOVERY_MAX_DEVICES_PER_ADDRESS 8

SsyncDiscovery *ssync_discovery_new                   (const SsyncLocalsendIdentity  *me);
void            ssync_discovery_set_announce_interval (SsyncDiscovery                *self,
                                                       guint                          seconds);
void            ssync_discovery_set_device_timeout    (SsyncDiscovery                *self,
                                                       guint                          seconds);
void            ssync_discovery_set_multicast_port    (SsyncDiscovery                *self,
                                                       guint                          port);
guint           ssync_discovery_get_multicast_port    (SsyncDiscovery                *self);
gboolean        ssync_discovery_start                 (SsyncDiscovery                *self,
                                                       GStrv                          lan_addresses,
                                                       GError                       **error);
void            ssync_discovery_stop                  (SsyncDiscovery                *self);
void            ssync_discovery_announce              (SsyncDiscovery                *self);
GListModel     *ssync_discovery_get_devices           (SsyncDiscovery                *self);
SsyncLocalsendDevice *ssync_discovery_add_device      (SsyncDiscovery                *self,
                                                       SsyncLocalsendDevice          *device);

G_END_DECLS
