/* test-uploads.c: tus 1.0 uploads into a receive share of the real headless server,
 * driven by a libsoup client: complete and resumed uploads, name clashes and hostile
 * names, every protocol error, termination, a client that vanishes mid-PATCH, a full
 * disk, and the history rows left behind.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "ssync-history.h"
#include "ssync-test-server.h"

typedef struct {
  SsyncTestServer server;
  char *inbox;
  char *uploads;  /* /r/TOKEN/uploads/ */
  SoupSession *session;
} Fixture;

static void
start_with_env (Fixture            *fixture,
                const char * const *env,
                const char         *max_size)
{
  const char *args[] = { "--receive", NULL, max_size != NULL ? "--max-upload-size" : NULL,
                         max_size, NULL };
  g_autoptr(JsonObject) share = NULL;
  const char *url;

  args[1] = fixture->inbox;
  ssync_test_server_start (&fixture->server, env, args);
  share = ssync_test_server_read_event (&fixture->server, "share");
  g_assert_cmpstr (json_object_get_string_member (share, "kind"), ==, "receive");
  url = json_object_get_string_member (share, "url");
  g_assert_true (g_str_has_prefix (url, fixture->server.base));
  g_free (fixture->uploads);
  fixture->uploads = g_strconcat (url + strlen (fixture->server.base), "/uploads/", NULL);
}

static void
start (Fixture    *fixture,
       const char *max_size)
{
  start_with_env (fixture, NULL, max_size);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server.dir = g_dir_make_tmp ("ssync-up-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->inbox = g_build_filename (fixture->server.dir, "inbox", NULL);
  g_assert_no_errno (g_mkdir (fixture->inbox, 0700));
  fixture->session = soup_session_new_with_options ("user-agent", "ssync-test/1.0", NULL);
  if (data != NULL)
    fixture->server.file_size_limit = GPOINTER_TO_SIZE (data);
  start (fixture, "64MiB");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *dir = g_strdup (fixture->server.dir);

  g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
  ssync_test_remove_tree (dir);
  g_free (fixture->server.dir);
  g_free (fixture->inbox);
  g_free (fixture->uploads);
  g_clear_object (&fixture->session);
}

static SoupMessage *
tus_request (Fixture    *fixture,
             const char *method,
             const char *path,
             GBytes     *body,
             ...)
{
  g_autofree char *url = g_strconcat (fixture->server.base, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  va_list ap;

  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/offset+octet-stream", body);

  /* After the body, so that a test can send a wrong Content-Type. */
  soup_message_headers_replace (headers, "Tus-Resumable", "1.0.0");
  va_start (ap, body);
  while ((name = va_arg (ap, const char *)) != NULL)
    {
      const char *value = va_arg (ap, const char *);

      if (value == NULL)
        soup_message_headers_remove (headers, name);
      else
        soup_message_headers_replace (headers, name, value);
    }
  va_end (ap);

  reply = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (msg), "reply",
                          g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply)),
                          g_free);
  return msg;
}

static const char *
header (SoupMessage *msg,
        const char  *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (msg), name);
}

