/* ssync-file-entry.h: one regular file inside a share.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-types.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_FILE_ENTRY (ssync_file_entry_get_type ())

G_DECLARE_FINAL_TYPE (SsyncFileEntry, ssync_file_entry, SSYNC, FILE_ENTRY, GObject)

SsyncFileEntry *ssync_file_entry_new           (const char *id,
                                                GFile      *file,
                                                const char *relative_path,
                                                guint64     size,
                                                gint64      mtime);
const char     *ssync_file_entry_get_id        (SsyncFileEntry *self);
GFile          *ssync_file_entry_get_file      (SsyncFileEntry *self);
const char     *ssync_file_entry_get_path      (SsyncFileEntry *self);
const char     *ssync_file_entry_get_name      (SsyncFileEntry *self);
guint64         ssync_file_entry_get_size      (SsyncFileEntry *self);
gint64          ssync_file_entry_get_mtime     (SsyncFileEntry *self);
void            ssync_file_entry_set_digests   (SsyncFileEntry *self,
                                                guint64         size,
                                                gint64          mtime,
                                                const char     *sha256,
                                                guint32         crc32);
char           *ssync_file_entry_dup_sha256    (SsyncFileEntry *self);
gboolean        ssync_file_entry_lookup_crc32  (SsyncFileEntry *self,
                                                guint64         size,
                                                gint64          mtime,
                                                guint32        *crc32);

G_END_DECLS
