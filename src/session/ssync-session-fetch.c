/* ssync-session-fetch.c: the session's fetch of another ShareSync's share (--fetch, the
 * window's Receive From Link). Over HTTP first (SsyncHttpFetch: the other app's web server,
 * several files at once, resumable); over a direct WebRTC connection (SsyncRtcService) only
 * when that web server cannot be reached, or when the "fetch-over" setting says "webrtc".
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-http-fetch.h"
#include "ssync-session-fetch.h"
#include "ssync-session-private.h"

typedef struct {
  char *url;
  GFile *folder;
  const char *path;   /* "http" or "webrtc": the way the files came, or were last tried */
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_free (fetch->url);
  g_object_unref (fetch->folder);
  g_free (fetch);
}

static void
on_rtc_fetched (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  int n_files = ssync_rtc_service_fetch_finish (SSYNC_RTC_SERVICE (source), result, &error);

  if (n_files < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n_files);
}

static void
fetch_over_webrtc (GTask *task)
{
  SsyncSession *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);

  fetch->path = "webrtc";
  ssync_rtc_service_fetch_async (self->rtc, fetch->url, fetch->folder,
                                 g_task_get_cancellable (task), on_rtc_fetched, task);
}

static void
on_http_transfer_started (SsyncHttpFetch *http,
                          SsyncTransfer  *transfer,
                          SsyncSession   *self)
{
  ssync_session_track_transfer (self, transfer);
}

static void
on_http_fetched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  SsyncSession *self = g_task_get_source_object (task);
  SsyncHttpFetch *http = SSYNC_HTTP_FETCH (source);
  GError *error = NULL;

  g_signal_handlers_disconnect_by_data (http, self);
  if (ssync_http_fetch_run_finish (http, result, &error))
    g_task_return_int (task, ssync_http_fetch_get_n_files (http));
  else if (ssync_http_fetch_should_fall_back (ssync_config_get_string (self->config,
                                                                       "fetch-over"),
                                              error))
    {
      g_debug ("fetching over WebRTC: %s", error->message);
      g_error_free (error);
      fetch_over_webrtc (g_steal_pointer (&task));
    }
  else
    g_task_return_error (task, error);
  g_clear_object (&task);
  g_object_unref (http);
}

/* Fetches the share at @url (another ShareSync's /s/TOKEN link) into @folder, folders
 * kept: over its web server, or over a direct connection when that cannot be reached (see
 * ssync_session_fetch_get_path()). Each file is a transfer (direction upload, kind http or
 * webrtc) that "transfer-started" announces and the history records; the fetch succeeds
 * when every file arrived, with the SHA-256 the other side announced. */
void
ssync_session_fetch_async (SsyncSession        *self,
                           const char          *url,
                           GFile               *folder,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  ssync_session_fetch_with_password_async (self, url, folder, NULL, cancellable, callback,
                                           user_data);
}

/* ssync_session_fetch_async() for a share protected by @password (NULL: none). It unlocks
 * the share as its page's form does; a wrong password, too many of them (with the time to
 * wait), a share that ended and one that needs a password each fail with their own
 * message. A direct (WebRTC) fetch cannot unlock a share. */
void
ssync_session_fetch_with_password_async (SsyncSession        *self,
                                         const char          *url,
                                         GFile               *folder,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Fetch *fetch = g_new0 (Fetch, 1);
  SsyncHttpFetch *http;
  GError *error = NULL;

  g_return_if_fail (SSYNC_IS_SESSION (self));
  g_return_if_fail (url != NULL && G_IS_FILE (folder));

  g_task_set_source_tag (task, ssync_session_fetch_with_password_async);
  fetch->url = g_strdup (url);
  fetch->folder = g_object_ref (folder);
  fetch->path = "http";
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  if (g_strcmp0 (ssync_config_get_string (self->config, "fetch-over"), "webrtc") == 0)
    {
      fetch_over_webrtc (task);
      return;
    }

  http = ssync_http_fetch_new (url, folder, &error);
  if (http == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (password != NULL && password[0] != '\0')
    ssync_http_fetch_set_password (http, password);
  g_signal_connect (http, "transfer-started", G_CALLBACK (on_http_transfer_started), self);
  ssync_http_fetch_run_async (http, cancellable, on_http_fetched, task);
}

/* The number of files that arrived, or -1 with @error. */
int
ssync_session_fetch_finish (SsyncSession  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

/* The way the fetch of @result went: "http" or "webrtc" (the last one tried, when it
 * failed). */
const char *
ssync_session_fetch_get_path (SsyncSession *self,
                              GAsyncResult *result)
{
  Fetch *fetch;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  fetch = g_task_get_task_data (G_TASK (result));
  return fetch->path;
}

/* The link the fetch of @result was for, to ask again with a password. */
const char *
ssync_session_fetch_get_url (SsyncSession *self,
                             GAsyncResult *result)
{
  Fetch *fetch;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  fetch = g_task_get_task_data (G_TASK (result));
  return fetch->url;
}
