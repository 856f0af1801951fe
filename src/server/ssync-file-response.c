/* ssync-file-response.c: GET and HEAD of one shared file.
 *
 * The file is opened and stat'ed asynchronously at request time, so the validators
 * (ETag, Last-Modified) and the length describe the file as it is now: a file replaced
 * since it was shared gets a new ETag, and If-Range then refuses to splice old and new.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-body-pump.h"
#include "ssync-filename.h"
#include "ssync-page-i18n.h"
#include "ssync-range.h"
#include "ssync-response.h"
#include "ssync-routes.h"

typedef struct {
  SsyncRouteContext *context;
  SoupServerMessage *msg;
  SsyncShare *share;
  SsyncFileEntry *entry;
  GFileInputStream *stream;
} FileRequest;

static void
file_request_free (FileRequest *request)
{
  g_clear_pointer (&request->context, ssync_route_context_unref);
  g_clear_object (&request->msg);
  g_clear_object (&request->share);
  g_clear_object (&request->entry);
  g_clear_object (&request->stream);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FileRequest, file_request_free)

/* @format, a page string with one %s, translated for @msg's reader, with @name in it. The
 * catalog's entry keeps its %s (the i18n check makes sure), so the format is safe. */
static char *
dup_page_text (SoupServerMessage *msg,
               const char        *format,
               const char        *name)
{
  const char *translated = ssync_page_gettext (ssync_page_locale_for_request (msg), format);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return g_strdup_printf (translated, name);
#pragma GCC diagnostic pop
}

/* A file that was shared but cannot be sent now: a page a person can read, in their language,
 * naming the file. The error names the file's path: for the owner's log, never for the
 * client. The text is translated here, where the name goes in; the error page's own lookup
 * then finds no entry for the result and keeps it as it is. */
static void
answer_unavailable (FileRequest  *request,
                    const GError *error)
{
  const char *name = ssync_file_entry_get_name (request->entry);
  g_autofree char *text = NULL;

  g_message ("Cannot send a shared file: %s", error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      text = dup_page_text (request->msg,
                            NP_("“%s” was moved or deleted on the sharing computer. Ask the "
                                "person who shared it to share it again."), name);
      ssync_response_error_page (request->msg, SOUP_STATUS_GONE,
                                 NP_("This File Is No Longer Shared"), text);
    }
  else
    {
      text = dup_page_text (request->msg,
                            NP_("The sharing computer can no longer read “%s”. Ask the person "
                                "who shared it to share it again."), name);
      ssync_response_error_page (request->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                 NP_("This File Cannot Be Read"), text);
    }

  soup_server_message_unpause (request->msg);
}

static void
on_counted_transfer_finished (SsyncTransfer *transfer,
                              SsyncShare    *share)
{
  ssync_share_end_download (share,
                            ssync_transfer_get_status (transfer) == SSYNC_TRANSFER_STATUS_COMPLETE);
}

/* Takes one of @share's remaining downloads for a transfer about to start; when the limit's
 * last places are all in flight, answers 503 (the transfers may still fail and free one). */
gboolean
ssync_download_reserve (SoupServerMessage *msg,
                        SsyncShare        *share)
{
  if (ssync_share_reserve_download (share))
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                "30");
  ssync_response_error_page (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NP_("Try Again Shortly"),
                             NP_("The last downloads this share allows are in progress. If one "
                                 "of them fails, its place is free again."));
  return FALSE;
}

/* @transfer holds a reservation of @share's: it counts as a download once it completes. */
void
ssync_download_count_on_finish (SsyncTransfer *transfer,
                                SsyncShare    *share)
{
  g_signal_connect_object (transfer, "finished", G_CALLBACK (on_counted_transfer_finished),
                           share, 0);
}

/* Whether a transfer from @start to @end (of @size bytes) counts as a download: it must
 * deliver the file's last byte, and begin at its first byte or be the end of a download the
 * same client began there (a resumed download counts once, a suffix probe never). */
static gboolean
counts_as_download (FileRequest *request,
                    const char  *range_header,
                    guint64      start,
                    guint64      end,
                    guint64      size)
{
  const char *address = soup_server_message_get_remote_host (request->msg);
  const char *file_id = ssync_file_entry_get_id (request->entry);
  gboolean suffix = range_header != NULL && g_str_has_prefix (range_header, "bytes=-");

  if (size > 0 && end != size - 1)
    return FALSE;
  if (start == 0)
    return TRUE;
  return !suffix && ssync_share_has_started (request->share, address, file_id);
}

