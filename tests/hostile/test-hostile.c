/* test-hostile.c: malformed and hostile requests against the real headless server, over
 * raw sockets and a raw WebSocket client (issue 10 and the hardening contract). Every case
 * states the answer the server must give; after each group a normal download must still
 * arrive whole and the server must still run. No answer may contain the server's own
 * folders.
 *
 * Cases live in tables: one line per case. A request is written byte for byte after its
 * placeholders are expanded (see expand()); each case comes from its own loopback source
 * address (127.0.x.y), so that per-address budgets of one case do not leak into the next,
 * unless it says SAME_ADDR.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include "hostile-wire.h"
#include "ssync-test-server.h"

/* How long a case waits for an answer. */
#define ANSWER_MS 4000
/* How long a server that must close the connection may take to do it. */
#define CLOSE_MS 2000
#define FILE_SIZE 100000
#define MIB (1024 * 1024)

/* ---- The servers under test ---- */

typedef struct {
  const char *label;
  const char *const *args;   /* before --receive and the files */
  const char *const *env;
  gsize file_size;
  gboolean big_file;         /* also share a 32 MiB big.bin, for stalled readers */
  void (*prepare) (const char *inbox);

  SsyncTestServer server;
  guint port;
  char *token;               /* of the send share */
  char *rtoken;              /* of the receive share */
  char *file_path;           /* /s/TOKEN/f/0/report.bin */
  char *inbox;
  char *sha256;              /* of report.bin */
  GThread *drain;
  GMutex lock;
  GPtrArray *events;         /* lines the server printed */
  guint upload_serial;
} Target;

static void prepare_main (const char *inbox);
static void prepare_collisions (const char *inbox);

static const char *const main_args[] = { "--max-upload-size", "64M", NULL };
/* The stale .part cleanup runs every second and takes .part files older than 10 minutes:
 * it must still leave alone those ShareSync did not make. */
static const char *const main_env[] = {
  "SHARESYNC_CLEANUP_INTERVAL=1", "SHARESYNC_PART_MAX_AGE=600", NULL,
};
static const char *const password_args[] = { "--password", "secret", NULL };
static const char *const limit1_args[] = { "--max-downloads", "1", NULL };
static const char *const limit2_args[] = { "--max-downloads", "2", NULL };

static Target main_target = {
  "main", main_args, main_env, FILE_SIZE, TRUE, prepare_main,
};
static Target password_target = { "password", password_args, NULL, FILE_SIZE };
static Target limit1_target = { "limit1", limit1_args, NULL, FILE_SIZE };
static Target limit2_target = { "limit2", limit2_args, NULL, FILE_SIZE };
static Target race_target = { "race", limit1_args, NULL, 8 * MIB };
static Target caps_target = { "caps", NULL, NULL, FILE_SIZE };
static Target collision_target = { "collision", NULL, NULL, FILE_SIZE, FALSE, prepare_collisions };

static Target *all_targets[] = {
  &main_target, &password_target, &limit1_target, &limit2_target, &race_target, &caps_target,
  &collision_target,
};

static gpointer
drain_events (gpointer data)
{
  Target *t = data;
  g_autoptr(GDataInputStream) events = g_object_ref (t->server.events);
  char *line;

  /* The server writes an event per transfer: unread, they would fill the pipe and stop it. */
  while ((line = g_data_input_stream_read_line_utf8 (events, NULL, NULL, NULL)) != NULL)
    {
      g_mutex_lock (&t->lock);
      g_ptr_array_add (t->events, line);
      g_mutex_unlock (&t->lock);
    }
  return NULL;
}

static void
target_start (Target *t)
{
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;

  t->server.dir = g_dir_make_tmp ("ssync-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  t->inbox = g_build_filename (t->server.dir, "inbox", NULL);
  g_assert_no_errno (g_mkdir (t->inbox, 0700));
  if (t->prepare != NULL)
    t->prepare (t->inbox);

  file = ssync_test_write_random (t->server.dir, "files/report.bin", t->file_size);
  t->sha256 = ssync_test_sha256_of_file (file);
  if (t->args != NULL)
    g_strv_builder_addv (args, (const char **) t->args);
  g_strv_builder_add_many (args, "--receive", t->inbox, file, NULL);
  if (t->big_file)
    {
      g_autofree char *big = ssync_test_write_random (t->server.dir, "files/big.bin", 32 * MIB);

      g_strv_builder_add (args, big);
    }
  argv = g_strv_builder_end (args);

  ssync_test_server_start (&t->server, t->env, (const char * const *) argv);
  t->port = g_ascii_strtoull (strrchr (t->server.base, ':') + 1, NULL, 10);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) share = ssync_test_server_read_event (&t->server, "share");
      const char *url = json_object_get_string_member (share, "url") + strlen (t->server.base);

      if (g_str_has_prefix (url, "/s/"))
        t->token = g_strdup (url + 3);
      else
        t->rtoken = g_strdup (url + 3);
    }
  g_assert_nonnull (t->token);
  g_assert_nonnull (t->rtoken);
  t->file_path = g_strdup_printf ("/s/%s/f/0/report.bin", t->token);

  g_mutex_init (&t->lock);
  t->events = g_ptr_array_new_with_free_func (g_free);
  t->drain = g_thread_new ("hostile-events", drain_events, t);
}

/* Whether the server process still runs; says loudly how it ended when it does not. */
static gboolean
target_alive (Target *t)
{
  const char *id;
  siginfo_t info = { 0 };

  if (t->server.proc == NULL)
    return FALSE;
  /* Looks without reaping, so that GSubprocess still can; ECHILD: it already did. */
  id = g_subprocess_get_identifier (t->server.proc);
  if (id != NULL && waitid (P_PID, atoi (id), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
      info.si_pid == 0)
    return TRUE;

  g_subprocess_wait (t->server.proc, NULL, NULL);
  if (g_subprocess_get_if_signaled (t->server.proc))
    g_test_message ("SERVER CRASHED: %s server killed by signal %d (%s)", t->label,
                    g_subprocess_get_term_sig (t->server.proc),
                    g_strsignal (g_subprocess_get_term_sig (t->server.proc)));
  else
    g_test_message ("SERVER EXITED: %s server exited with status %d", t->label,
                    g_subprocess_get_exit_status (t->server.proc));
  return FALSE;
}

static void
target_stop (Target *t)
{
  g_autofree char *dir = t->server.dir;

  if (dir == NULL)
    return;
  if (target_alive (t))
    g_assert_cmpint (ssync_test_server_stop (&t->server), ==, 0);
  else
    {
      g_clear_object (&t->server.events);
      g_clear_object (&t->server.proc);
      g_clear_pointer (&t->server.base, g_free);
    }
  g_thread_join (g_steal_pointer (&t->drain));
  g_mutex_clear (&t->lock);
  g_clear_pointer (&t->events, g_ptr_array_unref);
  ssync_test_remove_tree (dir);
  t->server.dir = NULL;
  g_clear_pointer (&t->token, g_free);
  g_clear_pointer (&t->rtoken, g_free);
  g_clear_pointer (&t->file_path, g_free);
  g_clear_pointer (&t->inbox, g_free);
  g_clear_pointer (&t->sha256, g_free);
}

/* The server must be up: started on first use, and started again after a crash, so that
 * one crash does not hide the outcome of every later case. */
static Target *
target_get (Target *t)
{
  if (t->server.dir != NULL && !target_alive (t))
    {
      g_test_fail_printf ("the %s server is not running any more", t->label);
      target_stop (t);
    }
  if (t->server.dir == NULL)
    target_start (t);
  return t;
}

/* Waits up to @seconds for an event line holding every string of @wanted. */
static gboolean
target_wait_event (Target             *t,
                   const char * const *wanted,
                   guint               seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  do
    {
      gboolean found = FALSE;

      g_mutex_lock (&t->lock);
      for (guint i = 0; i < t->events->len && !found; i++)
        {
          found = TRUE;
          for (guint j = 0; wanted[j] != NULL; j++)
            found = found && strstr (g_ptr_array_index (t->events, i), wanted[j]) != NULL;
        }
      g_mutex_unlock (&t->lock);
      if (found)
        return TRUE;
      g_usleep (50 * 1000);
    }
  while (g_get_monotonic_time () < deadline);

  return FALSE;
}

/* A test that fails hard must not leave servers running. */
static void
on_fatal_signal (int sig)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_targets); i++)
    {
      GSubprocess *proc = all_targets[i]->server.proc;
      const char *id = proc != NULL ? g_subprocess_get_identifier (proc) : NULL;

      if (id != NULL)
        kill (atoi (id), SIGKILL);
    }
  signal (sig, SIG_DFL);
  raise (sig);
}

/* ---- Client addresses ---- */

static guint n_addresses;
static char last_address[32];

/* A loopback address no case used yet: a client of its own for the server. */
static const char *
fresh_address (void)
{
  g_snprintf (last_address, sizeof last_address, "127.0.%u.%u", 10 + n_addresses / 250,
              1 + n_addresses % 250);
  n_addresses++;
  return last_address;
}

/* ---- Requests ---- */

static void
append (GByteArray *out,
        const char *text)
{
  g_byte_array_append (out, (const guint8 *) text, strlen (text));
}

static void
append_repeated (GByteArray *out,
                 char        c,
                 gsize       n)
{
  gsize old = out->len;

  g_byte_array_set_size (out, old + n);
  memset (out->data + old, c, n);
}

static void
append_base64 (GByteArray *out,
               const char *data,
               gsize       len)
{
  g_autofree char *encoded = g_base64_encode ((const guchar *) data, len);

  append (out, encoded);
}

static WireResponse *exchange (Target *t, const char *address, GByteArray *request,
                               gboolean *closed);

/* Creates a 10-byte upload from @address, with its first @prefill bytes received; returns
 * its path. */
