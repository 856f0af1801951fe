/* ssync-localsend-receiver.c: receiving over LocalSend's upload API: the object, its
 * settings and the one session it holds (ssync-localsend-receiver.h). A prepare-upload and
 * its question are read in ssync-localsend-receiver-prepare.c, the bodies streamed to disk in
 * ssync-localsend-receiver-upload.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <string.h>

#include "ssync-localsend-receiver-private.h"

/* Wrong PINs an address may try: a few at once, then one a minute. */
#define PIN_BURST 5
#define PIN_PER_SECOND (1.0 / 60)
/* An accepted session whose sender uploads nothing for this long is over. */
#define SESSION_IDLE_SECONDS 300

enum {
  SIGNAL_TRANSFER_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SsyncLocalsendReceiver, ssync_localsend_receiver, G_TYPE_OBJECT)

void
ssync_receive_file_free (ReceiveFile *file)
{
  g_free (file->id);
  g_free (file->path);
  g_free (file->sha256);
  g_free (file->token);
  g_free (file);
}

ReceiveSession *
ssync_receive_session_ref (ReceiveSession *session)
{
  g_atomic_ref_count_inc (&session->ref);
  return session;
}

void
ssync_receive_session_unref (ReceiveSession *session)
{
  if (!g_atomic_ref_count_dec (&session->ref))
    return;

  g_clear_handle_id (&session->idle_id, g_source_remove);
  g_clear_pointer (&session->files, g_hash_table_unref);
  g_clear_object (&session->device);
  g_free (session->id);
  g_free (session->peer);
  g_free (session);
}

static void
ssync_localsend_receiver_dispose (GObject *object)
{
  SsyncLocalsendReceiver *self = SSYNC_LOCALSEND_RECEIVER (object);

  ssync_localsend_receiver_end_session (self);
  ssync_localsend_receiver_set_ask (self, NULL, NULL, NULL);
  g_clear_object (&self->folder);
  g_clear_object (&self->pin_limiter);

  G_OBJECT_CLASS (ssync_localsend_receiver_parent_class)->dispose (object);
}

static void
ssync_localsend_receiver_finalize (GObject *object)
{
  SsyncLocalsendReceiver *self = SSYNC_LOCALSEND_RECEIVER (object);

  g_free (self->pin);

  G_OBJECT_CLASS (ssync_localsend_receiver_parent_class)->finalize (object);
}

static void
ssync_localsend_receiver_class_init (SsyncLocalsendReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_localsend_receiver_dispose;
  object_class->finalize = ssync_localsend_receiver_finalize;

  /**
   * SsyncLocalsendReceiver::transfer-started:
   * @transfer: one file of a session began to arrive (direction upload, kind localsend, peer
   *   the sender's address, user agent its alias)
   */
  signals[SIGNAL_TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);
}

static void
ssync_localsend_receiver_init (SsyncLocalsendReceiver *self)
{
  self->ask_timeout = SSYNC_LOCALSEND_ASK_TIMEOUT;
  self->max_file_size = G_MAXINT64;
  self->pin_limiter = ssync_rate_limiter_new (PIN_BURST, PIN_PER_SECOND);
}

SsyncLocalsendReceiver *
ssync_localsend_receiver_new (void)
{
  return g_object_new (SSYNC_TYPE_LOCALSEND_RECEIVER, NULL);
}

/* Where files are received; NULL (the default) refuses every prepare-upload with 403. */
void
ssync_localsend_receiver_set_folder (SsyncLocalsendReceiver *self,
                                     GFile                  *folder)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self));

  g_set_object (&self->folder, folder);
}

GFile *
ssync_localsend_receiver_get_folder (SsyncLocalsendReceiver *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self), NULL);

  return self->folder;
}

/* A PIN senders must give (?pin=); NULL or "" for none. */
void
ssync_localsend_receiver_set_pin (SsyncLocalsendReceiver *self,
                                  const char             *pin)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self));

  g_free (self->pin);
  self->pin = pin != NULL && *pin != '\0' ? g_strdup (pin) : NULL;
}

/* Who decides on each session; without one every session is declined. */
void
ssync_localsend_receiver_set_ask (SsyncLocalsendReceiver *self,
                                  SsyncLocalsendAsk       ask,
                                  gpointer                user_data,
                                  GDestroyNotify          destroy)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self));

  if (self->ask_destroy != NULL)
    self->ask_destroy (self->ask_data);
  self->ask = ask;
  self->ask_data = user_data;
  self->ask_destroy = destroy;
}

/* Seconds a question waits before it counts as declined (default 300); for tests. */
void
ssync_localsend_receiver_set_ask_timeout (SsyncLocalsendReceiver *self,
                                          guint                   seconds)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self));

  self->ask_timeout = MAX (seconds, 1);
}

/* The largest file accepted (default: no limit but the free space). */
void
ssync_localsend_receiver_set_max_file_size (SsyncLocalsendReceiver *self,
                                            guint64                 max_size)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self));

  self->max_file_size = max_size;
}

/* Whether a session is being asked about or received. */
gboolean
ssync_localsend_receiver_is_busy (SsyncLocalsendReceiver *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self), FALSE);

  return self->session != NULL;
}

/* Ends the current session from this side (Nearby stopped): files in flight fail and their
 * .part files go. */
void
ssync_localsend_receiver_cancel (SsyncLocalsendReceiver *self)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self));

  ssync_localsend_receiver_end_session (self);
}

void
ssync_localsend_receiver_end_session (SsyncLocalsendReceiver *self)
{
  g_autoptr(ReceiveSession) session = g_steal_pointer (&self->session);
  GHashTableIter iter;
  ReceiveFile *file;

  if (session == NULL)
    return;

  session->receiver = NULL;
  g_clear_handle_id (&session->idle_id, g_source_remove);
  g_hash_table_iter_init (&iter, session->files);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &file))
    {
      file->done = TRUE;
      if (file->upload != NULL)
        ssync_receive_upload_abort (file->upload, "The sender cancelled the transfer");
    }
}

void
ssync_localsend_receiver_emit_transfer (SsyncLocalsendReceiver *self,
                                        SsyncTransfer          *transfer)
{
  g_signal_emit (self, signals[SIGNAL_TRANSFER_STARTED], 0, transfer);
}

static gboolean
on_session_idle (gpointer user_data)
{
  ReceiveSession *session = user_data;
  SsyncLocalsendReceiver *self = session->receiver;

  session->idle_id = 0;
  if (self != NULL && self->session == session)
    {
      g_debug ("The session of %s ended: nothing arrived for a while", session->peer);
      ssync_localsend_receiver_end_session (self);
    }
  return G_SOURCE_REMOVE;
}

/* Something happened in an accepted session: it lives on. */
void
ssync_receive_session_touch (ReceiveSession *session)
{
  g_clear_handle_id (&session->idle_id, g_source_remove);
  if (session->receiver != NULL)
    session->idle_id = g_timeout_add_seconds (SESSION_IDLE_SECONDS, on_session_idle, session);
}

/* @file is received or failed; the session ends with its last file. */
void
ssync_receive_session_file_done (ReceiveSession *session,
                                 ReceiveFile    *file)
{
  SsyncLocalsendReceiver *self = session->receiver;

  if (!file->done)
    {
      file->done = TRUE;
      session->n_left--;
    }
  if (self != NULL && self->session == session && session->n_left == 0)
    ssync_localsend_receiver_end_session (self);
  else
    ssync_receive_session_touch (session);
}

