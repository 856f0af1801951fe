/* ssync-nearby-send.c: the session's sending to a nearby device (LocalSend's upload API):
 * finds the device the user named (an alias or a fingerprint among the devices seen, or an
 * address, asked who it is), then sends through SsyncLocalsendSender; each file is a transfer
 * of the session (::transfer-started, the history, cut at shutdown).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ssync-error.h"
#include "ssync-localsend-message.h"
#include "ssync-localsend-sender.h"
#include "ssync-session-private.h"
#include "ssync-token.h"

/* Before Nearby starts this session has no certificate: LocalSend then uses a random
 * fingerprint (as over HTTP), kept for the session's life so a receiver sees one device. */
#define SEND_FINGERPRINT_KEY "ssync-nearby-send-fingerprint"

typedef struct {
  SsyncLocalsendSender *sender;
  GPtrArray *files;     /* GFile */
  char *pin;
  GCancellable *cancellable;  /* cut by the caller's and at shutdown */
  GCancellable *outer;
  gulong outer_id;
} SendTo;

static void
send_to_free (SendTo *data)
{
  if (data->outer != NULL)
    g_cancellable_disconnect (data->outer, data->outer_id);
  g_clear_object (&data->outer);
  g_clear_object (&data->sender);
  g_clear_object (&data->cancellable);
  g_ptr_array_unref (data->files);
  g_free (data->pin);
  g_free (data);
}

