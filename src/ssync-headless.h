/* ssync-headless.h: the face without a display.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int ssync_headless_run (int    argc,
                        char **argv);

G_END_DECLS
