/* ssync-filename.h: file names crossing HTTP: Content-Disposition and sanitising.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ssync_content_disposition (const char *filename);
char *ssync_filename_sanitize   (const char *name);
char *ssync_filename_sanitize_path (const char  *relative_path,
                                    char       **name,
                                    GError     **error);

/* How deep and long a path from a browser may be (folders and file name together). */
#define SSYNC_FILENAME_MAX_DEPTH 32
#define SSYNC_FILENAME_MAX_PATH 4096

G_END_DECLS
