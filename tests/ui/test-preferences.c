/* test-preferences.c: the preferences window under Xvfb, on the memory GSettings backend
 * and the schema compiled in the build directory: each row saves its key as it changes and
 * shows the key's value, an expiry ShareSync cannot read is not saved, the S3 secret key and
 * the TURN password go to SsyncSecrets (never to a key), every control has an accessible
 * label, and the window finalizes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ssync-preferences-window.h"
#include "ssync-ui-screenshot.h"

typedef struct {
  GSettings *settings;
  SsyncSecrets *secrets;
  SsyncPreferencesWindow *window;
} Fixture;

static gpointer
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->window),
                                                   SSYNC_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static void
flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  /* The memory backend starts from the defaults in every process. */
  fixture->settings = ssync_preferences_lookup_settings ();
  g_assert_nonnull (fixture->settings);
  /* Held, so that the teardown sees it finalize once GTK lets go of it. */
  fixture->secrets = ssync_secrets_new ();
  fixture->window = g_object_ref (ssync_preferences_window_new (NULL, fixture->settings,
                                                                fixture->secrets));
  ssync_preferences_window_present (fixture->window);
  flush ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ssync_preferences_window_close (fixture->window);
  flush ();
  g_assert_finalize_object (fixture->window);
  g_assert_finalize_object (fixture->settings);
  g_assert_finalize_object (fixture->secrets);
}

static void
test_port (Fixture       *fixture,
           gconstpointer  data)
{
  GtkSpinButton *spin = child (fixture, "port_spin");

  /* 5001 moves on when taken; 0 would be any free port, as --port 0. */
  g_assert_cmpint (g_settings_get_int (fixture->settings, "port"), ==, 5001);
  gtk_spin_button_set_value (spin, 8080);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "port"), ==, 8080);

  g_settings_set_int (fixture->settings, "port", 6000);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 6000);
}

/* The expiry of new shares is picked from the durations a share's options offer, saved as
 * a duration the command line's --expires also reads; a duration saved elsewhere shows as
 * a last choice, and no choice can be a value that is not one. */
static void
test_expiry (Fixture       *fixture,
             gconstpointer  data)
{
  AdwComboRow *row = child (fixture, "expiry_row");
  GListModel *model;
  g_autofree char *saved = NULL;
  g_autofree char *label = NULL;

  g_assert_true (ADW_IS_COMBO_ROW (row));
  model = adw_combo_row_get_model (row);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);

  adw_combo_row_set_selected (row, 2);
  saved = g_settings_get_string (fixture->settings, "default-expiry");
  g_assert_cmpstr (saved, ==, "1d");
  g_clear_pointer (&saved, g_free);

  g_settings_set_string (fixture->settings, "default-expiry", "2h");
  flush ();
  model = adw_combo_row_get_model (row);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 5);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 4);
  label = g_strdup (gtk_string_list_get_string (GTK_STRING_LIST (model), 4));
  g_assert_cmpstr (label, ==, "After 2 hours");
  saved = g_settings_get_string (fixture->settings, "default-expiry");
  g_assert_cmpstr (saved, ==, "2h");
  g_clear_pointer (&saved, g_free);

  /* What a user sees at GNOME's narrowest phone width and at the window's default one. */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 360, 640);
  ssync_ui_iterate_for (1000);
  g_test_message ("preferences at %d px", gtk_widget_get_width (GTK_WIDGET (fixture->window)));
  ssync_ui_screenshot (GTK_WIDGET (fixture->window), "preferences-expiry-360");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 760, 640);
  ssync_ui_iterate_for (1000);
  ssync_ui_screenshot (GTK_WIDGET (fixture->window), "preferences-expiry-760");

  adw_combo_row_set_selected (row, 0);
  saved = g_settings_get_string (fixture->settings, "default-expiry");
  g_assert_cmpstr (saved, ==, "");
}

static void
test_receiving (Fixture       *fixture,
                gconstpointer  data)
{
  AdwActionRow *folder_row = child (fixture, "folder_row");
  g_autoptr(GFile) downloads = ssync_preferences_dup_receive_folder (NULL);
  g_autofree char *downloads_path = g_file_get_path (downloads);
  g_autofree char *tmp = g_dir_make_tmp ("ssync-prefs-XXXXXX", NULL);

  /* 25 MB is 25,000,000 bytes, as the rest of GNOME counts them. */
  gtk_spin_button_set_value (child (fixture, "max_upload_spin"), 25);
  g_assert_cmpuint (g_settings_get_uint64 (fixture->settings, "max-upload-size"), ==, 25000000);

  gtk_spin_button_set_value (child (fixture, "download_limit_spin"), 3);
  g_assert_cmpuint (g_settings_get_uint (fixture->settings, "download-limit"), ==, 3);

  g_assert_false (g_settings_get_boolean (fixture->settings, "auto-accept"));
  gtk_switch_set_active (child (fixture, "auto_accept_switch"), TRUE);
  g_assert_true (g_settings_get_boolean (fixture->settings, "auto-accept"));

  /* The folder row shows the Downloads folder until one is chosen, then that one. */
  g_assert_cmpstr (adw_action_row_get_subtitle (folder_row), ==, downloads_path);
  g_settings_set_string (fixture->settings, "receive-folder", tmp);
  g_assert_cmpstr (adw_action_row_get_subtitle (folder_row), ==, tmp);
  g_rmdir (tmp);
}

