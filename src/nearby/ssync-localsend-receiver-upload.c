/* ssync-localsend-receiver-upload.c: POST /upload and /cancel of an accepted session.
 *
 * An upload body never sits in memory, as with tus PATCH (ssync-tus-patch.c): the early
 * handler checks the session, file, token and address once the headers are read, turns
 * accumulation off, and every chunk libsoup reads is appended to a 1 MiB buffer that core's
 * SsyncUpload writes (and hashes) on a worker thread while the next one fills; when both
 * are busy the message is paused. Bytes past the announced size are refused on the chunk
 * that brings them; a body that ends short, a cut connection, a wrong SHA-256 (checked by
 * SsyncUpload before the file gets its name) or a cancelled session fail the file, and what
 * was written of it is removed.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <string.h>

#include "ssync-error.h"
#include "ssync-localsend-receiver-private.h"
#include "ssync-response.h"
#include "ssync-token.h"

#define WRITE_SIZE (1024 * 1024)
/* libsoup hands request bodies over in chunks of at most 8 KiB. */
#define FILL_SLACK (64 * 1024)

struct _ReceiveUpload {
  guint ref;                /* the message's, each operation in flight's, a failure's */
  SsyncLocalsendReceiver *receiver;
  ReceiveSession *session;
  ReceiveFile *file;        /* the session's, which this holds */
  SoupServerMessage *msg;
  SsyncUpload *upload;      /* NULL until its .part exists */
  SsyncTransfer *transfer;
  GByteArray *fill;
  guint64 received;
  gboolean busy;            /* creating, writing, completing or deleting */
  gboolean paused;
  gboolean body_done;
  gboolean handler_waiting;
  gboolean responded;
  gboolean msg_gone;
  gboolean failed;
  gboolean succeeded;
  gboolean removed;
};

static void upload_advance (ReceiveUpload *u);
static void on_msg_finished (SoupServerMessage *msg,
                             ReceiveUpload     *u);

static ReceiveUpload *
upload_ref (ReceiveUpload *u)
{
  u->ref++;
  return u;
}

static void
upload_unref (ReceiveUpload *u)
{
  if (--u->ref > 0)
    return;
  if (u->file->upload == u)
    u->file->upload = NULL;
  g_clear_object (&u->upload);
  g_clear_object (&u->transfer);
  g_clear_object (&u->msg);
  g_clear_pointer (&u->fill, g_byte_array_unref);
  g_clear_pointer (&u->session, ssync_receive_session_unref);
  g_clear_object (&u->receiver);
  g_free (u);
}

/* The file is over, whatever its outcome: never again in this session. */
static void
upload_release_file (ReceiveUpload *u)
{
  if (u->file->upload == u)
    u->file->upload = NULL;
  ssync_receive_session_file_done (u->session, u->file);
}

static void
upload_cut (ReceiveUpload *u)
{
  g_autoptr(GIOStream) connection = soup_server_message_steal_connection (u->msg);

  if (connection != NULL)
    g_io_stream_close (connection, NULL, NULL);
  if (!u->msg_gone)
    on_msg_finished (u->msg, u);
}

/* Answers an error: with @status when the client can still read it, by cutting the
 * connection when @status is 0. */
static void
upload_answer_error (ReceiveUpload *u,
                     guint          status,
                     const char    *text)
{
  if (u->msg_gone || u->responded)
    return;
  u->responded = TRUE;

  if (status == 0)
    upload_cut (u);
  else if (!u->body_done)
    {
      /* Never read the rest: the answer goes out on the connection taken from libsoup. */
      ssync_response_refuse (u->msg, status, NULL, text);
      if (!u->msg_gone)
        on_msg_finished (u->msg, u);
    }
  else
    {
      ssync_response_text (u->msg, status, text);
      if (u->paused || u->handler_waiting)
        soup_server_message_unpause (u->msg);
      u->paused = FALSE;
    }
}

