/* ssync-session-push.c: the session's S3 side: pushing a share, deleting its objects.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-session-private.h"

/* The S3 side: its settings, its secret key, and the ::progress and ::pushed signals of
 * pushes. */
SsyncPusher *
ssync_session_get_pusher (SsyncSession *self)
{
  return self->pusher;
}

/* The one owner of the S3 secret key and the TURN password: faces store them here, and the
 * pusher and the direct-transfer side follow its "changed" signal. */
SsyncSecrets *
ssync_session_get_secrets (SsyncSession *self)
{
  return self->secrets;
}

static void
on_share_pushed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ssync_pusher_push_finish (SSYNC_PUSHER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Pushes every file of @share to the S3 bucket; each file's pre-signed link lasts
 * @lifetime_seconds (0: a day; more than S3's 7 days is clamped, see
 * ssync_pusher_clamp_lifetime()) and its object is deleted when the link ends. Progress and
 * links come as SsyncPusher::progress and ::pushed on ssync_session_get_pusher(). */
void
ssync_session_push_share_async (SsyncSession        *self,
                                SsyncShare          *share,
                                gint64               lifetime_seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_session_push_share_async);
  g_task_set_check_cancellable (task, FALSE);
  ssync_pusher_push_async (self->pusher, share, lifetime_seconds, cancellable, on_share_pushed,
                           task);
}

gboolean
ssync_session_push_share_finish (SsyncSession  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_share_pushes_deleted (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ssync_pusher_delete_finish (SSYNC_PUSHER (source), result, &error))
    {
      ssync_session_forget_links (g_task_get_source_object (task), g_task_get_task_data (task));
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

/* Deletes the pushed objects of @share from the bucket now (their links stop working). */
void
ssync_session_delete_pushed_async (SsyncSession        *self,
                                   SsyncShare          *share,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_session_delete_pushed_async);
  g_task_set_task_data (task, g_object_ref (share), g_object_unref);
  ssync_pusher_delete_async (self->pusher, ssync_share_get_id (share), 0, cancellable,
                             on_share_pushes_deleted, task);
}

gboolean
ssync_session_delete_pushed_finish (SsyncSession  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
