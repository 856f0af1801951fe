/* ssync-registry.h: the live shares, as a GListModel, found by their link token.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-share.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_REGISTRY (ssync_registry_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRegistry, ssync_registry, SSYNC, REGISTRY, GObject)

SsyncRegistry *ssync_registry_new          (void);
void           ssync_registry_add          (SsyncRegistry *self,
                                            SsyncShare    *share);
gboolean       ssync_registry_remove       (SsyncRegistry *self,
                                            SsyncShare    *share);
SsyncShare    *ssync_registry_lookup_token (SsyncRegistry *self,
                                            const char    *token);
gboolean       ssync_registry_token_is_gone (SsyncRegistry *self,
                                            const char    *token);
SsyncShareState ssync_registry_token_gone_state (SsyncRegistry *self,
                                                 const char    *token);
SsyncShare    *ssync_registry_lookup_id    (SsyncRegistry *self,
                                            const char    *id);

G_END_DECLS
