/* ssync-zip-writer.c: a streaming zip encoder (stored entries, data descriptors, ZIP64).
 *
 * The writer keeps the state of one archive: where it is, the entry being streamed and the
 * central directory so far. What each record holds and how long it is lives in
 * ssync-zip-records.c, which ssync_zip_archive_size() also uses to predict the archive's length.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>

/* GLib has no CRC-32 (GChecksum offers only cryptographic hashes). The CRC is the only
 * work done per byte of a zip, and libdeflate's (carry-less multiplication, about 15 GB/s
 * here) is more than twice zlib 1.2's: with zlib the zip stream ran at half the speed of
 * a plain download (tests/bench/bench-downloads.py). */
#include <libdeflate.h>

#include "ssync-zip-writer.h"
#include "ssync-zip-writer-private.h"

typedef enum {
  STATE_IDLE,
  STATE_IN_FILE,
  STATE_FAILED,
  STATE_FINISHED,
} WriterState;

struct _SsyncZipWriter {
  WriterState state;
  guint64 offset;

  /* Central directory records, appended as each entry completes: the only state that grows,
   * by one record per entry and never with the data. */
  GByteArray *central;
  guint64 n_entries;

  SsyncZipEntry current;
  guint64 received;
  guint32 running_crc;
  gboolean crc_known;  /* set_known_crc(): update() only counts */
};

/**
 * ssync_zip_writer_new:
 *
 * Creates a writer for one archive. Feed it entries in order, send every #GBytes it returns
 * (and, between ssync_zip_writer_begin_file() and ssync_zip_writer_end_file(), the file data
 * itself) in the order produced, and finish with ssync_zip_writer_finish().
 *
 * Returns: (transfer full): a new writer
 */
SsyncZipWriter *
ssync_zip_writer_new (void)
{
  SsyncZipWriter *self = g_new0 (SsyncZipWriter, 1);

  self->state = STATE_IDLE;
  self->central = g_byte_array_new ();

  return self;
}

void
ssync_zip_writer_free (SsyncZipWriter *self)
{
  if (self == NULL)
    return;

  ssync_zip_entry_clear (&self->current);
  g_clear_pointer (&self->central, g_byte_array_unref);
  g_free (self);
}

/**
 * ssync_zip_writer_add_directory:
 * @path: UTF-8, '/' separated, relative; a trailing '/' is optional
 * @mtime: modification time in seconds since the epoch
 *
 * Adds an entry for a directory, so that empty directories survive the trip.
 *
 * Returns: (transfer full): the bytes to send next
 */
GBytes *
ssync_zip_writer_add_directory (SsyncZipWriter *self,
                                const char     *path,
                                gint64          mtime)
{
  SsyncZipEntry entry = { 0, };
  GBytes *header;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == STATE_IDLE, NULL);
  g_return_val_if_fail (ssync_zip_path_is_valid (path, TRUE), NULL);

  ssync_zip_entry_init (&entry, path, TRUE, 0, mtime, self->offset);
  header = ssync_zip_encode_local_header (&entry);
  ssync_zip_append_central_record (self->central, &entry);
  self->n_entries++;
  self->offset += g_bytes_get_size (header);
  ssync_zip_entry_clear (&entry);

  return header;
}

/**
 * ssync_zip_writer_begin_file:
 * @path: UTF-8, '/' separated, relative, without a trailing '/'
 * @size: the exact number of bytes that will be passed to ssync_zip_writer_update()
 * @mtime: modification time in seconds since the epoch
 *
 * Starts a file entry. The size must be known up front: it decides whether the entry needs
 * ZIP64 and lets ssync_zip_archive_size() predict the archive's length.
 *
 * Returns: (transfer full): the local header, to send before the file's data
 */
GBytes *
ssync_zip_writer_begin_file (SsyncZipWriter *self,
                             const char     *path,
                             guint64         size,
                             gint64          mtime)
{
  GBytes *header;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == STATE_IDLE, NULL);
  g_return_val_if_fail (ssync_zip_path_is_valid (path, FALSE), NULL);

  ssync_zip_entry_init (&self->current, path, FALSE, size, mtime, self->offset);
  header = ssync_zip_encode_local_header (&self->current);
  self->offset += g_bytes_get_size (header);
  self->received = 0;
  self->running_crc = 0;
  self->crc_known = FALSE;
  self->state = STATE_IN_FILE;

  return header;
}

/**
 * ssync_zip_writer_update:
 * @data: (array length=len): the next bytes of the file, which the caller sends as they are
 * @len: their length
 *
 * Accounts for file data: the archive stores it unchanged, so the writer only needs its CRC
 * and its length, and produces nothing here.
 */
