/* ssync-session.c: owns the share registry, the history and the server, and records
 * every transfer the server reports.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-digest.h"
#include "ssync-lan.h"
#include "ssync-registry.h"
#include "ssync-server.h"
#include "ssync-session.h"

/* How many ports after the default one to try when it is taken. */
#define PORT_ATTEMPTS 20

struct _SsyncSession
{
  GObject parent_instance;

  char *data_dir;
  char *bind_address;
  SsyncRegistry *registry;
  SsyncHistory *history;
  SsyncServer *server;
  GPtrArray *active;  /* SsyncTransfer in flight */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (SsyncSession, ssync_session, G_TYPE_OBJECT)

enum {
  TRANSFER_STARTED,
  SHARE_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_session_dispose (GObject *object)
{
  SsyncSession *self = SSYNC_SESSION (object);

  ssync_session_shutdown (self);
  g_clear_object (&self->server);
  g_clear_object (&self->history);
  g_clear_object (&self->registry);
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
}

static void
ssync_session_init (SsyncSession *self)
{
  self->registry = ssync_registry_new ();
  self->active = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

static void
on_transfer_finished (SsyncTransfer *transfer,
                      SsyncSession  *self)
{
  ssync_history_record_transfer (self->history, transfer);
  g_ptr_array_remove_fast (self->active, transfer);
}

static void
on_server_transfer_started (SsyncServer   *server,
                            SsyncTransfer *transfer,
                            SsyncSession  *self)
{
  g_ptr_array_add (self->active, g_object_ref (transfer));
  ssync_history_record_transfer (self->history, transfer);
  g_signal_connect_object (transfer, "finished", G_CALLBACK (on_transfer_finished), self, 0);
  g_signal_emit (self, signals[TRANSFER_STARTED], 0, transfer);
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

  self->server = ssync_server_new (self->registry, self->history);
  g_signal_connect_object (self->server, "transfer-started",
                           G_CALLBACK (on_server_transfer_started), self, 0);

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
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
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

  ssync_registry_add (self->registry, share);
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

static void
on_receive_folder_checked (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncSession *self = g_task_get_source_object (task);
  GFile *folder = G_FILE (source);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncShare) share = NULL;
  g_autofree char *shown = g_file_get_parse_name (folder);

  info = g_file_query_info_finish (folder, result, &error);
  if (info == NULL)
    {
      g_task_return_new_error (task, error->domain, error->code,
                               _("Cannot receive into %s: %s"), shown, error->message);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                               _("Cannot receive into %s: not a folder"), shown);
      return;
    }
  if (!g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               _("Cannot receive into %s: the folder is not writable"), shown);
      return;
    }

  share = ssync_share_new_receive (folder);
  ssync_registry_add (self->registry, share);
  ssync_history_record_share (self->history, ssync_share_get_id (share),
                              ssync_share_get_name (share), SSYNC_SHARE_KIND_RECEIVE, 0, 0,
                              ssync_share_get_created (share));
  g_signal_emit (self, signals[SHARE_ADDED], 0, share);
  g_task_return_pointer (task, g_steal_pointer (&share), g_object_unref);
}

/* Adds a receive share: browsers can then upload into @folder. */
void
ssync_session_add_receive_share_async (SsyncSession        *self,
                                       GFile               *folder,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_session_add_receive_share_async);
  g_file_query_info_async (folder, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                           G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, cancellable, on_receive_folder_checked, task);
}

SsyncShare *
ssync_session_add_receive_share_finish (SsyncSession  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ssync_session_set_max_upload_size (SsyncSession *self,
                                   guint64       max_size)
{
  ssync_server_set_max_upload_size (self->server, max_size);
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
