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
  SSYNC_ERROR_NOT_CONFIGURED,         /* S3 endpoint, bucket or keys missing or unusable */
  SSYNC_ERROR_NO_BUCKET,              /* the S3 bucket does not exist (it can be created) */
  SSYNC_ERROR_CREDENTIALS_REJECTED,   /* the S3 service refused the access or secret key */
  SSYNC_ERROR_NO_KEYRING,             /* no Secret Service answered: kept for this run */
  SSYNC_ERROR_DECLINED,               /* the other device's user said no */
  SSYNC_ERROR_BUSY,                   /* the other device is receiving from someone else */
  SSYNC_ERROR_PIN_REQUIRED,           /* the other device asks for a PIN, or it was wrong */
  SSYNC_ERROR_UNREACHABLE,            /* the other device does not answer */
} SsyncError;

GQuark ssync_error_quark (void);

G_END_DECLS
