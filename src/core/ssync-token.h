/* ssync-token.h: unguessable tokens for share links.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SSYNC_TOKEN_BYTES 16

char     *ssync_token_new   (void);
gboolean  ssync_token_equal (const char *a,
                             const char *b);

G_END_DECLS
