/* ssync-tus.h: tus 1.0 resumable uploads into receive shares.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-history.h"
#include "ssync-share.h"
#include "ssync-transfer.h"
#include "ssync-upload-request.h"
#include "ssync-upload.h"

G_BEGIN_DECLS

#define SSYNC_TUS_VERSION "1.0.0"

#define SSYNC_TYPE_TUS (ssync_tus_get_type ())

G_DECLARE_FINAL_TYPE (SsyncTus, ssync_tus, SSYNC, TUS, GObject)

typedef SsyncTransfer *(*SsyncTusBeginTransfer) (SoupServerMessage *msg,
                                                 SsyncShare        *share,
                                                 const char        *path,
                                                 guint64            offset,
                                                 guint64            length,
                                                 gpointer           user_data);

SsyncTus *ssync_tus_new              (SsyncTusBeginTransfer  begin_transfer,
                                      gpointer               user_data);
void      ssync_tus_set_gate         (SsyncTus              *self,
                                      SsyncUploadGate        gate,
                                      gpointer               user_data);
void      ssync_tus_set_max_size     (SsyncTus              *self,
                                      guint64                max_size);
guint64   ssync_tus_get_max_size     (SsyncTus              *self);
void      ssync_tus_set_expiry       (SsyncTus              *self,
                                      guint                  seconds);
void      ssync_tus_handle_early     (SsyncTus              *self,
                                      SoupServerMessage     *msg,
                                      SsyncShare            *share,
                                      const char            *upload_id);
void      ssync_tus_handle           (SsyncTus              *self,
                                      SoupServerMessage     *msg,
                                      SsyncShare            *share,
                                      const char            *upload_id);
void      ssync_tus_cancel_share     (SsyncTus              *self,
                                      SsyncShare            *share);
void      ssync_tus_set_history      (SsyncTus              *self,
                                      SsyncHistory          *history);
void      ssync_tus_restore          (SsyncTus              *self,
                                      SsyncShare            *share,
                                      SsyncUpload           *upload,
                                      const char            *metadata,
                                      gint64                 expires);

G_END_DECLS
