/* ssync-application-private.h: the window face's state, shared by the application's files.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-application.h"
#include "ssync-background.h"
#include "ssync-options.h"
#include "ssync-session.h"
#include "ssync-window.h"

G_BEGIN_DECLS

struct _SsyncApplication
{
  AdwApplication parent_instance;

  SsyncSession *session;
  SsyncOptions options;
  /* NULL when the schema is not installed: ShareSync then runs on the defaults. */
  GSettings *settings;
  GError *start_error;
  /* Keeps ShareSync serving once its window closes; NULL without a session. */
  SsyncBackground *background;
  int exit_status;
  guint signal_ids[2];
  gboolean send_pending;  /* --send-to: the FILEs have not gone yet */
};

SsyncWindow *ssync_application_get_window       (SsyncApplication *self);
void         ssync_application_run_command_line (SsyncApplication *self);

G_END_DECLS
