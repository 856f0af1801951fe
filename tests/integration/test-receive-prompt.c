/* test-receive-prompt.c: asking before uploads start. The session runs in this process with
 * its real server on 127.0.0.1 and auto-accept off; a libsoup client creates tus uploads the
 * way the receive page does. Files one sender offers while the question is open join one
 * request (names, total size, address); accepting lets every one of them start, declining
 * refuses them with 403 and Upload-Declined, a question nobody answers is declined, the
 * share ending declines what waits, and with auto-accept nothing asks.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ssync-session.h"
#include "ssync-test-server.h"

#define WAIT_TIMEOUT 20

typedef struct {
  char *dir;
  char *folder;
  SsyncSession *session;
  SsyncShare *share;
  SoupSession *client;
  GPtrArray *requests;  /* SsyncUploadRequest asked, in order */
} Fixture;

/* One creation (POST) in flight and its answer. */
typedef struct {
  SoupMessage *msg;
  gboolean done;
} Creation;

static void
wait_until (const gboolean *done)
{
  ssync_test_wait_until (done, WAIT_TIMEOUT);
}

static void
on_upload_request (SsyncSession       *session,
                   SsyncUploadRequest *request,
                   Fixture            *fixture)
{
  g_ptr_array_add (fixture->requests, g_object_ref (request));
}

static void
on_share_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;

  fixture->share = ssync_session_add_receive_share_finish (SSYNC_SESSION (source), result,
                                                           &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *data_dir = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-prompt-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->folder = g_build_filename (fixture->dir, "inbox", NULL);
  data_dir = g_build_filename (fixture->dir, "data", NULL);
  g_assert_no_errno (g_mkdir (fixture->folder, 0700));

  fixture->session = ssync_session_new (data_dir, &error);
  g_assert_no_error (error);
  ssync_session_start (fixture->session, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  /* Short, so that the unanswered question declines within the test. */
  g_object_set (ssync_session_get_config (fixture->session), "auto-accept", data == NULL,
                "accept-timeout", 2, NULL);
  fixture->requests = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (fixture->session, "upload-request", G_CALLBACK (on_upload_request), fixture);

  folder = g_file_new_for_path (fixture->folder);
  ssync_session_add_receive_share_async (fixture->session, folder, NULL, on_share_added, fixture);
  while (fixture->share == NULL)
    g_main_context_iteration (NULL, TRUE);

  fixture->client = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->share);
  g_clear_pointer (&fixture->requests, g_ptr_array_unref);
  ssync_session_shutdown (fixture->session);
  g_assert_finalize_object (fixture->session);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->folder);
  g_free (fixture->dir);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Creation *creation = user_data;
  g_autoptr(GBytes) body = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  creation->done = TRUE;
}

/* Starts creating an upload of @name (@size bytes), as the receive page does. */
static Creation *
create (Fixture    *fixture,
        const char *name,
        guint64     size)
{
  Creation *creation = g_new0 (Creation, 1);
  g_autofree char *url = NULL;
  g_autofree char *encoded = g_base64_encode ((const guchar *) name, strlen (name));
  g_autofree char *metadata = g_strdup_printf ("filename %s", encoded);
  g_autofree char *length = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
  SoupMessageHeaders *headers;

  url = g_strdup_printf ("http://127.0.0.1:%u/r/%s/uploads/",
                         ssync_session_get_port (fixture->session),
                         ssync_share_get_token (fixture->share));
  creation->msg = soup_message_new ("POST", url);
  headers = soup_message_get_request_headers (creation->msg);
  soup_message_headers_replace (headers, "Tus-Resumable", "1.0.0");
  soup_message_headers_replace (headers, "Upload-Length", length);
  soup_message_headers_replace (headers, "Upload-Metadata", metadata);
  soup_message_headers_replace (headers, "User-Agent", "prompt-test/1");
  soup_session_send_and_read_async (fixture->client, creation->msg, G_PRIORITY_DEFAULT, NULL,
                                    on_sent, creation);
  return creation;
}

static void
creation_free (Creation *creation)
{
  g_object_unref (creation->msg);
  g_free (creation);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Creation, creation_free)

static gboolean
has_requests (gconstpointer data)
{
  const Fixture *fixture = data;

  return fixture->requests->len > 0;
}

static void
wait_for_request (Fixture *fixture)
{
  ssync_test_wait (has_requests, fixture, WAIT_TIMEOUT);
}

