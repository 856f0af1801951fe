/* ssync-lan.h: the addresses other machines on the LAN can reach us at.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GStrv ssync_lan_list_ipv4 (void);

G_END_DECLS
