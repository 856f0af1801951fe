/* test-options.c: every command-line option in both faces. The same command line runs once
 * headless and once with a window (the test runs under Xvfb and its own D-Bus session), and
 * each option must do the same there: listen where asked, keep the history where asked,
 * protect, expire and limit the share, receive with a size limit, push, fetch. With a
 * window, the preferences still apply where no option speaks, and are never changed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "ssync-s3rver.h"

#define SCHEMA_GROUP "io/github/sharesync/ShareSync"

typedef enum {
  FACE_HEADLESS,
  FACE_WINDOW,
} Face;

typedef struct {
  Face face;
  char *dir;          /* removed at the end */
  char *data_dir;
  char *file;         /* a 64 KiB file to share */
  char *keyfile;      /* the window's preferences (GSettings keyfile backend) */
  GSubprocess *proc;
  GDataInputStream *out;
  SoupSession *http;
} Fixture;

static void
write_file (const char *path,
            gsize       size)
{
  g_autofree char *data = g_malloc (size);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (char) (i * 7);
  g_file_set_contents (path, data, size, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;

  fixture->face = GPOINTER_TO_INT (data);
  fixture->dir = g_dir_make_tmp ("ssync-options-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "data", NULL);
  fixture->file = g_build_filename (fixture->dir, "report.bin", NULL);
  write_file (fixture->file, 64 * 1024);
  config = g_build_filename (fixture->dir, "config", "glib-2.0", "settings", NULL);
  g_mkdir_with_parents (config, 0700);
  fixture->keyfile = g_build_filename (config, "keyfile", NULL);
  /* Preferences that the options must win over, and that must still be there after. */
  g_file_set_contents (fixture->keyfile,
                       "[" SCHEMA_GROUP "]\n"
                       "default-expiry='2h'\n"
                       "download-limit=uint32 5\n"
                       "auto-accept=true\n", -1, &error);
  g_assert_no_error (error);
  fixture->http = soup_session_new ();
}

static void
stop (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  if (fixture->proc == NULL)
    return;
  g_subprocess_send_signal (fixture->proc, SIGTERM);
  g_subprocess_wait (fixture->proc, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&fixture->out);
  g_clear_object (&fixture->proc);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *command = NULL;

  stop (fixture);
  g_clear_object (&fixture->http);
  command = g_strdup_printf ("rm -rf '%s'", fixture->dir);
  g_assert_cmpint (system (command), ==, 0);
  g_free (fixture->dir);
  g_free (fixture->data_dir);
  g_free (fixture->file);
  g_free (fixture->keyfile);
}

/* The environment of a face: its own preferences and data, the build tree's schema. */
static GStrv
face_environ (Fixture     *fixture,
              const char **extra)
{
  GStrv env = g_get_environ ();
  g_autofree char *config = g_build_filename (fixture->dir, "config", NULL);

  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", g_getenv ("SSYNC_SCHEMA_DIR"), TRUE);
  env = g_environ_unsetenv (env, "G_DEBUG");
  /* --receive would also receive from nearby devices; --discover asks for Nearby anyway. */
  env = g_environ_setenv (env, "SHARESYNC_NEARBY", "0", TRUE);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i += 2)
    env = g_environ_setenv (env, extra[i], extra[i + 1], TRUE);
  if (fixture->face == FACE_HEADLESS)
    env = g_environ_unsetenv (env, "DISPLAY");
  return env;
}

static GStrv
face_argv (Fixture     *fixture,
           const char **args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, g_getenv ("SSYNC_BIN"));
  if (fixture->face == FACE_HEADLESS)
    g_strv_builder_add (builder, "--headless");
  g_strv_builder_add_many (builder, "--bind", "127.0.0.1", "--data-dir", fixture->data_dir,
                           NULL);
  g_strv_builder_addv (builder, args);
  return g_strv_builder_end (builder);
}

