/* ssync-nearby.c: the Nearby half of the session (ssync-nearby.h).
 *
 * Started on request (headless --discover, and the window's Nearby view once it exists), not
 * with every session: until ShareSync receives over LocalSend's API there is nothing to
 * offer a device that finds it but a name.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-discovery.h"
#include "ssync-error.h"
#include "ssync-localsend-server.h"
#include "ssync-nearby.h"
#include "ssync-tls-identity.h"

struct _SsyncNearby
{
  GObject parent_instance;

  SsyncConfig *config;
  char *data_dir;
  char *alias;
  char *device_type;
  GStrv lan_addresses;
  SsyncTlsIdentity *identity;
  SsyncLocalsendServer *server;
  SsyncDiscovery *discovery;
  GListStore *no_devices;  /* what get_devices answers before discovery runs */
  gboolean quiet;          /* no announcements every 30 s: the window's Nearby page is hidden */
};

G_DEFINE_FINAL_TYPE (SsyncNearby, ssync_nearby, G_TYPE_OBJECT)

enum {
  DEVICE_FOUND,
  DEVICE_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_nearby_dispose (GObject *object)
{
  SsyncNearby *self = SSYNC_NEARBY (object);

  ssync_nearby_stop (self);
  g_clear_object (&self->discovery);
  g_clear_object (&self->server);
  g_clear_object (&self->identity);
  g_clear_object (&self->no_devices);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (ssync_nearby_parent_class)->dispose (object);
}

static void
ssync_nearby_finalize (GObject *object)
{
  SsyncNearby *self = SSYNC_NEARBY (object);

  g_free (self->data_dir);
  g_free (self->alias);
  g_free (self->device_type);
  g_strfreev (self->lan_addresses);

  G_OBJECT_CLASS (ssync_nearby_parent_class)->finalize (object);
}

static void
ssync_nearby_class_init (SsyncNearbyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_nearby_dispose;
  object_class->finalize = ssync_nearby_finalize;

  signals[DEVICE_FOUND] =
    g_signal_new ("device-found", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_LOCALSEND_DEVICE);
  signals[DEVICE_LOST] =
    g_signal_new ("device-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_LOCALSEND_DEVICE);
}

static void
ssync_nearby_init (SsyncNearby *self)
{
  self->no_devices = g_list_store_new (SSYNC_TYPE_LOCALSEND_DEVICE);
}

SsyncNearby *
ssync_nearby_new (SsyncConfig *config,
                  const char  *data_dir)
{
  SsyncNearby *self = g_object_new (SSYNC_TYPE_NEARBY, NULL);

  self->config = g_object_ref (config);
  self->data_dir = g_strdup (data_dir);
  return self;
}

/* The name others see: the setting, else the user's real name, else the host name. */
static char *
pick_alias (SsyncConfig *config)
{
  const char *alias = ssync_config_get_string (config, "alias");
  const char *real_name = g_get_real_name ();
  g_autofree char *name = NULL;

  if (alias != NULL)
    name = g_strdup (alias);
  else if (real_name != NULL && *real_name != '\0' && !g_str_equal (real_name, "Unknown"))
    name = g_strdup (real_name);
  else
    name = g_strdup (g_get_host_name ());
  /* LocalSend shows at most 64 characters; a longer name is cut, never refused. */
  if (g_utf8_strlen (name, -1) > 64)
    *g_utf8_offset_to_pointer (name, 64) = '\0';
  return g_steal_pointer (&name);
}

static void
on_device_found (SsyncDiscovery       *discovery,
                 SsyncLocalsendDevice *device,
                 SsyncNearby          *self)
{
  g_signal_emit (self, signals[DEVICE_FOUND], 0, device);
}

static void
on_device_lost (SsyncDiscovery       *discovery,
                SsyncLocalsendDevice *device,
                SsyncNearby          *self)
{
  g_signal_emit (self, signals[DEVICE_LOST], 0, device);
}

/* A device that registered with our server is one discovery has found. */
static void
on_register (SsyncLocalsendServer *server,
             SsyncLocalsendDevice *device,
             const char           *peer,
             SsyncNearby          *self)
{
  if (self->discovery != NULL)
    ssync_discovery_add_device (self->discovery, device);
}

/* The server listens on the LocalSend port, or on any free one when another app has it:
 * devices learn the port from our announcements. */
/* Announcing every 30 s is for while someone looks: without a window always, with one only
 * while its Nearby page shows (LocalSend does the same). Answers to others go on regardless. */
static void
apply_announce_interval (SsyncNearby *self)
{
  if (self->discovery == NULL)
    return;
  ssync_discovery_set_announce_interval (self->discovery,
                                         self->quiet ? 0 : ssync_config_get_uint (self->config,
                                                                                  "announce-interval"));
}

static gboolean
listen_server (SsyncNearby  *self,
               GError      **error)
{
  guint port = ssync_config_get_uint (self->config, "localsend-port");
  g_autoptr(GError) local_error = NULL;

  if (ssync_localsend_server_listen (self->server, port, &local_error))
    return TRUE;
  if (port == 0 || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_message ("Port %u is taken (another LocalSend app?): Nearby listens on another one", port);
  return ssync_localsend_server_listen (self->server, 0, error);
}

static void
on_identity (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncNearby *self = g_task_get_source_object (task);
  SsyncLocalsendIdentity me = { 0 };
  GError *error = NULL;

  self->identity = ssync_tls_identity_load_or_create_finish (result, &error);
  if (self->identity == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  me.alias = self->alias;
  me.fingerprint = ssync_tls_identity_get_fingerprint (self->identity);
  me.device_type = self->device_type;
  me.protocol = "https";
  self->server = ssync_localsend_server_new (ssync_tls_identity_get_certificate (self->identity),
                                             &me);
  if (!listen_server (self, &error))
    {
      g_prefix_error (&error, _("Cannot receive from nearby devices: "));
      g_task_return_error (task, error);
      return;
    }
  me.port = ssync_localsend_server_get_port (self->server);
  ssync_localsend_server_set_identity (self->server, &me);
  g_signal_connect_object (self->server, "register", G_CALLBACK (on_register), self, 0);

  self->discovery = ssync_discovery_new (&me);
  apply_announce_interval (self);
  ssync_discovery_set_device_timeout (self->discovery,
                                      ssync_config_get_uint (self->config, "device-timeout"));
  g_signal_connect_object (self->discovery, "device-found", G_CALLBACK (on_device_found),
                           self, 0);
  g_signal_connect_object (self->discovery, "device-lost", G_CALLBACK (on_device_lost),
                           self, 0);
  if (!ssync_discovery_start (self->discovery, self->lan_addresses, &error))
    {
      g_prefix_error (&error, _("Cannot look for nearby devices: "));
      ssync_localsend_server_stop (self->server);
      g_clear_object (&self->discovery);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Makes or reads this device's identity (a worker thread: a key is generated once), then
 * listens for registrations and announces itself on @lan_addresses as @device_type
 * ("desktop" with a window, "headless" without). */
void
ssync_nearby_start_async (SsyncNearby         *self,
                          const char          *device_type,
                          GStrv                lan_addresses,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_return_if_fail (SSYNC_IS_NEARBY (self));

  g_task_set_source_tag (task, ssync_nearby_start_async);
  if (self->identity != NULL)
    {
      g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_FAILED, "%s",
                               _("Nearby is already on"));
      g_object_unref (task);
      return;
    }
  g_free (self->alias);
  self->alias = pick_alias (self->config);
  g_free (self->device_type);
  self->device_type = g_strdup (device_type);
  g_strfreev (self->lan_addresses);
  self->lan_addresses = g_strdupv (lan_addresses);
  ssync_tls_identity_load_or_create_async (self->data_dir, cancellable, on_identity, task);
}

gboolean
ssync_nearby_start_finish (SsyncNearby   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Stops announcing and listening; the devices seen are lost. */
void
ssync_nearby_stop (SsyncNearby *self)
{
  g_return_if_fail (SSYNC_IS_NEARBY (self));

  if (self->discovery != NULL)
    ssync_discovery_stop (self->discovery);
  if (self->server != NULL)
    ssync_localsend_server_stop (self->server);
}

/* Announces this device now (the "refresh" of a Nearby view). */
/**
 * ssync_nearby_set_periodic:
 * @periodic: whether to announce every announce-interval seconds (the default), or only at
 *   start and on request
 */
void
ssync_nearby_set_periodic (SsyncNearby *self,
                           gboolean     periodic)
{
  g_return_if_fail (SSYNC_IS_NEARBY (self));

  if (self->quiet == !periodic)
    return;
  self->quiet = !periodic;
  apply_announce_interval (self);
}

void
ssync_nearby_announce (SsyncNearby *self)
{
  g_return_if_fail (SSYNC_IS_NEARBY (self));

  if (self->discovery != NULL)
    ssync_discovery_announce (self->discovery);
}

/* The devices seen (SsyncLocalsendDevice), empty until started. */
GListModel *
ssync_nearby_get_devices (SsyncNearby *self)
{
  g_return_val_if_fail (SSYNC_IS_NEARBY (self), NULL);

  if (self->discovery != NULL)
    return ssync_discovery_get_devices (self->discovery);
  return G_LIST_MODEL (self->no_devices);
}

/* This device's fingerprint (the SHA-256 of its certificate), NULL until started. */
const char *
ssync_nearby_get_fingerprint (SsyncNearby *self)
{
  g_return_val_if_fail (SSYNC_IS_NEARBY (self), NULL);

  return self->identity != NULL ? ssync_tls_identity_get_fingerprint (self->identity) : NULL;
}

const char *
ssync_nearby_get_alias (SsyncNearby *self)
{
  g_return_val_if_fail (SSYNC_IS_NEARBY (self), NULL);

  return self->alias;
}

/* Who receives the files nearby devices send, NULL until started. */
SsyncLocalsendReceiver *
ssync_nearby_get_receiver (SsyncNearby *self)
{
  g_return_val_if_fail (SSYNC_IS_NEARBY (self), NULL);

  return self->server != NULL ? ssync_localsend_server_get_receiver (self->server) : NULL;
}

/* The HTTPS port devices register with, 0 until started. */
guint
ssync_nearby_get_port (SsyncNearby *self)
{
  g_return_val_if_fail (SSYNC_IS_NEARBY (self), 0);

  return self->server != NULL ? ssync_localsend_server_get_port (self->server) : 0;
}
