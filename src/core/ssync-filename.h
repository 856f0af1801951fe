/* ssync-filename.h: file names crossing HTTP: Content-Disposition and sanitising.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ssync_content_disposition (const char *filename);
char *ssync_filename_sanitize   (const char *name);

G_END_DECLS