static char *
create (Fixture    *fixture,
        guint64     length,
        const char *filename,
        const char *relative_path)
{
  g_autofree char *len = g_strdup_printf ("%" G_GUINT64_FORMAT, length);
  g_autofree char *b64name = g_base64_encode ((const guchar *) filename, strlen (filename));
  g_autofree char *b64path = relative_path != NULL
                             ? g_base64_encode ((const guchar *) relative_path,
                                                strlen (relative_path))
                             : NULL;
  g_autofree char *metadata = b64path != NULL
                              ? g_strdup_printf ("filename %s,relativePath %s", b64name, b64path)
                              : g_strdup_printf ("filename %s,filetype", b64name);
  g_autoptr(SoupMessage) msg = tus_request (fixture, "POST", fixture->uploads, NULL,
                                            "Upload-Length", len, "Upload-Metadata", metadata,
                                            NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  g_assert_nonnull (header (msg, "Upload-Expires"));
  g_assert_true (g_str_has_prefix (header (msg, "Location"), fixture->uploads));
  return g_strdup (header (msg, "Location"));
}

static SoupMessage *
patch (Fixture    *fixture,
       const char *location,
       guint64     offset,
       const char *data,
       gsize       len)
{
  g_autofree char *off = g_strdup_printf ("%" G_GUINT64_FORMAT, offset);
  g_autoptr(GBytes) body = g_bytes_new (data, len);

  return tus_request (fixture, "PATCH", location, body, "Upload-Offset", off, NULL);
}

static void
test_complete_upload (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *src = ssync_test_write_random (fixture->server.dir, "src.bin", 5000000);
  g_autofree char *expected = ssync_test_sha256_of_file (src);
  g_autofree char *contents = NULL;
  g_autofree char *location = NULL;
  g_autofree char *saved = g_build_filename (fixture->inbox, "Grüße naïve.bin", NULL);
  g_autofree char *got = NULL;
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(SoupMessage) last = NULL;
  g_autoptr(SoupMessage) head = NULL;
  g_autoptr(JsonObject) finished = NULL;
  g_autoptr(SsyncHistory) history = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (fixture->server.dir, "data", "history.db", NULL);
  SsyncTransferRecord *row;

  g_assert_true (g_file_get_contents (src, &contents, NULL, NULL));
  location = create (fixture, 5000000, "Grüße naïve.bin", NULL);

  first = patch (fixture, location, 0, contents, 3000000);
  g_assert_cmpuint (soup_message_get_status (first), ==, 204);
  g_assert_cmpstr (header (first, "Upload-Offset"), ==, "3000000");
  g_assert_null (header (first, "Upload-Sha256"));

  /* Nothing under the final name until every byte is there. */
  g_assert_false (g_file_test (saved, G_FILE_TEST_EXISTS));

  last = patch (fixture, location, 3000000, contents + 3000000, 2000000);
  g_assert_cmpuint (soup_message_get_status (last), ==, 204);
  g_assert_cmpstr (header (last, "Upload-Offset"), ==, "5000000");
  g_assert_cmpstr (header (last, "Upload-Sha256"), ==, expected);
  g_assert_cmpstr (header (last, "Upload-Saved-As"), ==, "Gr%C3%BC%C3%9Fe%20na%C3%AFve.bin");

  got = ssync_test_sha256_of_file (saved);
  g_assert_cmpstr (got, ==, expected);
  {
    g_autofree char *part = g_strconcat (saved, ".part", NULL);

    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }

  head = tus_request (fixture, "HEAD", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (head), ==, 200);
  g_assert_cmpstr (header (head, "Upload-Sha256"), ==, expected);

  finished = ssync_test_server_read_event (&fixture->server, "upload-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (finished, "sha256"), ==, expected);
  g_assert_cmpstr (json_object_get_string_member (finished, "saved_as"), ==, "Grüße naïve.bin");

  g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
  history = ssync_history_open (db, &error);
  g_assert_no_error (error);
  rows = ssync_history_list_transfers (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpint (row->direction, ==, SSYNC_DIRECTION_UPLOAD);
  g_assert_cmpint (row->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
  g_assert_cmpuint (row->bytes, ==, 5000000);
  g_assert_cmpstr (row->peer, ==, "127.0.0.1");
  g_assert_cmpstr (row->user_agent, ==, "ssync-test/1.0");
  g_assert_cmpstr (row->sha256, ==, expected);
  g_assert_cmpstr (row->saved_as, ==, "Grüße naïve.bin");
  start (fixture, NULL);
}

static void
upload_whole (Fixture    *fixture,
              const char *filename,
              const char *relative_path,
              const char *text)
{
  g_autofree char *location = create (fixture, strlen (text), filename, relative_path);
  g_autoptr(SoupMessage) msg = patch (fixture, location, 0, text, strlen (text));

  g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
}

static void
test_names (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *escape = g_build_filename (fixture->server.dir, "evil.txt", NULL);
  const char *expected[] = {
    "a.txt", "a (1).txt", "evil.txt", "sub/deep/evil.txt", "_CON.txt", "hidden",
  };

  upload_whole (fixture, "a.txt", NULL, "one");
  upload_whole (fixture, "a.txt", NULL, "two");
  upload_whole (fixture, "../../evil.txt", NULL, "x");
  upload_whole (fixture, "evil.txt", "../../sub/./deep/../evil.txt", "y");
  upload_whole (fixture, "CON.txt", NULL, "z");
  upload_whole (fixture, ".hidden", NULL, "h");

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (fixture->inbox, expected[i], NULL);

      g_test_message ("%s", path);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }

  {
    g_autofree char *first = g_build_filename (fixture->inbox, "a.txt", NULL);
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (first, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "one");
  }
  g_assert_false (g_file_test (escape, G_FILE_TEST_EXISTS));
}

static void
test_protocol_errors (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *location = create (fixture, 100, "x.bin", NULL);
  g_autofree char *unknown = g_strconcat (fixture->uploads, "AAAAAAAAAAAAAAAAAAAAAA", NULL);
  g_autoptr(GBytes) body = g_bytes_new_static ("0123456789", 10);
  struct {
    const char *method;
    const char *path;
    GBytes *body;
    const char *h1, *v1, *h2, *v2;
    guint status;
  } cases[] = {
    { "POST", fixture->uploads, NULL, "Tus-Resumable", NULL, "Upload-Length", "5", 412 },
    { "POST", fixture->uploads, NULL, "Tus-Resumable", "0.2.2", "Upload-Length", "5", 412 },
    { "POST", fixture->uploads, NULL, "Upload-Length", "-5", NULL, NULL, 400 },
    { "POST", fixture->uploads, NULL, "Upload-Length", "lots", NULL, NULL, 400 },
    { "POST", fixture->uploads, NULL, "Upload-Defer-Length", "1", NULL, NULL, 400 },
    { "POST", fixture->uploads, NULL, "Upload-Length", "67108865", NULL, NULL, 413 },
    { "PATCH", location, body, "Upload-Offset", "5", NULL, NULL, 409 },
    { "PATCH", location, body, "Upload-Offset", "x", NULL, NULL, 400 },
    { "PATCH", location, body, "Upload-Offset", "0", "Content-Type", "text/plain", 415 },
    { "PATCH", location, body, "Upload-Offset", "0", "Tus-Resumable", NULL, 412 },
    { "PATCH", unknown, body, "Upload-Offset", "0", NULL, NULL, 404 },
    { "HEAD", unknown, NULL, NULL, NULL, NULL, NULL, 404 },
    { "PUT", fixture->uploads, NULL, NULL, NULL, NULL, NULL, 405 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SoupMessage) msg = NULL;

      g_test_message ("case %u: %s %s", i, cases[i].method, cases[i].path);
      if (cases[i].h1 == NULL)
        msg = tus_request (fixture, cases[i].method, cases[i].path, cases[i].body, NULL);
      else if (cases[i].h2 == NULL)
        msg = tus_request (fixture, cases[i].method, cases[i].path, cases[i].body,
                           cases[i].h1, cases[i].v1, NULL);
      else
        msg = tus_request (fixture, cases[i].method, cases[i].path, cases[i].body,
                           cases[i].h1, cases[i].v1, cases[i].h2, cases[i].v2, NULL);
      g_assert_cmpuint (soup_message_get_status (msg), ==, cases[i].status);
      g_assert_cmpstr (header (msg, "Tus-Resumable"), ==, "1.0.0");
    }

  /* A body past the announced length. */
  {
    g_autofree char *big = g_malloc0 (200);
    g_autoptr(SoupMessage) msg = patch (fixture, location, 0, big, 200);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
  }

  /* Discovery. */
  {
    g_autoptr(SoupMessage) msg = tus_request (fixture, "OPTIONS", fixture->uploads, NULL, NULL);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
    g_assert_cmpstr (header (msg, "Tus-Version"), ==, "1.0.0");
    g_assert_cmpstr (header (msg, "Tus-Extension"), ==, "creation,termination,expiration");
    g_assert_cmpstr (header (msg, "Tus-Max-Size"), ==, "67108864");
  }

  /* More than the disk can hold is refused before a byte is written. */
  {
    g_autoptr(SoupMessage) msg = NULL;

    g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
    start (fixture, NULL);
    msg = tus_request (fixture, "POST", fixture->uploads, NULL,
                       "Upload-Length", "1125899906842624", NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 507);
    g_assert_nonnull (strstr (g_object_get_data (G_OBJECT (msg), "reply"), "free space"));
  }
}

static guint
count_files (const char *dir,
             const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    n += suffix == NULL || g_str_has_suffix (name, suffix);
  return n;
}

/* Waits (up to 2 s: deletions run on a worker thread) until @dir holds @n entries. */
static void
wait_for_count (const char *dir,
                guint       n)
{
  for (guint i = 0; i < 100 && count_files (dir, NULL) != n; i++)
    g_usleep (G_USEC_PER_SEC / 50);
  g_assert_cmpuint (count_files (dir, NULL), ==, n);
}

static void
test_termination (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *location = create (fixture, 4096, "gone.bin", NULL);
  g_autofree char *zeros = g_malloc0 (1024);
  g_autoptr(SoupMessage) first = patch (fixture, location, 0, zeros, 1024);
  g_autoptr(SoupMessage) del = NULL;
  g_autoptr(SoupMessage) head = NULL;
  g_autoptr(JsonObject) finished = NULL;

  g_assert_cmpuint (soup_message_get_status (first), ==, 204);
  g_assert_cmpuint (count_files (fixture->inbox, ".part"), ==, 1);

  del = tus_request (fixture, "DELETE", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (del), ==, 204);
  head = tus_request (fixture, "HEAD", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (head), ==, 404);

  finished = ssync_test_server_read_event (&fixture->server, "upload-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "cancelled");
  wait_for_count (fixture->inbox, 0);
}

/* A PATCH whose client vanishes after 2 of 4 MiB: what arrived is kept, and the upload
 * resumes from there. */
static void
test_resume_after_disconnect (Fixture       *fixture,
                              gconstpointer  data)
{
  const gsize size = 4 * 1024 * 1024;
  g_autofree char *src = ssync_test_write_random (fixture->server.dir, "src.bin", size);
  g_autofree char *expected = ssync_test_sha256_of_file (src);
  g_autofree char *contents = NULL;
  g_autofree char *location = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(SoupMessage) head = NULL;
  g_autoptr(SoupMessage) rest = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_build_filename (fixture->inbox, "resumed.bin", NULL);
  g_autofree char *got = NULL;
  guint64 offset;

  g_assert_true (g_file_get_contents (src, &contents, NULL, NULL));
  location = create (fixture, size, "resumed.bin", NULL);

  conn = g_socket_client_connect_to_uri (client, fixture->server.base, 0, NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("PATCH %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                             "Upload-Offset: 0\r\n"
                             "Content-Type: application/offset+octet-stream\r\n"
                             "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", location, size);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                            request, strlen (request), NULL, NULL, &error));
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                            contents, size / 2, NULL, NULL, &error));
  g_assert_no_error (error);
  g_usleep (G_USEC_PER_SEC / 5);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);

  /* The server writes what it got, then the upload is free again. */
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_clear_object (&head);
      head = tus_request (fixture, "HEAD", location, NULL, NULL);
      if (g_strcmp0 (header (head, "Upload-Offset"), "0") != 0)
        break;
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_usleep (G_USEC_PER_SEC / 5);
  g_clear_object (&head);
  head = tus_request (fixture, "HEAD", location, NULL, NULL);
  offset = g_ascii_strtoull (header (head, "Upload-Offset"), NULL, 10);
  g_assert_cmpuint (offset, ==, size / 2);

  rest = patch (fixture, location, offset, contents + offset, size - offset);
  g_assert_cmpuint (soup_message_get_status (rest), ==, 204);
  g_assert_cmpstr (header (rest, "Upload-Sha256"), ==, expected);
  got = ssync_test_sha256_of_file (saved);
  g_assert_cmpstr (got, ==, expected);
}

