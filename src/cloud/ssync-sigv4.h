/* ssync-sigv4.h: AWS Signature Version 4, pure functions (no I/O, no clock).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The SHA-256 of an empty body, which GET, HEAD and DELETE sign. */
#define SSYNC_SIGV4_EMPTY_SHA256 \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SSYNC_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* S3 refuses pre-signed links that last longer than seven days. */
#define SSYNC_SIGV4_MAX_EXPIRES (7 * 24 * 60 * 60)

typedef struct {
  const char *name;
  const char *value;
} SsyncSigv4Pair;

typedef struct {
  const char *access_key;
  const char *secret_key;
  const char *region;
  const char *service;
} SsyncSigv4Key;

/* One request as it is signed. The path and query are given decoded; the signer encodes them
 * the way S3 does (once, "/" kept in the path, no normalisation). Headers are the ones to sign
 * (Host included); a name given twice has its values joined in the order given. */
typedef struct {
  const char *method;
  const char *path;
  const SsyncSigv4Pair *query;
  gsize n_query;
  const SsyncSigv4Pair *headers;
  gsize n_headers;
  const char *payload_hash;  /* hex SHA-256 of the body, or SSYNC_SIGV4_UNSIGNED_PAYLOAD */
} SsyncSigv4Request;

char *ssync_sigv4_uri_encode        (const char              *text,
                                     gboolean                 keep_slash);
char *ssync_sigv4_format_date       (GDateTime               *when);
char *ssync_sigv4_canonical_request (const SsyncSigv4Request *request,
                                     char                   **signed_headers);
char *ssync_sigv4_string_to_sign    (const SsyncSigv4Key     *key,
                                     const char              *amz_date,
                                     const char              *canonical_request);
char *ssync_sigv4_signature         (const SsyncSigv4Key     *key,
                                     const char              *amz_date,
                                     const char              *string_to_sign);
char *ssync_sigv4_authorization     (const SsyncSigv4Key     *key,
                                     const char              *amz_date,
                                     const SsyncSigv4Request *request);
char *ssync_sigv4_presign_query     (const SsyncSigv4Key     *key,
                                     const char              *amz_date,
                                     guint                    expires_seconds,
                                     const SsyncSigv4Request *request);

G_END_DECLS
