/* ssync-session-nearby.c: the session's Nearby calls, for the faces: start looking for (and
 * being seen by) LocalSend devices on the LAN, the devices seen, this device's identity.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-session-private.h"

static void
on_device_found (SsyncNearby          *nearby,
                 SsyncLocalsendDevice *device,
                 SsyncSession         *self)
{
  g_signal_emit_by_name (self, "nearby-device-found", device);
}

static void
on_device_lost (SsyncNearby          *nearby,
                SsyncLocalsendDevice *device,
                SsyncSession         *self)
{
  g_signal_emit_by_name (self, "nearby-device-lost", device);
}

void
ssync_session_setup_nearby (SsyncSession *self)
{
  self->nearby = ssync_nearby_new (self->config, self->data_dir);
  g_signal_connect_object (self->nearby, "device-found", G_CALLBACK (on_device_found), self, 0);
  g_signal_connect_object (self->nearby, "device-lost", G_CALLBACK (on_device_lost), self, 0);
}

static void
on_nearby_started (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ssync_nearby_start_finish (SSYNC_NEARBY (source), result, &error))
    {
      ssync_session_setup_nearby_receive (g_task_get_source_object (task));
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

/* Announces this device to LocalSend apps and other ShareSyncs on the LAN addresses the
 * server lists, answers theirs, and keeps the devices seen (ssync_session_get_nearby_devices(),
 * ::nearby-device-found, ::nearby-device-lost) until the session shuts down. @device_type is
 * "desktop" with a window, "headless" without. */
void
ssync_session_start_nearby_async (SsyncSession        *self,
                                  const char          *device_type,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_auto(GStrv) addresses = ssync_session_dup_addresses (self);

  g_task_set_source_tag (task, ssync_session_start_nearby_async);
  ssync_nearby_start_async (self->nearby, device_type, addresses, cancellable,
                            on_nearby_started, task);
}

gboolean
ssync_session_start_nearby_finish (SsyncSession  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The devices seen (SsyncLocalsendDevice), each updated in place while it is seen. */
GListModel *
ssync_session_get_nearby_devices (SsyncSession *self)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), NULL);

  return ssync_nearby_get_devices (self->nearby);
}

/* Announces this device again now, so that devices that just came answer. */
void
ssync_session_announce_nearby (SsyncSession *self)
{
  g_return_if_fail (SSYNC_IS_SESSION (self));

  ssync_nearby_announce (self->nearby);
}

/* Whether Nearby announces this device every 30 s (the default) or only at start and when
 * asked: the window keeps it quiet while its Nearby page is hidden. */
void
ssync_session_set_nearby_periodic (SsyncSession *self,
                                   gboolean      periodic)
{
  g_return_if_fail (SSYNC_IS_SESSION (self));

  ssync_nearby_set_periodic (self->nearby, periodic);
}

/* How nearby devices see this one: its name, its fingerprint (the SHA-256 of its
 * certificate) and the HTTPS port they reach it on; NULL and 0 until Nearby started. */
const char *
ssync_session_get_nearby_alias (SsyncSession *self)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), NULL);

  return ssync_nearby_get_alias (self->nearby);
}

const char *
ssync_session_get_nearby_fingerprint (SsyncSession *self)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), NULL);

  return ssync_nearby_get_fingerprint (self->nearby);
}

guint
ssync_session_get_nearby_port (SsyncSession *self)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), 0);

  return ssync_nearby_get_port (self->nearby);
}
