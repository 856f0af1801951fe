/* ssync-session.c: owns the share registry, the history and the server, and records
 * every transfer the server reports.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssync-digest.h"
#include "ssync-lan.h"
#include "ssync-registry.h"
#include "ssync-server.h"
#include "ssync-session-private.h"
#include "ssync-token.h"
#include "ssync-upload.h"
#include "ssync-upload-gatekeeper.h"

/* How many ports after the default one to try when it is taken. */
#define PORT_ATTEMPTS 20
/* Seconds between two passes of the cleanup timer. */


G_DEFINE_FINAL_TYPE (SsyncSession, ssync_session, G_TYPE_OBJECT)

enum {
  TRANSFER_STARTED,
  SHARE_ADDED,
  UPLOAD_REQUEST,
  NEARBY_DEVICE_FOUND,
  NEARBY_DEVICE_LOST,
  NEARBY_DEVICE_BLOCKED,
  DEVICE_TRUST_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_session_dispose (GObject *object)
{
  SsyncSession *self = SSYNC_SESSION (object);

  ssync_session_shutdown (self);
  g_clear_object (&self->rtc);
  g_clear_object (&self->nearby);
  g_clear_handle_id (&self->cleanup_id, g_source_remove);
  g_clear_handle_id (&self->expiry_id, g_source_remove);
  g_clear_object (&self->server);
  g_clear_object (&self->gatekeeper);
  g_clear_object (&self->pusher);
  g_clear_object (&self->history);
  g_clear_object (&self->registry);
  g_clear_object (&self->secrets);
  g_clear_object (&self->config);
  g_clear_pointer (&self->transfer_lists, g_hash_table_unref);
  g_clear_pointer (&self->link_lists, g_hash_table_unref);
  g_clear_pointer (&self->active, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ssync_session_parent_class)->dispose (object);
}

static void
ssync_session_finalize (GObject *object)
{
  SsyncSession *self = SSYNC_SESSION (object);

  g_free (self->data_dir);
  g_free (self->bind_address);
  g_free (self->owner_token);
  g_free (self->password_hash);

  G_OBJECT_CLASS (ssync_session_parent_class)->finalize (object);
}

static void
ssync_session_class_init (SsyncSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_session_dispose;
  object_class->finalize = ssync_session_finalize;

  /**
   * SsyncSession::transfer-started:
   * @transfer: a download or upload that began; watch notify::bytes and ::finished
   */
  signals[TRANSFER_STARTED] =
    g_signal_new ("transfer-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_TRANSFER);

  /**
   * SsyncSession::share-added:
   * @share: the share now served
   */
  signals[SHARE_ADDED] =
    g_signal_new ("share-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_SHARE);

  /**
   * SsyncSession::upload-request:
   * @request: files a browser wants to send, waiting for accept or decline (only when
   *   auto-accept is off); more files may join it while it waits
   */
  signals[UPLOAD_REQUEST] =
    g_signal_new ("upload-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_UPLOAD_REQUEST);

  /**
   * SsyncSession::nearby-device-found:
   * @device: a LocalSend app or another ShareSync that announced itself or answered
   */
  signals[NEARBY_DEVICE_FOUND] =
    g_signal_new ("nearby-device-found", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_LOCALSEND_DEVICE);

  /**
   * SsyncSession::nearby-device-lost:
   * @device: a device silent for the device timeout, or Nearby stopped
   */
  signals[NEARBY_DEVICE_LOST] =
    g_signal_new ("nearby-device-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_LOCALSEND_DEVICE);

  /**
   * SsyncSession::nearby-device-blocked:
   * @device: a blocked device whose files were just refused without asking (its address set)
   */
  signals[NEARBY_DEVICE_BLOCKED] =
    g_signal_new ("nearby-device-blocked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_LOCALSEND_DEVICE);

  /**
   * SsyncSession::device-trust-changed:
   * @fingerprint: the device whose trust (ssync_session_get_device_trust()) changed
   */
  signals[DEVICE_TRUST_CHANGED] =
    g_signal_new ("device-trust-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
on_upload_request (SsyncUploadGatekeeper *gatekeeper,
                   SsyncUploadRequest    *request,
                   SsyncSession          *self)
{
  g_signal_emit (self, signals[UPLOAD_REQUEST], 0, request);
}

static void
ssync_session_init (SsyncSession *self)
{
  self->config = ssync_config_new ();
  self->secrets = ssync_secrets_new ();
  self->registry = ssync_registry_new ();
  self->active = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->gatekeeper = ssync_upload_gatekeeper_new ();
  g_signal_connect_object (self->gatekeeper, "request", G_CALLBACK (on_upload_request), self, 0);
}

static void
on_transfer_finished (SsyncTransfer *transfer,
                      SsyncSession  *self)
{
  ssync_history_record_transfer (self->history, transfer);
  g_ptr_array_remove_fast (self->active, transfer);
}

/* Follows @transfer (from the server, a direct connection or a fetch) until it ends:
 * announced, recorded at its start and end, cut at shutdown. */
void
ssync_session_track_transfer (SsyncSession  *self,
                              SsyncTransfer *transfer)
{
  g_ptr_array_add (self->active, g_object_ref (transfer));
  ssync_history_record_transfer (self->history, transfer);
  g_signal_connect_object (transfer, "finished", G_CALLBACK (on_transfer_finished), self, 0);
  ssync_session_list_transfer (self, transfer);
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, transfer);
}

/* A transfer of the server or of a direct connection. */
static void
on_transfer_started (GObject       *source,
                     SsyncTransfer *transfer,
                     SsyncSession  *self)
{
  ssync_session_track_transfer (self, transfer);
}

/* The owner token lives in the data folder, readable by the user alone (0600), so it
 * stays the same across runs and is shown only to whoever started ShareSync. It is
 * created at first start. This runs once at start-up, before the main loop. */
static gboolean
load_owner_token (SsyncSession  *self,
                  GError       **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "owner-token", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_file_get_contents (path, &contents, NULL, &local_error))
    {
      self->owner_token = g_strdup (g_strstrip (contents));
      if (strlen (self->owner_token) >= 16)
        return TRUE;
      g_clear_pointer (&self->owner_token, g_free);
    }
  else if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->owner_token = ssync_token_new ();
  contents = g_strconcat (self->owner_token, "\n", NULL);
  {
    int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    gsize len = strlen (contents);

    if (fd < 0 || write (fd, contents, len) != (gssize) len || fsync (fd) != 0)
      {
        int errsv = errno;

        if (fd >= 0)
          close (fd);
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                     _("Cannot write the owner token to %s: %s"), path, g_strerror (errsv));
        return FALSE;
      }
    close (fd);
  }
  return TRUE;
}

/* Ends @share: its links answer 410, transfers in flight are cut and recorded as
 * cancelled, pages following it are told with @notice. */
void
ssync_session_end_share (SsyncSession *self,
           SsyncShare   *share,
           const char   *notice)
{
  g_autoptr(GPtrArray) cut = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->active->len; i++)
    {
      SsyncTransfer *transfer = g_ptr_array_index (self->active, i);

      if (g_strcmp0 (ssync_transfer_get_share_id (transfer), ssync_share_get_id (share)) == 0)
        g_ptr_array_add (cut, g_object_ref (transfer));
    }
  for (guint i = 0; i < cut->len; i++)
    g_cancellable_cancel (ssync_transfer_get_cancellable (g_ptr_array_index (cut, i)));
  ssync_upload_gatekeeper_forget_share (self->gatekeeper, share);
  ssync_rtc_service_close_hosts (self->rtc, share);

  ssync_server_share_ended (self->server, share, notice);
}

/* The password every share added from now on asks for: an encoded hash from
 * ssync_password_hash(), or NULL for none. Their lifetime and download limit are settings
 * (default-lifetime, default-max-downloads); a password is not, as settings hold no
 * secrets. */
void
ssync_session_set_default_password_hash (SsyncSession *self,
                                         const char   *password_hash)
{
  g_return_if_fail (SSYNC_IS_SESSION (self));

  g_free (self->password_hash);
  self->password_hash = g_strdup (password_hash);
}


static gboolean
on_expiry (gpointer user_data)
{
  SsyncSession *self = user_data;

  self->expiry_id = 0;
  self->next_expiry = 0;
  ssync_session_cleanup (self);
  return G_SOURCE_REMOVE;
}

/* Makes sure cleanup runs when the share expiring at @expires does, not up to a cleanup
 * interval later: its links must stop answering on time. */
void
ssync_session_schedule_expiry (SsyncSession *self,
                               gint64        expires)
{
  gint64 delay_ms;

  if (self->expiry_id != 0 && self->next_expiry <= expires)
    return;

  g_clear_handle_id (&self->expiry_id, g_source_remove);
  delay_ms = MAX (0, (expires - g_get_real_time ()) / 1000) + 1;
  self->next_expiry = expires;
  self->expiry_id = g_timeout_add (MIN (delay_ms, G_MAXUINT), on_expiry, self);
}

/* The download that spent a share's limit ends it now, not at the next sweep: its card and
 * its pages say so at once. */
static void
on_downloads (SsyncShare   *share,
              GParamSpec   *pspec,
              SsyncSession *self)
{
  if (ssync_share_get_state (share, g_get_real_time ()) == SSYNC_SHARE_STATE_EXHAUSTED)
    ssync_session_schedule_expiry (self, g_get_real_time ());
}

void
ssync_session_publish (SsyncSession *self,
         SsyncShare   *share)
{
  gint64 lifetime = ssync_config_get_int64 (self->config, "default-lifetime");

  ssync_share_set_password_hash (share, self->password_hash);
  if (lifetime > 0)
    {
      ssync_share_set_expires (share, g_get_real_time () + lifetime * G_USEC_PER_SEC);
      ssync_session_schedule_expiry (self, ssync_share_get_expires (share));
    }
  ssync_share_set_max_downloads (share,
                                 ssync_config_get_uint (self->config, "default-max-downloads"));
  g_signal_connect_object (share, "notify::downloads", G_CALLBACK (on_downloads), self, 0);
  ssync_registry_add (self->registry, share);
}

/* Stops @share at once (the owner's "Stop sharing"). */
void
ssync_session_revoke_share (SsyncSession *self,
                            SsyncShare   *share)
{
  ssync_share_revoke (share);
  ssync_session_end_share (self, share, "stopped");
  ssync_registry_remove (self->registry, share);
}

/* Opens the history in @data_dir (NULL: $XDG_DATA_HOME/sharesync). This runs once at
 * start-up, before any window or client exists; later writes go to a worker thread. */
SsyncSession *
ssync_session_new (const char  *data_dir,
                   GError     **error)
{
  g_autoptr(SsyncSession) self = g_object_new (SSYNC_TYPE_SESSION, NULL);
  g_autofree char *db_path = NULL;

  self->data_dir = data_dir != NULL
                   ? g_strdup (data_dir)
                   : g_build_filename (g_get_user_data_dir (), "sharesync", NULL);
  db_path = g_build_filename (self->data_dir, "history.db", NULL);

  self->history = ssync_history_open (db_path, error);
  if (self->history == NULL)
    return NULL;

  if (!load_owner_token (self, error))
    return NULL;

  self->pusher = ssync_pusher_new (self->history, self->config, self->secrets);
  ssync_session_setup_lists (self);
  self->server = ssync_server_new (self->registry, self->history);
  ssync_server_set_owner_token (self->server, self->owner_token);
  ssync_server_set_upload_gate (self->server, ssync_upload_gatekeeper_ask, self->gatekeeper);
  g_signal_connect_object (self->server, "transfer-started",
                           G_CALLBACK (on_transfer_started), self, 0);
  self->rtc = ssync_rtc_service_new (self->config, self->secrets,
                                     ssync_server_get_ws_hub (self->server), self->gatekeeper);
  g_signal_connect_object (self->rtc, "transfer-started",
                           G_CALLBACK (on_transfer_started), self, 0);
  ssync_session_setup_nearby (self);
  ssync_session_follow_config (self);

  return g_steal_pointer (&self);
}

/* Starts serving on @bind_address (NULL: every IPv4 address). A negative @port means the
 * default port, or the next free one after it when it is taken; 0 means any free port. */
gboolean
ssync_session_start (SsyncSession  *self,
                     const char    *bind_address,
                     int            port,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_free (self->bind_address);
  self->bind_address = g_strdup (bind_address);

  if (port >= 0)
    return ssync_server_listen (self->server, bind_address, port, error);

  for (guint i = 0; i < PORT_ATTEMPTS; i++)
    {
      g_clear_error (&local_error);
      if (ssync_server_listen (self->server, bind_address, SSYNC_DEFAULT_PORT + i, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        break;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Stops serving: transfers in flight end as cancelled and every history row is written
 * before this returns. */
void
ssync_session_shutdown (SsyncSession *self)
{
  g_clear_handle_id (&self->cleanup_id, g_source_remove);
  g_clear_handle_id (&self->expiry_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* Transfers in flight are cut and end cancelled; one that nothing watches is ended
   * here, so that every history row is final before the flush. */
  if (self->active != NULL)
    {
      g_autoptr(GPtrArray) active = g_ptr_array_copy (self->active, (GCopyFunc) g_object_ref,
                                                      NULL);

      g_ptr_array_set_free_func (active, g_object_unref);
      for (guint i = 0; i < active->len; i++)
        g_cancellable_cancel (ssync_transfer_get_cancellable (g_ptr_array_index (active, i)));
    }
  if (self->gatekeeper != NULL)
    ssync_upload_gatekeeper_forget_share (self->gatekeeper, NULL);
  if (self->rtc != NULL)
    ssync_rtc_service_close_hosts (self->rtc, NULL);
  if (self->nearby != NULL)
    ssync_nearby_stop (self->nearby);
  /* Only now, once every transfer let go of its connection. */
  if (self->server != NULL)
    ssync_server_stop (self->server);

  while (self->active != NULL && self->active->len > 0)
    ssync_transfer_finish (g_ptr_array_index (self->active, self->active->len - 1),
                           SSYNC_TRANSFER_STATUS_CANCELLED, _("ShareSync was stopped"));

  if (self->history != NULL)
    ssync_history_flush (self->history);
}

static void
on_share_created (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncSession *self = g_task_get_source_object (task);
  g_autoptr(SsyncShare) share = NULL;
  GError *error = NULL;

  share = ssync_share_new_finish (result, &error);
  if (share == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ssync_session_publish (self, share);
  ssync_history_record_share (self->history, ssync_share_get_id (share),
                              ssync_share_get_name (share), ssync_share_get_kind (share),
                              ssync_share_get_n_files (share),
                              ssync_share_get_total_size (share),
                              ssync_share_get_created (share));
  ssync_digest_share_async (share, self->cancellable, NULL, NULL);
  g_signal_emit (self, signals[SHARE_ADDED], 0, share);
  g_task_return_pointer (task, g_steal_pointer (&share), g_object_unref);
}

void
ssync_session_add_share_async (SsyncSession         *self,
                               GFile               **files,
                               guint                 n_files,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_session_add_share_async);
  ssync_share_new_async (files, n_files, cancellable, on_share_created, task);
}

SsyncShare *
ssync_session_add_share_finish (SsyncSession  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* An upload request still waiting or remembered, by its id (for notification buttons). */
SsyncUploadRequest *
ssync_session_lookup_upload_request (SsyncSession *self,
                                     const char   *id)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), NULL);

  return ssync_upload_gatekeeper_lookup (self->gatekeeper, id);
}

/* The settings of this run: a face sets them (before ssync_session_start() for the
 * server's), the session follows every change. */
SsyncConfig *
ssync_session_get_config (SsyncSession *self)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), NULL);

  return self->config;
}

/* Shown to whoever started ShareSync: it opens /api/stats. */
const char *
ssync_session_get_owner_token (SsyncSession *self)
{
  return self->owner_token;
}

GListModel *
ssync_session_get_shares (SsyncSession *self)
{
  return G_LIST_MODEL (self->registry);
}

SsyncHistory *
ssync_session_get_history (SsyncSession *self)
{
  return self->history;
}

guint
ssync_session_get_port (SsyncSession *self)
{
  return ssync_server_get_port (self->server);
}

const char *
ssync_session_get_data_dir (SsyncSession *self)
{
  return self->data_dir;
}

/* Where other machines can reach this server: the bound address when one was chosen,
 * else every LAN IPv4 address (the first is the one to show). */
GStrv
ssync_session_dup_addresses (SsyncSession *self)
{
  g_auto(GStrv) lan = NULL;
  const char *fallback[] = { "127.0.0.1", NULL };

  if (self->bind_address != NULL && g_strcmp0 (self->bind_address, "0.0.0.0") != 0)
    {
      const char *bound[] = { self->bind_address, NULL };

      return g_strdupv ((char **) bound);
    }

  lan = ssync_lan_list_ipv4 ();
  if (lan[0] == NULL)
    return g_strdupv ((char **) fallback);
  return g_steal_pointer (&lan);
}

char *
ssync_session_dup_base_url (SsyncSession *self)
{
  g_auto(GStrv) addresses = ssync_session_dup_addresses (self);
  const char *host = addresses[0];
  gboolean v6 = strchr (host, ':') != NULL;

  return g_strdup_printf ("http://%s%s%s:%u/", v6 ? "[" : "", host, v6 ? "]" : "",
                          ssync_session_get_port (self));
}

char *
ssync_session_dup_share_url (SsyncSession *self,
                             SsyncShare   *share)
{
  g_autofree char *base = ssync_session_dup_base_url (self);
  gboolean receive = ssync_share_get_kind (share) == SSYNC_SHARE_KIND_RECEIVE;

  return g_strconcat (base, receive ? "r/" : "s/", ssync_share_get_token (share), NULL);
}

/* Whether direct (WebRTC) transfers work here; when not, @message (if not NULL) says why,
 * in a sentence to show instead of the WebRTC features. */
gboolean
ssync_session_get_rtc_available (SsyncSession  *self,
                                 const char   **message)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), FALSE);

  return ssync_rtc_service_get_available (self->rtc, message);
}
