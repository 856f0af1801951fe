/* ssync-tus-patch.c: tus PATCH, a body streamed to disk.
 *
 * A PATCH body never sits in memory: the early handler, which runs once the headers are
 * read, checks the request and turns accumulation off, and every chunk libsoup reads is
 * appended to a 1 MiB buffer that is written on a worker thread while the next one fills
 * (NOTES.md). When both are busy the message is paused, so a fast client can not outrun
 * the disk by more than 2 MiB.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-response.h"
#include "ssync-tus-headers.h"
#include "ssync-tus-private.h"

#define WRITE_SIZE (1024 * 1024)
/* libsoup hands request bodies over in chunks of at most 8 KiB: with this room a buffer
 * never grows (and is never copied) past WRITE_SIZE. */
#define FILL_SLACK (64 * 1024)

typedef struct {
  SsyncTus *tus;
  SsyncTusEntry *entry;
  SoupServerMessage *msg;
  GByteArray *fill;
  guint64 expected_end;   /* offset after this request's body */
  gboolean writing;
  gboolean paused;
  gboolean body_done;
  gboolean handler_waiting;
  gboolean responded;
  gboolean msg_gone;
  GError *error;
} Patch;

static void patch_write_next (Patch *patch);

static void
patch_free (Patch *patch)
{
  g_clear_object (&patch->tus);
  g_clear_pointer (&patch->entry, ssync_tus_entry_unref);
  g_clear_object (&patch->msg);
  g_clear_pointer (&patch->fill, g_byte_array_unref);
  g_clear_error (&patch->error);
  g_free (patch);
}

/* The PATCH is over once the message is gone and nothing is being written. */
static void
patch_maybe_free (Patch *patch)
{
  if (patch->msg_gone && !patch->writing)
    {
      patch->entry->busy = FALSE;
      patch_free (patch);
    }
}

static void
patch_respond (Patch *patch,
               guint  status)
{
  SoupServerMessage *msg = patch->msg;

  if (patch->responded || patch->msg_gone)
    return;
  patch->responded = TRUE;

  ssync_tus_set_headers (msg);
  ssync_tus_set_offset_headers (msg, patch->entry);
  if (patch->error != NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      ssync_response_text (msg, status, patch->error->message);
    }
  else
    soup_server_message_set_status (msg, status, NULL);

  if (patch->handler_waiting)
    soup_server_message_unpause (msg);
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Patch *patch = user_data;
  SsyncTusEntry *entry = patch->entry;

  patch->writing = FALSE;
  if (ssync_upload_complete_finish (entry->upload, result, &patch->error))
    {
      ssync_tus_entry_done (entry);
      ssync_tus_forget_upload (patch->tus, entry);
      patch_respond (patch, SOUP_STATUS_NO_CONTENT);
    }
  else
    {
      ssync_transfer_finish (entry->transfer, SSYNC_TRANSFER_STATUS_FAILED,
                             patch->error->message);
      patch_respond (patch, g_error_matches (patch->error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)
                              ? SOUP_STATUS_INSUFFICIENT_STORAGE
                              : SOUP_STATUS_INTERNAL_SERVER_ERROR);
    }

  patch_maybe_free (patch);
}

/* Everything this request brought is written: answer, after making the file final if it
 * was the last part. */