static void
upload_fail (ReceiveUpload       *u,
             guint                status,
             SsyncTransferStatus  transfer_status,
             const char          *message)
{
  if (u->failed || u->succeeded)
    return;
  u->failed = TRUE;
  upload_ref (u);

  g_debug ("Receiving %s from %s failed: %s", u->file->path, u->session->peer, message);
  ssync_transfer_finish (u->transfer, transfer_status, message);
  upload_release_file (u);
  upload_answer_error (u, status, message);
  upload_advance (u);
  upload_unref (u);
}

static guint
status_for_error (GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)
         ? SOUP_STATUS_INSUFFICIENT_STORAGE : SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ReceiveUpload *u = user_data;

  ssync_upload_delete_finish (SSYNC_UPLOAD (source), result, NULL);
  u->busy = FALSE;
  u->removed = TRUE;
  upload_advance (u);
  upload_unref (u);
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReceiveUpload *u = user_data;
  g_autoptr(GError) error = NULL;

  u->busy = FALSE;
  if (!ssync_upload_complete_finish (u->upload, result, &error))
    {
      /* A damaged file never got its name; its .part goes like any failure's. */
      if (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_CHANGED))
        upload_fail (u, SOUP_STATUS_BAD_REQUEST, SSYNC_TRANSFER_STATUS_FAILED,
                     "The file's SHA-256 is not the one announced");
      else
        upload_fail (u, status_for_error (error), SSYNC_TRANSFER_STATUS_FAILED, error->message);
    }
  else if (!u->failed)
    {
      u->succeeded = TRUE;
      ssync_transfer_set_result (u->transfer, ssync_upload_get_sha256 (u->upload),
                                 ssync_upload_get_saved_as (u->upload));
      ssync_transfer_finish (u->transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
      upload_release_file (u);
      if (!u->msg_gone && !u->responded)
        {
          u->responded = TRUE;
          soup_server_message_set_status (u->msg, SOUP_STATUS_OK, NULL);
          if (u->handler_waiting)
            soup_server_message_unpause (u->msg);
        }
    }
  upload_advance (u);
  upload_unref (u);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ReceiveUpload *u = user_data;
  g_autoptr(GError) error = NULL;
  guint64 counted = ssync_transfer_get_bytes (u->transfer);
  guint64 now_at = ssync_upload_get_offset (u->upload);

  u->busy = FALSE;
  if (now_at > counted)
    ssync_transfer_add_bytes (u->transfer, now_at - counted);
  if (!ssync_upload_write_finish (u->upload, result, &error))
    upload_fail (u, status_for_error (error), SSYNC_TRANSFER_STATUS_FAILED, error->message);
  upload_advance (u);
  upload_unref (u);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ReceiveUpload *u = user_data;
  g_autoptr(GError) error = NULL;

  u->busy = FALSE;
  u->upload = ssync_upload_new_finish (result, &error);
  if (u->upload == NULL)
    upload_fail (u, status_for_error (error), SSYNC_TRANSFER_STATUS_FAILED, error->message);
  else
    ssync_upload_set_expected_sha256 (u->upload, u->file->sha256);
  upload_advance (u);
  upload_unref (u);
}

/* Does the next thing once nothing is in flight: remove what a failure left, write the
 * buffer, read on, complete the file. */
