/* hostile-wire.c: a raw HTTP/1.1 and WebSocket client for the hostile suite.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "hostile-wire.h"

/* A response body is kept up to this size: enough to look for leaked paths. */
#define MAX_BODY (4 * 1024 * 1024)

/* Connects from @source_address (NULL: any) to 127.0.0.1:@port. */
WireConn *
wire_connect (guint        port,
              const char  *source_address,
              GError     **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) server = g_inet_socket_address_new (loopback, port);
  WireConn *conn;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         error);
  if (socket == NULL)
    return NULL;

  if (source_address != NULL)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (source_address);
      g_autoptr(GSocketAddress) local = g_inet_socket_address_new (inet, 0);

      if (!g_socket_bind (socket, local, FALSE, error))
        return NULL;
    }

  g_socket_set_timeout (socket, 10);
  if (!g_socket_connect (socket, server, NULL, error))
    return NULL;
  g_socket_set_timeout (socket, 0);
  g_socket_set_blocking (socket, FALSE);

  conn = g_new0 (WireConn, 1);
  conn->socket = g_steal_pointer (&socket);
  conn->in = g_byte_array_new ();
  return conn;
}

void
wire_conn_free (WireConn *conn)
{
  g_socket_close (conn->socket, NULL);
  g_object_unref (conn->socket);
  g_byte_array_unref (conn->in);
  g_free (conn);
}

/* Reads what is there, waiting until @deadline (monotonic time) for something. Returns
 * whether bytes arrived; sets @conn->eof when the server closed or reset. */
static gboolean
receive_some (WireConn *conn,
              gint64    deadline)
{
  guint8 buf[65536];

  while (!conn->eof)
    {
      g_autoptr(GError) error = NULL;
      gint64 left = deadline - g_get_monotonic_time ();
      gssize n;

      if (left <= 0)
        return FALSE;
      if (!g_socket_condition_timed_wait (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, left,
                                          NULL, &error))
        return FALSE;

      n = g_socket_receive (conn->socket, (char *) buf, sizeof buf, NULL, &error);
      if (n > 0)
        {
          g_byte_array_append (conn->in, buf, n);
          return TRUE;
        }
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      /* 0 is an orderly close; anything else (a reset) is a close too. */
      conn->eof = TRUE;
    }

  return FALSE;
}

/* Waits until @conn->in holds @wanted bytes; FALSE if the server closed or went quiet. */
gboolean
wire_fill (WireConn *conn,
           gsize     wanted,
           guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  while (conn->in->len < wanted)
    if (!receive_some (conn, deadline))
      return FALSE;
  return TRUE;
}

/* Writes @data; with @stop_when_answered, stops as soon as the server has something to
 * say (a server may answer before it reads a body, and should). Returns the bytes sent. */
gsize
wire_send (WireConn     *conn,
           const guint8 *data,
           gsize         len,
           gboolean      stop_when_answered)
{
  gsize sent = 0;

  while (sent < len)
    {
      g_autoptr(GError) error = NULL;
      GIOCondition ready;
      gssize n;

      if (!g_socket_condition_timed_wait (conn->socket,
                                          G_IO_OUT | (stop_when_answered ? G_IO_IN : 0),
                                          10 * G_USEC_PER_SEC, NULL, NULL))
        break;
      ready = g_socket_condition_check (conn->socket, G_IO_IN | G_IO_OUT | G_IO_HUP | G_IO_ERR);
      if (stop_when_answered && (ready & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        break;

      n = g_socket_send (conn->socket, (const char *) data + sent, MIN (len - sent, 65536), NULL,
                         &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      if (n <= 0)
        break;
      sent += n;
    }

  return sent;
}

static gssize
find (GByteArray *array,
      gsize       from,
      const char *needle)
{
  gsize len = strlen (needle);

  for (gsize i = from; i + len <= array->len; i++)
    if (memcmp (array->data + i, needle, len) == 0)
      return i;
  return -1;
}

void
wire_response_free (WireResponse *response)
{
  g_free (response->head);
  g_byte_array_unref (response->body);
  g_free (response);
}

/* The first value of header @name, or NULL. */
char *
wire_response_header (WireResponse *response,
                      const char   *name)
{
  g_auto(GStrv) lines = g_strsplit (response->head != NULL ? response->head : "", "\r\n", -1);
  gsize len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
      return g_strstrip (g_strdup (lines[i] + len + 1));
  return NULL;
}

static void
consume (WireConn *conn,
         gsize     len)
{
  g_byte_array_remove_range (conn->in, 0, MIN (len, conn->in->len));
}

/* Reads a chunked body from @conn->in into @body. */
static void
read_chunked (WireConn   *conn,
              GByteArray *body,
              gint64      deadline)
{
  while (TRUE)
    {
      gssize eol;
      guint64 size;

      while ((eol = find (conn->in, 0, "\r\n")) < 0)
        if (!receive_some (conn, deadline))
          return;

      size = g_ascii_strtoull ((const char *) conn->in->data, NULL, 16);
      consume (conn, eol + 2);
      if (size == 0)
        {
          /* No trailers from this server: the final CRLF. */
          wire_fill (conn, 2, MAX (0, (deadline - g_get_monotonic_time ()) / 1000));
          consume (conn, 2);
          return;
        }
      if (!wire_fill (conn, size + 2, MAX (0, (deadline - g_get_monotonic_time ()) / 1000)))
        {
          g_byte_array_append (body, conn->in->data, MIN (conn->in->len, MAX_BODY));
          consume (conn, conn->in->len);
          return;
        }
      if (body->len < MAX_BODY)
        g_byte_array_append (body, conn->in->data, size);
      consume (conn, size + 2);
    }
}

/* Reads one response (after any 100 Continue). Its status is WIRE_CLOSED when the server
 * closed without a byte, WIRE_TIMEOUT when it said nothing in time. */
WireResponse *
wire_read_response (WireConn *conn,
                    guint     timeout_ms,
                    gboolean  head_only)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  WireResponse *response = g_new0 (WireResponse, 1);
  g_autofree char *length = NULL;
  g_autofree char *encoding = NULL;
  gssize end;

  response->body = g_byte_array_new ();

  while (TRUE)
    {
      while ((end = find (conn->in, 0, "\r\n\r\n")) < 0)
        if (!receive_some (conn, deadline))
          break;

      if (end < 0)
        {
          if (conn->in->len == 0)
            response->status = conn->eof ? WIRE_CLOSED : WIRE_TIMEOUT;
          else
            {
              response->status = WIRE_GARBAGE;
              response->head = g_strndup ((const char *) conn->in->data, conn->in->len);
            }
          return response;
        }

      g_free (response->head);
      response->head = g_strndup ((const char *) conn->in->data, end);
      consume (conn, end + 4);
      if (!g_str_has_prefix (response->head, "HTTP/1.") || strlen (response->head) < 12)
        {
          response->status = WIRE_GARBAGE;
          return response;
        }
      response->status = g_ascii_strtoull (response->head + 9, NULL, 10);
      if (response->status != 100)
        break;
    }

  if (head_only || response->status == 101 || response->status == 204 ||
      response->status == 304)
    return response;

  length = wire_response_header (response, "Content-Length");
  encoding = wire_response_header (response, "Transfer-Encoding");
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "chunked") == 0)
    read_chunked (conn, response->body, deadline);
  else if (length != NULL)
    {
      guint64 wanted = g_ascii_strtoull (length, NULL, 10);

      wire_fill (conn, MIN (wanted, MAX_BODY), timeout_ms);
      g_byte_array_append (response->body, conn->in->data, MIN (wanted, conn->in->len));
      consume (conn, MIN (wanted, conn->in->len));
    }
  else
    {
      /* Delimited by the end of the connection. */
      while (receive_some (conn, deadline) && conn->in->len < MAX_BODY)
        ;
      g_byte_array_append (response->body, conn->in->data, conn->in->len);
      consume (conn, conn->in->len);
    }

  return response;
}