static void
patch_finish (Patch *patch)
{
  SsyncTusEntry *entry = patch->entry;

  if (patch->error != NULL)
    {
      /* The user sees why (a full disk); a later PATCH resumes under a new transfer. */
      ssync_transfer_finish (entry->transfer, SSYNC_TRANSFER_STATUS_FAILED,
                             patch->error->message);
      patch_respond (patch, g_error_matches (patch->error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)
                              ? SOUP_STATUS_INSUFFICIENT_STORAGE
                              : SOUP_STATUS_INTERNAL_SERVER_ERROR);
      return;
    }

  if (!entry->gone &&
      ssync_upload_get_offset (entry->upload) == ssync_upload_get_length (entry->upload))
    {
      patch->writing = TRUE;
      ssync_upload_complete_async (entry->upload, NULL, on_completed, patch);
      return;
    }

  patch_respond (patch, SOUP_STATUS_NO_CONTENT);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Patch *patch = user_data;
  guint64 before = ssync_transfer_get_offset (patch->entry->transfer) +
                   ssync_transfer_get_bytes (patch->entry->transfer);
  guint64 now_at = ssync_upload_get_offset (patch->entry->upload);

  patch->writing = FALSE;
  if (!ssync_upload_write_finish (patch->entry->upload, result, &patch->error))
    g_message ("%s", patch->error->message);

  if (now_at > before)
    ssync_transfer_add_bytes (patch->entry->transfer, now_at - before);
  patch->entry->expires = g_get_real_time () + patch->tus->expiry;

  if (patch->paused && !patch->msg_gone)
    {
      patch->paused = FALSE;
      soup_server_message_unpause (patch->msg);
    }

  if (patch->error == NULL && (patch->fill->len >= WRITE_SIZE ||
                               ((patch->body_done || patch->msg_gone) && patch->fill->len > 0)))
    patch_write_next (patch);
  else if (patch->body_done && !patch->msg_gone)
    patch_finish (patch);

  patch_maybe_free (patch);
}

static void
patch_write_next (Patch *patch)
{
  g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&patch->fill));

  patch->fill = g_byte_array_sized_new (WRITE_SIZE + FILL_SLACK);
  patch->writing = TRUE;
  ssync_upload_write_async (patch->entry->upload, bytes, NULL, on_written, patch);
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              Patch             *patch)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (patch->error != NULL || patch->entry->gone)
    return;

  g_byte_array_append (patch->fill, data, len);
  if (patch->fill->len < WRITE_SIZE)
    return;

  if (!patch->writing)
    patch_write_next (patch);
  else if (!patch->paused)
    {
      /* Both buffers are busy: let the disk catch up before reading more. */
      patch->paused = TRUE;
      soup_server_message_pause (msg);
    }
}

static void
on_got_body (SoupServerMessage *msg,
             Patch             *patch)
{
  patch->body_done = TRUE;
  if (patch->writing)
    return;
  if (patch->fill->len > 0 && patch->error == NULL && !patch->entry->gone)
    patch_write_next (patch);
  else
    patch_finish (patch);
}

/* The exchange is over: answered, or the client went away mid-body. What did arrive is
 * still written, so the upload resumes from there. */
static void
on_finished (SoupServerMessage *msg,
             Patch             *patch)
{
  g_signal_handlers_disconnect_by_data (msg, patch);
  g_signal_handlers_disconnect_by_data (ssync_transfer_get_cancellable (patch->entry->transfer),
                                        patch);
  patch->msg_gone = TRUE;

  if (!patch->writing && patch->fill->len > 0 && patch->error == NULL && !patch->entry->gone)
    patch_write_next (patch);
  /* The expiry moved with every write. */
  if (!patch->entry->gone && !ssync_upload_is_complete (patch->entry->upload))
    ssync_tus_remember_upload (patch->tus, patch->entry);

  patch_maybe_free (patch);
}

/* Receiving was stopped mid-body: the connection is cut (the upload itself was dropped). */
static void
on_patch_cancelled (GCancellable *cancellable,
                    Patch        *patch)
{
  g_autoptr(GIOStream) connection = NULL;

  if (patch->msg_gone)
    return;

  connection = soup_server_message_steal_connection (patch->msg);
  if (connection != NULL)
    g_io_stream_close (connection, NULL, NULL);
  if (!patch->msg_gone)
    on_finished (patch->msg, patch);
}

