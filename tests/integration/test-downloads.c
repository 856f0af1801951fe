/* test-downloads.c: the real `sharesync --headless` on 127.0.0.1, fetched with libsoup
 * and curl: full, ranged and resumed downloads, the zip, 404s, traversal attempts, files
 * that vanish or shrink while shared, server limits, and the history rows left behind.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ssync-history.h"
#include "ssync-test-server.h"

#define USER_AGENT "ssync-test/1.0"

typedef struct {
  SsyncTestServer server;
  char *files;
  char *data;
  char *share;  /* /s/TOKEN */
  char *token;
  SoupSession *session;
} Fixture;

static char *
sha256_of_bytes (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static JsonObject *
read_event (Fixture    *fixture,
            const char *wanted)
{
  return ssync_test_server_read_event (&fixture->server, wanted);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *env[] = { "SHARESYNC_IDLE_TIMEOUT=2", "SHARESYNC_MAX_CONNECTIONS=20", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) share = NULL;
  g_autofree char *single = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *empty = NULL;
  const char *args[3] = { NULL };
  const char *url;

  fixture->server.dir = g_dir_make_tmp ("ssync-dl-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->files = g_build_filename (fixture->server.dir, "files", NULL);
  fixture->data = g_build_filename (fixture->server.dir, "data", NULL);

  /* File 0: "report 2026.bin"; then the folder "Mélange" sorted: "a.txt", "Grüße/日本語.txt",
   * "sub/deep/big.bin", and its empty folder "vide". */
  single = ssync_test_write_random (fixture->files, "report 2026.bin", 3 * 1024 * 1024 + 17);
  g_free (ssync_test_write_random (fixture->files, "Mélange/a.txt", 10));
  g_free (ssync_test_write_random (fixture->files, "Mélange/Grüße/日本語.txt", 1000));
  g_free (ssync_test_write_random (fixture->files, "Mélange/sub/deep/big.bin", 40 * 1024 * 1024));
  folder = g_build_filename (fixture->files, "Mélange", NULL);
  empty = g_build_filename (folder, "vide", NULL);
  g_assert_no_errno (g_mkdir_with_parents (empty, 0700));

  args[0] = single;
  args[1] = folder;
  ssync_test_server_start (&fixture->server, env, args);
  share = read_event (fixture, "share");
  url = json_object_get_string_member (share, "url");
  fixture->share = g_strdup (url + strlen (fixture->server.base));
  fixture->token = g_strdup (fixture->share + strlen ("/s/"));

  fixture->session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                                    "max-conns-per-host", 64, NULL);
}

static void
stop_server (Fixture *fixture)
{
  if (fixture->server.proc != NULL)
    g_assert_cmpint (ssync_test_server_stop (&fixture->server), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  stop_server (fixture);
  g_clear_object (&fixture->session);
  ssync_test_remove_tree (fixture->server.dir);
  g_free (fixture->server.dir);
  g_free (fixture->files);
  g_free (fixture->data);
  g_free (fixture->share);
  g_free (fixture->token);
}

static GBytes *
fetch (Fixture     *fixture,
       const char  *method,
       const char  *path,
       const char **header_pairs,
       SoupMessage **out_msg)
{
  g_autofree char *url = g_strconcat (fixture->server.base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  GBytes *body;

  g_assert_nonnull (msg);
  for (guint i = 0; header_pairs != NULL && header_pairs[i] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), header_pairs[i],
                                  header_pairs[i + 1]);

  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (out_msg != NULL)
    *out_msg = g_steal_pointer (&msg);
  return body;
}

static const char *
response_header (SoupMessage *msg,
                 const char  *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (msg), name);
}

static char *
file_url (Fixture    *fixture,
          const char *id,
          const char *escaped_name)
{
  return g_strdup_printf ("%s/f/%s/%s", fixture->share, id, escaped_name);
}

/* The share is hashed in the background: waits until /api/files lists every SHA-256 and
 * returns that listing. */
static JsonNode *
wait_for_digests (Fixture *fixture)
{
  g_autofree char *files_path = g_strconcat ("/api/files/", fixture->token, NULL);

  for (guint attempt = 0; attempt < 200; attempt++)
    {
      g_autoptr(GBytes) body = fetch (fixture, "GET", files_path, NULL, NULL);
      g_autoptr(JsonNode) node = json_from_string (g_bytes_get_data (body, NULL), NULL);
      JsonArray *files = json_object_get_array_member (json_node_get_object (node), "files");
      gboolean all = TRUE;

      for (guint i = 0; i < json_array_get_length (files); i++)
        all &= !json_object_get_null_member (json_array_get_object_element (files, i), "sha256");
      if (all)
        return g_steal_pointer (&node);
      g_usleep (G_USEC_PER_SEC / 20);
    }

  g_assert_not_reached ();
}

static void
test_full_download (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = file_url (fixture, "0", "report%202026.bin");
  g_autofree char *local = g_build_filename (fixture->files, "report 2026.bin", NULL);
  g_autofree char *expected = ssync_test_sha256_of_file (local);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = fetch (fixture, "GET", path, NULL, &msg);
  g_autofree char *got = sha256_of_bytes (body);
  g_autoptr(JsonObject) started = NULL;
  g_autoptr(JsonObject) finished = NULL;

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpstr (response_header (msg, "Accept-Ranges"), ==, "bytes");
  g_assert_nonnull (response_header (msg, "ETag"));
  g_assert_nonnull (response_header (msg, "Last-Modified"));
  g_assert_cmpstr (response_header (msg, "Content-Disposition"), ==,
                   "attachment; filename=\"report 2026.bin\"; "
                   "filename*=UTF-8''report%202026.bin");

  started = read_event (fixture, "download-started");
  g_assert_cmpstr (json_object_get_string_member (started, "user_agent"), ==, USER_AGENT);
  g_assert_cmpstr (json_object_get_string_member (started, "peer"), ==, "127.0.0.1");
  finished = read_event (fixture, "download-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "complete");
  g_assert_cmpint (json_object_get_int_member (finished, "bytes"), ==, 3 * 1024 * 1024 + 17);

  /* HEAD tells the length and validators without sending or recording a download. */
  g_clear_object (&msg);
  g_bytes_unref (fetch (fixture, "HEAD", path, NULL, &msg));
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpint (soup_message_headers_get_content_length (
                     soup_message_get_response_headers (msg)), ==, 3 * 1024 * 1024 + 17);

  /* A Unicode name in the URL. */
  {
    g_autofree char *upath = file_url (fixture, "2", "%E6%97%A5%E6%9C%AC%E8%AA%9E.txt");
    g_autofree char *ulocal = g_build_filename (fixture->files, "Mélange", "Grüße",
                                                "日本語.txt", NULL);
    g_autofree char *uexpected = ssync_test_sha256_of_file (ulocal);
    g_autoptr(SoupMessage) umsg = NULL;
    g_autoptr(GBytes) ubody = fetch (fixture, "GET", upath, NULL, &umsg);
    g_autofree char *ugot = sha256_of_bytes (ubody);

    g_assert_cmpuint (soup_message_get_status (umsg), ==, 200);
    g_assert_cmpstr (ugot, ==, uexpected);
    g_assert_cmpstr (response_header (umsg, "Content-Disposition"), ==,
                     "attachment; filename=\"___.txt\"; "
                     "filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt");
  }
}

static void
check_range (Fixture    *fixture,
             const char *range,
             guint       status,
             gsize       start,
             gsize       length,
             const char *content_range)
{
  g_autofree char *path = file_url (fixture, "0", "report%202026.bin");
  g_autofree char *local = g_build_filename (fixture->files, "report 2026.bin", NULL);
  g_autofree char *contents = NULL;
  const char *headers[] = { "Range", range, NULL };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  g_test_message ("Range: %s", range);
  g_assert_true (g_file_get_contents (local, &contents, NULL, NULL));
  body = fetch (fixture, "GET", path, headers, &msg);

  g_assert_cmpuint (soup_message_get_status (msg), ==, status);
  g_assert_cmpstr (response_header (msg, "Content-Range"), ==, content_range);
  g_assert_cmpuint (g_bytes_get_size (body), ==, length);
  if (length > 0)
    g_assert_cmpmem (g_bytes_get_data (body, NULL), length, contents + start, length);
}

static void
test_ranges (Fixture       *fixture,
             gconstpointer  data)
{
  const gsize size = 3 * 1024 * 1024 + 17;
  g_autofree char *last = g_strdup_printf ("bytes 0-%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT,
                                           size - 1, size);
  g_autofree char *suffix = g_strdup_printf ("bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT
                                             "/%" G_GSIZE_FORMAT, size - 500, size - 1, size);
  g_autofree char *tail = g_strdup_printf ("bytes 2000000-%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT,
                                           size - 1, size);
  g_autofree char *unsatisfiable = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, size);
  g_autofree char *past_end = g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-", size);
  g_autofree char *mid = g_strdup_printf ("bytes 100-199/%" G_GSIZE_FORMAT, size);

  check_range (fixture, "bytes=100-199", 206, 100, 100, mid);
  check_range (fixture, "bytes=-500", 206, size - 500, 500, suffix);
  check_range (fixture, "bytes=2000000-", 206, 2000000, size - 2000000, tail);
  check_range (fixture, "bytes=0-99999999999", 206, 0, size, last);
  check_range (fixture, past_end, 416, 0, 0, unsatisfiable);
  check_range (fixture, "bytes=-0", 416, 0, 0, unsatisfiable);
  /* Several ranges, or nonsense: the whole file. */
  check_range (fixture, "bytes=0-1,5-6", 200, 0, size, NULL);
  check_range (fixture, "lines=1-2", 200, 0, size, NULL);
}

static void
test_if_range (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = file_url (fixture, "0", "report%202026.bin");
  g_autoptr(SoupMessage) head = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *last_modified = NULL;

  g_bytes_unref (fetch (fixture, "HEAD", path, NULL, &head));
  etag = g_strdup (response_header (head, "ETag"));
  last_modified = g_strdup (response_header (head, "Last-Modified"));

  {
    const char *headers[] = { "Range", "bytes=10-19", "If-Range", etag, NULL };
    g_autoptr(SoupMessage) msg = NULL;
    g_autoptr(GBytes) body = fetch (fixture, "GET", path, headers, &msg);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 206);
    g_assert_cmpuint (g_bytes_get_size (body), ==, 10);
  }
  {
    const char *headers[] = { "Range", "bytes=10-19", "If-Range", last_modified, NULL };
    g_autoptr(SoupMessage) msg = NULL;
    g_autoptr(GBytes) body = fetch (fixture, "GET", path, headers, &msg);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 206);
  }
  {
    /* The file changed since the client's copy: it gets the whole current file. */
    const char *headers[] = { "Range", "bytes=10-19", "If-Range", "\"stale\"", NULL };
    g_autoptr(SoupMessage) msg = NULL;
    g_autoptr(GBytes) body = fetch (fixture, "GET", path, headers, &msg);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    g_assert_cmpuint (g_bytes_get_size (body), ==, 3 * 1024 * 1024 + 17);
  }
}

