/* ssync-error.h: the one error domain of ShareSync.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SSYNC_ERROR (ssync_error_quark ())

typedef enum {
  SSYNC_ERROR_FAILED,
  SSYNC_ERROR_NOT_FOUND,
  SSYNC_ERROR_INVALID_ARGUMENT,
  SSYNC_ERROR_DATABASE,
  SSYNC_ERROR_NETWORK,
  SSYNC_ERROR_CHANGED,
} SsyncError;

GQuark ssync_error_quark (void);

G_END_DECLS