static void
on_cancelled (GCancellable *cancellable,
              GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static void
on_transfer_started (SsyncLocalsendSender *sender,
                     SsyncTransfer        *transfer,
                     SsyncSession         *self)
{
  ssync_session_track_transfer (self, transfer);
}

static SsyncLocalsendSender *
make_sender (SsyncSession *self)
{
  const char *alias = ssync_nearby_get_alias (self->nearby);
  const char *fingerprint = ssync_nearby_get_fingerprint (self->nearby);
  guint port = ssync_nearby_get_port (self->nearby);
  SsyncLocalsendIdentity me = { 0 };
  g_autofree char *short_alias = NULL;

  if (alias == NULL)
    alias = ssync_config_get_string (self->config, "alias");
  if (alias == NULL)
    alias = g_get_host_name ();
  /* LocalSend refuses an alias longer than 64 characters. */
  short_alias = g_strdup (alias);
  if (g_utf8_strlen (short_alias, -1) > SSYNC_LOCALSEND_MAX_ALIAS)
    *g_utf8_offset_to_pointer (short_alias, SSYNC_LOCALSEND_MAX_ALIAS) = '\0';
  if (fingerprint == NULL)
    {
      fingerprint = g_object_get_data (G_OBJECT (self), SEND_FINGERPRINT_KEY);
      if (fingerprint == NULL)
        {
          g_object_set_data_full (G_OBJECT (self), SEND_FINGERPRINT_KEY, ssync_token_new (),
                                  g_free);
          fingerprint = g_object_get_data (G_OBJECT (self), SEND_FINGERPRINT_KEY);
        }
    }

  me.alias = short_alias;
  me.fingerprint = fingerprint;
  me.device_type = "desktop";
  me.device_model = "ShareSync";
  me.port = port != 0 ? port : SSYNC_LOCALSEND_DEFAULT_PORT;
  me.protocol = "https";
  return ssync_localsend_sender_new (&me);
}

/* Reads "IP", "IP:PORT", "IPv6" or "[IPv6]:PORT"; FALSE when @target is none of them. */
static gboolean
parse_address (const char  *target,
               char       **address,
               guint       *port)
{
  g_autofree char *host = NULL;
  const char *port_text = NULL;
  const char *colon = strrchr (target, ':');
  guint64 number = SSYNC_LOCALSEND_DEFAULT_PORT;

  if (target[0] == '[')
    {
      const char *end = strchr (target, ']');

      if (end == NULL || (end[1] != '\0' && end[1] != ':'))
        return FALSE;
      host = g_strndup (target + 1, end - target - 1);
      port_text = end[1] == ':' ? end + 2 : NULL;
    }
  else if (colon != NULL && strchr (target, ':') == colon)
    {
      host = g_strndup (target, colon - target);
      port_text = colon + 1;
    }
  else
    host = g_strdup (target);

  if (!g_hostname_is_ip_address (host) || strchr (host, '%') != NULL)
    return FALSE;
  if (port_text != NULL
      && !g_ascii_string_to_unsigned (port_text, 10, 1, G_MAXUINT16, &number, NULL))
    return FALSE;
  *address = g_steal_pointer (&host);
  *port = (guint) number;
  return TRUE;
}

/* The device seen whose fingerprint is @target, else the one whose alias it is. */
static SsyncLocalsendDevice *
find_device (SsyncSession  *self,
             const char    *target,
             GError       **error)
{
  GListModel *devices = ssync_nearby_get_devices (self->nearby);
  guint n = g_list_model_get_n_items (devices);
  g_autoptr(SsyncLocalsendDevice) by_alias = NULL;
  guint n_by_alias = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SsyncLocalsendDevice) device = g_list_model_get_item (devices, i);

      if (g_ascii_strcasecmp (ssync_localsend_device_get_fingerprint (device), target) == 0)
        return g_steal_pointer (&device);
      if (g_strcmp0 (ssync_localsend_device_get_alias (device), target) == 0)
        {
          g_set_object (&by_alias, device);
          n_by_alias++;
        }
    }
  if (n_by_alias == 1)
    return g_steal_pointer (&by_alias);
  if (n_by_alias > 1)
    g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                 _("Several nearby devices are called “%s”: name one by its fingerprint"),
                 target);
  else
    g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND,
                 _("No nearby device is called “%s”"), target);
  return NULL;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ssync_localsend_sender_send_finish (SSYNC_LOCALSEND_SENDER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
send_to_device (GTask                *task,
                SsyncLocalsendDevice *device)
{
  SendTo *data = g_task_get_task_data (task);

  ssync_localsend_sender_send_async (data->sender, device, (GFile **) data->files->pdata,
                                     data->files->len, data->pin, data->cancellable, on_sent,
                                     task);
}

static void
on_info (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  GError *error = NULL;

  device = ssync_localsend_sender_get_info_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                   &error);
  if (device == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  send_to_device (task, device);
}

/* Sends @files (a folder as its files, named "folder/sub/name") to the nearby device
 * @target: an alias or a fingerprint among the devices Nearby sees, or an address "IP[:PORT]"
 * (port 53317 by default) asked who it is first. With @pin when the device asks for one.
 * Fails with SSYNC_ERROR_NOT_FOUND (no such device), _INVALID_ARGUMENT (nothing sendable, or
 * several devices of that name), _PIN_REQUIRED, _DECLINED, _BUSY, _UNREACHABLE or _FAILED
 * (see ssync_localsend_sender_send_async()); G_IO_ERROR_CANCELLED when cancelled. */
void
ssync_session_send_to_async (SsyncSession        *self,
                             const char          *target,
                             GFile              **files,
                             guint                n_files,
                             const char          *pin,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autofree char *address = NULL;
  GError *error = NULL;
  SendTo *data;
  guint port = 0;

  g_return_if_fail (SSYNC_IS_SESSION (self));
  g_return_if_fail (target != NULL);

  g_task_set_source_tag (task, ssync_session_send_to_async);
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (SendTo, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) send_to_free);
  data->sender = make_sender (self);
  g_signal_connect_object (data->sender, "transfer-started", G_CALLBACK (on_transfer_started),
                           self, 0);
  data->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (data->files, g_object_ref (files[i]));
  data->pin = g_strdup (pin);
  /* A send waiting for the device's user must not outlive the session. */
  data->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->outer = g_object_ref (cancellable);
      data->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                              data->cancellable, NULL);
    }
  g_signal_connect_object (self->cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                           data->cancellable, G_CONNECT_SWAPPED);

  if (parse_address (target, &address, &port))
    {
      ssync_localsend_sender_get_info_async (data->sender, address, port, data->cancellable,
                                             on_info, task);
      return;
    }
  device = find_device (self, target, &error);
  if (device == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  send_to_device (task, device);
}

gboolean
ssync_session_send_to_finish (SsyncSession  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
