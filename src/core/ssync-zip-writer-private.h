/* ssync-zip-writer-private.h: the zip records (ssync-zip-records.c) that the streaming writer
 * (ssync-zip-writer.c) emits and measures.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  /* The local header carries a ZIP64 extra field and the data descriptor 8-byte sizes. */
  gboolean local_zip64;
  /* The central record's sizes and offset are in its ZIP64 extra field. */
  gboolean central_zip64;
} SsyncZipEntryPlan;

typedef struct {
  char *name;
  gsize name_len;
  gboolean is_dir;
  guint64 size;
  guint32 crc;
  guint64 local_offset;
  guint16 dos_time;
  guint16 dos_date;
  gint64 mtime;
  SsyncZipEntryPlan plan;
} SsyncZipEntry;

void     ssync_zip_plan_entry            (guint64                  local_offset,
                                          guint64                  size,
                                          gboolean                 is_dir,
                                          SsyncZipEntryPlan       *plan);
gsize    ssync_zip_local_header_size     (gsize                    name_len,
                                          const SsyncZipEntryPlan *plan);
gsize    ssync_zip_data_descriptor_size  (gboolean                 is_dir,
                                          const SsyncZipEntryPlan *plan);
gsize    ssync_zip_central_record_size   (gsize                    name_len,
                                          const SsyncZipEntryPlan *plan);
gsize    ssync_zip_end_records_size      (guint64                  n_entries,
                                          guint64                  cd_offset,
                                          guint64                  cd_size);
gsize    ssync_zip_entry_name_len        (const char              *path,
                                          gboolean                 is_dir,
                                          gsize                   *path_len_out);
gboolean ssync_zip_path_is_valid         (const char              *path,
                                          gboolean                 is_dir);

void     ssync_zip_entry_init            (SsyncZipEntry           *entry,
                                          const char              *path,
                                          gboolean                 is_dir,
                                          guint64                  size,
                                          gint64                   mtime,
                                          guint64                  local_offset);
void     ssync_zip_entry_clear           (SsyncZipEntry           *entry);

GBytes  *ssync_zip_encode_local_header   (const SsyncZipEntry     *entry);
GBytes  *ssync_zip_encode_data_descriptor (const SsyncZipEntry    *entry);
void     ssync_zip_append_central_record (GByteArray              *buf,
                                          const SsyncZipEntry     *entry);
void     ssync_zip_append_end_records    (GByteArray              *buf,
                                          guint64                  n_entries,
                                          guint64                  cd_offset,
                                          guint64                  cd_size);

G_END_DECLS
