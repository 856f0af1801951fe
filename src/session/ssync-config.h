/* ssync-config.h: every setting of a run, in one object, without secrets.
 *
 * The faces fill it: the window from GSettings (and keeps it updated), headless from the
 * command line; both from the SHARESYNC_* variables (ssync-environment.c). The session
 * follows its "notify" signals and hands each value to the part that uses it, so library
 * code reads no environment and no GSettings.
 *
 * Properties (defaults in ssync-config.c):
 *   bind-address, port                      where the server listens
 *   max-connections, idle-timeout,
 *   header-timeout                          the listener's connection policy (seconds)
 *   upload-expiry                           unfinished uploads are forgotten after (seconds)
 *   room-grace                              an empty browser room lives on for (seconds)
 *   accept-timeout                          an unanswered upload question declines (seconds)
 *   cleanup-interval                        the expiry sweep runs every (seconds)
 *   history-days                            history older than this is forgotten (0: never)
 *   auto-accept, max-upload-size            receiving
 *   default-lifetime, default-max-downloads what new shares get (seconds; 0: none)
 *   stun-server, turn-server, turn-username direct transfers (the TURN password is a secret)
 *   rtc-hidden-plugin                       a GStreamer plugin to treat as missing (tests)
 *   s3-endpoint, s3-region, s3-bucket, s3-access-key, s3-path-style, s3-part-size,
 *   s3-parallel, s3-attempts, s3-ca-file    the bucket pushes go to (the secret key is a secret)
 *   fetch-over                              --fetch: auto (HTTP, else WebRTC), webrtc or http
 *   nearby                                  whether receive shares also receive from nearby
 *                                           devices (LocalSend's API)
 *   alias, localsend-port, announce-interval,
 *   device-timeout                          Nearby (LocalSend): the name others see (empty: the
 *                                           user's or host's name), the HTTPS port (0: any),
 *                                           seconds between announcements and until a silent
 *                                           device is dropped
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_CONFIG (ssync_config_get_type ())

G_DECLARE_FINAL_TYPE (SsyncConfig, ssync_config, SSYNC, CONFIG, GObject)

SsyncConfig *ssync_config_new         (void);
const char  *ssync_config_get_string  (SsyncConfig  *self,
                                       const char   *name);
guint        ssync_config_get_uint    (SsyncConfig  *self,
                                       const char   *name);
int          ssync_config_get_int     (SsyncConfig  *self,
                                       const char   *name);
gint64       ssync_config_get_int64   (SsyncConfig  *self,
                                       const char   *name);
guint64      ssync_config_get_uint64  (SsyncConfig  *self,
                                       const char   *name);
gboolean     ssync_config_get_boolean (SsyncConfig  *self,
                                       const char   *name);
gboolean     ssync_config_set_from_string (SsyncConfig  *self,
                                           const char   *name,
                                           const char   *text,
                                           GError      **error);

G_END_DECLS