/* The server may write at most 3 MiB per file here (RLIMIT_FSIZE): the upload stops with
 * 507 and a clear message, the .part stays for a later resume, the server lives on. */
static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  const gsize size = 5 * 1024 * 1024;
  g_autofree char *contents = g_malloc0 (size);
  g_autofree char *location = create (fixture, size, "big.bin", NULL);
  g_autoptr(SoupMessage) msg = patch (fixture, location, 0, contents, size);
  g_autoptr(SoupMessage) head = NULL;
  const char *reply = g_object_get_data (G_OBJECT (msg), "reply");
  g_autofree char *whole = g_build_filename (fixture->inbox, "big.bin", NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 507);
  g_assert_nonnull (strstr (reply, "big.bin"));
  g_assert_nonnull (strstr (reply, "disk is full"));
  g_assert_cmpuint (count_files (fixture->inbox, ".part"), ==, 1);
  g_assert_false (g_file_test (whole, G_FILE_TEST_EXISTS));

  head = tus_request (fixture, "HEAD", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (head), ==, 200);
  g_assert_cmpuint (g_ascii_strtoull (header (head, "Upload-Offset"), NULL, 10), ==,
                    3 * 1024 * 1024);
}

/* An empty file is complete at creation; the empty PATCH a client may still send gets 204
 * and the digest, never an error. */
