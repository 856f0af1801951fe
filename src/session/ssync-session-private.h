/* ssync-session-private.h: the session's state, shared by the files that implement it.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-config.h"
#include "ssync-credentials.h"
#include "ssync-pusher.h"
#include "ssync-registry.h"
#include "ssync-server.h"
#include "ssync-session.h"
#include "ssync-upload-gatekeeper.h"

G_BEGIN_DECLS

struct _SsyncSession
{
  GObject parent_instance;

  SsyncConfig *config;   /* the settings the faces fill; followed */
  SsyncSecrets *secrets; /* the S3 secret key and the TURN password; followed */
  char *data_dir;
  char *bind_address;
  SsyncRegistry *registry;
  SsyncHistory *history;
  SsyncServer *server;
  SsyncUploadGatekeeper *gatekeeper;
  SsyncPusher *pusher;
  GPtrArray *active;  /* SsyncTransfer in flight */
  GHashTable *transfer_lists;  /* share id → GListStore of its SsyncTransfer in flight */
  GHashTable *link_lists;      /* share id → GListStore of its SsyncPushedLink */
  GCancellable *cancellable;
  char *owner_token;
  guint cleanup_id;
  guint expiry_id;      /* fires when the next share expires */
  gint64 next_expiry;

  /* Direct (WebRTC) transfers: NULL rtc_error when GStreamer has every plugin. */
  GError *rtc_error;
  GHashTable *hosts;     /* WebSocket client id (guint64 *) → SsyncRtcHost */
  char *stun_server;
  char *turn_server;
  GSettings *settings;   /* NULL where the schema is not installed */
  SsyncCredentials *ice_credentials;  /* the TURN password's keyring, once needed */

  /* Applied to every new share before it is served. */
  char *password_hash;
  gint64 lifetime;       /* microseconds, 0 for no expiry */
  guint max_downloads;
};

void ssync_session_schedule_expiry (SsyncSession  *self,
                                    gint64         expires);
void ssync_session_track_transfer  (SsyncSession  *self,
                                    SsyncTransfer *transfer);
void ssync_session_setup_lists     (SsyncSession  *self);
void ssync_session_list_transfer   (SsyncSession  *self,
                                    SsyncTransfer *transfer);
void ssync_session_forget_links    (SsyncSession  *self,
                                    SsyncShare    *share);
void ssync_session_setup_rtc       (SsyncSession  *self);
void ssync_session_close_hosts     (SsyncSession  *self,
                                    SsyncShare    *share);

G_END_DECLS
