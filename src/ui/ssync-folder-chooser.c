/* ssync-folder-chooser.c: one folder chooser for the window ("Receive Files") and the
 * preferences (the receive folder), and one files chooser for the window ("Add Files") and
 * the Nearby rows ("Send Files"), so the GTK version check lives in one place.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include "ssync-folder-chooser.h"

typedef struct {
  SsyncFolderChosen chosen;
  SsyncFilesChosen files_chosen;
  gpointer user_data;
  GDestroyNotify destroy;
} Choice;

static void
choice_free (Choice *choice)
{
  if (choice->destroy != NULL)
    choice->destroy (choice->user_data);
  g_free (choice);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Choice, choice_free)

/* One of @chosen and @files_chosen: which one says what was asked for. */
static Choice *
choice_new (SsyncFolderChosen chosen,
            SsyncFilesChosen  files_chosen,
            gpointer          user_data,
            GDestroyNotify    destroy)
{
  Choice *choice = g_new0 (Choice, 1);

  choice->chosen = chosen;
  choice->files_chosen = files_chosen;
  choice->user_data = user_data;
  choice->destroy = destroy;
  return choice;
}

#if GTK_CHECK_VERSION (4, 10, 0)
/* GTK 4.10 API, used only behind its version check: the build pins GDK_VERSION_MAX_ALLOWED
 * to Debian 12's GTK 4.8, which would otherwise warn here against a newer GTK. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static GtkFileDialog *
dialog_new (const char *title,
            const char *accept_label)
{
  GtkFileDialog *dialog = gtk_file_dialog_new ();

  gtk_file_dialog_set_title (dialog, title);
  gtk_file_dialog_set_accept_label (dialog, accept_label);
  return dialog;
}

static void
on_folder_chosen (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Choice) choice = user_data;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;

  folder = gtk_file_dialog_select_folder_finish (GTK_FILE_DIALOG (source), result, &error);
  if (folder != NULL)
    choice->chosen (folder, NULL, choice->user_data);
  else if (!g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    choice->chosen (NULL, error, choice->user_data);
}

void
ssync_choose_folder (GtkWindow         *parent,
                     const char        *title,
                     const char        *accept_label,
                     GFile             *initial_folder,
                     GCancellable      *cancellable,
                     SsyncFolderChosen  chosen,
                     gpointer           user_data,
                     GDestroyNotify     destroy)
{
  g_autoptr(GtkFileDialog) dialog = dialog_new (title, accept_label);
  Choice *choice = choice_new (chosen, NULL, user_data, destroy);

  if (initial_folder != NULL)
    gtk_file_dialog_set_initial_folder (dialog, initial_folder);
  gtk_file_dialog_select_folder (dialog, parent, cancellable, on_folder_chosen, choice);
}

static void
on_files_chosen (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Choice) choice = user_data;
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GError) error = NULL;

  files = gtk_file_dialog_open_multiple_finish (GTK_FILE_DIALOG (source), result, &error);
  if (files != NULL)
    choice->files_chosen (files, NULL, choice->user_data);
  else if (!g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    choice->files_chosen (NULL, error, choice->user_data);
}

void
ssync_choose_files (GtkWindow        *parent,
                    const char       *title,
                    const char       *accept_label,
                    GCancellable     *cancellable,
                    SsyncFilesChosen  chosen,
                    gpointer          user_data,
                    GDestroyNotify    destroy)
{
  g_autoptr(GtkFileDialog) dialog = dialog_new (title, accept_label);
  Choice *choice = choice_new (NULL, chosen, user_data, destroy);

  gtk_file_dialog_open_multiple (dialog, parent, cancellable, on_files_chosen, choice);
}
G_GNUC_END_IGNORE_DEPRECATIONS
#else
static void
on_response (GtkNativeDialog *dialog,
             int              response,
             Choice          *choice)
{
  if (response == GTK_RESPONSE_ACCEPT && choice->files_chosen != NULL)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      choice->files_chosen (files, NULL, choice->user_data);
    }
  else if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (folder != NULL)
        choice->chosen (folder, NULL, choice->user_data);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
show_chooser (GtkFileChooserNative *chooser,
              Choice               *choice)
{
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* The choice goes with the chooser's handler, whatever the answer. */
  g_signal_connect_data (chooser, "response", G_CALLBACK (on_response), choice,
                         (GClosureNotify) (void (*) (void)) choice_free, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
ssync_choose_folder (GtkWindow         *parent,
                     const char        *title,
                     const char        *accept_label,
                     GFile             *initial_folder,
                     GCancellable      *cancellable,
                     SsyncFolderChosen  chosen,
                     gpointer           user_data,
                     GDestroyNotify     destroy)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         accept_label, NULL);
  if (initial_folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), initial_folder, NULL);
  show_chooser (chooser, choice_new (chosen, NULL, user_data, destroy));
}

void
ssync_choose_files (GtkWindow        *parent,
                    const char       *title,
                    const char       *accept_label,
                    GCancellable     *cancellable,
                    SsyncFilesChosen  chosen,
                    gpointer          user_data,
                    GDestroyNotify    destroy)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_OPEN,
                                         accept_label, NULL);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  show_chooser (chooser, choice_new (NULL, chosen, user_data, destroy));
}
#endif
