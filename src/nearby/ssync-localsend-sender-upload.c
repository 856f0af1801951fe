/* ssync-localsend-sender-upload.c: sending files to a device (ssync-localsend-sender.h):
 * prepare-upload announces them and waits for the device's user, then each file the device
 * accepted is uploaded, streamed from disk, as one SsyncTransfer; a cancel (ours or a
 * transfer's) tells the device with POST cancel.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ssync-error.h"
#include "ssync-localsend-sender-private.h"
#include "ssync-token.h"

#define PREPARE_PATH "/api/localsend/v2/prepare-upload"
#define UPLOAD_PATH "/api/localsend/v2/upload"
#define CANCEL_PATH "/api/localsend/v2/cancel"
/* LocalSend's receivers take at most this many files in one session. */
#define MAX_FILES 10000
/* Session ids and tokens are opaque to us, but go back into URIs: printable and short. */
#define MAX_ID 256
#define MAX_DEPTH 8

typedef struct {
  SsyncLocalsendPeer *peer;
  char *alias;
  char *pin;
  char *send_id;             /* makes this send's file ids unique */
  GPtrArray *files;          /* SsyncLocalsendSendFile */
  guint next;
  char *session_id;          /* the device's, once it accepted */
  SsyncTransfer *transfer;   /* the file travelling */
  gulong transfer_cancel_id;
  GCancellable *cancellable; /* cut by the caller's and by the transfer's */
  GCancellable *outer;
  gulong outer_id;
} Send;

static void
end_transfer (Send                *send,
              SsyncTransferStatus  status,
              const char          *message)
{
  if (send->transfer == NULL)
    return;
  g_cancellable_disconnect (ssync_transfer_get_cancellable (send->transfer),
                            send->transfer_cancel_id);
  send->transfer_cancel_id = 0;
  ssync_transfer_finish (send->transfer, status, message);
  g_clear_object (&send->transfer);
}

static void
send_free (Send *send)
{
  end_transfer (send, SSYNC_TRANSFER_STATUS_FAILED, NULL);
  if (send->outer != NULL)
    g_cancellable_disconnect (send->outer, send->outer_id);
  g_clear_object (&send->outer);
  g_clear_object (&send->cancellable);
  g_clear_pointer (&send->peer, ssync_localsend_peer_free);
  g_clear_pointer (&send->files, g_ptr_array_unref);
  g_free (send->alias);
  g_free (send->pin);
  g_free (send->send_id);
  g_free (send->session_id);
  g_free (send);
}

static void
on_cancelled (GCancellable *cancellable,
              GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

/* Tells the device to drop the session; nobody waits for its answer. */
static void
on_cancel_sent (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SsyncLocalsendPeer) peer = user_data;
  g_autoptr(SsyncLocalsendResponse) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = ssync_localsend_sender_request_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                  &error);
  if (answer == NULL)
    g_debug ("Could not cancel the session on %s: %s", peer->address, error->message);
}

static void
send_cancel (SsyncLocalsendSender *self,
             Send                 *send)
{
  g_autofree char *escaped = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) message = NULL;
  SsyncLocalsendPeer *peer;

  if (send->session_id == NULL)
    return;
  escaped = g_uri_escape_string (send->session_id, NULL, FALSE);
  uri = g_strdup_printf ("%s%s?sessionId=%s", send->peer->base_uri, CANCEL_PATH, escaped);
  message = soup_message_new (SOUP_METHOD_POST, uri);
  if (message == NULL)
    return;
  /* The send may end before the device answers: the request keeps its own peer. */
  peer = ssync_localsend_peer_copy (send->peer);
  ssync_localsend_sender_request_async (self, peer, message, FALSE, NULL, on_cancel_sent, peer);
}

/* Ends the send with @error, failing or cancelling the file in flight and telling the device. */
static void
send_fail (GTask  *task,
           GError *error)
{
  Send *send = g_task_get_task_data (task);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  end_transfer (send, cancelled ? SSYNC_TRANSFER_STATUS_CANCELLED : SSYNC_TRANSFER_STATUS_FAILED,
                cancelled ? NULL : error->message);
  send_cancel (g_task_get_source_object (task), send);
  g_task_return_error (task, error);
}

/* What a refusal of prepare-upload means to the user. */
static GError *
error_for_status (Send  *send,
                  guint  status)
{
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return g_error_new (SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED,
                          send->pin != NULL ? _("%s did not accept the PIN")
                                            : _("%s asks for a PIN"), send->alias);
    case SOUP_STATUS_FORBIDDEN:
      return g_error_new (SSYNC_ERROR, SSYNC_ERROR_DECLINED, _("%s declined the files"),
                          send->alias);
    case SOUP_STATUS_CONFLICT:
      return g_error_new (SSYNC_ERROR, SSYNC_ERROR_BUSY,
                          _("%s is receiving from another device"), send->alias);
    default:
      return g_error_new (SSYNC_ERROR, SSYNC_ERROR_FAILED, _("%s refused the files (%u %s)"),
                          send->alias, status, soup_status_get_phrase (status));
    }
}

