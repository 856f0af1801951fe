/* ssync-s3rver.h: npm s3rver on 127.0.0.1 with a temporary folder, for the s3 suite.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_S3RVER_BUCKET "ssync-test"
#define SSYNC_S3RVER_KEY "S3RVER"

typedef struct {
  char *dir;
  GSubprocess *proc;
  char *endpoint;  /* http://127.0.0.1:PORT */
} SsyncS3rver;

void  ssync_s3rver_start     (SsyncS3rver *server);
void  ssync_s3rver_start_tls (SsyncS3rver *server,
                              const char  *cert,
                              const char  *key);
void  ssync_s3rver_stop  (SsyncS3rver *server);

G_END_DECLS
