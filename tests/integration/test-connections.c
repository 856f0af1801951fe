/* test-connections.c: the connection policy of the real `sharesync --headless`, seen from
 * raw sockets: idle sockets and slowloris clients never delay a real download, a client
 * that sends no request header in time is closed, one address holds at most 32
 * connections, and a full server closes idle connections (never a download in progress)
 * to admit a new client.
 *
 * The header timeout is 10 s; the tests set 5 s (SHARESYNC_HEADER_TIMEOUT) and wait for it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ssync-test-server.h"

#define HEADER_TIMEOUT 5
#define SMALL_SIZE (256 * 1024 + 3)
#define BIG_SIZE (32 * 1024 * 1024)

typedef struct {
  SsyncTestServer server;
  char *small_path;     /* local copy of the small shared file */
  char *small_url;      /* its path on the server */
  char *big_url;
  guint port;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const *env = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) share = NULL;
  g_autofree char *files = NULL;
  g_autofree char *big = NULL;
  g_autofree char *api = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *list;
  const char *args[3] = { NULL };
  const char *url;

  fixture->server.dir = g_dir_make_tmp ("ssync-conn-XXXXXX", &error);
  g_assert_no_error (error);
  files = g_build_filename (fixture->server.dir, "files", NULL);
  fixture->small_path = ssync_test_write_random (files, "small.bin", SMALL_SIZE);
  big = ssync_test_write_random (files, "big.bin", BIG_SIZE);

  args[0] = fixture->small_path;
  args[1] = big;
  ssync_test_server_start (&fixture->server, env, args);
  share = ssync_test_server_read_event (&fixture->server, "share");
  url = json_object_get_string_member (share, "url");
  fixture->port = atoi (strrchr (fixture->server.base, ':') + 1);
  fixture->session = soup_session_new ();

  api = g_strconcat (fixture->server.base, "/api/files/",
                     strstr (url, "/s/") + strlen ("/s/"), NULL);
  msg = soup_message_new ("GET", api);
  /* The server closes this connection itself: it never counts in the tests' numbers. */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Connection", "close");
  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  node = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  list = json_object_get_array_member (json_node_get_object (node), "files");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *file = json_array_get_object_element (list, i);
      const char *name = json_object_get_string_member (file, "name");
      char **target = strcmp (name, "small.bin") == 0 ? &fixture->small_url : &fixture->big_url;

      *target = g_strdup (json_object_get_string_member (file, "url"));
    }
  g_assert_nonnull (fixture->small_url);
  g_assert_nonnull (fixture->big_url);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->server.proc != NULL)
    g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
  g_clear_object (&fixture->session);
  ssync_test_remove_tree (fixture->server.dir);
  g_free (fixture->server.dir);
  g_free (fixture->small_path);
  g_free (fixture->small_url);
  g_free (fixture->big_url);
}

/* A TCP connection to the server from @source (an address of 127.0.0.0/8), blocking,
 * whose reads and writes fail after 30 s. */
static GSocket *
connect_from (Fixture    *fixture,
              const char *source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) server = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (server, fixture->port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  if (source != NULL)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (source);
      g_autoptr(GSocketAddress) local = g_inet_socket_address_new (inet, 0);

      g_socket_bind (socket, local, FALSE, &error);
      g_assert_no_error (error);
    }
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (socket, 30);

  return g_steal_pointer (&socket);
}

static void
send_text (GSocket    *socket,
           const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, text, len, NULL, &error);

      g_assert_no_error (error);
      text += n;
      len -= n;
    }
}

/* Sends a keep-alive GET of @path and reads the whole response (it must have a
 * Content-Length); returns its status. */
static guint
request_on (GSocket    *socket,
            const char *path)
{
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                              path);
  g_autoptr(GString) reply = g_string_new (NULL);
  const char *end = NULL;
  gsize wanted = G_MAXSIZE;
  char buf[4096];

  send_text (socket, request);
  while (reply->len < wanted)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (reply, buf, n);

      if (end == NULL && (end = strstr (reply->str, "\r\n\r\n")) != NULL)
        {
          const char *length = strstr (reply->str, "Content-Length: ");

          g_assert_nonnull (length);
          wanted = end + 4 - reply->str + g_ascii_strtoull (length + 16, NULL, 10);
        }
    }
  g_assert_cmpuint (reply->len, ==, wanted);
  g_assert_true (g_str_has_prefix (reply->str, "HTTP/1.1 "));

  return g_ascii_strtoull (reply->str + 9, NULL, 10);
}

