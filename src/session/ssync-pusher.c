/* ssync-pusher.c: the session's S3 side. A share is pushed file by file (each file streamed,
 * multipart when large) to SHARE_ID/PATH in the bucket; every object gets a history row
 * (uploading, then pushed with its link expiry, or failed) and a pre-signed link. Objects
 * are deleted on request and by the cleanup timer once their link has ended, also across
 * runs, since the rows say what is still in the bucket.
 *
 * The settings come from SHARESYNC_S3_* (headless, tests) or GSettings; the secret key from
 * the environment, the preferences (kept by SsyncCredentials) or the keyring.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-duration.h"
#include "ssync-file-entry.h"
#include "ssync-pusher.h"
#include "ssync-sigv4.h"
#include "ssync-token.h"

struct _SsyncPusher
{
  GObject parent_instance;

  SsyncHistory *history;
  SsyncCredentials *credentials;
  SsyncS3Config *config;
  SsyncS3Client *client;   /* made on first use from config and the secret key */
  GSettings *settings;     /* followed when the settings come from there */
  gboolean deleting;       /* one deletion pass at a time */
};

G_DEFINE_FINAL_TYPE (SsyncPusher, ssync_pusher, G_TYPE_OBJECT)

enum {
  PROGRESS,
  PUSHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_pusher_dispose (GObject *object)
{
  SsyncPusher *self = SSYNC_PUSHER (object);

  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->credentials);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (ssync_pusher_parent_class)->dispose (object);
}

static void
ssync_pusher_finalize (GObject *object)
{
  SsyncPusher *self = SSYNC_PUSHER (object);

  g_clear_pointer (&self->config, ssync_s3_config_free);

  G_OBJECT_CLASS (ssync_pusher_parent_class)->finalize (object);
}

static void
ssync_pusher_class_init (SsyncPusherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_pusher_dispose;
  object_class->finalize = ssync_pusher_finalize;

  /**
   * SsyncPusher::progress:
   * @share: the share being pushed
   * @file: the file's path in the share
   * @bytes: bytes of it sent so far (may go back when a part is sent again)
   * @total: its size
   */
  signals[PROGRESS] =
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
  signals[PUSHED] =
    g_signal_new ("pushed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5, SSYNC_TYPE_SHARE, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                  G_TYPE_INT64);
}

static void
ssync_pusher_init (SsyncPusher *self)
{
  self->credentials = ssync_credentials_new ();
}

/* Settings from the environment when SHARESYNC_S3_ENDPOINT is set, else from GSettings (when
 * its schema is installed and an endpoint is filled in); NULL when S3 is not set up. */
SsyncS3Config *
ssync_pusher_load_config (void)
{
  SsyncS3Config *config = ssync_s3_config_from_env ();
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *endpoint = NULL;

  if (config != NULL)
    return config;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "s3-endpoint"))
    return NULL;

  settings = g_settings_new_full (schema, NULL, NULL);
  endpoint = g_settings_get_string (settings, "s3-endpoint");
  if (*endpoint == '\0')
    return NULL;

  config = ssync_s3_config_new ();
  config->endpoint = g_steal_pointer (&endpoint);
  g_free (config->region);
  config->region = g_settings_get_string (settings, "s3-region");
  config->bucket = g_settings_get_string (settings, "s3-bucket");
  config->path_style = g_settings_get_boolean (settings, "s3-path-style");
  config->access_key = g_settings_get_string (settings, "s3-access-key");
  config->part_size = g_settings_get_uint64 (settings, "s3-part-size");
  return config;
}

/* A change in the S3 Storage preferences applies to the next push. */
static void
on_settings_changed (GSettings   *settings,
                     const char  *key,
                     SsyncPusher *self)
{
  g_autoptr(SsyncS3Config) config = NULL;

  if (!g_str_has_prefix (key, "s3-"))
    return;
  config = ssync_pusher_load_config ();
  ssync_pusher_set_config (self, config);
}

SsyncPusher *
ssync_pusher_new (SsyncHistory *history)
{
  SsyncPusher *self = g_object_new (SSYNC_TYPE_PUSHER, NULL);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  self->history = g_object_ref (history);
  self->config = ssync_pusher_load_config ();

  if (source != NULL && g_getenv ("SHARESYNC_S3_ENDPOINT") == NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "s3-endpoint"))
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed),
                               self, 0);
    }
  return self;
}

/* NULL while S3 is not set up. */
const SsyncS3Config *
ssync_pusher_get_config (SsyncPusher *self)
{
  return self->config;
}

