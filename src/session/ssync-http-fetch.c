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
#include <string.h>

#include "ssync-duration.h"
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
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  g_free (self->cookie);
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

/* "Too many wrong passwords: try again in 5 minutes", from a 429's Retry-After. */
static GError *
too_many_attempts (SoupMessage *msg)
{
  const char *retry = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                    "Retry-After");
  guint64 seconds = 0;
  g_autofree char *wait = NULL;

  if (retry == NULL || !g_ascii_string_to_unsigned (retry, 10, 1, G_MAXINT32, &seconds, NULL))
    return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_BUSY,
                                _("Too many wrong passwords: try again later"));
  wait = ssync_duration_format ((gint64) seconds);
  /* TRANSLATORS: "Too many wrong passwords: try again in 5 minutes" */
  return g_error_new (SSYNC_ERROR, SSYNC_ERROR_BUSY,
                      _("Too many wrong passwords: try again in %s"), wait);
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
      if (self->cookie != NULL)
        return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED,
                                    _("Wrong password for this share"));
      return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED,
                                  _("This share is protected by a password: give it to "
                                    "receive the files"));
    case SOUP_STATUS_NOT_FOUND:
      return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND,
                                  _("Unknown share: the link is wrong, or the other "
                                    "ShareSync stopped sharing it"));
    case SOUP_STATUS_GONE:
      return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND,
                                  _("This share has ended: it expired, reached its download "
                                    "limit or was stopped"));
    case 429: /* Too Many Requests: libsoup names no constant for it */
      if (self->cookie != NULL)
        return too_many_attempts (msg);
      return g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_BUSY,
                                  _("The other ShareSync is busy: try again in a moment"));
    default:
      return g_error_new (SSYNC_ERROR, SSYNC_ERROR_FAILED,
                          _("The other ShareSync answered %u %s"), status,
                          soup_status_get_phrase (status) != NULL
                            ? soup_status_get_phrase (status) : "");
    }
}

/* The unlock's cookie, on every request of the run. */
void
ssync_http_fetch_add_cookie (SsyncHttpFetch *self,
                             SoupMessage    *msg)
{
  if (self->cookie != NULL && self->cookie[0] != '\0')
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie",
                                  self->cookie);
}

/* A request that got no answer: @error says why. */
static GError *
not_reached (SsyncHttpFetch *self,
             const GError   *error)
{
  return g_error_new (SSYNC_ERROR,
                      ssync_http_fetch_is_unreachable (error)
                        ? SSYNC_ERROR_UNREACHABLE : SSYNC_ERROR_NETWORK,
                      _("Cannot reach the other ShareSync’s web server at %s: %s"),
                      self->origin, error->message);
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
        fail (self, not_reached (self, error));
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
send_listing (SsyncHttpFetch *self)
{
  g_autofree char *escaped = g_uri_escape_string (self->token, NULL, FALSE);
  g_autofree char *url = g_strconcat (self->origin, "/api/files/", escaped, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

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
  ssync_http_fetch_add_cookie (self, msg);
  soup_session_send_async (self->soup, msg, G_PRIORITY_DEFAULT, self->cancellable,
                           on_listing_sent, g_object_ref (self));
}

/* The unlock answers 303 to the share's page, with the cookie when the password was right
 * and to "?wrong=1" without one when it was not; 429 once too many were wrong. */
static void
on_unlocked (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SsyncHttpFetch) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (self->soup, result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) cookies = NULL;
  guint status;

  body = soup_session_send_and_read_finish (self->soup, result, &error);
  if (body == NULL)
    {
      fail (self, not_reached (self, error));
      return_result (self);
      return;
    }

  status = soup_message_get_status (msg);
  cookies = soup_cookies_from_response (msg);
  /* An empty cookie marks that a password was given, for the statuses' messages. */
  self->cookie = cookies != NULL ? soup_cookies_to_cookie_header (cookies) : g_strdup ("");
  g_slist_free_full (g_steal_pointer (&cookies), (GDestroyNotify) soup_cookie_free);
  if (status == 429)
    fail (self, too_many_attempts (msg));
  else if (status == SOUP_STATUS_SEE_OTHER && self->cookie[0] == '\0')
    fail (self, g_error_new_literal (SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED,
                                     _("Wrong password for this share")));
  else if (status != SOUP_STATUS_SEE_OTHER)
    fail (self, status_error (self, msg));
  if (self->error != NULL)
    {
      return_result (self);
      return;
    }
  send_listing (self);
}

/* POST /s/TOKEN/unlock with the password, as the unlock page's form does. */
static void
unlock (SsyncHttpFetch *self)
{
  g_autofree char *escaped = g_uri_escape_string (self->token, NULL, FALSE);
  g_autofree char *url = g_strconcat (self->origin, "/s/", escaped, "/unlock", NULL);
  g_autofree char *form = NULL;
  gsize length;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (fields, "password", self->password);
  form = soup_form_encode_hash (fields);
  explicit_bzero (self->password, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  length = strlen (form);
  body = g_bytes_new_take (g_steal_pointer (&form), length);
  msg = soup_message_new (SOUP_METHOD_POST, url);
  if (msg == NULL)
    {
      send_listing (self);  /* says what is wrong with the link */
      return;
    }
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", body);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (self->soup, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_unlocked, g_object_ref (self));
}

/* The password of a protected share, given before the run. */
void
ssync_http_fetch_set_password (SsyncHttpFetch *self,
                               const char     *password)
{
  g_return_if_fail (SSYNC_IS_HTTP_FETCH (self));

  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  self->password = g_strdup (password);
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
  if (self->password != NULL)
    unlock (self);
  else
    send_listing (self);
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
