/* ssync-secrets.c: the one owner of secrets (ssync-secrets.h). The Secret Service part is
 * SsyncCredentials' (src/cloud): the same schema and attributes as before, so that secrets
 * stored by earlier versions are still found. Secrets for this run only (a face's
 * SHARESYNC_S3_SECRET_KEY) live here, in memory, and are looked at first.
 *
 * Every change is announced with "changed", so that whoever made something from a secret
 * (the pusher's S3 client, the TURN relay's URI) makes it again.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-credentials.h"
#include "ssync-error.h"
#include "ssync-secrets.h"

struct _SsyncSecrets
{
  GObject parent_instance;

  SsyncCredentials *credentials;
  GHashTable *for_run;   /* key () → secret, set for this run by a face; wiped when freed */
};

G_DEFINE_FINAL_TYPE (SsyncSecrets, ssync_secrets, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ssync_secrets_dispose (GObject *object)
{
  SsyncSecrets *self = SSYNC_SECRETS (object);

  g_clear_object (&self->credentials);

  G_OBJECT_CLASS (ssync_secrets_parent_class)->dispose (object);
}

static void
ssync_secrets_finalize (GObject *object)
{
  SsyncSecrets *self = SSYNC_SECRETS (object);

  g_clear_pointer (&self->for_run, g_hash_table_unref);

  G_OBJECT_CLASS (ssync_secrets_parent_class)->finalize (object);
}

static void
ssync_secrets_class_init (SsyncSecretsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_secrets_dispose;
  object_class->finalize = ssync_secrets_finalize;

  /**
   * SsyncSecrets::changed:
   * @kind: a #SsyncSecretKind
   * @server: the S3 endpoint or the TURN relay
   * @user: the access key or the TURN user name
   *
   * A secret was stored or set for this run: what was made from the old one is stale.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_STRING, G_TYPE_STRING);
}

static void
ssync_secrets_init (SsyncSecrets *self)
{
  self->credentials = ssync_credentials_new ();
  self->for_run = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) ssync_credentials_free_secret);
}

SsyncSecrets *
ssync_secrets_new (void)
{
  return g_object_new (SSYNC_TYPE_SECRETS, NULL);
}

/* The keyring's "endpoint" attribute. Earlier versions kept a TURN password under the
 * relay's URI without credentials ("turn://host:port"), so a bare host:port gets the
 * scheme it stood for; an S3 endpoint is its address as entered. */
static char *
keyring_server (SsyncSecretKind  kind,
                const char      *server)
{
  if (kind == SSYNC_SECRET_TURN && strstr (server, "://") == NULL)
    return g_strconcat ("turn://", server, NULL);
  return g_strdup (server);
}

static char *
run_key (SsyncSecretKind  kind,
         const char      *server,
         const char      *user)
{
  g_autofree char *endpoint = keyring_server (kind, server);

  return g_strdup_printf ("%d\n%s\n%s", kind, endpoint, user);
}

static void
emit_changed (SsyncSecrets    *self,
              SsyncSecretKind  kind,
              const char      *server,
              const char      *user)
{
  g_signal_emit (self, signals[CHANGED], 0, kind, server, user);
}

/* For this run only, never written anywhere; an empty @secret forgets the one set. */
void
ssync_secrets_set_for_run (SsyncSecrets    *self,
                           SsyncSecretKind  kind,
                           const char      *server,
                           const char      *user,
                           const char      *secret)
{
  g_autofree char *key = NULL;

  g_return_if_fail (SSYNC_IS_SECRETS (self));
  g_return_if_fail (server != NULL && user != NULL);

  key = run_key (kind, server, user);
  if (secret == NULL || *secret == '\0')
    g_hash_table_remove (self->for_run, key);
  else
    g_hash_table_replace (self->for_run, g_steal_pointer (&key), g_strdup (secret));
  emit_changed (self, kind, server, user);
}

/* What a store or a lookup is about, kept for its callback. */
typedef struct {
  SsyncSecretKind kind;
  char *server;
  char *user;
} Call;

static void
call_free (Call *call)
{
  g_free (call->server);
  g_free (call->user);
  g_free (call);
}

static GTask *
start_call (SsyncSecrets        *self,
            SsyncSecretKind      kind,
            const char          *server,
            const char          *user,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, source_tag);
  call->kind = kind;
  call->server = g_strdup (server);
  call->user = g_strdup (user);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  return task;
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SsyncSecrets *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean stored = ssync_credentials_store_finish (SSYNC_CREDENTIALS (source), result, &error);
  g_autofree char *key = run_key (call->kind, call->server, call->user);

  /* Without a keyring the secret is still kept for this run (the error says so): either way
   * it is the one in force now, newer than any set for the run before. */
  g_hash_table_remove (self->for_run, key);
  emit_changed (self, call->kind, call->server, call->user);
  if (stored)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Saves @secret in the keyring; where no keyring answers it is kept for this run and the
 * error (SSYNC_ERROR_NO_KEYRING) says so. "changed" follows in both cases. */
void
ssync_secrets_store_async (SsyncSecrets        *self,
                           SsyncSecretKind      kind,
                           const char          *server,
                           const char          *user,
                           const char          *secret,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  g_autofree char *endpoint = NULL;

  g_return_if_fail (SSYNC_IS_SECRETS (self));
  g_return_if_fail (server != NULL && user != NULL && secret != NULL);

  task = start_call (self, kind, server, user, ssync_secrets_store_async, cancellable, callback,
                     user_data);
  endpoint = keyring_server (kind, server);
  ssync_credentials_store_async (self->credentials, endpoint, user, secret, cancellable,
                                 on_stored, task);
}

gboolean
ssync_secrets_store_finish (SsyncSecrets  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = ssync_credentials_lookup_finish (SSYNC_CREDENTIALS (source), result, &error);

  if (secret != NULL)
    g_task_return_pointer (task, secret, (GDestroyNotify) ssync_credentials_free_secret);
  else
    g_task_return_error (task, error);
}

/* The secret set for this run, else the keyring's (or the one kept for this run when the
 * keyring did not take it). */
void
ssync_secrets_lookup_async (SsyncSecrets        *self,
                            SsyncSecretKind      kind,
                            const char          *server,
                            const char          *user,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  g_autofree char *endpoint = NULL;
  const char *kept;

  g_return_if_fail (SSYNC_IS_SECRETS (self));
  g_return_if_fail (server != NULL && user != NULL);

  task = start_call (self, kind, server, user, ssync_secrets_lookup_async, cancellable,
                     callback, user_data);
  key = run_key (kind, server, user);
  kept = g_hash_table_lookup (self->for_run, key);
  if (kept != NULL)
    {
      g_task_return_pointer (task, g_strdup (kept), (GDestroyNotify) ssync_credentials_free_secret);
      return;
    }
  endpoint = keyring_server (kind, server);
  ssync_credentials_lookup_async (self->credentials, endpoint, user, cancellable, on_looked_up,
                                  g_steal_pointer (&task));
}

char *
ssync_secrets_lookup_finish (SsyncSecrets  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
