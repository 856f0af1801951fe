/* ssync-upload-gatekeeper.h: asks before uploads start, unless the user chose auto-accept.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-upload-request.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_UPLOAD_GATEKEEPER (ssync_upload_gatekeeper_get_type ())

G_DECLARE_FINAL_TYPE (SsyncUploadGatekeeper, ssync_upload_gatekeeper, SSYNC, UPLOAD_GATEKEEPER,
                      GObject)

SsyncUploadGatekeeper *ssync_upload_gatekeeper_new             (void);
void                   ssync_upload_gatekeeper_set_answer_timeout (SsyncUploadGatekeeper *self,
                                                                   guint                  seconds);
void                   ssync_upload_gatekeeper_set_auto_accept (SsyncUploadGatekeeper *self,
                                                                gboolean               auto_accept);
gboolean               ssync_upload_gatekeeper_get_auto_accept (SsyncUploadGatekeeper *self);
SsyncUploadRequest    *ssync_upload_gatekeeper_ask             (SsyncShare            *share,
                                                                const char            *peer,
                                                                const char            *user_agent,
                                                                const char            *path,
                                                                guint64                length,
                                                                gpointer               self);
void                   ssync_upload_gatekeeper_ask_request     (SsyncUploadGatekeeper *self,
                                                                SsyncUploadRequest    *request);
SsyncUploadRequest    *ssync_upload_gatekeeper_lookup          (SsyncUploadGatekeeper *self,
                                                                const char            *id);
void                   ssync_upload_gatekeeper_forget_share    (SsyncUploadGatekeeper *self,
                                                                SsyncShare            *share);

G_END_DECLS
