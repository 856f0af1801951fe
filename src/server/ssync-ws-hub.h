/* ssync-ws-hub.h: the WebSocket endpoint /ws, live progress for share pages.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-registry.h"
#include "ssync-rooms.h"
#include "ssync-transfer.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_WS_HUB (ssync_ws_hub_get_type ())

G_DECLARE_FINAL_TYPE (SsyncWsHub, ssync_ws_hub, SSYNC, WS_HUB, GObject)

typedef gboolean (*SsyncWsAccessFunc) (SsyncShare *share,
                                       const char *cookie_header,
                                       gpointer    user_data);

void ssync_ws_hub_set_access_func (SsyncWsHub        *self,
                                   SsyncWsAccessFunc  access,
                                   gpointer           user_data);

SsyncWsHub *ssync_ws_hub_new                 (SsyncRegistry *registry);
void        ssync_ws_hub_attach              (SsyncWsHub    *self,
                                              SoupServer    *server);
void        ssync_ws_hub_watch_transfer      (SsyncWsHub    *self,
                                              SsyncShare    *share,
                                              SsyncTransfer *transfer);
void        ssync_ws_hub_notify_share        (SsyncWsHub    *self,
                                              SsyncShare    *share,
                                              const char    *type);
guint       ssync_ws_hub_get_n_connections   (SsyncWsHub    *self);
void        ssync_ws_hub_send                (SsyncWsHub    *self,
                                              guint64        client_id,
                                              const char    *text);
void        ssync_ws_hub_set_rtc_available   (SsyncWsHub    *self,
                                              gboolean       available,
                                              const char    *message);
SsyncRooms *ssync_ws_hub_get_rooms           (SsyncWsHub    *self);

guint64     ssync_ws_hub_add_client          (SsyncWsHub         *self,
                                              const char         *peer,
                                              SsyncRoomsSendFunc  send,
                                              gpointer            user_data);
void        ssync_ws_hub_handle_message      (SsyncWsHub         *self,
                                              guint64             client_id,
                                              gboolean            text,
                                              const char         *data,
                                              gsize               size);
void        ssync_ws_hub_remove_client       (SsyncWsHub         *self,
                                              guint64             client_id);

G_END_DECLS