static int
run_command (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  return status;
}

static void
test_resume_with_curl (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = file_url (fixture, "0", "report%202026.bin");
  g_autofree char *url = g_strconcat (fixture->server.base, path, NULL);
  g_autofree char *local = g_build_filename (fixture->files, "report 2026.bin", NULL);
  g_autofree char *partial = g_build_filename (fixture->server.dir, "partial.bin", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = ssync_test_sha256_of_file (local);
  g_autofree char *got = NULL;
  const char *curl[] = { "curl", "-sSf", "-C", "-", "-o", partial, url, NULL };
  g_autoptr(JsonObject) started = NULL;
  gsize len;

  /* An interrupted download left the first 1,000,000 bytes behind. */
  g_assert_true (g_file_get_contents (local, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (partial, contents, 1000000, NULL));

  g_assert_cmpint (run_command (curl), ==, 0);
  got = ssync_test_sha256_of_file (partial);
  g_assert_cmpstr (got, ==, expected);

  started = read_event (fixture, "download-started");
  g_assert_cmpint (json_object_get_int_member (started, "offset"), ==, 1000000);
  g_assert_cmpint (json_object_get_int_member (started, "total"), ==, len - 1000000);
}

static void
test_zip (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *path = g_strconcat (fixture->share, "/archive.zip", NULL);
  g_autofree char *zip = g_build_filename (fixture->server.dir, "all.zip", NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonNode) listing = wait_for_digests (fixture);
  g_autoptr(GBytes) body = fetch (fixture, "GET", path, NULL, &msg);
  const char *unzip[] = { "unzip", "-tqq", zip, NULL };
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpstr (response_header (msg, "Content-Type"), ==, "application/zip");
  g_assert_cmpint (soup_message_headers_get_content_length (
                     soup_message_get_response_headers (msg)), ==, g_bytes_get_size (body));
  g_assert_true (g_file_set_contents (zip, g_bytes_get_data (body, NULL),
                                      g_bytes_get_size (body), NULL));
  g_assert_cmpint (run_command (unzip), ==, 0);

  /* Python's zipfile lists every entry with the SHA-256 of its bytes. */
  script = g_strdup_printf (
    "import hashlib, zipfile\n"
    "z = zipfile.ZipFile('%s')\n"
    "assert z.testzip() is None\n"
    "for i in z.infolist():\n"
    "    print(i.filename, '' if i.is_dir() else hashlib.sha256(z.read(i)).hexdigest())\n",
    zip);
  {
    const char *argv[] = { "python3", "-c", script, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
  }

  {
    g_autofree char *p0 = g_build_filename (fixture->files, "report 2026.bin", NULL);
    g_autofree char *p1 = g_build_filename (fixture->files, "Mélange", "a.txt", NULL);
    g_autofree char *p2 = g_build_filename (fixture->files, "Mélange", "Grüße", "日本語.txt", NULL);
    g_autofree char *p3 = g_build_filename (fixture->files, "Mélange", "sub", "deep", "big.bin",
                                            NULL);
    g_autofree char *s0 = ssync_test_sha256_of_file (p0);
    g_autofree char *s1 = ssync_test_sha256_of_file (p1);
    g_autofree char *s2 = ssync_test_sha256_of_file (p2);
    g_autofree char *s3 = ssync_test_sha256_of_file (p3);

    expected = g_strdup_printf ("Mélange/ \n"
                                "Mélange/Grüße/ \n"
                                "Mélange/sub/ \n"
                                "Mélange/sub/deep/ \n"
                                "Mélange/vide/ \n"
                                "report 2026.bin %s\n"
                                "Mélange/a.txt %s\n"
                                "Mélange/Grüße/日本語.txt %s\n"
                                "Mélange/sub/deep/big.bin %s\n", s0, s1, s2, s3);
  }
  g_assert_cmpstr (out, ==, expected);
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *bad_token = g_strdup (fixture->share);
  g_autofree char *first_body = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  bad_token[strlen (bad_token) - 1] = bad_token[strlen (bad_token) - 1] == 'A' ? 'B' : 'A';
  g_ptr_array_add (paths, g_strdup ("/"));
  g_ptr_array_add (paths, g_strdup ("/nothing/here"));
  g_ptr_array_add (paths, g_strdup ("/s/"));
  g_ptr_array_add (paths, g_strdup (bad_token));
  g_ptr_array_add (paths, g_strconcat (bad_token, "/f/0/report%202026.bin", NULL));
  g_ptr_array_add (paths, g_strconcat (bad_token, "/archive.zip", NULL));
  g_ptr_array_add (paths, g_strconcat (fixture->share, "/f/9/x", NULL));
  g_ptr_array_add (paths, g_strconcat (fixture->share, "/f/00/report%202026.bin", NULL));
  g_ptr_array_add (paths, g_strconcat (fixture->share, "/f/0/other-name.bin", NULL));
  g_ptr_array_add (paths, g_strconcat (fixture->share, "/f/0/report%202026.bin/more", NULL));
  g_ptr_array_add (paths, g_strconcat ("/api/files/", bad_token + 3, NULL));
  g_ptr_array_add (paths, g_strdup ("/api/nothing"));
  g_ptr_array_add (paths, g_strdup ("/static/nothing.js"));

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = fetch (fixture, "GET", g_ptr_array_index (paths, i), NULL, &msg);
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      g_test_message ("GET %s", (char *) g_ptr_array_index (paths, i));
      g_assert_cmpuint (soup_message_get_status (msg), ==, 404);
      /* The same body for every unknown thing: a 404 says nothing about what exists. */
      if (first_body == NULL)
        first_body = g_steal_pointer (&text);
      else
        g_assert_cmpstr (text, ==, first_body);
    }

  {
    g_autoptr(SoupMessage) msg = NULL;

    g_bytes_unref (fetch (fixture, "POST", fixture->share, NULL, &msg));
    g_assert_cmpuint (soup_message_get_status (msg), ==, 405);
  }
}

static void
test_traversal (Fixture       *fixture,
                gconstpointer  data)
{
  const char *suffixes[] = {
    "/f/0/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/f/..%2F..%2Fetc/passwd",
    "/f/0/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/f/0/../../../../etc/passwd",
    "/../../../../etc/passwd",
    "/f/0/report%202026.bin%00.txt",
    "/f/0/%2Fetc%2Fpasswd",
    "/f/0/..%5C..%5Cetc%5Cpasswd",
  };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *url = g_strconcat (fixture->server.base, fixture->share, suffixes[i], NULL);
      g_autofree char *out = NULL;
      const char *argv[] = { "curl", "-s", "--path-as-is", "-w", "\n%{http_code}", url, NULL };
      int status;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                    &status, NULL);
      g_test_message ("GET %s", url);
      g_assert_true (g_str_has_suffix (out, "\n404") || g_str_has_suffix (out, "\n400"));
      g_assert_null (strstr (out, "root:"));
    }

  {
    g_autofree char *url = g_strconcat (fixture->server.base, "/static/..%2F..%2Fmeson.build", NULL);
    g_autofree char *out = NULL;
    const char *argv[] = { "curl", "-s", "--path-as-is", "-w", "\n%{http_code}", url, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                  NULL, NULL);
    g_assert_true (g_str_has_suffix (out, "\n404"));
    g_assert_null (strstr (out, "project("));
  }
}