static void
test_empty_file (Fixture       *fixture,
                 gconstpointer  data)
{
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *location = create (fixture, 0, "empty.txt", NULL);
      g_autoptr(SoupMessage) msg = patch (fixture, location, 0, "", 0);

      g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
      g_autoptr(JsonObject) finished = NULL;

      g_assert_cmpstr (header (msg, "Upload-Sha256"), ==,
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      /* It finishes like any other upload: an event, and a complete transfer. */
      finished = ssync_test_server_read_event (&fixture->server, "upload-finished");
      g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "complete");
    }
  g_assert_cmpuint (count_files (fixture->inbox, ".part"), ==, 0);
  g_assert_cmpuint (count_files (fixture->inbox, NULL), ==, 20);
}

/* An upload left alone past its lifetime (1 s here) ends as incomplete and its .part goes;
 * its URL no longer answers. */
static void
test_expiry (Fixture       *fixture,
             gconstpointer  data)
{
  const char *env[] = { "SHARESYNC_UPLOAD_EXPIRY=1", NULL };
  g_autofree char *location = NULL;
  g_autofree char *zeros = g_malloc0 (1024);
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(SoupMessage) head = NULL;
  g_autoptr(JsonObject) finished = NULL;

  g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
  start_with_env (fixture, env, NULL);

  location = create (fixture, 4096, "slow.bin", NULL);
  first = patch (fixture, location, 0, zeros, 1024);
  g_assert_cmpuint (soup_message_get_status (first), ==, 204);
  g_assert_nonnull (header (first, "Upload-Expires"));
  g_assert_cmpuint (count_files (fixture->inbox, ".part"), ==, 1);

  finished = ssync_test_server_read_event (&fixture->server, "upload-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "incomplete");
  g_usleep (G_USEC_PER_SEC / 5);

  head = tus_request (fixture, "HEAD", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (head), ==, 404);
  g_assert_cmpuint (count_files (fixture->inbox, ".part"), ==, 0);
}

/* Every numbered name is taken, and two uploads of the same name finish at once: both are
 * kept, under names of their own (a name is always free), and nothing crashes. */
static void
test_name_exhaustion (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(SoupMessage) a = NULL;
  g_autoptr(SoupMessage) b = NULL;

  for (guint n = 0; n < 1000; n++)
    {
      g_autofree char *name = n == 0 ? g_strdup ("x.txt") : g_strdup_printf ("x (%u).txt", n);
      g_autofree char *path = g_build_filename (fixture->inbox, name, NULL);

      g_assert_true (g_file_set_contents (path, "old", -1, NULL));
    }

  first = create (fixture, 3, "x.txt", NULL);
  second = create (fixture, 3, "x.txt", NULL);
  a = patch (fixture, first, 0, "one", 3);
  b = patch (fixture, second, 0, "two", 3);
  g_assert_cmpuint (soup_message_get_status (a), ==, 204);
  g_assert_cmpuint (soup_message_get_status (b), ==, 204);
  g_assert_cmpstr (header (a, "Upload-Saved-As"), !=, header (b, "Upload-Saved-As"));

  for (guint i = 0; i < 2; i++)
    {
      SoupMessage *msg = i == 0 ? a : b;
      g_autofree char *name = g_uri_unescape_string (header (msg, "Upload-Saved-As"), NULL);
      g_autofree char *path = g_build_filename (fixture->inbox, name, NULL);
      g_autofree char *text = NULL;

      g_assert_true (g_str_has_prefix (name, "x ("));
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, i == 0 ? "one" : "two");
    }
  g_assert_cmpuint (count_files (fixture->inbox, NULL), ==, 1002);
}

