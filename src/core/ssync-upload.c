/* ssync-upload.c: the file side of a resumable upload.
 *
 * Bytes go to "NAME.part" beside where the file will end up; nothing appears under the
 * final name until every byte is there and on disk: completion fsyncs the .part, links it
 * to the first free name and removes the .part (ssync-upload-place.c finds the folders and
 * names without following links). The SHA-256 is computed while the bytes arrive (GnuTLS,
 * about 2 GB/s here), so completion needs no second read.
 *
 * Every file operation runs on a worker thread and takes the upload's lock, so a deletion
 * waits for a write in flight instead of racing it. Each chunk is written and hashed by two
 * worker threads at once (hashing costs as much as the write; tests/bench/bench-uploads.py),
 * and a caller may queue several chunks, so neither waits for the other between chunks,
 * and sync_file_range() starts the write-back of every chunk right away, so the fsync at the
 * end has little left to wait for.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssync-error.h"
#include "ssync-filename.h"
#include "ssync-token.h"
#include "ssync-upload.h"
#include "ssync-upload-private.h"

struct _SsyncUpload
{
  GObject parent_instance;

  GMutex lock;
  GMutex hash_lock;
  gboolean hash_valid;  /* FALSE once a write failed half-way: rehash at completion */
  GMutex queue_lock;    /* guards the queues below */
  GQueue write_queue;   /* of Chunk, for the writer */
  GQueue hash_queue;    /* of the same Chunks, for the hasher */
  gboolean writer_running;
  gboolean hasher_running;
  guint queued_chunks;  /* chunks not done yet */
  guint failures;        /* writes that failed, */
  guint failures_heard;  /* and how many of them the caller heard of (under lock) */
  guint64 queued_end;   /* where the next chunk goes */
  char *id;
  char *path;        /* relative to the receive folder, sanitised, '/' separated */
  char *root;        /* the receive folder */
  char *name;        /* the wanted final name */
  char *part_name;   /* "NAME.part", in the file's folder */
  GPtrArray *made;   /* folders this upload created, relative to root, outermost first */
  int dir_fd;        /* the file's folder, opened without following any link below root */
  int fd;
  guint64 length;
  guint64 offset;    /* bytes safely written */
  gnutls_hash_hd_t hash;
  char *sha256;
  char *expected_sha256;  /* lower-case hex the file must have, or NULL */
  char *saved_as;
  gboolean complete;
};

G_DEFINE_FINAL_TYPE (SsyncUpload, ssync_upload, G_TYPE_OBJECT)

static void
ssync_upload_finalize (GObject *object)
{
  SsyncUpload *self = SSYNC_UPLOAD (object);

  if (self->fd >= 0)
    close (self->fd);
  if (self->dir_fd >= 0)
    close (self->dir_fd);
  if (self->hash != NULL)
    gnutls_hash_deinit (self->hash, NULL);
  g_clear_pointer (&self->made, g_ptr_array_unref);
  g_free (self->id);
  g_free (self->path);
  g_free (self->root);
  g_free (self->name);
  g_free (self->part_name);
  g_free (self->sha256);
  g_free (self->expected_sha256);
  g_free (self->saved_as);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->hash_lock);
  g_mutex_clear (&self->queue_lock);

  G_OBJECT_CLASS (ssync_upload_parent_class)->finalize (object);
}

static void
ssync_upload_class_init (SsyncUploadClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ssync_upload_finalize;
}

static void
ssync_upload_init (SsyncUpload *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->hash_lock);
  g_mutex_init (&self->queue_lock);
  self->hash_valid = TRUE;
  self->fd = -1;
  self->dir_fd = -1;
  self->made = g_ptr_array_new_with_free_func (g_free);
  self->id = ssync_token_new ();
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SsyncUpload *self = task_data;
  GError *error = NULL;

  self->dir_fd = ssync_upload_open_folder (self->root, self->path, self->made, &error);
  if (self->dir_fd >= 0)
    self->fd = ssync_upload_create_part (self->dir_fd, self->name, &self->part_name, &error);

  if (self->fd < 0)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Creates the .part file for an upload of @length bytes named by @relative_path (from
 * the browser; it is sanitised) inside @folder. */
void
ssync_upload_new_async (GFile               *folder,
                        const char          *relative_path,
                        guint64              length,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(SsyncUpload) self = g_object_new (SSYNC_TYPE_UPLOAD, NULL);
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ssync_upload_new_async);
  g_task_set_task_data (task, g_object_ref (self), g_object_unref);

  self->path = ssync_filename_sanitize_path (relative_path, &self->name, &error);
  if (self->path == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  self->root = g_file_get_path (folder);
  self->length = length;
  gnutls_hash_init (&self->hash, GNUTLS_DIG_SHA256);
  g_task_run_in_thread (task, create_thread);
}

