/* test-credentials.c: the S3 secret key in a real gnome-keyring (run under dbus-run-session
 * with the keyring unlocked, see tests/s3/meson.build), and without any Secret Service.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ssync-credentials.h"
#include "ssync-error.h"

#define ENDPOINT "https://minio.example.test:9000"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

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
store (SsyncCredentials  *credentials,
       const char        *access_key,
       const char        *secret,
       GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ssync_credentials_store_async (credentials, ENDPOINT, access_key, secret, NULL, on_done,
                                 &result);
  return ssync_credentials_store_finish (credentials, wait_for (&result), error);
}

static char *
lookup (SsyncCredentials  *credentials,
        const char        *access_key,
        GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ssync_credentials_lookup_async (credentials, ENDPOINT, access_key, NULL, on_done, &result);
  return ssync_credentials_lookup_finish (credentials, wait_for (&result), error);
}

/* Stored in the keyring: a new process (here a new object and secret-tool) finds it. */
static void
test_keyring (void)
{
  g_autoptr(SsyncCredentials) first = ssync_credentials_new ();
  g_autoptr(SsyncCredentials) second = ssync_credentials_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *tool_out = NULL;
  g_autofree char *missing = NULL;
  const char *argv[] = { "secret-tool", "lookup", "endpoint", ENDPOINT, "access-key", "AKIDKEYRING",
                         NULL };
  int status;

  gboolean stored = store (first, "AKIDKEYRING", SECRET, &error);

  g_assert_no_error (error);
  g_assert_true (stored);

  found = lookup (second, "AKIDKEYRING", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, SECRET);

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &tool_out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_strstrip (tool_out), ==, SECRET);

  missing = lookup (second, "AKIDOTHER", &error);
  g_assert_null (missing);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "holds no secret key"));
}

/* No Secret Service: the user is told, and the key still works for this run. */
static void
test_no_service (void)
{
  g_autoptr(SsyncCredentials) credentials = ssync_credentials_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *other = NULL;

  g_assert_false (store (credentials, "AKIDMEMORY", SECRET, &error));
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NO_KEYRING);
  g_assert_nonnull (strstr (error->message, "kept for this run only"));
  g_assert_null (strstr (error->message, SECRET));
  g_clear_error (&error);

  found = lookup (credentials, "AKIDMEMORY", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, SECRET);

  other = lookup (credentials, "AKIDOTHER", &error);
  g_assert_null (other);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NO_KEYRING);
  g_assert_nonnull (strstr (error->message, "No keyring is available"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/credentials/keyring", test_keyring);
  g_test_add_func ("/credentials/no-service", test_no_service);

  return g_test_run ();
}
