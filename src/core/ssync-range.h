/* ssync-range.h: HTTP Range and If-Range (RFC 9110 section 14) for one representation.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SSYNC_RANGE_FULL,
  SSYNC_RANGE_PARTIAL,
  SSYNC_RANGE_UNSATISFIABLE,
} SsyncRangeResult;

SsyncRangeResult ssync_range_parse          (const char *header,
                                             guint64     size,
                                             guint64    *start,
                                             guint64    *end);
gboolean         ssync_range_if_range_holds (const char *if_range,
                                             const char *etag,
                                             const char *last_modified);

G_END_DECLS
