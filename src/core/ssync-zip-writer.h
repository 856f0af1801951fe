/* ssync-zip-writer.h: a streaming zip encoder (stored entries, data descriptors, ZIP64).
 *
 * It does no I/O: each call returns the bytes to send next, so a server can stream an
 * archive of any size without a temporary file.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SsyncZipWriter SsyncZipWriter;

typedef struct {
  const char *path;   /* UTF-8, '/' separated; a directory's path ends without '/' */
  guint64 size;       /* 0 for directories */
  gboolean is_dir;
} SsyncZipItem;

SsyncZipWriter *ssync_zip_writer_new           (void);
void            ssync_zip_writer_free          (SsyncZipWriter *self);
GBytes         *ssync_zip_writer_add_directory (SsyncZipWriter *self,
                                                const char     *path,
                                                gint64          mtime);
GBytes         *ssync_zip_writer_begin_file    (SsyncZipWriter *self,
                                                const char     *path,
                                                guint64         size,
                                                gint64          mtime);
void            ssync_zip_writer_update        (SsyncZipWriter *self,
                                                const guint8   *data,
                                                gsize           len);
void            ssync_zip_writer_set_known_crc (SsyncZipWriter *self,
                                                guint32         crc);
GBytes         *ssync_zip_writer_end_file      (SsyncZipWriter *self,
                                                GError        **error);
GBytes         *ssync_zip_writer_finish        (SsyncZipWriter *self);
guint64         ssync_zip_writer_get_offset    (SsyncZipWriter *self);
guint64         ssync_zip_archive_size         (const SsyncZipItem *items,
                                                gsize               n_items);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncZipWriter, ssync_zip_writer_free)

G_END_DECLS