static void
assert_created (Creation *creation)
{
  wait_until (&creation->done);
  g_assert_cmpuint (soup_message_get_status (creation->msg), ==, SOUP_STATUS_CREATED);
  g_assert_nonnull (soup_message_headers_get_one (
                      soup_message_get_response_headers (creation->msg), "Location"));
}

static void
assert_declined (Creation *creation)
{
  wait_until (&creation->done);
  g_assert_cmpuint (soup_message_get_status (creation->msg), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpstr (soup_message_headers_get_one (
                     soup_message_get_response_headers (creation->msg), "Upload-Declined"),
                   ==, "true");
}

/* A folder of files from one sender is one question, with every name and the total size. */
static void
test_accept (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(Creation) first = create (fixture, "report.pdf", 1000);
  g_autoptr(Creation) second = NULL;
  g_autoptr(Creation) later = NULL;
  g_autofree char *summary = NULL;
  SsyncUploadRequest *request;

  wait_for_request (fixture);
  request = g_ptr_array_index (fixture->requests, 0);
  second = create (fixture, "photos/beach.jpg", 2000);
  ssync_test_wait_for (300);
  /* Nothing starts before the answer. */
  g_assert_false (first->done);
  g_assert_false (second->done);
  g_assert_cmpuint (fixture->requests->len, ==, 1);

  g_assert_cmpstr (ssync_upload_request_get_peer (request), ==, "127.0.0.1");
  g_assert_cmpstr (ssync_upload_request_get_user_agent (request), ==, "prompt-test/1");
  g_assert_cmpuint (ssync_upload_request_get_n_files (request), ==, 2);
  g_assert_cmpstr (ssync_upload_request_get_file_name (request, 0), ==, "report.pdf");
  g_assert_cmpstr (ssync_upload_request_get_file_name (request, 1), ==, "photos/beach.jpg");
  g_assert_cmpuint (ssync_upload_request_get_total_size (request), ==, 3000);
  g_assert_true (ssync_upload_request_get_share (request) == fixture->share);
  g_assert_true (ssync_session_lookup_upload_request (
                   fixture->session, ssync_upload_request_get_id (request)) == request);
  summary = ssync_upload_request_dup_summary (request, 1);
  g_assert_cmpstr (summary, ==, "“report.pdf” and 1 more (3.0\u00a0kB)");

  ssync_upload_request_accept (request);
  assert_created (first);
  assert_created (second);

  /* An accepted sender is not asked again while the share lives. */
  later = create (fixture, "notes.txt", 10);
  assert_created (later);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
}

static void
test_decline (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(Creation) first = create (fixture, "virus.exe", 1000);
  g_autoptr(Creation) queued = NULL;
  g_autofree char *part = g_build_filename (fixture->folder, "virus.exe.part", NULL);

  wait_for_request (fixture);
  ssync_upload_request_decline (g_ptr_array_index (fixture->requests, 0));
  assert_declined (first);

  /* The files still queued in the sender's page are refused without a new question. */
  queued = create (fixture, "virus2.exe", 1000);
  assert_declined (queued);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

/* Nobody at the computer: the question is declined after the accept-timeout setting. */
static void
test_no_answer (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(Creation) creation = create (fixture, "late.txt", 10);

  wait_for_request (fixture);
  assert_declined (creation);
  g_assert_cmpint (ssync_upload_request_get_state (g_ptr_array_index (fixture->requests, 0)),
                   ==, SSYNC_UPLOAD_REQUEST_DECLINED);
}

/* Stopping the share refuses what waits for an answer. */
static void
test_share_stopped (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(Creation) creation = create (fixture, "report.pdf", 10);

  wait_for_request (fixture);
  ssync_session_revoke_share (fixture->session, fixture->share);
  assert_declined (creation);
}

static void
test_auto_accept (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(Creation) creation = create (fixture, "report.pdf", 10);

  assert_created (creation);
  g_assert_cmpuint (fixture->requests->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  /* Long enough for the tests that answer, short for the one that does not. */
  g_test_init (&argc, &argv, NULL);

#define ADD(path, ask, func) \
  g_test_add (path, Fixture, ask, fixture_set_up, func, fixture_tear_down)
  ADD ("/receive-prompt/accept", "ask", test_accept);
  ADD ("/receive-prompt/decline", "ask", test_decline);
  ADD ("/receive-prompt/no-answer", "ask", test_no_answer);
  ADD ("/receive-prompt/share-stopped", "ask", test_share_stopped);
  ADD ("/receive-prompt/auto-accept", NULL, test_auto_accept);
#undef ADD

  return g_test_run ();
}
