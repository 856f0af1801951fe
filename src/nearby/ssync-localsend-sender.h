/* ssync-localsend-sender.h: sending files to a nearby device over LocalSend's upload API
 * (prepare-upload, then one upload per file, streamed from disk; cancel when stopped).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-localsend-device.h"
#include "ssync-localsend-message.h"
#include "ssync-transfer.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_LOCALSEND_SENDER (ssync_localsend_sender_get_type ())

G_DECLARE_FINAL_TYPE (SsyncLocalsendSender, ssync_localsend_sender, SSYNC, LOCALSEND_SENDER,
                      GObject)

/* The largest answer read from a device (info, prepare-upload); larger ones are refused. */
#define SSYNC_LOCALSEND_SENDER_MAX_ANSWER (64 * 1024)
/* Defaults of the timeouts below, in seconds. */
#define SSYNC_LOCALSEND_SENDER_CONNECT_TIMEOUT 10
#define SSYNC_LOCALSEND_SENDER_IO_TIMEOUT 30
/* The receiver asks its user before it answers prepare-upload; LocalSend waits 5 minutes. */
#define SSYNC_LOCALSEND_SENDER_ANSWER_TIMEOUT 330

SsyncLocalsendSender *ssync_localsend_sender_new                 (const SsyncLocalsendIdentity *me);
void                  ssync_localsend_sender_set_connect_timeout (SsyncLocalsendSender *self,
                                                                  guint                 seconds);
void                  ssync_localsend_sender_set_io_timeout      (SsyncLocalsendSender *self,
                                                                  guint                 seconds);
void                  ssync_localsend_sender_set_answer_timeout  (SsyncLocalsendSender *self,
                                                                  guint                 seconds);

void                  ssync_localsend_sender_get_info_async      (SsyncLocalsendSender *self,
                                                                  const char           *address,
                                                                  guint                 port,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
SsyncLocalsendDevice *ssync_localsend_sender_get_info_finish     (SsyncLocalsendSender *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

void                  ssync_localsend_sender_send_async          (SsyncLocalsendSender *self,
                                                                  SsyncLocalsendDevice *device,
                                                                  GFile               **files,
                                                                  guint                 n_files,
                                                                  const char           *pin,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
gboolean              ssync_localsend_sender_send_finish         (SsyncLocalsendSender *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

char                 *ssync_localsend_sender_fingerprint_of      (GTlsCertificate      *certificate);

G_END_DECLS
