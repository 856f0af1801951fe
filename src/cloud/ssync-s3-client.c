/* ssync-s3-client.c: an S3 client made from checked settings, with one SoupSession, and its
 * one-request operations: HEAD, DELETE and bucket creation. The request machinery is in
 * ssync-s3-request.c, uploads in ssync-s3-upload.c, S3's XML answers in ssync-s3-xml.c.
 *
 * Everything runs on the main context the client was made on; file hashing runs on GIO's
 * worker threads. HTTPS goes through GIO's TLS (glib-networking).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <string.h>

#include "ssync-s3-client-private.h"

/* Seconds a connection may stay silent (also while S3 assembles a large upload). */
#define IO_TIMEOUT 120

G_DEFINE_QUARK (ssync-s3-error-quark, ssync_s3_error)

G_DEFINE_FINAL_TYPE (SsyncS3Client, ssync_s3_client, G_TYPE_OBJECT)

static void
ssync_s3_client_dispose (GObject *object)
{
  SsyncS3Client *self = SSYNC_S3_CLIENT (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (ssync_s3_client_parent_class)->dispose (object);
}

static void
ssync_s3_client_finalize (GObject *object)
{
  SsyncS3Client *self = SSYNC_S3_CLIENT (object);

  g_clear_pointer (&self->config, ssync_s3_config_free);
  g_clear_pointer (&self->endpoint, g_uri_unref);

  G_OBJECT_CLASS (ssync_s3_client_parent_class)->finalize (object);
}

static void
ssync_s3_client_class_init (SsyncS3ClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_s3_client_dispose;
  object_class->finalize = ssync_s3_client_finalize;
}

static void
ssync_s3_client_init (SsyncS3Client *self)
{
}

/* Checks and copies @config: its attempts say how often a request is tried, its CA file
 * names a PEM file of the certificate authorities HTTPS trusts. */
SsyncS3Client *
ssync_s3_client_new (const SsyncS3Config  *config,
                     GError              **error)
{
  g_autoptr(SsyncS3Client) self = NULL;

  if (!ssync_s3_config_check (config, error))
    return NULL;

  self = g_object_new (SSYNC_TYPE_S3_CLIENT, NULL);
  self->config = ssync_s3_config_copy (config);
  /* No trailing slash: paths are appended to it. */
  while (g_str_has_suffix (self->config->endpoint, "/"))
    self->config->endpoint[strlen (self->config->endpoint) - 1] = '\0';
  self->endpoint = g_uri_parse (self->config->endpoint, G_URI_FLAGS_NONE, NULL);
  /* Enough connections for every part in flight, plus the odd HEAD or abort. */
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "max-conns-per-host", self->config->parallel + 2,
                                "timeout", IO_TIMEOUT,
                                "idle-timeout", 60,
                                "user-agent", "ShareSync/" PACKAGE_VERSION,
                                NULL);
  /* A MinIO with its own certificate authority: trust that one instead of the system's. */
  if (config->ca_file != NULL && *config->ca_file != '\0')
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (config->ca_file, error);

      if (database == NULL)
        return NULL;
      soup_session_set_tls_database (self->session, database);
    }
  self->max_attempts = config->attempts > 0 ? config->attempts : SSYNC_S3_DEFAULT_ATTEMPTS;
  return g_steal_pointer (&self);
}

const SsyncS3Config *
ssync_s3_client_get_config (SsyncS3Client *self)
{
  return self->config;
}

/* HEAD, DELETE and bucket creation: one request, its answer checked. */
static void
on_simple_response (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncS3Client *self = SSYNC_S3_CLIENT (source);
  g_autoptr(SsyncS3Response) response = NULL;
  GError *error = NULL;

  response = ssync_s3_client_request_finish (self, result, &error);
  if (response == NULL || !ssync_s3_response_check (self, response, g_task_get_task_data (task),
                                                    &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_int (task, soup_message_headers_get_content_length (response->headers));
}

static void
simple_request (SsyncS3Client       *self,
                const char          *method,
                const char          *key,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_strdup (key), g_free);
  ssync_s3_client_request_async (self, method, key, NULL, NULL, 0, cancellable, NULL, NULL,
                                 on_simple_response, task);
}

/* The size of @key in the bucket (HEAD), or -1 with SSYNC_S3_ERROR_NOT_FOUND. */
void
ssync_s3_client_head_async (SsyncS3Client       *self,
                            const char          *key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  simple_request (self, "HEAD", key, ssync_s3_client_head_async, cancellable, callback,
                  user_data);
}

gint64
ssync_s3_client_head_finish (SsyncS3Client  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

/* Deletes @key; S3 answers 204 whether or not it was there. */
void
ssync_s3_client_delete_async (SsyncS3Client       *self,
                              const char          *key,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  simple_request (self, "DELETE", key, ssync_s3_client_delete_async, cancellable, callback,
                  user_data);
}

gboolean
ssync_s3_client_delete_finish (SsyncS3Client  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  GError *local_error = NULL;

  g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* Creates the configured bucket (the window offers it after NoSuchBucket). */
void
ssync_s3_client_create_bucket_async (SsyncS3Client       *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  simple_request (self, "PUT", NULL, ssync_s3_client_create_bucket_async, cancellable, callback,
                  user_data);
}

gboolean
ssync_s3_client_create_bucket_finish (SsyncS3Client  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  return ssync_s3_client_delete_finish (self, result, error);
}
