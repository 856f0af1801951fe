/* test-fetch-http-hostile.c: --fetch's HTTP fast path against a stand-in server written
 * here (raw sockets, one thread per connection, so that it can cut, stall and lie): resume
 * after a cut (Range + If-Range), a file that changed between the cut and the resume, a
 * server that keeps cutting, four files at a time at most, cancelling, and lying listings
 * and bodies (sizes, SHA-256, paths that climb, ids, counts, a huge listing, statuses), all
 * refused with nothing left behind, not even a .part.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-http-fetch.h"
#include "ssync-test-server.h"
#include "ssync-transfer.h"

#define MIB (1024 * 1024)
#define TOKEN "Tok3nTok3nTok3nTok3nTo"

/* The stand-in: answers /api/files/TOKEN with @listing and /s/TOKEN/f/ID/NAME with the
 * bytes of @files[ID], as told. */
typedef struct {
  GMutex lock;
  GCond cond;
  GThreadedSocketService *service;
  char *base;
  char *listing;
  guint listing_status;
  gboolean no_length;       /* bodies end with the connection, no Content-Length */
  GHashTable *files;        /* id → GBytes */
  gsize cut_after;          /* 0, or: the first answer of each file stops after this many */
  gboolean always_cut;
  gboolean stall;           /* after cut_after bytes, wait for @released instead */
  gboolean released;
  char *etag;
  char *etag_after_cut;     /* the file "changed": the ETag of later answers */
  GPtrArray *ranges;        /* "Range | If-Range" of each file request */
  guint active, max_active;
  guint delay_ms;
} Stand;

static char *
read_request (GDataInputStream *in,
              char            **range,
              char            **if_range)
{
  char *first = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  char *line;

  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
    {
      g_strchomp (line);
      if (line[0] == '\0')
        {
          g_free (line);
          break;
        }
      if (g_ascii_strncasecmp (line, "Range: ", 7) == 0)
        *range = g_strdup (line + 7);
      else if (g_ascii_strncasecmp (line, "If-Range: ", 10) == 0)
        *if_range = g_strdup (line + 10);
      g_free (line);
    }
  return first;
}

static void
write_head (GOutputStream *out,
            guint          status,
            const char    *extra,
            gsize          length,
            gboolean       no_length)
{
  g_autofree char *length_header = no_length ? g_strdup ("")
    : g_strdup_printf ("Content-Length: %" G_GSIZE_FORMAT "\r\n", length);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u X\r\nConnection: close\r\n%s%s\r\n",
                                           status, length_header, extra != NULL ? extra : "");

  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
}

