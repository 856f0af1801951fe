/* ssync-environment.c: the SHARESYNC_* variables, for scripts, tests and servers. Each one
 * sets a setting of the run's SsyncConfig; the library code under it reads no environment.
 * A value that does not fit is said on stderr, in one line, and ignored.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-environment.h"

static const struct {
  const char *variable;
  const char *setting;
} variables[] = {
  { "SHARESYNC_MAX_CONNECTIONS", "max-connections" },
  { "SHARESYNC_IDLE_TIMEOUT", "idle-timeout" },
  { "SHARESYNC_HEADER_TIMEOUT", "header-timeout" },
  { "SHARESYNC_UPLOAD_EXPIRY", "upload-expiry" },
  { "SHARESYNC_ROOM_GRACE", "room-grace" },
  { "SHARESYNC_ACCEPT_TIMEOUT", "accept-timeout" },
  { "SHARESYNC_CLEANUP_INTERVAL", "cleanup-interval" },
  { "SHARESYNC_HISTORY_DAYS", "history-days" },
  { "SHARESYNC_RTC_HIDE_PLUGIN", "rtc-hidden-plugin" },
  { "SHARESYNC_NEARBY", "nearby" },
  { "SHARESYNC_ALIAS", "alias" },
  { "SHARESYNC_LOCALSEND_PORT", "localsend-port" },
  { "SHARESYNC_ANNOUNCE_INTERVAL", "announce-interval" },
  { "SHARESYNC_DEVICE_TIMEOUT", "device-timeout" },
  { "SHARESYNC_FETCH_OVER", "fetch-over" },
  { "SHARESYNC_S3_ENDPOINT", "s3-endpoint" },
  { "SHARESYNC_S3_REGION", "s3-region" },
  { "SHARESYNC_S3_BUCKET", "s3-bucket" },
  { "SHARESYNC_S3_ACCESS_KEY", "s3-access-key" },
  { "SHARESYNC_S3_PATH_STYLE", "s3-path-style" },
  { "SHARESYNC_S3_PART_SIZE", "s3-part-size" },
  { "SHARESYNC_S3_PARALLEL", "s3-parallel" },
  { "SHARESYNC_S3_ATTEMPTS", "s3-attempts" },
  { "SHARESYNC_S3_CA_FILE", "s3-ca-file" },
};

/* Sets @session's configuration from the variables that are set, and the S3 secret key
 * (SHARESYNC_S3_SECRET_KEY) for this run only. Returns the names of the settings it set
 * (a set), which the window does not take from the preferences. With SHARESYNC_S3_ENDPOINT
 * every S3 setting comes from the environment, as a bucket's settings belong together. */
GHashTable *
ssync_environment_apply (SsyncSession *session)
{
  SsyncConfig *config = ssync_session_get_config (session);
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);
  const char *endpoint = g_getenv ("SHARESYNC_S3_ENDPOINT");
  const char *secret = g_getenv ("SHARESYNC_S3_SECRET_KEY");
  gboolean s3 = endpoint != NULL && *endpoint != '\0';

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      const char *value = g_getenv (variables[i].variable);
      gboolean s3_setting = g_str_has_prefix (variables[i].setting, "s3-");
      g_autoptr(GError) error = NULL;

      if (s3_setting && !s3)
        continue;
      if (s3_setting)
        g_hash_table_add (set, (gpointer) variables[i].setting);
      if (value == NULL || *value == '\0')
        continue;
      if (!ssync_config_set_from_string (config, variables[i].setting, value, &error))
        {
          /* TRANSLATORS: "SHARESYNC_IDLE_TIMEOUT is ignored: “x” is not a whole number…" */
          g_printerr (_("sharesync: %s is ignored: %s\n"), variables[i].variable,
                      error->message);
          continue;
        }
      g_hash_table_add (set, (gpointer) variables[i].setting);
    }

  if (s3 && secret != NULL && *secret != '\0')
    ssync_secrets_set_for_run (ssync_session_get_secrets (session), SSYNC_SECRET_S3, endpoint,
                               ssync_config_get_string (config, "s3-access-key"), secret);
  return set;
}
