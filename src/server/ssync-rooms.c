/* ssync-rooms.c: rooms where browsers find each other and exchange WebRTC signaling.
 *
 * /p2p makes a room with a short code (shown as a link and a QR code); /p2p?room=CODE
 * joins it. The app only relays the
 * peers' offers, answers and candidates ("room-signal") between members of one room: the
 * files go straight from browser to browser over their data channel. Every relayed byte
 * is counted, and /api/p2p shows the counters, so a test can prove that no file byte
 * passed through the app.
 *
 * Creating rooms and joining them are rate-limited per address (codes are short, so
 * guessing them must be slow); a room lives while it has members and for a grace time
 * (ROOM_GRACE seconds unless set) after the last one left (a page that reloads finds it
 * again), then expires.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <qrencode.h>
#include <string.h>

#include "ssync-page-i18n.h"
#include "ssync-rate-limiter.h"
#include "ssync-response.h"
#include "ssync-rooms.h"

/* 8 characters of 32 (no 0/O, 1/I/L): 40 bits, easy to read out and to type. */
#define CODE_LENGTH 8
static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
#define MAX_MEMBERS 8
#define MAX_ROOMS 1000
/* Seconds an empty room is kept, unless set otherwise. */
#define ROOM_GRACE 60

struct _SsyncRooms
{
  GObject parent_instance;

  SsyncRoomsSendFunc send;
  gpointer send_data;
  GHashTable *rooms;        /* code → Room */
  SsyncRateLimiter *creating;
  SsyncRateLimiter *joining;
  guint64 relayed_bytes;
  guint64 relayed_messages;
  guint grace;              /* seconds an empty room is kept */
};

G_DEFINE_FINAL_TYPE (SsyncRooms, ssync_rooms, G_TYPE_OBJECT)

typedef struct {
  SsyncRooms *rooms;
  char *code;
  GArray *members;          /* guint64 client ids */
  guint expiry_id;
} Room;

/* Protocol strings, not translated: the page shows its own words. */
static const char error_unknown_room[] = "Unknown or expired room";
static const char error_full[] = "This room is full";
static const char error_too_many[] = "Too many rooms: wait a moment, then try again";
static const char error_not_member[] = "Join a room first";
static const char error_no_peer[] = "No such peer in this room";
static const char error_malformed[] = "Malformed message";

static void
room_free (Room *room)
{
  g_clear_handle_id (&room->expiry_id, g_source_remove);
  g_array_unref (room->members);
  g_free (room->code);
  g_free (room);
}

static void
ssync_rooms_dispose (GObject *object)
{
  SsyncRooms *self = SSYNC_ROOMS (object);

  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_object (&self->creating);
  g_clear_object (&self->joining);

  G_OBJECT_CLASS (ssync_rooms_parent_class)->dispose (object);
}

static void
ssync_rooms_class_init (SsyncRoomsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_rooms_dispose;
}

static void
ssync_rooms_init (SsyncRooms *self)
{
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) room_free);
  /* Ten rooms at once, then one every six seconds, per address. */
  self->creating = ssync_rate_limiter_new (10, 1.0 / 6);
  /* Thirty joins at once, then one a second: a person retypes a code, a script cannot
   * walk through 2^40 of them. */
  self->joining = ssync_rate_limiter_new (30, 1);
  self->grace = ROOM_GRACE;
}

SsyncRooms *
ssync_rooms_new (SsyncRoomsSendFunc send,
                 gpointer           user_data)
{
  SsyncRooms *self = g_object_new (SSYNC_TYPE_ROOMS, NULL);

  self->send = send;
  self->send_data = user_data;
  return self;
}

/* Seconds an empty room is kept for its members to come back (a page that reloads);
 * 0 drops it at the next main loop iteration. Applies to rooms that empty from now on. */
void
ssync_rooms_set_grace (SsyncRooms *self,
                       guint       seconds)
{
  g_return_if_fail (SSYNC_IS_ROOMS (self));

  self->grace = MIN (seconds, 86400);
}

static void
send_object (SsyncRooms *self,
             guint64     client_id,
             JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  self->send (client_id, text, self->send_data);
}