static void
start (Fixture     *fixture,
       const char **args,
       const char **extra_env)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_auto(GStrv) env = face_environ (fixture, extra_env);
  g_auto(GStrv) argv = face_argv (fixture, args);
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_set_environ (launcher, env);
  fixture->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  fixture->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->proc));
}

/* The next line of the face's stdout that contains @needle (NULL at its end). */
static char *
read_line_with (Fixture    *fixture,
                const char *needle)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (fixture->out, NULL, NULL,
                                                                  &error);

      g_assert_no_error (error);
      if (line == NULL)
        return NULL;
      g_test_message ("face: %s", line);
      if (strstr (line, needle) != NULL)
        return g_steal_pointer (&line);
    }
}

/* The link of the next share: headless says it in a JSON "share" event, the window in a
 * "Sharing “NAME” at URL" line. */
static char *
read_share_url (Fixture *fixture)
{
  g_autofree char *line = NULL;

  if (fixture->face == FACE_HEADLESS)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;

      line = read_line_with (fixture, "\"event\":\"share\"");
      g_assert_nonnull (line);
      node = json_from_string (line, &error);
      g_assert_no_error (error);
      return g_strdup (json_object_get_string_member (json_node_get_object (node), "url"));
    }

  line = read_line_with (fixture, " at http://");
  g_assert_nonnull (line);
  return g_strdup (strstr (line, " at http://") + 4);
}

/* "http://127.0.0.1:PORT/s/TOKEN" → "http://127.0.0.1:PORT/api/files/TOKEN" */
static char *
api_url (const char *share_url)
{
  const char *path = strstr (share_url + strlen ("http://"), "/");
  g_autofree char *base = g_strndup (share_url, path - share_url);

  return g_strconcat (base, "/api/files/", path + strlen ("/s/"), NULL);
}

static GBytes *
get (Fixture    *fixture,
     const char *url,
     guint      *status)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read (fixture->http, msg, NULL, &error);

  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return body;
}

static JsonObject *
get_files (Fixture    *fixture,
           const char *share_url)
{
  g_autofree char *url = api_url (share_url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  body = get (fixture, url, &status);
  g_assert_cmpuint (status, ==, 200);
  node = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The preferences file still says what the user chose, and nothing the options said. */
static void
assert_preferences_unchanged (Fixture *fixture)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (fixture->keyfile, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "default-expiry='2h'"));
  g_assert_nonnull (strstr (text, "download-limit=uint32 5"));
  g_assert_null (strstr (text, "port"));
  g_assert_null (strstr (text, "bind-address"));
  g_assert_null (strstr (text, "max-upload-size"));
}

/* --port, --bind and --data-dir: the link says where, the server answers there, and the
 * history is in the folder asked for. */
static void
test_where (Fixture       *fixture,
            gconstpointer  data)
{
  guint port = free_port ();
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *expected = g_strdup_printf ("http://127.0.0.1:%u/s/", port);
  g_autofree char *db = g_build_filename (fixture->data_dir, "history.db", NULL);
  const char *args[] = { "--port", port_text, fixture->file, NULL };
  g_autofree char *url = NULL;
  g_autoptr(JsonObject) files = NULL;

  start (fixture, args, NULL);
  url = read_share_url (fixture);
  g_assert_true (g_str_has_prefix (url, expected));
  files = get_files (fixture, url);
  g_assert_cmpstr (json_object_get_string_member (files, "name"), ==, "report.bin");
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  stop (fixture);
  assert_preferences_unchanged (fixture);
}

/* --password: the share answers 401 until unlocked. */
static void
test_password (Fixture       *fixture,
               gconstpointer  data)
{
  const char *args[] = { "--port", "0", "--password", "hunter2", fixture->file, NULL };
  g_autofree char *url = NULL;
  g_autofree char *api = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  start (fixture, args, NULL);
  url = read_share_url (fixture);
  api = api_url (url);
  body = get (fixture, api, &status);
  g_assert_cmpuint (status, ==, 401);
  stop (fixture);
  assert_preferences_unchanged (fixture);
}

