/* ssync-rtc-receiver.c: a file arriving over a data channel, written like a tus upload.
 *
 * The bytes go through SsyncUpload (core): "NAME.part", fsynced and linked to the first
 * free name only when every byte is there and its SHA-256 matches what the sender
 * announced. SsyncUpload only knows the SHA-256 after naming the file, so the receiver
 * hashes the bytes itself as they arrive (GLib's SHA-256 keeps up with a data channel many
 * times over). Chunks that arrive while the .part is being created or written are
 * queued and written together, at most WRITE_SIZE at a time. A transfer that ends any
 * other way deletes its .part: unlike tus, a data channel cannot resume, and nothing
 * incomplete may be left looking like a file.
 *
 * "ready" is emitted once the .part exists (or with a message when it cannot be created):
 * that is the receive share's answer to an upload offer.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-rtc-receiver.h"
#include "ssync-upload.h"

#define WRITE_SIZE (1024 * 1024)

struct _SsyncRtcReceiver
{
  GObject parent_instance;

  char *name;
  guint64 size;
  guint64 received;
  SsyncUpload *upload;    /* NULL until the .part exists */
  GQueue queue;           /* GBytes received, not yet written */
  gboolean writing;
  gboolean aborted;
  GError *error;          /* the first failure */
  GTask *task;            /* finish, waiting for the writes */
  char *expected;
  GChecksum *checksum;
  char *sha256;
  GPtrArray *abort_tasks;  /* GTask: aborts waiting for the .part to go */
};

G_DEFINE_FINAL_TYPE (SsyncRtcReceiver, ssync_rtc_receiver, G_TYPE_OBJECT)

enum {
  READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_rtc_receiver_dispose (GObject *object)
{
  SsyncRtcReceiver *self = SSYNC_RTC_RECEIVER (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) g_bytes_unref);
  g_clear_object (&self->upload);
  g_clear_pointer (&self->abort_tasks, g_ptr_array_unref);

  G_OBJECT_CLASS (ssync_rtc_receiver_parent_class)->dispose (object);
}

static void
ssync_rtc_receiver_finalize (GObject *object)
{
  SsyncRtcReceiver *self = SSYNC_RTC_RECEIVER (object);

  g_free (self->name);
  g_free (self->expected);
  g_free (self->sha256);
  g_checksum_free (self->checksum);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ssync_rtc_receiver_parent_class)->finalize (object);
}

static void
ssync_rtc_receiver_class_init (SsyncRtcReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_rtc_receiver_dispose;
  object_class->finalize = ssync_rtc_receiver_finalize;

  /**
   * SsyncRtcReceiver::ready:
   * @error_message: NULL when the .part was created, else why not
   */
  signals[READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ssync_rtc_receiver_init (SsyncRtcReceiver *self)
{
  g_queue_init (&self->queue);
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
}

static void
set_error (SsyncRtcReceiver *self,
           GError           *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
}

static void
on_part_deleted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SsyncRtcReceiver) self = user_data;
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->abort_tasks);

  ssync_upload_delete_finish (SSYNC_UPLOAD (source), result, NULL);
  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
}

/* Deletes the .part, if there is one; the aborts waiting for it return then. */
static void
delete_part (SsyncRtcReceiver *self)
{
  if (self->upload != NULL && !ssync_upload_is_complete (self->upload))
    ssync_upload_delete_async (self->upload, on_part_deleted, g_object_ref (self));
  else if (self->upload != NULL || self->error != NULL)
    {
      g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->abort_tasks);

      for (guint i = 0; tasks != NULL && i < tasks->len; i++)
        g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
    }
}

static void on_completed (GObject *source, GAsyncResult *result, gpointer user_data);

