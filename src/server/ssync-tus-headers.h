/* ssync-tus-headers.h: parsing the tus 1.0 request headers that carry numbers and metadata.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest Upload-Metadata header accepted: file name, relative path and type fit many
 * times over; unfinished uploads keep it in memory. */
#define SSYNC_TUS_MAX_METADATA 4096

gboolean    ssync_tus_parse_size     (const char  *text,
                                      guint64     *out);
GHashTable *ssync_tus_parse_metadata (const char  *header,
                                      GError     **error);

G_END_DECLS
