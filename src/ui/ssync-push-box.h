/* ssync-push-box.h: a share's copies in the S3 bucket: push progress and their links.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-alert.h"

#include "ssync-session.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_PUSH_BOX (ssync_push_box_get_type ())

G_DECLARE_FINAL_TYPE (SsyncPushBox, ssync_push_box, SSYNC, PUSH_BOX, AdwBin)

SsyncPushBox *ssync_push_box_new           (SsyncSession *session);
void          ssync_push_box_set_share     (SsyncPushBox *self,
                                            SsyncShare   *share);
void          ssync_push_box_push          (SsyncPushBox *self);
void          ssync_push_box_delete        (SsyncPushBox *self);
GListModel   *ssync_push_box_get_links     (SsyncPushBox *self);

G_END_DECLS
