/* ssync-receive-prompt.h: "Accept files from 192.168.1.7?" for one upload request.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-upload-request.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_RECEIVE_PROMPT (ssync_receive_prompt_get_type ())

/* AdwMessageDialog (1.2) is what Debian 12 has; 1.6 deprecates it for AdwAlertDialog. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
G_DECLARE_FINAL_TYPE (SsyncReceivePrompt, ssync_receive_prompt, SSYNC, RECEIVE_PROMPT,
                      AdwMessageDialog)
G_GNUC_END_IGNORE_DEPRECATIONS

GtkWindow *ssync_receive_prompt_new (GtkWindow          *parent,
                                     SsyncUploadRequest *request);

G_END_DECLS
