/* ssync-upload.h: one resumable upload into a receive folder (tus 1.0 on the server side).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_UPLOAD (ssync_upload_get_type ())

G_DECLARE_FINAL_TYPE (SsyncUpload, ssync_upload, SSYNC, UPLOAD, GObject)

void         ssync_upload_new_async        (GFile               *folder,
                                            const char          *relative_path,
                                            guint64              length,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
SsyncUpload *ssync_upload_new_finish       (GAsyncResult        *result,
                                            GError             **error);
SsyncUpload *ssync_upload_reopen           (GFile               *folder,
                                            const char          *id,
                                            const char          *relative_path,
                                            const char          *part_name,
                                            guint64              length,
                                            GError             **error);
const char  *ssync_upload_get_id           (SsyncUpload *self);
const char  *ssync_upload_get_path         (SsyncUpload *self);
guint64      ssync_upload_get_length       (SsyncUpload *self);
guint64      ssync_upload_get_offset       (SsyncUpload *self);
gboolean     ssync_upload_is_complete      (SsyncUpload *self);
const char  *ssync_upload_get_sha256       (SsyncUpload *self);
void         ssync_upload_set_expected_sha256 (SsyncUpload *self,
                                               const char  *hex);
const char  *ssync_upload_get_saved_as     (SsyncUpload *self);
const char  *ssync_upload_get_part_name    (SsyncUpload *self);
void         ssync_upload_write_async      (SsyncUpload         *self,
                                            GBytes              *data,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     ssync_upload_write_finish     (SsyncUpload         *self,
                                            GAsyncResult        *result,
                                            GError             **error);
void         ssync_upload_complete_async   (SsyncUpload         *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     ssync_upload_complete_finish  (SsyncUpload         *self,
                                            GAsyncResult        *result,
                                            GError             **error);
void         ssync_upload_delete_async     (SsyncUpload         *self,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     ssync_upload_delete_finish    (SsyncUpload         *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