/* Once every byte is written: completes the upload (fsync, link) when all is well. */
static void
maybe_complete (SsyncRtcReceiver *self)
{
  if (self->task == NULL || self->writing || (self->upload == NULL && self->error == NULL) ||
      !g_queue_is_empty (&self->queue))
    return;

  if (self->error == NULL && self->received != self->size)
    set_error (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_CHANGED,
                                  _("%s arrived incomplete"), self->name));

  if (self->sha256 == NULL)
    self->sha256 = g_strdup (g_checksum_get_string (self->checksum));
  if (self->error == NULL && self->expected != NULL &&
      g_strcmp0 (self->sha256, self->expected) != 0)
    set_error (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_CHANGED,
                                  _("%s arrived damaged: its SHA-256 does not match"),
                                  self->name));

  if (self->error != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);

      delete_part (self);
      g_task_return_error (task, g_error_copy (self->error));
      return;
    }

  ssync_upload_complete_async (self->upload, g_task_get_cancellable (self->task), on_completed,
                               g_object_ref (self));
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SsyncRtcReceiver) self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  GError *error = NULL;

  if (!ssync_upload_complete_finish (self->upload, result, &error))
    {
      delete_part (self);
      g_task_return_error (task, error);
    }
  else
    {
      g_task_return_boolean (task, TRUE);
      delete_part (self);
    }
}

static void write_queued (SsyncRtcReceiver *self);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SsyncRtcReceiver) self = user_data;
  GError *error = NULL;

  self->writing = FALSE;
  if (!ssync_upload_write_finish (self->upload, result, &error))
    {
      set_error (self, error);
      g_queue_clear_full (&self->queue, (GDestroyNotify) g_bytes_unref);
    }
  write_queued (self);
  maybe_complete (self);
}

/* Writes what is queued, up to WRITE_SIZE in one piece. */
static void
write_queued (SsyncRtcReceiver *self)
{
  g_autoptr(GByteArray) joined = NULL;
  g_autoptr(GBytes) piece = NULL;

  if (self->writing || self->upload == NULL || self->error != NULL || self->aborted ||
      g_queue_is_empty (&self->queue))
    return;

  if (g_queue_get_length (&self->queue) == 1)
    piece = g_queue_pop_head (&self->queue);
  else
    {
      joined = g_byte_array_sized_new (WRITE_SIZE);
      while (!g_queue_is_empty (&self->queue) && joined->len < WRITE_SIZE)
        {
          g_autoptr(GBytes) chunk = g_queue_pop_head (&self->queue);
          gsize n;
          const guint8 *data = g_bytes_get_data (chunk, &n);

          g_byte_array_append (joined, data, n);
        }
      piece = g_byte_array_free_to_bytes (g_steal_pointer (&joined));
    }

  self->writing = TRUE;
  ssync_upload_write_async (self->upload, piece, NULL, on_written, g_object_ref (self));
}

/* The file cannot be taken (@error, taken): "ready" says why, and a finish returns it. */
static void
refuse (SsyncRtcReceiver *self,
        GError           *error)
{
  g_autofree char *message = g_strdup (error->message);

  set_error (self, error);
  g_queue_clear_full (&self->queue, (GDestroyNotify) g_bytes_unref);
  delete_part (self);
  if (!self->aborted)
    g_signal_emit (self, signals[READY], 0, message);
  maybe_complete (self);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SsyncRtcReceiver) self = user_data;
  g_autoptr(SsyncUpload) upload = NULL;
  GError *error = NULL;

  upload = ssync_upload_new_finish (result, &error);
  if (upload == NULL)
    {
      refuse (self, error);
      return;
    }

  self->upload = g_steal_pointer (&upload);
  if (self->aborted)
    {
      delete_part (self);
      return;
    }
  g_signal_emit (self, signals[READY], 0, NULL);
  write_queued (self);
  maybe_complete (self);
}

typedef struct {
  SsyncRtcReceiver *self;
  GFile *folder;
  char *relative_path;
} Creation;

static void
creation_free (Creation *creation)
{
  g_object_unref (creation->self);
  g_object_unref (creation->folder);
  g_free (creation->relative_path);
  g_free (creation);
}