/* Sends a GET of @path with `Connection: close` and reads until the server closes;
 * returns the whole answer. */
static char *
request_once (GSocket    *socket,
              const char *path)
{
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Connection: close\r\n\r\n", path);
  g_autoptr(GString) reply = g_string_new (NULL);
  char buf[4096];
  gssize n;

  send_text (socket, request);
  while ((n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL)) > 0)
    g_string_append_len (reply, buf, n);

  return g_string_free (g_steal_pointer (&reply), FALSE);
}

/* Reads (and drops) what the server sends until it closes the connection; returns the
 * bytes read. Fails the test if the server keeps it open for @seconds. */
static guint64
read_until_closed (GSocket *socket,
                   guint    seconds)
{
  g_autofree char *buf = g_malloc (256 * 1024);
  guint64 total = 0;

  g_socket_set_timeout (socket, seconds);
  while (TRUE)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, buf, 256 * 1024, NULL, &error);

      g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
      if (n <= 0)
        return total;
      total += n;
    }
}

/* Whether the server closed @socket within @ms milliseconds (whatever it sent before). */
static gboolean
closed_within (GSocket *socket,
               guint    ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * 1000;
  gint64 left;
  char buf[4096];

  while ((left = deadline - g_get_monotonic_time ()) > 0)
    {
      if (!g_socket_condition_timed_wait (socket, G_IO_IN, left, NULL, NULL))
        return FALSE;
      if (g_socket_receive (socket, buf, sizeof buf, NULL, NULL) <= 0)
        return TRUE;
    }

  return FALSE;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* A real GET of the small file with a new client: checks its bytes and returns how long it
 * took, connection included. The server closes the connection after it. */
static double
timed_download (Fixture *fixture)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (fixture->server.base, fixture->small_url, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *expected = ssync_test_sha256_of_file (fixture->small_path);
  g_autofree char *got = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Connection", "close");
  body = soup_session_send_and_read (session, msg, NULL, &error);
  elapsed = seconds_since (start);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  got = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  g_assert_cmpstr (got, ==, expected);

  return elapsed;
}

typedef struct {
  GSocket *socket;
  const char *request;
  gsize sent;
  guint timer;
} Slowloris;

/* One byte of a request header that never ends, every 5 s. */
static gboolean
slowloris_send (gpointer user_data)
{
  Slowloris *slow = user_data;

  if (g_socket_send (slow->socket, slow->request + slow->sent, 1, NULL, NULL) != 1)
    {
      slow->timer = 0;
      return G_SOURCE_REMOVE;
    }
  slow->sent++;
  return G_SOURCE_CONTINUE;
}

static void
test_idle_and_slowloris (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func (g_object_unref);
  Slowloris slow = { NULL, "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaa", 0,
                     0 };
  gint64 slow_start;
  double first, second, slow_lived;

  for (guint i = 0; i < 500; i++)
    g_ptr_array_add (idle, connect_from (fixture, NULL));

  slow.socket = connect_from (fixture, NULL);
  slow_start = g_get_monotonic_time ();
  slowloris_send (&slow);
  slow.timer = g_timeout_add (HEADER_TIMEOUT * 500, slowloris_send, &slow);

  /* The slowloris client has sent a few bytes, the idle ones nothing. */
  ssync_test_wait_for (HEADER_TIMEOUT * 600);
  g_assert_cmpuint (slow.sent, ==, 2);
  first = timed_download (fixture);
  second = timed_download (fixture);
  g_test_message ("downloads among 500 idle sockets and a slowloris: %.3f s, %.3f s",
                  first, second);
  g_assert_cmpfloat (first, <, 1.0);
  g_assert_cmpfloat (second, <, 1.0);

  /* The slowloris client is closed once its header is overdue, however often it sends. */
  while (!closed_within (slow.socket, 100))
    {
      g_assert_cmpfloat (seconds_since (slow_start), <, HEADER_TIMEOUT + 3);
      g_main_context_iteration (NULL, FALSE);
    }
  slow_lived = seconds_since (slow_start);
  g_test_message ("slowloris closed after %.1f s", slow_lived);
  g_assert_cmpfloat (slow_lived, >=, HEADER_TIMEOUT - 1);

  g_clear_handle_id (&slow.timer, g_source_remove);
  g_object_unref (slow.socket);
}

static void
test_header_timeout (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSocket) silent = connect_from (fixture, NULL);
  g_autoptr(GSocket) keep_alive = connect_from (fixture, NULL);
  g_autoptr(GSocket) websocket = connect_from (fixture, NULL);
  g_autofree char *upgrade = g_strdup_printf ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                              "Origin: http://127.0.0.1:%u\r\n"
                                              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                              "Sec-WebSocket-Version: 13\r\n\r\n",
                                              fixture->port, fixture->port);
  char head[13] = { 0 };
  gint64 start = g_get_monotonic_time ();
  gint64 answered;
  double lived;

  /* A WebSocket asks for nothing more once open: it is never "waiting for a header". */
  send_text (websocket, upgrade);
  g_assert_cmpint (g_socket_receive (websocket, head, sizeof head - 1, NULL, NULL), ==, 12);
  g_assert_cmpstr (head, ==, "HTTP/1.1 101");

  /* A request part of the way in, then nothing: the timeout starts again after the
   * response. */
  g_usleep (HEADER_TIMEOUT * G_USEC_PER_SEC * 6 / 10);
  g_assert_cmpuint (request_on (keep_alive, "/api/health"), ==, 200);
  answered = g_get_monotonic_time ();

  g_assert_cmpuint (read_until_closed (silent, HEADER_TIMEOUT + 5), ==, 0);
  lived = seconds_since (start);
  g_test_message ("a connection that sent nothing closed after %.1f s", lived);
  g_assert_cmpfloat (lived, >=, HEADER_TIMEOUT - 0.5);
  g_assert_cmpfloat (lived, <=, HEADER_TIMEOUT + 2);

  g_assert_cmpuint (read_until_closed (keep_alive, HEADER_TIMEOUT + 5), ==, 0);
  lived = seconds_since (answered);
  g_test_message ("an idle keep-alive connection closed %.1f s after its response", lived);
  g_assert_cmpfloat (lived, >=, HEADER_TIMEOUT - 0.5);
  g_assert_cmpfloat (lived, <=, HEADER_TIMEOUT + 2);

  g_assert_false (closed_within (websocket, 100));
}

