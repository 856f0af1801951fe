/* ssync-session-cleanup.c: the session's cleanup timer: shares that ended leave the list,
 * their pushed copies the bucket, and .part files of uploads nobody resumed the disk.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ssync-session-private.h"

/* Deletes the .part of @record, an upload the store lists: only a regular file, never what a
 * symbolic link points to. */
static void
delete_part (SsyncUploadRecord *record)
{
  g_autofree char *parent = g_path_get_dirname (record->path);
  g_autofree char *path = g_build_filename (record->folder, parent, record->part_name, NULL);
  GStatBuf st;

  if (g_lstat (path, &st) == 0 && S_ISREG (st.st_mode) && g_unlink (path) != 0)
    g_message ("Could not delete %s: %s", path, g_strerror (errno));
}

typedef struct {
  SsyncHistory *history;
  GHashTable *live_tokens;  /* of receive shares served now: their uploads are the server's */
} Sweep;

static void
sweep_free (Sweep *sweep)
{
  g_clear_object (&sweep->history);
  g_clear_pointer (&sweep->live_tokens, g_hash_table_unref);
  g_free (sweep);
}

/* Unfinished uploads of an earlier run that nobody resumed in time: their .part files go.
 * Only files the store lists are touched; a user's own "notes.part" never is. */
static void
delete_expired_parts_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  Sweep *sweep = task_data;
  g_autoptr(GPtrArray) uploads = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  uploads = ssync_history_list_uploads (sweep->history, NULL, &error);
  if (uploads == NULL)
    {
      g_message ("Could not list unfinished uploads: %s", error->message);
      g_task_return_boolean (task, FALSE);
      return;
    }

  for (guint i = 0; i < uploads->len; i++)
    {
      SsyncUploadRecord *record = g_ptr_array_index (uploads, i);

      if (record->expires > now || g_hash_table_contains (sweep->live_tokens, record->share_token))
        continue;
      delete_part (record);
      ssync_history_forget_upload (sweep->history, record->id);
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_pushed_deleted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ssync_pusher_delete_finish (SSYNC_PUSHER (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Could not delete pushed objects from S3: %s", error->message);
}

/* The cleanup timer: shares that expired or ran out of downloads are ended and removed
 * (their links keep answering 410), and .part files that uploads of an earlier run left
 * behind are deleted once those uploads expired. The history stays. */
void
ssync_session_cleanup (SsyncSession *self)
{
  g_autoptr(GPtrArray) ended = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTask) task = NULL;
  Sweep *sweep = g_new0 (Sweep, 1);
  gint64 now = g_get_real_time ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->registry));

  sweep->history = g_object_ref (self->history);
  sweep->live_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SsyncShare) share = g_list_model_get_item (G_LIST_MODEL (self->registry), i);

      if (ssync_share_get_state (share, now) != SSYNC_SHARE_STATE_ACTIVE)
        {
          g_ptr_array_add (ended, g_object_ref (share));
          continue;
        }
      if (ssync_share_get_kind (share) == SSYNC_SHARE_KIND_RECEIVE)
        g_hash_table_add (sweep->live_tokens, g_strdup (ssync_share_get_token (share)));
      if (ssync_share_get_expires (share) != 0)
        ssync_session_schedule_expiry (self, ssync_share_get_expires (share));
    }

  for (guint i = 0; i < ended->len; i++)
    {
      SsyncShare *share = g_ptr_array_index (ended, i);

      /* The reasons the pages name: share.js knows these three. */
      switch (ssync_share_get_state (share, now))
        {
        case SSYNC_SHARE_STATE_REVOKED:
          ssync_session_end_share (self, share, "stopped");
          break;
        case SSYNC_SHARE_STATE_EXHAUSTED:
          ssync_session_end_share (self, share, "limit");
          break;
        case SSYNC_SHARE_STATE_EXPIRED:
        case SSYNC_SHARE_STATE_ACTIVE:
        default:
          ssync_session_end_share (self, share, "expired");
          break;
        }
      /* An expired share takes its pushed copies with it. */
      if (ssync_share_get_state (share, now) == SSYNC_SHARE_STATE_EXPIRED)
        ssync_pusher_delete_async (self->pusher, ssync_share_get_id (share), 0,
                                   self->cancellable, on_pushed_deleted, NULL);
      ssync_registry_remove (self->registry, g_ptr_array_index (ended, i));
    }

  /* History is kept forever unless the history-days setting says otherwise. */
  if (ssync_config_get_uint (self->config, "history-days") > 0)
    ssync_history_forget_before (self->history,
                                 now - (gint64) ssync_config_get_uint (self->config,
                                                                       "history-days") *
                                       24 * 3600 * G_USEC_PER_SEC);

  /* Pushed objects whose link ended, from this run or an earlier one. */
  ssync_pusher_delete_async (self->pusher, NULL, now, self->cancellable, on_pushed_deleted,
                             NULL);

  task = g_task_new (NULL, self->cancellable, NULL, NULL);
  g_task_set_task_data (task, sweep, (GDestroyNotify) sweep_free);
  g_task_run_in_thread (task, delete_expired_parts_thread);
}
