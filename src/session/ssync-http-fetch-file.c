/* ssync-http-fetch-file.c: --fetch's fast path, one file.
 *
 * GET /s/TOKEN/f/ID/NAME, streamed into "NAME.part" through core's SsyncUpload, which
 * writes and hashes each chunk on worker threads while the next ones are read (at most
 * SSYNC_FETCH_BUFFERS chunks held: memory stays flat however large the file). A connection cut in the middle
 * is resumed with a Range request from the bytes already on disk, with If-Range so that a
 * file that changed on the other side is never spliced onto the old one. The answer must
 * be exactly what the listing announced: its length, its range, then its SHA-256
 * (SsyncUpload checks it before the file gets its name, linked from the .part under the
 * first free name); any other end removes the .part.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-http-fetch-private.h"

#define CHUNK_SIZE (1024 * 1024)
/* Cuts a file survives, and the pause before each resume. */
#define MAX_RESUMES 5
#define RESUME_DELAY_MS 500

void
ssync_fetch_file_free (SsyncFetchFile *file)
{
  g_free (file->id);
  g_free (file->path);
  g_free (file->url_name);
  g_free (file->sha256);
  g_free (file->etag);
  g_clear_object (&file->transfer);
  g_clear_object (&file->upload);
  g_clear_object (&file->body);
  g_clear_error (&file->ending_error);
  g_clear_error (&file->failure);
  for (guint i = 0; i < SSYNC_FETCH_BUFFERS; i++)
    g_free (file->buffers[i]);
  g_free (file->broken);
  g_free (file);
}

static gboolean
is_cancelled (SsyncFetchFile *file)
{
  return g_cancellable_is_cancelled (file->fetch->cancellable);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_FAILED, _("The transfer was cancelled"));
}

static void
on_part_deleted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SsyncFetchFile *file = user_data;

  ssync_upload_delete_finish (SSYNC_UPLOAD (source), result, NULL);
  file->deleted = TRUE;
  if (file->ending)
    ssync_http_fetch_file_ended (file->fetch, file, g_steal_pointer (&file->ending_error));
}

static void
delete_part (SsyncFetchFile *file)
{
  if (file->deleting)
    return;
  file->deleting = TRUE;
  ssync_upload_delete_async (file->upload, on_part_deleted, file);
}

/* Ends @file: complete when @error (taken) is NULL, else failed (cancelled when the run
 * was) and its .part removed before the run hears of it. */
static void
end_file (SsyncFetchFile *file,
          GError         *error)
{
  g_clear_object (&file->body);
  /* Nothing is in flight: the buffers go now, not when the whole run ends. */
  for (guint i = 0; i < SSYNC_FETCH_BUFFERS; i++)
    g_clear_pointer (&file->buffers[i], g_free);
  if (error != NULL && file->transfer != NULL)
    ssync_transfer_finish (file->transfer,
                           is_cancelled (file) ? SSYNC_TRANSFER_STATUS_CANCELLED
                                               : SSYNC_TRANSFER_STATUS_FAILED,
                           error->message);
  if (error == NULL || file->upload == NULL || ssync_upload_is_complete (file->upload) ||
      file->deleted)
    {
      ssync_http_fetch_file_ended (file->fetch, file, error);
      return;
    }

  file->ending = TRUE;
  file->ending_error = error;
  delete_part (file);
}

/* Ends @file with @error (taken) once no read or write is in flight; the first failure
 * wins. */
static void
fail_file (SsyncFetchFile *file,
           GError         *error)
{
  if (file->failure == NULL)
    file->failure = error;
  else
    g_error_free (error);
}

/* The run was cancelled: the .part goes now, not once the reads in flight return (a caller
 * that exits right after cancelling must not leave it behind). A completion in flight
 * wins or fails cleanly: SsyncUpload's lock orders the two, and a complete file stays. */
void
ssync_fetch_file_abort (SsyncFetchFile *file)
{
  if (file->upload != NULL && !ssync_upload_is_complete (file->upload))
    delete_part (file);
}

static void send_request (SsyncFetchFile *file);

static gboolean
on_resume_delay (gpointer user_data)
{
  SsyncFetchFile *file = user_data;

  if (is_cancelled (file))
    end_file (file, cancelled_error ());
  else
    send_request (file);
  return G_SOURCE_REMOVE;
}