/* Replaces the settings (the secret key may be left out: it is looked up when needed). */
void
ssync_pusher_set_config (SsyncPusher         *self,
                         const SsyncS3Config *config)
{
  g_clear_pointer (&self->config, ssync_s3_config_free);
  g_clear_object (&self->client);
  if (config != NULL)
    self->config = ssync_s3_config_copy (config);
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

/* The settings checked as if @secret were their secret key. */
static gboolean
check_with_secret (const SsyncS3Config  *config,
                   const char           *secret,
                   GError              **error)
{
  g_autoptr(SsyncS3Config) copy = ssync_s3_config_copy (config);

  g_free (copy->secret_key);
  copy->secret_key = g_strdup (secret);
  return ssync_s3_config_check (copy, error);
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ssync_credentials_store_finish (SSYNC_CREDENTIALS (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Keeps @secret_key for the configured endpoint and access key: in the keyring, or for this
 * run only when there is none (the error then says so, and pushes still work). */
void
ssync_pusher_store_secret_async (SsyncPusher         *self,
                                 const char          *secret_key,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  if (self->config == NULL || !check_with_secret (self->config, secret_key, &error))
    {
      if (error == NULL)
        error = g_error_new_literal (SSYNC_S3_ERROR, SSYNC_S3_ERROR_CONFIG,
                                     _("Set up the S3 endpoint before its secret key"));
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_clear_object (&self->client);
  ssync_credentials_store_async (self->credentials, self->config->endpoint,
                                 self->config->access_key, secret_key, cancellable,
                                 on_secret_stored, task);
}

gboolean
ssync_pusher_store_secret_finish (SsyncPusher   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_secret_found (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncPusher *self = g_task_get_source_object (task);
  g_autoptr(SsyncS3Config) config = NULL;
  GError *error = NULL;

  config = ssync_s3_config_copy (self->config);
  config->secret_key = ssync_credentials_lookup_finish (SSYNC_CREDENTIALS (source), result,
                                                        &error);
  if (config->secret_key == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_clear_object (&self->client);
  self->client = ssync_s3_client_new (config, &error);
  if (self->client == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (self->client), g_object_unref);
}

/* The client, made once from the settings and the secret key (looked up when the settings
 * do not carry it). */
static void
get_client_async (SsyncPusher         *self,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  if (self->client != NULL)
    {
      g_task_return_pointer (task, g_object_ref (self->client), g_object_unref);
      return;
    }
  if (self->config == NULL)
    {
      g_task_return_new_error (task, SSYNC_S3_ERROR, SSYNC_S3_ERROR_CONFIG,
                               _("No S3 storage is set up: fill in the S3 Storage preferences "
                                 "or set SHARESYNC_S3_ENDPOINT, _BUCKET, _ACCESS_KEY and "
                                 "_SECRET_KEY"));
      return;
    }
  if (self->config->secret_key != NULL && *self->config->secret_key != '\0')
    {
      self->client = ssync_s3_client_new (self->config, &error);
      if (self->client == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, g_object_ref (self->client), g_object_unref);
      return;
    }
  /* Any placeholder: only the other settings are checked before the lookup. */
  if (!check_with_secret (self->config, "-", &error))
    {
      g_task_return_error (task, error);
      return;
    }
  ssync_credentials_lookup_async (self->credentials, self->config->endpoint,
                                  self->config->access_key, cancellable, on_secret_found,
                                  g_steal_pointer (&task));
}

static SsyncS3Client *
get_client_finish (SsyncPusher   *self,
                   GAsyncResult  *result,
                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* One push of a share, file after file. */
typedef struct {
  SsyncShare *share;
  gint64 lifetime;       /* seconds */
  guint index;
  SsyncS3Client *client;
  SsyncPushRecord record;  /* of the file in flight */
} Push;

static void
record_clear (SsyncPushRecord *r)
{
  g_clear_pointer (&r->id, g_free);
  g_clear_pointer (&r->share_id, g_free);
  g_clear_pointer (&r->file_name, g_free);
  g_clear_pointer (&r->endpoint, g_free);
  g_clear_pointer (&r->bucket, g_free);
  g_clear_pointer (&r->object_key, g_free);
  g_clear_pointer (&r->message, g_free);
}

static void
push_free (Push *push)
{
  record_clear (&push->record);
  g_clear_object (&push->share);
  g_clear_object (&push->client);
  g_free (push);
}

static void push_next (GTask *task);

static void
on_file_progress (goffset  current,
                  goffset  total,
                  gpointer user_data)
{
  GTask *task = user_data;
  SsyncPusher *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);

  g_signal_emit (self, signals[PROGRESS], 0, push->share, push->record.file_name,
                 (guint64) current, (guint64) total);
}

static void
on_file_pushed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncPusher *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *url = NULL;

  if (!ssync_s3_client_put_file_finish (push->client, result, &error))
    {
      push->record.status = (char *) "failed";
      push->record.message = g_strdup (error->message);
      ssync_history_record_push (self->history, &push->record);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The link's lifetime starts now, when the object is there to fetch. */
  now = g_date_time_new_now_utc ();
  url = ssync_s3_client_presign_get (push->client, push->record.object_key, now,
                                     push->lifetime);
  push->record.status = (char *) "pushed";
  push->record.expires = (g_date_time_to_unix (now) + push->lifetime) * G_USEC_PER_SEC;
  ssync_history_record_push (self->history, &push->record);
  g_signal_emit (self, signals[PUSHED], 0, push->share, push->record.file_name,
                 push->record.object_key, url, push->record.expires);

  push->index++;
  push_next (task);
}

static void
push_next (GTask *task)
{
  SsyncPusher *self = g_task_get_source_object (task);
  Push *push = g_task_get_task_data (task);
  const SsyncS3Config *config = ssync_s3_client_get_config (push->client);
  SsyncFileEntry *entry;

  if (push->index >= ssync_share_get_n_files (push->share))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  entry = ssync_share_get_file (push->share, push->index);
  record_clear (&push->record);
  push->record.id = ssync_token_new ();
  push->record.share_id = g_strdup (ssync_share_get_id (push->share));
  push->record.file_name = g_strdup (ssync_file_entry_get_path (entry));
  push->record.endpoint = g_strdup (config->endpoint);
  push->record.bucket = g_strdup (config->bucket);
  push->record.object_key = g_strconcat (ssync_share_get_id (push->share), "/",
                                         ssync_file_entry_get_path (entry), NULL);
  push->record.size = ssync_file_entry_get_size (entry);
  push->record.pushed = g_get_real_time ();
  push->record.expires = push->record.pushed + push->lifetime * G_USEC_PER_SEC;
  push->record.status = (char *) "uploading";
  ssync_history_record_push (self->history, &push->record);

  ssync_s3_client_put_file_async (push->client, ssync_file_entry_get_file (entry),
                                  push->record.object_key, g_task_get_cancellable (task),
                                  on_file_progress, task, on_file_pushed, g_object_ref (task));
}

static void
on_push_client (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Push *push = g_task_get_task_data (task);
  GError *error = NULL;

  push->client = get_client_finish (SSYNC_PUSHER (source), result, &error);
  if (push->client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  push_next (task);
}

/* Pushes every file of @share; its links last @lifetime_seconds (see
 * ssync_pusher_clamp_lifetime()). ::progress and ::pushed tell how it goes. */
void
ssync_pusher_push_async (SsyncPusher         *self,
                         SsyncShare          *share,
                         gint64               lifetime_seconds,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Push *push = g_new0 (Push, 1);

  g_task_set_source_tag (task, ssync_pusher_push_async);
  /* The upload's own message says what became of its parts. */
  g_task_set_check_cancellable (task, FALSE);
  push->share = g_object_ref (share);
  push->lifetime = ssync_pusher_clamp_lifetime (lifetime_seconds, NULL);
  g_task_set_task_data (task, push, (GDestroyNotify) push_free);
  get_client_async (self, cancellable, on_push_client, task);
}

gboolean
ssync_pusher_push_finish (SsyncPusher   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
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

  client = get_client_finish (SSYNC_PUSHER (source), result, &error);
  if (client == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  ssync_s3_client_create_bucket_async (client, g_task_get_cancellable (task), on_bucket_created,
                                       task);
}

/* Creates the configured bucket: what the window offers after SSYNC_S3_ERROR_NO_SUCH_BUCKET. */
void
ssync_pusher_create_bucket_async (SsyncPusher         *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_pusher_create_bucket_async);
  get_client_async (self, cancellable, on_bucket_client, task);
}

gboolean
ssync_pusher_create_bucket_finish (SsyncPusher   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* One deletion pass. */
typedef struct {
  char *share_id;
  gint64 expired_before;
  GPtrArray *rows;   /* SsyncPushRecord still to delete */
  SsyncS3Client *client;
  GError *error;     /* the first failure; the pass goes on */
} Deletion;

static void
deletion_free (Deletion *deletion)
{
  g_free (deletion->share_id);
  g_clear_pointer (&deletion->rows, g_ptr_array_unref);
  g_clear_object (&deletion->client);
  g_clear_error (&deletion->error);
  g_free (deletion);
}

static void delete_next (GTask *task);

static void
on_object_deleted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncPusher *self = g_task_get_source_object (task);
  Deletion *deletion = g_task_get_task_data (task);
  SsyncPushRecord *row = g_ptr_array_steal_index (deletion->rows, deletion->rows->len - 1);
  g_autoptr(GError) error = NULL;

  /* Gone already is as good as deleted. */
  if (ssync_s3_client_delete_finish (deletion->client, result, &error) ||
      g_error_matches (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NOT_FOUND))
    {
      g_free (row->status);
      row->status = g_strdup ("deleted");
      ssync_history_record_push (self->history, row);
    }
  else if (deletion->error == NULL)
    deletion->error = g_steal_pointer (&error);
  ssync_push_record_free (row);
  delete_next (task);
}

static void
delete_next (GTask *task)
{
  Deletion *deletion = g_task_get_task_data (task);
  const SsyncS3Config *config = ssync_s3_client_get_config (deletion->client);

  while (deletion->rows->len > 0)
    {
      SsyncPushRecord *row = g_ptr_array_index (deletion->rows, deletion->rows->len - 1);

      /* Objects in a bucket that is no longer the configured one are left for later. */
      if (g_strcmp0 (row->status, "pushed") == 0 &&
          g_strcmp0 (row->endpoint, config->endpoint) == 0 &&
          g_strcmp0 (row->bucket, config->bucket) == 0)
        {
          ssync_s3_client_delete_async (deletion->client, row->object_key,
                                        g_task_get_cancellable (task), on_object_deleted,
                                        g_object_ref (task));
          return;
        }
      g_ptr_array_remove_index (deletion->rows, deletion->rows->len - 1);
    }

  if (deletion->share_id == NULL)
    SSYNC_PUSHER (g_task_get_source_object (task))->deleting = FALSE;
  if (deletion->error != NULL)
    g_task_return_error (task, g_steal_pointer (&deletion->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_delete_client (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Deletion *deletion = g_task_get_task_data (task);
  GError *error = NULL;

  deletion->client = get_client_finish (SSYNC_PUSHER (source), result, &error);
  if (deletion->client == NULL)
    {
      if (deletion->share_id == NULL)
        SSYNC_PUSHER (source)->deleting = FALSE;
      g_task_return_error (task, error);
      return;
    }
  delete_next (task);
}

static void
list_rows_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  SsyncPusher *self = source_object;
  Deletion *deletion = task_data;
  GError *error = NULL;

  ssync_history_flush (self->history);
  deletion->rows = ssync_history_list_pushes (self->history, deletion->share_id,
                                              deletion->expired_before, &error);
  if (deletion->rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_rows_listed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  SsyncPusher *self = SSYNC_PUSHER (source);
  Deletion *deletion = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || deletion->rows->len == 0)
    {
      if (deletion->share_id == NULL)
        self->deleting = FALSE;
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  get_client_async (self, g_task_get_cancellable (task), on_delete_client, task);
}

/* Deletes from the bucket the pushed objects of @share_id (NULL: of every share) or, with
 * @expired_before > 0, those whose link ended before then (the cleanup timer). Each deleted
 * object's row says "deleted". A timer pass while another runs does nothing. */
void
ssync_pusher_delete_async (SsyncPusher         *self,
                           const char          *share_id,
                           gint64               expired_before,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Deletion *deletion = g_new0 (Deletion, 1);
  GTask *listing;

  g_task_set_source_tag (task, ssync_pusher_delete_async);
  deletion->share_id = g_strdup (share_id);
  deletion->expired_before = expired_before;
  g_task_set_task_data (task, deletion, (GDestroyNotify) deletion_free);

  /* Passes of the cleanup timer do not pile up; a share's own deletion always runs. */
  if (self->config == NULL || (share_id == NULL && self->deleting))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  if (share_id == NULL)
    self->deleting = TRUE;
  listing = g_task_new (self, cancellable, on_rows_listed, task);
  g_task_set_task_data (listing, deletion, NULL);
  g_task_run_in_thread (listing, list_rows_thread);
  g_object_unref (listing);
}

gboolean
ssync_pusher_delete_finish (SsyncPusher   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