void
ssync_zip_writer_update (SsyncZipWriter *self,
                         const guint8   *data,
                         gsize           len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->state == STATE_IN_FILE);
  g_return_if_fail (data != NULL || len == 0);

  self->received += len;
  self->offset += len;

  if (!self->crc_known)
    self->running_crc = libdeflate_crc32 (self->running_crc, data, len);
}

/**
 * ssync_zip_writer_set_known_crc:
 * @crc: the CRC-32 of the whole file being written
 *
 * Tells the writer the CRC-32 of the file begun last, computed earlier (when the share was
 * hashed), so that update() has no per-byte work left. Call it right after begin_file().
 */
void
ssync_zip_writer_set_known_crc (SsyncZipWriter *self,
                                guint32         crc)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->state == STATE_IN_FILE && self->received == 0);

  self->crc_known = TRUE;
  self->running_crc = crc;
}

/**
 * ssync_zip_writer_end_file:
 * @error: set when the data did not have the size announced in begin_file
 *
 * Ends the current file entry. If the file changed while it was being read, the archive can
 * no longer match the length announced for it; the writer is then unusable and the caller
 * should abort the transfer rather than send a corrupt archive.
 *
 * Returns: (transfer full): the data descriptor to send after the file's data, or %NULL
 */
GBytes *
ssync_zip_writer_end_file (SsyncZipWriter *self,
                           GError        **error)
{
  GBytes *descriptor;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == STATE_IN_FILE, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->received != self->current.size)
    {
      g_autofree char *expected = g_strdup_printf ("%" G_GUINT64_FORMAT, self->current.size);
      g_autofree char *got = g_strdup_printf ("%" G_GUINT64_FORMAT, self->received);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* Translators: the first %s is a file name, the others are byte counts. */
                   ngettext ("%s changed while it was being sent (expected %s byte, got %s)",
                             "%s changed while it was being sent (expected %s bytes, got %s)",
                             (unsigned long) MIN (self->current.size, G_MAXULONG)),
                   self->current.name, expected, got);
      ssync_zip_entry_clear (&self->current);
      self->state = STATE_FAILED;
      return NULL;
    }

  self->current.crc = (guint32) self->running_crc;
  descriptor = ssync_zip_encode_data_descriptor (&self->current);
  ssync_zip_append_central_record (self->central, &self->current);
  self->n_entries++;
  self->offset += g_bytes_get_size (descriptor);
  ssync_zip_entry_clear (&self->current);
  self->state = STATE_IDLE;

  return descriptor;
}

/**
 * ssync_zip_writer_finish:
 *
 * Ends the archive.
 *
 * Returns: (transfer full): the central directory and end records, the last bytes to send
 */
GBytes *
ssync_zip_writer_finish (SsyncZipWriter *self)
{
  g_autoptr(GByteArray) buf = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == STATE_IDLE, NULL);

  buf = g_steal_pointer (&self->central);
  self->central = g_byte_array_new ();
  ssync_zip_append_end_records (buf, self->n_entries, self->offset, buf->len);

  self->offset += buf->len;
  self->state = STATE_FINISHED;

  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/**
 * ssync_zip_writer_get_offset:
 *
 * Returns: the length of the archive so far: every byte returned by the writer plus the file
 *   data passed to ssync_zip_writer_update()
 */
guint64
ssync_zip_writer_get_offset (SsyncZipWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->offset;
}

/**
 * ssync_zip_archive_size:
 * @items: (array length=n_items): the entries, in the order they will be written
 * @n_items: their number
 *
 * Predicts the exact length of the archive a writer produces for @items, to announce it as
 * the Content-Length before streaming.
 *
 * Returns: the archive's length in bytes
 */
guint64
ssync_zip_archive_size (const SsyncZipItem *items,
                        gsize               n_items)
{
  guint64 offset = 0;
  guint64 cd_size = 0;

  g_return_val_if_fail (items != NULL || n_items == 0, 0);

  for (gsize i = 0; i < n_items; i++)
    {
      const SsyncZipItem *item = &items[i];
      guint64 size = item->is_dir ? 0 : item->size;
      gsize name_len = ssync_zip_entry_name_len (item->path, item->is_dir, NULL);
      SsyncZipEntryPlan plan;

      ssync_zip_plan_entry (offset, size, item->is_dir, &plan);
      offset += ssync_zip_local_header_size (name_len, &plan) + size
                + ssync_zip_data_descriptor_size (item->is_dir, &plan);
      cd_size += ssync_zip_central_record_size (name_len, &plan);
    }

  return offset + cd_size + ssync_zip_end_records_size (n_items, offset, cd_size);
}
