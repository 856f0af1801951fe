/* ssync-session-rtc.c: the session's direct (WebRTC) side: a host per page or app that
 * asks over /ws, the GStreamer plugin check, STUN/TURN servers, and fetching another app's
 * share.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-rtc-check.h"
#include "ssync-rtc-fetch.h"
#include "ssync-rtc-frame.h"
#include "ssync-rtc-host.h"
#include "ssync-rtc-ice.h"
#include "ssync-session-private.h"

/* Ends the direct connections to @share (NULL: all of them). */
void
ssync_session_close_hosts (SsyncSession *self,
                           SsyncShare   *share)
{
  g_autoptr(GPtrArray) closing = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  SsyncRtcHost *host;

  if (self->hosts == NULL)
    return;
  g_hash_table_iter_init (&iter, self->hosts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &host))
    if (share == NULL || ssync_rtc_host_get_share (host) == share)
      g_ptr_array_add (closing, g_object_ref (host));
  for (guint i = 0; i < closing->len; i++)
    ssync_rtc_host_close (g_ptr_array_index (closing, i), NULL);
}

typedef struct {
  SsyncSession *session;
  guint64 client_id;
} HostLink;

static void
on_host_signal (SsyncRtcHost *host,
                const char   *text,
                HostLink     *link)
{
  ssync_ws_hub_send (ssync_server_get_ws_hub (link->session->server), link->client_id, text);
}

static void
on_host_transfer_started (SsyncRtcHost  *host,
                          SsyncTransfer *transfer,
                          HostLink      *link)
{
  SsyncSession *self = link->session;

  /* The page that asked follows its direct transfer like its HTTP ones. */
  ssync_ws_hub_watch_transfer (ssync_server_get_ws_hub (self->server),
                               ssync_rtc_host_get_share (host), transfer);
  ssync_session_track_transfer (self, transfer);
}

static void
on_host_closed (SsyncRtcHost *host,
                HostLink     *link)
{
  if (link->session->hosts != NULL)
    g_hash_table_remove (link->session->hosts, &link->client_id);
}

static void
on_rtc_connect (SsyncWsHub   *hub,
                guint64       client_id,
                SsyncShare   *share,
                const char   *peer,
                const char   *user_agent,
                SsyncSession *self)
{
  g_autoptr(SsyncRtcHost) host = ssync_rtc_host_new (share, peer, user_agent,
                                                     self->stun_server, self->turn_server);
  g_autoptr(GError) error = NULL;
  HostLink *link = g_new0 (HostLink, 1);
  guint64 *key = g_new (guint64, 1);

  link->session = self;
  link->client_id = *key = client_id;
  g_signal_connect_data (host, "signal", G_CALLBACK (on_host_signal), link,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  g_signal_connect (host, "transfer-started", G_CALLBACK (on_host_transfer_started), link);
  g_signal_connect (host, "closed", G_CALLBACK (on_host_closed), link);
  g_hash_table_insert (self->hosts, key, g_object_ref (host));
  ssync_rtc_host_set_max_upload_size (host, ssync_server_get_max_upload_size (self->server));
  ssync_rtc_host_set_upload_gate (host, ssync_upload_gatekeeper_ask, self->gatekeeper);

  if (!ssync_rtc_host_start (host, &error))
    {
      g_autoptr(JsonObject) frame = ssync_rtc_frame_new ("error");
      g_autofree char *text = NULL;

      json_object_set_string_member (frame, "message", error->message);
      text = ssync_rtc_frame_to_text (frame);
      ssync_ws_hub_send (hub, client_id, text);
      ssync_rtc_host_close (host, error->message);
    }
}

static void
on_rtc_signal (SsyncWsHub   *hub,
               guint64       client_id,
               JsonObject   *message,
               SsyncSession *self)
{
  SsyncRtcHost *host = g_hash_table_lookup (self->hosts, &client_id);

  if (host != NULL)
    ssync_rtc_host_handle_signal (host, message);
}

static void
on_rtc_client_closed (SsyncWsHub   *hub,
                      guint64       client_id,
                      SsyncSession *self)
{
  SsyncRtcHost *host = g_hash_table_lookup (self->hosts, &client_id);

  /* The page was closed or went away: a file in flight fails. */
  if (host != NULL)
    ssync_rtc_host_close (host, _("The other side went away"));
}

/* The servers from the preferences, with the TURN password from the keyring (NULL: none). */
static void
apply_ice_servers (SsyncSession *self,
                   const char   *password)
{
  g_autofree char *stun = g_settings_get_string (self->settings, "stun-server");
  g_autofree char *turn = g_settings_get_string (self->settings, "turn-server");
  g_autofree char *user = g_settings_get_string (self->settings, "turn-username");
  g_autofree char *uri = NULL;
  gboolean dropped = FALSE;

  g_strstrip (stun);
  uri = ssync_rtc_turn_uri (turn, user, password, &dropped);
  if (dropped)
    g_printerr ("sharesync: %s\n", _("The password written into the TURN server setting is "
                                     "ignored: enter it in the preferences, which keep it in "
                                     "the keyring"));
  ssync_session_set_ice_servers (self, stun, uri);
  if (uri != NULL)
    explicit_bzero (uri, strlen (uri));
}

static void
on_turn_password (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SsyncSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;

  password = ssync_credentials_lookup_finish (SSYNC_CREDENTIALS (source), result, &error);
  if (password == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("No password for the TURN relay: %s", error->message);
  if (self->settings != NULL && !g_cancellable_is_cancelled (self->cancellable))
    apply_ice_servers (self, password);
  if (password != NULL)
    explicit_bzero (password, strlen (password));
}

/* Reads the servers again; a TURN user name means its password is looked up first. */
static void
load_ice_settings (SsyncSession *self)
{
  g_autofree char *turn = g_settings_get_string (self->settings, "turn-server");
  g_autofree char *user = g_settings_get_string (self->settings, "turn-username");
  g_autofree char *endpoint = ssync_rtc_turn_uri (turn, NULL, NULL, NULL);

  apply_ice_servers (self, NULL);
  if (endpoint == NULL || *user == '\0')
    return;

  if (self->ice_credentials == NULL)
    self->ice_credentials = ssync_credentials_new ();
  ssync_credentials_lookup_async (self->ice_credentials, endpoint, user, self->cancellable,
                                  on_turn_password, g_object_ref (self));
}

static void
on_ice_settings_changed (SsyncSession *self)
{
  load_ice_settings (self);
}

/* STUN and TURN servers from the preferences, when the schema is installed (it is not in
 * a build tree or a test run). */
static void
load_ice_servers (SsyncSession *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "turn-username"))
    return;

  self->settings = g_settings_new_full (schema, NULL, NULL);
  load_ice_settings (self);

  /* A change in the preferences applies to the next direct connection. */
  g_signal_connect_object (self->settings, "changed::stun-server",
                           G_CALLBACK (on_ice_settings_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::turn-server",
                           G_CALLBACK (on_ice_settings_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::turn-username",
                           G_CALLBACK (on_ice_settings_changed), self, G_CONNECT_SWAPPED);
}

/* Checks GStreamer's plugins once, at start: without one, direct transfers are hidden
 * and pages are told why; everything else works. */
void
ssync_session_setup_rtc (SsyncSession *self)
{
  SsyncWsHub *hub = ssync_server_get_ws_hub (self->server);

  if (!ssync_rtc_check_plugins (&self->rtc_error))
    g_debug ("%s", self->rtc_error->message);
  ssync_ws_hub_set_rtc_available (hub, self->rtc_error == NULL,
                                  self->rtc_error != NULL ? self->rtc_error->message : NULL);
  load_ice_servers (self);
  g_signal_connect_object (hub, "rtc-connect", G_CALLBACK (on_rtc_connect), self, 0);
  g_signal_connect_object (hub, "rtc-signal", G_CALLBACK (on_rtc_signal), self, 0);
  g_signal_connect_object (hub, "client-closed", G_CALLBACK (on_rtc_client_closed), self, 0);
}

/* Whether direct (WebRTC) transfers work here; when not, @message (if not NULL) says why,
 * in a sentence to show instead of the WebRTC features. */
gboolean
ssync_session_get_rtc_available (SsyncSession  *self,
                                 const char   **message)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), FALSE);

  if (message != NULL)
    *message = self->rtc_error != NULL ? self->rtc_error->message : NULL;
  return self->rtc_error == NULL;
}

