/* ssync-localsend-device.h: a device seen on the network that speaks LocalSend (a LocalSend
 * app or another ShareSync), as its announcement or register request described it.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_LOCALSEND_DEVICE (ssync_localsend_device_get_type ())

G_DECLARE_FINAL_TYPE (SsyncLocalsendDevice, ssync_localsend_device, SSYNC, LOCALSEND_DEVICE,
                      GObject)

/* @device_type is one of "mobile", "desktop", "web", "headless" or "server"; @protocol
 * "http" or "https"; @device_model may be NULL. The address starts NULL and last-seen 0:
 * whoever received the message sets them. */
SsyncLocalsendDevice *ssync_localsend_device_new              (const char           *alias,
                                                               const char           *fingerprint,
                                                               const char           *device_type,
                                                               const char           *device_model,
                                                               guint                 port,
                                                               const char           *protocol,
                                                               gboolean              download);
const char           *ssync_localsend_device_get_alias        (SsyncLocalsendDevice *self);
const char           *ssync_localsend_device_get_fingerprint  (SsyncLocalsendDevice *self);
const char           *ssync_localsend_device_get_device_type  (SsyncLocalsendDevice *self);
const char           *ssync_localsend_device_get_device_model (SsyncLocalsendDevice *self);
guint                 ssync_localsend_device_get_port         (SsyncLocalsendDevice *self);
const char           *ssync_localsend_device_get_protocol     (SsyncLocalsendDevice *self);
gboolean              ssync_localsend_device_get_download     (SsyncLocalsendDevice *self);
const char           *ssync_localsend_device_get_address      (SsyncLocalsendDevice *self);
void                  ssync_localsend_device_set_address      (SsyncLocalsendDevice *self,
                                                               const char           *address);
gint64                ssync_localsend_device_get_last_seen    (SsyncLocalsendDevice *self);
void                  ssync_localsend_device_set_last_seen    (SsyncLocalsendDevice *self,
                                                               gint64                last_seen);
void                  ssync_localsend_device_update           (SsyncLocalsendDevice *self,
                                                               SsyncLocalsendDevice *from);

gboolean              ssync_localsend_device_matches          (SsyncLocalsendDevice *self,
                                                               const char           *target);

char                 *ssync_device_short_fingerprint          (const char           *fingerprint);
gboolean              ssync_device_fingerprint_is_valid       (const char           *fingerprint);

G_END_DECLS