/* Whether the server closes the connection within @timeout_ms without sending anything
 * more. */
gboolean
wire_wait_closed (WireConn *conn,
                  guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  gboolean quiet = conn->in->len == 0;

  while (!conn->eof && g_get_monotonic_time () < deadline)
    {
      receive_some (conn, deadline);
      quiet = quiet && conn->in->len == 0;
      consume (conn, conn->in->len);
    }
  return conn->eof && quiet;
}

/* Appends one frame to @out: masked as a client must unless told otherwise, announcing
 * @declared_len bytes of payload (normally @len) in the shortest length form. */
void
wire_ws_frame (GByteArray   *out,
               gboolean      fin,
               guint8        rsv,
               guint8        opcode,
               gboolean      masked,
               const guint8 *payload,
               gsize         len,
               guint64       declared_len)
{
  static const guint8 mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
  guint8 header[14];
  gsize n = 0;

  header[n++] = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xf);
  if (declared_len < 126)
    header[n++] = (masked ? 0x80 : 0) | declared_len;
  else if (declared_len <= G_MAXUINT16)
    {
      header[n++] = (masked ? 0x80 : 0) | 126;
      header[n++] = declared_len >> 8;
      header[n++] = declared_len & 0xff;
    }
  else
    {
      header[n++] = (masked ? 0x80 : 0) | 127;
      for (int shift = 56; shift >= 0; shift -= 8)
        header[n++] = (declared_len >> shift) & 0xff;
    }
  if (masked)
    {
      memcpy (header + n, mask, 4);
      n += 4;
    }
  g_byte_array_append (out, header, n);

  n = out->len;
  g_byte_array_set_size (out, n + len);
  for (gsize i = 0; i < len; i++)
    out->data[n + i] = payload[i] ^ (masked ? mask[i % 4] : 0);
}

/* Reads one frame from the server into @payload; FALSE if none came in time. */
gboolean
wire_ws_read_frame (WireConn   *conn,
                    guint       timeout_ms,
                    guint8     *opcode,
                    gboolean   *fin,
                    GByteArray *payload)
{
  guint64 len;
  gsize header = 2;
  gboolean masked;

  if (!wire_fill (conn, 2, timeout_ms))
    return FALSE;
  *fin = (conn->in->data[0] & 0x80) != 0;
  *opcode = conn->in->data[0] & 0xf;
  masked = (conn->in->data[1] & 0x80) != 0;
  len = conn->in->data[1] & 0x7f;
  if (len == 126)
    header += 2;
  else if (len == 127)
    header += 8;
  if (masked)
    header += 4;
  if (!wire_fill (conn, header, timeout_ms))
    return FALSE;
  if (len == 126)
    len = (conn->in->data[2] << 8) | conn->in->data[3];
  else if (len == 127)
    {
      len = 0;
      for (guint i = 0; i < 8; i++)
        len = (len << 8) | conn->in->data[2 + i];
    }
  if (len > MAX_BODY || !wire_fill (conn, header + len, timeout_ms))
    return FALSE;

  g_byte_array_set_size (payload, 0);
  g_byte_array_append (payload, conn->in->data + header, len);
  if (masked)
    for (guint64 i = 0; i < len; i++)
      payload->data[i] ^= conn->in->data[header - 4 + i % 4];
  consume (conn, header + len);
  return TRUE;
}
