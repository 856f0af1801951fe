/* ssync-localsend-message.h: the one reader and writer of LocalSend's device JSON (the
 * multicast announcement, the register request and its answer, the info answer).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ssync-localsend-device.h"

G_BEGIN_DECLS

/* LocalSend's defaults: the multicast group and the port of both UDP and HTTP(S). */
#define SSYNC_LOCALSEND_MULTICAST_GROUP "224.0.0.167"
#define SSYNC_LOCALSEND_DEFAULT_PORT 53317
/* The protocol version we speak, sent as "version". */
#define SSYNC_LOCALSEND_PROTOCOL_VERSION "2.1"
/* The largest datagram read: a real announcement is a few hundred bytes. */
#define SSYNC_LOCALSEND_MAX_DATAGRAM 4096
/* The largest message the parser reads at all; HTTP callers refuse larger bodies before. */
#define SSYNC_LOCALSEND_MAX_MESSAGE (64 * 1024)
/* Alias and device model in characters, fingerprint in bytes. */
#define SSYNC_LOCALSEND_MAX_ALIAS 64
#define SSYNC_LOCALSEND_MAX_FINGERPRINT 128

/* Who we are, as we tell others. All strings borrowed; @device_model may be NULL. */
typedef struct {
  const char *alias;
  const char *fingerprint;
  const char *device_type;
  const char *device_model;
  guint port;
  const char *protocol;
} SsyncLocalsendIdentity;

SsyncLocalsendDevice *ssync_localsend_message_parse      (const char                   *data,
                                                          gsize                         length,
                                                          gboolean                     *announce,
                                                          GError                      **error);
char                 *ssync_localsend_message_build      (const SsyncLocalsendIdentity *self_info,
                                                          gboolean                      announce);
char                 *ssync_localsend_message_build_info (const SsyncLocalsendIdentity *self_info);

gboolean ssync_localsend_device_type_is_known (const char *device_type);
char    *ssync_localsend_message_describe     (SsyncLocalsendDevice *device);

G_END_DECLS