static void
test_vanished_file (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = file_url (fixture, "0", "report%202026.bin");
  g_autofree char *local = g_build_filename (fixture->files, "report 2026.bin", NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;

  g_assert_no_errno (g_unlink (local));
  body = fetch (fixture, "GET", path, NULL, &msg);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  g_assert_cmpuint (soup_message_get_status (msg), ==, 410);
  g_assert_nonnull (strstr (text, "report 2026.bin"));
  g_assert_nonnull (strstr (text, "moved or deleted"));
  g_assert_null (strstr (text, fixture->files));

  /* The zip cannot be made whole either: a clear error before any byte. */
  {
    g_autofree char *zpath = g_strconcat (fixture->share, "/archive.zip", NULL);
    g_autoptr(SoupMessage) zmsg = NULL;

    g_bytes_unref (fetch (fixture, "GET", zpath, NULL, &zmsg));
    g_assert_cmpuint (soup_message_get_status (zmsg), ==, 410);
  }
}

/* A file that can no longer be read: its link answers a page naming it and why, never the
 * sharing computer's path or a bare error; the zip fails before its first byte, with a
 * page, instead of announcing a length and stopping. (main() keeps the server from reading
 * past file permissions when the tests run as root.) */
static void
test_unreadable_file (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = file_url (fixture, "0", "report%202026.bin");
  g_autofree char *zpath = g_strconcat (fixture->share, "/archive.zip", NULL);
  g_autofree char *local = g_build_filename (fixture->files, "report 2026.bin", NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupMessage) zmsg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) zbody = NULL;
  g_autofree char *text = NULL;
  g_autofree char *ztext = NULL;

  g_assert_no_errno (g_chmod (local, 0));
  body = fetch (fixture, "GET", path, NULL, &msg);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_assert_cmpuint (soup_message_get_status (msg), ==, 500);
  g_assert_nonnull (strstr (text, "This File Cannot Be Read"));
  g_assert_nonnull (strstr (text, "report 2026.bin"));
  g_assert_null (strstr (text, fixture->files));
  g_assert_null (strstr (text, "ermission denied"));

  zbody = fetch (fixture, "GET", zpath, NULL, &zmsg);
  ztext = g_strndup (g_bytes_get_data (zbody, NULL), g_bytes_get_size (zbody));
  g_assert_cmpuint (soup_message_get_status (zmsg), ==, 500);
  g_assert_cmpstr (response_header (zmsg, "Content-Type"), !=, "application/zip");
  g_assert_nonnull (strstr (ztext, "The Archive Cannot Be Made"));
  g_assert_null (strstr (ztext, fixture->files));
  g_assert_no_errno (g_chmod (local, 0600));
}

