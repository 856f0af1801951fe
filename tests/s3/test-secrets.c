/* test-secrets.c: the session's one owner of secrets. In a real gnome-keyring (run under
 * dbus-run-session with the keyring unlocked, see tests/s3/meson.build): stored secrets are
 * found by a new owner and by secret-tool under the attributes earlier versions used, and
 * secrets stored the earlier way are found. Without any Secret Service: secrets are kept for
 * the run. In both, every change is announced with "changed".
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ssync-credentials.h"
#include "ssync-error.h"
#include "ssync-secrets.h"

#define ENDPOINT "https://minio.example.test:9000"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

/* The "changed" signals seen, as "kind server user" lines. */
typedef struct {
  GPtrArray *changes;
} Watch;

static void
on_changed (SsyncSecrets *secrets,
            int           kind,
            const char   *server,
            const char   *user,
            Watch        *watch)
{
  g_ptr_array_add (watch->changes, g_strdup_printf ("%d %s %s", kind, server, user));
}

static void
watch_init (Watch        *watch,
            SsyncSecrets *secrets)
{
  watch->changes = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (secrets, "changed", G_CALLBACK (on_changed), watch);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
store (SsyncSecrets     *secrets,
       SsyncSecretKind   kind,
       const char       *server,
       const char       *user,
       const char       *secret,
       GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ssync_secrets_store_async (secrets, kind, server, user, secret, NULL, on_done, &result);
  return ssync_secrets_store_finish (secrets, wait_for (&result), error);
}

static char *
lookup (SsyncSecrets     *secrets,
        SsyncSecretKind   kind,
        const char       *server,
        const char       *user,
        GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ssync_secrets_lookup_async (secrets, kind, server, user, NULL, on_done, &result);
  return ssync_secrets_lookup_finish (secrets, wait_for (&result), error);
}

static char *
secret_tool (const char *endpoint,
             const char *user)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "secret-tool", "lookup", "endpoint", endpoint, "access-key", user,
                         NULL };
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  return g_strstrip (out);
}

static void
test_keyring (void)
{
  g_autoptr(SsyncSecrets) first = ssync_secrets_new ();
  g_autoptr(SsyncSecrets) second = ssync_secrets_new ();
  g_autoptr(SsyncCredentials) earlier = ssync_credentials_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *tool = NULL;
  g_autofree char *turn = NULL;
  g_autofree char *turn_tool = NULL;
  g_autofree char *old = NULL;
  g_autofree char *missing = NULL;
  Watch watch;

  watch_init (&watch, first);

  /* Stored: announced, then found by another owner (a new run) and by secret-tool. */
  g_assert_true (store (first, SSYNC_SECRET_S3, ENDPOINT, "AKIDKEYRING", SECRET, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (watch.changes->len, ==, 1);
  g_assert_cmpstr (watch.changes->pdata[0], ==, "0 " ENDPOINT " AKIDKEYRING");
  found = lookup (second, SSYNC_SECRET_S3, ENDPOINT, "AKIDKEYRING", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, SECRET);
  tool = secret_tool (ENDPOINT, "AKIDKEYRING");
  g_assert_cmpstr (tool, ==, SECRET);

  /* A TURN password given as host:port is kept under the relay's URI, as it was before. */
  g_assert_true (store (first, SSYNC_SECRET_TURN, "turn.example.test:3478", "alice", "pw-1",
                        &error));
  g_assert_no_error (error);
  g_assert_cmpstr (watch.changes->pdata[1], ==, "1 turn.example.test:3478 alice");
  turn_tool = secret_tool ("turn://turn.example.test:3478", "alice");
  g_assert_cmpstr (turn_tool, ==, "pw-1");
  turn = lookup (second, SSYNC_SECRET_TURN, "turn://turn.example.test:3478", "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (turn, ==, "pw-1");

  /* A secret an earlier version stored is found. */
  ssync_credentials_store_async (earlier, ENDPOINT, "AKIDEARLIER", "from-before", NULL, on_done,
                                 &result);
  g_assert_true (ssync_credentials_store_finish (earlier, wait_for (&result), &error));
  g_assert_no_error (error);
  old = lookup (second, SSYNC_SECRET_S3, ENDPOINT, "AKIDEARLIER", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (old, ==, "from-before");

  missing = lookup (second, SSYNC_SECRET_S3, ENDPOINT, "AKIDOTHER", &error);
  g_assert_null (missing);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND);

  g_ptr_array_unref (watch.changes);
}

static void
test_no_service (void)
{
  g_autoptr(SsyncSecrets) secrets = ssync_secrets_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *for_run = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *forgotten = NULL;
  g_autofree char *turn = NULL;
  g_autofree char *other = NULL;
  Watch watch;

  watch_init (&watch, secrets);

  /* Set for the run (headless's SHARESYNC_S3_SECRET_KEY): announced and found. */
  ssync_secrets_set_for_run (secrets, SSYNC_SECRET_S3, ENDPOINT, "AKIDRUN", "from-env");
  g_assert_cmpuint (watch.changes->len, ==, 1);
  g_assert_cmpstr (watch.changes->pdata[0], ==, "0 " ENDPOINT " AKIDRUN");
  for_run = lookup (secrets, SSYNC_SECRET_S3, ENDPOINT, "AKIDRUN", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (for_run, ==, "from-env");

  /* Stored later without a keyring: the user is told, the new secret wins, and it is
   * announced all the same. */
  g_assert_false (store (secrets, SSYNC_SECRET_S3, ENDPOINT, "AKIDRUN", SECRET, &error));
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NO_KEYRING);
  g_assert_nonnull (strstr (error->message, "kept for this run only"));
  g_assert_null (strstr (error->message, SECRET));
  g_clear_error (&error);
  g_assert_cmpuint (watch.changes->len, ==, 2);
  stored = lookup (secrets, SSYNC_SECRET_S3, ENDPOINT, "AKIDRUN", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, SECRET);

  /* A TURN relay given as host:port is the same as its turn:// URI. */
  ssync_secrets_set_for_run (secrets, SSYNC_SECRET_TURN, "relay.test:3478", "bob", "turn-pw");
  g_assert_cmpstr (watch.changes->pdata[2], ==, "1 relay.test:3478 bob");
  turn = lookup (secrets, SSYNC_SECRET_TURN, "turn://relay.test:3478", "bob", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (turn, ==, "turn-pw");

  /* Nothing stored and no keyring to ask: the error says which. */
  other = lookup (secrets, SSYNC_SECRET_S3, ENDPOINT, "AKIDOTHER", &error);
  g_assert_null (other);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NO_KEYRING);
  g_clear_error (&error);

  /* An empty secret forgets the one set for the run. */
  ssync_secrets_set_for_run (secrets, SSYNC_SECRET_TURN, "relay.test:3478", "bob", NULL);
  g_assert_cmpuint (watch.changes->len, ==, 4);
  forgotten = lookup (secrets, SSYNC_SECRET_TURN, "relay.test:3478", "bob", &error);
  g_assert_null (forgotten);
  g_assert_nonnull (error);

  g_ptr_array_unref (watch.changes);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secrets/keyring", test_keyring);
  g_test_add_func ("/secrets/no-service", test_no_service);

  return g_test_run ();
}