SsyncUpload *
ssync_upload_new_finish (GAsyncResult  *result,
                         GError       **error)
{
  GTask *task = G_TASK (result);

  if (!g_task_propagate_boolean (task, error))
    return NULL;
  return g_object_ref (g_task_get_source_object (task));
}

/* Takes up an upload that an earlier run of ShareSync began (the history store lists it):
 * its .part @part_name, in the folder of @relative_path inside @folder, is opened again and
 * the upload goes on from the bytes it holds. The SHA-256 of what arrived so far is not
 * known, so completion reads the whole file back. This blocks on the disk: call it from a
 * worker thread. */
SsyncUpload *
ssync_upload_reopen (GFile       *folder,
                     const char  *id,
                     const char  *relative_path,
                     const char  *part_name,
                     guint64      length,
                     GError     **error)
{
  g_autoptr(SsyncUpload) self = g_object_new (SSYNC_TYPE_UPLOAD, NULL);
  struct stat st;

  g_return_val_if_fail (G_IS_FILE (folder), NULL);
  g_return_val_if_fail (id != NULL && relative_path != NULL && part_name != NULL, NULL);

  g_free (self->id);
  self->id = g_strdup (id);
  self->path = ssync_filename_sanitize_path (relative_path, &self->name, error);
  if (self->path == NULL)
    return NULL;
  self->root = g_file_get_path (folder);
  self->length = length;
  self->hash_valid = FALSE;
  gnutls_hash_init (&self->hash, GNUTLS_DIG_SHA256);

  /* The name comes from our own store, but it must still be a plain .part name. */
  if (strchr (part_name, '/') != NULL || !g_str_has_suffix (part_name, ".part") ||
      part_name[0] == '.')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("The unfinished upload of %s has no valid partial file"), self->name);
      return NULL;
    }

  self->dir_fd = ssync_upload_open_folder (self->root, self->path, self->made, error);
  if (self->dir_fd < 0)
    return NULL;
  /* Folders that already held the .part were not made now: nothing to remove later. */
  g_ptr_array_set_size (self->made, 0);
  self->fd = openat (self->dir_fd, part_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (self->fd < 0)
    {
      int errsv = errno;

      g_propagate_error (error,
                         ssync_upload_io_error (errsv, g_strdup_printf (_("Cannot resume %s"),
                                                                        self->name)));
      return NULL;
    }
  if (fstat (self->fd, &st) != 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size > length)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Cannot resume %s: its partial file is not what was received"),
                   self->name);
      return NULL;
    }

  self->offset = st.st_size;
  self->part_name = g_strdup (part_name);
  return g_steal_pointer (&self);
}

/* Names the upload in its URL; unguessable, like share tokens. */
const char *
ssync_upload_get_id (SsyncUpload *self)
{
  return self->id;
}

/* The sanitised path inside the receive folder the browser asked for. */
const char *
ssync_upload_get_path (SsyncUpload *self)
{
  return self->path;
}

guint64
ssync_upload_get_length (SsyncUpload *self)
{
  return self->length;
}

guint64
ssync_upload_get_offset (SsyncUpload *self)
{
  guint64 offset;

  g_mutex_lock (&self->lock);
  offset = self->offset;
  g_mutex_unlock (&self->lock);
  return offset;
}

gboolean
ssync_upload_is_complete (SsyncUpload *self)
{
  return self->complete;
}

/* The SHA-256 (hex) of the received file, once complete. */
const char *
ssync_upload_get_sha256 (SsyncUpload *self)
{
  return self->sha256;
}

/* Makes completion check that the file's SHA-256 is @hex (any case; %NULL for no check)
 * before the file gets its name: a damaged file is never visible under it, and its .part
 * goes with ssync_upload_delete_async(). Call it before ssync_upload_complete_async(). */
void
ssync_upload_set_expected_sha256 (SsyncUpload *self,
                                  const char  *hex)
{
  g_return_if_fail (SSYNC_IS_UPLOAD (self));

  g_mutex_lock (&self->lock);
  g_free (self->expected_sha256);
  self->expected_sha256 = hex != NULL ? g_ascii_strdown (hex, -1) : NULL;
  g_mutex_unlock (&self->lock);
}

/* The name the file was saved under (after " (1)" for a clash), once complete. */
const char *
ssync_upload_get_saved_as (SsyncUpload *self)
{
  return self->saved_as;
}

/* The .part's name in the file's folder, once created. */
const char *
ssync_upload_get_part_name (SsyncUpload *self)
{
  return self->part_name;
}

/* One chunk on its way to the .part: written by the upload's writer and hashed by its
 * hasher, each taking chunks in the order they came; done when both have. */
