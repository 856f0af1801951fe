/* ssync-error.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include "ssync-error.h"

G_DEFINE_QUARK (ssync-error-quark, ssync_error)
