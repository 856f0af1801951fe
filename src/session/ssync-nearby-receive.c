/* ssync-nearby-receive.c: the session's side of receiving from nearby devices: where files
 * go, who is asked, and the transfers the history records.
 *
 * Nothing is received until a face names a folder. Each LocalSend session is one question,
 * put through the gatekeeper as the window's "Accept Files From ..." dialog for a browser's
 * files is (a request on a receive share of the folder, never served), unless the face said
 * to accept everything (headless --accept-all).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-session-private.h"
#include "ssync-share.h"

#define RECEIVE_KEY "ssync-nearby-receive"

typedef struct {
  SsyncSession *session;  /* not owned: this lives on it */
  GFile *folder;
  gboolean accept_all;
  SsyncShare *share;      /* what the questions name */
} NearbyReceive;

static void
nearby_receive_free (NearbyReceive *receive)
{
  g_clear_object (&receive->folder);
  g_clear_object (&receive->share);
  g_free (receive);
}

typedef struct {
  SsyncLocalsendAnswer answer;
  gpointer answer_data;
} Waiting;

static void
on_decided (SsyncUploadRequest *request,
            Waiting            *waiting)
{
  g_signal_handlers_disconnect_by_data (request, waiting);
  waiting->answer (ssync_upload_request_get_state (request) == SSYNC_UPLOAD_REQUEST_ACCEPTED,
                   waiting->answer_data);
  g_free (waiting);
}

/* An SsyncLocalsendAsk. */
static void
ask (SsyncLocalsendDevice      *device,
     const SsyncLocalsendOffer *files,
     guint                      n_files,
     guint64                    total,
     SsyncLocalsendAnswer       answer,
     gpointer                   answer_data,
     gpointer                   user_data)
{
  NearbyReceive *receive = user_data;
  g_autoptr(SsyncUploadRequest) request = NULL;
  Waiting *waiting;

  if (receive->accept_all)
    {
      answer (TRUE, answer_data);
      return;
    }

  request = ssync_upload_request_new (receive->share, ssync_localsend_device_get_address (device),
                                      ssync_localsend_device_get_alias (device));
  for (guint i = 0; i < n_files; i++)
    ssync_upload_request_add_file (request, files[i].name, files[i].size);
  waiting = g_new0 (Waiting, 1);
  waiting->answer = answer;
  waiting->answer_data = answer_data;
  g_signal_connect (request, "decided", G_CALLBACK (on_decided), waiting);
  ssync_upload_gatekeeper_ask_request (receive->session->gatekeeper, request);
}

static void
on_transfer_started (SsyncLocalsendReceiver *receiver,
                     SsyncTransfer          *transfer,
                     SsyncSession           *self)
{
  ssync_session_track_transfer (self, transfer);
}

/* Nearby started (or the folder changed while it runs): the receiver follows. */
void
ssync_session_setup_nearby_receive (SsyncSession *self)
{
  NearbyReceive *receive = g_object_get_data (G_OBJECT (self), RECEIVE_KEY);
  SsyncLocalsendReceiver *receiver = ssync_nearby_get_receiver (self->nearby);

  if (receiver == NULL)
    return;
  if (g_object_get_data (G_OBJECT (receiver), RECEIVE_KEY) == NULL)
    {
      g_signal_connect_object (receiver, "transfer-started", G_CALLBACK (on_transfer_started),
                               self, 0);
      g_object_set_data (G_OBJECT (receiver), RECEIVE_KEY, GINT_TO_POINTER (TRUE));
    }
  if (receive == NULL)
    {
      ssync_localsend_receiver_set_folder (receiver, NULL);
      ssync_localsend_receiver_set_ask (receiver, NULL, NULL, NULL);
      return;
    }
  ssync_localsend_receiver_set_folder (receiver, receive->folder);
  ssync_localsend_receiver_set_ask (receiver, ask, receive, NULL);
}

/**
 * ssync_session_set_nearby_receive_folder:
 * @folder: (nullable): where files from nearby devices go; %NULL receives nothing
 * @accept_all: receive every session without asking (headless --accept-all)
 *
 * Takes effect now when Nearby runs, else when it starts.
 */
void
ssync_session_set_nearby_receive_folder (SsyncSession *self,
                                         GFile        *folder,
                                         gboolean      accept_all)
{
  NearbyReceive *receive = NULL;
  SsyncLocalsendReceiver *receiver;

  g_return_if_fail (SSYNC_IS_SESSION (self));
  g_return_if_fail (folder == NULL || G_IS_FILE (folder));

  /* The receiver drops its hold on the old settings before they are freed. */
  receiver = ssync_nearby_get_receiver (self->nearby);
  if (receiver != NULL)
    ssync_localsend_receiver_set_ask (receiver, NULL, NULL, NULL);

  if (folder != NULL)
    {
      receive = g_new0 (NearbyReceive, 1);
      receive->session = self;
      receive->folder = g_object_ref (folder);
      receive->accept_all = accept_all;
      receive->share = ssync_share_new_receive (folder, NULL);
    }
  g_object_set_data_full (G_OBJECT (self), RECEIVE_KEY, receive,
                          (GDestroyNotify) nearby_receive_free);
  ssync_session_setup_nearby_receive (self);
}
