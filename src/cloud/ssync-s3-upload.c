/* ssync-s3-upload.c: SsyncS3Client's uploads. A file up to the part size goes in one
 * PutObject; a larger one as a multipart upload with a few parts in flight, each streamed
 * from disk and retried on its own. A cancel or a part that keeps failing aborts the
 * multipart upload so that no parts are left behind (where the server can abort). The
 * result is confirmed with HEAD.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <gio/gfiledescriptorbased.h>
#include <glib/gi18n.h>

#include "ssync-s3-client-private.h"

typedef struct {
  SsyncS3Client *client;
  GFile *file;
  char *key;
  GFileInputStream *stream;  /* keeps the descriptor open */
  int fd;
  goffset size;
  guint64 part_size;
  char *upload_id;
  guint n_parts;
  guint next_part;     /* numbered from 1, as S3 does */
  guint in_flight;
  GPtrArray *etags;    /* by part number - 1 */
  gint64 sent;
  GFileProgressCallback progress;
  gpointer progress_data;
  GCancellable *stop;  /* cancelled by the caller's cancellable or the first failure */
  gulong cancel_id;
  GCancellable *cancellable;
  GError *error;       /* the first failure */
} Upload;

static void
upload_free (Upload *upload)
{
  if (upload->cancel_id != 0)
    g_cancellable_disconnect (upload->cancellable, upload->cancel_id);
  g_clear_object (&upload->cancellable);
  g_clear_object (&upload->stop);
  g_clear_object (&upload->client);
  g_clear_object (&upload->file);
  g_clear_object (&upload->stream);
  g_free (upload->key);
  g_free (upload->upload_id);
  g_clear_pointer (&upload->etags, g_ptr_array_unref);
  g_clear_error (&upload->error);
  g_free (upload);
}

static void
on_sent (gint64   bytes,
         gpointer user_data)
{
  Upload *upload = user_data;

  upload->sent += bytes;
  if (upload->progress != NULL)
    upload->progress (upload->sent, upload->size, upload->progress_data);
}

static void
on_confirmed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  GError *error = NULL;
  gint64 size;

  size = ssync_s3_client_head_finish (upload->client, result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (size != upload->size)
    {
      g_autofree char *held = g_strdup_printf ("%" G_GINT64_FORMAT, size);
      g_autofree char *wanted = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) upload->size);

      /* The numbers go in as text: xgettext cuts a msgid at G_GINT64_FORMAT. */
      g_task_return_new_error (task, SSYNC_S3_ERROR, SSYNC_S3_ERROR_FAILED,
                               _("%s holds %s bytes of %s instead of %s"),
                               ssync_s3_client_get_config (upload->client)->endpoint, held,
                               upload->key, wanted);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
confirm (GTask *task)
{
  Upload *upload = g_task_get_task_data (task);

  ssync_s3_client_head_async (upload->client, upload->key, upload->stop, on_confirmed,
                              g_object_ref (task));
}

/* The end of a failed or cancelled upload, once the abort has had its answer. */
static void
on_aborted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SsyncS3Response) response = NULL;
  g_autoptr(GError) abort_error = NULL;
  const char *endpoint = ssync_s3_client_get_config (upload->client)->endpoint;
  g_autofree char *note = NULL;

  response = ssync_s3_client_request_finish (upload->client, result, &abort_error);
  if (response != NULL && (response->status == 405 || response->status == 501))
    note = g_strdup_printf (_("%s cannot abort multipart uploads, so the parts already sent "
                              "stay in the bucket until its lifecycle rules remove them"),
                            endpoint);
  else if (response == NULL || !ssync_s3_response_check (upload->client, response, upload->key,
                                                         &abort_error))
    note = g_strdup_printf (_("the parts already sent could not be removed: %s"),
                            abort_error->message);
  else
    note = g_strdup (_("the parts already sent were removed"));

  if (g_error_matches (upload->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The upload of %s was cancelled; %s"), upload->key, note);
  else
    g_task_return_new_error (task, upload->error->domain, upload->error->code, "%s; %s",
                             upload->error->message, note);
}

static void
finish_failed (GTask *task)
{
  Upload *upload = g_task_get_task_data (task);
  const char *query[] = { "uploadId", upload->upload_id, NULL };

  /* The caller's cancellable may be cancelled already: the abort must still go out. */
  ssync_s3_client_request_async (upload->client, "DELETE", upload->key, query, NULL, 2, NULL,
                                 NULL, NULL, on_aborted, g_object_ref (task));
}

static void
fail (Upload *upload,
      GError *error)
{
  if (upload->error == NULL)
    upload->error = error;
  else
    g_error_free (error);
  g_cancellable_cancel (upload->stop);
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SsyncS3Response) response = NULL;
  GError *error = NULL;

  response = ssync_s3_client_request_finish (upload->client, result, &error);
  if (response == NULL ||
      !ssync_s3_response_check (upload->client, response, upload->key, &error))
    {
      fail (upload, error);
      finish_failed (task);
      return;
    }
  confirm (task);
}

