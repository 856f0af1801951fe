/* ssync-session-config.c: the session follows its SsyncConfig. Each setting goes to the part
 * that uses it, at start and on every change, so that a preference changed in the window
 * applies to the running server (the pusher and the direct-transfer side follow the
 * settings of theirs themselves).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-session-private.h"

static gboolean
on_cleanup_timer (gpointer user_data)
{
  ssync_session_cleanup (user_data);
  return G_SOURCE_CONTINUE;
}

static void
apply (SsyncSession *self,
       const char   *name)
{
  SsyncConfig *config = self->config;

  if (name == NULL || g_str_equal (name, "max-connections"))
    ssync_server_set_max_connections (self->server,
                                      ssync_config_get_uint (config, "max-connections"));
  if (name == NULL || g_str_equal (name, "idle-timeout"))
    ssync_server_set_idle_timeout (self->server, ssync_config_get_uint (config, "idle-timeout"));
  if (name == NULL || g_str_equal (name, "header-timeout"))
    ssync_server_set_header_timeout (self->server,
                                     ssync_config_get_uint (config, "header-timeout"));
  if (name == NULL || g_str_equal (name, "upload-expiry"))
    ssync_server_set_upload_expiry (self->server,
                                    ssync_config_get_uint (config, "upload-expiry"));
  if (name == NULL || g_str_equal (name, "room-grace"))
    ssync_server_set_room_grace (self->server, ssync_config_get_uint (config, "room-grace"));
  if (name == NULL || g_str_equal (name, "max-upload-size"))
    ssync_server_set_max_upload_size (self->server,
                                      ssync_config_get_uint64 (config, "max-upload-size"));
  if (name == NULL || g_str_equal (name, "auto-accept"))
    ssync_upload_gatekeeper_set_auto_accept (self->gatekeeper,
                                             ssync_config_get_boolean (config, "auto-accept"));
  if (name == NULL || g_str_equal (name, "accept-timeout"))
    ssync_upload_gatekeeper_set_answer_timeout (self->gatekeeper,
                                                ssync_config_get_uint (config, "accept-timeout"));
  if (name == NULL || g_str_equal (name, "cleanup-interval"))
    {
      g_clear_handle_id (&self->cleanup_id, g_source_remove);
      self->cleanup_id = g_timeout_add_seconds (ssync_config_get_uint (config,
                                                                       "cleanup-interval"),
                                                on_cleanup_timer, self);
    }
  /* The defaults of new shares and history-days are read where they are used. */
}

static void
on_config_notify (SsyncConfig  *config,
                  GParamSpec   *pspec,
                  SsyncSession *self)
{
  apply (self, pspec->name);
}

/* Applies every setting now, and each change from now on. */
void
ssync_session_follow_config (SsyncSession *self)
{
  apply (self, NULL);
  g_signal_connect_object (self->config, "notify", G_CALLBACK (on_config_notify), self, 0);
}