static void
patch_start (SsyncTus          *self,
             SoupServerMessage *msg,
             SsyncTusEntry     *entry,
             guint64            content_length)
{
  Patch *patch = g_new0 (Patch, 1);

  patch->tus = g_object_ref (self);
  patch->entry = ssync_tus_entry_ref (entry);
  patch->msg = g_object_ref (msg);
  patch->fill = g_byte_array_sized_new (WRITE_SIZE + FILL_SLACK);
  patch->expected_end = ssync_upload_get_offset (entry->upload) + content_length;
  entry->busy = TRUE;

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), patch);
  g_signal_connect (msg, "got-body", G_CALLBACK (on_got_body), patch);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), patch);
  g_signal_connect (ssync_transfer_get_cancellable (entry->transfer), "cancelled",
                    G_CALLBACK (on_patch_cancelled), patch);
  g_object_set_data (G_OBJECT (msg), "ssync-tus-patch", patch);
}

/* Runs when a PATCH's headers are read, before its body: a request that can not be
 * accepted is answered now, and never costs a byte of disk or memory. */
void
ssync_tus_handle_early (SsyncTus          *self,
                        SoupServerMessage *msg,
                        SsyncShare        *share,
                        const char        *upload_id)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_one (req, "Content-Type");
  guint64 content_length = 0;
  SsyncTusEntry *entry;
  guint64 offset;

  if (!ssync_tus_is_patch (msg) || upload_id == NULL)
    return;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  if (!ssync_tus_check_version (msg) ||
      (entry = ssync_tus_lookup (self, msg, share, upload_id)) == NULL)
    {
      ssync_response_send_now (msg);
      return;
    }

  if (g_strcmp0 (content_type, "application/offset+octet-stream") != 0)
    ssync_tus_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                     _("PATCH needs Content-Type: application/offset+octet-stream"));
  else if (!ssync_tus_parse_size (soup_message_headers_get_one (req, "Upload-Offset"), &offset))
    ssync_tus_error (msg, SOUP_STATUS_BAD_REQUEST, _("Upload-Offset must be a number of bytes"));
  else if (soup_message_headers_get_encoding (req) != SOUP_ENCODING_CONTENT_LENGTH)
    ssync_tus_error (msg, SOUP_STATUS_BAD_REQUEST, _("PATCH needs a Content-Length"));
  else if (entry->busy || offset != ssync_upload_get_offset (entry->upload))
    {
      ssync_tus_set_offset_headers (msg, entry);
      ssync_tus_error (msg, SOUP_STATUS_CONFLICT,
                       _("Upload-Offset does not match what was received; ask with HEAD"));
    }
  /* libsoup turns a length past 2^63 into -1: read the number itself, and compare without
   * adding (offset is the upload's own, at most its length here), so nothing wraps. */
  else if (!ssync_tus_parse_size (soup_message_headers_get_one (req, "Content-Length"),
                                  &content_length) ||
           content_length > ssync_upload_get_length (entry->upload) - offset)
    ssync_tus_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                     _("The body goes past the announced Upload-Length"));
  else
    {
      /* Accepted: the connection may stay open after all. */
      soup_message_headers_remove (soup_server_message_get_response_headers (msg), "Connection");
      if (entry->transfer == NULL ||
          ssync_transfer_get_status (entry->transfer) != SSYNC_TRANSFER_STATUS_ACTIVE)
        {
          g_clear_object (&entry->transfer);
          entry->transfer = self->begin_transfer (msg, share,
                                                  ssync_upload_get_path (entry->upload), offset,
                                                  ssync_upload_get_length (entry->upload),
                                                  self->begin_transfer_data);
        }
      patch_start (self, msg, entry, content_length);
      return;
    }

  /* Refused: answered now, and the body is never read. */
  ssync_response_send_now (msg);
}

void
ssync_tus_handle_patch (SsyncTus          *self,
                        SoupServerMessage *msg)
{
  Patch *patch = g_object_get_data (G_OBJECT (msg), "ssync-tus-patch");

  /* The early handler answered (an error), or the writes already finished. */
  if (patch == NULL || patch->responded)
    return;

  patch->handler_waiting = TRUE;
  soup_server_message_pause (msg);
}

