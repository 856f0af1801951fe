/* ssync-upload-request.h: files a browser wants to send into a receive share, waiting for
 * the user to accept or decline them.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-share.h"

G_BEGIN_DECLS

typedef enum {
  SSYNC_UPLOAD_REQUEST_PENDING,
  SSYNC_UPLOAD_REQUEST_ACCEPTED,
  SSYNC_UPLOAD_REQUEST_DECLINED,
} SsyncUploadRequestState;

#define SSYNC_TYPE_UPLOAD_REQUEST (ssync_upload_request_get_type ())

G_DECLARE_FINAL_TYPE (SsyncUploadRequest, ssync_upload_request, SSYNC, UPLOAD_REQUEST, GObject)

/* Asked before each new upload (tus or direct): NULL lets it start at once; otherwise the
 * upload waits until the returned request (a new reference) is decided, and only starts if it
 * is accepted. */
typedef SsyncUploadRequest *(*SsyncUploadGate) (SsyncShare *share,
                                                const char *peer,
                                                const char *user_agent,
                                                const char *path,
                                                guint64     length,
                                                gpointer    user_data);

SsyncUploadRequest      *ssync_upload_request_new            (SsyncShare         *share,
                                                              const char         *peer,
                                                              const char         *user_agent);
const char              *ssync_upload_request_get_id         (SsyncUploadRequest *self);
SsyncShare              *ssync_upload_request_get_share      (SsyncUploadRequest *self);
const char              *ssync_upload_request_get_peer       (SsyncUploadRequest *self);
const char              *ssync_upload_request_get_user_agent (SsyncUploadRequest *self);
void                     ssync_upload_request_add_file       (SsyncUploadRequest *self,
                                                              const char         *name,
                                                              guint64             size);
guint                    ssync_upload_request_get_n_files    (SsyncUploadRequest *self);
const char              *ssync_upload_request_get_file_name  (SsyncUploadRequest *self,
                                                              guint               index);
guint64                  ssync_upload_request_get_total_size (SsyncUploadRequest *self);
char                    *ssync_upload_request_dup_summary    (SsyncUploadRequest *self,
                                                              guint               max_names);
SsyncUploadRequestState  ssync_upload_request_get_state      (SsyncUploadRequest *self);
gint64                   ssync_upload_request_get_decided    (SsyncUploadRequest *self);
void                     ssync_upload_request_accept         (SsyncUploadRequest *self);
void                     ssync_upload_request_decline        (SsyncUploadRequest *self);

/* For a request from a nearby device (LocalSend): who it says it is, what the user decided
 * about it before, and whether it proved it holds that fingerprint's key. */
void                     ssync_upload_request_set_device      (SsyncUploadRequest *self,
                                                               const char         *fingerprint,
                                                               const char         *device_type,
                                                               SsyncDeviceTrust    trust,
                                                               gboolean            verified);
const char              *ssync_upload_request_get_fingerprint (SsyncUploadRequest *self);
const char              *ssync_upload_request_get_device_type (SsyncUploadRequest *self);
SsyncDeviceTrust         ssync_upload_request_get_device_trust (SsyncUploadRequest *self);
gboolean                 ssync_upload_request_get_verified    (SsyncUploadRequest *self);
void                     ssync_upload_request_accept_always   (SsyncUploadRequest *self);
void                     ssync_upload_request_block           (SsyncUploadRequest *self);
SsyncDeviceTrust         ssync_upload_request_get_remember    (SsyncUploadRequest *self);

G_END_DECLS
