/* ssync-pusher-delete.c: deleting pushed objects from the bucket, those of one share on
 * request and, in the cleanup pass, those whose link has ended. The history rows say what is
 * still in the bucket, also from earlier runs; each deleted object's row says "deleted".
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-pusher-private.h"

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

  deletion->client = ssync_pusher_get_client_finish (SSYNC_PUSHER (source), result, &error);
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
  ssync_pusher_get_client_async (self, g_task_get_cancellable (task), on_delete_client, task);
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
  if (!ssync_pusher_is_configured (self) || (share_id == NULL && self->deleting))
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
  return ssync_pusher_propagate (G_TASK (result), error);
}
