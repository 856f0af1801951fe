/* ssync-receive-prompt.h: "Accept files from 192.168.1.7?" for one upload request.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-alert.h"

#include "ssync-upload-request.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_RECEIVE_PROMPT (ssync_receive_prompt_get_type ())

G_DECLARE_FINAL_TYPE (SsyncReceivePrompt, ssync_receive_prompt, SSYNC, RECEIVE_PROMPT,
                      SsyncAlert)

GtkWidget *ssync_receive_prompt_new (SsyncUploadRequest *request);

G_END_DECLS