static void
serve_file (Stand         *stand,
            GOutputStream *out,
            const char    *id,
            const char    *range,
            const char    *if_range)
{
  GBytes *bytes = g_hash_table_lookup (stand->files, id);
  gsize size, start = 0, send;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
  g_autofree char *extra = NULL;
  gboolean cut;
  const char *etag;

  g_mutex_lock (&stand->lock);
  cut = stand->cut_after > 0 && (stand->always_cut || stand->ranges->len == 1);
  etag = stand->ranges->len > 1 && stand->etag_after_cut != NULL ? stand->etag_after_cut
                                                                  : stand->etag;
  g_mutex_unlock (&stand->lock);
  if (data == NULL)
    {
      write_head (out, 404, NULL, 0, FALSE);
      return;
    }
  if (range != NULL && g_str_has_prefix (range, "bytes=") &&
      (if_range == NULL || g_strcmp0 (if_range, etag) == 0))
    start = g_ascii_strtoull (range + 6, NULL, 10);
  extra = g_strdup_printf ("ETag: %s\r\n", etag);
  if (start > 0)
    {
      g_autofree char *with_range = g_strdup_printf ("%sContent-Range: bytes %" G_GSIZE_FORMAT
                                                     "-%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT
                                                     "\r\n", extra, start, size - 1, size);
      write_head (out, 206, with_range, size - start, stand->no_length);
    }
  else
    write_head (out, 200, extra, size, stand->no_length);

  send = cut ? MIN (stand->cut_after, size - start) : size - start;
  g_output_stream_write_all (out, data + start, send, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  g_mutex_lock (&stand->lock);
  while (cut && stand->stall && !stand->released)
    g_cond_wait (&stand->cond, &stand->lock);
  g_mutex_unlock (&stand->lock);
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source,
        Stand                  *stand)
{
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autofree char *range = NULL;
  g_autofree char *if_range = NULL;
  g_autofree char *first = read_request (in, &range, &if_range);
  g_auto(GStrv) words = first != NULL ? g_strsplit (first, " ", 3) : NULL;
  g_auto(GStrv) parts = words != NULL && words[1] != NULL ? g_strsplit (words[1], "/", -1)
                                                         : NULL;

  if (parts == NULL || g_strv_length (parts) < 4)
    write_head (out, 400, NULL, 0, FALSE);
  else if (g_str_equal (parts[1], "api"))
    {
      gsize n = strlen (stand->listing);

      write_head (out, stand->listing_status, NULL, n, stand->no_length);
      g_output_stream_write_all (out, stand->listing, n, NULL, NULL, NULL);
    }
  else if (g_strv_length (parts) == 6 && g_str_equal (parts[2], TOKEN))
    {
      g_mutex_lock (&stand->lock);
      g_ptr_array_add (stand->ranges, g_strdup_printf ("%s | %s", range, if_range));
      stand->active++;
      stand->max_active = MAX (stand->max_active, stand->active);
      g_mutex_unlock (&stand->lock);
      g_usleep (stand->delay_ms * 1000);
      serve_file (stand, out, parts[4], range, if_range);
      g_mutex_lock (&stand->lock);
      stand->active--;
      g_mutex_unlock (&stand->lock);
    }
  else
    write_head (out, 404, NULL, 0, FALSE);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
stand_start (Stand *stand)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&stand->lock);
  g_cond_init (&stand->cond);
  stand->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  stand->ranges = g_ptr_array_new_with_free_func (g_free);
  stand->listing_status = 200;
  stand->etag = g_strdup ("\"v1\"");
  stand->service = G_THREADED_SOCKET_SERVICE (g_threaded_socket_service_new (16));
  g_socket_listener_add_address (G_SOCKET_LISTENER (stand->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  stand->base = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (
                                   G_INET_SOCKET_ADDRESS (bound)));
  g_signal_connect (stand->service, "run", G_CALLBACK (on_run), stand);
  g_socket_service_start (G_SOCKET_SERVICE (stand->service));
}

static void
stand_stop (Stand *stand)
{
  g_mutex_lock (&stand->lock);
  stand->released = TRUE;
  g_cond_broadcast (&stand->cond);
  g_mutex_unlock (&stand->lock);
  g_socket_service_stop (G_SOCKET_SERVICE (stand->service));
  g_socket_listener_close (G_SOCKET_LISTENER (stand->service));
  /* Its threads hold @stand until their connection ends: wait for them. */
  while (stand->active > 0)
    g_usleep (10000);
  g_clear_object (&stand->service);
  g_hash_table_unref (stand->files);
  g_ptr_array_unref (stand->ranges);
  g_free (stand->base);
  g_free (stand->listing);
  g_free (stand->etag);
  g_free (stand->etag_after_cut);
}

/* Adds a file of @size random bytes as @id; returns its SHA-256. */
static char *
stand_add (Stand      *stand,
           const char *id,
           gsize       size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = g_random_int_range (0, 256);
  g_hash_table_insert (stand->files, g_strdup (id), g_bytes_new_take (data, size));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
}

typedef struct {
  char *dir;
  char *out;
  Stand stand;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-fetch-http-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->out = g_build_filename (fixture->dir, "out", NULL);
  g_assert_no_errno (g_mkdir (fixture->out, 0700));
  stand_start (&fixture->stand);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  stand_stop (&fixture->stand);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->out);
}

/* The files under @dir, relative, sorted, one a line. */
static char *
list_tree (const char *dir)
{
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *command = g_strdup_printf ("sh -c \"find %s -type f -printf '%%P\\n' | "
                                              "sort\"", quoted);
  char *listing = NULL;

  g_assert_true (g_spawn_command_line_sync (command, &listing, NULL, NULL, NULL));
  return g_strstrip (listing);
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
  GPtrArray *transfers;
} Run;

static void
on_transfer_started (SsyncHttpFetch *fetch,
                     SsyncTransfer  *transfer,
                     Run            *run)
{
  g_ptr_array_add (run->transfers, g_object_ref (transfer));
}

