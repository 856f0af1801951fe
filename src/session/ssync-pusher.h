/* ssync-pusher.h: pushes shares to the S3 bucket, records them and deletes them again.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-credentials.h"
#include "ssync-history.h"
#include "ssync-s3-client.h"
#include "ssync-share.h"

G_BEGIN_DECLS

/* Links live one day unless asked otherwise. */
#define SSYNC_PUSH_DEFAULT_LIFETIME (24 * 60 * 60)

#define SSYNC_TYPE_PUSHER (ssync_pusher_get_type ())

G_DECLARE_FINAL_TYPE (SsyncPusher, ssync_pusher, SSYNC, PUSHER, GObject)

SsyncPusher         *ssync_pusher_new                (SsyncHistory         *history);
const SsyncS3Config *ssync_pusher_get_config         (SsyncPusher          *self);
void                 ssync_pusher_set_config         (SsyncPusher          *self,
                                                      const SsyncS3Config  *config);
SsyncS3Config       *ssync_pusher_load_config        (void);
gint64               ssync_pusher_clamp_lifetime     (gint64                wish_seconds,
                                                      char                **message);
void                 ssync_pusher_store_secret_async (SsyncPusher          *self,
                                                      const char           *secret_key,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean             ssync_pusher_store_secret_finish (SsyncPusher         *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void                 ssync_pusher_push_async         (SsyncPusher          *self,
                                                      SsyncShare           *share,
                                                      gint64                lifetime_seconds,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean             ssync_pusher_push_finish        (SsyncPusher          *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void                 ssync_pusher_create_bucket_async  (SsyncPusher         *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean             ssync_pusher_create_bucket_finish (SsyncPusher         *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                 ssync_pusher_delete_async       (SsyncPusher          *self,
                                                      const char           *share_id,
                                                      gint64                expired_before,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean             ssync_pusher_delete_finish      (SsyncPusher          *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
