/* hostile-wire.h: a raw HTTP/1.1 and WebSocket client for the hostile suite. It writes
 * bytes exactly as given, from a chosen loopback source address, and reads what the
 * server answers with a time limit, telling an answer apart from a closed connection and
 * from silence.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What came back instead of a status line. */
#define WIRE_CLOSED   (-1)  /* the server closed (or reset) the connection without answering */
#define WIRE_TIMEOUT  (-2)  /* nothing within the time limit */
#define WIRE_GARBAGE  (-3)  /* bytes that are not an HTTP/1.x status line */

typedef struct {
  GSocket *socket;
  GByteArray *in;    /* read but not consumed yet */
  gboolean eof;      /* the server closed its side (or reset it) */
} WireConn;

typedef struct {
  int status;        /* an HTTP status or one of WIRE_* */
  char *head;        /* status line and headers, NUL-terminated */
  GByteArray *body;  /* as much of the body as arrived (bounded) */
} WireResponse;

WireConn     *wire_connect          (guint               port,
                                     const char         *source_address,
                                     GError            **error);
void          wire_conn_free        (WireConn           *conn);
gsize         wire_send             (WireConn           *conn,
                                     const guint8       *data,
                                     gsize               len,
                                     gboolean            stop_when_answered);
WireResponse *wire_read_response   (WireConn           *conn,
                                     guint               timeout_ms,
                                     gboolean            head_only);
void          wire_response_free    (WireResponse       *response);
char         *wire_response_header  (WireResponse       *response,
                                     const char         *name);
gboolean      wire_wait_closed      (WireConn           *conn,
                                     guint               timeout_ms);
gboolean      wire_fill             (WireConn           *conn,
                                     gsize               wanted,
                                     guint               timeout_ms);

/* WebSocket frames (RFC 6455). */
enum {
  WS_CONT = 0x0,
  WS_TEXT = 0x1,
  WS_BINARY = 0x2,
  WS_CLOSE = 0x8,
  WS_PING = 0x9,
  WS_PONG = 0xA,
};

void          wire_ws_frame         (GByteArray         *out,
                                     gboolean            fin,
                                     guint8              rsv,
                                     guint8              opcode,
                                     gboolean            masked,
                                     const guint8       *payload,
                                     gsize               len,
                                     guint64             declared_len);
gboolean      wire_ws_read_frame    (WireConn           *conn,
                                     guint               timeout_ms,
                                     guint8             *opcode,
                                     gboolean           *fin,
                                     GByteArray         *payload);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireConn, wire_conn_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WireResponse, wire_response_free)

G_END_DECLS
