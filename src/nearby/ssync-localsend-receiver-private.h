/* ssync-localsend-receiver-private.h: what the receiver's files share (the session, its
 * files, the upload of one file).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-localsend-receiver.h"
#include "ssync-rate-limiter.h"
#include "ssync-upload.h"

G_BEGIN_DECLS

typedef struct _ReceiveUpload ReceiveUpload;

typedef struct {
  char *id;          /* the sender's file id */
  char *path;        /* sanitised, relative to the folder */
  guint64 size;
  char *sha256;      /* announced, lower-case hex; NULL when not announced */
  char *token;
  gboolean done;     /* received, or failed: never again */
  ReceiveUpload *upload;  /* the request streaming it, while one does */
} ReceiveFile;

typedef struct {
  gatomicrefcount ref;
  SsyncLocalsendReceiver *receiver;  /* not owned; NULL once the session ended */
  char *id;
  char *peer;
  SsyncLocalsendDevice *device;
  GHashTable *files;    /* sender's id → ReceiveFile */
  guint n_left;         /* files not done */
  gboolean accepted;
  guint idle_id;        /* ends an accepted session the sender forgot */
} ReceiveSession;

struct _SsyncLocalsendReceiver
{
  GObject parent_instance;

  GFile *folder;
  char *pin;
  SsyncLocalsendAsk ask;
  gpointer ask_data;
  GDestroyNotify ask_destroy;
  guint ask_timeout;
  guint64 max_file_size;
  SsyncRateLimiter *pin_limiter;
  ReceiveSession *session;   /* the one session, asked or accepted */
};

void            ssync_receive_file_free    (ReceiveFile    *file);
ReceiveSession *ssync_receive_session_ref  (ReceiveSession *session);
void            ssync_receive_session_unref (ReceiveSession *session);
void            ssync_receive_session_file_done (ReceiveSession *session,
                                                 ReceiveFile    *file);
void            ssync_receive_session_touch (ReceiveSession *session);
void            ssync_localsend_receiver_end_session (SsyncLocalsendReceiver *self);
void            ssync_receive_upload_abort (ReceiveUpload *upload,
                                            const char    *message);
void            ssync_localsend_receiver_emit_transfer (SsyncLocalsendReceiver *self,
                                                        SsyncTransfer          *transfer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReceiveSession, ssync_receive_session_unref)

G_END_DECLS