static gint64
share_lifetime (JsonObject *files)
{
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GDateTime) created = NULL;

  g_assert_false (json_object_get_null_member (files, "expires"));
  expires = g_date_time_new_from_iso8601 (json_object_get_string_member (files, "expires"),
                                          NULL);
  created = g_date_time_new_from_iso8601 (json_object_get_string_member (files, "created"),
                                          NULL);
  g_assert_nonnull (expires);
  g_assert_nonnull (created);
  return g_date_time_difference (expires, created) / G_TIME_SPAN_SECOND;
}

/* --expires: the share ends an hour on. With a window and no --expires, the preferences'
 * two hours apply. */
static void
test_expires (Fixture       *fixture,
              gconstpointer  data)
{
  const char *args[] = { "--port", "0", "--expires", "1h", fixture->file, NULL };
  const char *plain[] = { "--port", "0", fixture->file, NULL };
  g_autofree char *url = NULL;
  g_autoptr(JsonObject) files = NULL;
  gint64 lifetime;

  start (fixture, args, NULL);
  url = read_share_url (fixture);
  files = get_files (fixture, url);
  lifetime = share_lifetime (files);
  g_assert_cmpint (lifetime, >=, 3590);
  g_assert_cmpint (lifetime, <=, 3610);
  stop (fixture);
  assert_preferences_unchanged (fixture);

  if (fixture->face != FACE_WINDOW)
    return;
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&files, json_object_unref);
  start (fixture, plain, NULL);
  url = read_share_url (fixture);
  files = get_files (fixture, url);
  lifetime = share_lifetime (files);
  g_assert_cmpint (lifetime, >=, 7190);
  g_assert_cmpint (lifetime, <=, 7210);
}

/* --max-downloads 1: after one complete download, the share is gone (410). */
static void
test_max_downloads (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *args[] = { "--port", "0", "--max-downloads", "1", fixture->file, NULL };
  g_autofree char *url = NULL;
  g_autofree char *api = NULL;
  g_autoptr(JsonObject) files = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) after = NULL;
  JsonObject *file;
  const char *path;
  g_autofree char *base = NULL;
  g_autofree char *file_url = NULL;
  guint status;

  start (fixture, args, NULL);
  url = read_share_url (fixture);
  files = get_files (fixture, url);
  file = json_array_get_object_element (json_object_get_array_member (files, "files"), 0);
  path = json_object_get_string_member (file, "url");
  base = g_strndup (url, strstr (url + strlen ("http://"), "/") - url);
  file_url = g_strconcat (base, path, NULL);
  body = get (fixture, file_url, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 64 * 1024);

  /* The limit is applied when the download's end is recorded, a moment later. */
  api = api_url (url);
  for (guint i = 0; i < 100; i++)
    {
      g_clear_pointer (&after, g_bytes_unref);
      after = get (fixture, api, &status);
      if (status == 410)
        break;
      g_usleep (50 * 1000);
    }
  g_assert_cmpuint (status, ==, 410);
  stop (fixture);
  assert_preferences_unchanged (fixture);
}

/* --receive and --max-upload-size: a receive link whose tus server announces the limit, in
 * the SI units every size is shown in (1K is 1000 bytes, as g_format_size() counts). */
