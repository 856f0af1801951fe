/* ssync-nearby-receive.c: the session's side of receiving from nearby devices: where files
 * go, who is asked, and the transfers the history records.
 *
 * Nothing is received until a face names a folder. Each LocalSend session is one question,
 * put through the gatekeeper as the window's "Accept Files From ..." dialog for a browser's
 * files is (a request on a receive share of the folder, never served), unless the face said
 * to accept everything (headless --accept-all) or the user decided about the device before:
 * a blocked one is refused without asking, a trusted one accepted once it proved its key.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-localsend-sender.h"
#include "ssync-session-private.h"
#include "ssync-share.h"

#define RECEIVE_KEY "ssync-nearby-receive"
/* Seconds a trusted device has to answer the call back that proves it is the one trusted. */
#define VERIFY_TIMEOUT 5

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

/* One question from a device, from the moment it came until it is answered. */
typedef struct {
  SsyncSession *session;
  SsyncShare *share;
  gboolean accept_all;
  SsyncLocalsendDevice *device;
  GArray *files;          /* SsyncLocalsendOffer, names owned */
  SsyncLocalsendAnswer answer;
  gpointer answer_data;
  SsyncLocalsendSender *verifier;
} Pending;

static void
pending_free (Pending *pending)
{
  for (guint i = 0; i < pending->files->len; i++)
    g_free ((char *) g_array_index (pending->files, SsyncLocalsendOffer, i).name);
  g_array_unref (pending->files);
  g_clear_object (&pending->verifier);
  g_clear_object (&pending->device);
  g_clear_object (&pending->share);
  g_clear_object (&pending->session);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static void
answer_pending (Pending  *pending,
                gboolean  accept)
{
  pending->answer (accept, pending->answer_data);
  pending_free (pending);
}

/* The user answered: a decision to remember (Always Accept, Block) is stored; a plain answer
 * leaves what was decided before as it was. */
static void
on_decided (SsyncUploadRequest *request,
            Pending            *pending)
{
  SsyncDeviceTrust remember = ssync_upload_request_get_remember (request);

  g_signal_handlers_disconnect_by_data (request, pending);
  if (remember != SSYNC_DEVICE_TRUST_SEEN)
    ssync_session_set_device_trust (pending->session,
                                    ssync_localsend_device_get_fingerprint (pending->device),
                                    ssync_localsend_device_get_alias (pending->device),
                                    ssync_localsend_device_get_device_type (pending->device),
                                    remember);
  answer_pending (pending,
                  ssync_upload_request_get_state (request) == SSYNC_UPLOAD_REQUEST_ACCEPTED);
}

/* Puts the question to the user, through the gatekeeper as the window's "Accept Files From
 * ..." dialog for a browser's files is. */
static void
ask_user (Pending          *pending,
          SsyncDeviceTrust  trust,
          gboolean          verified)
{
  g_autoptr(SsyncUploadRequest) request = NULL;

  request = ssync_upload_request_new (pending->share,
                                      ssync_localsend_device_get_address (pending->device),
                                      ssync_localsend_device_get_alias (pending->device));
  ssync_upload_request_set_device (request, ssync_localsend_device_get_fingerprint (pending->device),
                                   ssync_localsend_device_get_device_type (pending->device),
                                   trust, verified);
  for (guint i = 0; i < pending->files->len; i++)
    {
      SsyncLocalsendOffer *file = &g_array_index (pending->files, SsyncLocalsendOffer, i);

      ssync_upload_request_add_file (request, file->name, file->size);
    }
  g_signal_connect (request, "decided", G_CALLBACK (on_decided), pending);
  ssync_upload_gatekeeper_ask_request (pending->session->gatekeeper, request);
}

static void
on_verified (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Pending *pending = user_data;
  const char *claimed = ssync_localsend_device_get_fingerprint (pending->device);
  g_autoptr(SsyncLocalsendDevice) answered = NULL;
  g_autoptr(GError) error = NULL;

  answered = ssync_localsend_sender_get_info_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                     &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      answer_pending (pending, FALSE);
      return;
    }
  /* get_info only answers when the certificate shown is the one the info names, so the same
   * fingerprint here proves the sender holds its key. */
  if (answered != NULL
      && g_ascii_strcasecmp (ssync_localsend_device_get_fingerprint (answered), claimed) == 0)
    {
      g_debug ("Accepting files from trusted device %s (%s)",
               ssync_localsend_device_get_alias (pending->device), claimed);
      answer_pending (pending, TRUE);
      return;
    }
  g_message ("Could not verify that the device at %s owns trusted fingerprint %s: %s",
             ssync_localsend_device_get_address (pending->device), claimed,
             error != NULL ? error->message : "another fingerprint answered");
  ask_user (pending, SSYNC_DEVICE_TRUST_TRUSTED, FALSE);
}

