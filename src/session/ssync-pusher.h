/* ssync-pusher.h: pushes shares to the S3 bucket, records them and deletes them again.
 *
 * Its settings are the s3-* properties of the session's SsyncConfig and its secret key is
 * SsyncSecrets' (SSYNC_SECRET_S3): both are followed, so a changed setting or a re-entered
 * secret applies to the next push. Errors are SSYNC_ERROR codes (SSYNC_ERROR_NO_BUCKET: the
 * bucket can be created with ssync_pusher_create_bucket_async()).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-config.h"
#include "ssync-history.h"
#include "ssync-secrets.h"
#include "ssync-share.h"

G_BEGIN_DECLS

/* Links live one day unless asked otherwise. */
#define SSYNC_PUSH_DEFAULT_LIFETIME (24 * 60 * 60)

#define SSYNC_TYPE_PUSHER (ssync_pusher_get_type ())

G_DECLARE_FINAL_TYPE (SsyncPusher, ssync_pusher, SSYNC, PUSHER, GObject)

SsyncPusher *ssync_pusher_new                  (SsyncHistory         *history,
                                                SsyncConfig          *config,
                                                SsyncSecrets         *secrets);
gint64       ssync_pusher_clamp_lifetime       (gint64                wish_seconds,
                                                char                **message);
void         ssync_pusher_push_async           (SsyncPusher          *self,
                                                SsyncShare           *share,
                                                gint64                lifetime_seconds,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean     ssync_pusher_push_finish          (SsyncPusher          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void         ssync_pusher_create_bucket_async  (SsyncPusher          *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean     ssync_pusher_create_bucket_finish (SsyncPusher          *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void         ssync_pusher_delete_async         (SsyncPusher          *self,
                                                const char           *share_id,
                                                gint64                expired_before,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean     ssync_pusher_delete_finish        (SsyncPusher          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
