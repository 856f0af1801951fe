/* test-http-limits.c: what a hostile client on the LAN may send, against the real headless
 * server (and, for unlock lifetimes, an in-process one): oversized bodies, methods a route
 * does not allow, WebSocket messages sent in fragments, room codes probed through QR codes,
 * foreign Host names, overlong URIs, password attempts across shares, unlock cookies, and who may read the
 * history database. Raw sockets where libsoup's client would not send what an attacker does.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "ssync-password.h"
#include "ssync-registry.h"
#include "ssync-server.h"
#include "ssync-share.h"
#include "ssync-test-server.h"

/* How much the server's RSS may grow while a client pushes tens of MiB at it. */
#define RSS_SLACK_KIB (6 * 1024)

typedef struct {
  SsyncTestServer server;
  char *send;      /* /s/TOKEN */
  char *receive;   /* /r/TOKEN */
  guint port;
} Fixture;

static void
start (Fixture            *fixture,
       const char * const *extra)
{
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *file = ssync_test_write_random (fixture->server.dir, "files/notes.txt", 100);
  g_autofree char *inbox = g_build_filename (fixture->server.dir, "inbox", NULL);

  g_assert_no_errno (g_mkdir_with_parents (inbox, 0700));
  if (extra != NULL)
    g_strv_builder_addv (args, (const char **) extra);
  g_strv_builder_add_many (args, "--receive", inbox, file, NULL);
  argv = g_strv_builder_end (args);

  ssync_test_server_start (&fixture->server, NULL, (const char * const *) argv);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) share = ssync_test_server_read_event (&fixture->server, "share");
      const char *url = json_object_get_string_member (share, "url") +
                        strlen (fixture->server.base);

      if (g_str_has_prefix (url, "/s/"))
        fixture->send = g_strdup (url);
      else
        fixture->receive = g_strdup (url);
    }
  fixture->port = g_ascii_strtoull (strrchr (fixture->server.base, ':') + 1, NULL, 10);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server.dir = g_dir_make_tmp ("ssync-limits-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *dir = g_strdup (fixture->server.dir);

  if (fixture->server.proc != NULL)
    g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
  ssync_test_remove_tree (dir);
  g_free (fixture->server.dir);
  g_free (fixture->send);
  g_free (fixture->receive);
}

static guint64
server_rss_kib (Fixture *fixture)
{
  const char *pid = g_subprocess_get_identifier (fixture->server.proc);
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static int
raw_connect (Fixture *fixture)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;
  int fd;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", fixture->port, NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (conn);
  /* The file descriptor outlives the connection object, and blocks (GSocket's do not). */
  fd = dup (g_socket_get_fd (socket));
  g_assert_cmpint (fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK), ==, 0);
  return fd;
}

static void
send_all (int         fd,
          const void *data,
          gsize       size)
{
  const char *p = data;

  while (size > 0)
    {
      gssize n = send (fd, p, size, MSG_NOSIGNAL);

      g_assert_cmpint (n, >, 0);
      p += n;
      size -= n;
    }
}

/* Sends @head, then up to @body_size zero bytes (in @chunk-sized pieces, each optionally
 * wrapped by @frame) while watching for an answer; returns what the server answered within
 * ten seconds, and in @sent how many body bytes went out before it. */
static GString *
push_until_answer (int         fd,
                   const char *head,
                   gsize       body_size,
                   gsize      *sent)
{
  g_autofree char *zeros = g_malloc0 (64 * 1024);
  GString *answer = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  send_all (fd, head, strlen (head));
  *sent = 0;
  while (g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { fd, POLLIN | (*sent < body_size ? POLLOUT : 0), 0 };

      g_assert_cmpint (poll (&pfd, 1, 100), >=, 0);
      if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
        {
          char buf[4096];
          gssize n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);

          if (n <= 0)
            break;
          g_string_append_len (answer, buf, n);
          if (strstr (answer->str, "\r\n\r\n") != NULL)
            break;
        }
      else if (pfd.revents & POLLOUT)
        {
          gssize n = send (fd, zeros, MIN (64 * 1024, body_size - *sent),
                           MSG_NOSIGNAL | MSG_DONTWAIT);

          if (n < 0)
            break;
          *sent += n;
        }
    }
  return answer;
}

