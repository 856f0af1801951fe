/* ssync-environment.h: the SHARESYNC_* variables, read in one place for both faces.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-session.h"

G_BEGIN_DECLS

GHashTable *ssync_environment_apply (SsyncSession *session);

G_END_DECLS
