/* ssync-file-entry.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <string.h>

#include "ssync-file-entry.h"

struct _SsyncFileEntry
{
  GObject parent_instance;

  char *id;
  GFile *file;
  char *path;
  guint64 size;
  gint64 mtime;
};

G_DEFINE_FINAL_TYPE (SsyncFileEntry, ssync_file_entry, G_TYPE_OBJECT)

static void
ssync_file_entry_dispose (GObject *object)
{
  SsyncFileEntry *self = SSYNC_FILE_ENTRY (object);

  g_clear_object (&self->file);

  G_OBJECT_CLASS (ssync_file_entry_parent_class)->dispose (object);
}

static void
ssync_file_entry_finalize (GObject *object)
{
  SsyncFileEntry *self = SSYNC_FILE_ENTRY (object);

  g_free (self->id);
  g_free (self->path);

  G_OBJECT_CLASS (ssync_file_entry_parent_class)->finalize (object);
}

static void
ssync_file_entry_class_init (SsyncFileEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_file_entry_dispose;
  object_class->finalize = ssync_file_entry_finalize;
}

static void
ssync_file_entry_init (SsyncFileEntry *self)
{
}

/* @relative_path is the UTF-8 path inside the share with '/' separators ("photos/a.jpg");
 * it names the file in the zip and its last component is the download name. */
SsyncFileEntry *
ssync_file_entry_new (const char *id,
                      GFile      *file,
                      const char *relative_path,
                      guint64     size,
                      gint64      mtime)
{
  SsyncFileEntry *self = g_object_new (SSYNC_TYPE_FILE_ENTRY, NULL);

  self->id = g_strdup (id);
  self->file = g_object_ref (file);
  self->path = g_strdup (relative_path);
  self->size = size;
  self->mtime = mtime;

  return self;
}

const char *
ssync_file_entry_get_id (SsyncFileEntry *self)
{
  g_return_val_if_fail (SSYNC_IS_FILE_ENTRY (self), NULL);
  return self->id;
}

GFile *
ssync_file_entry_get_file (SsyncFileEntry *self)
{
  g_return_val_if_fail (SSYNC_IS_FILE_ENTRY (self), NULL);
  return self->file;
}

const char *
ssync_file_entry_get_path (SsyncFileEntry *self)
{
  g_return_val_if_fail (SSYNC_IS_FILE_ENTRY (self), NULL);
  return self->path;
}

const char *
ssync_file_entry_get_name (SsyncFileEntry *self)
{
  const char *slash;

  g_return_val_if_fail (SSYNC_IS_FILE_ENTRY (self), NULL);

  slash = strrchr (self->path, '/');
  return slash != NULL ? slash + 1 : self->path;
}

guint64
ssync_file_entry_get_size (SsyncFileEntry *self)
{
  g_return_val_if_fail (SSYNC_IS_FILE_ENTRY (self), 0);
  return self->size;
}

/* Seconds since the epoch. */
gint64
ssync_file_entry_get_mtime (SsyncFileEntry *self)
{
  g_return_val_if_fail (SSYNC_IS_FILE_ENTRY (self), 0);
  return self->mtime;
}
