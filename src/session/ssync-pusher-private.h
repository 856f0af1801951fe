/* ssync-pusher-private.h: the pusher's state, shared by its files: ssync-pusher.c (settings,
 * secret and client), ssync-pusher-push.c (pushing a share), ssync-pusher-delete.c
 * (deleting pushed objects, the cleanup pass).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-pusher.h"
#include "ssync-s3-client.h"

G_BEGIN_DECLS

struct _SsyncPusher
{
  GObject parent_instance;

  SsyncHistory *history;
  SsyncConfig *config;     /* its s3-* settings; followed */
  SsyncSecrets *secrets;   /* the secret key; followed */
  SsyncS3Client *client;   /* made on first use; dropped when a setting or the secret changes */
  guint generation;        /* counts the drops, so that a client made meanwhile is not kept */
  gboolean deleting;       /* one deletion pass at a time */
};

enum {
  SSYNC_PUSHER_PROGRESS,
  SSYNC_PUSHER_PUSHED,
  SSYNC_PUSHER_N_SIGNALS
};

extern guint ssync_pusher_signals[SSYNC_PUSHER_N_SIGNALS];

gboolean       ssync_pusher_is_configured  (SsyncPusher          *self);
void           ssync_pusher_get_client_async  (SsyncPusher          *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
SsyncS3Client *ssync_pusher_get_client_finish (SsyncPusher          *self,
                                               GAsyncResult         *result,
                                               GError              **error);
gboolean       ssync_pusher_propagate      (GTask                *task,
                                            GError              **error);

G_END_DECLS