static void
send_file (FileRequest *request,
           guint64      size,
           gint64       mtime)
{
  SoupServerMessage *msg = request->msg;
  SoupMessageHeaders *req_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *name = ssync_file_entry_get_name (request->entry);
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (mtime);
  g_autofree char *last_modified = soup_date_time_to_string (date, SOUP_DATE_HTTP);
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x\"",
                                           size, mtime);
  g_autofree char *disposition = ssync_content_disposition (name);
  g_autofree char *content_type = g_content_type_guess (name, NULL, 0, NULL);
  g_autofree char *mime = g_content_type_get_mime_type (content_type);
  g_autoptr(SsyncTransfer) transfer = NULL;
  g_autoptr(GError) error = NULL;
  guint64 start = 0, end = size > 0 ? size - 1 : 0;
  SsyncRangeResult range = SSYNC_RANGE_FULL;
  gboolean counted;

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (headers, "Accept-Ranges", "bytes");
  soup_message_headers_replace (headers, "ETag", etag);
  soup_message_headers_replace (headers, "Last-Modified", last_modified);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "Cache-Control", "private, no-cache");
  soup_message_headers_set_content_type (headers, mime ? mime : "application/octet-stream",
                                         NULL);

  if (ssync_range_if_range_holds (soup_message_headers_get_one (req_headers, "If-Range"),
                                  etag, last_modified))
    range = ssync_range_parse (soup_message_headers_get_one (req_headers, "Range"), size,
                               &start, &end);

  if (range == SSYNC_RANGE_UNSATISFIABLE)
    {
      g_autofree char *content_range = g_strdup_printf ("bytes */%" G_GUINT64_FORMAT, size);

      soup_message_headers_replace (headers, "Content-Range", content_range);
      soup_server_message_set_status (msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, NULL);
      soup_server_message_unpause (msg);
      return;
    }

  if (range == SSYNC_RANGE_PARTIAL)
    {
      soup_message_headers_set_content_range (headers, start, end, size);
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
      if (start > 0 &&
          !g_seekable_seek (G_SEEKABLE (request->stream), start, G_SEEK_SET, NULL, &error))
        {
          answer_unavailable (request, error);
          return;
        }
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);

  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    {
      soup_message_headers_set_content_length (headers, size > 0 ? end - start + 1 : 0);
      soup_server_message_unpause (msg);
      return;
    }

  counted = counts_as_download (request, soup_message_headers_get_one (req_headers, "Range"),
                                start, end, size);
  if (counted && !ssync_download_reserve (msg, request->share))
    {
      soup_server_message_unpause (msg);
      return;
    }
  if (start == 0)
    ssync_share_note_started (request->share, soup_server_message_get_remote_host (msg),
                              ssync_file_entry_get_id (request->entry));

  transfer = ssync_route_begin_transfer (request->context, msg, request->share,
                                         ssync_file_entry_get_path (request->entry),
                                         SSYNC_DIRECTION_DOWNLOAD, SSYNC_TRANSFER_KIND_FILE, start,
                                         size > 0 ? end - start + 1 : 0);
  if (counted)
    ssync_download_count_on_finish (transfer, request->share);

  ssync_body_pump_start (request->context->buffers, msg,
                         G_INPUT_STREAM (request->stream), size > 0 ? end - start + 1 : 0,
                         transfer);
  soup_server_message_unpause (msg);
}

/* Opening and stat'ing are done in one trip to a worker thread rather than two: under
 * many small requests every hop between threads shows in the request rate. */
static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  FileRequest *request = task_data;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  GError *error = NULL;

  stream = g_file_read (ssync_file_entry_get_file (request->entry), cancellable, &error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                           G_FILE_ATTRIBUTE_TIME_MODIFIED, cancellable, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  request->stream = g_steal_pointer (&stream);
  g_task_return_pointer (task, g_steal_pointer (&info), g_object_unref);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  FileRequest *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_task_propagate_pointer (G_TASK (result), &error);
  if (info == NULL)
    {
      answer_unavailable (request, error);
      return;
    }

  send_file (request, g_file_info_get_size (info),
             g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED));
}

void
ssync_file_response_handle (SsyncRouteContext *context,
                            SoupServerMessage *msg,
                            SsyncShare        *share,
                            SsyncFileEntry    *entry)
{
  FileRequest *request = g_new0 (FileRequest, 1);
  g_autoptr(GTask) task = NULL;

  request->context = ssync_route_context_ref (context);
  request->msg = g_object_ref (msg);
  request->share = g_object_ref (share);
  request->entry = g_object_ref (entry);

  task = g_task_new (NULL, NULL, on_opened, NULL);
  g_task_set_task_data (task, request, (GDestroyNotify) file_request_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, open_thread);
}
