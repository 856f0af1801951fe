/* ssync-http-fetch.c: --fetch's fast path: the run.
 *
 * Given a share link of another ShareSync (http://HOST:PORT/s/TOKEN), it asks that app's
 * web server for the share's listing (GET /api/files/TOKEN, at most
 * SSYNC_HTTP_FETCH_MAX_LISTING bytes), checks it as hostile (ssync-http-fetch-listing.c),
 * then downloads the files, SSYNC_HTTP_FETCH_PARALLEL at a time (ssync-http-fetch-file.c).
 * The run fails at the first file that fails, and returns once every partial file is gone.
 * When the web server cannot be reached at all the run fails with SSYNC_ERROR_UNREACHABLE:
 * the session then tries a direct (WebRTC) connection.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-http-fetch-private.h"

#define READ_SIZE (64 * 1024)
/* Seconds to connect or to wait for a byte: past them the other side is taken for gone. */
#define IO_TIMEOUT 30

G_DEFINE_FINAL_TYPE (SsyncHttpFetch, ssync_http_fetch, G_TYPE_OBJECT)

enum {
  TRANSFER_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_http_fetch_dispose (GObject *object)
{
  SsyncHttpFetch *self = SSYNC_HTTP_FETCH (object);

  if (self->outer != NULL)
    g_cancellable_disconnect (self->outer, self->outer_id);
  self->outer_id = 0;
  g_clear_object (&self->outer);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->soup);
  g_clear_object (&self->folder);

  G_OBJECT_CLASS (ssync_http_fetch_parent_class)->dispose (object);
}

static void
ssync_http_fetch_finalize (GObject *object)
{
  SsyncHttpFetch *self = SSYNC_HTTP_FETCH (object);

  g_free (self->origin);
  g_free (self->token);
  g_free (self->share_id);
  g_free (self->share_name);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ssync_http_fetch_parent_class)->finalize (object);
}

static void
ssync_http_fetch_class_init (SsyncHttpFetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_http_fetch_dispose;
  object_class->finalize = ssync_http_fetch_finalize;

  /**
   * SsyncHttpFetch::transfer-started:
   * @transfer: one file coming in (direction upload, kind http)
   */
  signals[TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);
}

static void
ssync_http_fetch_init (SsyncHttpFetch *self)
{
  self->cancellable = g_cancellable_new ();
  self->files = g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_fetch_file_free);
}

/* @url is a share link (http://HOST:PORT/s/TOKEN); files go into @folder. */
SsyncHttpFetch *
ssync_http_fetch_new (const char  *url,
                      GFile       *folder,
                      GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_PATH, NULL);
  g_autoptr(GUri) origin = NULL;
  g_auto(GStrv) parts = NULL;
  SsyncHttpFetch *self;
  const char *scheme;

  g_return_val_if_fail (url != NULL && G_IS_FILE (folder), NULL);

  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri != NULL)
    parts = g_strsplit (g_uri_get_path (uri), "/", -1);
  if (scheme == NULL || (g_ascii_strcasecmp (scheme, "http") != 0 &&
                         g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_strv_length (parts) < 3 ||
      !g_str_equal (parts[0], "") || !g_str_equal (parts[1], "s") || parts[2][0] == '\0' ||
      (parts[3] != NULL && parts[3][0] != '\0'))
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a ShareSync share link (http://HOST:PORT/s/TOKEN)"), url);
      return NULL;
    }

  self = g_object_new (SSYNC_TYPE_HTTP_FETCH, NULL);
  self->token = g_uri_unescape_string (parts[2], NULL);
  origin = g_uri_build (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri),
                        g_uri_get_port (uri), "", NULL, NULL);
  self->origin = g_uri_to_string (origin);
  self->folder = g_object_ref (folder);
  return self;
}

/* Whether @error, from asking for the listing, means nothing answered at that address: no
 * server listening, no route, no name, or no answer in time. Anything that did answer
 * (even wrongly) is an HTTP server that said something. */
gboolean
ssync_http_fetch_is_unreachable (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == G_RESOLVER_ERROR)
    return TRUE;
  return error->domain == G_IO_ERROR &&
         (error->code == G_IO_ERROR_CONNECTION_REFUSED ||
          error->code == G_IO_ERROR_TIMED_OUT ||
          error->code == G_IO_ERROR_HOST_UNREACHABLE ||
          error->code == G_IO_ERROR_NETWORK_UNREACHABLE ||
          error->code == G_IO_ERROR_HOST_NOT_FOUND);
}

