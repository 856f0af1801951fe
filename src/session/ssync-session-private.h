/* ssync-session-private.h: the session's state, shared by the files that implement it.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-config.h"
#include "ssync-pusher.h"
#include "ssync-nearby.h"
#include "ssync-registry.h"
#include "ssync-rtc-service.h"
#include "ssync-secrets.h"
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
  SsyncRtcService *rtc;  /* direct (WebRTC) transfers */
  SsyncNearby *nearby;   /* LocalSend devices on the LAN */

  /* Applied to every new share before it is served. */
  char *password_hash;
};

void ssync_session_schedule_expiry (SsyncSession  *self,
                                    gint64         expires);
void ssync_session_track_transfer  (SsyncSession  *self,
                                    SsyncTransfer *transfer);
void ssync_session_publish         (SsyncSession  *self,
                                    SsyncShare    *share);
void ssync_session_end_share       (SsyncSession  *self,
                                    SsyncShare    *share,
                                    const char    *notice);
void ssync_session_follow_config   (SsyncSession  *self);
void ssync_session_cleanup         (SsyncSession  *self);
void ssync_session_setup_nearby    (SsyncSession  *self);
void ssync_session_setup_nearby_receive (SsyncSession *self);
void ssync_session_setup_lists     (SsyncSession  *self);
typedef void (*SsyncSessionThen) (SsyncSession *self,
                                  gpointer      data);

void ssync_session_load_devices    (SsyncSession     *self,
                                    SsyncSessionThen  then,
                                    gpointer          data);
void ssync_session_device_seen     (SsyncSession  *self,
                                    const char    *fingerprint,
                                    const char    *alias,
                                    const char    *device_type);
void ssync_session_list_transfer   (SsyncSession  *self,
                                    SsyncTransfer *transfer);
void ssync_session_forget_links    (SsyncSession  *self,
                                    SsyncShare    *share);

G_END_DECLS
