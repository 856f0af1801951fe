/* ssync-listener.h: the listening socket of a SoupServer, with the limits it lacks.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_LISTENER (ssync_listener_get_type ())

G_DECLARE_FINAL_TYPE (SsyncListener, ssync_listener, SSYNC, LISTENER, GObject)

SsyncListener *ssync_listener_new                 (SoupServer        *server);
void           ssync_listener_set_max_connections (SsyncListener     *self,
                                                   guint              max_connections);
void           ssync_listener_set_max_per_address (SsyncListener     *self,
                                                   guint              max_per_address);
void           ssync_listener_set_idle_timeout    (SsyncListener     *self,
                                                   guint              seconds);
void           ssync_listener_set_header_timeout  (SsyncListener     *self,
                                                   guint              seconds);
void           ssync_listener_set_tls             (SsyncListener     *self,
                                                   gboolean           tls);
gboolean       ssync_listener_listen              (SsyncListener     *self,
                                                   const char        *address,
                                                   guint              port,
                                                   GError           **error);
guint          ssync_listener_get_port            (SsyncListener     *self);
guint          ssync_listener_get_n_connections   (SsyncListener     *self);
gboolean       ssync_listener_is_over_capacity    (SoupServerMessage *msg);
gboolean       ssync_listener_is_uri_too_long     (SoupServerMessage *msg);
void           ssync_listener_stop                (SsyncListener     *self);

G_END_DECLS
