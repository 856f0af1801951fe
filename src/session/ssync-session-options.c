/* ssync-session-options.c: changing a share's password, expiry and download limit while it
 * is served (the window's share options).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-password.h"
#include "ssync-session-private.h"

typedef struct {
  SsyncShare *share;
  SsyncShareOptions options;
  char *password;       /* copied from options */
  char *password_hash;  /* made on a worker thread */
} OptionsData;

static void
options_data_free (OptionsData *data)
{
  g_clear_object (&data->share);
  if (data->password != NULL)
    explicit_bzero (data->password, strlen (data->password));
  g_free (data->password);
  g_free (data->password_hash);
  g_free (data);
}

/* PBKDF2 with 600,000 rounds takes a noticeable fraction of a second: never on the main
 * thread. */
static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OptionsData *data = task_data;
  GError *error = NULL;

  data->password_hash = ssync_password_hash (data->password, &error);
  if (data->password_hash == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
apply (SsyncSession *self,
       OptionsData  *data)
{
  SsyncShare *share = data->share;

  if (data->options.set_password)
    ssync_share_set_password_hash (share, data->password_hash);
  if (data->options.set_expires)
    {
      if (data->options.lifetime_seconds > 0)
        {
          ssync_share_set_expires (share, g_get_real_time () +
                                   data->options.lifetime_seconds * G_USEC_PER_SEC);
          ssync_session_schedule_expiry (self, ssync_share_get_expires (share));
        }
      else
        ssync_share_set_expires (share, 0);
    }
  if (data->options.set_max_downloads)
    ssync_share_set_max_downloads (share, data->options.max_downloads);
}

static void
on_hashed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  apply (SSYNC_SESSION (source), g_task_get_task_data (task));
  g_task_return_boolean (task, TRUE);
}

/* Changes what @options set on @share; a new password is hashed on a worker thread first,
 * and nothing changes unless everything can. An empty or NULL password with set_password
 * removes the password; lifetime_seconds 0 with set_expires: the share never expires;
 * max_downloads 0 with set_max_downloads: no limit. */
void
ssync_session_set_share_options_async (SsyncSession            *self,
                                       SsyncShare              *share,
                                       const SsyncShareOptions *options,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  OptionsData *data;

  g_return_if_fail (SSYNC_IS_SESSION (self));
  g_return_if_fail (SSYNC_IS_SHARE (share));
  g_return_if_fail (options != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ssync_session_set_share_options_async);
  data = g_new0 (OptionsData, 1);
  data->share = g_object_ref (share);
  data->options = *options;
  data->password = g_strdup (options->password);
  data->options.password = NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) options_data_free);

  if (options->set_expires && options->lifetime_seconds < 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The expiry must be in the future"));
      return;
    }

  if (options->set_password && data->password != NULL && data->password[0] != '\0')
    {
      g_autoptr(GTask) hash = g_task_new (self, cancellable, on_hashed,
                                          g_steal_pointer (&task));

      g_task_set_task_data (hash, data, NULL);
      g_task_run_in_thread (hash, hash_thread);
      return;
    }

  apply (self, data);
  g_task_return_boolean (task, TRUE);
}

gboolean
ssync_session_set_share_options_finish (SsyncSession  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
