/* ssync-credentials.c: the S3 secret key lives in the Secret Service under the endpoint and
 * access key, never in GSettings, SQLite or logs. Where no Secret Service answers (no session
 * bus, no service, a locked keyring that would prompt: NOTES.md), any error counts as "no
 * keyring": the user is told and the secret is kept in this process's memory for this run.
 * Keyring calls give up after a few seconds so that nothing waits on a prompt forever.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

#include "ssync-credentials.h"
#include "ssync-error.h"

#define KEYRING_TIMEOUT_SECONDS 5

struct _SsyncCredentials
{
  GObject parent_instance;

  GHashTable *session_only;
};

/* "endpoint\nkey" -> secret, when no keyring took it. One table for the process, so that a
 * key entered in the preferences reaches the session's pushes. Main thread only. */
static GHashTable *session_only;

G_DEFINE_FINAL_TYPE (SsyncCredentials, ssync_credentials, G_TYPE_OBJECT)

static const SecretSchema *
schema (void)
{
  static const SecretSchema s3_schema = {
    APP_ID ".S3", SECRET_SCHEMA_NONE,
    {
      { "endpoint", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "access-key", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &s3_schema;
}

/* Frees a secret after overwriting it, so that it does not linger in freed memory. */
void
ssync_credentials_free_secret (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static void
ssync_credentials_finalize (GObject *object)
{
  SsyncCredentials *self = SSYNC_CREDENTIALS (object);

  g_hash_table_unref (self->session_only);

  G_OBJECT_CLASS (ssync_credentials_parent_class)->finalize (object);
}

static void
ssync_credentials_class_init (SsyncCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ssync_credentials_finalize;
}

static void
ssync_credentials_init (SsyncCredentials *self)
{
  if (session_only == NULL)
    session_only = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) ssync_credentials_free_secret);
  self->session_only = g_hash_table_ref (session_only);
}

SsyncCredentials *
ssync_credentials_new (void)
{
  return g_object_new (SSYNC_TYPE_CREDENTIALS, NULL);
}

static char *
memory_key (const char *endpoint,
            const char *access_key)
{
  return g_strconcat (endpoint, "\n", access_key, NULL);
}

/* A cancellable that fires after KEYRING_TIMEOUT_SECONDS or with the caller's. */
typedef struct {
  SsyncCredentials *self;
  char *endpoint;
  char *access_key;
  char *secret;
  GCancellable *deadline;
  guint timeout_id;
  GCancellable *cancellable;  /* the caller's */
  gulong cancel_id;
} Call;

static void
call_free (Call *call)
{
  g_clear_handle_id (&call->timeout_id, g_source_remove);
  if (call->cancel_id != 0)
    g_cancellable_disconnect (call->cancellable, call->cancel_id);
  g_clear_object (&call->cancellable);
  g_clear_object (&call->deadline);
  g_clear_object (&call->self);
  g_free (call->endpoint);
  g_free (call->access_key);
  ssync_credentials_free_secret (call->secret);
  g_free (call);
}

static gboolean
on_deadline (gpointer user_data)
{
  Call *call = user_data;

  call->timeout_id = 0;
  g_cancellable_cancel (call->deadline);
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              GCancellable *deadline)
{
  g_cancellable_cancel (deadline);
}

static GTask *
start_call (SsyncCredentials    *self,
            const char          *endpoint,
            const char          *access_key,
            const char          *secret,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->endpoint = g_strdup (endpoint);
  call->access_key = g_strdup (access_key);
  call->secret = g_strdup (secret);
  call->deadline = g_cancellable_new ();
  if (cancellable != NULL)
    {
      call->cancellable = g_object_ref (cancellable);
      call->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                               call->deadline, NULL);
    }
  call->timeout_id = g_timeout_add_seconds (KEYRING_TIMEOUT_SECONDS, on_deadline, call);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  return task;
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = memory_key (call->endpoint, call->access_key);

  if (secret_password_store_finish (result, &error))
    {
      g_hash_table_remove (call->self->session_only, key);
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_hash_table_replace (call->self->session_only, g_steal_pointer (&key),
                        g_steal_pointer (&call->secret));
  g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_NO_KEYRING,
                           _("No keyring is available (%s): the secret key is kept for this "
                             "run only"),
                           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                             ? _("it did not answer") : error->message);
}

/* Saves @secret_key for @endpoint and @access_key in the keyring. When that fails the key is
 * still kept, in memory for this run, and the error says so. */
void
ssync_credentials_store_async (SsyncCredentials    *self,
                               const char          *endpoint,
                               const char          *access_key,
                               const char          *secret_key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = start_call (self, endpoint, access_key, secret_key, cancellable, callback,
                            user_data);
  Call *call = g_task_get_task_data (task);
  /* The same store keeps the password of a TURN relay (its endpoint is a turn: URI). */
  g_autofree char *label = g_str_has_prefix (endpoint, "turn")
                           ? g_strdup_printf (_("ShareSync TURN password for %s"), endpoint)
                           : g_strdup_printf (_("ShareSync S3 secret key for %s"), endpoint);

  secret_password_store (schema (), SECRET_COLLECTION_DEFAULT, label, secret_key,
                         call->deadline, on_stored, task, "endpoint", endpoint,
                         "access-key", access_key, NULL);
}

gboolean
ssync_credentials_store_finish (SsyncCredentials  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (secret != NULL)
    {
      g_task_return_pointer (task, g_strdup (secret), (GDestroyNotify) ssync_credentials_free_secret);
      secret_password_free (secret);
      return;
    }
  if (error == NULL)
    g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND,
                             _("The keyring holds no secret key for “%s” on %s"),
                             call->access_key, call->endpoint);
  else
    g_task_return_new_error (task, SSYNC_ERROR, SSYNC_ERROR_NO_KEYRING,
                             _("No keyring is available to read the secret key for %s (%s); "
                               "enter it again in the preferences"),
                             call->endpoint,
                             g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                               ? _("it did not answer") : error->message);
}

/* The secret key for @endpoint and @access_key: the one kept for this run, else the
 * keyring's. */
void
ssync_credentials_lookup_async (SsyncCredentials    *self,
                                const char          *endpoint,
                                const char          *access_key,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *key = memory_key (endpoint, access_key);
  const char *kept = g_hash_table_lookup (self->session_only, key);
  g_autoptr(GTask) task = start_call (self, endpoint, access_key, NULL, cancellable, callback,
                                      user_data);
  Call *call = g_task_get_task_data (task);

  if (kept != NULL)
    {
      g_task_return_pointer (task, g_strdup (kept), (GDestroyNotify) ssync_credentials_free_secret);
      return;
    }
  secret_password_lookup (schema (), call->deadline, on_looked_up, g_steal_pointer (&task),
                          "endpoint", endpoint, "access-key", access_key, NULL);
}

char *
ssync_credentials_lookup_finish (SsyncCredentials  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