static void
assert_refused (Fixture    *fixture,
                const char *head,
                guint       status,
                const char *allow)
{
  int fd = raw_connect (fixture);
  guint64 before = server_rss_kib (fixture);
  gsize sent;
  g_autoptr(GString) answer = push_until_answer (fd, head, 48 * 1024 * 1024, &sent);
  g_autofree char *status_line = g_strdup_printf ("HTTP/1.1 %u ", status);

  g_test_message ("%.40s... answered after %zu body bytes: %.40s", head, sent, answer->str);
  g_assert_true (g_str_has_prefix (answer->str, status_line));
  g_assert_nonnull (strstr (answer->str, "\r\nConnection: close\r\n"));
  if (allow != NULL)
    {
      g_autofree char *header = g_strdup_printf ("\r\nAllow: %s\r\n", allow);

      g_assert_nonnull (strstr (answer->str, header));
    }
  /* Nothing near the 48 MiB was taken in. */
  g_assert_cmpuint (server_rss_kib (fixture), <, before + RSS_SLACK_KIB);
  close (fd);
}

static void
test_bodies (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *unlock = NULL;
  g_autofree char *head = NULL;

  start (fixture, NULL);
  unlock = g_strconcat (fixture->send, "/unlock", NULL);

  /* A method the route does not take: 405 before the body. */
  assert_refused (fixture, "POST /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Length: 50331648\r\n\r\n", 405, "GET, HEAD");
  /* A route that takes a body, but not that much of one. */
  head = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "Content-Length: 50331648\r\n\r\n", unlock);
  assert_refused (fixture, head, 413, NULL);
  g_clear_pointer (&head, g_free);
  /* The same sent in chunks, with no length announced: stopped past 64 KiB. */
  head = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n4000000\r\n", unlock);
  assert_refused (fixture, head, 413, NULL);
  g_clear_pointer (&head, g_free);
  /* An upload to a receive link that does not exist: 404 before the body, which would
   * otherwise be read into memory to be answered. */
  assert_refused (fixture, "PATCH /r/AAAAAAAAAAAAAAAAAAAAAA/uploads/x HTTP/1.1\r\n"
                           "Host: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                           "Content-Type: application/offset+octet-stream\r\n"
                           "Content-Length: 50331648\r\n\r\n", 404, NULL);
  /* A length that does not fit 64 bits. */
  assert_refused (fixture, "POST /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Length: 18446744073709551615\r\n\r\n", 405, "GET, HEAD");

  /* The server still answers. */
  {
    int fd = raw_connect (fixture);
    gsize sent;
    g_autoptr(GString) answer = push_until_answer (fd, "GET /api/health HTTP/1.1\r\n"
                                                       "Host: 127.0.0.1\r\n\r\n", 0, &sent);

    g_assert_true (g_str_has_prefix (answer->str, "HTTP/1.1 200 "));
    close (fd);
  }
}

/* Reads one WebSocket frame header and payload from the server (not masked); returns its
 * opcode, or -1 when the connection ended. */
static int
read_frame (int      fd,
            GString *payload)
{
  guint8 head[10];
  guint64 length;
  gsize got = 0;
  struct pollfd pfd = { fd, POLLIN, 0 };

  g_string_truncate (payload, 0);
  while (got < 2)
    {
      gssize n;

      if (poll (&pfd, 1, 10000) <= 0 || (n = recv (fd, head + got, 2 - got, 0)) <= 0)
        return -1;
      got += n;
    }
  length = head[1] & 0x7f;
  if (length >= 126)
    {
      guint extra = length == 126 ? 2 : 8;

      got = 0;
      while (got < extra)
        {
          gssize n = recv (fd, head + 2 + got, extra - got, 0);

          if (n <= 0)
            return -1;
          got += n;
        }
      length = 0;
      for (guint i = 0; i < extra; i++)
        length = (length << 8) | head[2 + i];
    }
  while (payload->len < length)
    {
      char buf[4096];
      gssize n = recv (fd, buf, MIN (sizeof buf, length - payload->len), 0);

      if (n <= 0)
        return -1;
      g_string_append_len (payload, buf, n);
    }
  return head[0] & 0x0f;
}

