/* test-s3-client.c: the S3 client against a real s3rver on loopback: PutObject, a 64 MiB
 * multipart upload, pre-signed links fetched with a plain libsoup client (and refused once
 * expired), delete, Unicode keys, S3 error codes, and a fault-injecting proxy that answers
 * 500/503 or drops the connection for chosen parts, and a cancel mid-upload.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "ssync-s3-client.h"
#include "ssync-s3-gate.h"
#include "ssync-s3rver.h"
#include "ssync-test-server.h"

#define MIB (1024 * 1024)

static SsyncS3rver s3rver;

/* What the proxy does to a request: the first `times` requests for part `part` (0: any
 * request with a body that matches no other rule) get `status`, or a dropped connection
 * when status is 0. */
typedef struct {
  guint part;
  guint status;
  guint times;
} Fault;

typedef struct {
  SoupServer *server;
  SoupSession *upstream;
  char *endpoint;
  GArray *faults;
  guint part_requests;   /* UploadPart requests seen */
  guint aborts;          /* AbortMultipartUpload requests forwarded */
  const char *error_code;  /* when set, every request gets this S3 error (403) */
} Proxy;

typedef struct {
  char *dir;
  SsyncS3Client *client;
  Proxy proxy;
  GMainLoop *loop;
  GAsyncResult *result;
  gint64 progress;
  gint64 max_progress;
  GCancellable *cancel_at_progress;
  const char *ca_file;   /* the HTTPS test's own authority */
} Fixture;

static guint
part_number (SoupServerMessage *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  const char *at = query != NULL ? strstr (query, "partNumber=") : NULL;

  return at != NULL ? atoi (at + strlen ("partNumber=")) : 0;
}

static void
on_proxy_request (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  Proxy *proxy = user_data;
  guint part = part_number (msg);

  if (proxy->error_code != NULL)
    {
      g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?><Error><Code>%s</Code>"
                                              "<Message>Refused by the test</Message></Error>",
                                              proxy->error_code);

      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_COPY, xml,
                                        strlen (xml));
      soup_server_message_set_status (msg, 403, NULL);
      return;
    }

  if (part > 0)
    proxy->part_requests++;
  if (strcmp (soup_server_message_get_method (msg), "DELETE") == 0 && query != NULL &&
      g_hash_table_contains (query, "uploadId"))
    proxy->aborts++;

  for (guint i = 0; part > 0 && i < proxy->faults->len; i++)
    {
      Fault *fault = &g_array_index (proxy->faults, Fault, i);

      if (fault->part != part || fault->times == 0)
        continue;
      fault->times--;
      if (fault->status == 0)
        {
          g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

          g_io_stream_close (stream, NULL, NULL);
          return;
        }
      soup_server_message_set_status (msg, fault->status, NULL);
      return;
    }

  ssync_s3_forward (proxy->upstream, s3rver.endpoint, msg);
}

static void
proxy_start (Proxy *proxy)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *text = NULL;

  proxy->server = soup_server_new (NULL, NULL);
  proxy->upstream = soup_session_new ();
  proxy->faults = g_array_new (FALSE, FALSE, sizeof (Fault));
  soup_server_add_handler (proxy->server, NULL, on_proxy_request, proxy, NULL);
  soup_server_listen_local (proxy->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (proxy->server);
  text = g_uri_to_string (uris->data);
  proxy->endpoint = g_strndup (text, strlen (text) - 1);  /* without its trailing "/" */
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
}

static void
proxy_stop (Proxy *proxy)
{
  if (proxy->server == NULL)
    return;
  soup_server_disconnect (proxy->server);
  g_clear_object (&proxy->server);
  g_clear_object (&proxy->upstream);
  g_clear_pointer (&proxy->faults, g_array_unref);
  g_clear_pointer (&proxy->endpoint, g_free);
}

/* @attempts 0 and @ca_file NULL: the defaults. */
static SsyncS3Client *
make_client_full (const char *endpoint,
                  const char *bucket,
                  guint64     part_size,
                  guint       attempts,
                  const char *ca_file)
{
  g_autoptr(SsyncS3Config) config = ssync_s3_config_new ();
  g_autoptr(GError) error = NULL;
  SsyncS3Client *client;

  config->endpoint = g_strdup (endpoint);
  config->bucket = g_strdup (bucket);
  config->access_key = g_strdup (SSYNC_S3RVER_KEY);
  config->secret_key = g_strdup (SSYNC_S3RVER_KEY);
  config->part_size = part_size;
  if (attempts > 0)
    config->attempts = attempts;
  config->ca_file = g_strdup (ca_file);
  client = ssync_s3_client_new (config, &error);
  g_assert_no_error (error);
  return client;
}