typedef struct {
  GTask *outer;
  GBytes *data;
  guint64 start;     /* where it goes: the end of the chunk before it */
  guint heard;       /* failures the caller had heard of when it queued this chunk */
  gint pending;      /* atomic: the write and the hash */
  GError *error;     /* the write's, set before its part is done */
} Chunk;

static void
chunk_part_done (Chunk *chunk)
{
  SsyncUpload *self = g_task_get_source_object (chunk->outer);

  if (!g_atomic_int_dec_and_test (&chunk->pending))
    return;
  g_mutex_lock (&self->queue_lock);
  self->queued_chunks--;
  g_mutex_unlock (&self->queue_lock);
  if (chunk->error != NULL)
    g_task_return_error (chunk->outer, g_steal_pointer (&chunk->error));
  else
    g_task_return_boolean (chunk->outer, TRUE);
  g_object_unref (chunk->outer);
  g_bytes_unref (chunk->data);
  g_free (chunk);
}

/* Writes @chunk at its place; returns why not. A chunk queued before the caller heard of a
 * failed one (behind it, or after it but before its callback) is refused: nothing is ever
 * spliced past a gap. */
static GError *
write_chunk (SsyncUpload *self,
             Chunk       *chunk)
{
  gsize len;
  const guint8 *bytes = g_bytes_get_data (chunk->data, &len);
  gsize done = 0;

  g_mutex_lock (&self->lock);

  if (self->fd < 0 || self->failures != chunk->heard || self->offset != chunk->start ||
      self->offset + len > self->length)
    {
      if (self->failures == chunk->heard)
        self->failures++;
      g_mutex_unlock (&self->lock);
      return g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED, _("The upload of %s is over"),
                          self->name);
    }

  while (done < len)
    {
      ssize_t n = pwrite (self->fd, bytes + done, len - done, self->offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int errsv = n < 0 ? errno : ENOSPC;

          /* What did get written counts: the .part stays consistent with the offset, but
           * the running hash (of whole chunks) no longer matches it. */
          self->offset += done;
          self->hash_valid = FALSE;
          self->failures++;
          g_mutex_unlock (&self->lock);
          return ssync_upload_io_error (errsv, g_strdup_printf (_("Receiving %s failed"),
                                                                self->name));
        }
      done += n;
    }

#ifdef HAVE_SYNC_FILE_RANGE
  sync_file_range (self->fd, self->offset, len, SYNC_FILE_RANGE_WRITE);
#endif
  self->offset += len;
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* The writer and the hasher: each drains its queue on a worker thread, started when a chunk
 * finds the queue idle, so a caller may queue the next chunks while one is on its way (the
 * disk, the hash and the network then all work at once). */
static void
drain_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SsyncUpload *self = source_object;
  gboolean writer = GPOINTER_TO_INT (task_data);
  GQueue *queue = writer ? &self->write_queue : &self->hash_queue;

  for (;;)
    {
      Chunk *chunk;

      g_mutex_lock (&self->queue_lock);
      chunk = g_queue_pop_head (queue);
      if (chunk == NULL)
        {
          if (writer)
            self->writer_running = FALSE;
          else
            self->hasher_running = FALSE;
          g_mutex_unlock (&self->queue_lock);
          break;
        }
      g_mutex_unlock (&self->queue_lock);

      if (writer)
        chunk->error = write_chunk (self, chunk);
      else
        {
          gsize len;
          const guint8 *bytes = g_bytes_get_data (chunk->data, &len);

          g_mutex_lock (&self->hash_lock);
          if (self->hash != NULL)
            gnutls_hash (self->hash, bytes, len);
          g_mutex_unlock (&self->hash_lock);
        }
      chunk_part_done (chunk);
    }
  g_task_return_boolean (task, TRUE);
}

static void
start_drain (SsyncUpload *self,
             gboolean     writer)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_task_set_task_data (task, GINT_TO_POINTER (writer), NULL);
  g_task_run_in_thread (task, drain_thread);
}

/* Appends @data after what was written and what is queued. Several writes may be in flight:
 * they are written and hashed in the order they were made, and complete in that order. */
void
ssync_upload_write_async (SsyncUpload         *self,
                          GBytes              *data,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Chunk *chunk = g_new0 (Chunk, 1);
  gboolean start_writer, start_hasher;

  chunk->outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (chunk->outer, ssync_upload_write_async);
  chunk->data = g_bytes_ref (data);
  chunk->pending = 2;

  g_mutex_lock (&self->queue_lock);
  if (self->queued_chunks == 0)
    self->queued_end = ssync_upload_get_offset (self);
  chunk->start = self->queued_end;
  g_mutex_lock (&self->lock);
  chunk->heard = self->failures_heard;
  g_mutex_unlock (&self->lock);
  self->queued_end += g_bytes_get_size (data);
  self->queued_chunks++;
  g_queue_push_tail (&self->write_queue, chunk);
  g_queue_push_tail (&self->hash_queue, chunk);
  start_writer = !self->writer_running;
  start_hasher = !self->hasher_running;
  self->writer_running = self->hasher_running = TRUE;
  g_mutex_unlock (&self->queue_lock);

  if (start_writer)
    start_drain (self, TRUE);
  if (start_hasher)
    start_drain (self, FALSE);
}

