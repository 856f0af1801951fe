/* ssync-transfer.h: one download or upload in flight or finished.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-types.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_TRANSFER (ssync_transfer_get_type ())

G_DECLARE_FINAL_TYPE (SsyncTransfer, ssync_transfer, SSYNC, TRANSFER, GObject)

SsyncTransfer       *ssync_transfer_new            (const char        *share_id,
                                                    const char        *share_name,
                                                    const char        *file_name,
                                                    SsyncDirection     direction,
                                                    SsyncTransferKind  kind,
                                                    const char        *peer_address,
                                                    const char        *user_agent,
                                                    guint64            total);
const char          *ssync_transfer_get_id         (SsyncTransfer *self);
const char          *ssync_transfer_get_share_id   (SsyncTransfer *self);
const char          *ssync_transfer_get_share_name (SsyncTransfer *self);
const char          *ssync_transfer_get_file_name  (SsyncTransfer *self);
SsyncDirection       ssync_transfer_get_direction  (SsyncTransfer *self);
SsyncTransferKind    ssync_transfer_get_kind       (SsyncTransfer *self);
const char          *ssync_transfer_get_peer       (SsyncTransfer *self);
const char          *ssync_transfer_get_user_agent (SsyncTransfer *self);
gint64               ssync_transfer_get_started    (SsyncTransfer *self);
gint64               ssync_transfer_get_finished   (SsyncTransfer *self);
guint64              ssync_transfer_get_bytes      (SsyncTransfer *self);
guint64              ssync_transfer_get_total      (SsyncTransfer *self);
guint64              ssync_transfer_get_offset     (SsyncTransfer *self);
void                 ssync_transfer_set_offset     (SsyncTransfer *self,
                                                    guint64        offset);
SsyncTransferStatus  ssync_transfer_get_status     (SsyncTransfer *self);
const char          *ssync_transfer_get_message    (SsyncTransfer *self);
void                 ssync_transfer_add_bytes      (SsyncTransfer *self,
                                                    guint64        n);
void                 ssync_transfer_set_result     (SsyncTransfer *self,
                                                    const char    *sha256,
                                                    const char    *saved_as);
const char          *ssync_transfer_get_sha256     (SsyncTransfer *self);
const char          *ssync_transfer_get_saved_as   (SsyncTransfer *self);
GCancellable        *ssync_transfer_get_cancellable (SsyncTransfer *self);
void                 ssync_transfer_finish         (SsyncTransfer       *self,
                                                    SsyncTransferStatus  status,
                                                    const char          *message);

G_END_DECLS
