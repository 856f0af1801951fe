/* ssync-zip-stream.c: the zip archive of a share as an input stream.
 *
 * Only the synchronous read is implemented: GInputStream's default asynchronous read runs
 * it on a GIO worker thread, so the files are opened and read off the main loop, and the
 * body pump treats an archive like any other file. No temporary file is made.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-zip-stream.h"
#include "ssync-zip-writer.h"

typedef struct {
  GFile *file;  /* NULL for a directory */
  char *path;
  guint64 size;
  gint64 mtime;
  gboolean crc_known;
  guint32 crc;
} Item;

struct _SsyncZipStream
{
  GInputStream parent_instance;

  GArray *items;
  guint next_item;
  SsyncZipWriter *writer;
  guint64 size;

  GBytes *pending;      /* encoder output not yet handed out */
  gsize pending_offset;
  GInputStream *current;
  guint64 current_left;
  gboolean finished;
};

G_DEFINE_FINAL_TYPE (SsyncZipStream, ssync_zip_stream, G_TYPE_INPUT_STREAM)

static void
item_clear (Item *item)
{
  g_clear_object (&item->file);
  g_clear_pointer (&item->path, g_free);
}

static void
set_pending (SsyncZipStream *self,
             GBytes         *bytes)
{
  g_clear_pointer (&self->pending, g_bytes_unref);
  self->pending = bytes;
  self->pending_offset = 0;
}

/* Moves to the next entry, or to the central directory after the last one. */
static gboolean
advance (SsyncZipStream  *self,
         GCancellable    *cancellable,
         GError         **error)
{
  Item *item;

  if (self->next_item == self->items->len)
    {
      set_pending (self, ssync_zip_writer_finish (self->writer));
      self->finished = TRUE;
      return TRUE;
    }

  item = &g_array_index (self->items, Item, self->next_item++);
  if (item->file == NULL)
    {
      set_pending (self, ssync_zip_writer_add_directory (self->writer, item->path, item->mtime));
      return TRUE;
    }

  self->current = G_INPUT_STREAM (g_file_read (item->file, cancellable, error));
  if (self->current == NULL)
    return FALSE;
  self->current_left = item->size;
  set_pending (self, ssync_zip_writer_begin_file (self->writer, item->path, item->size,
                                                  item->mtime));
  if (item->crc_known)
    ssync_zip_writer_set_known_crc (self->writer, item->crc);
  return TRUE;
}

static gssize
read_file_data (SsyncZipStream  *self,
                guint8          *buffer,
                gsize            count,
                GCancellable    *cancellable,
                GError         **error)
{
  gssize n;

  if (self->current_left == 0)
    {
      g_input_stream_close (self->current, NULL, NULL);
      g_clear_object (&self->current);
      set_pending (self, ssync_zip_writer_end_file (self->writer, error));
      return self->pending != NULL ? 0 : -1;
    }

  n = g_input_stream_read (self->current, buffer, MIN (count, self->current_left),
                           cancellable, error);
  if (n < 0)
    return -1;
  if (n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("A file changed while the archive was being sent"));
      return -1;
    }

  ssync_zip_writer_update (self->writer, buffer, n);
  self->current_left -= n;
  return n;
}

static gssize
ssync_zip_stream_read (GInputStream  *stream,
                       void          *buffer,
                       gsize          count,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SsyncZipStream *self = SSYNC_ZIP_STREAM (stream);
  guint8 *out = buffer;
  gsize produced = 0;

  /* Fill the whole buffer across entries, so small files do not become tiny chunks. */
  while (produced < count)
    {
      if (self->pending != NULL)
        {
          gsize len = g_bytes_get_size (self->pending) - self->pending_offset;
          gsize take = MIN (len, count - produced);

          memcpy (out + produced, (const guint8 *) g_bytes_get_data (self->pending, NULL) +
                  self->pending_offset, take);
          produced += take;
          self->pending_offset += take;
          if (self->pending_offset == g_bytes_get_size (self->pending))
            g_clear_pointer (&self->pending, g_bytes_unref);
        }
      else if (self->current != NULL)
        {
          gssize n = read_file_data (self, out + produced, count - produced, cancellable, error);

          if (n < 0)
            return -1;
          produced += n;
        }
      else if (self->finished)
        break;
      else if (!advance (self, cancellable, error))
        return -1;
    }

  return produced;
}

