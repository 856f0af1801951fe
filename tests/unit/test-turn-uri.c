/* test-turn-uri.c: the TURN relay's URI: credentials from the settings dropped, the user
 * name and the keyring's password put in, percent-encoded.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib.h>

#include "ssync-rtc-ice.h"

static void
test_compose (void)
{
  gboolean dropped = TRUE;
  g_autofree char *plain = ssync_rtc_turn_uri ("turn://relay.example.org:3478", NULL, NULL,
                                               &dropped);
  g_autofree char *full = ssync_rtc_turn_uri ("turn://relay.example.org:3478", "ann",
                                              "p@ss:w/rd%", &dropped);
  g_autofree char *tls = ssync_rtc_turn_uri (" TURNS://relay.example.org", "ann", "x", NULL);

  g_assert_cmpstr (plain, ==, "turn://relay.example.org:3478");
  g_assert_false (dropped);
  g_assert_cmpstr (full, ==, "turn://ann:p%40ss%3Aw%2Frd%25@relay.example.org:3478");
  g_assert_cmpstr (tls, ==, "turns://ann:x@relay.example.org");
}

/* A password typed into the settings' URI never reaches webrtcbin, and the caller learns
 * it was there (to tell the user to move it to the keyring). */
static void
test_settings_password_dropped (void)
{
  gboolean dropped = FALSE;
  g_autofree char *uri = ssync_rtc_turn_uri ("turn://bob:secret@relay.example.org:3478", NULL,
                                             NULL, &dropped);
  g_autofree char *replaced = ssync_rtc_turn_uri ("turn://bob:secret@relay.example.org", "ann",
                                                  "new", NULL);

  g_assert_true (dropped);
  g_assert_cmpstr (uri, ==, "turn://relay.example.org:3478");
  g_assert_cmpstr (replaced, ==, "turn://ann:new@relay.example.org");
}

static void
test_not_turn (void)
{
  g_assert_null (ssync_rtc_turn_uri ("", "ann", "x", NULL));
  g_assert_null (ssync_rtc_turn_uri (NULL, "ann", "x", NULL));
  g_assert_null (ssync_rtc_turn_uri ("stun://relay.example.org", NULL, NULL, NULL));
  g_assert_null (ssync_rtc_turn_uri ("relay.example.org", NULL, NULL, NULL));
  g_assert_null (ssync_rtc_turn_uri ("turn://user:pw@", NULL, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/turn-uri/compose", test_compose);
  g_test_add_func ("/turn-uri/settings-password-dropped", test_settings_password_dropped);
  g_test_add_func ("/turn-uri/not-turn", test_not_turn);

  return g_test_run ();
}
