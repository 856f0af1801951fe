/* ssync-server.h: the embedded HTTP server.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-history.h"
#include "ssync-registry.h"
#include "ssync-transfer.h"
#include "ssync-tus.h"
#include "ssync-ws-hub.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_SERVER (ssync_server_get_type ())

G_DECLARE_FINAL_TYPE (SsyncServer, ssync_server, SSYNC, SERVER, GObject)

SsyncServer   *ssync_server_new              (SsyncRegistry  *registry,
                                              SsyncHistory   *history);
gboolean       ssync_server_listen           (SsyncServer    *self,
                                              const char     *address,
                                              guint           port,
                                              GError        **error);
guint          ssync_server_get_port         (SsyncServer    *self);
guint          ssync_server_get_n_connections (SsyncServer   *self);
SsyncRegistry *ssync_server_get_registry     (SsyncServer    *self);
SsyncHistory  *ssync_server_get_history      (SsyncServer    *self);
double         ssync_server_get_uptime       (SsyncServer    *self);
void           ssync_server_set_max_connections (SsyncServer *self,
                                                 guint        max_connections);
void           ssync_server_set_idle_timeout    (SsyncServer *self,
                                                 guint        seconds);
void           ssync_server_set_header_timeout  (SsyncServer *self,
                                                 guint        seconds);
void           ssync_server_set_upload_expiry   (SsyncServer *self,
                                                 guint        seconds);
void           ssync_server_set_room_grace      (SsyncServer *self,
                                                 guint        seconds);
void           ssync_server_set_max_upload_size (SsyncServer *self,
                                                 guint64      max_size);
guint64        ssync_server_get_max_upload_size (SsyncServer *self);
void           ssync_server_set_upload_gate     (SsyncServer *self,
                                                 SsyncUploadGate gate,
                                                 gpointer     user_data);
void           ssync_server_set_unlock_lifetime (SsyncServer *self,
                                                 guint        seconds);
void           ssync_server_set_owner_token     (SsyncServer *self,
                                                 const char  *token);
void           ssync_server_share_ended         (SsyncServer *self,
                                                 SsyncShare  *share,
                                                 const char  *notice);
void           ssync_server_restore_upload      (SsyncServer *self,
                                                 SsyncShare  *share,
                                                 SsyncUpload *upload,
                                                 const char  *metadata,
                                                 gint64       expires);
void           ssync_server_stop             (SsyncServer    *self);
SsyncWsHub    *ssync_server_get_ws_hub       (SsyncServer    *self);

G_END_DECLS