static void
send_error (SsyncRooms *self,
            guint64     client_id,
            const char *message)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "type", "error");
  json_object_set_string_member (object, "message", message);
  send_object (self, client_id, object);
}

static char *
peer_name (guint64 client_id)
{
  return g_strdup_printf ("p%" G_GUINT64_FORMAT, client_id);
}

static gboolean
room_has (Room    *room,
          guint64  client_id)
{
  for (guint i = 0; i < room->members->len; i++)
    if (g_array_index (room->members, guint64, i) == client_id)
      return TRUE;
  return FALSE;
}

static Room *
room_of (SsyncRooms *self,
         guint64     client_id)
{
  GHashTableIter iter;
  Room *room;

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    if (room_has (room, client_id))
      return room;
  return NULL;
}

/* Tells every member but @except about @type ("room-peer-joined", "room-peer-left"). */
static void
room_tell (Room       *room,
           guint64     except,
           const char *type,
           guint64     about)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *name = peer_name (about);

  json_object_set_string_member (object, "type", type);
  json_object_set_string_member (object, "peer", name);
  for (guint i = 0; i < room->members->len; i++)
    {
      guint64 member = g_array_index (room->members, guint64, i);

      if (member != except)
        send_object (room->rooms, member, object);
    }
}

static gboolean
on_room_expired (gpointer user_data)
{
  Room *room = user_data;

  room->expiry_id = 0;
  /* Frees @room. */
  g_hash_table_remove (room->rooms->rooms, room->code);
  return G_SOURCE_REMOVE;
}

static void
leave (SsyncRooms *self,
       guint64     client_id)
{
  Room *room = room_of (self, client_id);

  if (room == NULL)
    return;

  for (guint i = 0; i < room->members->len; i++)
    if (g_array_index (room->members, guint64, i) == client_id)
      {
        g_array_remove_index_fast (room->members, i);
        break;
      }
  room_tell (room, client_id, "room-peer-left", client_id);
  if (room->members->len == 0)
    room->expiry_id = g_timeout_add_seconds (self->grace, on_room_expired, room);
}

static void
join (SsyncRooms *self,
      Room       *room,
      guint64     client_id)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonArray) peers = json_array_new ();
  g_autofree char *you = peer_name (client_id);

  leave (self, client_id);
  g_clear_handle_id (&room->expiry_id, g_source_remove);

  for (guint i = 0; i < room->members->len; i++)
    {
      g_autofree char *name = peer_name (g_array_index (room->members, guint64, i));

      json_array_add_string_element (peers, name);
    }
  room_tell (room, client_id, "room-peer-joined", client_id);
  g_array_append_val (room->members, client_id);

  json_object_set_string_member (object, "type", "room-joined");
  json_object_set_string_member (object, "room", room->code);
  json_object_set_string_member (object, "you", you);
  json_object_set_array_member (object, "peers", g_steal_pointer (&peers));
  send_object (self, client_id, object);
}

static char *
new_code (void)
{
  guint8 random[CODE_LENGTH];
  char *code = g_malloc (CODE_LENGTH + 1);

  gnutls_rnd (GNUTLS_RND_NONCE, random, sizeof random);
  for (guint i = 0; i < CODE_LENGTH; i++)
    code[i] = code_alphabet[random[i] % (sizeof code_alphabet - 1)];
  code[CODE_LENGTH] = '\0';
  return code;
}