static SsyncS3Client *
make_client (const char *endpoint,
             const char *bucket,
             guint64     part_size)
{
  return make_client_full (endpoint, bucket, part_size, 0, NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-s3-client-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->loop = g_main_loop_new (NULL, FALSE);
  fixture->client = make_client (s3rver.endpoint, SSYNC_S3RVER_BUCKET, 16 * MIB);
}

/* The same, but every request goes through the fault-injecting proxy, with 5 MiB parts. */
static void
fixture_setup_proxy (Fixture       *fixture,
                     gconstpointer  data)
{
  fixture_setup (fixture, data);
  proxy_start (&fixture->proxy);
  g_clear_object (&fixture->client);
  fixture->client = make_client (fixture->proxy.endpoint, SSYNC_S3RVER_BUCKET, 5 * MIB);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->client);
  proxy_stop (&fixture->proxy);
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->cancel_at_progress);
  g_main_loop_unref (fixture->loop);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
  g_main_loop_quit (fixture->loop);
}

static GAsyncResult *
wait_result (Fixture *fixture)
{
  g_clear_object (&fixture->result);
  g_main_loop_run (fixture->loop);
  return fixture->result;
}

static void
on_progress (goffset  current,
             goffset  total,
             gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->progress = current;
  fixture->max_progress = MAX (fixture->max_progress, current);
  if (fixture->cancel_at_progress != NULL && current >= 6 * MIB)
    g_cancellable_cancel (fixture->cancel_at_progress);
}

static gboolean
put_file (Fixture       *fixture,
          const char    *path,
          const char    *key,
          GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  fixture->progress = fixture->max_progress = 0;
  ssync_s3_client_put_file_async (fixture->client, file, key, fixture->cancel_at_progress,
                                  on_progress, fixture, on_done, fixture);
  return ssync_s3_client_put_file_finish (fixture->client, wait_result (fixture), error);
}

/* Fetches @url with a plain libsoup client: the status, and the SHA-256 of the body. */
static guint
fetch (Fixture     *fixture,
       const char  *url,
       char       **sha256)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  /* The HTTPS test's own authority, which a browser would have been given too. */
  if (fixture->ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (fixture->ca_file, &error);

      g_assert_no_error (error);
      soup_session_set_tls_database (session, database);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_done, fixture);
  body = soup_session_send_and_read_finish (session, wait_result (fixture), &error);
  g_assert_no_error (error);
  if (sha256 != NULL)
    *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  return soup_message_get_status (msg);
}

static gint64
head (Fixture     *fixture,
      const char  *key,
      GError     **error)
{
  ssync_s3_client_head_async (fixture->client, key, NULL, on_done, fixture);
  return ssync_s3_client_head_finish (fixture->client, wait_result (fixture), error);
}

