/* ssync-s3-request.c: one S3 request signed with SigV4 and sent on the client's
 * SoupSession, tried again with backoff after 5xx answers, timeouts and dropped connections;
 * file bodies are hashed on GIO's worker threads and streamed from their range. Also the
 * pre-signed links, which are signed the same way.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <string.h>
#include <unistd.h>

#include "ssync-file-range-stream.h"
#include "ssync-s3-client-private.h"
#include "ssync-sigv4.h"

#define RETRY_BASE_MS 200
#define RETRY_MAX_MS 10000
#define HASH_CHUNK (1024 * 1024)

void
ssync_s3_response_free (SsyncS3Response *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}

/* The path of @key as S3 sees it (decoded): /bucket/key in path style, /key otherwise. */
static char *
object_path (SsyncS3Client *self,
             const char    *key)
{
  if (self->config->path_style)
    return g_strconcat ("/", self->config->bucket, key != NULL ? "/" : "", key, NULL);
  return g_strconcat ("/", key, NULL);
}

/* The Host header libsoup sends for the request, which is the one signed. */
static char *
host_header (SsyncS3Client *self)
{
  const char *host = g_uri_get_host (self->endpoint);
  int port = g_uri_get_port (self->endpoint);
  gboolean https = g_strcmp0 (g_uri_get_scheme (self->endpoint), "https") == 0;
  gboolean v6 = strchr (host, ':') != NULL;
  g_autofree char *name = self->config->path_style
                          ? g_strdup (host)
                          : g_strconcat (self->config->bucket, ".", host, NULL);

  if (port < 0 || port == (https ? 443 : 80))
    return g_strdup_printf ("%s%s%s", v6 ? "[" : "", name, v6 ? "]" : "");
  return g_strdup_printf ("%s%s%s:%d", v6 ? "[" : "", name, v6 ? "]" : "", port);
}

static char *
build_url (SsyncS3Client *self,
           const char    *path,
           const char    *query)
{
  g_autofree char *host = host_header (self);
  g_autofree char *encoded = ssync_sigv4_uri_encode (path, TRUE);

  return g_strdup_printf ("%s://%s%s%s%s", g_uri_get_scheme (self->endpoint), host, encoded,
                          query != NULL && *query != '\0' ? "?" : "", query != NULL ? query : "");
}

static SsyncSigv4Key
signing_key (SsyncS3Client *self)
{
  SsyncSigv4Key key = { self->config->access_key, self->config->secret_key,
                        self->config->region, "s3" };

  return key;
}

/* A pre-signed GET for @key, valid @expires_seconds from @now (at most seven days). */
char *
ssync_s3_client_presign_get (SsyncS3Client *self,
                             const char    *key,
                             GDateTime     *now,
                             guint          expires_seconds)
{
  g_autofree char *path = object_path (self, key);
  g_autofree char *host = host_header (self);
  g_autofree char *amz_date = ssync_sigv4_format_date (now);
  SsyncSigv4Pair headers[] = { { "host", host } };
  SsyncSigv4Request request = { "GET", path, NULL, 0, headers, 1, NULL };
  SsyncSigv4Key signing = signing_key (self);
  g_autofree char *query = ssync_sigv4_presign_query (&signing, amz_date, expires_seconds,
                                                      &request);

  return build_url (self, path, query);
}

/* One logical request, kept across its attempts. */
typedef struct {
  SsyncS3Client *client;
  char *method;
  char *key;
  GArray *query;       /* SsyncSigv4Pair pointing into query_strings */
  GStrv query_strings;
  SsyncS3Body body;
  char *payload_hash;
  guint attempt;
  guint max_attempts;
  gint64 sent;         /* body bytes written by the current attempt */
  SsyncS3SentFunc sent_func;
  gpointer sent_data;
  SoupMessage *msg;
  guint retry_id;
} Request;

static void
request_free (Request *request)
{
  g_clear_handle_id (&request->retry_id, g_source_remove);
  g_clear_object (&request->msg);
  g_clear_object (&request->client);
  g_free (request->method);
  g_free (request->key);
  g_clear_pointer (&request->query, g_array_unref);
  g_strfreev (request->query_strings);
  if (request->body.fd >= 0)
    close (request->body.fd);
  g_clear_pointer (&request->body.bytes, g_bytes_unref);
  g_free (request->payload_hash);
  g_free (request);
}

static void send_attempt (GTask *task);

static void
on_wrote_body_data (SoupMessage *msg,
                    guint        chunk_size,
                    GTask       *task)
{
  Request *request = g_task_get_task_data (task);

  request->sent += chunk_size;
  if (request->sent_func != NULL)
    request->sent_func (chunk_size, request->sent_data);
}