static char *
create_upload (Target     *t,
               const char *address,
               guint       prefill)
{
  g_autoptr(GByteArray) post = g_byte_array_new ();
  g_autoptr(WireResponse) created = NULL;
  g_autofree char *name = g_strdup_printf ("hostile-%u.bin", ++t->upload_serial);
  g_autofree char *request = NULL;
  char *location;

  request = g_strdup_printf ("POST /r/%s/uploads/ HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                             "Tus-Resumable: 1.0.0\r\nUpload-Length: 10\r\n"
                             "Upload-Metadata: filename ", t->rtoken, t->port);
  append (post, request);
  append_base64 (post, name, strlen (name));
  append (post, "\r\nConnection: close\r\n\r\n");
  created = exchange (t, address, post, NULL);
  location = wire_response_header (created, "Location");
  if (created->status != 201 || location == NULL)
    {
      g_test_fail_printf ("creating an upload for the case answered %d", created->status);
      g_free (location);
      return g_strdup ("/r/none/uploads/none");
    }

  if (prefill > 0)
    {
      g_autoptr(GByteArray) patch = g_byte_array_new ();
      g_autoptr(WireResponse) patched = NULL;

      g_free (request);
      request = g_strdup_printf ("PATCH %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                 "Tus-Resumable: 1.0.0\r\n"
                                 "Content-Type: application/offset+octet-stream\r\n"
                                 "Upload-Offset: 0\r\nContent-Length: %u\r\n\r\n",
                                 location, t->port, prefill);
      append (patch, request);
      append_repeated (patch, 'p', prefill);
      patched = exchange (t, address, patch, NULL);
      if (patched->status != 204)
        g_test_fail_printf ("filling an upload for the case answered %d", patched->status);
    }

  return location;
}

/* The request of a case, byte for byte. Placeholders:
 *   {H} 127.0.0.1:PORT   {HN} this machine's host name
 *   {T} send token  {S} /s/TOKEN  {F} /s/TOKEN/f/0/report.bin
 *   {TSHORT} the token minus its last character  {TFLIP} the token with one letter's case flipped
 *   {RT} receive token  {R} /r/RTOKEN  {UP} /r/RTOKEN/uploads/
 *   {U} a new 10-byte upload made from the case's address  {U5} the same, 5 bytes received
 *   {NUL} a NUL byte  {X:n} n times 'a'  {HDRS:n} n filler header lines
 *   {CHUNKS:n} n chunks of 1 KiB  {TINY:n} n chunks of 1 byte  {RANGES:n} n byte ranges
 *   {B64:n} base64 of n bytes  {DEEP:n} base64 of a path n folders deep
 *   {LONGPATH:n} base64 of a path of n bytes, 21 folders deep at most */
static GByteArray *
expand (Target     *t,
        const char *address,
        const char *template)
{
  GByteArray *out = g_byte_array_new ();
  const char *p = template;

  while (*p != '\0')
    {
      const char *end;
      g_autofree char *name = NULL;
      const char *colon;
      gsize n = 0;

      if (*p != '{')
        {
          g_byte_array_append (out, (const guint8 *) p++, 1);
          continue;
        }

      end = strchr (p, '}');
      g_assert_nonnull (end);
      name = g_strndup (p + 1, end - p - 1);
      p = end + 1;
      if ((colon = strchr (name, ':')) != NULL)
        n = g_ascii_strtoull (colon + 1, NULL, 10);

      if (g_str_equal (name, "H"))
        {
          g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", t->port);

          append (out, host);
        }
      else if (g_str_equal (name, "HN"))
        append (out, g_get_host_name ());
      else if (g_str_equal (name, "T"))
        append (out, t->token);
      else if (g_str_equal (name, "TSHORT"))
        g_byte_array_append (out, (const guint8 *) t->token, strlen (t->token) - 1);
      else if (g_str_equal (name, "TFLIP"))
        {
          g_autofree char *flipped = g_strdup (t->token);

          for (char *c = flipped; *c != '\0'; c++)
            if (g_ascii_isalpha (*c))
              {
                *c = g_ascii_isupper (*c) ? g_ascii_tolower (*c) : g_ascii_toupper (*c);
                break;
              }
          append (out, flipped);
        }
      else if (g_str_equal (name, "S"))
        {
          append (out, "/s/");
          append (out, t->token);
        }
      else if (g_str_equal (name, "F"))
        append (out, t->file_path);
      else if (g_str_equal (name, "RT"))
        append (out, t->rtoken);
      else if (g_str_equal (name, "R") || g_str_equal (name, "UP"))
        {
          append (out, "/r/");
          append (out, t->rtoken);
          if (g_str_equal (name, "UP"))
            append (out, "/uploads/");
        }
      else if (g_str_equal (name, "U") || g_str_equal (name, "U5"))
        {
          g_autofree char *location = create_upload (t, address, name[1] == '5' ? 5 : 0);

          append (out, location);
        }
      else if (g_str_equal (name, "NUL"))
        g_byte_array_append (out, (const guint8 *) "", 1);
      else if (g_str_has_prefix (name, "X:"))
        append_repeated (out, 'a', n);
      else if (g_str_has_prefix (name, "HDRS:"))
        for (gsize i = 0; i < n; i++)
          {
            g_autofree char *line = g_strdup_printf ("X-Filler-%" G_GSIZE_FORMAT ": 0123456789\r\n",
                                                     i);

            append (out, line);
          }
      else if (g_str_has_prefix (name, "CHUNKS:"))
        for (gsize i = 0; i < n; i++)
          {
            append (out, "400\r\n");
            append_repeated (out, 'c', 1024);
            append (out, "\r\n");
          }
      else if (g_str_has_prefix (name, "TINY:"))
        for (gsize i = 0; i < n; i++)
          append (out, "1\r\nt\r\n");
      else if (g_str_has_prefix (name, "RANGES:"))
        for (gsize i = 0; i < n; i++)
          {
            g_autofree char *range = g_strdup_printf ("%s%" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT,
                                                      i == 0 ? "" : ",", i, i);

            append (out, range);
          }
      else if (g_str_has_prefix (name, "B64:"))
        {
          g_autofree char *data = g_strnfill (n, 'b');

          append_base64 (out, data, n);
        }
      else if (g_str_has_prefix (name, "DEEP:"))
        {
          g_autoptr(GString) path = g_string_new (NULL);

          for (gsize i = 0; i < n; i++)
            g_string_append (path, "d/");
          g_string_append (path, "x.txt");
          append_base64 (out, path->str, path->len);
        }
      else if (g_str_has_prefix (name, "LONGPATH:"))
        {
          g_autoptr(GString) path = g_string_new (NULL);

          while (path->len < n)
            {
              g_autofree char *folder = g_strnfill (199, 'l');

              g_string_append_printf (path, "%s/", folder);
            }
          g_string_truncate (path, n - 5);
          g_string_append (path, "x.txt");
          append_base64 (out, path->str, path->len);
        }
      else
        g_error ("unknown placeholder {%s}", name);
    }

  return out;
}

/* Sends @request from @address on a new connection and reads the answer. With @closed,
 * also waits for the server to close the connection and says whether it did. */
static WireResponse *
exchange (Target     *t,
          const char *address,
          GByteArray *request,
          gboolean   *closed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WireConn) conn = wire_connect (t->port, address, &error);
  gboolean head = request->len > 5 && memcmp (request->data, "HEAD ", 5) == 0;
  WireResponse *response;

  if (conn == NULL)
    {
      g_test_message ("connecting from %s: %s", address, error->message);
      response = g_new0 (WireResponse, 1);
      response->status = WIRE_CLOSED;
      response->body = g_byte_array_new ();
      return response;
    }

  wire_send (conn, request->data, request->len, TRUE);
  response = wire_read_response (conn, ANSWER_MS, head);
  /* Closed, and without answering anything sent after the first request. */
  if (closed != NULL)
    *closed = response->status == WIRE_CLOSED || wire_wait_closed (conn, CLOSE_MS);
  return response;
}

static const char *
describe (int status)
{
  /* Two buffers: "expected %s, observed %s" describes two statuses at once. */
  static char texts[2][16];
  static guint next;
  char *text = texts[next++ % 2];

  switch (status)
    {
    case WIRE_CLOSED:
      return "closed";
    case WIRE_TIMEOUT:
      return "no answer";
    case WIRE_GARBAGE:
      return "garbage";
    default:
      g_snprintf (text, sizeof texts[0], "%d", status);
      return text;
    }
}

static gboolean
contains (const guint8 *haystack,
          gsize         len,
          const char   *needle)
{
  g_autofree char *text = NULL;

  if (needle == NULL || haystack == NULL || len == 0)
    return FALSE;
  /* Bodies may hold NUL bytes: look past them. */
  text = g_malloc (len + 1);
  for (gsize i = 0; i < len; i++)
    text[i] = haystack[i] != '\0' ? haystack[i] : ' ';
  text[len] = '\0';
  return strstr (text, needle) != NULL;
}

/* No answer may show where the server keeps its files. */
static void
assert_no_server_path (Target       *t,
                       WireResponse *response)
{
  if (contains (response->body->data, response->body->len, t->server.dir) ||
      (response->head != NULL && strstr (response->head, t->server.dir) != NULL))
    g_test_fail_printf ("the answer shows a server folder (%s)", t->server.dir);
}

/* ---- HTTP cases ---- */

enum {
  CLOSES = 1 << 0,     /* the server must close the connection after answering */
  SAME_ADDR = 1 << 1,  /* from the previous case's address */
};

typedef struct {
  const char *name;
  const char *request;
  int status;            /* the answer, or WIRE_CLOSED */
  int alt[3];            /* other answers allowed (where the contract or RFC 9112 allow several) */
  guint flags;
  const char *contains;  /* must appear in the answer's head or body */
  guint repeat;          /* the same request is sent this many times first, unchecked */
} HttpCase;

/* A table of cases on one server; its cases are HttpCase or WsCase, run by @run. */
typedef struct {
  const char *name;
  Target *target;
  gconstpointer cases;
  gsize case_size;
  gsize n_cases;
  GTestDataFunc run;
} Group;

typedef struct {
  const Group *group;
  gconstpointer c;
} Item;

static void test_http_case (gconstpointer data);
static void test_ws_case (gconstpointer data);

#define GET_HEALTH "GET /api/health HTTP/1.1\r\nHost: {H}\r\n"
#define POST_HEALTH "POST /api/health HTTP/1.1\r\nHost: {H}\r\n"
#define WS_UPGRADE "Upgrade: websocket\r\nConnection: Upgrade\r\n" \
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define WS_OK WS_UPGRADE "Sec-WebSocket-Version: 13\r\n"
#define TUS "Tus-Resumable: 1.0.0\r\n"
#define TUS_PATCH TUS "Content-Type: application/offset+octet-stream\r\n"
#define MIB48 "50331648"