static void
on_ran (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;

  run->ok = ssync_http_fetch_run_finish (SSYNC_HTTP_FETCH (source), result, &run->error);
  run->done = TRUE;
}

/* Fetches the stand-in's share into fixture->out; @cancel_after_ms: 0, or when to cancel. */
static SsyncHttpFetch *
fetch (Fixture *fixture,
       Run     *run,
       guint    cancel_after_ms)
{
  g_autofree char *url = g_strconcat (fixture->stand.base, "/s/" TOKEN, NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->out);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  SsyncHttpFetch *http = ssync_http_fetch_new (url, folder, &error);

  g_assert_no_error (error);
  run->transfers = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (http, "transfer-started", G_CALLBACK (on_transfer_started), run);
  ssync_http_fetch_run_async (http, cancellable, on_ran, run);
  if (cancel_after_ms > 0)
    {
      ssync_test_wait_for (cancel_after_ms);
      g_cancellable_cancel (cancellable);
    }
  ssync_test_wait_until (&run->done, 60);
  return http;
}

static void
run_clear (Run *run)
{
  g_clear_error (&run->error);
  g_clear_pointer (&run->transfers, g_ptr_array_unref);
}

/* A listing of one file "a/b.bin" (@id, @size, @sha256 or null). */
static void
set_listing (Stand      *stand,
             const char *id,
             const char *path,
             gint64      size,
             const char *sha256)
{
  g_autofree char *quoted = sha256 != NULL ? g_strdup_printf ("\"%s\"", sha256)
                                           : g_strdup ("null");
  const char *name = strrchr (path, '/') != NULL ? strrchr (path, '/') + 1 : path;

  g_free (stand->listing);
  stand->listing = g_strdup_printf ("{\"id\":\"S\",\"name\":\"a\",\"kind\":\"send\",\"files\":"
                                    "[{\"id\":\"%s\",\"name\":\"%s\",\"path\":\"%s\","
                                    "\"size\":%" G_GINT64_FORMAT ",\"sha256\":%s}]}",
                                    id, name, path, size, quoted);
}

static void
test_resume (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *sum = stand_add (&fixture->stand, "f1", 3 * MIB + 5);
  g_autofree char *got = g_build_filename (fixture->out, "a", "b.bin", NULL);
  g_autofree char *got_sum = NULL;
  g_autoptr(SsyncHttpFetch) http = NULL;
  Run run = { 0 };

  set_listing (&fixture->stand, "f1", "a/b.bin", 3 * MIB + 5, sum);
  fixture->stand.cut_after = MIB;
  http = fetch (fixture, &run, 0);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (ssync_http_fetch_get_n_files (http), ==, 1);
  got_sum = ssync_test_sha256_of_file (got);
  g_assert_cmpstr (got_sum, ==, sum);
  /* Resumed once, from the bytes on disk, and only if the file is the same one. */
  g_assert_cmpuint (fixture->stand.ranges->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->stand.ranges, 0), ==, "(null) | (null)");
  g_assert_cmpstr (g_ptr_array_index (fixture->stand.ranges, 1), ==, "bytes=1048576- | \"v1\"");
  g_assert_cmpuint (run.transfers->len, ==, 1);
  g_assert_cmpint (ssync_transfer_get_kind (g_ptr_array_index (run.transfers, 0)), ==,
                   SSYNC_TRANSFER_KIND_HTTP);
  g_assert_cmpint (ssync_transfer_get_status (g_ptr_array_index (run.transfers, 0)), ==,
                   SSYNC_TRANSFER_STATUS_COMPLETE);
  g_assert_cmpuint (ssync_transfer_get_bytes (g_ptr_array_index (run.transfers, 0)), ==,
                    3 * MIB + 5);
  run_clear (&run);
}