static void
test_websocket_fragments (Fixture       *fixture,
                          gconstpointer  data)
{
  const gsize fragment = 30000;
  const gsize total = 32 * 1024 * 1024;
  g_autofree guint8 *frame = g_malloc0 (fragment + 8);
  g_autoptr(GString) handshake = g_string_new (NULL);
  g_autoptr(GString) payload = g_string_new (NULL);
  const char *upgrade = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n";
  guint64 before;
  gsize sent = 0;
  int fd, opcode;

  start (fixture, NULL);
  fd = raw_connect (fixture);
  send_all (fd, upgrade, strlen (upgrade));
  while (strstr (handshake->str, "\r\n\r\n") == NULL)
    {
      char c;

      g_assert_cmpint (recv (fd, &c, 1, 0), ==, 1);
      g_string_append_c (handshake, c);
    }
  g_assert_true (g_str_has_prefix (handshake->str, "HTTP/1.1 101 "));
  before = server_rss_kib (fixture);

  /* Masked frames with a zero mask, so the payload goes as it is: a text frame that does not
   * end the message, then continuations; the server must stop this long before 32 MiB. */
  frame[1] = 0x80 | 126;
  frame[2] = fragment >> 8;
  frame[3] = fragment & 0xff;
  while (sent < total)
    {
      struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };

      frame[0] = sent == 0 ? 0x01 : 0x00;
      memset (frame + 8, 'a', fragment);
      g_assert_cmpint (poll (&pfd, 1, 10000), >, 0);
      if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
        break;
      if (send (fd, frame, fragment + 8, MSG_NOSIGNAL) != (gssize) (fragment + 8))
        break;
      sent += fragment;
    }
  g_test_message ("server answered after %zu bytes of fragments", sent);
  g_assert_cmpuint (sent, <, total);

  opcode = read_frame (fd, payload);
  g_assert_cmpint (opcode, ==, 8);
  g_assert_cmpuint (payload->len, >=, 2);
  g_assert_cmpuint (((guint8) payload->str[0] << 8) | (guint8) payload->str[1], ==,
                    SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpuint (server_rss_kib (fixture), <, before + RSS_SLACK_KIB);
  close (fd);
}

static guint
status_of (Fixture    *fixture,
           const char *method,
           const char *path,
           const char *host,
           char      **out_answer)
{
  int fd = raw_connect (fixture);
  g_autofree char *request = NULL;
  g_autoptr(GString) answer = NULL;
  gsize sent;
  guint status;

  if (host != NULL)
    request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                               method, path, host);
  else
    request = g_strdup_printf ("%s %s HTTP/1.0\r\n\r\n", method, path);
  answer = push_until_answer (fd, request, 0, &sent);
  close (fd);
  g_assert_true (g_str_has_prefix (answer->str, "HTTP/1."));
  status = g_ascii_strtoull (answer->str + strlen ("HTTP/1.1 "), NULL, 10);
  if (out_answer != NULL)
    *out_answer = g_strdup (answer->str);
  return status;
}

static void
test_rooms (Fixture       *fixture,
            gconstpointer  data)
{
  guint limited = 0;

  start (fixture, NULL);

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/p2p/qr.svg?room=ABCD%04u", i);
      g_autofree char *answer = NULL;
      guint status = status_of (fixture, "GET", path, "127.0.0.1", &answer);

      if (status == 429)
        {
          limited++;
          g_assert_nonnull (strstr (answer, "\r\nRetry-After: "));
        }
      else
        g_assert_cmpuint (status, ==, 404);
    }
  /* Thirty at once, like joins. */
  g_assert_cmpuint (limited, >=, 9);

  {
    g_autofree char *answer = NULL;

    g_assert_cmpuint (status_of (fixture, "POST", "/p2p", "127.0.0.1", &answer), ==, 405);
    g_assert_nonnull (strstr (answer, "\r\nAllow: GET, HEAD\r\n"));
  }
  {
    g_autofree char *answer = NULL;

    g_assert_cmpuint (status_of (fixture, "DELETE", "/api/p2p", "127.0.0.1", &answer), ==, 405);
    g_assert_nonnull (strstr (answer, "\r\nAllow: GET, HEAD\r\n"));
  }
  g_assert_cmpuint (status_of (fixture, "GET", "/p2p", "127.0.0.1", NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/p2p", "127.0.0.1", NULL), ==, 200);
}

static void
test_host (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *local = NULL;
  g_autofree char *own = g_strdup_printf ("%s.local", g_get_host_name ());
  const char *refused[] = {
    "evil.example", "evil.example:80", "127.0.0.1.evil.example", "localhost.evil.example",
    "127.0.0.1, evil.example",
  };
  /* libsoup itself refuses these with 400 before any handler runs. */
  const char *malformed[] = { "[evil]", "", "a/b", "127.0.0.1:abc", "[::1]x", "127.0.0.1:80:80" };
  const char *paths[] = { "/api/health", "/ws", "/p2p", "/api/p2p", "/", "/s/x" };

  start (fixture, NULL);
  local = g_strdup_printf ("localhost:%u", fixture->port);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    for (guint j = 0; j < G_N_ELEMENTS (paths); j++)
      {
        g_autofree char *answer = NULL;

        g_test_message ("Host: %s, %s", refused[i], paths[j]);
        g_assert_cmpuint (status_of (fixture, "GET", paths[j], refused[i], &answer), ==, 421);
        g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 421 Misdirected Request\r\n"));
      }

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      guint status = status_of (fixture, "GET", "/api/health", malformed[i], NULL);

      g_test_message ("Host: %s", malformed[i]);
      g_assert_true (status == 400 || status == 421);
    }

  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", "127.0.0.1", NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", "localhost", NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", "LocalHost", NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", local, NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", "[::1]:80", NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", "192.168.1.20", NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", g_get_host_name (), NULL), ==,
                    200);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", own, NULL), ==, 200);
  /* HTTP/1.0 may leave Host out. */
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", NULL, NULL), ==, 200);
}