/* The connection broke (@cause): resumes from what is on disk, or gives up. */
static void
resume_or_fail (SsyncFetchFile *file,
                const char     *cause)
{
  g_clear_object (&file->body);
  if (is_cancelled (file))
    {
      end_file (file, cancelled_error ());
      return;
    }
  if (file->resumes >= MAX_RESUMES)
    {
      end_file (file, g_error_new (SSYNC_ERROR, SSYNC_ERROR_NETWORK,
                                   _("Receiving %s from %s failed: %s"), file->path,
                                   file->fetch->origin, cause));
      return;
    }
  file->resumes++;
  g_debug ("resuming %s at %" G_GUINT64_FORMAT " (%s)", file->path,
           ssync_upload_get_offset (file->upload), cause);
  g_timeout_add_once (RESUME_DELAY_MS, (GSourceOnceFunc) on_resume_delay, file);
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SsyncFetchFile *file = user_data;
  GError *error = NULL;

  if (!ssync_upload_complete_finish (file->upload, result, &error))
    {
      end_file (file, error);
      return;
    }
  ssync_transfer_set_result (file->transfer, ssync_upload_get_sha256 (file->upload),
                             ssync_upload_get_saved_as (file->upload));
  ssync_transfer_finish (file->transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  end_file (file, NULL);
}

/* Every byte is on disk: SsyncUpload names the file when its SHA-256 (hashed on a worker
 * thread as the chunks were written) is the one announced. */
static void
complete (SsyncFetchFile *file)
{
  ssync_upload_complete_async (file->upload, NULL, on_completed, file);
}

static void advance (SsyncFetchFile *file);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SsyncFetchFile *file = user_data;
  GError *error = NULL;
  guint64 before = ssync_transfer_get_bytes (file->transfer);

  file->writing--;
  if (!ssync_upload_write_finish (file->upload, result, &error))
    {
      fail_file (file, error);
      advance (file);
      return;
    }
  ssync_transfer_add_bytes (file->transfer, ssync_upload_get_offset (file->upload) - before);
  if (is_cancelled (file))
    fail_file (file, cancelled_error ());
  advance (file);
}

/* Hands the buffer being filled to the writer (after a failure it is dropped); the next
 * read fills the next buffer of the ring, once its chunk is written. Writes complete in
 * order, so the next one is always the oldest. */
static void
queue_filled (SsyncFetchFile *file)
{
  if (file->failure == NULL)
    {
      g_autoptr(GBytes) chunk = g_bytes_new_static (file->buffers[file->fill], file->filled);

      file->writing++;
      ssync_upload_write_async (file->upload, chunk, NULL, on_written, file);
    }
  file->fill = (file->fill + 1) % SSYNC_FETCH_BUFFERS;
  file->filled = 0;
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SsyncFetchFile *file = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  file->reading = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      /* What was read into the buffer is dropped: the resume asks for it again. */
      file->filled = 0;
      g_free (file->broken);
      file->broken = g_strdup (error->message);
    }
  else if (n == 0)
    {
      file->body_ended = TRUE;
      if (file->filled > 0)
        queue_filled (file);
    }
  else if ((guint64) n > file->size - file->accepted)
    fail_file (file, g_error_new (SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                                  _("%s is larger than the share’s listing says"), file->path));
  else
    {
      file->accepted += n;
      file->filled += n;
      if (file->filled == file->buffer_size || file->accepted == file->size)
        queue_filled (file);
    }
  advance (file);
}

/* Reads more of the body into the buffer being filled. Reads return what the socket holds
 * (often far less than a buffer); a write (a hop to two worker threads) happens once a
 * buffer is full. */
static void
read_more (SsyncFetchFile *file)
{
  if (file->buffers[file->fill] == NULL)
    {
      file->buffer_size = MIN (CHUNK_SIZE, file->size);
      file->buffers[file->fill] = g_malloc (file->buffer_size);
    }
  file->reading = TRUE;
  g_input_stream_read_async (file->body, file->buffers[file->fill] + file->filled,
                             file->buffer_size - file->filled, G_PRIORITY_DEFAULT,
                             file->fetch->cancellable, on_read, file);
}

/* Moves the file on after a read or a write returned. One read stays in flight while the
 * chunks before it are written (and hashed) on worker threads, so the network, the disk and
 * the hash work at the same time, yet at most SSYNC_FETCH_BUFFERS chunks are held: memory
 * stays flat. An end (a failure, a cut, the body's end) waits until nothing is in flight:
 * the .part's offset is then what a resume asks for, and nothing calls back into a file
 * that was freed. */
