/* ssync-zip-stream.h: a share read as a zip archive, produced on the fly.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-share.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_ZIP_STREAM (ssync_zip_stream_get_type ())

G_DECLARE_FINAL_TYPE (SsyncZipStream, ssync_zip_stream, SSYNC, ZIP_STREAM, GInputStream)

void            ssync_zip_stream_new_async  (SsyncShare           *share,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
SsyncZipStream *ssync_zip_stream_new_finish (GAsyncResult         *result,
                                             GError              **error);
guint64         ssync_zip_stream_get_size   (SsyncZipStream       *self);

G_END_DECLS
