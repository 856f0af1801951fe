/* ssync-localsend-server.h: the HTTPS server other LocalSend devices register with.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-localsend-device.h"
#include "ssync-localsend-message.h"
#include "ssync-localsend-receiver.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_LOCALSEND_SERVER (ssync_localsend_server_get_type ())

G_DECLARE_FINAL_TYPE (SsyncLocalsendServer, ssync_localsend_server, SSYNC, LOCALSEND_SERVER,
                      GObject)

/* The largest register or cancel body read; larger ones are refused (413) before they are
 * read. */
#define SSYNC_LOCALSEND_SERVER_MAX_BODY (64 * 1024)
/* A prepare-upload names every file of a session: 10,000 files with LocalSend's metadata
 * take about 4 MiB. */
#define SSYNC_LOCALSEND_SERVER_MAX_PREPARE_BODY (8 * 1024 * 1024)
/* What all prepare-upload bodies held at once may take; past it a sender is told to come
 * back (503), so that strangers cannot make the receiver hold 64 connections × 8 MiB. */
#define SSYNC_LOCALSEND_SERVER_PREPARE_BUDGET (32 * 1024 * 1024)

SsyncLocalsendServer *ssync_localsend_server_new          (GTlsCertificate        *certificate,
                                                           const SsyncLocalsendIdentity *me);
void                  ssync_localsend_server_set_identity (SsyncLocalsendServer   *self,
                                                           const SsyncLocalsendIdentity *me);
gboolean              ssync_localsend_server_listen       (SsyncLocalsendServer   *self,
                                                           guint                   port,
                                                           GError                **error);
void                  ssync_localsend_server_set_header_timeout (SsyncLocalsendServer *self,
                                                                 guint                 seconds);
SsyncLocalsendReceiver *ssync_localsend_server_get_receiver (SsyncLocalsendServer *self);
guint                 ssync_localsend_server_get_port     (SsyncLocalsendServer   *self);
void                  ssync_localsend_server_stop         (SsyncLocalsendServer   *self);

G_END_DECLS
