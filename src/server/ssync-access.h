/* ssync-access.h: who may use a share: state, passwords, rate limits, the owner.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-share.h"

G_BEGIN_DECLS

typedef enum {
  SSYNC_RATE_UNLOCK,
  SSYNC_RATE_UPLOAD_CREATE,
  SSYNC_RATE_API,
  SSYNC_N_RATES
} SsyncRate;

#define SSYNC_TYPE_ACCESS (ssync_access_get_type ())

G_DECLARE_FINAL_TYPE (SsyncAccess, ssync_access, SSYNC, ACCESS, GObject)

SsyncAccess *ssync_access_new             (void);
gboolean     ssync_access_check           (SsyncAccess       *self,
                                           SoupServerMessage *msg,
                                           SsyncShare        *share);
gboolean     ssync_access_allows          (SsyncAccess       *self,
                                           SsyncShare        *share,
                                           const char        *cookie_header);
gboolean     ssync_access_check_state     (SoupServerMessage *msg,
                                           SsyncShareState    state);
const char  *ssync_access_ended_reason    (SsyncShareState    state);
gboolean     ssync_access_take            (SsyncAccess       *self,
                                           SoupServerMessage *msg,
                                           SsyncRate          rate);
void         ssync_access_handle_unlock   (SsyncAccess       *self,
                                           SoupServerMessage *msg,
                                           SsyncShare        *share,
                                           const char        *page);
void         ssync_access_set_session_lifetime (SsyncAccess *self,
                                                guint        seconds);
void         ssync_access_set_owner_token (SsyncAccess       *self,
                                           const char        *token);
gboolean     ssync_access_check_owner     (SsyncAccess       *self,
                                           SoupServerMessage *msg);

G_END_DECLS
