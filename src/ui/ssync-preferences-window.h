/* ssync-preferences-window.h: the preferences, stored in GSettings; their secrets in the
 * session's SsyncSecrets.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-secrets.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_PREFERENCES_WINDOW (ssync_preferences_window_get_type ())

/* An AdwPreferencesDialog from libadwaita 1.5, which deprecates AdwPreferencesWindow; that
 * window on Debian 12's 1.2. The build pins ADW_VERSION_MAX_ALLOWED to 1.2, hence the
 * pragmas around the newer type. */
#if ADW_CHECK_VERSION (1, 5, 0)
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
G_DECLARE_FINAL_TYPE (SsyncPreferencesWindow, ssync_preferences_window, SSYNC,
                      PREFERENCES_WINDOW, AdwPreferencesDialog)
G_GNUC_END_IGNORE_DEPRECATIONS
#else
G_DECLARE_FINAL_TYPE (SsyncPreferencesWindow, ssync_preferences_window, SSYNC,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)
#endif

SsyncPreferencesWindow *ssync_preferences_window_new          (GtkWindow    *parent,
                                                               GSettings    *settings,
                                                               SsyncSecrets *secrets);
void                    ssync_preferences_window_present      (SsyncPreferencesWindow *self);
void                    ssync_preferences_window_close        (SsyncPreferencesWindow *self);
GSettings              *ssync_preferences_lookup_settings      (void);
GFile                  *ssync_preferences_dup_receive_folder   (GSettings    *settings);

G_END_DECLS
