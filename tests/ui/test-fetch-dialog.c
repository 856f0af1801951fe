/* test-fetch-dialog.c: Receive From Link under Xvfb: the dialog has a password field for a
 * protected share and hands the password over with the link; asked again after a fetch
 * without it (or with a wrong one), it shows the link, says why and waits in the password
 * field. Screenshots go to $SSYNC_TEST_OUTPUT.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <adwaita.h>

#include "ssync-fetch-dialog.h"
#include "ssync-ui-screenshot.h"
#include "ssync-ui-test.h"

#define LINK "http://192.168.1.20:5001/s/abcdefghijklmnopqrstuv"

typedef struct {
  char *url;
  char *password;
  guint calls;
} Done;

static void
on_done (const char *url,
         const char *password,
         gpointer    user_data)
{
  Done *done = user_data;

  done->calls++;
  g_free (done->url);
  g_free (done->password);
  done->url = g_strdup (url);
  done->password = g_strdup (password);
}

static GtkWidget *
dialog_root (GtkWidget *dialog)
{
  return GTK_WIDGET (gtk_widget_get_root (dialog));
}

/* The password typed goes with the link; none typed is NULL. */
static void
test_password (void)
{
  GtkWidget *parent = gtk_window_new ();
  Done done = { 0 };
  GtkWidget *dialog;
  GtkWidget *entry;
  GtkWidget *password;

  gtk_window_set_default_size (GTK_WINDOW (parent), 360, 640);
  gtk_window_present (GTK_WINDOW (parent));
  dialog = ssync_fetch_dialog_new ("Downloads", on_done, &done);
  ssync_alert_present (SSYNC_ALERT (dialog), parent);
  ssync_ui_iterate_for (300);

  entry = ssync_ui_test_find_widget (dialog_root (dialog), GTK_TYPE_ENTRY);
  password = ssync_ui_test_find_widget (dialog_root (dialog), GTK_TYPE_PASSWORD_ENTRY);
  g_assert_nonnull (entry);
  g_assert_nonnull (password);
  g_assert_true (gtk_widget_is_drawable (password));
  gtk_editable_set_text (GTK_EDITABLE (entry), LINK);
  gtk_editable_set_text (GTK_EDITABLE (password), "hunter2");
  ssync_ui_iterate_for (200);
  ssync_ui_screenshot (dialog_root (dialog), "fetch-dialog-password");
  ssync_alert_response (SSYNC_ALERT (dialog), "fetch");
  g_assert_cmpuint (done.calls, ==, 1);
  g_assert_cmpstr (done.url, ==, LINK);
  g_assert_cmpstr (done.password, ==, "hunter2");
  ssync_alert_close (SSYNC_ALERT (dialog));

  dialog = ssync_fetch_dialog_new ("Downloads", on_done, &done);
  ssync_alert_present (SSYNC_ALERT (dialog), parent);
  ssync_ui_iterate_for (200);
  entry = ssync_ui_test_find_widget (dialog_root (dialog), GTK_TYPE_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (entry), LINK);
  ssync_alert_response (SSYNC_ALERT (dialog), "fetch");
  g_assert_cmpuint (done.calls, ==, 2);
  g_assert_null (done.password);
  ssync_alert_close (SSYNC_ALERT (dialog));
  ssync_ui_iterate_for (300);

  gtk_window_destroy (GTK_WINDOW (parent));
  g_free (done.url);
  g_free (done.password);
}

/* Asked again: the link is there, the reason shows, the password field has the focus. */
static void
test_ask_again (void)
{
  GtkWidget *parent = gtk_window_new ();
  Done done = { 0 };
  GtkWidget *dialog;
  GtkWidget *entry;
  GtkWidget *password;

  gtk_window_set_default_size (GTK_WINDOW (parent), 360, 640);
  gtk_window_present (GTK_WINDOW (parent));
  dialog = ssync_fetch_dialog_new ("Downloads", on_done, &done);
  ssync_fetch_dialog_ask_password (SSYNC_FETCH_DIALOG (dialog), LINK,
                                   "Wrong password for this share");
  ssync_alert_present (SSYNC_ALERT (dialog), parent);
  ssync_ui_iterate_for (300);

  entry = ssync_ui_test_find_widget (dialog_root (dialog), GTK_TYPE_ENTRY);
  password = ssync_ui_test_find_widget (dialog_root (dialog), GTK_TYPE_PASSWORD_ENTRY);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, LINK);
  g_assert_true (gtk_widget_is_focus (password) ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (gtk_widget_get_root (password)),
                                         password));
  g_assert_true (ssync_alert_get_response_enabled (SSYNC_ALERT (dialog), "fetch"));
  ssync_ui_screenshot (dialog_root (dialog), "fetch-dialog-wrong-password");
  /* GTK 4.8's password entry, focused while its window goes, casts a freed pointer. */
  gtk_root_set_focus (gtk_widget_get_root (password), NULL);
  ssync_alert_close (SSYNC_ALERT (dialog));
  ssync_ui_iterate_for (300);
  gtk_window_destroy (GTK_WINDOW (parent));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/fetch-dialog/password", test_password);
  g_test_add_func ("/fetch-dialog/ask-again", test_ask_again);

  return g_test_run ();
}