static void
test_per_address (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocket) extra = NULL;
  g_autoptr(GSocket) other = NULL;
  g_autoptr(GSocket) local = NULL;
  g_autofree char *reply = NULL;
  gboolean served = FALSE;

  for (guint i = 0; i < 32; i++)
    g_ptr_array_add (held, connect_from (fixture, "127.0.0.2"));

  /* The 33rd from the same address is closed at once, without an answer. */
  extra = connect_from (fixture, "127.0.0.2");
  g_assert_cmpuint (read_until_closed (extra, 2), ==, 0);

  /* The first 32 are served, and so is another address meanwhile. */
  g_assert_cmpuint (request_on (g_ptr_array_index (held, 0), "/api/health"), ==, 200);
  g_assert_cmpuint (request_on (g_ptr_array_index (held, 31), "/api/health"), ==, 200);
  other = connect_from (fixture, "127.0.0.3");
  g_assert_cmpuint (request_on (other, "/api/health"), ==, 200);
  g_assert_cmpfloat (timed_download (fixture), <, 1.0);

  /* This machine's own 127.0.0.1 has no cap. */
  for (guint i = 0; i < 40; i++)
    g_ptr_array_add (held, connect_from (fixture, NULL));
  local = connect_from (fixture, NULL);
  g_assert_cmpuint (request_on (local, "/api/health"), ==, 200);

  /* Once its connections are gone, the address is served again. */
  g_ptr_array_set_size (held, 0);
  for (guint attempt = 0; attempt < 20 && !served; attempt++)
    {
      g_autoptr(GSocket) again = connect_from (fixture, "127.0.0.2");

      g_clear_pointer (&reply, g_free);
      reply = request_once (again, "/api/health");
      served = g_str_has_prefix (reply, "HTTP/1.1 200");
      if (!served)
        g_usleep (G_USEC_PER_SEC / 10);
    }
  g_assert_true (served);
}