static void
advance (SsyncFetchFile *file)
{
  if (file->reading || file->writing > 0)
    {
      if (file->failure == NULL && file->broken == NULL && !file->body_ended &&
          !file->reading && file->writing < SSYNC_FETCH_BUFFERS)
        read_more (file);
      return;
    }

  if (file->failure != NULL)
    {
      g_clear_pointer (&file->broken, g_free);
      file->body_ended = FALSE;
      end_file (file, g_steal_pointer (&file->failure));
    }
  else if (file->broken != NULL)
    {
      g_autofree char *cause = g_steal_pointer (&file->broken);

      file->body_ended = FALSE;
      resume_or_fail (file, cause);
    }
  else if (file->body_ended)
    {
      file->body_ended = FALSE;
      if (ssync_upload_get_offset (file->upload) == file->size)
        complete (file);
      else
        resume_or_fail (file, _("the connection ended early"));
    }
  else
    read_more (file);
}

/* Whether the answer to a request from @offset is the rest of the file the listing
 * announced; @error says why not. */
static gboolean
check_answer (SsyncFetchFile  *file,
              SoupMessage     *msg,
              guint64          offset,
              GError         **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  guint status = soup_message_get_status (msg);
  goffset start = 0, end = 0, total = 0;

  if (offset > 0 && status == SOUP_STATUS_OK)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_CHANGED,
                   _("%s changed on the other computer while it was being fetched"),
                   file->path);
      return FALSE;
    }
  if (status != (offset > 0 ? SOUP_STATUS_PARTIAL_CONTENT : SOUP_STATUS_OK))
    {
      g_set_error (error, SSYNC_ERROR, status == SOUP_STATUS_GONE ? SSYNC_ERROR_NOT_FOUND
                                                                  : SSYNC_ERROR_FAILED,
                   _("The other ShareSync answered %u for %s"), status, file->path);
      return FALSE;
    }
  if ((offset > 0 && (!soup_message_headers_get_content_range (headers, &start, &end, &total) ||
                      (guint64) start != offset || (guint64) total != file->size ||
                      (guint64) end + 1 != file->size)) ||
      (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
       (guint64) soup_message_headers_get_content_length (headers) != file->size - offset))
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("%s does not have the size the share’s listing says"), file->path);
      return FALSE;
    }
  return TRUE;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SsyncFetchFile *file = user_data;
  SoupSession *soup = SOUP_SESSION (source);
  SoupMessage *msg = soup_session_get_async_result_message (soup, result);
  guint64 offset = ssync_upload_get_offset (file->upload);
  g_autoptr(GError) error = NULL;
  GError *refusal = NULL;

  file->body = soup_session_send_finish (soup, result, &error);
  if (file->body == NULL)
    {
      resume_or_fail (file, error->message);
      return;
    }
  if (!check_answer (file, msg, offset, &refusal))
    {
      end_file (file, refusal);
      return;
    }
  if (file->etag == NULL)
    file->etag = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                         "ETag"));
  file->accepted = offset;
  file->filled = 0;
  advance (file);
}

static void
send_request (SsyncFetchFile *file)
{
  SsyncHttpFetch *fetch = file->fetch;
  g_autofree char *token = g_uri_escape_string (fetch->token, NULL, FALSE);
  g_autofree char *name = g_uri_escape_string (file->url_name, NULL, FALSE);
  g_autofree char *url = g_strconcat (fetch->origin, "/s/", token, "/f/", file->id, "/", name,
                                      NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  guint64 offset = ssync_upload_get_offset (file->upload);

  if (msg == NULL)
    {
      end_file (file, g_error_new (SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                                   _("%s has no valid address"), file->path));
      return;
    }
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (offset > 0)
    {
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

      soup_message_headers_set_range (headers, offset, -1);
      if (file->etag != NULL)
        soup_message_headers_replace (headers, "If-Range", file->etag);
    }
  soup_session_send_async (fetch->soup, msg, G_PRIORITY_DEFAULT, fetch->cancellable, on_sent,
                           file);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SsyncFetchFile *file = user_data;
  GError *error = NULL;

  file->upload = ssync_upload_new_finish (result, &error);
  if (file->upload == NULL)
    {
      end_file (file, error);
      return;
    }
  ssync_upload_set_expected_sha256 (file->upload, file->sha256);
  if (is_cancelled (file))
    end_file (file, cancelled_error ());
  else if (file->size == 0)
    complete (file);
  else
    send_request (file);
}

/* Creates the .part (folders kept, the path sanitised by SsyncUpload too), then asks for
 * the file. */
void
ssync_fetch_file_start (SsyncFetchFile *file)
{
  ssync_upload_new_async (file->fetch->folder, file->path, file->size, NULL, on_created, file);
}