/* Refused, with @code, and nothing left in the folder, not even a .part. */
static void
assert_refused (Fixture    *fixture,
                guint       cancel_after_ms,
                int         code,
                const char *message)
{
  g_autoptr(SsyncHttpFetch) http = NULL;
  g_autofree char *tree = NULL;
  Run run = { 0 };

  http = fetch (fixture, &run, cancel_after_ms);
  g_assert_false (run.ok);
  g_assert_nonnull (run.error);
  g_test_message ("refused: %s", run.error->message);
  if (code >= 0)
    g_assert_true (g_error_matches (run.error, SSYNC_ERROR, code) ||
                   (code == SSYNC_ERROR_NETWORK && run.error->domain == G_IO_ERROR));
  if (message != NULL)
    g_assert_nonnull (strstr (run.error->message, message));
  for (guint i = 0; i < run.transfers->len; i++)
    g_assert_cmpint (ssync_transfer_get_status (g_ptr_array_index (run.transfers, i)), !=,
                     SSYNC_TRANSFER_STATUS_COMPLETE);
  tree = list_tree (fixture->out);
  g_assert_cmpstr (tree, ==, "");
  run_clear (&run);
}

static void
test_resume_changed (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *sum = stand_add (&fixture->stand, "f1", 2 * MIB);

  set_listing (&fixture->stand, "f1", "b.bin", 2 * MIB, sum);
  fixture->stand.cut_after = MIB;
  fixture->stand.etag_after_cut = g_strdup ("\"v2\"");
  assert_refused (fixture, 0, SSYNC_ERROR_CHANGED, "changed on the other computer");
}

static void
test_always_cut (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *sum = stand_add (&fixture->stand, "f1", 2 * MIB);

  set_listing (&fixture->stand, "f1", "b.bin", 2 * MIB, sum);
  fixture->stand.cut_after = 1000;
  fixture->stand.always_cut = TRUE;
  assert_refused (fixture, 0, SSYNC_ERROR_NETWORK, "b.bin");
  /* The first request and five resumes, each from further on. */
  g_assert_cmpuint (fixture->stand.ranges->len, ==, 6);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *sum = stand_add (&fixture->stand, "f1", 8 * MIB);

  set_listing (&fixture->stand, "f1", "b.bin", 8 * MIB, sum);
  fixture->stand.cut_after = 2 * MIB;
  fixture->stand.stall = TRUE;
  assert_refused (fixture, 1000, -1, "cancelled");
}

static void
test_parallel (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GString) listing = g_string_new ("{\"id\":\"S\",\"name\":\"many\",\"files\":[");
  g_autoptr(SsyncHttpFetch) http = NULL;
  g_autofree char *tree = NULL;
  Run run = { 0 };

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("id%u", i);
      g_autofree char *sum = stand_add (&fixture->stand, id, 1000 + i);

      g_string_append_printf (listing, "%s{\"id\":\"%s\",\"name\":\"f%u\",\"path\":"
                              "\"many/d%u/f%u\",\"size\":%u,\"sha256\":\"%s\"}",
                              i > 0 ? "," : "", id, i, i % 2, i, 1000 + i, sum);
    }
  g_string_append (listing, "]}");
  fixture->stand.listing = g_strdup (listing->str);
  fixture->stand.delay_ms = 300;
  http = fetch (fixture, &run, 0);
  g_assert_no_error (run.error);
  g_assert_cmpuint (ssync_http_fetch_get_n_files (http), ==, 10);
  g_assert_cmpuint (fixture->stand.max_active, <=, SSYNC_HTTP_FETCH_PARALLEL);
  g_assert_cmpuint (fixture->stand.max_active, >=, 2);
  tree = list_tree (fixture->out);
  g_assert_cmpstr (tree, ==, "many/d0/f0\nmany/d0/f2\nmany/d0/f4\nmany/d0/f6\nmany/d0/f8\n"
                             "many/d1/f1\nmany/d1/f3\nmany/d1/f5\nmany/d1/f7\nmany/d1/f9");
  run_clear (&run);
}

