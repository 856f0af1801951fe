/* test-access.c: who may use a share, against the real headless server: passwords and
 * their cookie, rate limits, expiry, download limits, the owner's statistics, stopping
 * with transfers in flight, and the cleanup of stale .part files.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include "ssync-history.h"
#include "ssync-test-server.h"

typedef struct {
  SsyncTestServer server;
  char *send;      /* /s/TOKEN */
  char *receive;   /* /r/TOKEN */
  char *inbox;
  char *owner_token;
  gsize file_size;  /* of the shared report.bin; 3 MiB unless a test says otherwise */
  SoupSession *session;
} Fixture;

static void
start (Fixture            *fixture,
       const char * const *env,
       const char * const *extra)
{
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *file = ssync_test_write_random (fixture->server.dir, "files/report.bin",
                                                   fixture->file_size > 0 ? fixture->file_size
                                                                          : 3 * 1024 * 1024);
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;

  /* A test may start the server again, or have made the inbox itself. */
  g_free (fixture->inbox);
  fixture->inbox = g_build_filename (fixture->server.dir, "inbox", NULL);
  g_mkdir_with_parents (fixture->inbox, 0700);
  if (extra != NULL)
    g_strv_builder_addv (args, (const char **) extra);
  g_strv_builder_add_many (args, "--receive", fixture->inbox, file, NULL);
  argv = g_strv_builder_end (args);

  ssync_test_server_start (&fixture->server, env, (const char * const *) argv);
  first = ssync_test_server_read_event (&fixture->server, "share");
  second = ssync_test_server_read_event (&fixture->server, "share");
  for (JsonObject *share = first; share != NULL; share = share == first ? second : NULL)
    {
      const char *url = json_object_get_string_member (share, "url") +
                        strlen (fixture->server.base);

      char **slot = g_str_has_prefix (url, "/s/") ? &fixture->send : &fixture->receive;

      g_free (*slot);
      *slot = g_strdup (url);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server.dir = g_dir_make_tmp ("ssync-access-XXXXXX", &error);
  g_assert_no_error (error);
  /* No cookie jar: the tests carry cookies by hand. */
  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *dir = g_strdup (fixture->server.dir);

  g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
  ssync_test_remove_tree (dir);
  g_free (fixture->server.dir);
  g_free (fixture->send);
  g_free (fixture->receive);
  g_free (fixture->inbox);
  g_free (fixture->owner_token);
  g_clear_object (&fixture->session);
}

static SoupMessage *
request (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *cookie,
         const char *form)
{
  g_autofree char *url = g_strconcat (fixture->server.base, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (cookie != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", cookie);
  if (form != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
    }

  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (msg), "body",
                          g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)),
                          g_free);
  return msg;
}

static guint
status_of (Fixture    *fixture,
           const char *method,
           const char *path,
           const char *cookie)
{
  g_autoptr(SoupMessage) msg = request (fixture, method, path, cookie, NULL);

  return soup_message_get_status (msg);
}

static const char *
header (SoupMessage *msg,
        const char  *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (msg), name);
}

/* "name=value" of the Set-Cookie header, checking its attributes on the way. */
static char *
unlock (Fixture    *fixture,
        const char *page,
        const char *password)
{
  g_autofree char *path = g_strconcat (page, "/unlock", NULL);
  g_autofree char *form = g_strconcat ("password=", password, NULL);
  g_autoptr(SoupMessage) msg = request (fixture, "POST", path, NULL, form);
  const char *cookie = header (msg, "Set-Cookie");

  g_assert_cmpuint (soup_message_get_status (msg), ==, 303);
  if (cookie == NULL)
    {
      g_autofree char *wrong = g_strconcat (page, "?wrong=1", NULL);

      g_assert_cmpstr (header (msg, "Location"), ==, wrong);
      return NULL;
    }

  g_assert_cmpstr (header (msg, "Location"), ==, page);
  g_assert_nonnull (strstr (cookie, "; HttpOnly"));
  g_assert_nonnull (strstr (cookie, "; SameSite=Strict"));
  return g_strndup (cookie, strchr (cookie, ';') - cookie);
}

