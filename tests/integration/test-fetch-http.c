/* test-fetch-http.c: --fetch's HTTP fast path. Against a real headless sharer: a folder
 * (SHA-256, folders kept, the "http" path and kind in events and history), a password share
 * (a clear error, no WebRTC), a fetch stopped by SIGTERM (no .part left), a port that
 * refuses (WebRTC is tried, unless fetch-over is "http"). Against a stand-in server written
 * here (raw sockets, one thread per connection, so that it can cut, stall and lie): resume
 * after a cut (Range + If-Range), a file that changed between the cut and the resume, four
 * files at a time at most, cancelling, and lying listings and bodies, all refused with
 * nothing left behind. The decision to fall back to WebRTC is tested on its own: no real
 * sharer has a web server that refuses while its signaling (same port) answers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-history.h"
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
  stand->listing = g_strdup ("{\"files\":[{\"id\":\"a\",\"path\":\"x\",\"size\":9223372036854775000},"
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

/* When the fetch goes on over WebRTC: only when nothing answered, and not when told not
 * to. */
static void
test_fall_back_decision (void)
{
  g_autoptr(GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                   "refused");
  g_autoptr(GError) timed_out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow");
  g_autoptr(GError) no_name = g_error_new_literal (G_RESOLVER_ERROR,
                                                   G_RESOLVER_ERROR_NOT_FOUND, "none");
  g_autoptr(GError) tls = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "x");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autoptr(GError) unreachable = g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE,
                                                       "x");
  g_autoptr(GError) password = g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED, "x");
  g_autoptr(GError) lying = g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_FAILED, "x");

  g_assert_true (ssync_http_fetch_is_unreachable (refused));
  g_assert_true (ssync_http_fetch_is_unreachable (timed_out));
  g_assert_true (ssync_http_fetch_is_unreachable (no_name));
  g_assert_false (ssync_http_fetch_is_unreachable (tls));
  g_assert_false (ssync_http_fetch_is_unreachable (cancelled));
  g_assert_false (ssync_http_fetch_is_unreachable (NULL));

  g_assert_true (ssync_http_fetch_should_fall_back ("auto", unreachable));
  g_assert_true (ssync_http_fetch_should_fall_back (NULL, unreachable));
  g_assert_false (ssync_http_fetch_should_fall_back ("http", unreachable));
  g_assert_false (ssync_http_fetch_should_fall_back ("auto", password));
  g_assert_false (ssync_http_fetch_should_fall_back ("auto", lying));
  g_assert_false (ssync_http_fetch_should_fall_back ("auto", cancelled));
}