static void
test_receive (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (fixture->dir, "inbox", NULL);
  const char *args[] = { "--port", "0", "--receive", folder, "--max-upload-size", "1K", NULL };
  g_autofree char *url = NULL;
  g_autofree char *uploads = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir (folder, 0700);
  start (fixture, args, NULL);
  url = read_share_url (fixture);
  g_assert_nonnull (strstr (url, "/r/"));
  uploads = g_strconcat (url, "/uploads/", NULL);
  msg = soup_message_new ("OPTIONS", uploads);
  body = soup_session_send_and_read (fixture->http, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Tus-Max-Size"), ==, "1000");
  stop (fixture);
  assert_preferences_unchanged (fixture);
}

/* --push: the file lands in the bucket and its link downloads it. Headless ends by itself;
 * the window shows the share and says the link on stdout too. */
static void
test_push (Fixture       *fixture,
           gconstpointer  data)
{
  SsyncS3rver s3rver = { 0 };
  const char *args[] = { "--push", fixture->file, NULL };
  g_autofree char *line = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  ssync_s3rver_start (&s3rver);
  {
    const char *env[] = { "SHARESYNC_S3_ENDPOINT", s3rver.endpoint,
                          "SHARESYNC_S3_BUCKET", SSYNC_S3RVER_BUCKET,
                          "SHARESYNC_S3_ACCESS_KEY", SSYNC_S3RVER_KEY,
                          "SHARESYNC_S3_SECRET_KEY", SSYNC_S3RVER_KEY, NULL };

    start (fixture, args, env);
  }
  if (fixture->face == FACE_HEADLESS)
    {
      g_autoptr(JsonNode) node = NULL;

      line = read_line_with (fixture, "\"event\":\"pushed\"");
      g_assert_nonnull (line);
      node = json_from_string (line, NULL);
      link = g_strdup (json_object_get_string_member (json_node_get_object (node), "url"));
    }
  else
    {
      line = read_line_with (fixture, "in the cloud at http://");
      g_assert_nonnull (line);
      link = g_strdup (strstr (line, " at http://") + 4);
    }
  body = get (fixture, link, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 64 * 1024);
  stop (fixture);
  ssync_s3rver_stop (&s3rver);
  assert_preferences_unchanged (fixture);
}

/* --discover and --alias: Nearby starts and says how this computer is seen; finding devices
 * over multicast is the nearby suite's (network namespaces). */
static void
test_discover (Fixture       *fixture,
               gconstpointer  data)
{
  const char *args[] = { "--discover=3", "--alias", "Test Bench", NULL };
  g_autofree char *line = NULL;
  const char *env[] = { "SHARESYNC_LOCALSEND_PORT", "0", NULL };

  start (fixture, args, env);
  if (fixture->face == FACE_HEADLESS)
    {
      line = read_line_with (fixture, "\"event\":\"discovering\"");
      g_assert_nonnull (line);
      g_assert_nonnull (strstr (line, "\"alias\":\"Test Bench\""));
    }
  else
    {
      line = read_line_with (fixture, "Nearby devices see this computer as “Test Bench”");
      g_assert_nonnull (line);
    }
  stop (fixture);
  assert_preferences_unchanged (fixture);
}

/* --send-to: the file goes to a nearby device given by its address, here the LocalSend
 * peer written from the spec (tests/nearby/localsend-peer.mjs); headless exits 0 once it was
 * taken, the window says so. */
static void
test_send_to (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *inbox = g_build_filename (fixture->dir, "peer-inbox", NULL);
  g_autofree char *peer_path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "nearby",
                                                 "localsend-peer.mjs", NULL);
  const char *peer_argv[] = { "node", peer_path, "receive", inbox, "--port", "0", "--bind",
                              "127.0.0.1", "--once", NULL };
  g_autoptr(GSubprocess) peer = NULL;
  g_autoptr(GDataInputStream) peer_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) listening = NULL;
  g_autofree char *line = NULL;
  g_autofree char *target = NULL;
  g_autofree char *arrived = g_build_filename (inbox, "report.bin", NULL);
  g_autofree char *sent_data = NULL;
  g_autofree char *arrived_data = NULL;
  gsize sent_length, arrived_length;

  g_mkdir (inbox, 0700);
  peer = g_subprocess_newv (peer_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_SEARCH_PATH_FROM_ENVP, &error);
  g_assert_no_error (error);
  peer_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  line = g_data_input_stream_read_line_utf8 (peer_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  listening = json_from_string (line, &error);
  g_assert_no_error (error);
  target = g_strdup_printf ("127.0.0.1:%" G_GINT64_FORMAT,
                            json_object_get_int_member (json_node_get_object (listening), "port"));

  {
    const char *args[] = { "--send-to", target, fixture->file, NULL };

    start (fixture, args, NULL);
  }
  if (fixture->face == FACE_HEADLESS)
    {
      g_subprocess_wait (fixture->proc, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (fixture->proc), ==, 0);
    }
  else
    {
      g_autofree char *said = read_line_with (fixture, "Sent to 127.0.0.1:");

      g_assert_nonnull (said);
    }
  /* The peer ends after its one session, so the file is complete on disk. */
  g_subprocess_wait (peer, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (fixture->file, &sent_data, &sent_length, &error);
  g_assert_no_error (error);
  g_file_get_contents (arrived, &arrived_data, &arrived_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (arrived_data, arrived_length, sent_data, sent_length);
  stop (fixture);
  assert_preferences_unchanged (fixture);
}

#define TRUSTED_FP "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12"
#define BLOCKED_FP "00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF"

/* The trust kept for @fingerprint in the face's history, -1 when it has no row. */
static int
stored_trust (Fixture    *fixture,
              const char *fingerprint)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "history.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int trust = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT trust FROM devices WHERE fingerprint = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, fingerprint, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    trust = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return trust;
}

/* --trust and --block: the decisions are kept in the history (fingerprints in uppercase);
 * headless says each; a fingerprint that is not one is a usage error, in one line. */
static void
test_trust (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *inbox = g_build_filename (fixture->dir, "inbox", NULL);
  g_autofree char *upper = g_ascii_strup (TRUSTED_FP, -1);
  g_autofree char *url = NULL;
  const char *args[] = { "--port", "0", "--trust", TRUSTED_FP, "--block", BLOCKED_FP,
                         "--receive", inbox, NULL };
  const char *bad[] = { "--trust", "1A2B 3C4D", "--receive", inbox, NULL };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_auto(GStrv) env = face_environ (fixture, NULL);
  g_auto(GStrv) bad_argv = face_argv (fixture, bad);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  g_mkdir (inbox, 0700);
  start (fixture, args, NULL);
  if (fixture->face == FACE_HEADLESS)
    {
      g_autofree char *trusted = read_line_with (fixture, "\"event\":\"device-trusted\"");
      g_autofree char *blocked = read_line_with (fixture, "\"event\":\"device-blocked\"");

      g_assert_nonnull (trusted);
      g_assert_nonnull (strstr (trusted, upper));
      g_assert_nonnull (blocked);
      g_assert_nonnull (strstr (blocked, BLOCKED_FP));
    }
  url = read_share_url (fixture);
  stop (fixture);
  g_assert_cmpint (stored_trust (fixture, upper), ==, 2);        /* SSYNC_DEVICE_TRUST_TRUSTED */
  g_assert_cmpint (stored_trust (fixture, BLOCKED_FP), ==, 3);   /* SSYNC_DEVICE_TRUST_BLOCKED */
  assert_preferences_unchanged (fixture);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) bad_argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
  g_assert_nonnull (strstr (err, "--trust"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
}

/* A FILE that is not there: headless exits 1 with one line on stderr and nothing on stdout
 * (it never said "listening"); the window says the same line on stderr (and in a toast)
 * and stays open. */
static void
test_bad_file (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "nope.txt", NULL);
  g_autofree char *expected = g_strdup_printf ("sharesync: cannot share %s: no such file or "
                                               "folder", missing);
  const char *args[] = { "--port", "0", missing, NULL };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_auto(GStrv) env = face_environ (fixture, NULL);
  g_auto(GStrv) argv = face_argv (fixture, args);
  g_autoptr(GError) error = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  fixture->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  fixture->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->proc));
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (fixture->proc));

  if (fixture->face == FACE_HEADLESS)
    {
      g_autofree char *out = NULL;
      g_autofree char *text = NULL;

      g_subprocess_communicate_utf8 (fixture->proc, NULL, NULL, &out, &text, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (fixture->proc), ==, 1);
      g_assert_cmpstr (out, ==, "");
      g_assert_true (g_str_has_prefix (text, expected));
      g_assert_cmpstr (text + strlen (expected), ==, "\n");
      g_clear_object (&fixture->out);
      g_clear_object (&fixture->proc);
      return;
    }

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_test_message ("stderr: %s", line);
      if (g_str_has_prefix (line, "sharesync: "))
        {
          g_assert_cmpstr (line, ==, expected);
          break;
        }
    }
  /* Still running: the window stays for the user to add other files. */
  g_assert_nonnull (g_subprocess_get_identifier (fixture->proc));
  stop (fixture);
}

