/* ssync-rtc-check.h: whether this machine has what direct transfers need.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ssync_rtc_check_plugins_full      (const char  *hidden_plugin,
                                            GError     **error);
void     ssync_rtc_check_set_hidden_plugin (const char  *hidden_plugin);
gboolean ssync_rtc_check_plugins           (GError     **error);

G_END_DECLS
