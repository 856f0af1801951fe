/* test-localsend-receive-session.c: the session's side of receiving from nearby devices:
 * the receive folder, the question through the session's "upload-request" (the window's
 * dialog), accept-all, and the transfers the session tracks. A libsoup client plays the
 * sender on loopback.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ssync-session.h"
#include "ssync-test-server.h"

#define API "/api/localsend/v2/"
#define PREPARE \
  "{\"info\":{\"alias\":\"Nice Orange\",\"fingerprint\":\"PEER\",\"deviceType\":\"mobile\"}," \
  "\"files\":{\"a\":{\"id\":\"a\",\"fileName\":\"docs/a.txt\",\"size\":5,\"fileType\":\"t\"}}}"

typedef struct {
  char *dir;
  char *folder;
  SsyncSession *session;
  SoupSession *client;
  GPtrArray *requests;
  GPtrArray *transfers;
  gboolean started;
  guint port;
} Fixture;

static void
on_upload_request (SsyncSession *session, SsyncUploadRequest *request, Fixture *fixture)
{
  g_ptr_array_add (fixture->requests, g_object_ref (request));
}

static void
on_transfer_started (SsyncSession *session, SsyncTransfer *transfer, Fixture *fixture)
{
  g_ptr_array_add (fixture->transfers, g_object_ref (transfer));
}

static void
on_nearby_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ssync_session_start_nearby_finish (SSYNC_SESSION (source), result, &error));
  g_assert_no_error (error);
  fixture->started = TRUE;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *data_dir = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-nearby-receive-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->folder = g_build_filename (fixture->dir, "inbox", NULL);
  data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_assert_no_errno (g_mkdir (fixture->folder, 0700));

  fixture->session = ssync_session_new (data_dir, &error);
  g_assert_no_error (error);
  ssync_session_start (fixture->session, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_true (ssync_config_set_from_string (ssync_session_get_config (fixture->session),
                                               "localsend-port", "0", &error));
  fixture->requests = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->transfers = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (fixture->session, "upload-request", G_CALLBACK (on_upload_request), fixture);
  g_signal_connect (fixture->session, "transfer-started", G_CALLBACK (on_transfer_started),
                    fixture);

  folder = g_file_new_for_path (fixture->folder);
  ssync_session_set_nearby_receive_folder (fixture->session, folder, GPOINTER_TO_INT (data));
  ssync_session_start_nearby_async (fixture->session, "headless", NULL, on_nearby_started,
                                    fixture);
  while (!fixture->started)
    g_main_context_iteration (NULL, TRUE);
  fixture->port = ssync_session_get_nearby_port (fixture->session);
  g_assert_cmpuint (fixture->port, >, 0);
  fixture->client = soup_session_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->requests, g_ptr_array_unref);
  g_clear_pointer (&fixture->transfers, g_ptr_array_unref);
  ssync_session_shutdown (fixture->session);
  g_assert_finalize_object (fixture->session);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->folder);
  g_free (fixture->dir);
}

static gboolean
accept_any (SoupMessage *msg, GTlsCertificate *certificate, GTlsCertificateFlags errors,
            gpointer user_data)
{
  return TRUE;
}

typedef struct {
  SoupMessage *msg;
  GBytes *body;
  gboolean done;
} Reply;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reply *reply = user_data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  reply->done = TRUE;
}

static Reply *
post_start (Fixture *fixture, const char *path, const char *body)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u%s", fixture->port, path);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  Reply *reply = g_new0 (Reply, 1);

  reply->msg = soup_message_new ("POST", url);
  g_signal_connect (reply->msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  soup_message_set_request_body_from_bytes (reply->msg, "application/json", bytes);
  soup_session_send_and_read_async (fixture->client, reply->msg, G_PRIORITY_DEFAULT, NULL,
                                    on_sent, reply);
  return reply;
}

static guint
post_wait (Reply *reply, JsonObject **answer)
{
  guint status;

  while (!reply->done)
    g_main_context_iteration (NULL, TRUE);
  status = soup_message_get_status (reply->msg);
  if (answer != NULL && status == SOUP_STATUS_OK)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply->body, NULL),
                                                 g_bytes_get_size (reply->body), NULL));
      *answer = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    }
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_object_unref (reply->msg);
  g_free (reply);
  return status;
}

static void
upload_a (Fixture *fixture, JsonObject *answer)
{
  g_autofree char *path = g_strdup_printf (API "upload?sessionId=%s&fileId=a&token=%s",
                                           json_object_get_string_member (answer, "sessionId"),
                                           json_object_get_string_member (
                                             json_object_get_object_member (answer, "files"),
                                             "a"));
  g_autofree char *saved = NULL;
  g_autofree char *file = g_build_filename (fixture->folder, "docs", "a.txt", NULL);

  g_assert_cmpuint (post_wait (post_start (fixture, path, "hello"), NULL), ==, SOUP_STATUS_OK);
  g_assert_true (g_file_get_contents (file, &saved, NULL, NULL));
  g_assert_cmpstr (saved, ==, "hello");
  g_assert_cmpuint (fixture->transfers->len, ==, 1);
  g_assert_cmpint (ssync_transfer_get_kind (fixture->transfers->pdata[0]), ==,
                   SSYNC_TRANSFER_KIND_LOCALSEND);
  g_assert_cmpint (ssync_transfer_get_status (fixture->transfers->pdata[0]), ==,
                   SSYNC_TRANSFER_STATUS_COMPLETE);
  g_assert_cmpstr (ssync_transfer_get_user_agent (fixture->transfers->pdata[0]), ==,
                   "Nice Orange");
}

/* The question reaches the faces as "upload-request", one for the whole session. */
static void
test_asked (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) answer = NULL;
  SsyncUploadRequest *request;
  Reply *reply = post_start (fixture, API "prepare-upload", PREPARE);

  while (fixture->requests->len == 0)
    g_main_context_iteration (NULL, TRUE);
  request = fixture->requests->pdata[0];
  g_assert_cmpstr (ssync_upload_request_get_user_agent (request), ==, "Nice Orange");
  g_assert_cmpstr (ssync_upload_request_get_peer (request), ==, "127.0.0.1");
  g_assert_cmpuint (ssync_upload_request_get_n_files (request), ==, 1);
  g_assert_cmpuint (ssync_upload_request_get_total_size (request), ==, 5);
  g_assert_true (ssync_session_lookup_upload_request (fixture->session,
                                                      ssync_upload_request_get_id (request))
                 == request);
  ssync_upload_request_accept (request);
  g_assert_cmpuint (post_wait (reply, &answer), ==, SOUP_STATUS_OK);
  upload_a (fixture, answer);
}

