/* ssync-file-range-stream.c: reads @length bytes of a file from @offset with pread(), so
 * that several parts of one file can be sent at once from one descriptor, each holding no
 * more than the few kilobytes libsoup asks for at a time. Reads run on GIO's worker threads
 * (the default read_async of GInputStream), never on the main loop.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "ssync-file-range-stream.h"

struct _SsyncFileRangeStream
{
  GInputStream parent_instance;

  int fd;  /* a dup() of the caller's, closed with the stream */
  goffset offset;
  goffset length;
  goffset position;
};

G_DEFINE_FINAL_TYPE (SsyncFileRangeStream, ssync_file_range_stream, G_TYPE_INPUT_STREAM)

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

  G_OBJECT_CLASS (ssync_file_range_stream_parent_class)->finalize (object);
}

static void
ssync_file_range_stream_class_init (SsyncFileRangeStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = ssync_file_range_stream_finalize;
  stream_class->read_fn = ssync_file_range_stream_read;
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
