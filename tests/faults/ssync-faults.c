/* ssync-faults.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ssync-faults.h"
#include "ssync-history.h"

/* ---- The guard ----
 * A failed assertion aborts the test program before any teardown runs. What the test made
 * outside its own memory (a mount, a server process, a temporary folder) is undone from the
 * signal handler then, with async-signal-safe calls only. */

#define GUARD_SLOTS 4

static char guarded_dirs[GUARD_SLOTS][PATH_MAX];
static char guarded_mounts[GUARD_SLOTS][PATH_MAX];
static volatile pid_t guarded_pids[GUARD_SLOTS];

static void
guard_run (void)
{
  for (guint i = 0; i < GUARD_SLOTS; i++)
    if (guarded_pids[i] > 0)
      {
        kill (guarded_pids[i], SIGKILL);
        waitpid (guarded_pids[i], NULL, 0);
      }
  for (guint i = 0; i < GUARD_SLOTS; i++)
    if (guarded_mounts[i][0] != '\0')
      umount2 (guarded_mounts[i], MNT_DETACH);
  for (guint i = 0; i < GUARD_SLOTS; i++)
    if (guarded_dirs[i][0] != '\0')
      {
        pid_t pid = fork ();

        if (pid == 0)
          {
            execl ("/bin/rm", "rm", "-rf", guarded_dirs[i], (char *) NULL);
            _exit (127);
          }
        if (pid > 0)
          waitpid (pid, NULL, 0);
      }
}

static void
on_fatal_signal (int signum)
{
  guard_run ();
  signal (signum, SIG_DFL);
  raise (signum);
}

void
ssync_faults_init (int    *argc,
                   char ***argv)
{
  const int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGTERM, SIGINT, SIGTRAP };

  g_test_init (argc, argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fatal); i++)
    signal (fatal[i], on_fatal_signal);
  /* A server killed mid-reply must not kill the test with it. */
  signal (SIGPIPE, SIG_IGN);
}

/* Mounting needs root (CI runs as root). Elsewhere the test is skipped, except in CI,
 * where a missing privilege must fail loudly. */
gboolean
ssync_faults_need_root (void)
{
  if (geteuid () == 0)
    return TRUE;
  if (g_getenv ("CI") != NULL)
    g_error ("The fault tests mount file systems and must run as root in CI");
  g_test_skip ("needs root to mount a small file system");
  return FALSE;
}

static void
guard_slot (char        slots[GUARD_SLOTS][PATH_MAX],
            const char *path)
{
  for (guint i = 0; i < GUARD_SLOTS; i++)
    if (slots[i][0] == '\0')
      {
        g_assert_cmpuint (strlen (path), <, PATH_MAX);
        strcpy (slots[i], path);
        return;
      }
  g_assert_not_reached ();
}

static void
unguard_slot (char        slots[GUARD_SLOTS][PATH_MAX],
              const char *path)
{
  for (guint i = 0; i < GUARD_SLOTS; i++)
    if (strcmp (slots[i], path) == 0)
      slots[i][0] = '\0';
}

void
ssync_faults_guard_dir (const char *dir)
{
  guard_slot (guarded_dirs, dir);
}

void
ssync_faults_guard_mount (const char *path)
{
  guard_slot (guarded_mounts, path);
}

/* The test cleaned up by itself. */
void
ssync_faults_unguard (void)
{
  memset (guarded_dirs, 0, sizeof guarded_dirs);
  memset (guarded_mounts, 0, sizeof guarded_mounts);
  for (guint i = 0; i < GUARD_SLOTS; i++)
    guarded_pids[i] = 0;
}

