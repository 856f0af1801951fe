/* ssync-localsend-sender-files.c: what a send offers: the files the user picked, and the files
 * inside the folders they picked, named "folder/sub/name" as LocalSend names them. Read in a
 * worker thread (a folder may hold thousands of files), never following a link inside a
 * folder, so that a link cannot send what lies outside it or loop.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-localsend-sender-private.h"

#define FILE_ATTRIBUTES \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE "," \
  G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME "," \
  G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE
/* Deeper folders are refused rather than walked: real ones are far shallower. */
#define MAX_DEPTH 32

void
ssync_localsend_send_file_free (SsyncLocalsendSendFile *file)
{
  g_clear_object (&file->file);
  g_free (file->id);
  g_free (file->name);
  g_free (file->mime);
  g_free (file->token);
  g_free (file);
}

typedef struct {
  GPtrArray *picked;  /* GFile */
  guint max_files;
} Collect;

static void
collect_free (Collect *collect)
{
  g_ptr_array_unref (collect->picked);
  g_free (collect);
}

static gboolean
add_file (GPtrArray  *found,
          guint       max_files,
          GFile      *file,
          GFileInfo  *info,
          const char *name,
          GError    **error)
{
  SsyncLocalsendSendFile *entry;
  const char *content_type = g_file_info_get_content_type (info);

  if (found->len >= max_files)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("Too many files to send at once (at most %u)"), max_files);
      return FALSE;
    }
  entry = g_new0 (SsyncLocalsendSendFile, 1);
  entry->file = g_object_ref (file);
  entry->name = g_strdup (name);
  entry->size = g_file_info_get_size (info);
  entry->mime = content_type != NULL ? g_content_type_get_mime_type (content_type) : NULL;
  if (entry->mime == NULL)
    entry->mime = g_strdup ("application/octet-stream");
  g_ptr_array_add (found, entry);
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (g_file_info_get_name (*(GFileInfo **) a),
                    g_file_info_get_name (*(GFileInfo **) b));
}

/* Adds the regular files below @folder, named @prefix/..., in a stable (sorted) order. */
static gboolean
walk (GPtrArray     *found,
      guint          max_files,
      GFile         *folder,
      const char    *prefix,
      guint          depth,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  GFileInfo *info;

  if (depth > MAX_DEPTH)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("%s is nested too deeply to send"), prefix);
      return FALSE;
    }
  children = g_file_enumerate_children (folder, FILE_ATTRIBUTES,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, error);
  if (children == NULL)
    return FALSE;
  while ((info = g_file_enumerator_next_file (children, cancellable, error)) != NULL)
    g_ptr_array_add (infos, info);
  if (error != NULL && *error != NULL)
    return FALSE;
  g_ptr_array_sort (infos, compare_names);

  for (guint i = 0; i < infos->len; i++)
    {
      GFileInfo *child_info = g_ptr_array_index (infos, i);
      g_autoptr(GFile) child = g_file_get_child (folder, g_file_info_get_name (child_info));
      g_autofree char *name = g_strconcat (prefix, "/",
                                           g_file_info_get_display_name (child_info), NULL);

      /* Links, sockets and devices are not sent. */
      if (g_file_info_get_file_type (child_info) == G_FILE_TYPE_DIRECTORY)
        {
          if (!walk (found, max_files, child, name, depth + 1, cancellable, error))
            return FALSE;
        }
      else if (g_file_info_get_file_type (child_info) == G_FILE_TYPE_REGULAR
               && !add_file (found, max_files, child, child_info, name, error))
        return FALSE;
    }
  return TRUE;
}

static void
collect_in_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Collect *collect = task_data;
  g_autoptr(GPtrArray) found =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_localsend_send_file_free);
  GError *error = NULL;

  for (guint i = 0; i < collect->picked->len; i++)
    {
      GFile *file = g_ptr_array_index (collect->picked, i);
      /* What the user picked is taken as they see it, a link to a file included. */
      g_autoptr(GFileInfo) info = g_file_query_info (file, FILE_ATTRIBUTES,
                                                     G_FILE_QUERY_INFO_NONE, cancellable,
                                                     &error);
      const char *name;

      if (info == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      name = g_file_info_get_display_name (info);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          if (!walk (found, collect->max_files, file, name, 1, cancellable, &error))
            {
              g_task_return_error (task, error);
              return;
            }
        }
      else if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
        {
          g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                                   _("%s is neither a file nor a folder"), name);
          return;
        }
      else if (!add_file (found, collect->max_files, file, info, name, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  if (found->len == 0)
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT, "%s",
                               _("No files to send"));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify) g_ptr_array_unref);
}

/* Lists what sending @files means: each file, and each file below each folder (named
 * "folder/sub/name"), at most @max_files. */
void
ssync_localsend_collect_files_async (GFile              **files,
                                     guint                n_files,
                                     guint                max_files,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Collect *collect = g_new0 (Collect, 1);

  g_task_set_source_tag (task, ssync_localsend_collect_files_async);
  collect->picked = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (collect->picked, g_object_ref (files[i]));
  collect->max_files = max_files;
  g_task_set_task_data (task, collect, (GDestroyNotify) collect_free);
  g_task_run_in_thread (task, collect_in_thread);
}

GPtrArray *
ssync_localsend_collect_files_finish (GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