static void
test_password (Fixture       *fixture,
               gconstpointer  data)
{
  const char *args[] = { "--password", "correct horse", NULL };
  g_autofree char *files = NULL;
  g_autofree char *file = NULL;
  g_autofree char *zip = NULL;
  g_autofree char *uploads = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *receive_cookie = NULL;

  start (fixture, NULL, args);
  files = g_strconcat ("/api/files/", fixture->send + 3, NULL);
  file = g_strconcat (fixture->send, "/f/0/report.bin", NULL);
  zip = g_strconcat (fixture->send, "/archive.zip", NULL);
  uploads = g_strconcat (fixture->receive, "/uploads/", NULL);

  /* Locked: the page asks for the password, everything else is refused. */
  {
    g_autoptr(SoupMessage) page = request (fixture, "GET", fixture->send, NULL, NULL);

    g_assert_cmpuint (soup_message_get_status (page), ==, 401);
    g_assert_nonnull (strstr (g_object_get_data (G_OBJECT (page), "body"), "password"));
  }
  g_assert_cmpuint (status_of (fixture, "GET", files, NULL), ==, 401);
  g_assert_cmpuint (status_of (fixture, "GET", file, NULL), ==, 401);
  g_assert_cmpuint (status_of (fixture, "GET", zip, NULL), ==, 401);
  g_assert_cmpuint (status_of (fixture, "GET", fixture->receive, NULL), ==, 401);
  g_assert_cmpuint (status_of (fixture, "OPTIONS", uploads, NULL), ==, 401);

  g_assert_null (unlock (fixture, fixture->send, "wrong"));
  cookie = unlock (fixture, fixture->send, "correct%20horse");
  g_assert_nonnull (cookie);

  g_assert_cmpuint (status_of (fixture, "GET", fixture->send, cookie), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", files, cookie), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", file, cookie), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", zip, cookie), ==, 200);
  /* One unlock opens exactly one share. */
  g_assert_cmpuint (status_of (fixture, "GET", fixture->receive, cookie), ==, 401);
  /* A made-up cookie opens nothing. */
  {
    g_autofree char *name = g_strndup (cookie, strchr (cookie, '=') - cookie);
    g_autofree char *forged = g_strconcat (name, "=AAAAAAAAAAAAAAAAAAAAAA", NULL);

    g_assert_cmpuint (status_of (fixture, "GET", file, forged), ==, 401);
  }

  receive_cookie = unlock (fixture, fixture->receive, "correct%20horse");
  g_assert_nonnull (receive_cookie);
  g_assert_cmpuint (status_of (fixture, "GET", fixture->receive, receive_cookie), ==, 200);
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SoupWebsocketConnection **conn = user_data;
  g_autoptr(GError) error = NULL;

  *conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static void
on_ws_message (SoupWebsocketConnection *conn,
               gint                     type,
               GBytes                  *message,
               char                   **reply)
{
  if (*reply == NULL)
    *reply = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
}

/* Subscribes to the share of @page over /ws with @cookie, then pings: returns the first
 * message the server answers (its pong when the subscription was accepted). */
static char *
ws_subscribe (Fixture    *fixture,
              const char *page,
              const char *cookie)
{
  g_autofree char *url = g_strconcat (fixture->server.base, "/ws", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(SoupWebsocketConnection) conn = NULL;
  g_autofree char *subscribe = g_strdup_printf ("{\"type\":\"subscribe\",\"token\":\"%s\"}",
                                                page + 3);
  char *reply = NULL;

  if (cookie != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", cookie);
  soup_session_websocket_connect_async (fixture->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_ws_connected, &conn);
  while (conn == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_signal_connect (conn, "message", G_CALLBACK (on_ws_message), &reply);
  soup_websocket_connection_send_text (conn, subscribe);
  soup_websocket_connection_send_text (conn, "{\"type\":\"ping\"}");
  while (reply == NULL)
    g_main_context_iteration (NULL, TRUE);

  return reply;
}

static void
test_websocket_password (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *args[] = { "--password", "secret", NULL };
  g_autofree char *locked = NULL;
  g_autofree char *open = NULL;
  g_autofree char *cookie = NULL;

  start (fixture, NULL, args);
  locked = ws_subscribe (fixture, fixture->send, NULL);
  g_assert_nonnull (strstr (locked, "\"type\":\"error\""));
  g_assert_nonnull (strstr (locked, "password"));

  cookie = unlock (fixture, fixture->send, "secret");
  open = ws_subscribe (fixture, fixture->send, cookie);
  g_assert_cmpstr (open, ==, "{\"type\":\"pong\"}");
}

static void
test_unlock_rate_limit (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *args[] = { "--password", "secret", NULL };
  g_autofree char *path = NULL;
  guint limited = 0;

  start (fixture, NULL, args);
  path = g_strconcat (fixture->send, "/unlock", NULL);

  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(SoupMessage) msg = request (fixture, "POST", path, NULL, "password=guess");

      if (soup_message_get_status (msg) == 429)
        {
          const char *body = g_object_get_data (G_OBJECT (msg), "body");
          g_autofree char *retry = g_strdup_printf ("Try again in %s second",
                                                    header (msg, "Retry-After"));
          g_autofree char *back = g_strdup_printf ("href=\"%s\"", fixture->send);

          limited++;
          g_assert_cmpuint (g_ascii_strtoull (header (msg, "Retry-After"), NULL, 10), >=, 1);
          /* A page a person reads: styled, with the wait and a way back to the password. */
          g_assert_true (g_str_has_prefix (header (msg, "Content-Type"), "text/html"));
          g_assert_nonnull (strstr (body, "/static/share.css"));
          g_assert_nonnull (strstr (body, "Too many wrong passwords"));
          g_assert_nonnull (strstr (body, retry));
          g_assert_nonnull (strstr (body, back));
        }
      else
        g_assert_cmpuint (soup_message_get_status (msg), ==, 303);
    }

  /* Five attempts at once, then one every 12 seconds. */
  g_assert_cmpuint (limited, ==, 3);
}

static void
test_api_rate_limit (Fixture       *fixture,
                     gconstpointer  data)
{
  guint ok = 0, limited = 0;

  start (fixture, NULL, NULL);
  for (guint i = 0; i < 200; i++)
    {
      guint status = status_of (fixture, "GET", "/api/health", NULL);

      ok += status == 200;
      limited += status == 429;
    }

  g_assert_cmpuint (ok, >=, 120);
  g_assert_cmpuint (limited, >, 0);
  g_assert_cmpuint (ok + limited, ==, 200);
}

static void
test_expiry (Fixture       *fixture,
             gconstpointer  data)
{
  const char *args[] = { "--expires", "2s", NULL };
  g_autofree char *file = NULL;
  g_autofree char *files = NULL;

  start (fixture, NULL, args);
  file = g_strconcat (fixture->send, "/f/0/report.bin", NULL);
  files = g_strconcat ("/api/files/", fixture->send + 3, NULL);

  g_assert_cmpuint (status_of (fixture, "GET", fixture->send, NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "HEAD", file, NULL), ==, 200);
  g_usleep (2500 * 1000);

  {
    g_autoptr(SoupMessage) page = request (fixture, "GET", fixture->send, NULL, NULL);

    g_assert_cmpuint (soup_message_get_status (page), ==, 410);
    g_assert_nonnull (strstr (g_object_get_data (G_OBJECT (page), "body"), "expired"));
    g_assert_cmpstr (header (page, "X-ShareSync-Ended"), ==, "expired");
  }
  g_assert_cmpuint (status_of (fixture, "GET", file, NULL), ==, 410);
  g_assert_cmpuint (status_of (fixture, "GET", files, NULL), ==, 410);
  g_assert_cmpuint (status_of (fixture, "GET", fixture->receive, NULL), ==, 410);
}

static void
test_max_downloads (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *args[] = { "--max-downloads", "2", NULL };
  g_autofree char *file = NULL;
  g_autofree char *files = NULL;

  start (fixture, NULL, args);
  file = g_strconcat (fixture->send, "/f/0/report.bin", NULL);
  files = g_strconcat ("/api/files/", fixture->send + 3, NULL);

  /* Page views, HEAD, the listing and a preview of the first bytes use nothing up. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (status_of (fixture, "GET", fixture->send, NULL), ==, 200);
      g_assert_cmpuint (status_of (fixture, "HEAD", file, NULL), ==, 200);
      g_assert_cmpuint (status_of (fixture, "GET", files, NULL), ==, 200);
    }
  {
    g_autofree char *url = g_strconcat (fixture->server.base, file, NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

    soup_message_headers_set_range (soup_message_get_request_headers (msg), 0, 99);
    g_bytes_unref (soup_session_send_and_read (fixture->session, msg, NULL, NULL));
    g_assert_cmpuint (soup_message_get_status (msg), ==, 206);
  }

  g_assert_cmpuint (status_of (fixture, "GET", file, NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", file, NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", file, NULL), ==, 410);
  {
    g_autoptr(SoupMessage) page = request (fixture, "GET", fixture->send, NULL, NULL);

    /* The page names the real reason, for people and for the page's script. */
    g_assert_cmpuint (soup_message_get_status (page), ==, 410);
    g_assert_cmpstr (header (page, "X-ShareSync-Ended"), ==, "limit");
    g_assert_nonnull (strstr (g_object_get_data (G_OBJECT (page), "body"),
                              "This share reached its download limit"));
  }
}

static void
test_owner_stats (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *token_path = g_build_filename (fixture->server.dir, "data", "owner-token",
                                                  NULL);
  g_autofree char *token = NULL;
  g_autofree char *bearer = NULL;
  g_autofree char *file = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  start (fixture, NULL, NULL);
  file = g_strconcat (fixture->send, "/f/0/report.bin", NULL);
  g_assert_cmpuint (status_of (fixture, "GET", file, NULL), ==, 200);
  g_assert_cmpuint (status_of (fixture, "GET", file, NULL), ==, 200);

  g_assert_no_errno (g_stat (token_path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (token_path, &token, NULL, NULL));
  g_strstrip (token);
  bearer = g_strconcat ("Bearer ", token, NULL);

  g_assert_cmpuint (status_of (fixture, "GET", "/api/stats", NULL), ==, 401);
  {
    g_autofree char *url = g_strconcat (fixture->server.base, "/api/stats", NULL);
    g_autoptr(SoupMessage) wrong = soup_message_new ("GET", url);
    g_autoptr(SoupMessage) right = soup_message_new ("GET", url);
    g_autoptr(GBytes) body = NULL;
    JsonObject *obj;

    soup_message_headers_replace (soup_message_get_request_headers (wrong), "Authorization",
                                  "Bearer AAAAAAAAAAAAAAAAAAAAAA");
    g_bytes_unref (soup_session_send_and_read (fixture->session, wrong, NULL, NULL));
    g_assert_cmpuint (soup_message_get_status (wrong), ==, 401);

    soup_message_headers_replace (soup_message_get_request_headers (right), "Authorization",
                                  bearer);
    body = soup_session_send_and_read (fixture->session, right, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (right), ==, 200);
    node = json_from_string (g_bytes_get_data (body, NULL), &error);
    g_assert_no_error (error);
    obj = json_node_get_object (node);
    g_assert_cmpint (json_object_get_int_member (obj, "downloads"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (obj, "bytes_sent"), ==, 6 * 1024 * 1024);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "shares")), ==, 1);
  }
}

/* Stopping ShareSync mid-download cuts the download and records it as cancelled. */
static void
test_stop_cancels (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autofree char *db = g_build_filename (fixture->server.dir, "data", "history.db", NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncHistory) history = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  char buf[65536];

  /* Far more than the socket buffers hold, so the download is still going at the stop. */
  fixture->file_size = 64 * 1024 * 1024;
  start (fixture, NULL, NULL);
  url = g_strconcat (fixture->server.base, fixture->send, "/f/0/report.bin", NULL);
  msg = soup_message_new ("GET", url);
  in = soup_session_send (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_input_stream_read (in, buf, sizeof buf, NULL, NULL), >, 0);
  json_object_unref (ssync_test_server_read_event (&fixture->server, "download-started"));

  g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);

  history = ssync_history_open (db, &error);
  g_assert_no_error (error);
  rows = ssync_history_list_transfers (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpint (((SsyncTransferRecord *) g_ptr_array_index (rows, 0))->status, ==,
                   SSYNC_TRANSFER_STATUS_CANCELLED);
  start (fixture, NULL, NULL);
}

/* Defect 5: cleanup deletes only the .part files its own store lists. A user's old
 * "left over.bin.part" and a received file that its sender named "notes.part" stay, however
 * old, through many cleanup passes. */
static void
test_stale_parts (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *env[] = { "SHARESYNC_CLEANUP_INTERVAL=1", NULL };
  g_autofree char *old = NULL;
  g_autofree char *received = NULL;
  struct utimbuf days_ago;

  fixture->inbox = g_build_filename (fixture->server.dir, "inbox", NULL);
  g_mkdir_with_parents (fixture->inbox, 0700);
  old = g_build_filename (fixture->inbox, "left over.bin.part", NULL);
  received = g_build_filename (fixture->inbox, "notes.part", NULL);
  g_assert_true (g_file_set_contents (old, "x", 1, NULL));
  g_assert_true (g_file_set_contents (received, "y", 1, NULL));
  days_ago.actime = days_ago.modtime = time (NULL) - 30 * 24 * 3600;
  g_assert_no_errno (utime (old, &days_ago));
  g_assert_no_errno (utime (received, &days_ago));
  g_free (g_steal_pointer (&fixture->inbox));

  start (fixture, env, NULL);
  g_usleep (3 * G_USEC_PER_SEC);

  g_assert_true (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (received, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/access/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("password", test_password);
  ADD ("unlock-rate-limit", test_unlock_rate_limit);
  ADD ("websocket-password", test_websocket_password);
  ADD ("api-rate-limit", test_api_rate_limit);
  ADD ("expiry", test_expiry);
  ADD ("max-downloads", test_max_downloads);
  ADD ("owner-stats", test_owner_stats);
  ADD ("stop-cancels", test_stop_cancels);
  ADD ("stale-parts", test_stale_parts);

  return g_test_run ();
}