/* Whether a fetch whose HTTP run failed with @error goes on over WebRTC: only when the web
 * server could not be reached, and not when @fetch_over ("auto", "webrtc" or "http") says
 * "http". A share that answered (a password, an unknown token, a lying listing) never
 * falls back: that would only hide the answer. */
gboolean
ssync_http_fetch_should_fall_back (const char   *fetch_over,
                                   const GError *error)
{
  if (g_strcmp0 (fetch_over, "http") == 0)
    return FALSE;
  return g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
}

static void
return_result (SsyncHttpFetch *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return;
  if (self->error != NULL)
    g_task_return_error (task, g_error_copy (self->error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Keeps the first failure (@error, taken) and stops everything else in flight. */
static void
fail (SsyncHttpFetch *self,
      GError         *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  g_cancellable_cancel (self->cancellable);
}

static void
start_more (SsyncHttpFetch *self)
{
  while (self->error == NULL && self->running < SSYNC_HTTP_FETCH_PARALLEL &&
         self->next < self->files->len)
    {
      SsyncFetchFile *file = g_ptr_array_index (self->files, self->next++);

      self->running++;
      file->transfer = ssync_transfer_new (self->share_id, self->share_name, file->path,
                                           SSYNC_DIRECTION_UPLOAD, SSYNC_TRANSFER_KIND_HTTP,
                                           self->origin, NULL, file->size);
      g_signal_emit (self, signals[TRANSFER_STARTED], 0, file->transfer);
      ssync_fetch_file_start (file);
    }
  if (self->running == 0)
    return_result (self);
}

/* Called by the file half once @file is over and its .part, if any, is gone: complete when
 * @error (taken) is NULL. */
void
ssync_http_fetch_file_ended (SsyncHttpFetch *self,
                             SsyncFetchFile *file,
                             GError         *error)
{
  g_object_ref (self);
  self->running--;
  if (error != NULL)
    fail (self, error);
  else
    self->n_files++;
  start_more (self);
  g_object_unref (self);
}

/* The listing's body, read up to SSYNC_HTTP_FETCH_MAX_LISTING bytes: a server that sends
 * more is lying. */
typedef struct {
  SsyncHttpFetch *self;
  GInputStream *stream;
  GByteArray *data;
} ListingRead;

static void
listing_read_free (ListingRead *read)
{
  g_object_unref (read->self);
  g_object_unref (read->stream);
  g_byte_array_unref (read->data);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListingRead, listing_read_free)

static void
on_listing_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ListingRead) read = user_data;
  SsyncHttpFetch *self = read->self;
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (read->stream, result, &error);
  if (chunk == NULL)
    {
      fail (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_NETWORK,
                               _("Reading the share’s listing from %s failed: %s"),
                               self->origin, error->message));
      g_error_free (error);
      return_result (self);
      return;
    }
  if (g_bytes_get_size (chunk) > 0)
    {
      if (read->data->len + g_bytes_get_size (chunk) > SSYNC_HTTP_FETCH_MAX_LISTING)
        {
          fail (self, ssync_http_fetch_lying (_("it is too large")));
          return_result (self);
          return;
        }
      g_byte_array_append (read->data, g_bytes_get_data (chunk, NULL),
                           g_bytes_get_size (chunk));
      GInputStream *stream = read->stream;

      g_input_stream_read_bytes_async (stream, READ_SIZE, G_PRIORITY_DEFAULT,
                                       self->cancellable, on_listing_read,
                                       g_steal_pointer (&read));
      return;
    }

  body = g_bytes_new (read->data->data, read->data->len);
  if (!ssync_http_fetch_parse_listing (self, body, &error))
    {
      fail (self, error);
      return_result (self);
      return;
    }
  start_more (self);
}

