/* ssync-ws-limit.h: a WebSocket's incoming stream that limits whole messages.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_WS_LIMIT (ssync_ws_limit_get_type ())

G_DECLARE_FINAL_TYPE (SsyncWsLimit, ssync_ws_limit, SSYNC, WS_LIMIT, GInputStream)

/* Called once, from inside a read, when a message passes the limit. */
typedef void (*SsyncWsLimitFunc) (gpointer user_data);

GIOStream *ssync_ws_limit_wrap (GIOStream        *base,
                                guint64           max_message_size,
                                SsyncWsLimitFunc  too_big,
                                gpointer          user_data,
                                GDestroyNotify    destroy);

G_END_DECLS
