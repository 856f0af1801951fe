/* ssync-file-range-stream.h: an input stream over one byte range of a file.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_FILE_RANGE_STREAM (ssync_file_range_stream_get_type ())

G_DECLARE_FINAL_TYPE (SsyncFileRangeStream, ssync_file_range_stream, SSYNC, FILE_RANGE_STREAM,
                      GInputStream)

GInputStream *ssync_file_range_stream_new (int     fd,
                                           goffset offset,
                                           goffset length);

G_END_DECLS
