/* ssync-pusher.c: the session's S3 side. A share is pushed file by file (each file streamed,
 * multipart when large) to SHARE_ID/PATH in the bucket; every object gets a history row
 * (uploading, then pushed with its link expiry, or failed) and a pre-signed link. Objects
 * are deleted on request and by the cleanup timer once their link has ended, also across
 * runs, since the rows say what is still in the bucket.
 *
 * This file keeps the S3 client: made on first use from the s3-* settings of the session's
 * SsyncConfig and the secret key from SsyncSecrets, and dropped when either changes, so that
 * the next push uses what the user entered last. It also turns the cloud layer's errors into
 * SSYNC_ERROR codes, which is all the faces see. Pushing is in ssync-pusher-push.c, deleting
 * in ssync-pusher-delete.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-duration.h"
#include "ssync-error.h"
#include "ssync-pusher-private.h"
#include "ssync-sigv4.h"

G_DEFINE_FINAL_TYPE (SsyncPusher, ssync_pusher, G_TYPE_OBJECT)

guint ssync_pusher_signals[SSYNC_PUSHER_N_SIGNALS];

static void
ssync_pusher_dispose (GObject *object)
{
  SsyncPusher *self = SSYNC_PUSHER (object);

  g_clear_object (&self->client);
  g_clear_object (&self->secrets);
  g_clear_object (&self->config);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (ssync_pusher_parent_class)->dispose (object);
}

static void
ssync_pusher_class_init (SsyncPusherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_pusher_dispose;

  /**
   * SsyncPusher::progress:
   * @share: the share being pushed
   * @file: the file's path in the share
   * @bytes: bytes of it sent so far (may go back when a part is sent again)
   * @total: its size
   */
  ssync_pusher_signals[SSYNC_PUSHER_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, SSYNC_TYPE_SHARE, G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_UINT64);

  /**
   * SsyncPusher::pushed:
   * @share: the share
   * @file: the file's path in the share
   * @key: its object key in the bucket
   * @url: the pre-signed download link
   * @expires: when the link ends and the object is deleted (microseconds since the epoch)
   */
  ssync_pusher_signals[SSYNC_PUSHER_PUSHED] =
    g_signal_new ("pushed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5, SSYNC_TYPE_SHARE, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                  G_TYPE_INT64);
}

static void
ssync_pusher_init (SsyncPusher *self)
{
}

/* A client made before a change would push with the old settings or the old secret: the
 * next push makes a new one. */
static void
drop_client (SsyncPusher *self)
{
  g_clear_object (&self->client);
  self->generation++;
}

static void
on_config_notify (SsyncConfig *config,
                  GParamSpec  *pspec,
                  SsyncPusher *self)
{
  if (g_str_has_prefix (pspec->name, "s3-"))
    drop_client (self);
}

static void
on_secret_changed (SsyncSecrets *secrets,
                   int           kind,
                   const char   *server,
                   const char   *user,
                   SsyncPusher  *self)
{
  if (kind == SSYNC_SECRET_S3)
    drop_client (self);
}

/* TEMPORARY(issue12): the lead removes this at merge */
static void
ssync_pusher_temporary_env (SsyncConfig  *config,
                            SsyncSecrets *secrets)
{
  const struct {
    const char *variable;
    const char *setting;
  } names[] = {
    { "SHARESYNC_S3_ENDPOINT", "s3-endpoint" },
    { "SHARESYNC_S3_REGION", "s3-region" },
    { "SHARESYNC_S3_BUCKET", "s3-bucket" },
    { "SHARESYNC_S3_ACCESS_KEY", "s3-access-key" },
    { "SHARESYNC_S3_PATH_STYLE", "s3-path-style" },
    { "SHARESYNC_S3_PART_SIZE", "s3-part-size" },
    { "SHARESYNC_S3_PARALLEL", "s3-parallel" },
    { "SHARESYNC_S3_ATTEMPTS", "s3-attempts" },
    { "SHARESYNC_S3_CA_FILE", "s3-ca-file" },
  };
  const char *secret = g_getenv ("SHARESYNC_S3_SECRET_KEY");

  if (g_getenv ("SHARESYNC_S3_ENDPOINT") == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_getenv (names[i].variable) != NULL)
      ssync_config_set_from_string (config, names[i].setting, g_getenv (names[i].variable),
                                    NULL);
  if (secret != NULL && ssync_config_get_string (config, "s3-access-key") != NULL)
    ssync_secrets_set_for_run (secrets, SSYNC_SECRET_S3,
                               ssync_config_get_string (config, "s3-endpoint"),
                               ssync_config_get_string (config, "s3-access-key"), secret);
}