/* A request URI past 16 KiB is refused with 414 (libsoup 3.6 would hand any length to the
 * routes), its path or its query; a file path of PATH_MAX bytes, every byte
 * percent-encoded, still reaches the routes. */
static void
test_uri_length (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *padding = g_strnfill (20 * 1024, 'a');
  g_autoptr(GString) deep = NULL;
  g_autofree char *long_path = NULL;
  g_autofree char *long_query = NULL;
  g_autofree char *answer = NULL;

  start (fixture, NULL);
  long_path = g_strdup_printf ("%s/%s", fixture->send, padding);
  long_query = g_strdup_printf ("/api/health?q=%s", padding);
  deep = g_string_new (fixture->send);
  g_string_append_c (deep, '/');
  for (guint i = 0; i < 4096 / 3; i++)
    g_string_append (deep, "%E6%97%A5");

  g_assert_cmpuint (status_of (fixture, "GET", long_path, "127.0.0.1", &answer), ==, 414);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 414 URI Too Long\r\n"));
  g_assert_cmpuint (status_of (fixture, "GET", long_query, "127.0.0.1", NULL), ==, 414);
  g_assert_cmpuint (status_of (fixture, "GET", deep->str, "127.0.0.1", NULL), ==, 404);
  g_assert_cmpuint (status_of (fixture, "GET", "/api/health", "127.0.0.1", NULL), ==, 200);
}

/* POSTs a password to @page/unlock; returns the status, and the Set-Cookie header. */
static guint
post_password (Fixture     *fixture,
               const char  *page,
               const char  *password,
               char       **out_cookie)
{
  int fd = raw_connect (fixture);
  g_autofree char *form = g_strconcat ("password=", password, NULL);
  g_autofree char *request = g_strdup_printf ("POST %s/unlock HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Connection: close\r\n"
                                              "Content-Type: application/x-www-form-urlencoded\r\n"
                                              "Content-Length: %zu\r\n\r\n%s", page,
                                              strlen (form), form);
  g_autoptr(GString) answer = NULL;
  const char *cookie;
  gsize sent;

  answer = push_until_answer (fd, request, 0, &sent);
  close (fd);
  cookie = strstr (answer->str, "\r\nSet-Cookie: ");
  if (out_cookie != NULL)
    *out_cookie = cookie != NULL ? g_strndup (cookie + 14, strstr (cookie + 2, "\r\n") -
                                                             (cookie + 14))
                                 : NULL;
  return g_ascii_strtoull (answer->str + strlen ("HTTP/1.1 "), NULL, 10);
}

static void
test_password_budget (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *args[] = { "--password", "secret", NULL };
  g_autofree char *cookie = NULL;

  start (fixture, args);

  /* Five wrong guesses on the send share use up its attempts... */
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (post_password (fixture, fixture->send, "guess", NULL), ==, 303);
  g_assert_cmpuint (post_password (fixture, fixture->send, "guess", NULL), ==, 429);

  /* ...not those of the receive share, whose correct password gives back nothing on the
   * send share. */
  g_assert_cmpuint (post_password (fixture, fixture->receive, "secret", &cookie), ==, 303);
  g_assert_nonnull (cookie);
  g_assert_nonnull (strstr (cookie, "; Max-Age=43200"));
  g_assert_nonnull (strstr (cookie, "; HttpOnly"));
  g_assert_nonnull (strstr (cookie, "; SameSite=Strict"));
  g_assert_cmpuint (post_password (fixture, fixture->send, "secret", NULL), ==, 429);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GBytes **body = user_data;

  *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  if (*body == NULL)
    *body = g_bytes_new (NULL, 0);
}