/* The fingerprint in a prepare-upload is whatever the sender says, so a trusted one is only
 * believed after a TLS call back to the sender's own server (its address as we see it, its
 * port) with the certificate pinned to that fingerprint: the handshake proves the key. */
static void
verify_trusted (Pending *pending)
{
  SsyncNearby *nearby = pending->session->nearby;
  SsyncLocalsendIdentity me = { 0 };

  if (g_strcmp0 (ssync_localsend_device_get_protocol (pending->device), "https") != 0
      || ssync_localsend_device_get_address (pending->device) == NULL
      || ssync_nearby_get_fingerprint (nearby) == NULL)
    {
      g_message ("Cannot verify that the device at %s owns trusted fingerprint %s over %s",
                 ssync_localsend_device_get_address (pending->device),
                 ssync_localsend_device_get_fingerprint (pending->device),
                 ssync_localsend_device_get_protocol (pending->device));
      ask_user (pending, SSYNC_DEVICE_TRUST_TRUSTED, FALSE);
      return;
    }
  me.alias = ssync_nearby_get_alias (nearby);
  me.fingerprint = ssync_nearby_get_fingerprint (nearby);
  me.device_type = "desktop";
  me.port = ssync_nearby_get_port (nearby);
  me.protocol = "https";
  pending->verifier = ssync_localsend_sender_new (&me);
  ssync_localsend_sender_set_connect_timeout (pending->verifier, VERIFY_TIMEOUT);
  ssync_localsend_sender_set_io_timeout (pending->verifier, VERIFY_TIMEOUT);
  ssync_localsend_sender_get_info_async (pending->verifier,
                                         ssync_localsend_device_get_address (pending->device),
                                         ssync_localsend_device_get_port (pending->device),
                                         pending->session->cancellable, on_verified, pending);
}

/* Runs once the devices' trust was read from the history. */
static void
decide (SsyncSession *self,
        gpointer      data)
{
  Pending *pending = data;
  SsyncLocalsendDevice *device = pending->device;
  const char *fingerprint = ssync_localsend_device_get_fingerprint (device);
  SsyncDeviceTrust trust = ssync_session_get_device_trust (self, fingerprint);

  switch (trust)
    {
    case SSYNC_DEVICE_TRUST_BLOCKED:
      g_message ("Refused files from blocked device %s (%s) at %s",
                 ssync_localsend_device_get_alias (device), fingerprint,
                 ssync_localsend_device_get_address (device));
      g_signal_emit_by_name (self, "nearby-device-blocked", device);
      answer_pending (pending, FALSE);
      return;
    case SSYNC_DEVICE_TRUST_TRUSTED:
      if (pending->accept_all)
        break;
      verify_trusted (pending);
      return;
    case SSYNC_DEVICE_TRUST_UNKNOWN:
    case SSYNC_DEVICE_TRUST_SEEN:
    default:
      ssync_session_device_seen (self, fingerprint, ssync_localsend_device_get_alias (device),
                                 ssync_localsend_device_get_device_type (device));
      if (pending->accept_all)
        break;
      ask_user (pending, trust, FALSE);
      return;
    }
  answer_pending (pending, TRUE);
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
  Pending *pending = g_new0 (Pending, 1);

  pending->session = g_object_ref (receive->session);
  pending->share = g_object_ref (receive->share);
  pending->accept_all = receive->accept_all;
  pending->device = g_object_ref (device);
  pending->answer = answer;
  pending->answer_data = answer_data;
  pending->files = g_array_sized_new (FALSE, FALSE, sizeof (SsyncLocalsendOffer), n_files);
  for (guint i = 0; i < n_files; i++)
    {
      SsyncLocalsendOffer file = { g_strdup (files[i].name), files[i].size };

      g_array_append_val (pending->files, file);
    }
  ssync_session_load_devices (receive->session, decide, pending);
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
  /* Questions wait for the devices' trust; the read starts with Nearby. */
  ssync_session_load_devices (self, NULL, NULL);
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