SsyncPusher *
ssync_pusher_new (SsyncHistory *history,
                  SsyncConfig  *config,
                  SsyncSecrets *secrets)
{
  SsyncPusher *self = g_object_new (SSYNC_TYPE_PUSHER, NULL);

  g_return_val_if_fail (SSYNC_IS_CONFIG (config), NULL);
  g_return_val_if_fail (SSYNC_IS_SECRETS (secrets), NULL);

  self->history = g_object_ref (history);
  self->config = g_object_ref (config);
  self->secrets = g_object_ref (secrets);
  ssync_pusher_temporary_env (config, secrets);
  g_signal_connect_object (config, "notify", G_CALLBACK (on_config_notify), self, 0);
  g_signal_connect_object (secrets, "changed", G_CALLBACK (on_secret_changed), self, 0);
  return self;
}

/* Whether an endpoint is filled in: without one there is no bucket to push to or clean. */
gboolean
ssync_pusher_is_configured (SsyncPusher *self)
{
  return ssync_config_get_string (self->config, "s3-endpoint") != NULL;
}

/* S3 refuses links longer than seven days: a longer wish gets seven, and @message says so. A
 * wish of 0 or less gets the default. */
gint64
ssync_pusher_clamp_lifetime (gint64   wish_seconds,
                             char   **message)
{
  g_autofree char *asked = NULL;

  if (wish_seconds <= 0)
    return SSYNC_PUSH_DEFAULT_LIFETIME;
  if (wish_seconds <= SSYNC_SIGV4_MAX_EXPIRES)
    return wish_seconds;

  asked = ssync_duration_format (wish_seconds);
  if (message != NULL)
    *message = g_strdup_printf (_("Links to S3 last at most 7 days, so the links will end "
                                  "after 7 days instead of %s"), asked);
  return SSYNC_SIGV4_MAX_EXPIRES;
}

/* The client's settings as the config has them now, with @secret as the secret key. */
static SsyncS3Config *
make_s3_config (SsyncPusher *self,
                const char  *secret)
{
  SsyncS3Config *s3 = ssync_s3_config_new ();
  const char *region = ssync_config_get_string (self->config, "s3-region");

  s3->endpoint = g_strdup (ssync_config_get_string (self->config, "s3-endpoint"));
  if (region != NULL)
    {
      g_free (s3->region);
      s3->region = g_strdup (region);
    }
  s3->bucket = g_strdup (ssync_config_get_string (self->config, "s3-bucket"));
  s3->access_key = g_strdup (ssync_config_get_string (self->config, "s3-access-key"));
  s3->secret_key = g_strdup (secret);
  s3->path_style = ssync_config_get_boolean (self->config, "s3-path-style");
  s3->part_size = ssync_config_get_uint64 (self->config, "s3-part-size");
  s3->parallel = ssync_config_get_uint (self->config, "s3-parallel");
  s3->attempts = ssync_config_get_uint (self->config, "s3-attempts");
  s3->ca_file = g_strdup (ssync_config_get_string (self->config, "s3-ca-file"));
  return s3;
}

static void get_client (GTask *task);

static void
on_secret_found (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncPusher *self = g_task_get_source_object (task);
  guint generation = GPOINTER_TO_UINT (g_task_get_task_data (task));
  g_autoptr(SsyncS3Config) s3 = NULL;
  g_autofree char *secret = NULL;
  GError *error = NULL;

  secret = ssync_secrets_lookup_finish (SSYNC_SECRETS (source), result, &error);
  if (secret == NULL)
    {
      /* No secret key stored is a setting still to fill in. */
      if (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND))
        error->code = SSYNC_ERROR_NOT_CONFIGURED;
      g_task_return_error (task, error);
      return;
    }
  /* A setting or the secret changed while it was looked up: look again. */
  if (generation != self->generation)
    {
      get_client (g_steal_pointer (&task));
      return;
    }

  s3 = make_s3_config (self, secret);
  explicit_bzero (secret, strlen (secret));
  g_clear_object (&self->client);
  self->client = ssync_s3_client_new (s3, &error);
  if (self->client == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (self->client), g_object_unref);
}

