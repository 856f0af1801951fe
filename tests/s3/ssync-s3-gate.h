/* ssync-s3-gate.h: a proxy in front of s3rver that checks each request's SigV4 signature
 * against the one secret key it knows, as S3 does: s3rver checks none (NOTES.md), so without
 * it a push with a wrong secret would pass.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  SoupServer *server;
  SoupSession *upstream;
  char *upstream_endpoint;
  char *secret_key;   /* the one requests must be signed with */
  char *endpoint;     /* http://127.0.0.1:PORT, without a trailing "/" */
  guint refused;      /* requests answered SignatureDoesNotMatch */
} SsyncS3Gate;

/* What a proxy in front of s3rver does with a request it lets through. */
void ssync_s3_forward    (SoupSession       *upstream,
                          const char        *upstream_endpoint,
                          SoupServerMessage *msg);

void ssync_s3_gate_start (SsyncS3Gate *gate,
                          const char  *upstream_endpoint,
                          const char  *secret_key);
void ssync_s3_gate_stop  (SsyncS3Gate *gate);

G_END_DECLS
