/* test-rtc-service.c: the direct-transfer side follows its settings and the TURN password.
 * A password stored anew, with every setting unchanged, is what the next connection uses:
 * before SsyncSecrets, only a change of the server or user name made it read again.
 *
 * The secrets go to the run-only store here (no session bus), never to a real keyring.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>

#include "ssync-error.h"
#include "ssync-registry.h"
#include "ssync-rtc-service.h"

typedef struct {
  SsyncConfig *config;
  SsyncSecrets *secrets;
  SsyncRegistry *registry;
  SsyncWsHub *hub;
  SsyncUploadGatekeeper *gatekeeper;
  SsyncRtcService *service;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->config = ssync_config_new ();
  fixture->secrets = ssync_secrets_new ();
  fixture->registry = ssync_registry_new ();
  fixture->hub = ssync_ws_hub_new (fixture->registry);
  fixture->gatekeeper = ssync_upload_gatekeeper_new ();
  fixture->service = ssync_rtc_service_new (fixture->config, fixture->secrets, fixture->hub,
                                            fixture->gatekeeper);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->service);
  g_clear_object (&fixture->gatekeeper);
  g_clear_object (&fixture->hub);
  g_clear_object (&fixture->registry);
  g_clear_object (&fixture->secrets);
  g_clear_object (&fixture->config);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  /* Without a keyring the password is kept for this run only, which the store says; it
   * is in force all the same. */
  if (!ssync_secrets_store_finish (SSYNC_SECRETS (source), result, &error))
    g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NO_KEYRING);
  *done = TRUE;
}

static void
store_password (Fixture    *fixture,
                const char *password)
{
  gboolean done = FALSE;

  ssync_secrets_store_async (fixture->secrets, SSYNC_SECRET_TURN,
                             ssync_config_get_string (fixture->config, "turn-server"),
                             ssync_config_get_string (fixture->config, "turn-username"),
                             password, NULL, on_stored, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs the main loop until the service's TURN server is @expected (the lookup is async). */
static void
assert_turn_server (Fixture    *fixture,
                    const char *expected)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_strcmp0 (ssync_rtc_service_get_turn_server (fixture->service), expected) != 0 &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpstr (ssync_rtc_service_get_turn_server (fixture->service), ==, expected);
}

static void
test_password_followed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_object_set (fixture->config, "turn-server", "turn://turn.example.org:3478", "turn-username",
                "alice", NULL);
  /* No password yet: the relay is offered without one. */
  assert_turn_server (fixture, "turn://turn.example.org:3478");

  store_password (fixture, "first");
  assert_turn_server (fixture, "turn://alice:first@turn.example.org:3478");

  /* The stale-secret bug: the same server and user, a new password. */
  store_password (fixture, "second");
  assert_turn_server (fixture, "turn://alice:second@turn.example.org:3478");
}

/* The servers themselves follow the settings, STUN included. */
static void
test_settings_followed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_assert_null (ssync_rtc_service_get_turn_server (fixture->service));
  g_object_set (fixture->config, "turn-server", "turn://relay.example.org:3478", NULL);
  assert_turn_server (fixture, "turn://relay.example.org:3478");
  g_object_set (fixture->config, "turn-server", "", NULL);
  assert_turn_server (fixture, NULL);
}

int
main (int   argc,
      char *argv[])
{
  /* Secrets stay in this process: a developer's own keyring is never written. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/sharesync-no-bus", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/rtc-service/turn-password-followed", Fixture, NULL, fixture_set_up,
              test_password_followed, fixture_tear_down);
  g_test_add ("/rtc-service/settings-followed", Fixture, NULL, fixture_set_up,
              test_settings_followed, fixture_tear_down);

  return g_test_run ();
}
