/* ssync-rooms.h: signaling rooms for browser-to-browser transfers (/p2p).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_ROOMS (ssync_rooms_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRooms, ssync_rooms, SSYNC, ROOMS, GObject)

typedef void (*SsyncRoomsSendFunc) (guint64     client_id,
                                    const char *text,
                                    gpointer    user_data);

SsyncRooms *ssync_rooms_new                 (SsyncRoomsSendFunc  send,
                                             gpointer            user_data);
void        ssync_rooms_set_grace           (SsyncRooms         *self,
                                             guint               seconds);
void        ssync_rooms_attach              (SsyncRooms         *self,
                                             SoupServer         *server);
void        ssync_rooms_handle              (SsyncRooms         *self,
                                             guint64             client_id,
                                             const char         *address,
                                             const char         *type,
                                             JsonObject         *message);
void        ssync_rooms_client_gone         (SsyncRooms         *self,
                                             guint64             client_id);
guint       ssync_rooms_get_n_rooms         (SsyncRooms         *self);
guint64     ssync_rooms_get_relayed_bytes   (SsyncRooms         *self);

G_END_DECLS