static gboolean
is_valid_id (const char *id)
{
  gsize length = strlen (id);

  if (length == 0 || length > MAX_ID)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isgraph (id[i]))
      return FALSE;
  return TRUE;
}

/* Reads {sessionId, files: {id: token}}; ids we did not announce are ignored. */
static gboolean
read_prepare_answer (Send    *send,
                     GBytes  *body,
                     GError **error)
{
  gsize length;
  const char *data = g_bytes_get_data (body, &length);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  JsonNode *node;
  JsonObject *tokens;

  if (length == 0 || !ssync_localsend_json_depth_ok (data, length, MAX_DEPTH)
      || !json_parser_load_from_data (parser, data, length, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto bad;
  object = json_node_get_object (root);
  node = json_object_get_member (object, "sessionId");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING
      || !is_valid_id (json_node_get_string (node)))
    goto bad;
  send->session_id = g_strdup (json_node_get_string (node));
  node = json_object_get_member (object, "files");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  tokens = json_node_get_object (node);
  for (guint i = 0; i < send->files->len; i++)
    {
      SsyncLocalsendSendFile *file = g_ptr_array_index (send->files, i);
      JsonNode *token = json_object_get_member (tokens, file->id);

      if (token == NULL)
        continue;
      if (json_node_get_value_type (token) != G_TYPE_STRING
          || !is_valid_id (json_node_get_string (token)))
        goto bad;
      file->token = g_strdup (json_node_get_string (token));
    }
  return TRUE;

bad:
  g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
               _("%s gave an answer ShareSync does not understand"), send->alias);
  return FALSE;
}

static void upload_next (GTask *task);

static void
on_uploaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Send *send = g_task_get_task_data (task);
  g_autoptr(SsyncLocalsendResponse) answer = NULL;
  GError *error = NULL;

  answer = ssync_localsend_sender_stream_finish (g_task_get_source_object (task), result, &error);
  if (answer == NULL)
    {
      send_fail (task, error);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (answer->status))
    {
      send_fail (task, g_error_new (SSYNC_ERROR, SSYNC_ERROR_FAILED,
                                    _("%s refused %s (%u %s)"), send->alias,
                                    ssync_transfer_get_file_name (send->transfer),
                                    answer->status, soup_status_get_phrase (answer->status)));
      return;
    }
  end_transfer (send, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  upload_next (g_steal_pointer (&task));
}

/* The body travels on a connection of its own, from a worker thread: libsoup would send it
 * 8 KiB per main loop trip (ssync-localsend-sender-stream.c says why and how much). */