static void
on_space_known (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Creation *creation = user_data;
  SsyncRtcReceiver *self = creation->self;
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info_finish (G_FILE (source), result,
                                                                   NULL);

  /* Refused before a byte is written, like a tus upload (507); when the free space cannot
   * be told, writing will say. */
  if (info != NULL &&
      g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE) &&
      g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE) < self->size)
    {
      g_autofree char *needed = g_format_size (self->size);
      g_autofree char *free_space = g_format_size (
        g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE));
      g_autofree char *message = g_strdup_printf (_("Not enough free space for %s: it needs "
                                                    "%s, %s are free"),
                                                  self->name, needed, free_space);

      refuse (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NO_SPACE, message));
      creation_free (creation);
      return;
    }

  ssync_upload_new_async (creation->folder, creation->relative_path, self->size, NULL,
                          on_created, g_object_ref (self));
  creation_free (creation);
}

/* Checks the free space, then creates "@relative_path.part" (sanitised, as for a browser's
 * upload) inside @folder, for a file of @size bytes. */
SsyncRtcReceiver *
ssync_rtc_receiver_new (GFile      *folder,
                        const char *relative_path,
                        guint64     size)
{
  SsyncRtcReceiver *self = g_object_new (SSYNC_TYPE_RTC_RECEIVER, NULL);
  const char *slash = strrchr (relative_path, '/');
  Creation *creation = g_new0 (Creation, 1);

  self->name = g_strdup (slash != NULL ? slash + 1 : relative_path);
  self->size = size;
  creation->self = g_object_ref (self);
  creation->folder = g_object_ref (folder);
  creation->relative_path = g_strdup (relative_path);
  g_file_query_filesystem_info_async (folder, G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                      G_PRIORITY_DEFAULT, NULL, on_space_known, creation);
  return self;
}

/* Queues @chunk for writing; FALSE when the file is already over its announced size or
 * writing failed (the transfer should stop). */
gboolean
ssync_rtc_receiver_push (SsyncRtcReceiver  *self,
                         GBytes            *chunk,
                         GError           **error)
{
  g_return_val_if_fail (SSYNC_IS_RTC_RECEIVER (self), FALSE);

  if (self->error == NULL && self->received + g_bytes_get_size (chunk) > self->size)
    set_error (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                                  _("%s is larger than announced"), self->name));
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  self->received += g_bytes_get_size (chunk);
  g_checksum_update (self->checksum, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_queue_push_tail (&self->queue, g_bytes_ref (chunk));
  write_queued (self);
  return TRUE;
}

guint64
ssync_rtc_receiver_get_received (SsyncRtcReceiver *self)
{
  return self->received;
}

/* The sender said "end": once every byte is on disk, checks the size and @sha256 (the
 * sender's; NULL to skip), then fsyncs and names the file. */
void
ssync_rtc_receiver_finish_async (SsyncRtcReceiver    *self,
                                 const char          *sha256,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SSYNC_IS_RTC_RECEIVER (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, ssync_rtc_receiver_finish_async);
  g_free (self->expected);
  self->expected = g_strdup (sha256);
  maybe_complete (self);
}

gboolean
ssync_rtc_receiver_finish_finish (SsyncRtcReceiver  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The SHA-256 of what arrived, once finish ran. */
const char *
ssync_rtc_receiver_get_sha256 (SsyncRtcReceiver *self)
{
  return self->sha256;
}

const char *
ssync_rtc_receiver_get_saved_as (SsyncRtcReceiver *self)
{
  return self->upload != NULL ? ssync_upload_get_saved_as (self->upload) : NULL;
}

/* The transfer ended early: nothing more is written and the .part is deleted (once a write
 * in flight is done; SsyncUpload's lock orders them). Returns once it is gone. */
void
ssync_rtc_receiver_abort_async (SsyncRtcReceiver    *self,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SSYNC_IS_RTC_RECEIVER (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ssync_rtc_receiver_abort_async);
  if (self->upload != NULL && ssync_upload_is_complete (self->upload))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  if (self->abort_tasks == NULL)
    self->abort_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->abort_tasks, task);
  if (self->aborted)
    return;

  self->aborted = TRUE;
  g_queue_clear_full (&self->queue, (GDestroyNotify) g_bytes_unref);
  /* A finish in flight deletes the .part itself when it fails; one that succeeds keeps
   * the file, which is then complete. Before the .part exists, on_created deletes it. */
  if (self->task == NULL && self->upload != NULL)
    delete_part (self);
}

gboolean
ssync_rtc_receiver_abort_finish (SsyncRtcReceiver  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
