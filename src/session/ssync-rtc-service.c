/* ssync-rtc-service.c: the direct (WebRTC) half of the session: a host per page or app that
 * asks over /ws, the GStreamer plugin check, STUN/TURN servers, and fetching another app's
 * share.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-rtc-check.h"
#include "ssync-rtc-fetch.h"
#include "ssync-rtc-frame.h"
#include "ssync-rtc-host.h"
#include "ssync-rtc-ice.h"
#include "ssync-rtc-service.h"

struct _SsyncRtcService
{
  GObject parent_instance;

  SsyncConfig *config;
  SsyncSecrets *secrets;
  SsyncWsHub *hub;
  SsyncUploadGatekeeper *gatekeeper;
  GCancellable *cancellable;
  GError *error;         /* NULL when GStreamer has every plugin */
  GHashTable *hosts;     /* WebSocket client id (guint64 *) → SsyncRtcHost */
  char *stun_server;     /* "stun://host:port" or NULL */
  char *turn_server;     /* "turn://user:password@host:port" or NULL; wiped when replaced */
  guint ice_generation;  /* a TURN password lookup for an older setting is dropped */
};

G_DEFINE_FINAL_TYPE (SsyncRtcService, ssync_rtc_service, G_TYPE_OBJECT)

enum {
  TRANSFER_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_turn_server (SsyncRtcService *self,
                 char            *uri)
{
  if (self->turn_server != NULL)
    explicit_bzero (self->turn_server, strlen (self->turn_server));
  g_free (self->turn_server);
  self->turn_server = uri;
}

static void
ssync_rtc_service_dispose (GObject *object)
{
  SsyncRtcService *self = SSYNC_RTC_SERVICE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->gatekeeper);
  g_clear_object (&self->hub);
  g_clear_object (&self->secrets);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (ssync_rtc_service_parent_class)->dispose (object);
}

static void
ssync_rtc_service_finalize (GObject *object)
{
  SsyncRtcService *self = SSYNC_RTC_SERVICE (object);

  g_clear_error (&self->error);
  g_free (self->stun_server);
  set_turn_server (self, NULL);

  G_OBJECT_CLASS (ssync_rtc_service_parent_class)->finalize (object);
}

static void
ssync_rtc_service_class_init (SsyncRtcServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_rtc_service_dispose;
  object_class->finalize = ssync_rtc_service_finalize;

  /**
   * SsyncRtcService::transfer-started:
   * @transfer: a file sent or received directly, or fetched
   *
   * The session follows it like the server's transfers.
   */
  signals[TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);
}

static void
ssync_rtc_service_init (SsyncRtcService *self)
{
  self->cancellable = g_cancellable_new ();
  self->hosts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

/* Ends the direct connections to @share (NULL: all of them). */
void
ssync_rtc_service_close_hosts (SsyncRtcService *self,
                               SsyncShare      *share)
{
  g_autoptr(GPtrArray) closing = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  SsyncRtcHost *host;

  g_return_if_fail (SSYNC_IS_RTC_SERVICE (self));

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
  SsyncRtcService *service;
  guint64 client_id;
} HostLink;

static void
on_host_signal (SsyncRtcHost *host,
                const char   *text,
                HostLink     *link)
{
  ssync_ws_hub_send (link->service->hub, link->client_id, text);
}

static void
on_host_transfer_started (SsyncRtcHost  *host,
                          SsyncTransfer *transfer,
                          HostLink      *link)
{
  SsyncRtcService *self = link->service;

  /* The page that asked follows its direct transfer like its HTTP ones. */
  ssync_ws_hub_watch_transfer (self->hub, ssync_rtc_host_get_share (host), transfer);
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, transfer);
}

static void
on_host_closed (SsyncRtcHost *host,
                HostLink     *link)
{
  if (link->service->hosts != NULL)
    g_hash_table_remove (link->service->hosts, &link->client_id);
}

