/* ssync-ws-hub-progress.c: the transfers that pages follow.
 *
 * The hub keeps no reference to a transfer: it watches it through a weak reference and
 * forgets it when it finishes or goes away. Progress is throttled per transfer, so a
 * transfer moving thousands of chunks a second costs each page a few messages a second.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-ws-hub-private.h"

/* At most four progress messages a second per transfer. */
#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 4)

struct _SsyncWsWatch
{
  SsyncWsHub *hub;
  SsyncTransfer *transfer;  /* weak; NULL once it is finalized */
  char *share_id;
  gint64 sent_time;         /* monotonic time of the last progress message */
  guint64 sent_bytes;       /* its byte count */
  guint timeout_id;         /* a progress message held back by the throttle */
};

static char *
progress_message (SsyncTransfer *transfer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "progress");
  json_builder_set_member_name (builder, "transfer");
  json_builder_add_string_value (builder, ssync_transfer_get_id (transfer));
  json_builder_set_member_name (builder, "direction");
  json_builder_add_string_value (builder,
                                 ssync_enum_to_nick (SSYNC_TYPE_DIRECTION,
                                                     ssync_transfer_get_direction (transfer)));
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, ssync_transfer_get_file_name (transfer));
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, ssync_transfer_get_bytes (transfer));
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, ssync_transfer_get_total (transfer));
  json_builder_end_object (builder);

  return ssync_ws_builder_to_text (builder);
}

static char *
finished_message (SsyncTransfer *transfer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "finished");
  json_builder_set_member_name (builder, "transfer");
  json_builder_add_string_value (builder, ssync_transfer_get_id (transfer));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder,
                                 ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_STATUS,
                                                     ssync_transfer_get_status (transfer)));
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, ssync_transfer_get_bytes (transfer));
  json_builder_end_object (builder);

  return ssync_ws_builder_to_text (builder);
}

/* Sends @text to the pages subscribed to the transfer's share from the transfer's peer. */
static void
watch_broadcast (SsyncWsWatch *watch,
                 const char   *text)
{
  const char *peer = ssync_transfer_get_peer (watch->transfer);

  for (guint i = 0; i < watch->hub->clients->len; i++)
    {
      SsyncWsClient *client = g_ptr_array_index (watch->hub->clients, i);

      if (g_strcmp0 (client->share_id, watch->share_id) == 0 &&
          g_strcmp0 (client->peer, peer) == 0)
        ssync_ws_client_send (client, text);
    }
}

static void
watch_send_progress (SsyncWsWatch *watch)
{
  g_autofree char *text = progress_message (watch->transfer);

  g_clear_handle_id (&watch->timeout_id, g_source_remove);
  watch->sent_time = g_get_monotonic_time ();
  watch->sent_bytes = ssync_transfer_get_bytes (watch->transfer);
  watch_broadcast (watch, text);
}

static gboolean
on_progress_due (gpointer user_data)
{
  SsyncWsWatch *watch = user_data;

  watch->timeout_id = 0;
  watch_send_progress (watch);
  return G_SOURCE_REMOVE;
}

static void
on_transfer_bytes (SsyncTransfer *transfer,
                   GParamSpec    *pspec,
                   SsyncWsWatch  *watch)
{
  gint64 elapsed = g_get_monotonic_time () - watch->sent_time;

  /* A message already held back will carry the newest count when it goes. */
  if (watch->timeout_id != 0)
    return;

  if (elapsed >= PROGRESS_INTERVAL)
    watch_send_progress (watch);
  else
    watch->timeout_id = g_timeout_add ((PROGRESS_INTERVAL - elapsed + 999) / 1000,
                                       on_progress_due, watch);
}

typedef struct {
  SsyncWsHub *hub;
  char *share_id;
} EndCheck;

/* A finished download may have spent the share's last one: its pages hear it now, not when
 * the owner's next sweep removes the share. This runs after every "finished" handler, the
 * one that counts the download included. */
static gboolean
check_share_ended (gpointer user_data)
{
  EndCheck *check = user_data;
  SsyncShare *share = ssync_registry_lookup_id (check->hub->registry, check->share_id);

  if (share != NULL &&
      ssync_share_get_state (share, g_get_real_time ()) != SSYNC_SHARE_STATE_ACTIVE)
    ssync_ws_hub_notify_share (check->hub, share, "expired");

  g_object_unref (check->hub);
  g_free (check->share_id);
  g_free (check);
  return G_SOURCE_REMOVE;
}

static void
on_transfer_finished (SsyncTransfer *transfer,
                      SsyncWsWatch  *watch)
{
  g_autofree char *text = finished_message (transfer);
  EndCheck *check = g_new0 (EndCheck, 1);

  /* The page sees the final count before the outcome, whatever the throttle held back. */
  if (ssync_transfer_get_bytes (transfer) != watch->sent_bytes)
    watch_send_progress (watch);
  watch_broadcast (watch, text);

  check->hub = g_object_ref (watch->hub);
  check->share_id = g_strdup (watch->share_id);
  g_idle_add (check_share_ended, check);

  /* Frees @watch. */
  g_hash_table_remove (watch->hub->watches, transfer);
}

static void
on_transfer_gone (gpointer  user_data,
                  GObject  *where_the_object_was)
{
  SsyncWsWatch *watch = user_data;

  watch->transfer = NULL;
  g_hash_table_remove (watch->hub->watches, where_the_object_was);
}

void
ssync_ws_watch_free (SsyncWsWatch *watch)
{
  if (watch->transfer != NULL)
    {
      g_signal_handlers_disconnect_by_data (watch->transfer, watch);
      g_object_weak_unref (G_OBJECT (watch->transfer), on_transfer_gone, watch);
    }
  g_clear_handle_id (&watch->timeout_id, g_source_remove);
  g_free (watch->share_id);
  g_free (watch);
}

/* Tells the pages of @share about @transfer (from the same address) until it finishes. */
void
ssync_ws_hub_watch_transfer (SsyncWsHub    *self,
                             SsyncShare    *share,
                             SsyncTransfer *transfer)
{
  SsyncWsWatch *watch;

  g_return_if_fail (SSYNC_IS_WS_HUB (self));
  g_return_if_fail (SSYNC_IS_SHARE (share));
  g_return_if_fail (SSYNC_IS_TRANSFER (transfer));

  if (ssync_transfer_get_status (transfer) != SSYNC_TRANSFER_STATUS_ACTIVE ||
      g_hash_table_contains (self->watches, transfer))
    return;

  watch = g_new0 (SsyncWsWatch, 1);
  watch->hub = self;
  watch->transfer = transfer;
  watch->share_id = g_strdup (ssync_share_get_id (share));
  g_object_weak_ref (G_OBJECT (transfer), on_transfer_gone, watch);
  g_signal_connect (transfer, "notify::bytes", G_CALLBACK (on_transfer_bytes), watch);
  g_signal_connect (transfer, "finished", G_CALLBACK (on_transfer_finished), watch);
  g_hash_table_insert (self->watches, transfer, watch);
}