static void
get_client (GTask *task)
{
  SsyncPusher *self = g_task_get_source_object (task);
  g_autoptr(SsyncS3Config) s3 = NULL;
  GError *error = NULL;

  if (self->client != NULL)
    {
      g_task_return_pointer (task, g_object_ref (self->client), g_object_unref);
      g_object_unref (task);
      return;
    }
  if (!ssync_pusher_is_configured (self))
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_NOT_CONFIGURED,
                               _("No S3 storage is set up: fill in the S3 Storage preferences "
                                 "or set SHARESYNC_S3_ENDPOINT, _BUCKET, _ACCESS_KEY and "
                                 "_SECRET_KEY"));
      g_object_unref (task);
      return;
    }
  /* Any placeholder: only the other settings are checked before the lookup. */
  s3 = make_s3_config (self, "-");
  if (!ssync_s3_config_check (s3, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, GUINT_TO_POINTER (self->generation), NULL);
  ssync_secrets_lookup_async (self->secrets, SSYNC_SECRET_S3, s3->endpoint, s3->access_key,
                              g_task_get_cancellable (task), on_secret_found, task);
}

/* The client, made once from the settings and the secret key, until one of them changes. */
void
ssync_pusher_get_client_async (SsyncPusher         *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_pusher_get_client_async);
  get_client (task);
}

SsyncS3Client *
ssync_pusher_get_client_finish (SsyncPusher   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The SSYNC_ERROR code a face acts on for an error of the cloud layer (or of reading a file
 * or the CA file); the message stays, since it says what to fix. */
static int
error_code (const GError *error)
{
  if (error->domain != SSYNC_S3_ERROR)
    return error->domain == G_IO_ERROR ? SSYNC_ERROR_FAILED : SSYNC_ERROR_NOT_CONFIGURED;

  switch ((SsyncS3Error) error->code)
    {
    case SSYNC_S3_ERROR_CONFIG:
      return SSYNC_ERROR_NOT_CONFIGURED;
    case SSYNC_S3_ERROR_SECRET_KEY:
    case SSYNC_S3_ERROR_ACCESS_KEY:
    case SSYNC_S3_ERROR_ACCESS_DENIED:
      return SSYNC_ERROR_CREDENTIALS_REJECTED;
    case SSYNC_S3_ERROR_NO_SUCH_BUCKET:
      return SSYNC_ERROR_NO_BUCKET;
    case SSYNC_S3_ERROR_NOT_FOUND:
      return SSYNC_ERROR_NOT_FOUND;
    case SSYNC_S3_ERROR_FAILED:
    case SSYNC_S3_ERROR_CLOCK_SKEW:
    case SSYNC_S3_ERROR_TOO_LARGE:
    default:
      return SSYNC_ERROR_FAILED;
    }
}

/* A boolean task's outcome, its error as an SSYNC_ERROR code (a cancel stays a cancel). */
gboolean
ssync_pusher_propagate (GTask   *task,
                        GError **error)
{
  GError *local_error = NULL;

  if (g_task_propagate_boolean (task, &local_error))
    return TRUE;
  if (local_error->domain != SSYNC_ERROR &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      int code = error_code (local_error);

      local_error->domain = SSYNC_ERROR;
      local_error->code = code;
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

static void
on_bucket_created (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ssync_s3_client_create_bucket_finish (SSYNC_S3_CLIENT (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_bucket_client (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(SsyncS3Client) client = NULL;
  GError *error = NULL;

  client = ssync_pusher_get_client_finish (SSYNC_PUSHER (source), result, &error);
  if (client == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  ssync_s3_client_create_bucket_async (client, g_task_get_cancellable (task), on_bucket_created,
                                       task);
}

/* Creates the configured bucket: what the window offers after SSYNC_ERROR_NO_BUCKET. */
void
ssync_pusher_create_bucket_async (SsyncPusher         *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_pusher_create_bucket_async);
  ssync_pusher_get_client_async (self, cancellable, on_bucket_client, task);
}

gboolean
ssync_pusher_create_bucket_finish (SsyncPusher   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return ssync_pusher_propagate (G_TASK (result), error);
}