static void
upload_advance (ReceiveUpload *u)
{
  if (u->busy)
    return;

  if (u->failed)
    {
      if (u->upload != NULL && !u->removed)
        {
          u->busy = TRUE;
          ssync_upload_delete_async (u->upload, on_removed, upload_ref (u));
        }
      return;
    }
  if (u->succeeded || u->upload == NULL)
    return;

  if (u->fill->len >= WRITE_SIZE || (u->body_done && u->fill->len > 0))
    {
      g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&u->fill));

      u->fill = g_byte_array_sized_new (WRITE_SIZE + FILL_SLACK);
      u->busy = TRUE;
      ssync_upload_write_async (u->upload, bytes, NULL, on_written, upload_ref (u));
      if (u->paused && !u->msg_gone)
        {
          u->paused = FALSE;
          soup_server_message_unpause (u->msg);
        }
      return;
    }
  if (u->paused && !u->msg_gone)
    {
      u->paused = FALSE;
      soup_server_message_unpause (u->msg);
    }
  if (u->body_done)
    {
      if (u->received != u->file->size)
        {
          upload_fail (u, SOUP_STATUS_BAD_REQUEST, SSYNC_TRANSFER_STATUS_FAILED,
                       "The body is shorter than the announced size");
          return;
        }
      u->busy = TRUE;
      ssync_upload_complete_async (u->upload, NULL, on_completed, upload_ref (u));
    }
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              ReceiveUpload     *u)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (u->failed)
    return;
  if (len > u->file->size - u->received)
    {
      upload_fail (u, SOUP_STATUS_BAD_REQUEST, SSYNC_TRANSFER_STATUS_FAILED,
                   "The body is longer than the announced size");
      return;
    }
  u->received += len;
  g_byte_array_append (u->fill, data, len);
  if (u->fill->len < WRITE_SIZE)
    return;
  if (!u->busy)
    upload_advance (u);
  else if (!u->paused)
    {
      /* Both buffers are busy: let the disk catch up before reading more. */
      u->paused = TRUE;
      soup_server_message_pause (msg);
    }
}

static void
on_got_body (SoupServerMessage *msg,
             ReceiveUpload     *u)
{
  u->body_done = TRUE;
  upload_advance (u);
}

/* The exchange is over: answered, or the sender went away mid-body. */
static void
on_msg_finished (SoupServerMessage *msg,
                 ReceiveUpload     *u)
{
  g_signal_handlers_disconnect_by_data (msg, u);
  g_signal_handlers_disconnect_by_data (ssync_transfer_get_cancellable (u->transfer), u);
  u->msg_gone = TRUE;
  if (!u->failed && !u->succeeded)
    upload_fail (u, 0, SSYNC_TRANSFER_STATUS_INCOMPLETE,
                 "The connection closed before the file arrived");
  upload_unref (u);
}

static void
on_transfer_cancelled (GCancellable  *cancellable,
                       ReceiveUpload *u)
{
  upload_fail (u, 0, SSYNC_TRANSFER_STATUS_CANCELLED, "Receiving was stopped");
}

/* The session ended under a file in flight. */
void
ssync_receive_upload_abort (ReceiveUpload *u,
                            const char    *message)
{
  upload_fail (u, 0, SSYNC_TRANSFER_STATUS_FAILED, message);
}

static void
upload_start (SsyncLocalsendReceiver *self,
              SoupServerMessage      *msg,
              ReceiveSession         *session,
              ReceiveFile            *file)
{
  ReceiveUpload *u = g_new0 (ReceiveUpload, 1);
  const char *alias = ssync_localsend_device_get_alias (session->device);

  u->ref = 1;  /* the message's */
  u->receiver = g_object_ref (self);
  u->session = ssync_receive_session_ref (session);
  u->file = file;
  u->msg = g_object_ref (msg);
  u->fill = g_byte_array_sized_new (WRITE_SIZE + FILL_SLACK);
  u->transfer = ssync_transfer_new (session->group, alias, file->path, SSYNC_DIRECTION_UPLOAD,
                                    SSYNC_TRANSFER_KIND_LOCALSEND, session->peer, alias,
                                    file->size);
  file->upload = u;
  ssync_receive_session_touch (session);

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), u);
  g_signal_connect (msg, "got-body", G_CALLBACK (on_got_body), u);
  g_signal_connect (msg, "finished", G_CALLBACK (on_msg_finished), u);
  g_signal_connect (ssync_transfer_get_cancellable (u->transfer), "cancelled",
                    G_CALLBACK (on_transfer_cancelled), u);
  g_object_set_data (G_OBJECT (msg), "ssync-localsend-upload", u);
  ssync_localsend_receiver_emit_transfer (self, u->transfer);

  u->busy = TRUE;
  ssync_upload_new_async (ssync_localsend_receiver_get_folder (self), file->path, file->size,
                          NULL, on_created, upload_ref (u));
}

