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

G_DECLARE_FINAL_TYPE (SsyncPreferencesWindow, ssync_preferences_window, SSYNC,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

SsyncPreferencesWindow *ssync_preferences_window_new          (GtkWindow    *parent,
                                                               GSettings    *settings,
                                                               SsyncSecrets *secrets);
GSettings              *ssync_preferences_lookup_settings      (void);
GFile                  *ssync_preferences_dup_receive_folder   (GSettings    *settings);

G_END_DECLS
