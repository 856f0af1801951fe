/* ssync-ws-hub-private.h: what the parts of SsyncWsHub share: ssync-ws-hub.c (the object,
 * its clients and their messages), ssync-ws-hub-socket.c (the handshake and the WebSocket
 * behind a client), ssync-ws-hub-progress.c (transfers followed by pages) and
 * ssync-ws-hub-rtc.c (direct connections asked for by pages).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ssync-ws-hub.h"

G_BEGIN_DECLS

/* A page's own messages fit in a few hundred bytes, but WebRTC signaling carries session
 * descriptions with every candidate inside (a few KiB, more on a machine with many
 * interfaces). */
#define SSYNC_WS_MAX_MESSAGE_SIZE (32 * 1024)

struct _SsyncWsHub
{
  GObject parent_instance;

  SsyncRegistry *registry;
  GPtrArray *clients;    /* Client, open or closing connections */
  GHashTable *watches;   /* SsyncTransfer (weak) → Watch */
  SsyncWsAccessFunc access;
  gpointer access_data;
  guint64 next_client_id;
  SsyncRooms *rooms;
  gboolean rtc_available;
  char *rtc_message;     /* why direct transfers are off, for pages */
};

typedef struct {
  SsyncWsHub *hub;
  SoupWebsocketConnection *conn;  /* NULL for a client without a socket (tests, fuzzing) */
  SsyncRoomsSendFunc send;        /* ...which gets its messages here instead */
  gpointer send_data;
  gboolean closed;                /* such a client was closed */
  char *peer;      /* the page's address, as transfers record theirs */
  char *share_id;  /* NULL until subscribed */
  char *cookie;    /* the handshake's Cookie header: it may unlock a password share */
  char *user_agent;
  guint64 id;      /* names the client to the owner of its direct connection */
  gboolean rtc;    /* asked for a direct connection */
  guint keepalive; /* seconds between pings */
} SsyncWsClient;

char          *ssync_ws_builder_to_text       (JsonBuilder   *builder);

void           ssync_ws_client_send           (SsyncWsClient *client,
                                               const char    *text);
void           ssync_ws_client_send_error     (SsyncWsClient *client,
                                               const char    *message);
SsyncShare    *ssync_ws_client_lookup_share   (SsyncWsClient *client,
                                               JsonObject    *object);
void           ssync_ws_client_handle_message (SsyncWsClient *client,
                                               int            data_type,
                                               const char    *data,
                                               gsize          size);
void           ssync_ws_client_gone           (SsyncWsClient *client);
void           ssync_ws_client_free           (SsyncWsClient *client);

/* ssync-ws-hub-rtc.c */
void           ssync_ws_client_handle_rtc     (SsyncWsClient *client,
                                               const char    *type,
                                               JsonObject    *object);

/* ssync-ws-hub-progress.c: the values of SsyncWsHub.watches. */
typedef struct _SsyncWsWatch SsyncWsWatch;
void           ssync_ws_watch_free            (SsyncWsWatch  *watch);

G_END_DECLS