/* Uploads @size bytes as @key and checks them through a pre-signed link. */
static void
check_round_trip (Fixture    *fixture,
                  const char *key,
                  gsize       size)
{
  g_autofree char *path = ssync_test_write_random (fixture->dir, "file.bin", size);
  g_autofree char *expected = ssync_test_sha256_of_file (path);
  g_autofree char *got = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  gboolean ok = put_file (fixture, path, key, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (fixture->progress, ==, size);
  g_assert_cmpint (head (fixture, key, &error), ==, size);
  g_assert_no_error (error);

  url = ssync_s3_client_presign_get (fixture->client, key, now, 3600);
  g_assert_cmpuint (fetch (fixture, url, &got), ==, 200);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_put_small (Fixture       *fixture,
                gconstpointer  data)
{
  check_round_trip (fixture, "small/report.pdf", 300 * 1024);
}

static void
test_multipart (Fixture       *fixture,
                gconstpointer  data)
{
  check_round_trip (fixture, "big/disk.img", 64 * MIB);
}

/* Spaces, Unicode and reserved characters survive the signature, the path and the link;
 * a deleted object is gone for HEAD and for its link. */
static void
test_unicode_and_delete (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *key = "Holiday photos/été €+&=;(1) 名前.txt";
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  check_round_trip (fixture, key, 4096);

  ssync_s3_client_delete_async (fixture->client, key, NULL, on_done, fixture);
  g_assert_true (ssync_s3_client_delete_finish (fixture->client, wait_result (fixture), &error));
  g_assert_no_error (error);

  g_assert_cmpint (head (fixture, key, &error), ==, -1);
  g_assert_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NOT_FOUND);
  url = ssync_s3_client_presign_get (fixture->client, key, now, 3600);
  g_assert_cmpuint (fetch (fixture, url, NULL), ==, 404);
}

static void
test_expired_link (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) earlier = g_date_time_add_minutes (now, -10);
  g_autofree char *fresh = NULL;
  g_autofree char *stale = NULL;

  check_round_trip (fixture, "expiry/notes.txt", 1000);
  fresh = ssync_s3_client_presign_get (fixture->client, "expiry/notes.txt", earlier, 3600);
  stale = ssync_s3_client_presign_get (fixture->client, "expiry/notes.txt", earlier, 60);
  g_assert_cmpuint (fetch (fixture, fresh, NULL), ==, 200);
  g_assert_cmpuint (fetch (fixture, stale, NULL), ==, 403);
}

static void
test_no_such_bucket (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = ssync_test_write_random (fixture->dir, "a.txt", 100);
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->client);
  fixture->client = make_client (s3rver.endpoint, "not-there-yet", 16 * MIB);
  g_assert_false (put_file (fixture, path, "a.txt", &error));
  g_assert_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NO_SUCH_BUCKET);
  g_assert_nonnull (strstr (error->message, "“not-there-yet” does not exist"));
  g_clear_error (&error);

  /* What the window offers: create it, then the push goes through. */
  ssync_s3_client_create_bucket_async (fixture->client, NULL, on_done, fixture);
  g_assert_true (ssync_s3_client_create_bucket_finish (fixture->client, wait_result (fixture),
                                                       &error));
  g_assert_no_error (error);
  check_round_trip (fixture, "a.txt", 100);
}

/* S3's error codes become messages that say what to fix. */
static void
test_error_codes (Fixture       *fixture,
                  gconstpointer  data)
{
  const struct {
    const char *code;
    int error;
    const char *says;
  } cases[] = {
    { "SignatureDoesNotMatch", SSYNC_S3_ERROR_SECRET_KEY, "secret key was rejected by http" },
    { "InvalidAccessKeyId", SSYNC_S3_ERROR_ACCESS_KEY, "access key “S3RVER” is not known" },
    { "RequestTimeTooSkewed", SSYNC_S3_ERROR_CLOCK_SKEW, "clock is off" },
    { "AccessDenied", SSYNC_S3_ERROR_ACCESS_DENIED, "denied access to the bucket" },
    { "EntityTooLarge", SSYNC_S3_ERROR_TOO_LARGE, "is larger than" },
  };
  g_autofree char *path = ssync_test_write_random (fixture->dir, "a.txt", 100);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      fixture->proxy.error_code = cases[i].code;
      g_assert_false (put_file (fixture, path, "a.txt", &error));
      g_assert_error (error, SSYNC_S3_ERROR, cases[i].error);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
}

/* 500 and 503 answers and dropped connections on chosen parts: each part is tried again and
 * the upload completes with the right bytes. */
static void
test_faults_recovered (Fixture       *fixture,
                       gconstpointer  data)
{
  const Fault faults[] = { { 2, 500, 1 }, { 3, 503, 2 }, { 4, 0, 1 }, { 1, 0, 1 } };

  g_array_append_vals (fixture->proxy.faults, faults, G_N_ELEMENTS (faults));
  check_round_trip (fixture, "faults/video.mp4", 22 * MIB);
  /* 5 parts, and 5 failed attempts tried again. */
  g_assert_cmpuint (fixture->proxy.part_requests, ==, 5 + 5);
  g_assert_cmpuint (fixture->proxy.aborts, ==, 0);
}

/* A part that keeps failing ends the upload: it is aborted and the error says so (s3rver
 * answers the abort with 405, which is reported, not fatal). */
