/* ssync-session-receive.c: receive shares, and the unfinished uploads into their folder
 * that an earlier run left, which they pick up again.
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

typedef struct {
  GFile *folder;
  SsyncHistory *history;
  char *token;         /* the token the resumable uploads were created under */
  GPtrArray *uploads;  /* SsyncUpload, reopened */
  GPtrArray *records;  /* SsyncUploadRecord, one per upload */
} Restore;

static void
restore_free (Restore *restore)
{
  g_clear_object (&restore->folder);
  g_clear_object (&restore->history);
  g_free (restore->token);
  g_clear_pointer (&restore->uploads, g_ptr_array_unref);
  g_clear_pointer (&restore->records, g_ptr_array_unref);
  g_free (restore);
}

/* Finds the uploads into the folder that an earlier run (stopped or killed) left unfinished
 * and that have not expired, and opens their .part files again. Those of the newest share
 * token are taken: the browser's tus client knows their URLs under that token. */
static void
find_unfinished_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  Restore *restore = task_data;
  g_autofree char *path = g_file_get_path (restore->folder);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  restore->uploads = g_ptr_array_new_with_free_func (g_object_unref);
  restore->records = g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_upload_record_free);
  records = path != NULL ? ssync_history_list_uploads (restore->history, path, &error) : NULL;
  if (records == NULL)
    {
      if (error != NULL)
        g_message ("Could not list unfinished uploads: %s", error->message);
      g_task_return_boolean (task, TRUE);
      return;
    }

  for (guint i = 0; i < records->len; i++)
    {
      SsyncUploadRecord *record = g_ptr_array_index (records, i);
      g_autoptr(SsyncUpload) upload = NULL;
      g_autoptr(GError) local_error = NULL;

      /* Expired ones are the cleanup's. */
      if (record->expires <= now ||
          (restore->token != NULL && g_strcmp0 (record->share_token, restore->token) != 0))
        continue;

      upload = ssync_upload_reopen (restore->folder, record->id, record->path,
                                    record->part_name, record->length, &local_error);
      if (upload == NULL)
        {
          /* The .part is gone or is not ours any more: nothing to resume or delete. */
          g_message ("%s", local_error->message);
          ssync_history_forget_upload (restore->history, record->id);
          continue;
        }

      if (restore->token == NULL)
        restore->token = g_strdup (record->share_token);
      g_ptr_array_add (restore->uploads, g_steal_pointer (&upload));
      g_ptr_array_add (restore->records, g_steal_pointer (&records->pdata[i]));
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_unfinished_found (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncSession *self = g_task_get_source_object (task);
  Restore *restore = g_task_get_task_data (G_TASK (result));
  g_autoptr(SsyncShare) share = NULL;
  const char *token = restore->token;

  /* The same folder may be received into twice; only one share can have the old link. */
  if (token != NULL && ssync_registry_lookup_token (self->registry, token) != NULL)
    token = NULL;

  share = ssync_share_new_receive (restore->folder, token);
  for (guint i = 0; token != NULL && i < restore->uploads->len; i++)
    {
      SsyncUploadRecord *record = g_ptr_array_index (restore->records, i);

      ssync_server_restore_upload (self->server, share, g_ptr_array_index (restore->uploads, i),
                                   record->metadata, record->expires);
    }

  ssync_session_publish (self, share);
  ssync_history_record_share (self->history, ssync_share_get_id (share),
                              ssync_share_get_name (share), SSYNC_SHARE_KIND_RECEIVE, 0, 0,
                              ssync_share_get_created (share));
  g_signal_emit_by_name (self, "share-added", share);
  g_task_return_pointer (task, g_steal_pointer (&share), g_object_unref);
}

static void
on_receive_folder_checked (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncSession *self = g_task_get_source_object (task);
  GFile *folder = G_FILE (source);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = g_file_get_parse_name (folder);
  g_autoptr(GTask) find = NULL;
  Restore *restore;

  info = g_file_query_info_finish (folder, result, &error);
  if (info == NULL)
    {
      g_task_return_new_error (task, error->domain, error->code,
                               _("Cannot receive into %s: %s"), shown, error->message);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                               _("Cannot receive into %s: not a folder"), shown);
      return;
    }
  if (!g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               _("Cannot receive into %s: the folder is not writable"), shown);
      return;
    }

  restore = g_new0 (Restore, 1);
  restore->folder = g_object_ref (folder);
  restore->history = g_object_ref (self->history);
  find = g_task_new (self, self->cancellable, on_unfinished_found, g_steal_pointer (&task));
  g_task_set_task_data (find, restore, (GDestroyNotify) restore_free);
  g_task_run_in_thread (find, find_unfinished_thread);
}

/* Adds a receive share: browsers can then upload into @folder. */
void
ssync_session_add_receive_share_async (SsyncSession        *self,
                                       GFile               *folder,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_session_add_receive_share_async);
  g_file_query_info_async (folder, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                           G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, on_receive_folder_checked, task);
}

SsyncShare *
ssync_session_add_receive_share_finish (SsyncSession  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