static void
complete (GTask *task)
{
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GString) xml = g_string_new ("<CompleteMultipartUpload>");
  g_autoptr(GBytes) bytes = NULL;
  const char *query[] = { "uploadId", upload->upload_id, NULL };
  SsyncS3Body body = { .fd = -1 };

  for (guint i = 0; i < upload->etags->len; i++)
    {
      g_autofree char *etag = g_markup_escape_text (g_ptr_array_index (upload->etags, i), -1);

      g_string_append_printf (xml, "<Part><PartNumber>%u</PartNumber><ETag>%s</ETag></Part>",
                              i + 1, etag);
    }
  g_string_append (xml, "</CompleteMultipartUpload>");
  bytes = g_string_free_to_bytes (g_steal_pointer (&xml));
  body.bytes = bytes;
  ssync_s3_client_request_async (upload->client, "POST", upload->key, query, &body, 0,
                                 upload->stop, NULL, NULL, on_completed, g_object_ref (task));
}

static void pump_parts (GTask *task);

typedef struct {
  GTask *task;
  guint number;
} Part;

static void
on_part_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Part *part = user_data;
  g_autoptr(GTask) task = part->task;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SsyncS3Response) response = NULL;
  GError *error = NULL;
  guint number = part->number;

  g_free (part);
  upload->in_flight--;
  response = ssync_s3_client_request_finish (upload->client, result, &error);
  if (response != NULL &&
      ssync_s3_response_check (upload->client, response, upload->key, &error))
    {
      const char *etag = soup_message_headers_get_one (response->headers, "ETag");

      if (etag != NULL)
        g_ptr_array_index (upload->etags, number - 1) = g_strdup (etag);
      else
        error = g_error_new (SSYNC_S3_ERROR, SSYNC_S3_ERROR_FAILED,
                             _("%s did not confirm part %u of %s"),
                             ssync_s3_client_get_config (upload->client)->endpoint, number,
                             upload->key);
    }
  if (error != NULL)
    fail (upload, error);

  pump_parts (task);
}

/* Keeps up to `parallel` parts in flight; once every part is in (or one failed for good and
 * the others stopped), completes or aborts. */
static void
pump_parts (GTask *task)
{
  Upload *upload = g_task_get_task_data (task);
  guint parallel = ssync_s3_client_get_config (upload->client)->parallel;

  while (upload->error == NULL && upload->in_flight < parallel &&
         upload->next_part <= upload->n_parts)
    {
      Part *part = g_new0 (Part, 1);
      g_autofree char *number = g_strdup_printf ("%u", upload->next_part);
      const char *query[] = { "partNumber", number, "uploadId", upload->upload_id, NULL };
      SsyncS3Body body = { upload->fd, (goffset) (upload->next_part - 1) * upload->part_size,
                           0, NULL };

      body.length = MIN ((goffset) upload->part_size, upload->size - body.offset);
      part->task = g_object_ref (task);
      part->number = upload->next_part++;
      upload->in_flight++;
      ssync_s3_client_request_async (upload->client, "PUT", upload->key, query, &body, 0,
                                     upload->stop, on_sent, upload, on_part_sent, part);
    }

  if (upload->in_flight > 0)
    return;
  if (upload->error != NULL)
    finish_failed (task);
  else if (upload->next_part > upload->n_parts)
    complete (task);
}

/* The answer to a request of @task when it succeeded; otherwise @task returns its error. */
static SsyncS3Response *
take_response (GTask        *task,
               GAsyncResult *result)
{
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SsyncS3Response) response = NULL;
  GError *error = NULL;

  response = ssync_s3_client_request_finish (upload->client, result, &error);
  if (response == NULL ||
      !ssync_s3_response_check (upload->client, response, upload->key, &error))
    {
      g_task_return_error (task, error);
      return NULL;
    }
  return g_steal_pointer (&response);
}

