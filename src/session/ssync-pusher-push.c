/* ssync-pusher-push.c: one push of a share, file after file: a history row per object
 * (uploading, then pushed with its link expiry, or failed), ::progress as bytes leave and
 * ::pushed with the pre-signed link once each object is in the bucket.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-file-entry.h"
#include "ssync-pusher-private.h"
#include "ssync-token.h"

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

  g_signal_emit (self, ssync_pusher_signals[SSYNC_PUSHER_PROGRESS], 0, push->share,
                 push->record.file_name, (guint64) current, (guint64) total);
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
  g_signal_emit (self, ssync_pusher_signals[SSYNC_PUSHER_PUSHED], 0, push->share,
                 push->record.file_name, push->record.object_key, url, push->record.expires);

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

  push->client = ssync_pusher_get_client_finish (SSYNC_PUSHER (source), result, &error);
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
  ssync_pusher_get_client_async (self, cancellable, on_push_client, task);
}

gboolean
ssync_pusher_push_finish (SsyncPusher   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return ssync_pusher_propagate (G_TASK (result), error);
}