static gboolean
refuse (SoupServerMessage *msg,
        guint              status,
        const char        *text)
{
  ssync_response_refuse (msg, status, NULL, text);
  return FALSE;
}

/**
 * ssync_localsend_receiver_handle_upload_early:
 *
 * Runs once the headers of POST /upload are read. Returns %TRUE when the request belongs to
 * the session (right session, file, token and address) and its body is being received;
 * otherwise it was answered without reading the body, and %FALSE is returned.
 */
gboolean
ssync_localsend_receiver_handle_upload_early (SsyncLocalsendReceiver *self,
                                              SoupServerMessage      *msg,
                                              GHashTable             *query)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  ReceiveSession *session = self->session;
  const char *session_id = query != NULL ? g_hash_table_lookup (query, "sessionId") : NULL;
  const char *file_id = query != NULL ? g_hash_table_lookup (query, "fileId") : NULL;
  const char *token = query != NULL ? g_hash_table_lookup (query, "token") : NULL;
  ReceiveFile *file;

  g_return_val_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self), FALSE);

  if (session_id == NULL || file_id == NULL || token == NULL)
    return refuse (msg, SOUP_STATUS_BAD_REQUEST, "sessionId, fileId and token are needed");
  if (session == NULL || !session->accepted || !ssync_token_equal (session_id, session->id) ||
      g_strcmp0 (soup_server_message_get_remote_host (msg), session->peer) != 0)
    return refuse (msg, SOUP_STATUS_FORBIDDEN, "No such session");
  file = g_hash_table_lookup (session->files, file_id);
  if (file == NULL || !ssync_token_equal (token, file->token))
    return refuse (msg, SOUP_STATUS_FORBIDDEN, "Wrong file or token");
  if (file->done || file->upload != NULL)
    return refuse (msg, SOUP_STATUS_CONFLICT, "This file was already received");
  if (soup_message_headers_get_encoding (request) == SOUP_ENCODING_CONTENT_LENGTH &&
      (soup_message_headers_get_content_length (request) < 0 ||
       (guint64) soup_message_headers_get_content_length (request) > file->size))
    {
      /* Known too long before a byte is read: the file is over all the same. */
      ssync_receive_session_file_done (session, file);
      return refuse (msg, SOUP_STATUS_BAD_REQUEST, "The body is longer than the announced size");
    }
  upload_start (self, msg, session, file);
  return TRUE;
}

/* The body was read (streamed to disk): the answer waits for the file to be complete. */
void
ssync_localsend_receiver_handle_upload (SsyncLocalsendReceiver *self,
                                        SoupServerMessage      *msg)
{
  ReceiveUpload *u = g_object_get_data (G_OBJECT (msg), "ssync-localsend-upload");

  if (u == NULL || u->responded || u->msg_gone)
    return;
  u->handler_waiting = TRUE;
  soup_server_message_pause (msg);
}

/* POST /cancel?sessionId=: the sender ends its session; only from its own address. */
void
ssync_localsend_receiver_handle_cancel (SsyncLocalsendReceiver *self,
                                        SoupServerMessage      *msg,
                                        GHashTable             *query)
{
  const char *session_id = query != NULL ? g_hash_table_lookup (query, "sessionId") : NULL;
  ReceiveSession *session = self->session;

  g_return_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self));

  if (session == NULL || session_id == NULL || !ssync_token_equal (session_id, session->id) ||
      g_strcmp0 (soup_server_message_get_remote_host (msg), session->peer) != 0)
    {
      ssync_response_text (msg, SOUP_STATUS_FORBIDDEN, "No such session");
      return;
    }
  ssync_localsend_receiver_end_session (self);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}