/* STUN ("stun://host:port") and TURN ("turn://user:pass@host:port") servers for direct
 * connections made from now on; NULL or empty for none (a LAN needs none). */
void
ssync_session_set_ice_servers (SsyncSession *self,
                               const char   *stun_server,
                               const char   *turn_server)
{
  g_return_if_fail (SSYNC_IS_SESSION (self));

  g_free (self->stun_server);
  g_free (self->turn_server);
  self->stun_server = g_strdup (stun_server);
  self->turn_server = g_strdup (turn_server);
}

static void
on_fetch_transfer_started (SsyncRtcFetch *fetch,
                           SsyncTransfer *transfer,
                           SsyncSession  *self)
{
  ssync_session_track_transfer (self, transfer);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncRtcFetch *fetch = SSYNC_RTC_FETCH (source);
  GError *error = NULL;

  g_signal_handlers_disconnect_by_data (fetch, g_task_get_source_object (task));
  if (!ssync_rtc_fetch_run_finish (fetch, result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, ssync_rtc_fetch_get_n_files (fetch));
}

/* Fetches the share at @url (another ShareSync's /s/TOKEN link) into @folder over a direct
 * connection, folders kept. Each file is a transfer (direction upload, kind webrtc) that
 * "transfer-started" announces and the history records; the fetch succeeds when every
 * file arrived with the SHA-256 the other side announced. */
void
ssync_session_fetch_async (SsyncSession        *self,
                           const char          *url,
                           GFile               *folder,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(SsyncRtcFetch) fetch = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, ssync_session_fetch_async);
  if (self->rtc_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->rtc_error));
      return;
    }

  fetch = ssync_rtc_fetch_new (url, folder, self->stun_server, self->turn_server, &error);
  if (fetch == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_signal_connect (fetch, "transfer-started", G_CALLBACK (on_fetch_transfer_started), self);
  ssync_rtc_fetch_run_async (fetch, cancellable, on_fetched, g_steal_pointer (&task));
}

/* The number of files that arrived, or -1 with @error. */
int
ssync_session_fetch_finish (SsyncSession  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}
