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

  /* Set by the hashing thread, read by the server's threads. */
  GMutex digest_lock;
  gboolean hashed;
  guint64 hashed_size;
  gint64 hashed_mtime;
  char *sha256;
  guint32 crc32;
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
  g_free (self->sha256);
  g_mutex_clear (&self->digest_lock);

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
  g_mutex_init (&self->digest_lock);
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

/* Records the digests of the file's bytes as they were when it had @size and @mtime. */
void
ssync_file_entry_set_digests (SsyncFileEntry *self,
                              guint64         size,
                              gint64          mtime,
                              const char     *sha256,
                              guint32         crc32)
{
  g_return_if_fail (SSYNC_IS_FILE_ENTRY (self));

  g_mutex_lock (&self->digest_lock);
  self->hashed = TRUE;
  self->hashed_size = size;
  self->hashed_mtime = mtime;
  g_free (self->sha256);
  self->sha256 = g_strdup (sha256);
  self->crc32 = crc32;
  g_mutex_unlock (&self->digest_lock);
}

/* The SHA-256 (hex) of the file as listed (its size and time when shared), or NULL while
 * it is not known or the file changed since. */
char *
ssync_file_entry_dup_sha256 (SsyncFileEntry *self)
{
  char *sha256 = NULL;

  g_return_val_if_fail (SSYNC_IS_FILE_ENTRY (self), NULL);

  g_mutex_lock (&self->digest_lock);
  if (self->hashed && self->hashed_size == self->size && self->hashed_mtime == self->mtime)
    sha256 = g_strdup (self->sha256);
  g_mutex_unlock (&self->digest_lock);

  return sha256;
}

/* The CRC-32 of the file when it still has @size and @mtime (the same validators as the
 * download's ETag), so a zip need not compute it again. */
gboolean
ssync_file_entry_lookup_crc32 (SsyncFileEntry *self,
                               guint64         size,
                               gint64          mtime,
                               guint32        *crc32)
{
  gboolean known;

  g_return_val_if_fail (SSYNC_IS_FILE_ENTRY (self), FALSE);

  g_mutex_lock (&self->digest_lock);
  known = self->hashed && self->hashed_size == size && self->hashed_mtime == mtime;
  if (known)
    *crc32 = self->crc32;
  g_mutex_unlock (&self->digest_lock);

  return known;
}
