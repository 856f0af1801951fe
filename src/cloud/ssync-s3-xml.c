/* ssync-s3-xml.c: S3's small XML answers: a value read from them, and an error answer
 * turned into a message that says what to fix.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-s3-client-private.h"

/* The text of the first <tag> in a small XML answer, entities decoded; NULL when absent.
 * S3's answers are flat enough that this is all the XML we need. */
char *
ssync_s3_xml_value (GBytes     *xml,
                    const char *tag)
{
  g_autofree char *text = NULL;
  g_autofree char *open = g_strdup_printf ("<%s>", tag);
  g_autofree char *close = g_strdup_printf ("</%s>", tag);
  g_autoptr(GString) value = NULL;
  const char *start;
  const char *end;

  if (xml == NULL || g_bytes_get_size (xml) == 0)
    return NULL;
  text = g_strndup (g_bytes_get_data (xml, NULL), g_bytes_get_size (xml));
  start = strstr (text, open);
  if (start == NULL)
    return NULL;
  start += strlen (open);
  end = strstr (start, close);
  if (end == NULL)
    return NULL;

  value = g_string_new_len (start, end - start);
  g_string_replace (value, "&quot;", "\"", 0);
  g_string_replace (value, "&apos;", "'", 0);
  g_string_replace (value, "&lt;", "<", 0);
  g_string_replace (value, "&gt;", ">", 0);
  g_string_replace (value, "&amp;", "&", 0);
  return g_string_free (g_steal_pointer (&value), FALSE);
}

/* Turns a non-2xx answer into a message a user can act on, from S3's <Code>. */
gboolean
ssync_s3_response_check (SsyncS3Client    *self,
                         SsyncS3Response  *response,
                         const char       *key,
                         GError          **error)
{
  const char *endpoint = self->config->endpoint;
  const char *bucket = self->config->bucket;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  if (response->status >= 200 && response->status < 300)
    {
      /* CompleteMultipartUpload may fail after its 200 has been sent. */
      code = ssync_s3_xml_value (response->body, "Code");
      if (code == NULL ||
          g_strstr_len (g_bytes_get_data (response->body, NULL),
                        g_bytes_get_size (response->body), "<Error>") == NULL)
        return TRUE;
    }

  if (code == NULL)
    code = ssync_s3_xml_value (response->body, "Code");
  message = ssync_s3_xml_value (response->body, "Message");

  if (g_strcmp0 (code, "SignatureDoesNotMatch") == 0)
    g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_SECRET_KEY,
                 _("The secret key was rejected by %s"), endpoint);
  else if (g_strcmp0 (code, "InvalidAccessKeyId") == 0)
    g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_ACCESS_KEY,
                 _("The access key “%s” is not known to %s"), self->config->access_key,
                 endpoint);
  else if (g_strcmp0 (code, "NoSuchBucket") == 0)
    g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NO_SUCH_BUCKET,
                 _("The bucket “%s” does not exist on %s"), bucket, endpoint);
  else if (g_strcmp0 (code, "RequestTimeTooSkewed") == 0)
    g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_CLOCK_SKEW,
                 _("%s refused the request because this computer’s clock is off; set the "
                   "right date and time and try again"), endpoint);
  else if (g_strcmp0 (code, "AccessDenied") == 0)
    g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_ACCESS_DENIED,
                 _("%s denied access to the bucket “%s” for the access key “%s”"), endpoint,
                 bucket, self->config->access_key);
  else if (g_strcmp0 (code, "EntityTooLarge") == 0)
    g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_TOO_LARGE,
                 _("%s is larger than %s accepts"), key != NULL ? key : "", endpoint);
  else if (g_strcmp0 (code, "NoSuchKey") == 0 || (code == NULL && response->status == 404))
    g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NOT_FOUND,
                 _("%s is not in the bucket “%s” on %s"), key != NULL ? key : "", bucket,
                 endpoint);
  else
    g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_FAILED,
                 _("%s answered %u %s%s%s"), endpoint, response->status,
                 code != NULL ? code : soup_status_get_phrase (response->status),
                 message != NULL ? ": " : "", message != NULL ? message : "");
  return FALSE;
}
