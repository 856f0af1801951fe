/* ssync-zip-response.c: GET and HEAD of /s/{token}/archive.zip.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-body-pump.h"
#include "ssync-filename.h"
#include "ssync-page-i18n.h"
#include "ssync-response.h"
#include "ssync-routes.h"
#include "ssync-zip-stream.h"

typedef struct {
  SsyncRouteContext *context;
  SoupServerMessage *msg;
  SsyncShare *share;
} ZipRequest;

static void
zip_request_free (ZipRequest *request)
{
  g_clear_pointer (&request->context, ssync_route_context_unref);
  g_clear_object (&request->msg);
  g_clear_object (&request->share);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZipRequest, zip_request_free)

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ZipRequest) request = user_data;
  SoupServerMessage *msg = request->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(SsyncZipStream) stream = NULL;
  g_autoptr(SsyncTransfer) transfer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *disposition = NULL;

  /* Every file was opened before the first byte: one that is missing or unreadable fails the
   * archive here, with a page, rather than a download that stops partway. Which file is for
   * the owner's log: its message holds a path. */
  stream = ssync_zip_stream_new_finish (result, &error);
  if (stream == NULL)
    {
      g_message ("Cannot make the archive of a share: %s", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        ssync_response_error_page (msg, SOUP_STATUS_GONE, NP_("The Archive Cannot Be Made"),
                                   NP_("A shared file was moved or deleted on the sharing "
                                       "computer. The files still there can be downloaded one "
                                       "by one."));
      else
        ssync_response_error_page (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                   NP_("The Archive Cannot Be Made"),
                                   NP_("The sharing computer can no longer read one of the "
                                       "shared files. The others can be downloaded one by one."));
      soup_server_message_unpause (msg);
      return;
    }

  name = g_strconcat (ssync_share_get_name (request->share), ".zip", NULL);
  disposition = ssync_content_disposition (name);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Accept-Ranges", "none");
  soup_message_headers_set_content_type (headers, "application/zip", NULL);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);

  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    {
      soup_message_headers_set_content_length (headers, ssync_zip_stream_get_size (stream));
      soup_server_message_unpause (msg);
      return;
    }

  if (!ssync_download_reserve (msg, request->share))
    {
      soup_server_message_unpause (msg);
      return;
    }
  transfer = ssync_route_begin_transfer (request->context, msg, request->share, name,
                                         SSYNC_DIRECTION_DOWNLOAD, SSYNC_TRANSFER_KIND_ZIP, 0,
                                         ssync_zip_stream_get_size (stream));
  ssync_download_count_on_finish (transfer, request->share);
  ssync_body_pump_start (request->context->buffers, msg,
                         G_INPUT_STREAM (stream), ssync_zip_stream_get_size (stream), transfer);
  soup_server_message_unpause (msg);
}

void
ssync_zip_response_handle (SsyncRouteContext *context,
                           SoupServerMessage *msg,
                           SsyncShare        *share)
{
  ZipRequest *request = g_new0 (ZipRequest, 1);

  request->context = ssync_route_context_ref (context);
  request->msg = g_object_ref (msg);
  request->share = g_object_ref (share);

  soup_server_message_pause (msg);
  ssync_zip_stream_new_async (share, NULL, on_prepared, request);
}
