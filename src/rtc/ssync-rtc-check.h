/* ssync-rtc-check.h: whether this machine has what direct transfers need.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ssync_rtc_check_plugins (const char  *hidden_plugin,
                                  GError     **error);

G_END_DECLS