void
ssync_faults_mount_tmpfs (const char *path,
                          const char *size)
{
  g_autofree char *options = g_strdup_printf ("size=%s,mode=0700", size);

  ssync_faults_guard_mount (path);
  if (mount ("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
    g_error ("Cannot mount a %s tmpfs on %s: %s", size, path, g_strerror (errno));
}

void
ssync_faults_unmount (const char *path)
{
  /* A server still holding a file there must not keep the mount alive. */
  if (umount (path) != 0 && umount2 (path, MNT_DETACH) != 0)
    g_error ("Cannot unmount %s: %s", path, g_strerror (errno));
  unguard_slot (guarded_mounts, path);
}

static pid_t
server_pid (SsyncTestServer *server)
{
  return (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (server->proc), NULL, 10);
}

/* ssync_test_server_start(), with the process under the guard. */
void
ssync_faults_start (SsyncTestServer    *server,
                    const char * const *env,
                    const char * const *args)
{
  ssync_test_server_start (server, env, args);
  for (guint i = 0; i < GUARD_SLOTS; i++)
    if (guarded_pids[i] == 0)
      {
        guarded_pids[i] = server_pid (server);
        return;
      }
  g_assert_not_reached ();
}

static void
unguard_pid (pid_t pid)
{
  for (guint i = 0; i < GUARD_SLOTS; i++)
    if (guarded_pids[i] == pid)
      guarded_pids[i] = 0;
}

/* kill -9: nothing of the server's own shutdown runs. */
void
ssync_faults_kill (SsyncTestServer *server)
{
  g_autoptr(GError) error = NULL;

  if (server->proc == NULL)
    return;
  unguard_pid (server_pid (server));
  g_subprocess_force_exit (server->proc);
  g_subprocess_wait (server->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (server->proc));
  g_assert_cmpint (g_subprocess_get_term_sig (server->proc), ==, SIGKILL);
  g_clear_object (&server->events);
  g_clear_object (&server->proc);
  g_clear_pointer (&server->base, g_free);
}

/* SIGTERM: the server must end by itself, cleanly (exit 0, so it did not crash). */
void
ssync_faults_stop (SsyncTestServer *server)
{
  if (server->proc == NULL)
    return;
  unguard_pid (server_pid (server));
  g_assert_cmpint (ssync_test_server_stop (server), ==, 0);
}

/* Reads @n "share" events and returns the paths (/s/TOKEN, /r/TOKEN) of those asked for. */
void
ssync_faults_read_shares (SsyncTestServer  *server,
                          guint             n,
                          char            **send,
                          char            **receive)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) share = ssync_test_server_read_event (server, "share");
      const char *url = json_object_get_string_member (share, "url");
      const char *path;

      g_assert_true (g_str_has_prefix (url, server->base));
      path = url + strlen (server->base);
      if (g_str_equal (json_object_get_string_member (share, "kind"), "receive"))
        {
          if (receive != NULL)
            *receive = g_strdup (path);
        }
      else if (send != NULL)
        *send = g_strdup (path);
    }
}

/* ---- Raw HTTP ---- */

GSocketConnection *
ssync_faults_connect (SsyncTestServer *server)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn;

  g_socket_client_set_timeout (client, 30);
  conn = g_socket_client_connect_to_uri (client, server->base, 0, NULL, &error);
  g_assert_no_error (error);
  return conn;
}

void
ssync_faults_send (GSocketConnection *conn,
                   const void        *data,
                   gsize              len)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), data, len,
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads the response head (through the blank line) byte by byte, so that no body byte is
 * taken with it. */
char *
ssync_faults_read_head (GSocketConnection *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_autoptr(GString) head = g_string_new (NULL);

  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      g_autoptr(GError) error = NULL;
      char c;
      gssize n = g_input_stream_read (in, &c, 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 1);
      g_string_append_c (head, c);
      g_assert_cmpuint (head->len, <, 64 * 1024);
    }
  return g_string_free (g_steal_pointer (&head), FALSE);
}

/* Reads until the server closes the connection (or resets it), at most @max bytes. */
GByteArray *
ssync_faults_read_to_end (GSocketConnection *conn,
                          gsize              max)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  GByteArray *body = g_byte_array_new ();
  g_autofree guint8 *buffer = g_malloc (256 * 1024);

  while (body->len < max)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (in, buffer, MIN (256 * 1024, max - body->len), NULL,
                                      &error);

      if (n <= 0)
        break;
      g_byte_array_append (body, buffer, n);
    }
  return body;
}

/* ---- tus ---- */

SoupMessage *
ssync_faults_tus (SoupSession     *session,
                  SsyncTestServer *server,
                  const char      *method,
                  const char      *path,
                  GBytes          *body,
                  ...)
{
  g_autofree char *url = g_strconcat (server->base, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  va_list ap;

  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/offset+octet-stream", body);
  soup_message_headers_replace (headers, "Tus-Resumable", "1.0.0");
  va_start (ap, body);
  while ((name = va_arg (ap, const char *)) != NULL)
    soup_message_headers_replace (headers, name, va_arg (ap, const char *));
  va_end (ap);

  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (msg), "reply",
                          g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply)),
                          g_free);
  return msg;
}

