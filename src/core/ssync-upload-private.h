/* ssync-upload-private.h: where an upload's bytes land (ssync-upload-place.c), shared with the
 * upload itself (ssync-upload.c).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GError *ssync_upload_io_error          (int          errsv,
                                        char        *what);
int     ssync_upload_open_folder       (const char  *root,
                                        const char  *path,
                                        GPtrArray   *made,
                                        GError     **error);
void    ssync_upload_remove_folders    (const char  *root,
                                        GPtrArray   *made);
int     ssync_upload_create_part       (int          dir_fd,
                                        const char  *name,
                                        char       **part_name,
                                        GError     **error);
char   *ssync_upload_link_free_name    (int          dir_fd,
                                        const char  *part_name,
                                        const char  *name,
                                        GError     **error);

G_END_DECLS