static void
on_initiated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(SsyncS3Response) response = take_response (task, result);

  if (response == NULL)
    return;

  upload->upload_id = ssync_s3_xml_value (response->body, "UploadId");
  if (upload->upload_id == NULL)
    {
      g_task_return_new_error (task, SSYNC_S3_ERROR, SSYNC_S3_ERROR_FAILED,
                               _("%s did not start a multipart upload for %s"),
                               ssync_s3_client_get_config (upload->client)->endpoint,
                               upload->key);
      return;
    }

  upload->next_part = 1;
  upload->etags = g_ptr_array_new_full (upload->n_parts, g_free);
  g_ptr_array_set_size (upload->etags, upload->n_parts);
  pump_parts (task);
}

static void
on_put (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SsyncS3Response) response = take_response (task, result);

  if (response != NULL)
    confirm (task);
}

static void
on_size_known (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const char *query[] = { "uploads", "", NULL };

  info = g_file_input_stream_query_info_finish (upload->stream, result, &error);
  if (info == NULL)
    {
      g_autofree char *shown = g_file_get_parse_name (upload->file);

      g_task_return_new_error (task, error->domain, error->code, _("Could not read %s: %s"),
                               shown, error->message);
      return;
    }
  upload->size = g_file_info_get_size (info);

  if ((guint64) upload->size <= upload->part_size)
    {
      SsyncS3Body body = { upload->fd, 0, upload->size, NULL };

      ssync_s3_client_request_async (upload->client, "PUT", upload->key, NULL, &body, 0,
                                     upload->stop, on_sent, upload, on_put,
                                     g_object_ref (task));
      return;
    }

  /* S3 takes at most 10,000 parts: a huge file gets larger parts, in whole MiB. */
  if ((guint64) upload->size > upload->part_size * SSYNC_S3_MAX_PARTS)
    upload->part_size = ((upload->size / SSYNC_S3_MAX_PARTS) | 0xFFFFF) + 1;
  upload->n_parts = (upload->size + upload->part_size - 1) / upload->part_size;
  ssync_s3_client_request_async (upload->client, "POST", upload->key, query, NULL, 0,
                                 upload->stop, NULL, NULL, on_initiated, g_object_ref (task));
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *upload = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  upload->stream = g_file_read_finish (upload->file, result, &error);
  if (upload->stream == NULL || !G_IS_FILE_DESCRIPTOR_BASED (upload->stream))
    {
      g_autofree char *shown = g_file_get_parse_name (upload->file);

      g_task_return_new_error (task, error != NULL ? error->domain : G_IO_ERROR,
                               error != NULL ? error->code : G_IO_ERROR_NOT_SUPPORTED,
                               _("Could not read %s: %s"), shown,
                               error != NULL ? error->message : _("not a local file"));
      return;
    }
  upload->fd = g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (upload->stream));
  g_file_input_stream_query_info_async (upload->stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                        G_PRIORITY_DEFAULT, upload->stop, on_size_known,
                                        g_object_ref (task));
}

static void
on_cancelled (GCancellable *cancellable,
              GCancellable *stop)
{
  g_cancellable_cancel (stop);
}

/* Uploads @file as @key. @progress (optional) is called on the main context with the bytes
 * sent so far; it can go back when a part is sent again. */
void
ssync_s3_client_put_file_async (SsyncS3Client         *self,
                                GFile                 *file,
                                const char            *key,
                                GCancellable          *cancellable,
                                GFileProgressCallback  progress,
                                gpointer               progress_data,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Upload *upload = g_new0 (Upload, 1);

  g_task_set_source_tag (task, ssync_s3_client_put_file_async);
  /* The error tells what became of the parts; GTask must not replace it with its own. */
  g_task_set_check_cancellable (task, FALSE);
  upload->client = g_object_ref (self);
  upload->file = g_object_ref (file);
  upload->key = g_strdup (key);
  upload->fd = -1;
  upload->part_size = ssync_s3_client_get_config (self)->part_size;
  upload->progress = progress;
  upload->progress_data = progress_data;
  upload->stop = g_cancellable_new ();
  if (cancellable != NULL)
    {
      upload->cancellable = g_object_ref (cancellable);
      upload->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                 upload->stop, NULL);
    }
  g_task_set_task_data (task, upload, (GDestroyNotify) upload_free);

  g_file_read_async (file, G_PRIORITY_DEFAULT, upload->stop, on_opened, g_object_ref (task));
}

gboolean
ssync_s3_client_put_file_finish (SsyncS3Client  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