/* A request to the in-process @server, running its main loop meanwhile. */
static guint
local_request (SoupSession *session,
               SsyncServer *server,
               const char  *method,
               const char  *path,
               const char  *cookie,
               const char  *form,
               char       **out_cookie)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s",
                                          ssync_server_get_port (server), path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (cookie != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", cookie);
  if (form != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &body);
  while (body == NULL)
    g_main_context_iteration (NULL, TRUE);

  if (out_cookie != NULL)
    {
      const char *set = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                      "Set-Cookie");

      *out_cookie = set != NULL ? g_strndup (set, strcspn (set, ";")) : NULL;
    }
  return soup_message_get_status (msg);
}

static void
test_unlock_lifetime (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SsyncRegistry) registry = ssync_registry_new ();
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->server.dir);
  g_autoptr(SsyncShare) share = ssync_share_new_receive (folder, NULL);
  g_autoptr(SsyncServer) server = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = ssync_password_hash ("secret", &error);
  g_autofree char *other = ssync_password_hash ("changed", &error);
  g_autofree char *page = g_strconcat ("/r/", ssync_share_get_token (share), NULL);
  g_autofree char *cookie = NULL;
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  ssync_share_set_password_hash (share, hash);
  ssync_registry_add (registry, share);
  server = ssync_server_new (registry, NULL);
  g_assert_true (ssync_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  /* A new password ends the unlocks made with the old one. */
  g_assert_cmpuint (local_request (session, server, "GET", page, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (local_request (session, server, "POST", "/dummy", NULL, NULL, NULL), ==, 405);
  {
    g_autofree char *unlock = g_strconcat (page, "/unlock", NULL);

    g_assert_cmpuint (local_request (session, server, "POST", unlock, NULL, "password=secret",
                                     &cookie), ==, 303);
    g_assert_nonnull (cookie);
    g_assert_cmpuint (local_request (session, server, "GET", page, cookie, NULL, NULL), ==, 200);
    ssync_share_set_password_hash (share, other);
    g_assert_cmpuint (local_request (session, server, "GET", page, cookie, NULL, NULL), ==, 401);

    /* And an unlock lasts only its lifetime (12 hours; one second here). */
    ssync_server_set_unlock_lifetime (server, 1);
    g_assert_cmpuint (local_request (session, server, "POST", unlock, NULL, "password=changed",
                                     &second), ==, 303);
    g_assert_nonnull (second);
    g_assert_cmpuint (local_request (session, server, "GET", page, second, NULL, NULL), ==, 200);
    ssync_test_wait_for (1500);
    g_assert_cmpuint (local_request (session, server, "GET", page, second, NULL, NULL), ==, 401);
  }

  ssync_server_stop (server);
}

static void
assert_mode (const char *path,
             guint       mode)
{
  struct stat st;

  g_test_message ("%s", path);
  g_assert_no_errno (g_stat (path, &st));
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static void
test_storage_modes (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (fixture->server.dir, "data", NULL);
  g_autofree char *db = g_build_filename (dir, "history.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  /* An install from before: readable by everyone. */
  g_assert_no_errno (g_mkdir (dir, 0755));
  g_assert_no_errno (g_chmod (dir, 0755));
  g_assert_true (g_file_set_contents (db, "", 0, NULL));
  g_assert_no_errno (g_chmod (db, 0644));

  start (fixture, NULL);
  assert_mode (dir, 0700);
  assert_mode (db, 0600);
  assert_mode (wal, 0600);
  assert_mode (shm, 0600);

  /* A fresh one. */
  g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
  ssync_test_remove_tree (dir);
  g_clear_pointer (&fixture->send, g_free);
  g_clear_pointer (&fixture->receive, g_free);
  start (fixture, NULL);
  assert_mode (dir, 0700);
  assert_mode (db, 0600);
  assert_mode (wal, 0600);
  assert_mode (shm, 0600);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/http-limits/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("bodies", test_bodies);
  ADD ("websocket-fragments", test_websocket_fragments);
  ADD ("rooms", test_rooms);
  ADD ("host", test_host);
  ADD ("uri-length", test_uri_length);
  ADD ("password-budget", test_password_budget);
  ADD ("unlock-lifetime", test_unlock_lifetime);
  ADD ("storage-modes", test_storage_modes);

  return g_test_run ();
}