static guint64
read_some (GInputStream *in,
           gsize         want)
{
  g_autofree guint8 *buf = g_malloc (64 * 1024);
  guint64 total = 0;

  while (total < want)
    {
      gssize n = g_input_stream_read (in, buf, MIN (want - total, 64 * 1024), NULL, NULL);

      if (n <= 0)
        break;
      total += n;
    }

  return total;
}

static void
test_truncated_while_sending (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *path = g_strconcat (fixture->share, "/f/3/big.bin", NULL);
  g_autofree char *url = g_strconcat (fixture->server.base, path, NULL);
  g_autofree char *local = g_build_filename (fixture->files, "Mélange", "sub", "deep",
                                             "big.bin", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) finished = NULL;
  guint64 got;

  in = soup_session_send (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  got = read_some (in, 1024 * 1024);
  g_assert_cmpuint (got, ==, 1024 * 1024);

  /* The file shrinks to 8 MiB on the sharing computer: the client must never receive a
   * body that looks complete. */
  g_assert_no_errno (truncate (local, 8 * 1024 * 1024));
  got += read_some (in, 40 * 1024 * 1024);
  g_assert_cmpuint (got, <, 40 * 1024 * 1024);

  finished = read_event (fixture, "download-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "failed");
  g_assert_nonnull (json_object_get_string_member (finished, "message"));

  /* The server lives on. */
  {
    g_autoptr(SoupMessage) health = NULL;

    g_bytes_unref (fetch (fixture, "GET", "/api/health", NULL, &health));
    g_assert_cmpuint (soup_message_get_status (health), ==, 200);
  }
}

static void
test_history (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = file_url (fixture, "0", "report%202026.bin");
  g_autofree char *big = g_strconcat (fixture->server.base, fixture->share, "/f/3/big.bin", NULL);
  g_autofree char *db = g_build_filename (fixture->data, "history.db", NULL);
  g_autoptr(SoupMessage) aborted = soup_message_new ("GET", big);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncHistory) history = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonObject) finished = NULL;
  gboolean seen_complete = FALSE, seen_incomplete = FALSE;

  g_bytes_unref (fetch (fixture, "GET", path, NULL, NULL));
  json_object_unref (read_event (fixture, "download-finished"));

  /* A client that gives up after 2 MiB of 40. */
  in = soup_session_send (fixture->session, aborted, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read_some (in, 2 * 1024 * 1024), ==, 2 * 1024 * 1024);
  g_input_stream_close (in, NULL, NULL);
  g_clear_object (&in);
  soup_session_abort (fixture->session);

  finished = read_event (fixture, "download-finished");
  g_assert_cmpstr (json_object_get_string_member (finished, "status"), ==, "incomplete");

  stop_server (fixture);

  history = ssync_history_open (db, &error);
  g_assert_no_error (error);
  rows = ssync_history_list_transfers (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);

  for (guint i = 0; i < rows->len; i++)
    {
      SsyncTransferRecord *row = g_ptr_array_index (rows, i);

      g_assert_cmpint (row->direction, ==, SSYNC_DIRECTION_DOWNLOAD);
      g_assert_cmpstr (row->peer, ==, "127.0.0.1");
      g_assert_cmpstr (row->user_agent, ==, USER_AGENT);
      g_assert_cmpint (row->started, >, 0);
      g_assert_cmpint (row->finished, >=, row->started);

      if (row->status == SSYNC_TRANSFER_STATUS_COMPLETE)
        {
          g_assert_cmpstr (row->file_name, ==, "report 2026.bin");
          g_assert_cmpuint (row->bytes, ==, 3 * 1024 * 1024 + 17);
          seen_complete = TRUE;
        }
      else
        {
          g_assert_cmpint (row->status, ==, SSYNC_TRANSFER_STATUS_INCOMPLETE);
          g_assert_cmpstr (row->file_name, ==, "Mélange/sub/deep/big.bin");
          g_assert_cmpuint (row->bytes, >=, 2 * 1024 * 1024);
          g_assert_cmpuint (row->bytes, <, row->total);
          g_assert_cmpuint (row->total, ==, 40 * 1024 * 1024);
          seen_incomplete = TRUE;
        }
    }

  g_assert_true (seen_complete);
  g_assert_true (seen_incomplete);
}

