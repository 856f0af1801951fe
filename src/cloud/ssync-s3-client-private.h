/* ssync-s3-client-private.h: the client's state and the request machinery it shares with its
 * uploads (ssync-s3-upload.c), its requests (ssync-s3-request.c) and S3's XML answers
 * (ssync-s3-xml.c).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-s3-client.h"

G_BEGIN_DECLS

struct _SsyncS3Client
{
  GObject parent_instance;

  SsyncS3Config *config;
  GUri *endpoint;
  SoupSession *session;
  guint max_attempts;
};

/* A body read from a file range (fd >= 0) or held in memory (bytes), never both. */
typedef struct {
  int fd;
  goffset offset;
  goffset length;
  GBytes *bytes;
} SsyncS3Body;

/* One answer from S3: the status of the last attempt, its headers and (small) body. */
typedef struct {
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
} SsyncS3Response;

void ssync_s3_response_free (SsyncS3Response *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncS3Response, ssync_s3_response_free)

/* Called on the main thread as body bytes leave (a negative count when an attempt failed
 * and its bytes will be sent again). */
typedef void (*SsyncS3SentFunc) (gint64 bytes, gpointer user_data);

/* @query holds name, value, name, value... (decoded); @body may be NULL. Retries 5xx
 * answers, timeouts and dropped connections with exponential backoff and jitter up to
 * @max_attempts (0: the client's default). The answer of the last attempt is returned
 * whatever its status; see ssync_s3_response_check(). */
void             ssync_s3_client_request_async  (SsyncS3Client        *self,
                                                 const char           *method,
                                                 const char           *key,
                                                 const char * const   *query,
                                                 const SsyncS3Body    *body,
                                                 guint                 max_attempts,
                                                 GCancellable         *cancellable,
                                                 SsyncS3SentFunc       sent,
                                                 gpointer              sent_data,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
SsyncS3Response *ssync_s3_client_request_finish (SsyncS3Client        *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
gboolean         ssync_s3_response_check        (SsyncS3Client        *self,
                                                 SsyncS3Response      *response,
                                                 const char           *key,
                                                 GError              **error);
char            *ssync_s3_xml_value             (GBytes               *xml,
                                                 const char           *tag);

G_END_DECLS
