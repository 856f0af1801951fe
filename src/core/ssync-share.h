/* ssync-share.h: a set of files and folders offered under one link.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-file-entry.h"
#include "ssync-types.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_SHARE (ssync_share_get_type ())

G_DECLARE_FINAL_TYPE (SsyncShare, ssync_share, SSYNC, SHARE, GObject)

void            ssync_share_new_async         (GFile               **files,
                                               guint                 n_files,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
SsyncShare     *ssync_share_new_finish        (GAsyncResult         *result,
                                               GError              **error);
SsyncShare     *ssync_share_new_receive       (GFile      *folder,
                                               const char *token);
GFile          *ssync_share_get_folder        (SsyncShare *self);
GPtrArray      *ssync_share_get_sources       (SsyncShare *self);
const char     *ssync_share_get_id            (SsyncShare *self);
const char     *ssync_share_get_token         (SsyncShare *self);
const char     *ssync_share_get_name          (SsyncShare *self);
SsyncShareKind  ssync_share_get_kind          (SsyncShare *self);
gint64          ssync_share_get_created       (SsyncShare *self);
guint64         ssync_share_get_total_size    (SsyncShare *self);
guint           ssync_share_get_n_files       (SsyncShare *self);
SsyncFileEntry *ssync_share_get_file          (SsyncShare *self,
                                               guint       index);
SsyncFileEntry *ssync_share_lookup_file       (SsyncShare *self,
                                               const char *file_id);
GPtrArray      *ssync_share_get_directories   (SsyncShare *self);
guint           ssync_share_get_downloads     (SsyncShare *self);
void            ssync_share_set_password_hash (SsyncShare *self,
                                               const char *password_hash);
const char     *ssync_share_get_password_hash (SsyncShare *self);
void            ssync_share_set_expires       (SsyncShare *self,
                                               gint64      expires);
gint64          ssync_share_get_expires       (SsyncShare *self);
void            ssync_share_set_max_downloads (SsyncShare *self,
                                               guint       max_downloads);
guint           ssync_share_get_max_downloads (SsyncShare *self);
void            ssync_share_revoke            (SsyncShare *self);
SsyncShareState ssync_share_get_state         (SsyncShare *self,
                                               gint64      now);
void            ssync_share_add_download      (SsyncShare *self);
gboolean        ssync_share_reserve_download  (SsyncShare *self);
void            ssync_share_end_download      (SsyncShare *self,
                                               gboolean    completed);
void            ssync_share_note_started      (SsyncShare *self,
                                               const char *address,
                                               const char *file_id);
gboolean        ssync_share_has_started       (SsyncShare *self,
                                               const char *address,
                                               const char *file_id);

G_END_DECLS