/* Port 0 in the preferences is any free port, as --port 0 is on the command line (not 5001
 * or the next free one, which is the default's behaviour). */
static void
test_preferences_port_zero (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *args[] = { fixture->file, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = NULL;

  g_file_set_contents (fixture->keyfile, "[" SCHEMA_GROUP "]\nport=0\n", -1, &error);
  g_assert_no_error (error);
  start (fixture, args, NULL);
  url = read_share_url (fixture);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  g_assert_false (g_uri_get_port (uri) >= 5001 && g_uri_get_port (uri) <= 5101);
}

/* A second window's options can not apply to the running one: refused, not ignored. Its
 * files still go to the running window; a FILE that is not there is said on its stderr. */
static void
test_already_running (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *first[] = { "--port", "0", fixture->file, NULL };
  g_autofree char *url = NULL;
  g_autofree char *other = g_build_filename (fixture->dir, "other.bin", NULL);
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_auto(GStrv) env = face_environ (fixture, NULL);
  g_autoptr(GError) error = NULL;
  const char *with_port[] = { g_getenv ("SSYNC_BIN"), "--port", "0", other, NULL };
  const char *plain[] = { g_getenv ("SSYNC_BIN"), other, NULL };
  g_autofree char *missing = g_build_filename (fixture->dir, "nope.bin", NULL);
  const char *missing_argv[] = { g_getenv ("SSYNC_BIN"), missing, NULL };
  g_autofree char *expected = g_strdup_printf ("sharesync: cannot share %s: no such file or "
                                               "folder\n", missing);

  write_file (other, 1024);
  start (fixture, first, NULL);
  url = read_share_url (fixture);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  second = g_subprocess_launcher_spawnv (launcher, with_port, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 2);
  g_assert_nonnull (strstr (err, "already running"));
  g_clear_object (&second);

  second = g_subprocess_launcher_spawnv (launcher, plain, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (second, NULL, &error);
  g_assert_no_error (error);
  line = read_line_with (fixture, "“other.bin”");
  g_assert_nonnull (line);
  g_clear_object (&second);
  g_clear_pointer (&err, g_free);

  /* A FILE that is not there is said on the second one's terminal, not handed over. */
  second = g_subprocess_launcher_spawnv (launcher, missing_argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 1);
  g_assert_cmpstr (err, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  const struct {
    const char *name;
    void (*test) (Fixture *, gconstpointer);
  } tests[] = {
    { "where", test_where },
    { "password", test_password },
    { "expires", test_expires },
    { "max-downloads", test_max_downloads },
    { "receive", test_receive },
    { "push", test_push },
    { "discover", test_discover },
    { "send-to", test_send_to },
    { "trust", test_trust },
    { "bad-file", test_bad_file },
  };
  const char *faces[] = { "headless", "window" };

  g_test_init (&argc, &argv, NULL);

  for (guint f = 0; f < G_N_ELEMENTS (faces); f++)
    for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
      {
        g_autofree char *path = g_strdup_printf ("/options/%s/%s", faces[f], tests[i].name);

        g_test_add (path, Fixture, GINT_TO_POINTER (f), fixture_set_up, tests[i].test,
                    fixture_tear_down);
      }
  g_test_add ("/options/window/preferences-port-zero", Fixture, GINT_TO_POINTER (FACE_WINDOW),
              fixture_set_up, test_preferences_port_zero, fixture_tear_down);
  g_test_add ("/options/window/already-running", Fixture, GINT_TO_POINTER (FACE_WINDOW),
              fixture_set_up, test_already_running, fixture_tear_down);

  return g_test_run ();
}