static const HttpCase request_line_cases[] = {
  { "garbage", "GARBAGE\r\n\r\n", 400 },
  { "http-0.9", "GET /api/health\r\n\r\n", 400, { WIRE_CLOSED } },
  { "http-2.0", "GET /api/health HTTP/2.0\r\nHost: {H}\r\n\r\n", 505 },
  { "http-9.9", "GET /api/health HTTP/9.9\r\nHost: {H}\r\n\r\n", 505 },
  { "version-junk", "GET /api/health HTTP/1.x\r\nHost: {H}\r\n\r\n", 400 },
  { "extra-token", "GET /api/health HTTP/1.1 extra\r\nHost: {H}\r\n\r\n", 400 },
  /* RFC 9112 3: a recipient may split the request line on any whitespace. */
  { "double-spaces", "GET  /api/health  HTTP/1.1\r\nHost: {H}\r\n\r\n", 400, { 200 } },
  { "lowercase-method", "get /api/health HTTP/1.1\r\nHost: {H}\r\n\r\n", 405, { 501 } },
  { "unknown-method", "BREW /api/health HTTP/1.1\r\nHost: {H}\r\n\r\n", 405, { 501 } },
  { "nul-in-path", "GET /api/he{NUL}alth HTTP/1.1\r\nHost: {H}\r\n\r\n", 400 },
  { "nul-in-method", "G{NUL}ET /api/health HTTP/1.1\r\nHost: {H}\r\n\r\n", 400 },
  /* Past 64 KiB of head libsoup closes before any code of ours runs: closing is allowed. */
  { "uri-100k", "GET /{X:100000} HTTP/1.1\r\nHost: {H}\r\n\r\n", 414, { 431, WIRE_CLOSED } },
  { "asterisk-target", "GET * HTTP/1.1\r\nHost: {H}\r\n\r\n", 400, { 404 } },
  { "absolute-form-evil", "GET http://evil.example/api/health HTTP/1.1\r\nHost: {H}\r\n\r\n",
    421, { 400 } },
  { "absolute-form-ok", "GET http://{H}/api/health HTTP/1.1\r\nHost: {H}\r\n\r\n", 200 },
  { "bare-lf", "GET /api/health HTTP/1.1\nHost: {H}\n\n", 200, { 400 } },
  { "bare-cr", "GET /api/health HTTP/1.1\rHost: {H}\r\n\r\n", 400 },
  { "control-char-in-path", "GET /api/\001health HTTP/1.1\r\nHost: {H}\r\n\r\n", 400, { 404 } },
  { "raw-bytes-in-path", "GET /s/\377\376 HTTP/1.1\r\nHost: {H}\r\n\r\n", 404, { 400 } },
};

static const HttpCase header_cases[] = {
  { "header-40k", GET_HEALTH "X-Big: {X:40000}\r\n\r\n", 431, .flags = CLOSES },
  { "header-256k", GET_HEALTH "X-Big: {X:262144}\r\n\r\n", 431, { 400, WIRE_CLOSED }, CLOSES },
  { "headers-3000", GET_HEALTH "{HDRS:3000}\r\n", 431, { WIRE_CLOSED }, CLOSES },
  { "header-name-40k", GET_HEALTH "{X:40000}: v\r\n\r\n", 431, { 400, WIRE_CLOSED }, CLOSES },
  /* Invalid lines: rejecting is best, but RFC 9112 only requires it for whitespace before the
   * colon (a smuggling vector); libsoup drops the others before we see them. */
  { "no-colon", GET_HEALTH "NoColonHere\r\n\r\n", 400, { 200 } },
  /* libsoup trims the name; with no proxy in front nothing can be smuggled through it. */
  { "space-before-colon", GET_HEALTH "X-Test : 1\r\n\r\n", 400, { 200 } },
  { "empty-name", GET_HEALTH ": value\r\n\r\n", 400, { 200 } },
  { "space-in-name", GET_HEALTH "X Test: 1\r\n\r\n", 400, { 200 } },
  { "obs-fold", GET_HEALTH "X-Test: a\r\n folded\r\n\r\n", 200, { 400 } },
  { "nul-in-value", GET_HEALTH "X-Test: a{NUL}b\r\n\r\n", 400 },
  { "nul-in-name", GET_HEALTH "X-T{NUL}est: a\r\n\r\n", 400 },
  { "obs-text-value", GET_HEALTH "X-Test: \377\376\375\r\n\r\n", 200, { 400 } },
  { "expect-continue-48m", POST_HEALTH "Expect: 100-continue\r\nContent-Length: " MIB48
    "\r\n\r\n", 413, { 405 }, CLOSES },
};

