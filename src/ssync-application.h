/* ssync-application.h: the window face's GtkApplication.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_APPLICATION (ssync_application_get_type ())

G_DECLARE_FINAL_TYPE (SsyncApplication, ssync_application, SSYNC, APPLICATION, AdwApplication)

SsyncApplication *ssync_application_new             (void);
int               ssync_application_get_exit_status (SsyncApplication *self);

G_END_DECLS