const char *
ssync_faults_header (SoupMessage *msg,
                     const char  *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (msg), name);
}

const char *
ssync_faults_reply (SoupMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), "reply");
}

/* POSTs a new upload of @length bytes into @uploads (/r/TOKEN/uploads/); returns its path. */
char *
ssync_faults_tus_create (SoupSession     *session,
                         SsyncTestServer *server,
                         const char      *uploads,
                         guint64          length,
                         const char      *filename)
{
  g_autofree char *len = g_strdup_printf ("%" G_GUINT64_FORMAT, length);
  g_autofree char *b64 = g_base64_encode ((const guchar *) filename, strlen (filename));
  g_autofree char *metadata = g_strdup_printf ("filename %s", b64);
  g_autoptr(SoupMessage) msg = ssync_faults_tus (session, server, "POST", uploads, NULL,
                                                 "Upload-Length", len,
                                                 "Upload-Metadata", metadata, NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  g_assert_true (g_str_has_prefix (ssync_faults_header (msg, "Location"), uploads));
  return g_strdup (ssync_faults_header (msg, "Location"));
}

/* PATCHes @len bytes of @data at @offset. */
SoupMessage *
ssync_faults_tus_patch (SoupSession     *session,
                        SsyncTestServer *server,
                        const char      *location,
                        guint64          offset,
                        const char      *data,
                        gsize            len)
{
  g_autofree char *off = g_strdup_printf ("%" G_GUINT64_FORMAT, offset);
  g_autoptr(GBytes) body = g_bytes_new (data, len);

  return ssync_faults_tus (session, server, "PATCH", location, body, "Upload-Offset", off,
                           NULL);
}

/* Begins a PATCH at offset 0 that announces @length bytes over a raw socket and sends only
 * the first @len of them: the request is left half-way. */
GSocketConnection *
ssync_faults_raw_patch (SsyncTestServer *server,
                        const char      *location,
                        gsize            length,
                        const char      *data,
                        gsize            len)
{
  GSocketConnection *conn = ssync_faults_connect (server);
  g_autofree char *request = NULL;

  request = g_strdup_printf ("PATCH %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                             "Upload-Offset: 0\r\n"
                             "Content-Type: application/offset+octet-stream\r\n"
                             "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", location, length);
  ssync_faults_send (conn, request, strlen (request));
  ssync_faults_send (conn, data, len);
  return conn;
}

guint64
ssync_faults_tus_offset (SoupSession     *session,
                         SsyncTestServer *server,
                         const char      *location)
{
  g_autoptr(SoupMessage) head = ssync_faults_tus (session, server, "HEAD", location, NULL, NULL);

  g_assert_cmpuint (soup_message_get_status (head), ==, 200);
  return g_ascii_strtoull (ssync_faults_header (head, "Upload-Offset"), NULL, 10);
}

/* ---- The history database, as the server left it ---- */

char *
ssync_faults_db_path (SsyncTestServer *server)
{
  return g_build_filename (server->dir, "data", "history.db", NULL);
}

static sqlite3 *
open_db (const char *db_path)
{
  sqlite3 *db = NULL;

  /* Read-write: a WAL left by a killed writer is recovered on open. */
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* PRAGMA integrity_check's answer: "ok" for a sound database. */
char *
ssync_faults_integrity (const char *db_path)
{
  sqlite3 *db = open_db (db_path);
  sqlite3_stmt *stmt = NULL;
  char *result;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

/* The single number @sql answers. */
gint64
ssync_faults_db_count (const char *db_path,
                       const char *sql)
{
  sqlite3 *db = open_db (db_path);
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Every transfer row, newest first (SsyncTransferRecord). Only once the server stopped. */
GPtrArray *
ssync_faults_transfers (const char *db_path)
{
  g_autoptr(SsyncHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *rows;

  history = ssync_history_open (db_path, &error);
  g_assert_no_error (error);
  rows = ssync_history_list_transfers (history, NULL, &error);
  g_assert_no_error (error);
  return rows;
}

guint64
ssync_faults_file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return 0;
  return st.st_size;
}

guint
ssync_faults_count_files (const char *dir,
                          const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n += suffix == NULL || g_str_has_suffix (name, suffix);
  return n;
}