static const HttpCase host_cases[] = {
  { "evil", "GET /api/health HTTP/1.1\r\nHost: evil.example\r\n\r\n", 421 },
  { "evil-port", "GET /api/health HTTP/1.1\r\nHost: evil.example:80\r\n\r\n", 421 },
  { "localhost-suffix", "GET /api/health HTTP/1.1\r\nHost: localhost.evil.example\r\n\r\n", 421 },
  { "ip-prefix", "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1.nip.io\r\n\r\n", 421 },
  { "evil-share", "GET {S} HTTP/1.1\r\nHost: evil.example\r\n\r\n", 421 },
  { "evil-upload", "POST {UP} HTTP/1.1\r\nHost: evil.example\r\n" TUS "Upload-Length: 1\r\n\r\n",
    421 },
  { "evil-ws", "GET /ws HTTP/1.1\r\nHost: evil.example\r\n" WS_OK "\r\n", 421 },
  { "evil-p2p", "GET /p2p HTTP/1.1\r\nHost: evil.example\r\n\r\n", 421 },
  { "evil-qr", "GET /api/p2p/qr.svg?room=AAAAAAAA HTTP/1.1\r\nHost: evil.example\r\n\r\n", 421 },
  { "ipv4", GET_HEALTH "\r\n", 200 },
  { "other-ipv4", "GET /api/health HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n", 200 },
  { "ipv6", "GET /api/health HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 200 },
  { "localhost", "GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n", 200 },
  { "localhost-upper", "GET /api/health HTTP/1.1\r\nHost: LOCALHOST:1\r\n\r\n", 200 },
  { "hostname", "GET /api/health HTTP/1.1\r\nHost: {HN}\r\n\r\n", 200 },
  { "hostname-local", "GET /api/health HTTP/1.1\r\nHost: {HN}.local\r\n\r\n", 200 },
  { "missing-1.1", "GET /api/health HTTP/1.1\r\n\r\n", 400 },
  { "missing-1.0", "GET /api/health HTTP/1.0\r\n\r\n", 200 },
  { "duplicate", GET_HEALTH "Host: evil.example\r\n\r\n", 400, { 421 } },
  { "empty", "GET /api/health HTTP/1.1\r\nHost: \r\n\r\n", 400, { 421 } },
  { "userinfo", "GET /api/health HTTP/1.1\r\nHost: user@127.0.0.1\r\n\r\n", 400, { 421 } },
  { "bad-port", "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:99999\r\n\r\n", 400, { 421 } },
  { "unbracketed-ipv6", "GET /api/health HTTP/1.1\r\nHost: ::1\r\n\r\n", 400, { 421 } },
};

static const HttpCase length_cases[] = {
  { "health-48m", POST_HEALTH "Content-Length: " MIB48 "\r\n\r\n", 413, { 405 }, CLOSES },
  { "get-file-48m", "GET {F} HTTP/1.1\r\nHost: {H}\r\nContent-Length: " MIB48 "\r\n\r\n", 413,
    .flags = CLOSES },
  { "unlock-48m", "POST {S}/unlock HTTP/1.1\r\nHost: {H}\r\nContent-Length: " MIB48 "\r\n\r\n",
    413, .flags = CLOSES },
  { "share-page-48m", "POST {S} HTTP/1.1\r\nHost: {H}\r\nContent-Length: " MIB48 "\r\n\r\n",
    405, { 413 }, CLOSES },
  { "p2p-48m", "POST /p2p HTTP/1.1\r\nHost: {H}\r\nContent-Length: " MIB48 "\r\n\r\n",
    405, { 413 }, CLOSES },
  { "just-past-64k", POST_HEALTH "Content-Length: 65537\r\n\r\n", 413, { 405 }, CLOSES },
  { "exactly-64k", POST_HEALTH "Content-Length: 65536\r\n\r\n{X:65536}", 405,
    .contains = "Allow:" },
  { "small-body", POST_HEALTH "Content-Length: 5\r\n\r\nhello", 405, .contains = "Allow:" },
  { "no-length", POST_HEALTH "\r\n", 405, .contains = "Allow:" },
  { "duplicate-different", POST_HEALTH "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    400, { 405 }, CLOSES },
  { "duplicate-same", POST_HEALTH "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400,
    { 405 } },
  { "list", POST_HEALTH "Content-Length: 5, 6\r\n\r\nhello!", 400, .flags = CLOSES },
  { "negative", POST_HEALTH "Content-Length: -1\r\n\r\n", 400, { 405 }, CLOSES },
  { "alpha", POST_HEALTH "Content-Length: abc\r\n\r\n", 400, .flags = CLOSES },
  { "plus", POST_HEALTH "Content-Length: +5\r\n\r\nhello", 400, { 405 }, CLOSES },
  { "hex", POST_HEALTH "Content-Length: 0x10\r\n\r\n", 400, .flags = CLOSES },
  { "space-inside", POST_HEALTH "Content-Length: 5 5\r\n\r\n", 400, .flags = CLOSES },
  { "overflow", POST_HEALTH "Content-Length: 99999999999999999999\r\n\r\n", 400,
    { 413, 405 }, CLOSES },
  { "u64-max", GET_HEALTH "Content-Length: 18446744073709551615\r\n\r\n", 400, { 413 }, CLOSES },
  /* RFC 9112 6.3: refused, or read as chunked; either way the connection ends after it.
   * /api/health takes no body: 405 before any of it is read is as good (here and above). */
  { "with-chunked", POST_HEALTH "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
    "0\r\n\r\n", 400, { 405 }, CLOSES },
};

#define CHUNKED_HEALTH POST_HEALTH "Transfer-Encoding: chunked\r\n\r\n"

static const HttpCase chunked_cases[] = {
  { "health-80k", CHUNKED_HEALTH "{CHUNKS:80}0\r\n\r\n", 413, { 405 }, CLOSES },
  { "unlock-80k", "POST {S}/unlock HTTP/1.1\r\nHost: {H}\r\nTransfer-Encoding: chunked\r\n\r\n"
    "{CHUNKS:80}0\r\n\r\n", 413, .flags = CLOSES },
  { "one-128k-chunk", CHUNKED_HEALTH "20000\r\n{X:131072}\r\n0\r\n\r\n", 413, { 405 }, CLOSES },
  { "small-ok", CHUNKED_HEALTH "5\r\nhello\r\n0\r\n\r\n", 405, .contains = "Allow:" },
  { "many-tiny", CHUNKED_HEALTH "{TINY:20000}0\r\n\r\n", 405 },
  { "size-invalid", CHUNKED_HEALTH "zz\r\nhello\r\n0\r\n\r\n", 400, { WIRE_CLOSED, 405 } },
  { "size-overflow", CHUNKED_HEALTH "fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n", 400,
    { 413, WIRE_CLOSED, 405 } },
  { "size-negative", CHUNKED_HEALTH "-5\r\nhello\r\n0\r\n\r\n", 400, { WIRE_CLOSED, 405 } },
  { "missing-crlf", CHUNKED_HEALTH "5\r\nhelloX0\r\n\r\n", 400, { WIRE_CLOSED, 405 } },
  { "extension-70k", CHUNKED_HEALTH "5;{X:70000}\r\nhello\r\n0\r\n\r\n", 400,
    { 413, WIRE_CLOSED, 405 } },
  { "te-gzip", POST_HEALTH "Transfer-Encoding: gzip\r\n\r\n", 501, { 400 } },
  { "te-chunked-twice", POST_HEALTH "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400,
    { 501 } },
  { "te-chunked-not-last", POST_HEALTH "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400,
    { 501 } },
  { "te-http-1.0", "POST /api/health HTTP/1.0\r\nHost: {H}\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nhello\r\n0\r\n\r\n", 400, { WIRE_CLOSED, 405 } },
  /* The request hidden after the body is never answered. */
  { "smuggle", POST_HEALTH "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    "GET {F} HTTP/1.1\r\nHost: {H}\r\n\r\n", 400, { 405 }, CLOSES },
};

#define GET_FILE "GET {F} HTTP/1.1\r\nHost: {H}\r\n"

static const HttpCase range_cases[] = {
  { "first-byte", GET_FILE "Range: bytes=0-0\r\n\r\n", 206 },
  { "huge-start", GET_FILE "Range: bytes=99999999999999999999-\r\n\r\n", 200 },
  { "u64-max", GET_FILE "Range: bytes=18446744073709551615-18446744073709551615\r\n\r\n", 416 },
  { "suffix-zero", GET_FILE "Range: bytes=-0\r\n\r\n", 416 },
  { "reversed", GET_FILE "Range: bytes=10-5\r\n\r\n", 200 },
  { "ranges-1000", GET_FILE "Range: bytes={RANGES:1000}\r\n\r\n", 200 },
  { "junk", GET_FILE "Range: bytes=abc\r\n\r\n", 200 },
  { "other-unit", GET_FILE "Range: items=0-5\r\n\r\n", 200 },
  { "past-end", GET_FILE "Range: bytes=100000-\r\n\r\n", 416 },
  { "empty", GET_FILE "Range: \r\n\r\n", 200 },
  { "if-range-junk", GET_FILE "Range: bytes=0-0\r\nIf-Range: \"junk\"\r\n\r\n", 200 },
  { "head-range", "HEAD {F} HTTP/1.1\r\nHost: {H}\r\nRange: bytes=0-0\r\n\r\n", 206 },
};

static const HttpCase traversal_cases[] = {
  { "encoded-slashes", "GET {S}/f/0/..%2F..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: {H}\r\n\r\n",
    404 },
  { "encoded-dots", "GET {S}/f/%2e%2e/report.bin HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "static-encoded", "GET /static/..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "static-plain", "GET /static/../../../etc/passwd HTTP/1.1\r\nHost: {H}\r\n\r\n", 404,
    { 400 } },
  { "static-backslash", "GET /static/..%5c..%5cshare.html HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "nul-in-name", "GET {S}/f/0/report.bin%00.txt HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "overlong-utf8", "GET /static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd HTTP/1.1\r\n"
    "Host: {H}\r\n\r\n", 404 },
  { "double-encoded", "GET /static/%252e%252e%252fetc%252fpasswd HTTP/1.1\r\nHost: {H}\r\n\r\n",
    404 },
  { "index-negative", "GET {S}/f/-1/report.bin HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "index-huge", "GET {S}/f/99999999999999999999/report.bin HTTP/1.1\r\nHost: {H}\r\n\r\n",
    404 },
  { "index-hex", "GET {S}/f/0x0/report.bin HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "index-plus", "GET {S}/f/+0/report.bin HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "absolute-name", "GET {S}/f/0/%2Fetc%2Fpasswd HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  /* Dot segments may be removed (RFC 3986 5.2.4): this is then /api/health. */
  { "dotdot-token", "GET /s/../api/health HTTP/1.1\r\nHost: {H}\r\n\r\n", 200, { 404, 400 } },
  { "bad-percent", "GET {S}/f/0/report%zz.bin HTTP/1.1\r\nHost: {H}\r\n\r\n", 404, { 400 } },
  { "trailing-slash", "GET {F}/ HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "receive-dotdot", "GET /r/../../etc/passwd HTTP/1.1\r\nHost: {H}\r\n\r\n", 404, { 400 } },
};

static const HttpCase token_cases[] = {
  { "bogus-share", "GET /s/AAAAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "token-prefix", "GET /s/{TSHORT} HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "token-case", "GET /s/{TFLIP} HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "token-nul", "GET /s/{T}%00 HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "token-5k", "GET /s/{X:5000} HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "files-bogus", "GET /api/files/AAAAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "receive-as-send", "GET /s/{RT} HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "send-as-receive", "GET /r/{T} HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "upload-to-send", "POST /r/{T}/uploads/ HTTP/1.1\r\nHost: {H}\r\n" TUS
    "Upload-Length: 1\r\n\r\n", 404 },
  { "stats-anonymous", "GET /api/stats HTTP/1.1\r\nHost: {H}\r\n\r\n", 401 },
  { "stats-bogus", "GET /api/stats HTTP/1.1\r\nHost: {H}\r\n"
    "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAA\r\n\r\n", 401 },
  { "stats-basic", "GET /api/stats HTTP/1.1\r\nHost: {H}\r\n"
    "Authorization: Basic YWRtaW46YWRtaW4=\r\n\r\n", 401 },
  { "stats-empty", "GET /api/stats HTTP/1.1\r\nHost: {H}\r\nAuthorization: Bearer \r\n\r\n", 401 },
  { "stats-10k", "GET /api/stats HTTP/1.1\r\nHost: {H}\r\nAuthorization: Bearer {X:10000}\r\n\r\n",
    401 },
  { "cookie-junk", "GET {S} HTTP/1.1\r\nHost: {H}\r\nCookie: ;;;==;\001=\377\r\n\r\n", 200 },
};

static const HttpCase tus_cases[] = {
  { "patch-u64-length", "PATCH {U5} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH "Upload-Offset: 5\r\n"
    "Content-Length: 18446744073709551615\r\n\r\n", 413 },
  { "patch-past-length", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH "Upload-Offset: 0\r\n"
    "Content-Length: 11\r\n\r\nhello world", 413 },
  { "patch-offset-mismatch", "PATCH {U5} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH
    "Upload-Offset: 0\r\nContent-Length: 5\r\n\r\nhello", 409 },
  { "patch-offset-hex", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH "Upload-Offset: 0x0\r\n"
    "Content-Length: 1\r\n\r\nh", 400 },
  { "patch-offset-negative", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH
    "Upload-Offset: -0\r\nContent-Length: 1\r\n\r\nh", 400 },
  { "patch-offset-plus", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH "Upload-Offset: +0\r\n"
    "Content-Length: 1\r\n\r\nh", 400 },
  { "patch-offset-float", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH
    "Upload-Offset: 0.0\r\nContent-Length: 1\r\n\r\nh", 400 },
  { "patch-offset-two", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH "Upload-Offset: 0 0\r\n"
    "Content-Length: 1\r\n\r\nh", 400 },
  { "patch-offset-overflow", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH
    "Upload-Offset: 18446744073709551616\r\nContent-Length: 1\r\n\r\nh", 400, { 409 } },
  { "patch-offset-missing", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH
    "Content-Length: 1\r\n\r\nh", 400 },
  { "patch-no-type", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Offset: 0\r\n"
    "Content-Length: 1\r\n\r\nh", 415 },
  { "patch-chunked", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH "Upload-Offset: 0\r\n"
    "Transfer-Encoding: chunked\r\n\r\n1\r\nh\r\n0\r\n\r\n", 400 },
  { "patch-no-version", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n"
    "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
    "Content-Length: 1\r\n\r\nh", 412 },
  { "patch-unknown", "PATCH {UP}AAAAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH
    "Upload-Offset: 0\r\nContent-Length: 1\r\n\r\nh", 404 },
  { "patch-id-traversal", "PATCH {UP}..%2F..%2Fx HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH
    "Upload-Offset: 0\r\nContent-Length: 1\r\n\r\nh", 404, { 400, 405 } },
  { "patch-negative-length", "PATCH {U} HTTP/1.1\r\nHost: {H}\r\n" TUS_PATCH
    "Upload-Offset: 0\r\nContent-Length: -1\r\n\r\n", 400, { 413 } },
  { "head", "HEAD {U5} HTTP/1.1\r\nHost: {H}\r\n" TUS "\r\n", 200,
    .contains = "Upload-Offset: 5" },
  { "delete", "DELETE {U} HTTP/1.1\r\nHost: {H}\r\n" TUS "\r\n", 204 },
  { "options", "OPTIONS {UP} HTTP/1.1\r\nHost: {H}\r\n\r\n", 204 },
  { "put", "PUT {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Content-Length: 1\r\n\r\nx", 405,
    .contains = "Allow:" },
  { "length-u64", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS
    "Upload-Length: 18446744073709551615\r\n\r\n", 413, { 400 } },
  { "length-negative", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: -1\r\n\r\n",
    400 },
  { "length-float", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1.5\r\n\r\n", 400 },
  { "length-list", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 5, 6\r\n\r\n", 400 },
  { "length-missing", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "\r\n", 400 },
  { "defer-length", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Defer-Length: 1\r\n\r\n",
    400 },
  { "creation-body-48m", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 10\r\n"
    "Content-Length: " MIB48 "\r\n\r\n", 413, .flags = CLOSES },
  { "metadata-5k", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename {B64:4000}\r\n\r\n", 400,
    .contains = "Upload-Metadata is too large" },
  { "metadata-not-base64", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename !!not*base64!!\r\n\r\n", 400 },
  { "path-40-deep", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename eC50eHQ=,relativePath {DEEP:40}\r\n\r\n", 400 },
  { "path-64-deep", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename eC50eHQ=,relativePath {DEEP:64}\r\n\r\n", 400 },
  /* It made 1,901 folders and answered 500 with the receive folder's path. */
  { "path-1900-deep", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename eC50eHQ=,relativePath {DEEP:1900}\r\n\r\n", 400 },
  { "path-4200-bytes", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename eC50eHQ=,relativePath {LONGPATH:4200}\r\n\r\n", 400 },
  { "name-with-nul", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename YQBiLnR4dA==\r\n\r\n", 201 },
  { "path-traversal", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename eA==,relativePath Li4vLi4vLi4vLi4vZXRjL3g=\r\n\r\n", 201 },
  { "name-absolute", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename L2V0Yy9wYXNzd2Q=\r\n\r\n", 201 },
  { "metadata-empty-pairs", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: ,,, ,filename\r\n\r\n", 201 },
  { "pending-per-address", "POST {UP} HTTP/1.1\r\nHost: {H}\r\n" TUS "Upload-Length: 1\r\n"
    "Upload-Metadata: filename cC5iaW4=\r\n\r\n", 429, .contains = "Retry-After", .repeat = 32 },
};

static const HttpCase room_cases[] = {
  { "post-p2p", "POST /p2p HTTP/1.1\r\nHost: {H}\r\nContent-Length: 0\r\n\r\n", 405,
    .contains = "Allow:" },
  { "delete-api-p2p", "DELETE /api/p2p HTTP/1.1\r\nHost: {H}\r\n\r\n", 405, .contains = "Allow:" },
  { "put-qr", "PUT /api/p2p/qr.svg?room=AAAAAAAA HTTP/1.1\r\nHost: {H}\r\nContent-Length: 0\r\n"
    "\r\n", 405, .contains = "Allow:" },
  { "qr-unknown", "GET /api/p2p/qr.svg?room=AAAAAAAA HTTP/1.1\r\nHost: {H}\r\n\r\n", 404 },
  { "qr-no-room", "GET /api/p2p/qr.svg HTTP/1.1\r\nHost: {H}\r\n\r\n", 404, { 400 } },
  { "qr-nul-room", "GET /api/p2p/qr.svg?room=%00 HTTP/1.1\r\nHost: {H}\r\n\r\n", 404, { 400 } },
  { "qr-probing", "GET /api/p2p/qr.svg?room=ABCDEFGH HTTP/1.1\r\nHost: {H}\r\n\r\n", 429,
    .contains = "Retry-After", .repeat = 40 },
};

static const HttpCase ws_handshake_cases[] = {
  { "ok", "GET /ws HTTP/1.1\r\nHost: {H}\r\n" WS_OK "\r\n", 101 },
  { "origin-evil", "GET /ws HTTP/1.1\r\nHost: {H}\r\nOrigin: http://evil.example\r\n" WS_OK "\r\n",
    403 },
  { "origin-null", "GET /ws HTTP/1.1\r\nHost: {H}\r\nOrigin: null\r\n" WS_OK "\r\n", 403 },
  { "version-8", "GET /ws HTTP/1.1\r\nHost: {H}\r\n" WS_UPGRADE "Sec-WebSocket-Version: 8\r\n\r\n",
    400, { 426 } },
  { "no-key", "GET /ws HTTP/1.1\r\nHost: {H}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n", 400 },
  { "bad-key", "GET /ws HTTP/1.1\r\nHost: {H}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n", 400 },
  { "no-upgrade", "GET /ws HTTP/1.1\r\nHost: {H}\r\n\r\n", 400, { 426 } },
  { "post", "POST /ws HTTP/1.1\r\nHost: {H}\r\n" WS_OK "Content-Length: 0\r\n\r\n", 405,
    { 400 } },
  { "subpath", "GET /ws/x HTTP/1.1\r\nHost: {H}\r\n" WS_OK "\r\n", 404 },
};

#define UNLOCK_S "POST {S}/unlock HTTP/1.1\r\nHost: {H}\r\n" \
                 "Content-Type: application/x-www-form-urlencoded\r\n"
#define UNLOCK_R "POST {R}/unlock HTTP/1.1\r\nHost: {H}\r\n" \
                 "Content-Type: application/x-www-form-urlencoded\r\n"

static const HttpCase password_cases[] = {
  { "locked", "GET {S} HTTP/1.1\r\nHost: {H}\r\n\r\n", 401 },
  { "bogus-cookie", "GET {F} HTTP/1.1\r\nHost: {H}\r\n"
    "Cookie: ssync-x=AAAAAAAAAAAAAAAAAAAAAA\r\n\r\n", 401 },
  { "cookie-40k", "GET {S} HTTP/1.1\r\nHost: {H}\r\nCookie: a={X:40000}\r\n\r\n", 431,
    .flags = CLOSES },
  { "form-48m", UNLOCK_S "Content-Length: " MIB48 "\r\n\r\n", 413, .flags = CLOSES },
  { "form-chunked-80k", UNLOCK_S "Transfer-Encoding: chunked\r\n\r\n{CHUNKS:80}0\r\n\r\n", 413,
    .flags = CLOSES },
  { "no-field", UNLOCK_S "Content-Length: 3\r\n\r\na=b", 400 },
  { "nul-password", UNLOCK_S "Content-Length: 12\r\n\r\npassword=%00", 303,
    .contains = "wrong=1" },
  { "correct-cookie-lifetime", UNLOCK_S "Content-Length: 15\r\n\r\npassword=secret", 303,
    .contains = "Max-Age=43200" },
  /* The budget (five at once) is per address and share: four wrong guesses here... */
  { "budget-four-wrong", UNLOCK_S "Content-Length: 14\r\n\r\npassword=guess", 303,
    .contains = "wrong=1", .repeat = 3 },
  /* ...a correct password for another share (which gives it a 12-hour cookie)... */
  { "other-share-unlocks", UNLOCK_R "Content-Length: 15\r\n\r\npassword=secret", 303,
    .flags = SAME_ADDR, .contains = "Max-Age=43200" },
  /* ...does not give the first share its budget back: one guess left, then 429. */
  { "budget-last-guess", UNLOCK_S "Content-Length: 14\r\n\r\npassword=guess", 303,
    .flags = SAME_ADDR, .contains = "wrong=1" },
  { "budget-still-spent", UNLOCK_S "Content-Length: 14\r\n\r\npassword=guess", 429,
    .flags = SAME_ADDR, .contains = "Retry-After" },
};

/* Probing the end of a file is a preview: it never uses up a download. */
static const HttpCase limit1_cases[] = {
  { "suffix-probes", GET_FILE "Range: bytes=-1\r\n\r\n", 206, .repeat = 20 },
  { "full-after-probes", GET_FILE "\r\n", 200, .flags = SAME_ADDR },
  { "full-past-limit", GET_FILE "\r\n", 410, .contains = "download limit" },
};

/* A resumed download (curl -C -) counts once, when it delivers the last byte. */
static const HttpCase limit2_cases[] = {
  { "first-part", GET_FILE "Range: bytes=0-999\r\n\r\n", 206 },
  { "resumed-rest", GET_FILE "Range: bytes=1000-\r\n\r\n", 206, .flags = SAME_ADDR },
  { "second-download", GET_FILE "\r\n", 200, .flags = SAME_ADDR },
  { "past-limit", GET_FILE "\r\n", 410, .flags = SAME_ADDR, .contains = "download limit" },
};

#define GROUP(name, target, cases, run) \
  { name, target, cases, sizeof cases[0], G_N_ELEMENTS (cases), run }

static const Group http_groups[] = {
  GROUP ("request-line", &main_target, request_line_cases, test_http_case),
  GROUP ("headers", &main_target, header_cases, test_http_case),
  GROUP ("host", &main_target, host_cases, test_http_case),
  GROUP ("content-length", &main_target, length_cases, test_http_case),
  GROUP ("chunked", &main_target, chunked_cases, test_http_case),
  GROUP ("range", &main_target, range_cases, test_http_case),
  GROUP ("traversal", &main_target, traversal_cases, test_http_case),
  GROUP ("tokens", &main_target, token_cases, test_http_case),
  GROUP ("tus", &main_target, tus_cases, test_http_case),
  GROUP ("rooms", &main_target, room_cases, test_http_case),
  GROUP ("ws-handshake", &main_target, ws_handshake_cases, test_http_case),
  GROUP ("password", &password_target, password_cases, test_http_case),
  GROUP ("download-limit-1", &limit1_target, limit1_cases, test_http_case),
  GROUP ("download-limit-2", &limit2_target, limit2_cases, test_http_case),
};

static gboolean
accepted (int        status,
          int        expected,
          const int *alt)
{
  for (guint i = 0; i < 3; i++)
    if (alt[i] != 0 && status == alt[i])
      return TRUE;
  return status == expected;
}

static void
test_http_case (gconstpointer data)
{
  const Item *item = data;
  const HttpCase *c = item->c;
  Target *t = target_get (item->group->target);
  g_autofree char *address = g_strdup (c->flags & SAME_ADDR ? last_address : fresh_address ());
  g_autoptr(WireResponse) response = NULL;
  gboolean closed = FALSE;

  for (guint i = 0; i < c->repeat; i++)
    {
      g_autoptr(GByteArray) request = expand (t, address, c->request);
      g_autoptr(WireResponse) earlier = exchange (t, address, request, NULL);

      assert_no_server_path (t, earlier);
      if (earlier->status == WIRE_TIMEOUT)
        g_test_message ("try %u: no answer", i + 1);
    }

  {
    g_autoptr(GByteArray) request = expand (t, address, c->request);

    g_test_message ("from %s: %.*s", address, (int) MIN (request->len, 200), request->data);
    response = exchange (t, address, request, (c->flags & CLOSES) ? &closed : NULL);
  }

  g_test_message ("answer: %s%s%.*s", describe (response->status),
                  response->head != NULL ? " | " : "",
                  response->head != NULL ? (int) MIN (strlen (response->head), 400) : 0,
                  response->head != NULL ? response->head : "");
  if (response->body->len > 0)
    g_test_message ("body: %.*s", (int) MIN (response->body->len, 300), response->body->data);
  assert_no_server_path (t, response);

  if (!accepted (response->status, c->status, c->alt))
    g_test_fail_printf ("expected %s, observed %s", describe (c->status),
                        describe (response->status));
  else if ((c->flags & CLOSES) && response->status > 0 && !closed)
    g_test_fail_printf ("answered %d but kept the connection open", response->status);
  else if (c->contains != NULL && response->status > 0 &&
           strstr (response->head, c->contains) == NULL &&
           !contains (response->body->data, response->body->len, c->contains))
    g_test_fail_printf ("answered %d without “%s”", response->status, c->contains);
}

/* ---- After each group: the server still serves ---- */

/* A plain download of report.bin from a new address: 200 and every byte. */
static void
assert_download_works (Target *t)
{
  g_autofree char *text = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                           "Connection: close\r\n\r\n", t->file_path, t->port);
  g_autoptr(GByteArray) request = g_byte_array_new_take ((guint8 *) g_strdup (text),
                                                         strlen (text));
  g_autoptr(WireResponse) response = exchange (t, fresh_address (), request, NULL);
  g_autofree char *sha = NULL;

  g_assert_cmpint (response->status, ==, 200);
  g_assert_cmpuint (response->body->len, ==, t->file_size);
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, response->body->data,
                                     response->body->len);
  g_assert_cmpstr (sha, ==, t->sha256);
}

static void
assert_health (Target *t)
{
  g_autofree char *text = g_strdup_printf ("GET /api/health HTTP/1.1\r\n"
                                           "Host: 127.0.0.1:%u\r\n\r\n", t->port);
  g_autoptr(GByteArray) request = g_byte_array_new_take ((guint8 *) g_strdup (text),
                                                         strlen (text));
  g_autoptr(WireResponse) response = exchange (t, fresh_address (), request, NULL);

  g_assert_cmpint (response->status, ==, 200);
}

static void
test_still_serving (gconstpointer data)
{
  Target *t = (Target *) data;

  if (t->server.dir == NULL)
    target_get (t);
  /* A crash shows here, and the server is started again for the next group. */
  if (!target_alive (t))
    {
      g_test_fail_printf ("the %s server died during this group", t->label);
      target_get (t);
      return;
    }
  /* Download limits used up on purpose leave only the health check. */
  if (t == &main_target)
    assert_download_works (t);
  else
    assert_health (t);
  g_assert_true (target_alive (t));
}

/* ---- WebSocket cases ---- */

enum {
  MORE = 1 << 0,      /* FIN clear: more fragments follow */
  UNMASKED = 1 << 1,  /* as only a server may send */
  RSV1 = 1 << 2,      /* a reserved bit with no extension negotiated */
  HUGE_LEN = 1 << 3,  /* announces 2^62 bytes and sends none */
  HUGE_MSB = 1 << 4,  /* announces 2^63 (the forbidden top bit) and sends none */
};

typedef struct {
  guint8 opcode;
  guint flags;
  const char *text;   /* "@T" is replaced with the send token */
  gsize fill;         /* spaces after @text */
  guint repeat;
} WsFrameSpec;

typedef struct {
  const char *name;
  WsFrameSpec frames[4];
  const char *reply;  /* a JSON message of this "type" must come back */
  int close;          /* then (or instead) a close frame with this code; 0: the connection
                       * must stay open (it answers a ping) */
  int alt_close;
  gboolean early;     /* the close must come before everything was sent */
} WsCase;

#define PING "{\"type\":\"ping\"}"

static const WsCase ws_frame_cases[] = {
  { "ping", { { WS_TEXT, 0, PING } }, "pong" },
  { "fragmented-ping", { { WS_TEXT, MORE, "{\"type\"" }, { WS_CONT, MORE, ":\"pi" },
                         { WS_CONT, 0, "ng\"}" } }, "pong" },
  { "control-between-fragments", { { WS_TEXT, MORE, "{\"type\":" }, { WS_PING, 0, "x" },
                                   { WS_CONT, 0, "\"ping\"}" } }, "pong" },
  { "fragments-past-32k", { { WS_TEXT, MORE, "{\"type\":\"ping\"", 30000 },
                            { WS_CONT, 0, NULL, 30000 } }, NULL, 1009 },
  /* Issue 10 #3: refused as soon as the total passes 32 KiB, not after reading 32 MiB. */
  { "fragments-32m", { { WS_TEXT, MORE, "[", 0 }, { WS_CONT, MORE, NULL, 30000, 1118 },
                       { WS_CONT, 0, "]" } }, NULL, 1009, .early = TRUE },
  { "many-fragments-past-32k", { { WS_TEXT, MORE, "[", 0 }, { WS_CONT, MORE, NULL, 1024, 40 },
                                 { WS_CONT, 0, "]" } }, NULL, 1009 },
  { "frame-40k", { { WS_TEXT, 0, PING, 40000 } }, NULL, 1009 },
  { "length-2^62", { { WS_TEXT, HUGE_LEN } }, NULL, 1009 },
  { "length-top-bit", { { WS_TEXT, HUGE_MSB } }, NULL, 1002, 1009 },
  { "binary", { { WS_BINARY, 0, PING } }, "error" },
  { "binary-fragmented", { { WS_BINARY, MORE, "{\"type\"" }, { WS_CONT, 0, ":\"ping\"}" } },
    "error" },
  { "invalid-json", { { WS_TEXT, 0, "{not json" } }, "error" },
  { "json-array", { { WS_TEXT, 0, "[1,2,3]" } }, "error" },
  { "empty-text", { { WS_TEXT, 0, "" } }, "error" },
  { "deep-nesting", { { WS_TEXT, 0, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                        0, 400 } }, "error" },
  { "nul-after-json", { { WS_TEXT, 0, "{\"type\":\"ping\"}\\u0000" } }, "error" },
  { "invalid-utf8", { { WS_TEXT, 0, "{\"type\":\"\377\376\"}" } }, NULL, 1007 },
  { "unmasked", { { WS_TEXT, UNMASKED, PING } }, NULL, 1002 },
  { "reserved-opcode", { { 0x3, 0, PING } }, NULL, 1002 },
  { "reserved-control-opcode", { { 0xB, 0, "" } }, NULL, 1002 },
  { "rsv1", { { WS_TEXT, RSV1, PING } }, NULL, 1002 },
  { "continuation-first", { { WS_CONT, 0, PING } }, NULL, 1002 },
  { "text-inside-fragments", { { WS_TEXT, MORE, "{" }, { WS_TEXT, 0, PING } }, NULL, 1002 },
  { "fragmented-ping-frame", { { WS_PING, MORE, "a" }, { WS_CONT, 0, "b" } }, NULL, 1002 },
  { "ping-126-bytes", { { WS_PING, 0, "", 126 } }, NULL, 1002 },
  { "close-1-byte", { { WS_CLOSE, 0, "\003" } }, NULL, 1002 },
  { "close-code-999", { { WS_CLOSE, 0, "\003\347" } }, NULL, 1002 },
  { "close-normal", { { WS_CLOSE, 0, "\003\350" } }, NULL, 1000 },
};

static const WsCase ws_signaling_cases[] = {
  { "unknown-type", { { WS_TEXT, 0, "{\"type\":\"dance\"}" } }, "error" },
  { "type-number", { { WS_TEXT, 0, "{\"type\":42}" } }, "error" },
  { "type-object", { { WS_TEXT, 0, "{\"type\":{\"type\":\"ping\"}}" } }, "error" },
  { "subscribe-no-token", { { WS_TEXT, 0, "{\"type\":\"subscribe\"}" } }, "error" },
  { "subscribe-token-number", { { WS_TEXT, 0, "{\"type\":\"subscribe\",\"token\":7}" } }, "error" },
  { "subscribe-bogus", { { WS_TEXT, 0, "{\"type\":\"subscribe\",\"token\":\"AAAAAAAAAAAAAAAAAAAAAA\"}" } },
    "error", 1008 },
  { "subscribe-nul-token", { { WS_TEXT, 0, "{\"type\":\"subscribe\",\"token\":\"\\u0000@T\"}" } },
    "error", 1008 },
  { "subscribe-ok", { { WS_TEXT, 0, "{\"type\":\"subscribe\",\"token\":\"@T\"}" },
                      { WS_TEXT, 0, PING } }, "pong" },
  { "subscribe-twice", { { WS_TEXT, 0, "{\"type\":\"subscribe\",\"token\":\"@T\"}" },
                         { WS_TEXT, 0, "{\"type\":\"subscribe\",\"token\":\"@RT\"}" } }, "error" },
  { "signal-outside-room", { { WS_TEXT, 0, "{\"type\":\"room-signal\",\"to\":\"p1\",\"data\":{}}" } },
    "error" },
  { "join-unknown-room", { { WS_TEXT, 0, "{\"type\":\"room-join\",\"room\":\"AAAAAAAA\"}" } },
    "error" },
  { "join-room-object", { { WS_TEXT, 0, "{\"type\":\"room-join\",\"room\":{}}" } }, "error" },
  { "join-room-nul", { { WS_TEXT, 0, "{\"type\":\"room-join\",\"room\":\"\\u0000\"}" } }, "error" },
  { "signal-to-self", { { WS_TEXT, 0, "{\"type\":\"room-create\"}" },
                        { WS_TEXT, 0, "{\"type\":\"room-signal\",\"to\":\"p0\",\"data\":{}}" } },
    "error" },
  { "signal-data-string", { { WS_TEXT, 0, "{\"type\":\"room-create\"}" },
                            { WS_TEXT, 0, "{\"type\":\"room-signal\",\"to\":\"p1\",\"data\":\"x\"}" } },
    "error" },
  { "signal-peer-overflow", { { WS_TEXT, 0, "{\"type\":\"room-create\"}" },
                              { WS_TEXT, 0, "{\"type\":\"room-signal\","
                                "\"to\":\"p99999999999999999999999\",\"data\":{}}" } }, "error" },
  { "room-create-flood", { { WS_TEXT, 0, "{\"type\":\"room-create\"}", 0, 11 } }, "error" },
  { "join-probing", { { WS_TEXT, 0, "{\"type\":\"room-join\",\"room\":\"ABCDEFGH\"}", 0, 40 } },
    "error" },
  { "rtc-answer-unasked", { { WS_TEXT, 0, "{\"type\":\"rtc-answer\",\"sdp\":\"v=0\"}" } }, "error" },
  { "rtc-connect-bogus", { { WS_TEXT, 0, "{\"type\":\"rtc-connect\",\"token\":\"AAAA\"}" } },
    "error", 1008 },
};

static const WsCase ws_locked_cases[] = {
  { "subscribe-locked", { { WS_TEXT, 0, "{\"type\":\"subscribe\",\"token\":\"@T\"}" } }, "error",
    1008 },
};

static const Group ws_groups[] = {
  GROUP ("ws-frames", &main_target, ws_frame_cases, test_ws_case),
  GROUP ("ws-signaling", &main_target, ws_signaling_cases, test_ws_case),
  GROUP ("ws-locked", &password_target, ws_locked_cases, test_ws_case),
};

static WireConn *
ws_open (Target     *t,
         const char *address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WireConn) conn = wire_connect (t->port, address, &error);
  g_autofree char *handshake = NULL;
  g_autoptr(WireResponse) response = NULL;

  if (conn == NULL)
    {
      g_test_fail_printf ("connecting: %s", error->message);
      return NULL;
    }
  handshake = g_strdup_printf ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n" WS_OK "\r\n", t->port);
  wire_send (conn, (const guint8 *) handshake, strlen (handshake), FALSE);
  response = wire_read_response (conn, ANSWER_MS, TRUE);
  if (response->status != 101)
    {
      g_test_fail_printf ("the handshake answered %s", describe (response->status));
      return NULL;
    }
  return g_steal_pointer (&conn);
}

static void
ws_add_frame (Target            *t,
              GByteArray        *out,
              const WsFrameSpec *spec)
{
  g_autoptr(GString) payload = g_string_new (NULL);
  guint64 declared;

  if (spec->text != NULL)
    {
      g_autofree char *token = g_strconcat ("\"", t->token, NULL);
      g_autofree char *rtoken = g_strconcat ("\"", t->rtoken, NULL);
      g_autofree char *text = g_strdup (spec->text);
      g_auto(GStrv) parts = g_strsplit (text, "\"@RT", -1);
      g_autofree char *joined = g_strjoinv (rtoken, parts);
      g_auto(GStrv) parts2 = g_strsplit (joined, "\"@T", -1);
      g_autofree char *final = g_strjoinv (token, parts2);

      g_string_append (payload, final);
    }
  for (gsize i = 0; i < spec->fill; i++)
    g_string_append_c (payload, spec->opcode == WS_TEXT || spec->opcode == WS_CONT ? ' ' : 'x');

  declared = payload->len;
  if (spec->flags & HUGE_LEN)
    declared = G_GUINT64_CONSTANT (1) << 62;
  if (spec->flags & HUGE_MSB)
    declared = G_GUINT64_CONSTANT (1) << 63;

  for (guint i = 0; i < MAX (spec->repeat, 1); i++)
    wire_ws_frame (out, !(spec->flags & MORE), (spec->flags & RSV1) ? 4 : 0, spec->opcode,
                   !(spec->flags & UNMASKED), (const guint8 *) payload->str,
                   (spec->flags & (HUGE_LEN | HUGE_MSB)) ? 0 : payload->len, declared);
}

/* Reads frames until a text message whose "type" is @type, or a close frame (its code in
 * @close_code, else 0 when the connection just ended or went quiet). */
static gboolean
ws_wait (WireConn   *conn,
         const char *type,
         int        *close_code)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autoptr(GByteArray) message = g_byte_array_new ();
  guint8 opcode;
  gboolean fin;

  *close_code = 0;
  while (wire_ws_read_frame (conn, ANSWER_MS, &opcode, &fin, payload))
    {
      if (opcode == WS_CLOSE)
        {
          *close_code = payload->len >= 2 ? (payload->data[0] << 8) | payload->data[1] : 1005;
          return FALSE;
        }
      if (opcode != WS_TEXT && opcode != WS_CONT)
        continue;
      g_byte_array_append (message, payload->data, payload->len);
      if (!fin)
        continue;

      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        JsonNode *root;

        g_test_message ("message: %.*s", (int) MIN (message->len, 200), message->data);
        if (type != NULL &&
            json_parser_load_from_data (parser, (const char *) message->data, message->len,
                                        NULL) &&
            (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
            g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root),
                                                                   "type", NULL), type) == 0)
          return TRUE;
      }
      g_byte_array_set_size (message, 0);
    }

  return FALSE;
}

static void
test_ws_case (gconstpointer data)
{
  const Item *item = data;
  const WsCase *c = item->c;
  Target *t = target_get (item->group->target);
  g_autoptr(WireConn) conn = ws_open (t, fresh_address ());
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  int close_code = 0;

  if (conn == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (c->frames) && (c->frames[i].text != NULL ||
                                                      c->frames[i].fill > 0 ||
                                                      c->frames[i].flags != 0 ||
                                                      c->frames[i].opcode != 0); i++)
    ws_add_frame (t, frames, &c->frames[i]);
  if (wire_send (conn, frames->data, frames->len, c->early) == frames->len && c->early)
    g_test_fail_printf ("the server read all %u bytes before answering", frames->len);

  if (c->reply != NULL && !ws_wait (conn, c->reply, &close_code))
    {
      g_test_fail_printf ("expected a “%s” message, observed %s %d", c->reply,
                          close_code != 0 ? "close" : "nothing, connection state",
                          close_code != 0 ? close_code : (int) conn->eof);
      return;
    }

  if (c->close != 0)
    {
      if (close_code == 0)
        ws_wait (conn, NULL, &close_code);
      if (close_code != c->close && (c->alt_close == 0 || close_code != c->alt_close))
        g_test_fail_printf ("expected close code %d, observed %s %d", c->close,
                            close_code != 0 ? "close code" : "no close frame, eof =",
                            close_code != 0 ? close_code : (int) conn->eof);
      return;
    }

  /* The connection stays open and answers. */
  {
    g_autoptr(GByteArray) ping = g_byte_array_new ();

    wire_ws_frame (ping, TRUE, 0, WS_TEXT, TRUE, (const guint8 *) PING, strlen (PING),
                   strlen (PING));
    wire_send (conn, ping->data, ping->len, FALSE);
    if (!ws_wait (conn, "pong", &close_code))
      g_test_fail_printf ("the connection did not stay open: %s %d",
                          close_code != 0 ? "close code" : "eof =",
                          close_code != 0 ? close_code : (int) conn->eof);
  }
}

/* ---- Cases that need more than one request ---- */

static WireResponse *
send_text (Target     *t,
           const char *address,
           const char *text,
           gsize       len)
{
  g_autoptr(GByteArray) request = g_byte_array_new ();

  g_byte_array_append (request, (const guint8 *) text, len);
  return exchange (t, address, request, NULL);
}

/* POSTs a tus creation for @name (raw bytes, any) of @length bytes; returns the answer. */
static WireResponse *
tus_create (Target     *t,
            const char *address,
            const char *name,
            const char *relative_path,
            guint64     length)
{
  g_autofree char *b64name = g_base64_encode ((const guchar *) name, strlen (name));
  g_autofree char *b64path = relative_path != NULL
                             ? g_base64_encode ((const guchar *) relative_path,
                                                strlen (relative_path))
                             : NULL;
  g_autofree char *request =
    g_strdup_printf ("POST /r/%s/uploads/ HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n" TUS
                     "Upload-Length: %" G_GUINT64_FORMAT "\r\n"
                     "Upload-Metadata: filename %s%s%s\r\nConnection: close\r\n\r\n",
                     t->rtoken, t->port, length, b64name, b64path != NULL ? ",relativePath " : "",
                     b64path != NULL ? b64path : "");

  return send_text (t, address, request, strlen (request));
}

static WireResponse *
tus_patch (Target     *t,
           const char *address,
           const char *location,
           const char *data)
{
  g_autofree char *request =
    g_strdup_printf ("PATCH %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n" TUS_PATCH
                     "Upload-Offset: 0\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     location, t->port, strlen (data), data);

  return send_text (t, address, request, strlen (request));
}

/* Issue 10 #12: an empty file is complete as soon as it is created. */
static void
test_zero_length (void)
{
  Target *t = target_get (&main_target);
  g_autoptr(WireResponse) created = tus_create (t, fresh_address (), "empty-hostile.txt", NULL, 0);
  const char *finished[] = { "\"upload-finished\"", "empty-hostile.txt", "complete", NULL };
  g_autofree char *saved = g_build_filename (t->inbox, "empty-hostile.txt", NULL);

  g_assert_cmpint (created->status, ==, 201);
  g_assert_true (target_wait_event (t, finished, 5));
  g_assert_true (g_file_test (saved, G_FILE_TEST_IS_REGULAR));
}

/* Issue 10 #8: refused deep paths leave no folder behind. */
static void
test_deep_paths_leave_nothing (void)
{
  Target *t = target_get (&main_target);
  g_autofree char *deep = g_build_filename (t->inbox, "d", NULL);
  g_autofree char *longp = g_build_filename (t->inbox, "lllll", NULL);
  g_autoptr(GDir) dir = g_dir_open (t->inbox, 0, NULL);
  const char *name;

  g_assert_false (g_file_test (deep, G_FILE_TEST_EXISTS));
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "lllll"));
}

/* Issue 10 #6: a symlink inside the receive folder never leads an upload out of it. */
static void
test_symlink_escape (void)
{
  Target *t = target_get (&main_target);
  g_autofree char *outside = g_build_filename (t->server.dir, "outside", NULL);
  g_autofree char *link = g_build_filename (t->inbox, "linkdir", NULL);
  g_autofree char *escaped = g_build_filename (outside, "escaped.txt", NULL);
  g_autoptr(WireResponse) created = NULL;
  const char *address = fresh_address ();

  g_assert_no_errno (g_mkdir (outside, 0700));
  g_assert_no_errno (symlink (outside, link));
  created = tus_create (t, address, "escaped.txt", "linkdir/escaped.txt", 4);
  g_test_message ("creation answered %s", describe (created->status));
  assert_no_server_path (t, created);
  if (created->status == 201)
    {
      g_autofree char *location = wire_response_header (created, "Location");
      g_autoptr(WireResponse) patched = tus_patch (t, address, location, "evil");

      g_test_message ("PATCH answered %s", describe (patched->status));
      assert_no_server_path (t, patched);
    }
  else if (created->status != 400 && created->status != 403 && created->status != 409)
    g_test_fail_printf ("creation answered %s", describe (created->status));

  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  {
    g_autofree char *part = g_strconcat (escaped, ".part", NULL);

    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }
}

static void
age_file (const char *path)
{
  struct utimbuf hour_ago;

  hour_ago.actime = hour_ago.modtime = time (NULL) - 3600;
  g_assert_no_errno (utime (path, &hour_ago));
}

/* The user's own old .part file waits in the receive folder from the start. */
static void
prepare_main (const char *inbox)
{
  g_autofree char *own = g_build_filename (inbox, "users-own.part", NULL);

  g_assert_true (g_file_set_contents (own, "mine", 4, NULL));
  age_file (own);
}

/* Issue 10 #5: the stale .part cleanup removes only what ShareSync made: not a received
 * file that its sender named notes.part, nor the user's own old .part file. */
static void
test_part_cleanup (void)
{
  Target *t = target_get (&main_target);
  const char *address = fresh_address ();
  g_autoptr(WireResponse) created = tus_create (t, address, "notes.part", NULL, 5);
  g_autofree char *location = wire_response_header (created, "Location");
  g_autoptr(WireResponse) patched = NULL;
  g_autofree char *notes = g_build_filename (t->inbox, "notes.part", NULL);
  g_autofree char *own = g_build_filename (t->inbox, "users-own.part", NULL);

  g_assert_cmpint (created->status, ==, 201);
  patched = tus_patch (t, address, location, "notes");
  g_assert_cmpint (patched->status, ==, 204);
  g_assert_true (g_file_test (notes, G_FILE_TEST_IS_REGULAR));
  age_file (notes);

  /* The cleanup runs every second here. */
  g_usleep (3 * G_USEC_PER_SEC);
  g_assert_true (g_file_test (notes, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (own, G_FILE_TEST_IS_REGULAR));
}

/* Issue 10 #4: connections that stop reading big downloads do not delay another client's
 * first byte by more than 100 ms. */
static void
test_stalled_readers (void)
{
  Target *t = target_get (&main_target);
  g_autoptr(GPtrArray) stalled = g_ptr_array_new_with_free_func ((GDestroyNotify) wire_conn_free);
  g_autofree char *big = g_strdup_printf ("GET /s/%s/f/1/big.bin HTTP/1.1\r\n"
                                          "Host: 127.0.0.1:%u\r\n\r\n", t->token, t->port);
  g_autofree char *small = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                            "Connection: close\r\n\r\n", t->file_path, t->port);
  gint64 best = G_MAXINT64;

  /* Twelve readers that never read, from four addresses. */
  for (guint a = 0; a < 4; a++)
    {
      const char *address = fresh_address ();

      for (guint i = 0; i < 3; i++)
        {
          WireConn *conn = wire_connect (t->port, address, NULL);

          g_assert_nonnull (conn);
          wire_send (conn, (const guint8 *) big, strlen (big), FALSE);
          g_ptr_array_add (stalled, conn);
        }
    }
  g_usleep (G_USEC_PER_SEC);

  /* The best of three tries, so that a busy test machine does not decide. The file is
   * 100 kB: on loopback all of it comes at once with its first byte. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(WireConn) conn = wire_connect (t->port, fresh_address (), NULL);
      g_autoptr(WireResponse) response = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 took;
      g_autofree char *sha = NULL;

      g_assert_nonnull (conn);
      wire_send (conn, (const guint8 *) small, strlen (small), FALSE);
      response = wire_read_response (conn, ANSWER_MS, FALSE);
      took = g_get_monotonic_time () - start;
      g_test_message ("try %u: %s, %u body bytes after %" G_GINT64_FORMAT " ms", i,
                      describe (response->status), response->body->len, took / 1000);
      if (response->status != 200 || response->body->len != t->file_size)
        continue;
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, response->body->data,
                                         response->body->len);
      g_assert_cmpstr (sha, ==, t->sha256);
      best = MIN (best, took);
    }

  if (best == G_MAXINT64)
    g_test_message ("no download arrived whole while the readers stalled");
  else
    g_test_message ("best whole download: %" G_GINT64_FORMAT " ms", best / 1000);
  g_assert_cmpint (best, <=, 100 * 1000);
}

/* Issue 10 #7: with --max-downloads 1, three downloads sent together get the file once;
 * the others 410, or 503 with Retry-After while the first is still running. */
static void
test_download_race (void)
{
  Target *t = target_get (&race_target);
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                                              t->file_path, t->port);
  WireConn *conns[3];
  guint ok = 0;

  for (guint i = 0; i < G_N_ELEMENTS (conns); i++)
    {
      conns[i] = wire_connect (t->port, fresh_address (), NULL);
      g_assert_nonnull (conns[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (conns); i++)
    wire_send (conns[i], (const guint8 *) request, strlen (request), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (conns); i++)
    {
      g_autoptr(WireResponse) response = wire_read_response (conns[i], ANSWER_MS, TRUE);
      g_autofree char *retry = wire_response_header (response, "Retry-After");

      g_test_message ("download %u: %s", i, describe (response->status));
      if (response->status == 200)
        ok++;
      else if (response->status == 503)
        g_assert_nonnull (retry);
      else if (response->status != 410)
        g_test_fail_printf ("download %u answered %s", i, describe (response->status));
    }
  for (guint i = 0; i < G_N_ELEMENTS (conns); i++)
    wire_conn_free (conns[i]);

  g_assert_cmpuint (ok, ==, 1);
  g_assert_true (target_alive (t));
}

/* Issue 10 #10: at most 32 unfinished uploads per address (checked in the tus table) and
 * 1024 in all: 503 with Retry-After past it. */
static void
test_pending_total (void)
{
  Target *t = target_get (&caps_target);
  guint created = 0;

  for (guint a = 0; a < 32; a++)
    {
      g_autofree char *address = g_strdup (fresh_address ());

      for (guint i = 0; i < 32; i++)
        {
          g_autofree char *name = g_strdup_printf ("pending-%u-%u.bin", a, i);
          g_autoptr(WireResponse) response = tus_create (t, address, name, NULL, 10);

          if (response->status != 201)
            {
              g_test_fail_printf ("creation %u from %s answered %s", i, address,
                                  describe (response->status));
              return;
            }
          created++;
        }
    }

  {
    g_autoptr(WireResponse) response = tus_create (t, fresh_address (), "one-more.bin", NULL,
                                                   10);
    g_autofree char *retry = wire_response_header (response, "Retry-After");

    g_test_message ("after %u unfinished uploads: %s", created, describe (response->status));
    g_assert_cmpint (response->status, ==, 503);
    g_assert_nonnull (retry);
  }
  g_assert_true (target_alive (t));
}

/* The receive folder already holds x, x (1) ... x (9997). */
static void
prepare_collisions (const char *inbox)
{
  for (guint n = 0; n < 9998; n++)
    {
      g_autofree char *name = n == 0 ? g_strdup ("x") : g_strdup_printf ("x (%u)", n);
      g_autofree char *path = g_build_filename (inbox, name, NULL);

      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
}

/* Issue 10 #1: two uploads end up racing for the last free name. Both must complete under
 * names of their own, and the server must live (it crashed: a NULL error dereferenced). */
static void
test_name_collision (void)
{
  Target *t = target_get (&collision_target);
  const char *address = fresh_address ();
  g_autoptr(WireResponse) first = tus_create (t, address, "x", NULL, 1);
  g_autoptr(WireResponse) second = tus_create (t, address, "x", NULL, 1);
  g_autofree char *first_at = wire_response_header (first, "Location");
  g_autofree char *second_at = wire_response_header (second, "Location");
  g_autofree char *taken = g_build_filename (t->inbox, "x (9998)", NULL);
  g_autoptr(WireResponse) first_done = NULL;
  g_autoptr(WireResponse) second_done = NULL;
  g_autofree char *first_name = NULL;
  g_autofree char *second_name = NULL;

  g_assert_cmpint (first->status, ==, 201);
  g_assert_cmpint (second->status, ==, 201);

  /* Meanwhile the name the first upload would have had is taken (by the user, or another
   * upload): the first finishes under the second's, and the second has none left. */
  g_assert_true (g_file_set_contents (taken, "", 0, NULL));
  first_done = tus_patch (t, address, first_at, "1");
  second_done = tus_patch (t, address, second_at, "2");
  g_test_message ("first: %s, second: %s", describe (first_done->status),
                  describe (second_done->status));
  assert_no_server_path (t, second_done);

  g_assert_true (target_alive (t));
  g_assert_cmpint (first_done->status, ==, 204);
  g_assert_cmpint (second_done->status, ==, 204);
  first_name = wire_response_header (first_done, "Upload-Saved-As");
  second_name = wire_response_header (second_done, "Upload-Saved-As");
  g_assert_nonnull (first_name);
  g_assert_nonnull (second_name);
  g_assert_cmpstr (first_name, !=, second_name);
}

/* Issue 10 #13: the data folder is private, and so is the history. */
static void
test_storage_modes (void)
{
  Target *t = target_get (&main_target);
  g_autofree char *data = g_build_filename (t->server.dir, "data", NULL);
  const char *files[] = { "history.db", "history.db-wal", "history.db-shm" };
  struct stat st;

  g_assert_no_errno (g_stat (data, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (data, files[i], NULL);

      if (g_stat (path, &st) != 0)
        continue;
      g_test_message ("%s: %o", files[i], st.st_mode & 0777);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }
}

/* Adds a test per case of @group, then one that checks the server still serves. Every
 * case struct starts with its name. */
static gsize
add_group (const Group *group,
           GPtrArray   *items)
{
  g_autofree char *check = g_strdup_printf ("/hostile/%s/~still-serving", group->name);

  for (gsize i = 0; i < group->n_cases; i++)
    {
      Item *item = g_new0 (Item, 1);
      g_autofree char *path = NULL;

      item->group = group;
      item->c = (const char *) group->cases + i * group->case_size;
      path = g_strdup_printf ("/hostile/%s/%s", group->name, *(const char * const *) item->c);
      g_ptr_array_add (items, item);
      g_test_add_data_func (path, item, group->run);
    }
  g_test_add_data_func (check, group->target, test_still_serving);
  return group->n_cases;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  guint n_cases = 0;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* One failing case must not hide the others. */
  g_test_set_nonfatal_assertions ();
  signal (SIGPIPE, SIG_IGN);
  signal (SIGTERM, on_fatal_signal);
  signal (SIGABRT, on_fatal_signal);
  signal (SIGSEGV, on_fatal_signal);
  signal (SIGTRAP, on_fatal_signal);

  for (guint g = 0; g < G_N_ELEMENTS (http_groups); g++)
    n_cases += add_group (&http_groups[g], items);
  for (guint g = 0; g < G_N_ELEMENTS (ws_groups); g++)
    n_cases += add_group (&ws_groups[g], items);

  g_test_add_func ("/hostile/more/zero-length-upload", test_zero_length);
  g_test_add_func ("/hostile/more/deep-paths-leave-nothing", test_deep_paths_leave_nothing);
  g_test_add_func ("/hostile/more/symlink-escape", test_symlink_escape);
  g_test_add_func ("/hostile/more/part-cleanup", test_part_cleanup);
  g_test_add_func ("/hostile/more/stalled-readers", test_stalled_readers);
  g_test_add_func ("/hostile/more/download-race", test_download_race);
  g_test_add_func ("/hostile/more/pending-total", test_pending_total);
  g_test_add_func ("/hostile/more/name-collision", test_name_collision);
  g_test_add_func ("/hostile/more/storage-modes", test_storage_modes);
  g_test_add_data_func ("/hostile/more/~still-serving", &main_target, test_still_serving);
  n_cases += 9;

  g_test_message ("%u hostile cases", n_cases);
  status = g_test_run ();

  for (guint i = 0; i < G_N_ELEMENTS (all_targets); i++)
    target_stop (all_targets[i]);
  return status;
}
