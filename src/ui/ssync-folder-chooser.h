/* ssync-folder-chooser.h: asks for a folder or for files, with GTK 4.10's GtkFileDialog where
 * there is one and GtkFileChooserNative on Debian's GTK 4.8.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called once with the folder chosen, or with an error (never when the user cancels). */
typedef void (*SsyncFolderChosen) (GFile        *folder,
                                   const GError *error,
                                   gpointer      user_data);

void ssync_choose_folder (GtkWindow         *parent,
                          const char        *title,
                          const char        *accept_label,
                          GFile             *initial_folder,
                          GCancellable      *cancellable,
                          SsyncFolderChosen  chosen,
                          gpointer           user_data,
                          GDestroyNotify     destroy);

/* Called once with the files chosen (a list of GFile), or with an error (never when the user
 * cancels). */
typedef void (*SsyncFilesChosen) (GListModel   *files,
                                  const GError *error,
                                  gpointer      user_data);

void ssync_choose_files (GtkWindow        *parent,
                         const char       *title,
                         const char       *accept_label,
                         GCancellable     *cancellable,
                         SsyncFilesChosen  chosen,
                         gpointer          user_data,
                         GDestroyNotify    destroy);

G_END_DECLS