static void
on_rtc_connect (SsyncWsHub      *hub,
                guint64          client_id,
                SsyncShare      *share,
                const char      *peer,
                const char      *user_agent,
                SsyncRtcService *self)
{
  g_autoptr(SsyncRtcHost) host = ssync_rtc_host_new (share, peer, user_agent,
                                                     self->stun_server, self->turn_server);
  g_autoptr(GError) error = NULL;
  HostLink *link = g_new0 (HostLink, 1);
  guint64 *key = g_new (guint64, 1);

  link->service = self;
  link->client_id = *key = client_id;
  g_signal_connect_data (host, "signal", G_CALLBACK (on_host_signal), link,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  g_signal_connect (host, "transfer-started", G_CALLBACK (on_host_transfer_started), link);
  g_signal_connect (host, "closed", G_CALLBACK (on_host_closed), link);
  g_hash_table_insert (self->hosts, key, g_object_ref (host));
  ssync_rtc_host_set_max_upload_size (host, ssync_config_get_uint64 (self->config,
                                                                     "max-upload-size"));
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
on_rtc_signal (SsyncWsHub      *hub,
               guint64          client_id,
               JsonObject      *message,
               SsyncRtcService *self)
{
  SsyncRtcHost *host = g_hash_table_lookup (self->hosts, &client_id);

  if (host != NULL)
    ssync_rtc_host_handle_signal (host, message);
}

static void
on_rtc_client_closed (SsyncWsHub      *hub,
                      guint64          client_id,
                      SsyncRtcService *self)
{
  SsyncRtcHost *host = g_hash_table_lookup (self->hosts, &client_id);

  /* The page was closed or went away: a file in flight fails. */
  if (host != NULL)
    ssync_rtc_host_close (host, _("The other side went away"));
}

/* The servers from the settings, with @password for TURN (NULL: none yet). */
static void
apply_ice_servers (SsyncRtcService *self,
                   const char      *password)
{
  const char *stun = ssync_config_get_string (self->config, "stun-server");
  const char *user = ssync_config_get_string (self->config, "turn-username");
  g_autofree char *stripped = g_strstrip (g_strdup (stun != NULL ? stun : ""));
  gboolean dropped = FALSE;
  char *uri = ssync_rtc_turn_uri (ssync_config_get_string (self->config, "turn-server"), user,
                                  password, &dropped);

  if (dropped)
    g_printerr ("sharesync: %s\n", _("The password written into the TURN server setting is "
                                     "ignored: enter it in the preferences, which keep it in "
                                     "the keyring"));
  g_free (self->stun_server);
  self->stun_server = *stripped != '\0' ? g_steal_pointer (&stripped) : NULL;
  set_turn_server (self, uri);
}

typedef struct {
  SsyncRtcService *service;
  guint generation;
} Lookup;

static void
on_turn_password (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(SsyncRtcService) self = lookup->service;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  guint generation = lookup->generation;

  g_free (lookup);
  password = ssync_secrets_lookup_finish (SSYNC_SECRETS (source), result, &error);
  if (password == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("No password for the TURN relay: %s", error->message);
  /* Only the answer for the settings in force now. */
  if (generation == self->ice_generation && !g_cancellable_is_cancelled (self->cancellable))
    apply_ice_servers (self, password);
  if (password != NULL)
    explicit_bzero (password, strlen (password));
}

/* Reads the servers again; a TURN user name means its password is looked up first. A
 * change applies to the next direct connection. */
static void
load_ice_servers (SsyncRtcService *self)
{
  const char *turn = ssync_config_get_string (self->config, "turn-server");
  const char *user = ssync_config_get_string (self->config, "turn-username");
  Lookup *lookup;

  self->ice_generation++;
  apply_ice_servers (self, NULL);
  if (turn == NULL || user == NULL)
    return;

  lookup = g_new0 (Lookup, 1);
  lookup->service = g_object_ref (self);
  lookup->generation = self->ice_generation;
  ssync_secrets_lookup_async (self->secrets, SSYNC_SECRET_TURN, turn, user, self->cancellable,
                              on_turn_password, lookup);
}

/* Checks GStreamer's plugins, at start (and when a test hides one): without one, direct
 * transfers are hidden and pages are told why; everything else works. */
static void
check_plugins (SsyncRtcService *self)
{
  g_clear_error (&self->error);
  if (!ssync_rtc_check_plugins (ssync_config_get_string (self->config, "rtc-hidden-plugin"),
                                &self->error))
    g_debug ("%s", self->error->message);
  ssync_ws_hub_set_rtc_available (self->hub, self->error == NULL,
                                  self->error != NULL ? self->error->message : NULL);
}

static void
on_config_notify (SsyncConfig     *config,
                  GParamSpec      *pspec,
                  SsyncRtcService *self)
{
  if (g_str_equal (pspec->name, "stun-server") || g_str_equal (pspec->name, "turn-server") ||
      g_str_equal (pspec->name, "turn-username"))
    load_ice_servers (self);
  else if (g_str_equal (pspec->name, "rtc-hidden-plugin"))
    check_plugins (self);
}

/* A TURN password stored anew (even with every setting unchanged) is read again. */
static void
on_secret_changed (SsyncSecrets    *secrets,
                   SsyncSecretKind  kind,
                   const char      *server,
                   const char      *user,
                   SsyncRtcService *self)
{
  if (kind == SSYNC_SECRET_TURN)
    load_ice_servers (self);
}

/* A service for the pages on @hub, asking @gatekeeper before uploads. */
SsyncRtcService *
ssync_rtc_service_new (SsyncConfig           *config,
                       SsyncSecrets          *secrets,
                       SsyncWsHub            *hub,
                       SsyncUploadGatekeeper *gatekeeper)
{
  SsyncRtcService *self = g_object_new (SSYNC_TYPE_RTC_SERVICE, NULL);

  self->config = g_object_ref (config);
  self->secrets = g_object_ref (secrets);
  self->hub = g_object_ref (hub);
  self->gatekeeper = g_object_ref (gatekeeper);

  check_plugins (self);
  load_ice_servers (self);

  g_signal_connect_object (config, "notify", G_CALLBACK (on_config_notify), self, 0);
  g_signal_connect_object (secrets, "changed", G_CALLBACK (on_secret_changed), self, 0);
  g_signal_connect_object (hub, "rtc-connect", G_CALLBACK (on_rtc_connect), self, 0);
  g_signal_connect_object (hub, "rtc-signal", G_CALLBACK (on_rtc_signal), self, 0);
  g_signal_connect_object (hub, "client-closed", G_CALLBACK (on_rtc_client_closed), self, 0);
  return self;
}

/* Whether direct (WebRTC) transfers work here; when not, @message (if not NULL) says why,
 * in a sentence to show instead of the WebRTC features. */
gboolean
ssync_rtc_service_get_available (SsyncRtcService  *self,
                                 const char      **message)
{
  g_return_val_if_fail (SSYNC_IS_RTC_SERVICE (self), FALSE);

  if (message != NULL)
    *message = self->error != NULL ? self->error->message : NULL;
  return self->error == NULL;
}

/* The TURN server the next direct connection uses, password included ("turn://user:
 * password@host:port"), or NULL: for tests, which check that a new password is followed. */
const char *
ssync_rtc_service_get_turn_server (SsyncRtcService *self)
{
  g_return_val_if_fail (SSYNC_IS_RTC_SERVICE (self), NULL);

  return self->turn_server;
}

static void
on_fetch_transfer_started (SsyncRtcFetch   *fetch,
                           SsyncTransfer   *transfer,
                           SsyncRtcService *self)
{
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, transfer);
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
 * ::transfer-started announces; the fetch succeeds when every file arrived with the SHA-256
 * the other side announced. */
void
ssync_rtc_service_fetch_async (SsyncRtcService     *self,
                               const char          *url,
                               GFile               *folder,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(SsyncRtcFetch) fetch = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, ssync_rtc_service_fetch_async);
  if (self->error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->error));
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
ssync_rtc_service_fetch_finish (SsyncRtcService  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}