static void
set_body (Request *request)
{
  if (request->body.fd >= 0)
    {
      g_autoptr(GInputStream) stream = ssync_file_range_stream_new (request->body.fd,
                                                                    request->body.offset,
                                                                    request->body.length);

      soup_message_set_request_body (request->msg, "application/octet-stream", stream,
                                     request->body.length);
    }
  else if (request->body.bytes != NULL)
    soup_message_set_request_body_from_bytes (request->msg, "application/xml",
                                              request->body.bytes);
}

/* libsoup sends a request again by itself when a kept-alive connection turns out closed,
 * but with the body stream it already read to the end: give it a fresh one, and count its
 * bytes again. */
static void
on_restarted (SoupMessage *msg,
              GTask       *task)
{
  Request *request = g_task_get_task_data (task);

  if (request->sent_func != NULL && request->sent != 0)
    request->sent_func (-request->sent, request->sent_data);
  request->sent = 0;
  set_body (request);
}

static gboolean
retry_now (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  request->retry_id = 0;
  send_attempt (task);
  return G_SOURCE_REMOVE;
}

/* Exponential backoff with jitter: somewhere in the upper half of base * 2^attempt, so
 * that parts failing together do not come back together. */
static gboolean
schedule_retry (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  guint delay;

  if (request->attempt >= request->max_attempts ||
      g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;

  delay = MIN (RETRY_MAX_MS, RETRY_BASE_MS << MIN (request->attempt - 1, 10));
  delay = delay / 2 + g_random_int_range (0, delay / 2 + 1);
  g_debug ("Retrying %s %s in %u ms (attempt %u of %u)", request->method, request->key,
           delay, request->attempt + 1, request->max_attempts);

  /* The bytes of the failed attempt go again: progress must not count them twice. */
  if (request->sent_func != NULL && request->sent != 0)
    request->sent_func (-request->sent, request->sent_data);
  request->sent = 0;
  request->retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT, delay, retry_now,
                                          g_object_ref (task), g_object_unref);
  return TRUE;
}

static gboolean
is_transient (GError *error)
{
  /* Timeouts, resets, refused or half-written connections: anything but a cancel and a bad
   * TLS certificate, which no retry would fix. */
  return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
         error->domain != G_TLS_ERROR;
}

static void
on_response (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  SsyncS3Response *response;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (is_transient (error) && schedule_retry (task))
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, SSYNC_S3_ERROR, SSYNC_S3_ERROR_FAILED,
                                 _("Could not reach %s: %s"), request->client->config->endpoint,
                                 error->message);
      return;
    }

  status = soup_message_get_status (request->msg);
  if ((status >= 500 || status == 429) && schedule_retry (task))
    return;

  response = g_new0 (SsyncS3Response, 1);
  response->status = status;
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (request->msg));
  response->body = g_steal_pointer (&body);
  g_task_return_pointer (task, response, (GDestroyNotify) ssync_s3_response_free);
}

static void
send_attempt (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  SsyncS3Client *self = request->client;
  g_autofree char *path = object_path (self, request->key);
  g_autofree char *host = host_header (self);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *amz_date = ssync_sigv4_format_date (now);
  SsyncSigv4Pair headers[] = {
    { "host", host }, { "x-amz-content-sha256", request->payload_hash },
    { "x-amz-date", amz_date },
  };
  SsyncSigv4Request signing = { request->method, path,
                                (const SsyncSigv4Pair *) request->query->data,
                                request->query->len, headers, G_N_ELEMENTS (headers),
                                request->payload_hash };
  SsyncSigv4Key key = signing_key (self);
  g_autofree char *authorization = ssync_sigv4_authorization (&key, amz_date, &signing);
  g_autofree char *query = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GString) query_string = g_string_new (NULL);
  SoupMessageHeaders *request_headers;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < request->query->len; i++)
    {
      SsyncSigv4Pair *pair = &g_array_index (request->query, SsyncSigv4Pair, i);
      g_autofree char *name = ssync_sigv4_uri_encode (pair->name, FALSE);
      g_autofree char *value = ssync_sigv4_uri_encode (pair->value, FALSE);

      /* "?uploads" is sent bare; S3 reads "uploads=" the same way and both sign alike. */
      g_string_append_printf (query_string, "%s%s%s%s", i > 0 ? "&" : "", name,
                              *value != '\0' ? "=" : "", value);
    }
  url = build_url (self, path, query_string->str);

  request->attempt++;
  g_clear_object (&request->msg);
  request->msg = soup_message_new (request->method, url);
  if (request->msg == NULL)
    {
      g_task_return_new_error (task, SSYNC_S3_ERROR, SSYNC_S3_ERROR_CONFIG,
                               _("Cannot make an address for “%s” on %s"), request->key,
                               self->config->endpoint);
      return;
    }

  request_headers = soup_message_get_request_headers (request->msg);
  soup_message_headers_replace (request_headers, "x-amz-date", amz_date);
  soup_message_headers_replace (request_headers, "x-amz-content-sha256", request->payload_hash);
  soup_message_headers_replace (request_headers, "Authorization", authorization);

  set_body (request);
  g_signal_connect (request->msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), task);
  g_signal_connect (request->msg, "restarted", G_CALLBACK (on_restarted), task);

  soup_session_send_and_read_async (self->session, request->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_response,
                                    g_object_ref (task));
}