static void
test_api (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *files_path = g_strconcat ("/api/files/", fixture->token, NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *obj;
  JsonArray *files;

  body = fetch (fixture, "GET", "/api/health", NULL, &msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  node = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  obj = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (obj, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (obj, "database"), ==, "ok");
  g_assert_cmpfloat (json_object_get_double_member (obj, "uptime"), >=, 0);

  g_clear_object (&msg);
  g_clear_pointer (&body, g_bytes_unref);
  g_clear_pointer (&node, json_node_unref);
  body = fetch (fixture, "GET", files_path, NULL, &msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpstr (response_header (msg, "Content-Type"), ==, "application/json");
  node = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  obj = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==,
                   "report 2026.bin and 1 more item");
  files = json_object_get_array_member (obj, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 4);

  /* Every listed URL serves that file, whose SHA-256 the listing soon tells. */
  g_clear_pointer (&node, json_node_unref);
  node = wait_for_digests (fixture);
  files = json_object_get_array_member (json_node_get_object (node), "files");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);
      g_autoptr(SoupMessage) head = NULL;
      g_autoptr(GBytes) bytes = fetch (fixture, "GET", json_object_get_string_member (file, "url"),
                                       NULL, NULL);
      g_autofree char *sha256 = sha256_of_bytes (bytes);

      g_assert_cmpstr (json_object_get_string_member (file, "sha256"), ==, sha256);

      g_bytes_unref (fetch (fixture, "HEAD", json_object_get_string_member (file, "url"), NULL,
                            &head));
      g_assert_cmpuint (soup_message_get_status (head), ==, 200);
      g_assert_cmpint (soup_message_headers_get_content_length (
                         soup_message_get_response_headers (head)), ==,
                       json_object_get_int_member (file, "size"));
    }
}

