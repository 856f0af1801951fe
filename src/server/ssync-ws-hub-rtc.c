/* ssync-ws-hub-rtc.c: direct connections asked for over /ws. The hub only relays: the
 * session answers "rtc-connect" and the signaling that follows (SsyncWsHub::rtc-connect,
 * ::rtc-signal).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-ws-hub-private.h"

/* Protocol strings, not translated: a page shows its own words in its visitor's language. */
static const char error_no_rtc[] = "Direct transfers are not available";
static const char error_rtc_twice[] = "One direct connection per WebSocket";
static const char error_no_connection[] = "No direct connection was asked for";

static void
send_rtc_status (SsyncWsClient *client)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "rtc-status");
  json_builder_set_member_name (builder, "available");
  json_builder_add_boolean_value (builder, client->hub->rtc_available);
  if (client->hub->rtc_message != NULL)
    {
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, client->hub->rtc_message);
    }
  json_builder_end_object (builder);
  text = ssync_ws_builder_to_text (builder);
  ssync_ws_client_send (client, text);
}

/* Direct connections: "rtc-status" asks whether this app can make them, "rtc-connect"
 * (with a token) asks for one to that share, and the answer and candidates that follow
 * go to the connection's owner (the session) as they are. */
void
ssync_ws_client_handle_rtc (SsyncWsClient *client,
                            const char    *type,
                            JsonObject    *object)
{
  SsyncWsHub *self = client->hub;

  if (g_str_equal (type, "rtc-status"))
    send_rtc_status (client);
  else if (g_str_equal (type, "rtc-connect"))
    {
      SsyncShare *share;

      if (!self->rtc_available)
        {
          ssync_ws_client_send_error (client, self->rtc_message != NULL ? self->rtc_message
                                                                        : error_no_rtc);
          return;
        }
      if (client->rtc)
        {
          ssync_ws_client_send_error (client, error_rtc_twice);
          return;
        }
      share = ssync_ws_client_lookup_share (client, object);
      if (share == NULL)
        return;
      client->rtc = TRUE;
      g_signal_emit_by_name (self, "rtc-connect", client->id, share, client->peer,
                             client->user_agent);
    }
  else if (!client->rtc)
    ssync_ws_client_send_error (client, error_no_connection);
  else
    g_signal_emit_by_name (self, "rtc-signal", client->id, object);
}

/* Whether pages may ask for direct connections; when not, @message says why. */
void
ssync_ws_hub_set_rtc_available (SsyncWsHub *self,
                                gboolean    available,
                                const char *message)
{
  g_return_if_fail (SSYNC_IS_WS_HUB (self));

  self->rtc_available = available;
  g_free (self->rtc_message);
  self->rtc_message = g_strdup (message);
}
