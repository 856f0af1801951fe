/* ssync-receive-prompt.h: "Accept files from 192.168.1.7?" for one upload request.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-upload-request.h"

G_BEGIN_DECLS

GtkWindow *ssync_receive_prompt_new (GtkWindow          *parent,
                                     SsyncUploadRequest *request);

G_END_DECLS