static void
test_limits (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) huge = g_string_new ("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  g_autofree char *reply = NULL;
  gint64 start;

  /* Oversized headers: 431, never a crash or an unbounded buffer. */
  for (guint i = 0; i < 100; i++)
    g_string_append_printf (huge, "X-Filler-%u: %0500d\r\n", i, 0);
  g_string_append (huge, "Connection: close\r\n\r\n");
  {
    g_autoptr(GSocketConnection) conn = ssync_test_connect_raw (&fixture->server);

    reply = ssync_test_raw_request (conn, huge->str);
    g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 431"));
  }

  /* Idle connections are closed (SHARESYNC_IDLE_TIMEOUT=2 here). */
  {
    g_autoptr(GSocketConnection) conn = ssync_test_connect_raw (&fixture->server);
    GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
    char buf[16];

    start = g_get_monotonic_time ();
    g_assert_cmpint (g_input_stream_read (in, buf, sizeof buf, NULL, NULL), ==, 0);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 1 * G_USEC_PER_SEC);
  }

  /* Past the connection cap (20 here), connections that sent nothing make room for a new
   * client (test-connections.c tests the cap in full). */
  for (guint i = 0; i < 20; i++)
    {
      GSocketConnection *conn = ssync_test_connect_raw (&fixture->server);

      g_ptr_array_add (held, conn);
    }
  g_usleep (G_USEC_PER_SEC / 5);
  {
    g_autoptr(GSocketConnection) conn = ssync_test_connect_raw (&fixture->server);
    g_autofree char *served = ssync_test_raw_request (conn, "GET /api/health HTTP/1.1\r\n"
                                                            "Host: 127.0.0.1\r\nConnection: close\r\n\r\n");
    GInputStream *in = g_io_stream_get_input_stream (g_ptr_array_index (held, 0));
    char buf[16];

    g_assert_true (g_str_has_prefix (served, "HTTP/1.1 200"));
    g_assert_cmpint (g_input_stream_read (in, buf, sizeof buf, NULL, NULL), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* As root the server would read a file whatever its permissions: the servers these tests
   * start lose that power, as a user's ShareSync never had it. */
  if (geteuid () == 0)
    {
      g_assert_no_errno (prctl (PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0));
      g_assert_no_errno (prctl (PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0));
    }

#define ADD(name, func) \
  g_test_add ("/downloads/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("full", test_full_download);
  ADD ("ranges", test_ranges);
  ADD ("if-range", test_if_range);
  ADD ("resume-with-curl", test_resume_with_curl);
  ADD ("zip", test_zip);
  ADD ("not-found", test_not_found);
  ADD ("traversal", test_traversal);
  ADD ("vanished-file", test_vanished_file);
  ADD ("unreadable-file", test_unreadable_file);
  ADD ("truncated-while-sending", test_truncated_while_sending);
  ADD ("history", test_history);
  ADD ("api", test_api);
  ADD ("limits", test_limits);

  return g_test_run ();
}
