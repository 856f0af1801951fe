/* ssync-localsend-sender-private.h: what the sender's files share: one HTTP(S) request to a
 * device, with its certificate pinned, its connection timed and its answer read with a limit.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-localsend-sender.h"

G_BEGIN_DECLS

/* Where a device is reached, and the certificate it must show. */
typedef struct {
  char *address;
  char *base_uri;     /* "https://192.168.1.2:53317" */
  char *fingerprint;  /* what the certificate's SHA-256 must be; NULL: any (recorded) */
} SsyncLocalsendPeer;

SsyncLocalsendPeer *ssync_localsend_peer_new  (const char         *address,
                                               guint               port,
                                               const char         *protocol,
                                               const char         *fingerprint);
SsyncLocalsendPeer *ssync_localsend_peer_copy (SsyncLocalsendPeer *peer);
void                ssync_localsend_peer_free (SsyncLocalsendPeer *peer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncLocalsendPeer, ssync_localsend_peer_free)

/* One file of a send: @name is what the device sees ("folder/sub/name" for a file of a
 * folder); @id and @token are set once the device was asked. */
typedef struct {
  GFile *file;
  char *id;
  char *name;
  char *mime;
  guint64 size;
  char *token;   /* what the device gave for it; NULL: it does not want this one */
} SsyncLocalsendSendFile;

void       ssync_localsend_send_file_free       (SsyncLocalsendSendFile *file);
void       ssync_localsend_collect_files_async  (GFile                 **files,
                                                 guint                   n_files,
                                                 guint                   max_files,
                                                 GCancellable           *cancellable,
                                                 GAsyncReadyCallback     callback,
                                                 gpointer                user_data);
GPtrArray *ssync_localsend_collect_files_finish (GAsyncResult           *result,
                                                 GError                **error);

/* The answer of one request: its status and body (at most SSYNC_LOCALSEND_SENDER_MAX_ANSWER
 * bytes), and the fingerprint of the certificate the device showed (NULL over HTTP). */
typedef struct {
  guint status;
  GBytes *body;
  char *fingerprint;
} SsyncLocalsendResponse;

void ssync_localsend_response_free (SsyncLocalsendResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncLocalsendResponse, ssync_localsend_response_free)

/* Sends @message to @peer; @wait_for_user picks the session that waits as long as a receiver
 * may ask its user. Connection failures, timeouts and a certificate that is not the pinned one
 * fail as SSYNC_ERROR_UNREACHABLE; an answer of any status is a success. */
void                    ssync_localsend_sender_request_async  (SsyncLocalsendSender *self,
                                                               SsyncLocalsendPeer   *peer,
                                                               SoupMessage          *message,
                                                               gboolean              wait_for_user,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
SsyncLocalsendResponse *ssync_localsend_sender_request_finish (SsyncLocalsendSender *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                    ssync_localsend_sender_emit_started   (SsyncLocalsendSender *self,
                                                               SsyncTransfer        *transfer);
const SsyncLocalsendIdentity *ssync_localsend_sender_get_me   (SsyncLocalsendSender *self);
void                    ssync_localsend_sender_get_timeouts   (SsyncLocalsendSender *self,
                                                               guint                *connect_timeout,
                                                               guint                *io_timeout);
gboolean                ssync_localsend_json_depth_ok         (const char           *data,
                                                               gsize                 length,
                                                               guint                 max_depth);

/* Uploads the first @file->size bytes of @file->file to @peer as the body of POST
 * @path_and_query, on a connection of its own (ssync-localsend-sender-stream.c), adding to
 * @transfer's bytes as they leave. Fails as ssync_localsend_sender_request_async does; the answer has its status and
 * the certificate's fingerprint, and no body. */
void                    ssync_localsend_sender_stream_async
                                      (SsyncLocalsendSender   *self,
                                       SsyncLocalsendPeer     *peer,
                                       const char             *path_and_query,
                                       SsyncLocalsendSendFile *file,
                                       SsyncTransfer          *transfer,
                                       GCancellable           *cancellable,
                                       GAsyncReadyCallback     callback,
                                       gpointer                user_data);
SsyncLocalsendResponse *ssync_localsend_sender_stream_finish
                                      (SsyncLocalsendSender   *self,
                                       GAsyncResult           *result,
                                       GError                **error);

G_END_DECLS