static void
handle_create (SsyncRooms *self,
               guint64     client_id,
               const char *address)
{
  Room *room;
  g_autofree char *code = NULL;

  if (g_hash_table_size (self->rooms) >= MAX_ROOMS ||
      !ssync_rate_limiter_take (self->creating, address, NULL))
    {
      send_error (self, client_id, error_too_many);
      return;
    }

  do
    {
      g_free (code);
      code = new_code ();
    }
  while (g_hash_table_contains (self->rooms, code));

  room = g_new0 (Room, 1);
  room->rooms = self;
  room->code = g_steal_pointer (&code);
  room->members = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_hash_table_insert (self->rooms, room->code, room);
  join (self, room, client_id);
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
handle_join (SsyncRooms *self,
             guint64     client_id,
             const char *address,
             JsonObject *message)
{
  const char *code = get_string (message, "room");
  g_autofree char *upper = code != NULL ? g_ascii_strup (code, -1) : NULL;
  Room *room;

  if (!ssync_rate_limiter_take (self->joining, address, NULL))
    {
      send_error (self, client_id, error_too_many);
      return;
    }
  room = upper != NULL ? g_hash_table_lookup (self->rooms, upper) : NULL;
  if (room == NULL)
    send_error (self, client_id, error_unknown_room);
  else if (room_has (room, client_id))
    join (self, room, client_id);
  else if (room->members->len >= MAX_MEMBERS)
    send_error (self, client_id, error_full);
  else
    join (self, room, client_id);
}

/* Relays {"type":"room-signal","to":PEER,"data":{...}} as
 * {"type":"room-signal","from":PEER,"data":{...}} within one room. */
static void
handle_signal (SsyncRooms *self,
               guint64     client_id,
               JsonObject *message)
{
  Room *room = room_of (self, client_id);
  const char *to = get_string (message, "to");
  JsonNode *data = json_object_get_member (message, "data");
  g_autoptr(JsonObject) relayed = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *from = NULL;
  g_autofree char *text = NULL;
  guint64 target;

  if (room == NULL)
    {
      send_error (self, client_id, error_not_member);
      return;
    }
  if (to == NULL || data == NULL || !JSON_NODE_HOLDS_OBJECT (data) || to[0] != 'p' ||
      !g_ascii_string_to_unsigned (to + 1, 10, 1, G_MAXUINT64, &target, NULL))
    {
      send_error (self, client_id, error_malformed);
      return;
    }
  if (target == client_id || !room_has (room, target))
    {
      send_error (self, client_id, error_no_peer);
      return;
    }

  from = peer_name (client_id);
  relayed = json_object_new ();
  json_object_set_string_member (relayed, "type", "room-signal");
  json_object_set_string_member (relayed, "from", from);
  json_object_set_member (relayed, "data", json_node_copy (data));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, relayed);
  text = json_to_string (node, FALSE);
  self->relayed_bytes += strlen (text);
  self->relayed_messages++;
  self->send (target, text, self->send_data);
}

/* A "room-*" message from a WebSocket client at @address. */
void
ssync_rooms_handle (SsyncRooms *self,
                    guint64     client_id,
                    const char *address,
                    const char *type,
                    JsonObject *message)
{
  g_return_if_fail (SSYNC_IS_ROOMS (self));

  if (g_str_equal (type, "room-create"))
    handle_create (self, client_id, address);
  else if (g_str_equal (type, "room-join"))
    handle_join (self, client_id, address, message);
  else if (g_str_equal (type, "room-signal"))
    handle_signal (self, client_id, message);
  else if (g_str_equal (type, "room-leave"))
    leave (self, client_id);
  else
    send_error (self, client_id, "Unknown message type");
}

/* The client's WebSocket closed: it leaves its room. */
void
ssync_rooms_client_gone (SsyncRooms *self,
                         guint64     client_id)
{
  g_return_if_fail (SSYNC_IS_ROOMS (self));

  leave (self, client_id);
}

guint
ssync_rooms_get_n_rooms (SsyncRooms *self)
{
  return g_hash_table_size (self->rooms);
}

/* Bytes of signaling relayed between browsers since the start. */
guint64
ssync_rooms_get_relayed_bytes (SsyncRooms *self)
{
  return self->relayed_bytes;
}

/* The room pages only answer GET and HEAD; anything else gets 405 (the server's early
 * handler already refuses them, this keeps the rooms right on their own). */
static gboolean
method_is_get (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                "GET, HEAD");
  ssync_response_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                       _("This address only answers GET and HEAD"));
  return FALSE;
}

static void
handle_page (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  if (soup_server_message_get_status (msg) != 0 || !method_is_get (msg))
    return;
  g_autoptr(GBytes) html = NULL;
  g_autoptr(GBytes) page = NULL;
  SoupMessageHeaders *headers;

  if (strcmp (path, "/p2p") != 0)
    {
      ssync_response_not_found (msg);
      return;
    }

  /* The page's words come from p2p.js, in the language the request asks for. */
  html = g_resources_lookup_data ("/io/github/sharesync/web/p2p.html",
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_return_if_fail (html != NULL);
  page = ssync_page_localize (html, ssync_page_locale_for_request (msg));
  ssync_response_set_common_headers (msg);
  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_append (headers, "Vary", "Accept-Language");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (page, NULL), g_bytes_get_size (page));
}