static gboolean
ssync_zip_stream_close (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SsyncZipStream *self = SSYNC_ZIP_STREAM (stream);

  if (self->current != NULL)
    g_input_stream_close (self->current, NULL, NULL);
  g_clear_object (&self->current);
  return TRUE;
}

static void
ssync_zip_stream_finalize (GObject *object)
{
  SsyncZipStream *self = SSYNC_ZIP_STREAM (object);

  g_clear_object (&self->current);
  g_clear_pointer (&self->pending, g_bytes_unref);
  g_clear_pointer (&self->writer, ssync_zip_writer_free);
  g_clear_pointer (&self->items, g_array_unref);

  G_OBJECT_CLASS (ssync_zip_stream_parent_class)->finalize (object);
}

static void
ssync_zip_stream_class_init (SsyncZipStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = ssync_zip_stream_finalize;
  stream_class->read_fn = ssync_zip_stream_read;
  stream_class->close_fn = ssync_zip_stream_close;
}

static void
ssync_zip_stream_init (SsyncZipStream *self)
{
  self->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (self->items, (GDestroyNotify) item_clear);
  self->writer = ssync_zip_writer_new ();
}

/* Stats every file now, so that Content-Length is the archive of the files as they are. */
static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SsyncShare *share = task_data;
  g_autoptr(SsyncZipStream) self = g_object_new (SSYNC_TYPE_ZIP_STREAM, NULL);
  GPtrArray *dirs = ssync_share_get_directories (share);
  g_autoptr(GArray) sizes = g_array_new (FALSE, TRUE, sizeof (SsyncZipItem));
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < dirs->len; i++)
    {
      Item item = { NULL, g_strdup (g_ptr_array_index (dirs, i)), 0, now, FALSE, 0 };

      g_array_append_val (self->items, item);
    }

  for (guint i = 0; i < ssync_share_get_n_files (share); i++)
    {
      SsyncFileEntry *entry = ssync_share_get_file (share, i);
      GFile *file = ssync_file_entry_get_file (entry);
      g_autoptr(GFileInputStream) input = NULL;
      g_autoptr(GFileInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      Item item = { 0 };

      /* Opened, not only stat'ed, so that an unreadable file fails the archive before its
       * first byte; closed again so that a large share holds no descriptors meanwhile. */
      input = g_file_read (file, cancellable, &error);
      if (input != NULL)
        info = g_file_input_stream_query_info (input, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                               G_FILE_ATTRIBUTE_TIME_MODIFIED, cancellable,
                                               &error);
      if (input != NULL)
        g_input_stream_close (G_INPUT_STREAM (input), NULL, NULL);
      if (info == NULL)
        {
          g_task_return_new_error (task, error->domain, error->code,
                                   _("“%s” is no longer available: %s"),
                                   ssync_file_entry_get_path (entry), error->message);
          return;
        }

      item.file = g_object_ref (file);
      item.path = g_strdup (ssync_file_entry_get_path (entry));
      item.size = g_file_info_get_size (info);
      item.mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
      item.crc_known = ssync_file_entry_lookup_crc32 (entry, item.size, item.mtime, &item.crc);
      g_array_append_val (self->items, item);
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = &g_array_index (self->items, Item, i);
      SsyncZipItem zi = { item->path, item->size, item->file == NULL };

      g_array_append_val (sizes, zi);
    }
  self->size = ssync_zip_archive_size ((SsyncZipItem *) sizes->data, sizes->len);

  g_task_return_pointer (task, g_steal_pointer (&self), g_object_unref);
}

void
ssync_zip_stream_new_async (SsyncShare          *share,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_zip_stream_new_async);
  g_task_set_task_data (task, g_object_ref (share), g_object_unref);
  g_task_run_in_thread (task, prepare_thread);
}

SsyncZipStream *
ssync_zip_stream_new_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The exact length of the archive in bytes. */
guint64
ssync_zip_stream_get_size (SsyncZipStream *self)
{
  return self->size;
}
