/* ssync-rtc-ice.h: the TURN relay's URI, its password added in memory only.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ssync_rtc_turn_uri (const char *server,
                          const char *username,
                          const char *password,
                          gboolean   *dropped_credentials);

G_END_DECLS
