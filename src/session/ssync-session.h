/* ssync-session.h: the engine both faces (window, headless) drive.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-config.h"
#include "ssync-history.h"
#include "ssync-localsend-device.h"
#include "ssync-pushed-link.h"
#include "ssync-pusher.h"
#include "ssync-secrets.h"
#include "ssync-share.h"
#include "ssync-transfer.h"
#include "ssync-upload-request.h"

G_BEGIN_DECLS

#define SSYNC_DEFAULT_PORT 5001

/* What ssync_session_set_share_options_async() changes: only the fields whose set_ flag is
 * TRUE. */
typedef struct {
  gboolean set_password;
  const char *password;     /* NULL or "": no password */
  gboolean set_expires;
  gint64 lifetime_seconds;  /* from now; 0: never */
  gboolean set_max_downloads;
  guint max_downloads;      /* 0: no limit */
} SsyncShareOptions;

#define SSYNC_TYPE_SESSION (ssync_session_get_type ())

G_DECLARE_FINAL_TYPE (SsyncSession, ssync_session, SSYNC, SESSION, GObject)

SsyncSession *ssync_session_new              (const char           *data_dir,
                                              GError              **error);
gboolean      ssync_session_start            (SsyncSession         *self,
                                              const char           *bind_address,
                                              int                   port,
                                              GError              **error);
void          ssync_session_shutdown         (SsyncSession         *self);
void          ssync_session_add_share_async  (SsyncSession         *self,
                                              GFile               **files,
                                              guint                 n_files,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
SsyncShare   *ssync_session_add_share_finish (SsyncSession         *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void          ssync_session_add_receive_share_async  (SsyncSession         *self,
                                                      GFile                *folder,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
SsyncShare   *ssync_session_add_receive_share_finish (SsyncSession         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void          ssync_session_set_default_password_hash (SsyncSession     *self,
                                                       const char       *password_hash);
void          ssync_session_set_share_options_async  (SsyncSession            *self,
                                                      SsyncShare              *share,
                                                      const SsyncShareOptions *options,
                                                      GCancellable            *cancellable,
                                                      GAsyncReadyCallback      callback,
                                                      gpointer                 user_data);
gboolean      ssync_session_set_share_options_finish (SsyncSession            *self,
                                                      GAsyncResult            *result,
                                                      GError                 **error);
void          ssync_session_revoke_share             (SsyncSession         *self,
                                                      SsyncShare           *share);
SsyncUploadRequest *ssync_session_lookup_upload_request (SsyncSession      *self,
                                                         const char        *id);
SsyncConfig  *ssync_session_get_config               (SsyncSession         *self);
SsyncSecrets *ssync_session_get_secrets              (SsyncSession         *self);
const char   *ssync_session_get_owner_token          (SsyncSession         *self);
GListModel   *ssync_session_get_shares       (SsyncSession         *self);
GListModel   *ssync_session_get_transfers    (SsyncSession         *self,
                                              SsyncShare           *share);
GListModel   *ssync_session_get_pushed_links (SsyncSession         *self,
                                              SsyncShare           *share);
SsyncHistory *ssync_session_get_history      (SsyncSession         *self);
guint         ssync_session_get_port         (SsyncSession         *self);
const char   *ssync_session_get_data_dir     (SsyncSession         *self);
char         *ssync_session_dup_base_url     (SsyncSession         *self);
char         *ssync_session_dup_share_url    (SsyncSession         *self,
                                              SsyncShare           *share);
GStrv         ssync_session_dup_addresses    (SsyncSession         *self);
SsyncPusher  *ssync_session_get_pusher       (SsyncSession         *self);
void          ssync_session_push_share_async     (SsyncSession         *self,
                                                  SsyncShare           *share,
                                                  gint64                lifetime_seconds,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean      ssync_session_push_share_finish    (SsyncSession         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void          ssync_session_delete_pushed_async  (SsyncSession         *self,
                                                  SsyncShare           *share,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean      ssync_session_delete_pushed_finish (SsyncSession         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
gboolean      ssync_session_get_rtc_available (SsyncSession        *self,
                                               const char         **message);
void          ssync_session_fetch_async      (SsyncSession         *self,
                                              const char           *url,
                                              GFile                *folder,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
int           ssync_session_fetch_finish     (SsyncSession         *self,
                                              GAsyncResult         *result,
                                              GError              **error);
const char   *ssync_session_fetch_get_path   (SsyncSession         *self,
                                              GAsyncResult         *result);
void          ssync_session_start_nearby_async     (SsyncSession         *self,
                                                    const char           *device_type,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean      ssync_session_start_nearby_finish    (SsyncSession         *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
GListModel   *ssync_session_get_nearby_devices     (SsyncSession         *self);
void          ssync_session_announce_nearby        (SsyncSession         *self);
void          ssync_session_set_nearby_periodic    (SsyncSession         *self,
                                                    gboolean              periodic);
const char   *ssync_session_get_nearby_alias       (SsyncSession         *self);
const char   *ssync_session_get_nearby_fingerprint (SsyncSession         *self);
guint         ssync_session_get_nearby_port        (SsyncSession         *self);
void          ssync_session_set_nearby_receive_folder (SsyncSession      *self,
                                                       GFile             *folder,
                                                       gboolean           accept_all);
void          ssync_session_send_to_async          (SsyncSession         *self,
                                                    const char           *target,
                                                    GFile               **files,
                                                    guint                 n_files,
                                                    const char           *pin,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean      ssync_session_send_to_finish         (SsyncSession         *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
SsyncDeviceTrust ssync_session_get_device_trust (SsyncSession        *self,
                                                 const char          *fingerprint);
void          ssync_session_set_device_trust       (SsyncSession         *self,
                                                    const char           *fingerprint,
                                                    const char           *alias,
                                                    const char           *device_type,
                                                    SsyncDeviceTrust      trust);

G_END_DECLS