static void
test_declined (Fixture *fixture, gconstpointer data)
{
  Reply *reply = post_start (fixture, API "prepare-upload", PREPARE);

  while (fixture->requests->len == 0)
    g_main_context_iteration (NULL, TRUE);
  ssync_upload_request_decline (fixture->requests->pdata[0]);
  g_assert_cmpuint (post_wait (reply, NULL), ==, SOUP_STATUS_FORBIDDEN);
}

static void
test_accept_all (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (post_wait (post_start (fixture, API "prepare-upload", PREPARE), &answer), ==,
                    SOUP_STATUS_OK);
  g_assert_cmpuint (fixture->requests->len, ==, 0);
  upload_a (fixture, answer);
}

/* Without a folder nothing is received. */
static void
test_no_folder (Fixture *fixture, gconstpointer data)
{
  ssync_session_set_nearby_receive_folder (fixture->session, NULL, FALSE);
  g_assert_cmpuint (post_wait (post_start (fixture, API "prepare-upload", PREPARE), NULL), ==,
                    SOUP_STATUS_FORBIDDEN);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/localsend-receive-session/asked", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_asked, fixture_tear_down);
  g_test_add ("/localsend-receive-session/declined", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_declined, fixture_tear_down);
  g_test_add ("/localsend-receive-session/accept-all", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_accept_all, fixture_tear_down);
  g_test_add ("/localsend-receive-session/no-folder", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_no_folder, fixture_tear_down);

  return g_test_run ();
}
