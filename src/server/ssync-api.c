/* ssync-api.c: the JSON API (/api/health, /api/files/{token}).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-response.h"
#include "ssync-routes.h"

static char *
iso_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format_iso8601 (date);
}

static void
add_expires (JsonBuilder *builder,
             SsyncShare  *share)
{
  json_builder_set_member_name (builder, "expires");
  if (ssync_share_get_expires (share) != 0)
    {
      g_autofree char *when = iso_time (ssync_share_get_expires (share) / G_USEC_PER_SEC);

      json_builder_add_string_value (builder, when);
    }
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "max_downloads");
  if (ssync_share_get_max_downloads (share) != 0)
    json_builder_add_int_value (builder, ssync_share_get_max_downloads (share));
  else
    json_builder_add_null_value (builder);
}

static void
check_database_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  SsyncRouteContext *context = task_data;

  g_task_return_boolean (task, ssync_history_check (context->history));
}

static void
on_database_checked (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SoupServerMessage) msg = user_data;
  SsyncRouteContext *context = g_task_get_task_data (G_TASK (result));
  gboolean db_ok = g_task_propagate_boolean (G_TASK (result), NULL);
  double uptime = (g_get_monotonic_time () - context->started) / (double) G_USEC_PER_SEC;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, db_ok ? "ok" : "degraded");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "uptime");
  json_builder_add_double_value (builder, uptime);
  json_builder_set_member_name (builder, "database");
  json_builder_add_string_value (builder, db_ok ? "ok" : "unavailable");
  json_builder_set_member_name (builder, "shares");
  json_builder_add_int_value (builder,
                              g_list_model_get_n_items (G_LIST_MODEL (context->registry)));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  ssync_response_json (msg, db_ok ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, root);
  soup_server_message_unpause (msg);
}

/* The database is asked on a worker thread: even "SELECT 1" can wait on a lock. */
void
ssync_api_health (SsyncRouteContext *context,
                  SoupServerMessage *msg)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_database_checked, g_object_ref (msg));

  soup_server_message_pause (msg);
  g_task_set_task_data (task, ssync_route_context_ref (context),
                        (GDestroyNotify) ssync_route_context_unref);
  if (context->history == NULL)
    g_task_return_boolean (task, FALSE);
  else
    g_task_run_in_thread (task, check_database_thread);
}

static void
api_receive (SsyncRouteContext *context,
             SoupServerMessage *msg,
             SsyncShare        *share)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *upload_url = g_strdup_printf ("/r/%s/uploads/", ssync_share_get_token (share));
  guint64 max_size = ssync_tus_get_max_size (context->tus);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, ssync_share_get_id (share));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, ssync_share_get_name (share));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "receive");
  json_builder_set_member_name (builder, "upload_url");
  json_builder_add_string_value (builder, upload_url);
  json_builder_set_member_name (builder, "max_size");
  if (max_size > 0)
    json_builder_add_int_value (builder, max_size);
  else
    json_builder_add_null_value (builder);
  add_expires (builder, share);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  ssync_response_json (msg, SOUP_STATUS_OK, root);
}

void
ssync_api_files (SsyncRouteContext *context,
                 SoupServerMessage *msg,
                 SsyncShare        *share)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *created = iso_time (ssync_share_get_created (share) / G_USEC_PER_SEC);
  g_autofree char *zip_url = g_strdup_printf ("/s/%s/archive.zip", ssync_share_get_token (share));

  if (ssync_share_get_kind (share) == SSYNC_SHARE_KIND_RECEIVE)
    {
      api_receive (context, msg, share);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, ssync_share_get_id (share));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, ssync_share_get_name (share));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, ssync_enum_to_nick (SSYNC_TYPE_SHARE_KIND,
                                                              ssync_share_get_kind (share)));
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, ssync_share_get_total_size (share));
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  add_expires (builder, share);
  json_builder_set_member_name (builder, "downloads");
  json_builder_add_int_value (builder, ssync_share_get_downloads (share));
  json_builder_set_member_name (builder, "zip_url");
  json_builder_add_string_value (builder, zip_url);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);

  for (guint i = 0; i < ssync_share_get_n_files (share); i++)
    {
      SsyncFileEntry *entry = ssync_share_get_file (share, i);
      g_autofree char *escaped = g_uri_escape_string (ssync_file_entry_get_name (entry), NULL,
                                                      FALSE);
      g_autofree char *url = g_strdup_printf ("/s/%s/f/%s/%s", ssync_share_get_token (share),
                                              ssync_file_entry_get_id (entry), escaped);
      g_autofree char *mtime = iso_time (ssync_file_entry_get_mtime (entry));
      g_autofree char *sha256 = ssync_file_entry_dup_sha256 (entry);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, ssync_file_entry_get_id (entry));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, ssync_file_entry_get_name (entry));
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, ssync_file_entry_get_path (entry));
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, ssync_file_entry_get_size (entry));
      json_builder_set_member_name (builder, "mtime");
      json_builder_add_string_value (builder, mtime);
      json_builder_set_member_name (builder, "sha256");
      if (sha256 != NULL)
        json_builder_add_string_value (builder, sha256);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  ssync_response_json (msg, SOUP_STATUS_OK, root);
}

static void
stats_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *totals;

  ssync_history_flush (task_data);
  totals = ssync_history_list_totals (task_data, &error);

  if (totals == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, totals, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_stats (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SoupServerMessage) msg = user_data;
  g_autoptr(GPtrArray) totals = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  guint64 downloads = 0, uploads = 0, sent = 0, received = 0;

  totals = g_task_propagate_pointer (G_TASK (result), &error);
  if (totals == NULL)
    {
      ssync_response_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, error->message);
      soup_server_message_unpause (msg);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "shares");
  json_builder_begin_array (builder);
  for (guint i = 0; i < totals->len; i++)
    {
      SsyncShareTotals *t = g_ptr_array_index (totals, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, t->share_id);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, t->share_name);
      json_builder_set_member_name (builder, "downloads");
      json_builder_add_int_value (builder, t->downloads);
      json_builder_set_member_name (builder, "uploads");
      json_builder_add_int_value (builder, t->uploads);
      json_builder_set_member_name (builder, "bytes_sent");
      json_builder_add_int_value (builder, t->bytes_sent);
      json_builder_set_member_name (builder, "bytes_received");
      json_builder_add_int_value (builder, t->bytes_received);
      json_builder_end_object (builder);
      downloads += t->downloads;
      uploads += t->uploads;
      sent += t->bytes_sent;
      received += t->bytes_received;
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "downloads");
  json_builder_add_int_value (builder, downloads);
  json_builder_set_member_name (builder, "uploads");
  json_builder_add_int_value (builder, uploads);
  json_builder_set_member_name (builder, "bytes_sent");
  json_builder_add_int_value (builder, sent);
  json_builder_set_member_name (builder, "bytes_received");
  json_builder_add_int_value (builder, received);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  ssync_response_json (msg, SOUP_STATUS_OK, root);
  soup_server_message_unpause (msg);
}

/* GET /api/stats (owner only): completed downloads and uploads, in all and per share,
 * from the history (read on a worker thread; the history is flushed first so the answer
 * includes what just finished). */
void
ssync_api_stats (SsyncRouteContext *context,
                 SoupServerMessage *msg)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_stats, g_object_ref (msg));

  soup_server_message_pause (msg);
  if (context->history == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               "No history database");
      return;
    }

  g_task_set_task_data (task, g_object_ref (context->history), g_object_unref);
  g_task_run_in_thread (task, stats_thread);
}