/* Links planted inside the receive folder are never followed: not as a folder of the
 * sender's path, not as the file's own name. */
static void
test_symlinks (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *outside = g_build_filename (fixture->server.dir, "outside", NULL);
  g_autofree char *linkdir = g_build_filename (fixture->inbox, "linkdir", NULL);
  g_autofree char *linkfile = g_build_filename (fixture->inbox, "file.txt", NULL);
  g_autofree char *target = g_build_filename (outside, "target.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *len = g_strdup ("3");
  g_autofree char *name64 = g_base64_encode ((const guchar *) "escaped.txt", 11);
  g_autofree char *path64 = g_base64_encode ((const guchar *) "linkdir/escaped.txt", 19);
  g_autofree char *metadata = g_strdup_printf ("filename %s,relativePath %s", name64, path64);

  g_assert_no_errno (g_mkdir (outside, 0700));
  g_assert_true (g_file_set_contents (target, "mine", -1, NULL));
  g_assert_no_errno (symlink (outside, linkdir));
  g_assert_no_errno (symlink (target, linkfile));

  msg = tus_request (fixture, "POST", fixture->uploads, NULL, "Upload-Length", len,
                     "Upload-Metadata", metadata, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 409);
  g_assert_null (strstr (g_object_get_data (G_OBJECT (msg), "reply"), fixture->server.dir));

  upload_whole (fixture, "file.txt", NULL, "new");
  g_assert_true (g_file_get_contents (target, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "mine");
  g_assert_cmpuint (count_files (outside, NULL), ==, 1);
  {
    g_autofree char *kept = g_build_filename (fixture->inbox, "file (1).txt", NULL);
    g_autofree char *got = NULL;

    g_assert_true (g_file_get_contents (kept, &got, NULL, NULL));
    g_assert_cmpstr (got, ==, "new");
  }
}

static char *
deep_path (guint levels)
{
  g_autoptr(GString) path = g_string_new (NULL);

  for (guint i = 0; i < levels; i++)
    g_string_append_printf (path, "d%u/", i);
  g_string_append (path, "f.txt");
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* A path deeper than 32 levels is refused before anything is made, with no server path in
 * the answer; folders made for an upload that is terminated go with it. */
static void
test_deep_paths (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *too_deep = deep_path (40);
  g_autofree char *too_long = deep_path (1900);
  g_autofree char *deep = deep_path (20);
  g_autofree char *location = NULL;
  g_autofree char *name64 = g_base64_encode ((const guchar *) "f.txt", 5);
  g_autofree char *path64 = g_base64_encode ((const guchar *) too_deep, strlen (too_deep));
  g_autofree char *metadata = g_strdup_printf ("filename %s,relativePath %s", name64, path64);
  g_autoptr(SoupMessage) refused = NULL;
  g_autoptr(SoupMessage) deleted = NULL;
  const char *reply;

  refused = tus_request (fixture, "POST", fixture->uploads, NULL, "Upload-Length", "1",
                         "Upload-Metadata", metadata, NULL);
  reply = g_object_get_data (G_OBJECT (refused), "reply");
  g_assert_cmpuint (soup_message_get_status (refused), ==, 400);
  g_assert_nonnull (strstr (reply, "too deep"));
  g_assert_null (strstr (reply, fixture->server.dir));
  {
    g_autofree char *long64 = g_base64_encode ((const guchar *) too_long, strlen (too_long));
    g_autofree char *long_metadata = g_strdup_printf ("relativePath %s", long64);
    g_autoptr(SoupMessage) msg = tus_request (fixture, "POST", fixture->uploads, NULL,
                                              "Upload-Length", "1",
                                              "Upload-Metadata", long_metadata, NULL);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 400);
  }
  g_assert_cmpuint (count_files (fixture->inbox, NULL), ==, 0);

  location = create (fixture, 10, "f.txt", deep);
  g_assert_cmpuint (count_files (fixture->inbox, NULL), ==, 1);
  deleted = tus_request (fixture, "DELETE", location, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (deleted), ==, 204);
  wait_for_count (fixture->inbox, 0);
}

/* A PATCH whose Content-Length does not fit in 64 bits (libsoup reads -1) must not wrap
 * past the length check. */
static void
test_length_wrap (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *location = create (fixture, 10, "wrap.bin", NULL);
  g_autoptr(SoupMessage) first = patch (fixture, location, 0, "01234", 5);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autofree char *request = NULL;
  g_autofree char *reply = NULL;

  g_assert_cmpuint (soup_message_get_status (first), ==, 204);
  request = g_strdup_printf ("PATCH %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                             "Content-Type: application/offset+octet-stream\r\n"
                             "Upload-Offset: 5\r\nContent-Length: 18446744073709551615\r\n"
                             "\r\n56789",
                             location);
  conn = ssync_test_connect_raw (&fixture->server);
  reply = ssync_test_raw_request (conn, request);
  g_test_message ("%s", reply);
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 413"));
  g_assert_cmpuint (count_files (fixture->inbox, NULL), ==, 1);
}

/* Metadata is capped and must be base64; a client can keep at most 32 unfinished uploads. */
static void
test_metadata_and_pending_limits (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GString) big = g_string_new ("filename ZmlsZQ==,junk ");
  g_autoptr(SoupMessage) too_big = NULL;
  g_autoptr(SoupMessage) not_base64 = NULL;
  g_autoptr(SoupMessage) too_many = NULL;

  while (big->len <= 4096)
    g_string_append (big, "QUFBQUFBQUFBQUFB");
  too_big = tus_request (fixture, "POST", fixture->uploads, NULL, "Upload-Length", "1",
                         "Upload-Metadata", big->str, NULL);
  g_assert_cmpuint (soup_message_get_status (too_big), ==, 400);
  not_base64 = tus_request (fixture, "POST", fixture->uploads, NULL, "Upload-Length", "1",
                            "Upload-Metadata", "filename not*base64", NULL);
  g_assert_cmpuint (soup_message_get_status (not_base64), ==, 400);

  for (guint i = 0; i < 32; i++)
    g_free (create (fixture, 100, "pending.bin", NULL));
  too_many = tus_request (fixture, "POST", fixture->uploads, NULL, "Upload-Length", "1",
                          "Upload-Metadata", "filename ZmlsZQ==", NULL);
  g_assert_cmpuint (soup_message_get_status (too_many), ==, 429);
  g_assert_nonnull (header (too_many, "Retry-After"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func, data) \
  g_test_add ("/uploads/" name, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("complete", test_complete_upload, NULL);
  ADD ("names", test_names, NULL);
  ADD ("protocol-errors", test_protocol_errors, NULL);
  ADD ("termination", test_termination, NULL);
  ADD ("resume-after-disconnect", test_resume_after_disconnect, NULL);
  ADD ("disk-full", test_disk_full, GSIZE_TO_POINTER (3 * 1024 * 1024));
  ADD ("expiry", test_expiry, NULL);
  ADD ("empty-file", test_empty_file, NULL);
  ADD ("name-exhaustion", test_name_exhaustion, NULL);
  ADD ("symlinks", test_symlinks, NULL);
  ADD ("deep-paths", test_deep_paths, NULL);
  ADD ("length-wrap", test_length_wrap, NULL);
  ADD ("metadata-and-pending-limits", test_metadata_and_pending_limits, NULL);

  return g_test_run ();
}