static void
test_fault_permanent (Fixture       *fixture,
                      gconstpointer  data)
{
  const Fault fault = { 2, 503, 1000 };
  g_autofree char *path = ssync_test_write_random (fixture->dir, "f.bin", 12 * MIB);
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->client);
  fixture->client = make_client_full (fixture->proxy.endpoint, SSYNC_S3RVER_BUCKET, 5 * MIB, 3,
                                      NULL);
  g_array_append_val (fixture->proxy.faults, fault);

  g_assert_false (put_file (fixture, path, "faults/broken.bin", &error));
  g_assert_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "503"));
  g_assert_nonnull (strstr (error->message, "cannot abort multipart uploads"));
  g_assert_cmpuint (fixture->proxy.aborts, ==, 1);
  g_clear_error (&error);

  g_assert_cmpint (head (fixture, "faults/broken.bin", &error), ==, -1);
  g_assert_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NOT_FOUND);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = ssync_test_write_random (fixture->dir, "c.bin", 40 * MIB);
  g_autoptr(GError) error = NULL;

  fixture->cancel_at_progress = g_cancellable_new ();
  g_assert_false (put_file (fixture, path, "cancel/c.bin", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "was cancelled"));
  g_assert_cmpuint (fixture->proxy.aborts, ==, 1);
  g_assert_cmpint (fixture->max_progress, <, 40 * MIB);
  g_clear_error (&error);
  g_assert_cmpint (head (fixture, "cancel/c.bin", &error), ==, -1);
  g_assert_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NOT_FOUND);
}

/* HTTPS through GIO's TLS: a certificate nobody vouches for is refused at once (no retries),
 * and trusted through the client's CA file the same push goes through. */
static void
test_https (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (fixture->dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (fixture->dir, "key.pem", NULL);
  g_autofree char *path = ssync_test_write_random (fixture->dir, "tls.bin", 7 * MIB);
  g_autoptr(GError) error = NULL;
  SsyncS3rver tls = { 0 };
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                         "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                         "-keyout", key, "-out", cert, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  ssync_s3rver_start_tls (&tls, cert, key);

  g_clear_object (&fixture->client);
  fixture->client = make_client (tls.endpoint, SSYNC_S3RVER_BUCKET, 5 * MIB);
  g_assert_false (put_file (fixture, path, "tls.bin", &error));
  g_assert_nonnull (strstr (error->message, "Could not reach https://127.0.0.1:"));
  g_clear_error (&error);

  fixture->ca_file = cert;
  g_clear_object (&fixture->client);
  fixture->client = make_client_full (tls.endpoint, SSYNC_S3RVER_BUCKET, 5 * MIB, 0, cert);
  check_round_trip (fixture, "tls.bin", 7 * MIB);
  fixture->ca_file = NULL;

  ssync_s3rver_stop (&tls);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/s3/put-small", Fixture, NULL, fixture_setup, test_put_small, fixture_teardown);
  g_test_add ("/s3/multipart-64m", Fixture, NULL, fixture_setup, test_multipart,
              fixture_teardown);
  g_test_add ("/s3/unicode-and-delete", Fixture, NULL, fixture_setup, test_unicode_and_delete,
              fixture_teardown);
  g_test_add ("/s3/expired-link", Fixture, NULL, fixture_setup, test_expired_link,
              fixture_teardown);
  g_test_add ("/s3/no-such-bucket", Fixture, NULL, fixture_setup, test_no_such_bucket,
              fixture_teardown);
  g_test_add ("/s3/error-codes", Fixture, NULL, fixture_setup_proxy, test_error_codes,
              fixture_teardown);
  g_test_add ("/s3/faults-recovered", Fixture, NULL, fixture_setup_proxy, test_faults_recovered,
              fixture_teardown);
  g_test_add ("/s3/fault-permanent", Fixture, NULL, fixture_setup_proxy, test_fault_permanent,
              fixture_teardown);
  g_test_add ("/s3/cancel", Fixture, NULL, fixture_setup_proxy, test_cancel, fixture_teardown);
  g_test_add ("/s3/https", Fixture, NULL, fixture_setup, test_https, fixture_teardown);

  ssync_s3rver_start (&s3rver);
  status = g_test_run ();
  ssync_s3rver_stop (&s3rver);
  return status;
}