/* A GET of the big file whose response the client does not read: a download in progress,
 * stalled on a full socket. Returns once the server answered. */
static GSocket *
start_stalled_download (Fixture *fixture)
{
  GSocket *socket = connect_from (fixture, NULL);
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Connection: close\r\n\r\n", fixture->big_url);
  char head[13] = { 0 };

  send_text (socket, request);
  g_assert_cmpint (g_socket_receive (socket, head, sizeof head - 1, NULL, NULL), ==, 12);
  g_assert_cmpstr (head, ==, "HTTP/1.1 200");

  return socket;
}

static void
test_full_server (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) downloads = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocket) silent = NULL;
  g_autoptr(GSocket) idle = NULL;
  g_autoptr(GSocket) late = NULL;
  g_autofree char *busy = NULL;

  /* The cap is 8 here: 6 downloads, a connection that sent nothing, and an idle
   * keep-alive one. */
  silent = connect_from (fixture, NULL);
  for (guint i = 0; i < 6; i++)
    g_ptr_array_add (downloads, start_stalled_download (fixture));
  idle = connect_from (fixture, NULL);
  g_assert_cmpuint (request_on (idle, "/api/health"), ==, 200);

  /* A new client is served at once: the connection that waited longest makes room. */
  g_assert_cmpfloat (timed_download (fixture), <, 1.0);
  g_assert_true (closed_within (silent, 1000));
  g_assert_false (closed_within (idle, 100));

  /* With 7 downloads, the idle keep-alive connection goes next. */
  g_ptr_array_add (downloads, start_stalled_download (fixture));
  g_assert_cmpfloat (timed_download (fixture), <, 1.0);
  g_assert_true (closed_within (idle, 1000));

  /* Full of downloads in progress: nothing is closed, the newcomer is told to come back. */
  g_ptr_array_add (downloads, start_stalled_download (fixture));
  late = connect_from (fixture, NULL);
  busy = request_once (late, "/api/health");
  g_assert_true (g_str_has_prefix (busy, "HTTP/1.1 503"));
  g_assert_nonnull (strstr (busy, "Retry-After:"));
  /* A person opening a page then reads why and how long to wait. */
  g_assert_nonnull (strstr (busy, "Content-Type: text/html"));
  g_assert_nonnull (strstr (busy, "is busy"));
  g_assert_nonnull (strstr (busy, "Try again in 5 seconds."));

  /* Every download goes on to its last byte. */
  for (guint i = 0; i < downloads->len; i++)
    g_assert_cmpuint (read_until_closed (g_ptr_array_index (downloads, i), 30), >, BIG_SIZE);
  g_assert_cmpfloat (timed_download (fixture), <, 1.0);
}

/* 500 idle sockets are more than the 1024 descriptors a test may get by default. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, &limit));
  if (limit.rlim_cur < 4096)
    {
      limit.rlim_cur = MIN (limit.rlim_max, 4096);
      g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &limit));
    }
  g_assert_cmpuint (limit.rlim_cur, >=, 600);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const defaults[] = { "SHARESYNC_HEADER_TIMEOUT=5", NULL };
  static const char * const small_cap[] = { "SHARESYNC_HEADER_TIMEOUT=5",
                                            "SHARESYNC_MAX_CONNECTIONS=8", NULL };

  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  raise_file_limit ();

#define ADD(name, env, func) \
  g_test_add ("/connections/" name, Fixture, env, fixture_set_up, func, fixture_tear_down)

  ADD ("idle-and-slowloris", defaults, test_idle_and_slowloris);
  ADD ("header-timeout", defaults, test_header_timeout);
  ADD ("per-address", defaults, test_per_address);
  ADD ("full-server", small_cap, test_full_server);

  return g_test_run ();
}