typedef struct {
  SsyncSecretKind kind;
  char *server;
  char *user;
  char *secret;
} Change;

static void
on_secret_changed (SsyncSecrets    *secrets,
                   SsyncSecretKind  kind,
                   const char      *server,
                   const char      *user,
                   Change          *change)
{
  change->kind = kind;
  g_free (change->server);
  change->server = g_strdup (server);
  g_free (change->user);
  change->user = g_strdup (user);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Change *change = user_data;
  g_autoptr(GError) error = NULL;

  change->secret = ssync_secrets_lookup_finish (SSYNC_SECRETS (source), result, &error);
  g_assert_no_error (error);
}

/* Types @secret into the password row @row_name, applies it, and waits until @status_name
 * says what became of it; then reads the secret back from the secrets object. */
static void
apply_secret (Fixture    *fixture,
              const char *row_name,
              const char *status_name,
              const char *secret,
              Change     *change)
{
  GtkWidget *row = child (fixture, row_name);
  GtkWidget *status = child (fixture, status_name);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_signal_connect (fixture->secrets, "changed", G_CALLBACK (on_secret_changed), change);
  gtk_editable_set_text (GTK_EDITABLE (row), secret);
  g_signal_emit_by_name (row, "apply");
  /* Never left in the window once handed over. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  while (!gtk_widget_get_visible (status) || change->server == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handlers_disconnect_by_data (fixture->secrets, change);

  ssync_secrets_lookup_async (fixture->secrets, change->kind, change->server, change->user,
                              NULL, on_looked_up, change);
  while (change->secret == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
change_clear (Change *change)
{
  g_free (change->server);
  g_free (change->user);
  g_free (change->secret);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Change, change_clear)

static void
test_s3_secret (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(Change) change = { 0 };

  g_settings_set_string (fixture->settings, "s3-endpoint", "http://127.0.0.1:9000");
  g_settings_set_string (fixture->settings, "s3-access-key", "ACCESSKEY");
  apply_secret (fixture, "s3_secret_row", "s3_secret_status", "the right one", &change);

  g_assert_cmpint (change.kind, ==, SSYNC_SECRET_S3);
  g_assert_cmpstr (change.server, ==, "http://127.0.0.1:9000");
  g_assert_cmpstr (change.user, ==, "ACCESSKEY");
  g_assert_cmpstr (change.secret, ==, "the right one");
}

/* The relay goes to the secrets as the preferences hold it, without a scheme. */
static void
test_turn_password (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Change) change = { 0 };

  g_settings_set_string (fixture->settings, "turn-server", "relay.example.org:3478");
  g_settings_set_string (fixture->settings, "turn-username", "alice");
  apply_secret (fixture, "turn_password_row", "turn_password_status", "open sesame", &change);

  g_assert_cmpint (change.kind, ==, SSYNC_SECRET_TURN);
  g_assert_cmpstr (change.server, ==, "relay.example.org:3478");
  g_assert_cmpstr (change.user, ==, "alice");
  g_assert_cmpstr (change.secret, ==, "open sesame");
}

/* Every control a user can see says what it is to a screen reader. */
static void
assert_controls_labelled (GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_SPIN_BUTTON (widget) || GTK_IS_SWITCH (widget) || GTK_IS_BUTTON (widget) ||
      GTK_IS_TEXT (widget))
    {
      g_test_message ("checking %s", G_OBJECT_TYPE_NAME (widget));
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                                       GTK_ACCESSIBLE_PROPERTY_LABEL));
      return;
    }
  for (GtkWidget *widget_child = gtk_widget_get_first_child (widget); widget_child != NULL;
       widget_child = gtk_widget_get_next_sibling (widget_child))
    assert_controls_labelled (widget_child);
}

static void
test_accessible_labels (Fixture       *fixture,
                        gconstpointer  data)
{
  assert_controls_labelled (child (fixture, "general_page"));
  assert_controls_labelled (child (fixture, "receiving_page"));
  assert_controls_labelled (child (fixture, "cloud_page"));
}

int
main (int   argc,
      char *argv[])
{
  /* No keyring answers here, whatever the desktop running the tests has: the secrets are
   * kept for this run, and nothing lands in the user's keyring. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ssync-test-bus", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/preferences/port", Fixture, NULL, fixture_set_up, test_port, fixture_tear_down);
  g_test_add ("/preferences/expiry", Fixture, NULL, fixture_set_up, test_expiry,
              fixture_tear_down);
  g_test_add ("/preferences/receiving", Fixture, NULL, fixture_set_up, test_receiving,
              fixture_tear_down);
  g_test_add ("/preferences/s3-secret", Fixture, NULL, fixture_set_up, test_s3_secret,
              fixture_tear_down);
  g_test_add ("/preferences/turn-password", Fixture, NULL, fixture_set_up, test_turn_password,
              fixture_tear_down);
  g_test_add ("/preferences/accessible-labels", Fixture, NULL, fixture_set_up,
              test_accessible_labels, fixture_tear_down);

  return g_test_run ();
}