/* Lying listings and bodies: each refused before or while writing, nothing kept. */
static void
test_lying (Fixture       *fixture,
            gconstpointer  data)
{
  Stand *stand = &fixture->stand;
  g_autofree char *sum = stand_add (stand, "f1", 5000);
  g_autoptr(GString) many = g_string_new ("{\"files\":[");
  g_autoptr(GString) huge = g_string_new ("{\"files\":[");

  /* The body is longer than the listing says: by Content-Length, then by the bytes. */
  set_listing (stand, "f1", "x.bin", 4000, NULL);
  assert_refused (fixture, 0, SSYNC_ERROR_INVALID_ARGUMENT, "does not have the size");
  stand->no_length = TRUE;
  assert_refused (fixture, 0, SSYNC_ERROR_INVALID_ARGUMENT, "larger than");
  stand->no_length = FALSE;
  /* Shorter than the listing says (every resume too). */
  set_listing (stand, "f1", "x.bin", 6000, NULL);
  assert_refused (fixture, 0, SSYNC_ERROR_INVALID_ARGUMENT, "does not have the size");
  /* Not the SHA-256 the listing says. */
  set_listing (stand, "f1", "x.bin", 5000,
               "0000000000000000000000000000000000000000000000000000000000000000");
  assert_refused (fixture, 0, SSYNC_ERROR_CHANGED, "SHA-256");

  g_ptr_array_set_size (stand->ranges, 0);
  /* Paths that leave the folder, ids that are not tokens, sizes and hashes that are not. */
  set_listing (stand, "f1", "../../evil.bin", 5000, sum);
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "outside the share");
  set_listing (stand, "f1", "a/../../evil.bin", 5000, sum);
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "outside the share");
  set_listing (stand, "f1", "/etc/evil.bin", 5000, sum);
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "outside the share");
  set_listing (stand, "f1", "a\\\\..\\\\..\\\\evil.bin", 5000, sum);
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "outside the share");
  set_listing (stand, "../f1", "x.bin", 5000, sum);
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "not a token");
  set_listing (stand, "f1", "x.bin", -1, sum);
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "not a size");
  set_listing (stand, "f1", "x.bin", 5000, "zz");
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "SHA-256");
  set_listing (stand, "f1", "x.bin", G_MAXINT64, sum);
  assert_refused (fixture, 0, -1, "free space");
  g_free (stand->listing);
  /* Two sizes that each fit, but not together. */
  stand->listing = g_strdup ("{\"files\":["
                             "{\"id\":\"a\",\"path\":\"x\",\"size\":9223372036854775000},"
                             "{\"id\":\"b\",\"path\":\"y\",\"size\":9223372036854775000}]}");
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "not a size");
  for (guint i = 0; i <= SSYNC_HTTP_FETCH_MAX_FILES; i++)
    g_string_append_printf (many, "%s{\"id\":\"i%u\",\"path\":\"f%u\",\"size\":0}",
                            i > 0 ? "," : "", i, i);
  g_string_append (many, "]}");
  g_free (stand->listing);
  stand->listing = g_strdup (many->str);
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "too many files");
  /* A listing larger than any real one, with and without a Content-Length. */
  while (huge->len < 17 * MIB)
    g_string_append (huge, "                                                              ");
  g_free (stand->listing);
  stand->listing = g_strdup (huge->str);
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "too large");
  stand->no_length = TRUE;
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "too large");
  stand->no_length = FALSE;
  g_free (stand->listing);
  stand->listing = g_strdup ("<html>not json</html>");
  assert_refused (fixture, 0, SSYNC_ERROR_FAILED, "not JSON");
  /* None of those asked for a file. */
  g_assert_cmpuint (stand->ranges->len, ==, 0);

  /* What the other app answers instead of a listing. */
  stand->listing_status = 401;
  assert_refused (fixture, 0, SSYNC_ERROR_PIN_REQUIRED, "password");
  stand->listing_status = 404;
  assert_refused (fixture, 0, SSYNC_ERROR_NOT_FOUND, "Unknown share");
  stand->listing_status = 410;
  assert_refused (fixture, 0, SSYNC_ERROR_NOT_FOUND, "expired");
  stand->listing_status = 200;
  g_free (stand->listing);
  stand->listing = g_strdup ("{\"kind\":\"receive\",\"upload_url\":\"/r/x/uploads/\"}");
  assert_refused (fixture, 0, SSYNC_ERROR_INVALID_ARGUMENT, "sending files");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/fetch-http/resume", test_resume);
  ADD ("/fetch-http/resume-changed", test_resume_changed);
  ADD ("/fetch-http/always-cut", test_always_cut);
  ADD ("/fetch-http/cancel", test_cancel);
  ADD ("/fetch-http/parallel", test_parallel);
  ADD ("/fetch-http/lying", test_lying);

  return g_test_run ();
}