/* Runs on a worker thread: the SHA-256 of the file range, which the signature covers. The
 * range is read again when it is sent, so only one chunk is held at a time. */
static void
hash_range_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Request *request = task_data;
  g_autofree guchar *buffer = g_malloc (HASH_CHUNK);
  gnutls_hash_hd_t hash;
  guint8 digest[32];
  GString *hex;
  goffset done = 0;

  /* GnuTLS uses the CPU's SHA instructions: about four times GChecksum (ssync-digest.c). */
  if (gnutls_hash_init (&hash, GNUTLS_DIG_SHA256) < 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not hash %s for the upload"), request->key);
      return;
    }

  while (done < request->body.length)
    {
      gssize n = pread (request->body.fd, buffer,
                        MIN (HASH_CHUNK, request->body.length - done),
                        request->body.offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int errsv = n < 0 ? errno : EIO;

          gnutls_hash_deinit (hash, NULL);
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                                   _("Could not read %s for the upload: %s"), request->key,
                                   n < 0 ? g_strerror (errsv) : _("the file became shorter"));
          return;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          gnutls_hash_deinit (hash, NULL);
          g_task_return_error_if_cancelled (task);
          return;
        }
      gnutls_hash (hash, buffer, n);
      done += n;
    }

  gnutls_hash_deinit (hash, digest);
  hex = g_string_sized_new (64);
  for (gsize i = 0; i < sizeof digest; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  g_task_return_pointer (task, g_string_free (hex, FALSE), g_free);
}

static void
on_range_hashed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;

  request->payload_hash = g_task_propagate_pointer (G_TASK (result), &error);
  if (request->payload_hash == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  send_attempt (task);
}

void
ssync_s3_client_request_async (SsyncS3Client        *self,
                               const char           *method,
                               const char           *key,
                               const char * const   *query,
                               const SsyncS3Body    *body,
                               guint                 max_attempts,
                               GCancellable         *cancellable,
                               SsyncS3SentFunc       sent,
                               gpointer              sent_data,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, ssync_s3_client_request_async);
  request->client = g_object_ref (self);
  request->method = g_strdup (method);
  request->key = g_strdup (key);
  request->query_strings = g_strdupv ((char **) query);
  request->query = g_array_new (FALSE, FALSE, sizeof (SsyncSigv4Pair));
  for (guint i = 0; request->query_strings != NULL && request->query_strings[i] != NULL; i += 2)
    {
      SsyncSigv4Pair pair = { request->query_strings[i], request->query_strings[i + 1] };

      g_array_append_val (request->query, pair);
    }
  request->body.fd = -1;
  if (body != NULL && body->fd >= 0)
    {
      request->body.fd = dup (body->fd);
      request->body.offset = body->offset;
      request->body.length = body->length;
    }
  else if (body != NULL && body->bytes != NULL)
    request->body.bytes = g_bytes_ref (body->bytes);
  request->max_attempts = max_attempts > 0 ? max_attempts : self->max_attempts;
  request->sent_func = sent;
  request->sent_data = sent_data;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  if (request->body.fd >= 0)
    {
      GTask *hash = g_task_new (self, cancellable, on_range_hashed, g_object_ref (task));

      g_task_set_task_data (hash, request, NULL);
      g_task_run_in_thread (hash, hash_range_thread);
      g_object_unref (hash);
      return;
    }

  if (request->body.bytes != NULL)
    request->payload_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, request->body.bytes);
  else
    request->payload_hash = g_strdup (SSYNC_SIGV4_EMPTY_SHA256);
  send_attempt (task);
}

SsyncS3Response *
ssync_s3_client_request_finish (SsyncS3Client  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