/* The answer's status, as an error when it is not 200. */
static GError *
status_error (SsyncHttpFetch *self,
              SoupMessage    *msg)
{
  guint status = soup_message_get_status (msg);

  switch (status)
    {
    case SOUP_STATUS_OK:
      return NULL;
    case SOUP_STATUS_UNAUTHORIZED:
      return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED,
                                  _("This share is protected by a password: open the link "
                                    "in a web browser to download it"));
    case SOUP_STATUS_NOT_FOUND:
      return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND,
                                  _("Unknown share: the link is wrong, or the other "
                                    "ShareSync stopped sharing it"));
    case SOUP_STATUS_GONE:
      return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND,
                                  _("This share expired, reached its download limit or was "
                                    "stopped"));
    case 429: /* Too Many Requests: libsoup names no constant for it */
      return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_BUSY,
                                  _("The other ShareSync is busy: try again in a moment"));
    default:
      return g_error_new (SSYNC_ERROR, SSYNC_ERROR_FAILED,
                          _("The other ShareSync answered %u %s"), status,
                          soup_status_get_phrase (status) != NULL
                            ? soup_status_get_phrase (status) : "");
    }
}

static void
on_listing_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SsyncHttpFetch) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (self->soup, result);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  ListingRead *read;
  GError *refusal;

  stream = soup_session_send_finish (self->soup, result, &error);
  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_FAILED,
                                         _("The transfer was cancelled")));
      else
        fail (self, g_error_new (SSYNC_ERROR,
                                 ssync_http_fetch_is_unreachable (error)
                                   ? SSYNC_ERROR_UNREACHABLE : SSYNC_ERROR_NETWORK,
                                 _("Cannot reach the other ShareSync’s web server at %s: %s"),
                                 self->origin, error->message));
      return_result (self);
      return;
    }
  refusal = status_error (self, msg);
  if (refusal != NULL)
    {
      fail (self, refusal);
      return_result (self);
      return;
    }
  if (soup_message_headers_get_content_length (soup_message_get_response_headers (msg)) >
      SSYNC_HTTP_FETCH_MAX_LISTING)
    {
      fail (self, ssync_http_fetch_lying (_("it is too large")));
      return_result (self);
      return;
    }

  read = g_new0 (ListingRead, 1);
  read->self = g_object_ref (self);
  read->stream = g_steal_pointer (&stream);
  read->data = g_byte_array_new ();
  g_input_stream_read_bytes_async (read->stream, READ_SIZE, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_listing_read, read);
}

static void
on_outer_cancelled (GCancellable   *outer,
                    SsyncHttpFetch *self)
{
  for (guint i = 0; i < self->next; i++)
    ssync_fetch_file_abort (g_ptr_array_index (self->files, i));
  g_cancellable_cancel (self->cancellable);
}

/* Fetches the whole share: succeeds when every file arrived, with the SHA-256 the listing
 * announced when it announced one. Each file is a transfer that ::transfer-started
 * announces. */
void
ssync_http_fetch_run_async (SsyncHttpFetch      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (SSYNC_IS_HTTP_FETCH (self));
  g_return_if_fail (self->task == NULL && self->soup == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, ssync_http_fetch_run_async);
  /* Cancelling the caller's cancellable cancels ours (and the run fails with a message,
   * after the .part files are gone), not the task's own return. */
  g_task_set_check_cancellable (self->task, FALSE);
  if (cancellable != NULL)
    {
      self->outer = g_object_ref (cancellable);
      self->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                              self, NULL);
    }

  self->soup = soup_session_new_with_options ("user-agent", "ShareSync/" PACKAGE_VERSION,
                                              "timeout", IO_TIMEOUT,
                                              "max-conns-per-host",
                                              SSYNC_HTTP_FETCH_PARALLEL + 1, NULL);
  escaped = g_uri_escape_string (self->token, NULL, FALSE);
  url = g_strconcat (self->origin, "/api/files/", escaped, NULL);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      fail (self, g_error_new (SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a ShareSync share link "
                                 "(http://HOST:PORT/s/TOKEN)"), url));
      return_result (self);
      return;
    }
  /* The listing comes from the link's host, and from nowhere it would redirect to. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_async (self->soup, msg, G_PRIORITY_DEFAULT, self->cancellable,
                           on_listing_sent, g_object_ref (self));
}

gboolean
ssync_http_fetch_run_finish (SsyncHttpFetch  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Files that arrived complete so far. */
guint
ssync_http_fetch_get_n_files (SsyncHttpFetch *self)
{
  g_return_val_if_fail (SSYNC_IS_HTTP_FETCH (self), 0);

  return self->n_files;
}
