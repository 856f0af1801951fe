/* ssync-nearby-view.h: the window's Nearby page: the LocalSend devices and other ShareSyncs
 * on the network, each a drop target to send files to.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-session.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_NEARBY_VIEW (ssync_nearby_view_get_type ())

G_DECLARE_FINAL_TYPE (SsyncNearbyView, ssync_nearby_view, SSYNC, NEARBY_VIEW, AdwBin)

SsyncNearbyView *ssync_nearby_view_new              (SsyncSession    *session);
void             ssync_nearby_view_start            (SsyncNearbyView *self);
const char      *ssync_nearby_view_get_state        (SsyncNearbyView *self);
GtkWidget       *ssync_nearby_view_find_row         (SsyncNearbyView *self,
                                                     const char      *fingerprint);

G_END_DECLS
