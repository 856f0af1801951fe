/* ssync-s3-config.c: the settings of an S3 client, copied, freed (the secret key wiped) and
 * checked before a client is made from them. Whoever uses the client fills them: the pusher
 * from the session's SsyncConfig and SsyncSecrets; nothing here reads the environment.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-s3-client.h"

SsyncS3Config *
ssync_s3_config_new (void)
{
  SsyncS3Config *config = g_new0 (SsyncS3Config, 1);

  config->region = g_strdup ("us-east-1");
  config->path_style = TRUE;
  config->part_size = SSYNC_S3_DEFAULT_PART_SIZE;
  config->parallel = SSYNC_S3_DEFAULT_PARALLEL;
  config->attempts = SSYNC_S3_DEFAULT_ATTEMPTS;
  return config;
}

SsyncS3Config *
ssync_s3_config_copy (const SsyncS3Config *config)
{
  SsyncS3Config *copy = g_memdup2 (config, sizeof *config);

  copy->endpoint = g_strdup (config->endpoint);
  copy->region = g_strdup (config->region);
  copy->bucket = g_strdup (config->bucket);
  copy->access_key = g_strdup (config->access_key);
  copy->secret_key = g_strdup (config->secret_key);
  copy->ca_file = g_strdup (config->ca_file);
  return copy;
}

void
ssync_s3_config_free (SsyncS3Config *config)
{
  if (config == NULL)
    return;

  if (config->secret_key != NULL)
    explicit_bzero (config->secret_key, strlen (config->secret_key));
  g_free (config->secret_key);
  g_free (config->endpoint);
  g_free (config->region);
  g_free (config->bucket);
  g_free (config->access_key);
  g_free (config->ca_file);
  g_free (config);
}

gboolean
ssync_s3_config_check (const SsyncS3Config  *config,
                       GError              **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (config->endpoint == NULL || *config->endpoint == '\0')
    {
      g_set_error_literal (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_CONFIG,
                           _("No S3 endpoint is set up (set SHARESYNC_S3_ENDPOINT or fill in "
                             "the S3 Storage preferences)"));
      return FALSE;
    }
  uri = g_uri_parse (config->endpoint, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_CONFIG,
                   _("The S3 endpoint “%s” is not an http:// or https:// address"),
                   config->endpoint);
      return FALSE;
    }
  if (config->bucket == NULL || *config->bucket == '\0')
    {
      g_set_error_literal (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_CONFIG,
                           _("No S3 bucket is set up (set SHARESYNC_S3_BUCKET)"));
      return FALSE;
    }
  if (config->access_key == NULL || *config->access_key == '\0' ||
      config->secret_key == NULL || *config->secret_key == '\0')
    {
      g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_CONFIG,
                   _("The access key or the secret key for %s is missing"), config->endpoint);
      return FALSE;
    }
  if (config->part_size < SSYNC_S3_MIN_PART_SIZE)
    {
      g_autofree char *given = g_strdup_printf ("%" G_GUINT64_FORMAT, config->part_size);

      /* The number goes in as text: xgettext cuts a msgid at G_GUINT64_FORMAT. */
      g_set_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_CONFIG,
                   _("The S3 part size must be at least 5 MiB, not %s bytes"), given);
      return FALSE;
    }
  return TRUE;
}