/* Runs `sharesync --headless --fetch URL --to fixture->out` with @fetch_over (or none). */
static int
run_headless_fetch (Fixture     *fixture,
                    const char  *url,
                    const char  *fetch_over,
                    char       **out,
                    char       **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *data = g_build_filename (fixture->dir, "fetch-data", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  if (fetch_over != NULL)
    g_subprocess_launcher_setenv (launcher, "SHARESYNC_FETCH_OVER", fetch_over, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SSYNC_BIN"), "--headless",
                                      "--data-dir", data, "--fetch", url, "--to", fixture->out,
                                      NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("fetch stdout: %s\nstderr: %s", *out, *err);
  return g_subprocess_get_exit_status (proc);
}

static void
test_headless (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *src = g_build_filename (fixture->dir, "album", NULL);
  g_autofree char *top = ssync_test_write_random (src, "cover.jpg", 3 * MIB + 17);
  g_autofree char *deep = ssync_test_write_random (src, "disc 1/Grüße/track.flac", MIB);
  g_autofree char *empty = ssync_test_write_random (src, "disc 2/empty", 0);
  g_autofree char *fetch_db = g_build_filename (fixture->dir, "fetch-data", "history.db",
                                                NULL);
  const char *args[] = { src, NULL };
  SsyncTestServer sharer = { .dir = fixture->dir };
  g_autoptr(JsonObject) share = NULL;
  g_autoptr(SsyncHistory) history = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tree = NULL;

  ssync_test_server_start (&sharer, NULL, args);
  share = ssync_test_server_read_event (&sharer, "share");
  g_assert_cmpint (run_headless_fetch (fixture, json_object_get_string_member (share, "url"),
                                       NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "\"event\":\"fetch-finished\",\"files\":3,\"path\":\"http\""));
  g_assert_nonnull (strstr (out, "\"kind\":\"http\""));
  g_assert_null (strstr (out, "\"kind\":\"webrtc\""));
  tree = list_tree (fixture->out);
  g_assert_cmpstr (tree, ==, "album/cover.jpg\nalbum/disc 1/Grüße/track.flac\n"
                             "album/disc 2/empty");

  history = ssync_history_open (fetch_db, &error);
  g_assert_no_error (error);
  rows = ssync_history_list_transfers (history, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < rows->len; i++)
    {
      SsyncTransferRecord *row = g_ptr_array_index (rows, i);
      const char *source = g_str_has_suffix (row->file_name, "cover.jpg") ? top
        : g_str_has_suffix (row->file_name, "track.flac") ? deep : empty;
      g_autofree char *sum = ssync_test_sha256_of_file (source);
      g_autofree char *got = g_build_filename (fixture->out, row->file_name, NULL);
      g_autofree char *got_sum = ssync_test_sha256_of_file (got);

      g_assert_cmpint (row->kind, ==, SSYNC_TRANSFER_KIND_HTTP);
      g_assert_cmpint (row->direction, ==, SSYNC_DIRECTION_UPLOAD);
      g_assert_cmpint (row->status, ==, SSYNC_TRANSFER_STATUS_COMPLETE);
      g_assert_cmpstr (row->sha256, ==, sum);
      g_assert_cmpstr (got_sum, ==, sum);
    }
  g_assert_cmpint (ssync_test_server_stop (&sharer), ==, 0);
}

/* A password share: a clear error from its web server, and no try over WebRTC. */
static void
test_headless_password (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *file = ssync_test_write_random (fixture->dir, "secret.txt", 100);
  const char *args[] = { "--password", "hunter2", file, NULL };
  SsyncTestServer sharer = { .dir = fixture->dir };
  g_autoptr(JsonObject) share = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tree = NULL;

  ssync_test_server_start (&sharer, NULL, args);
  share = ssync_test_server_read_event (&sharer, "share");
  g_assert_cmpint (run_headless_fetch (fixture, json_object_get_string_member (share, "url"),
                                       NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "protected by a password"));
  tree = list_tree (fixture->out);
  g_assert_cmpstr (tree, ==, "");
  g_assert_cmpint (ssync_test_server_stop (&sharer), ==, 0);
}

/* Stopped by a signal mid-file: the fetch ends cancelled, and no .part stays behind. */
static void
test_headless_stopped (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *big = ssync_test_write_random (fixture->dir, "big.bin", 256 * MIB);
  g_autofree char *fetch_data = g_build_filename (fixture->dir, "fetch-data", NULL);
  const char *args[] = { big, NULL };
  SsyncTestServer sharer = { .dir = fixture->dir };
  g_autoptr(JsonObject) share = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *tree = NULL;

  ssync_test_server_start (&sharer, NULL, args);
  share = ssync_test_server_read_event (&sharer, "share");
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("SSYNC_BIN"),
                           "--headless", "--data-dir", fetch_data, "--fetch",
                           json_object_get_string_member (share, "url"), "--to", fixture->out,
                           NULL);
  g_assert_no_error (error);
  events = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  do
    {
      g_free (line);
      line = g_data_input_stream_read_line_utf8 (events, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
    }
  while (strstr (line, "\"event\":\"upload-progress\"") == NULL);
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  tree = list_tree (fixture->out);
  g_assert_cmpstr (tree, ==, "");
  g_assert_cmpint (ssync_test_server_stop (&sharer), ==, 0);
}

/* Nothing listens: the fetch tries WebRTC (whose error names the signaling), unless
 * fetch-over says "http". */
static void
test_headless_unreachable (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out_http = NULL;
  g_autofree char *err_http = NULL;

  g_assert_cmpint (run_headless_fetch (fixture, "http://127.0.0.1:9/s/abcdef", NULL, &out,
                                       &err), ==, 1);
  g_assert_nonnull (strstr (err, "Cannot reach the other ShareSync at http://127.0.0.1:9"));
  g_assert_cmpint (run_headless_fetch (fixture, "http://127.0.0.1:9/s/abcdef", "http",
                                       &out_http, &err_http), ==, 1);
  g_assert_nonnull (strstr (err_http, "Cannot reach the other ShareSync’s web server"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/fetch-http/headless", test_headless);
  ADD ("/fetch-http/headless-password", test_headless_password);
  ADD ("/fetch-http/headless-unreachable", test_headless_unreachable);
  ADD ("/fetch-http/headless-stopped", test_headless_stopped);
  ADD ("/fetch-http/resume", test_resume);
  ADD ("/fetch-http/resume-changed", test_resume_changed);
  ADD ("/fetch-http/always-cut", test_always_cut);
  ADD ("/fetch-http/cancel", test_cancel);
  ADD ("/fetch-http/parallel", test_parallel);
  ADD ("/fetch-http/lying", test_lying);
  g_test_add_func ("/fetch-http/fall-back-decision", test_fall_back_decision);

  return g_test_run ();
}