/* The room's link as a QR code (SVG), for a phone to scan: /api/p2p/qr.svg?room=CODE. The
 * link is built from the address the page used, which is one the phone can reach too. */
static void
handle_qr (SsyncRooms        *self,
           SoupServerMessage *msg,
           GHashTable        *query)
{
  const char *code = query != NULL ? g_hash_table_lookup (query, "room") : NULL;
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GString) svg = g_string_new (NULL);
  g_autofree char *link = NULL;
  g_autofree char *host = NULL;
  QRcode *qr;
  int port;
  guint retry_after;

  /* A QR code for a room tells whether the room exists: probing codes here costs the same
   * as joining. */
  if (!ssync_rate_limiter_take (self->joining, soup_server_message_get_remote_host (msg),
                                &retry_after))
    {
      g_autofree char *seconds = g_strdup_printf ("%u", retry_after);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", seconds);
      ssync_response_text (msg, 429 /* Too Many Requests */,
                           _("Too many requests; try again in a moment"));
      return;
    }

  if (code == NULL || !g_hash_table_contains (self->rooms, code) || uri == NULL)
    {
      ssync_response_not_found (msg);
      return;
    }

  port = g_uri_get_port (uri);
  host = strchr (g_uri_get_host (uri), ':') != NULL
         ? g_strdup_printf ("[%s]", g_uri_get_host (uri)) : g_strdup (g_uri_get_host (uri));
  link = port > 0 ? g_strdup_printf ("http://%s:%d/p2p?room=%s", host, port, code)
                  : g_strdup_printf ("http://%s/p2p?room=%s", host, code);
  qr = QRcode_encodeString8bit (link, 0, QR_ECLEVEL_M);
  if (qr == NULL)
    {
      ssync_response_not_found (msg);
      return;
    }

  /* A quiet zone of four modules around the code, as scanners expect. */
  g_string_append_printf (svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                          "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
                          "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>"
                          "<path fill=\"#000\" d=\"", qr->width + 8, qr->width + 8);
  for (int y = 0; y < qr->width; y++)
    for (int x = 0; x < qr->width; x++)
      if (qr->data[y * qr->width + x] & 1)
        g_string_append_printf (svg, "M%d %dh1v1h-1z", x + 4, y + 4);
  g_string_append (svg, "\"/></svg>");
  QRcode_free (qr);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "image/svg+xml", SOUP_MEMORY_COPY, svg->str,
                                    svg->len);
}

static void
handle_stats (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  SsyncRooms *self = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  GHashTableIter iter;
  Room *room;
  guint members = 0;

  if (soup_server_message_get_status (msg) != 0 || !method_is_get (msg))
    return;
  if (strcmp (path, "/api/p2p/qr.svg") == 0)
    {
      handle_qr (self, msg, query);
      return;
    }
  if (strcmp (path, "/api/p2p") != 0)
    {
      ssync_response_not_found (msg);
      return;
    }

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    members += room->members->len;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rooms");
  json_builder_add_int_value (builder, g_hash_table_size (self->rooms));
  json_builder_set_member_name (builder, "peers");
  json_builder_add_int_value (builder, members);
  json_builder_set_member_name (builder, "relayed_messages");
  json_builder_add_int_value (builder, self->relayed_messages);
  json_builder_set_member_name (builder, "relayed_bytes");
  json_builder_add_int_value (builder, self->relayed_bytes);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  ssync_response_json (msg, SOUP_STATUS_OK, root);
}

/* Serves the room page at /p2p, the relay counters at /api/p2p and a room's QR code at
 * /api/p2p/qr.svg. */
void
ssync_rooms_attach (SsyncRooms *self,
                    SoupServer *server)
{
  g_return_if_fail (SSYNC_IS_ROOMS (self));

  soup_server_add_handler (server, "/p2p", handle_page, NULL, NULL);
  soup_server_add_handler (server, "/api/p2p", handle_stats, g_object_ref (self),
                           g_object_unref);
}