static void
upload (GTask                  *task,
        SsyncLocalsendSendFile *file)
{
  SsyncLocalsendSender *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autofree char *session_id = g_uri_escape_string (send->session_id, NULL, FALSE);
  g_autofree char *file_id = g_uri_escape_string (file->id, NULL, FALSE);
  g_autofree char *token = g_uri_escape_string (file->token, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("%s?sessionId=%s&fileId=%s&token=%s", UPLOAD_PATH,
                                           session_id, file_id, token);

  ssync_localsend_sender_stream_async (self, send->peer, path, file, send->transfer,
                                       send->cancellable, on_uploaded, task);
}

static void
upload_next (GTask *task)
{
  SsyncLocalsendSender *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  SsyncLocalsendSendFile *file = NULL;

  while (send->next < send->files->len && file == NULL)
    {
      file = g_ptr_array_index (send->files, send->next++);
      if (file->token == NULL)
        file = NULL;
    }
  if (file == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (g_cancellable_is_cancelled (send->cancellable))
    {
      send_fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled")));
      g_object_unref (task);
      return;
    }

  /* A send belongs to no share of ours, as a fetch of another app's share does. */
  send->transfer = ssync_transfer_new (NULL, send->alias, file->name,
                                       SSYNC_DIRECTION_DOWNLOAD, SSYNC_TRANSFER_KIND_LOCALSEND,
                                       send->peer->address, send->alias, file->size);
  /* The session cuts a transfer (shutdown, a row's cancel): that ends the whole send. */
  send->transfer_cancel_id =
    g_cancellable_connect (ssync_transfer_get_cancellable (send->transfer),
                           G_CALLBACK (on_cancelled), send->cancellable, NULL);
  ssync_localsend_sender_emit_started (self, send->transfer);
  upload (task, file);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Send *send = g_task_get_task_data (task);
  g_autoptr(SsyncLocalsendResponse) answer = NULL;
  GError *error = NULL;

  answer = ssync_localsend_sender_request_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                  &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* 204: the device wants none of them (LocalSend's "nothing to transfer"). */
  if (answer->status == SOUP_STATUS_NO_CONTENT)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (answer->status != SOUP_STATUS_OK)
    {
      g_task_return_error (task, error_for_status (send, answer->status));
      return;
    }
  if (!read_prepare_answer (send, answer->body, &error))
    {
      send_fail (task, error);
      return;
    }
  upload_next (g_steal_pointer (&task));
}

static char *
build_prepare_body (SsyncLocalsendSender *self,
                    Send                 *send)
{
  g_autofree char *info = ssync_localsend_message_build_info (ssync_localsend_sender_get_me (self));
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "info");
  json_builder_add_value (builder, json_from_string (info, NULL));
  json_builder_set_member_name (builder, "files");
  json_builder_begin_object (builder);
  for (guint i = 0; i < send->files->len; i++)
    {
      SsyncLocalsendSendFile *file = g_ptr_array_index (send->files, i);

      json_builder_set_member_name (builder, file->id);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, file->id);
      json_builder_set_member_name (builder, "fileName");
      json_builder_add_string_value (builder, file->name);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) file->size);
      json_builder_set_member_name (builder, "fileType");
      json_builder_add_string_value (builder, file->mime);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
prepare (GTask *task)
{
  SsyncLocalsendSender *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autofree char *body = build_prepare_body (self, send);
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (send->pin != NULL)
    {
      g_autofree char *pin = g_uri_escape_string (send->pin, NULL, FALSE);

      uri = g_strdup_printf ("%s%s?pin=%s", send->peer->base_uri, PREPARE_PATH, pin);
    }
  else
    uri = g_strconcat (send->peer->base_uri, PREPARE_PATH, NULL);
  message = soup_message_new (SOUP_METHOD_POST, uri);
  bytes = g_bytes_new_take (g_steal_pointer (&body), strlen (body));
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  ssync_localsend_sender_request_async (self, send->peer, message, TRUE, send->cancellable,
                                        on_prepared, task);
}

static void
on_collected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Send *send = g_task_get_task_data (task);
  GError *error = NULL;

  send->files = ssync_localsend_collect_files_finish (result, &error);
  if (send->files == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < send->files->len; i++)
    {
      SsyncLocalsendSendFile *file = g_ptr_array_index (send->files, i);

      file->id = g_strdup_printf ("f%u-%s", i, send->send_id);
    }
  prepare (task);
}

/* Sends @files to @device (its address set), a folder as its files named "folder/sub/name":
 * asks it with prepare-upload (with @pin when given), waits for its user's answer, then
 * uploads each file it accepted, one after the other, each announced by ::transfer-started.
 * Fails with SSYNC_ERROR_PIN_REQUIRED (401), _DECLINED (403), _BUSY (409),
 * _UNREACHABLE (no connection, no answer, or a certificate other than its fingerprint says),
 * _FAILED otherwise; cancelled, it tells the device. */
void
ssync_localsend_sender_send_async (SsyncLocalsendSender *self,
                                   SsyncLocalsendDevice *device,
                                   GFile               **files,
                                   guint                 n_files,
                                   const char           *pin,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Send *send;

  g_return_if_fail (SSYNC_IS_LOCALSEND_SENDER (self));
  g_return_if_fail (SSYNC_IS_LOCALSEND_DEVICE (device));

  g_task_set_source_tag (task, ssync_localsend_sender_send_async);
  g_task_set_check_cancellable (task, FALSE);
  if (ssync_localsend_device_get_address (device) == NULL || n_files == 0 || n_files > MAX_FILES)
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT, "%s",
                               n_files == 0 ? _("No files to send")
                               : n_files > MAX_FILES ? _("Too many files to send at once")
                               : _("The device has no address"));
      g_object_unref (task);
      return;
    }

  send = g_new0 (Send, 1);
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);
  send->peer = ssync_localsend_peer_new (ssync_localsend_device_get_address (device),
                                         ssync_localsend_device_get_port (device),
                                         ssync_localsend_device_get_protocol (device),
                                         ssync_localsend_device_get_fingerprint (device));
  send->alias = g_strdup (ssync_localsend_device_get_alias (device));
  send->pin = pin != NULL && *pin != '\0' ? g_strdup (pin) : NULL;
  send->send_id = ssync_token_new ();
  send->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      send->outer = g_object_ref (cancellable);
      send->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                              send->cancellable, NULL);
    }
  ssync_localsend_collect_files_async (files, n_files, MAX_FILES, send->cancellable, on_collected,
                                       task);
}

gboolean
ssync_localsend_sender_send_finish (SsyncLocalsendSender *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
