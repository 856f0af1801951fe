/* ssync-test-receiver.c: a small in-process LocalSend receiver (ssync-test-receiver.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ssync-localsend-message.h"
#include "ssync-test-receiver.h"

#define MIB (1024 * 1024)
#define SESSION_ID SSYNC_TEST_RECEIVER_SESSION

guint64
ssync_test_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static void
answer_json (SoupServerMessage *msg,
             guint              status,
             const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  if (json != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                      strlen (json));
}

static void
handle_info (SsyncTestReceiver *receiver,
             SoupServerMessage *msg)
{
  SsyncLocalsendIdentity me = {
    .alias = "Stand-in", .device_type = "desktop", .port = receiver->port, .protocol = "https",
  };
  g_autofree char *json = NULL;

  if (receiver->info_answer != NULL)
    return answer_json (msg, SOUP_STATUS_OK, receiver->info_answer);
  me.fingerprint = receiver->info_fingerprint != NULL
                   ? receiver->info_fingerprint
                   : ssync_tls_identity_get_fingerprint (receiver->identity);
  json = ssync_localsend_message_build_info (&me);
  answer_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_prepare (SsyncTestReceiver *receiver,
                SoupServerMessage *msg,
                GHashTable        *query)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) answer = g_string_new ("{\"sessionId\":\"" SESSION_ID "\",\"files\":{");
  g_autoptr(GList) ids = NULL;
  JsonObject *files;

  json_parser_load_from_data (parser, body->data, body->length, &error);
  g_assert_no_error (error);
  /* Who sends says who it is, as LocalSend shows it. */
  g_assert_nonnull (json_object_get_object_member (
    json_node_get_object (json_parser_get_root (parser)), "info"));
  files = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                         "files");
  if (receiver->pin != NULL && g_strcmp0 (g_hash_table_lookup (query, "pin"), receiver->pin) != 0)
    return answer_json (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
  if (receiver->prepare_status != SOUP_STATUS_OK)
    return answer_json (msg, receiver->prepare_status, NULL);
  if (receiver->prepare_answer != NULL && !g_str_equal (receiver->prepare_answer, "bad-token"))
    return answer_json (msg, SOUP_STATUS_OK, receiver->prepare_answer);

  ids = json_object_get_members (files);
  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonObject *file = json_object_get_object_member (files, l->data);

      g_hash_table_insert (receiver->names, g_strdup (l->data),
                           g_strdup (json_object_get_string_member (file, "fileName")));
      g_assert_cmpint (json_object_get_int_member (file, "size"), >=, 0);
      g_assert_nonnull (json_object_get_string_member (file, "fileType"));
      /* "bad-token": the right ids with tokens that are no strings. */
      if (g_strcmp0 (receiver->prepare_answer, "bad-token") == 0)
        g_string_append_printf (answer, "%s\"%s\":[1]", l != ids ? "," : "", (char *) l->data);
      else
        g_string_append_printf (answer, "%s\"%s\":\"tok-%s\"", l != ids ? "," : "",
                                (char *) l->data, (char *) l->data);
    }
  g_string_append (answer, "}}");
  answer_json (msg, SOUP_STATUS_OK, answer->str);
}

static void
handle_upload (SsyncTestReceiver *receiver,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  const char *id = g_hash_table_lookup (query, "fileId");
  g_autofree char *token = g_strconcat ("tok-", id, NULL);
  const char *name = g_hash_table_lookup (receiver->names, id);

  g_assert_cmpstr (g_hash_table_lookup (query, "sessionId"), ==, SESSION_ID);
  g_assert_cmpstr (g_hash_table_lookup (query, "token"), ==, token);
  g_assert_nonnull (name);
  g_hash_table_insert (receiver->received, g_strdup (name),
                       g_strdup (g_checksum_get_string (receiver->checksum)));
  g_checksum_reset (receiver->checksum);
  receiver->got = 0;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  SsyncTestReceiver *receiver = user_data;
  g_autoptr(GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);

  if (query == NULL)
    query = empty;
  if (g_str_equal (path, "/api/localsend/v2/info"))
    handle_info (receiver, msg);
  else if (g_str_equal (path, "/api/localsend/v2/prepare-upload"))
    handle_prepare (receiver, msg, query);
  else if (g_str_equal (path, "/api/localsend/v2/upload"))
    handle_upload (receiver, msg, query);
  else if (g_str_equal (path, "/api/localsend/v2/cancel"))
    {
      g_assert_cmpstr (g_hash_table_lookup (query, "sessionId"), ==, SESSION_ID);
      receiver->cancels++;
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* Uploads are hashed as they arrive, never kept whole, as a real receiver writes them. */
static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              SsyncTestReceiver *receiver)
{
  guint64 before = receiver->got;

  g_checksum_update (receiver->checksum, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  receiver->got += g_bytes_get_size (chunk);
  if (before / (8 * MIB) != receiver->got / (8 * MIB))
    receiver->rss_max = MAX (receiver->rss_max, ssync_test_rss_kib ());
  if (receiver->cancel_after > 0 && receiver->got >= receiver->cancel_after)
    g_cancellable_cancel (receiver->cancel);
}

static void
on_got_headers (SoupServerMessage *msg,
                SsyncTestReceiver *receiver)
{
  GUri *uri = soup_server_message_get_uri (msg);

  /* Only prepare-upload's small JSON is kept whole. */
  if (g_str_equal (g_uri_get_path (uri), "/api/localsend/v2/prepare-upload"))
    soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), TRUE);
  else
    g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), receiver);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    SsyncTestReceiver *receiver)
{
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), receiver);
}

SsyncTestReceiver *
ssync_test_receiver_new (const char *dir)
{
  SsyncTestReceiver *receiver = g_new0 (SsyncTestReceiver, 1);
  g_autoptr(GError) error = NULL;

  receiver->identity = ssync_tls_identity_load_or_create (dir, &error);
  g_assert_no_error (error);
  receiver->server = soup_server_new ("tls-certificate",
                                      ssync_tls_identity_get_certificate (receiver->identity),
                                      NULL);
  soup_server_add_handler (receiver->server, NULL, handle, receiver, NULL);
  g_signal_connect (receiver->server, "request-started", G_CALLBACK (on_request_started),
                    receiver);
  /* Through the app's listener: a sender that drops its handshake (a wrong certificate)
   * leaves one pending, which soup_server_disconnect() alone would free under libsoup 3.6. */
  receiver->listener = ssync_listener_new (receiver->server);
  ssync_listener_set_tls (receiver->listener, TRUE);
  ssync_listener_listen (receiver->listener, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  receiver->port = ssync_listener_get_port (receiver->listener);

  receiver->prepare_status = SOUP_STATUS_OK;
  receiver->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  receiver->received = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  receiver->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  return receiver;
}

void
ssync_test_receiver_free (SsyncTestReceiver *receiver)
{
  ssync_listener_stop (receiver->listener);
  g_clear_object (&receiver->listener);
  g_clear_object (&receiver->server);
  g_clear_object (&receiver->identity);
  g_checksum_free (receiver->checksum);
  g_hash_table_unref (receiver->names);
  g_hash_table_unref (receiver->received);
  g_free (receiver);
}
