/* ssync-file-range-stream.c: reads @length bytes of a file from @offset with pread(), so
 * that several parts of one file can be sent at once from one descriptor. libsoup reads a
 * request body 8 KiB at a time; asynchronous reads are served from a 1 MiB buffer that a
 * worker thread refills, so the disk is never read on the main loop and there is one thread
 * hop per MiB instead of one per 8 KiB (memory: one buffer per part in flight).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ssync-file-range-stream.h"

#define BUFFER_SIZE (1024 * 1024)

struct _SsyncFileRangeStream
{
  GInputStream parent_instance;

  int fd;  /* a dup() of the caller's, closed with the stream */
  goffset offset;
  goffset length;
  goffset position;   /* of the next byte handed out */
  guchar *buffer;     /* bytes from position on, for asynchronous reads */
  gsize buffered;
  gsize buffer_start;
};

G_DEFINE_FINAL_TYPE (SsyncFileRangeStream, ssync_file_range_stream, G_TYPE_INPUT_STREAM)

static gsize take_buffered (SsyncFileRangeStream *self,
                            void                 *buffer,
                            gsize                 count);

static gssize
ssync_file_range_stream_read (GInputStream  *stream,
                              void          *buffer,
                              gsize          count,
                              GCancellable  *cancellable,
                              GError       **error)
{
  SsyncFileRangeStream *self = SSYNC_FILE_RANGE_STREAM (stream);
  gsize wanted = MIN (count, (gsize) (self->length - self->position));
  gssize n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (self->buffered > 0)
    return take_buffered (self, buffer, count);
  if (wanted == 0)
    return 0;

  do
    n = pread (self->fd, buffer, wanted, self->offset + self->position);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      int errsv = errno;

      g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv), g_strerror (errsv));
      return -1;
    }
  /* A file that shrank under us must not look like a shorter, complete part. */
  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                           "The file became shorter while it was being sent");
      return -1;
    }

  self->position += n;
  return n;
}

typedef struct {
  void *buffer;
  gsize count;
} ReadRequest;

static gsize
take_buffered (SsyncFileRangeStream *self,
               void                 *buffer,
               gsize                 count)
{
  gsize n = MIN (count, self->buffered);

  memcpy (buffer, self->buffer + self->buffer_start, n);
  self->buffer_start += n;
  self->buffered -= n;
  self->position += n;
  return n;
}

/* Runs on a worker thread while the stream is pending, so nothing else touches it. */
static void
refill_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SsyncFileRangeStream *self = source_object;
  ReadRequest *request = task_data;
  gsize wanted = MIN (BUFFER_SIZE, (gsize) (self->length - self->position));
  gssize n;

  if (self->buffer == NULL)
    self->buffer = g_malloc (BUFFER_SIZE);
  do
    n = pread (self->fd, self->buffer, wanted, self->offset + self->position);
  while (n < 0 && errno == EINTR);

  if (n <= 0)
    {
      int errsv = n < 0 ? errno : EIO;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv), "%s",
                               n < 0 ? g_strerror (errsv)
                                     : "The file became shorter while it was being sent");
      return;
    }
  self->buffer_start = 0;
  self->buffered = n;
  g_task_return_int (task, take_buffered (self, request->buffer, request->count));
}

static void
ssync_file_range_stream_read_async (GInputStream        *stream,
                                    void                *buffer,
                                    gsize                count,
                                    int                  io_priority,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  SsyncFileRangeStream *self = SSYNC_FILE_RANGE_STREAM (stream);
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  ReadRequest *request;

  g_task_set_priority (task, io_priority);
  if (self->buffered > 0 || self->position == self->length || count == 0)
    {
      g_task_return_int (task, take_buffered (self, buffer, count));
      return;
    }

  request = g_new0 (ReadRequest, 1);
  request->buffer = buffer;
  request->count = count;
  g_task_set_task_data (task, request, g_free);
  g_task_run_in_thread (task, refill_thread);
}

static gssize
ssync_file_range_stream_read_finish (GInputStream  *stream,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
ssync_file_range_stream_close (GInputStream  *stream,
                               GCancellable  *cancellable,
                               GError       **error)
{
  SsyncFileRangeStream *self = SSYNC_FILE_RANGE_STREAM (stream);

  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  return TRUE;
}

static void
ssync_file_range_stream_finalize (GObject *object)
{
  SsyncFileRangeStream *self = SSYNC_FILE_RANGE_STREAM (object);

  if (self->fd >= 0)
    close (self->fd);
  g_free (self->buffer);

  G_OBJECT_CLASS (ssync_file_range_stream_parent_class)->finalize (object);
}

static void
ssync_file_range_stream_class_init (SsyncFileRangeStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = ssync_file_range_stream_finalize;
  stream_class->read_fn = ssync_file_range_stream_read;
  stream_class->read_async = ssync_file_range_stream_read_async;
  stream_class->read_finish = ssync_file_range_stream_read_finish;
  stream_class->close_fn = ssync_file_range_stream_close;
}

static void
ssync_file_range_stream_init (SsyncFileRangeStream *self)
{
  self->fd = -1;
}

/* @fd is duplicated: the caller keeps its own. */
GInputStream *
ssync_file_range_stream_new (int     fd,
                             goffset offset,
                             goffset length)
{
  SsyncFileRangeStream *self = g_object_new (SSYNC_TYPE_FILE_RANGE_STREAM, NULL);

  self->fd = dup (fd);
  self->offset = offset;
  self->length = length;
  return G_INPUT_STREAM (self);
}
