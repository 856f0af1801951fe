/* ssync-s3-client.h: an S3 client (AWS S3, MinIO or any S3 service) on libsoup 3.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_S3_ERROR (ssync_s3_error_quark ())

/* What a face needs to tell apart: a missing bucket can be created, a bad key re-entered. */
typedef enum {
  SSYNC_S3_ERROR_FAILED,
  SSYNC_S3_ERROR_CONFIG,          /* settings missing or unusable */
  SSYNC_S3_ERROR_SECRET_KEY,      /* SignatureDoesNotMatch */
  SSYNC_S3_ERROR_ACCESS_KEY,      /* InvalidAccessKeyId */
  SSYNC_S3_ERROR_NO_SUCH_BUCKET,
  SSYNC_S3_ERROR_CLOCK_SKEW,      /* RequestTimeTooSkewed */
  SSYNC_S3_ERROR_ACCESS_DENIED,
  SSYNC_S3_ERROR_TOO_LARGE,       /* EntityTooLarge */
  SSYNC_S3_ERROR_NOT_FOUND,       /* no such object */
} SsyncS3Error;

GQuark ssync_s3_error_quark (void);

#define SSYNC_S3_DEFAULT_PART_SIZE (16 * 1024 * 1024)
#define SSYNC_S3_DEFAULT_PARALLEL 4
#define SSYNC_S3_DEFAULT_ATTEMPTS 6
/* S3's own limits on parts. */
#define SSYNC_S3_MIN_PART_SIZE (5 * 1024 * 1024)
#define SSYNC_S3_MAX_PARTS 10000

typedef struct {
  char *endpoint;     /* http://host:port or https://host */
  char *region;
  char *bucket;
  gboolean path_style;
  char *access_key;
  char *secret_key;   /* wiped when freed; never written anywhere */
  guint64 part_size;  /* also the size from which uploads go multipart */
  guint parallel;     /* parts in flight */
  guint attempts;     /* tries of each request, the first included */
  char *ca_file;      /* PEM certificate authorities HTTPS trusts instead of the system's */
} SsyncS3Config;

SsyncS3Config *ssync_s3_config_new      (void);
SsyncS3Config *ssync_s3_config_copy     (const SsyncS3Config  *config);
void           ssync_s3_config_free     (SsyncS3Config        *config);
gboolean       ssync_s3_config_check    (const SsyncS3Config  *config,
                                         GError              **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncS3Config, ssync_s3_config_free)

#define SSYNC_TYPE_S3_CLIENT (ssync_s3_client_get_type ())

G_DECLARE_FINAL_TYPE (SsyncS3Client, ssync_s3_client, SSYNC, S3_CLIENT, GObject)

SsyncS3Client *ssync_s3_client_new               (const SsyncS3Config   *config,
                                                  GError               **error);
const SsyncS3Config *ssync_s3_client_get_config  (SsyncS3Client         *self);
void           ssync_s3_client_put_file_async    (SsyncS3Client         *self,
                                                  GFile                 *file,
                                                  const char            *key,
                                                  GCancellable          *cancellable,
                                                  GFileProgressCallback  progress,
                                                  gpointer               progress_data,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gboolean       ssync_s3_client_put_file_finish   (SsyncS3Client         *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
void           ssync_s3_client_head_async        (SsyncS3Client         *self,
                                                  const char            *key,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gint64         ssync_s3_client_head_finish       (SsyncS3Client         *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
void           ssync_s3_client_delete_async      (SsyncS3Client         *self,
                                                  const char            *key,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gboolean       ssync_s3_client_delete_finish     (SsyncS3Client         *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
void           ssync_s3_client_create_bucket_async  (SsyncS3Client       *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean       ssync_s3_client_create_bucket_finish (SsyncS3Client       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
char          *ssync_s3_client_presign_get       (SsyncS3Client         *self,
                                                  const char            *key,
                                                  GDateTime             *now,
                                                  guint                  expires_seconds);

G_END_DECLS