/* A failed write is heard of here: writes made after this go on from the offset again (a
 * tus client resumes from there). */
gboolean
ssync_upload_write_finish (SsyncUpload   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  if (g_task_propagate_boolean (G_TASK (result), error))
    return TRUE;
  g_mutex_lock (&self->lock);
  self->failures_heard = self->failures;
  g_mutex_unlock (&self->lock);
  return FALSE;
}

/* After a failed write the hash of whole chunks is off: start it again from the file
 * (opened read-write for this). */
static gboolean
rehash (SsyncUpload *self)
{
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  guint64 at = 0;
  ssize_t n;

  gnutls_hash_deinit (self->hash, NULL);
  gnutls_hash_init (&self->hash, GNUTLS_DIG_SHA256);
  while ((n = pread (self->fd, buffer, 1024 * 1024, at)) > 0 ||
         (n < 0 && errno == EINTR))
    {
      if (n < 0)
        continue;
      gnutls_hash (self->hash, buffer, n);
      at += n;
    }
  return n == 0 && at == self->length;
}

/* Fails @task with @error after releasing the lock. */
static void
complete_fail (SsyncUpload *self,
               GTask       *task,
               GError      *error)
{
  g_mutex_unlock (&self->lock);
  g_task_return_error (task, error);
}

static void
complete_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  SsyncUpload *self = source_object;
  GError *error = NULL;
  guint8 digest[32];
  char hex[65];

  g_mutex_lock (&self->lock);

  /* An empty file completes at creation, and its (empty) PATCH may ask again. */
  if (self->complete)
    {
      g_mutex_unlock (&self->lock);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (self->offset != self->length || self->fd < 0)
    {
      complete_fail (self, task, g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                              _("%s is not complete"), self->name));
      return;
    }

  if (fsync (self->fd) != 0)
    {
      int errsv = errno;

      complete_fail (self, task,
                     ssync_upload_io_error (errsv, g_strdup_printf (_("Saving %s failed"),
                                                                    self->name)));
      return;
    }

  if (!self->hash_valid && !rehash (self))
    {
      complete_fail (self, task,
                     g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                  _("Saving %s failed: it could not be read back"), self->name));
      return;
    }
  if (self->sha256 == NULL)
    {
      g_mutex_lock (&self->hash_lock);
      gnutls_hash_deinit (self->hash, digest);
      self->hash = NULL;
      g_mutex_unlock (&self->hash_lock);
      for (guint i = 0; i < sizeof digest; i++)
        g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
      self->sha256 = g_strdup (hex);
    }
  /* Checked before the link: a damaged file must never appear under its name, even for
   * the moment a check after it would take. */
  if (self->expected_sha256 != NULL && strcmp (self->sha256, self->expected_sha256) != 0)
    {
      complete_fail (self, task,
                     g_error_new (SSYNC_ERROR, SSYNC_ERROR_CHANGED,
                                  _("%s arrived damaged: its SHA-256 is not the one announced"),
                                  self->path));
      return;
    }
  close (self->fd);
  self->fd = -1;

  self->saved_as = ssync_upload_link_free_name (self->dir_fd, self->part_name, self->name,
                                                &error);
  if (self->saved_as == NULL)
    {
      complete_fail (self, task, error);
      return;
    }
  unlinkat (self->dir_fd, self->part_name, 0);
  self->complete = TRUE;

  g_mutex_unlock (&self->lock);
  g_task_return_boolean (task, TRUE);
}

/* Once every byte arrived: makes the file durable and gives it its final name. */
void
ssync_upload_complete_async (SsyncUpload         *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_upload_complete_async);
  g_task_run_in_thread (task, complete_thread);
}

gboolean
ssync_upload_complete_finish (SsyncUpload   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SsyncUpload *self = source_object;

  g_mutex_lock (&self->lock);
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  if (!self->complete && self->part_name != NULL && self->dir_fd >= 0)
    {
      unlinkat (self->dir_fd, self->part_name, 0);
      ssync_upload_remove_folders (self->root, self->made);
    }
  g_mutex_unlock (&self->lock);

  g_task_return_boolean (task, TRUE);
}

/* Terminates the upload: the .part goes away (a completed file stays). */
void
ssync_upload_delete_async (SsyncUpload         *self,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ssync_upload_delete_async);
  g_task_run_in_thread (task, delete_thread);
}

gboolean
ssync_upload_delete_finish (SsyncUpload   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
