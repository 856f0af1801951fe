/* test-session-push.c: the session's push API as the window uses it, in process, against
 * s3rver: a missing bucket is reported and created, a share is pushed with ::progress and
 * ::pushed, and deleting its pushed objects takes them out of the bucket and marks the rows.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ssync-s3rver.h"
#include "ssync-session.h"
#include "ssync-test-server.h"

static SsyncS3rver s3rver;

typedef struct {
  char *dir;
  SsyncSession *session;
  GAsyncResult *result;
  GPtrArray *urls;
  GPtrArray *keys;
  guint64 progress;
} Fixture;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *fixture)
{
  g_clear_object (&fixture->result);
  while (fixture->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return fixture->result;
}

static void
on_progress (SsyncPusher *pusher,
             SsyncShare  *share,
             const char  *file,
             guint64      bytes,
             guint64      total,
             Fixture     *fixture)
{
  fixture->progress = bytes;
}

static void
on_pushed (SsyncPusher *pusher,
           SsyncShare  *share,
           const char  *file,
           const char  *key,
           const char  *url,
           gint64       expires,
           Fixture     *fixture)
{
  g_ptr_array_add (fixture->keys, g_strdup (key));
  g_ptr_array_add (fixture->urls, g_strdup (url));
}

static guint
get_status (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

  return soup_message_get_status (msg);
}

static void
test_session_push (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncS3Config) config = ssync_s3_config_new ();
  g_autofree char *path = ssync_test_write_random (fixture->dir, "files/Report 2026.pdf", 50000);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *plain = NULL;
  SsyncPusher *pusher;

  fixture->session = ssync_session_new (fixture->dir, &error);
  g_assert_no_error (error);
  pusher = ssync_session_get_pusher (fixture->session);
  g_signal_connect (pusher, "progress", G_CALLBACK (on_progress), fixture);
  g_signal_connect (pusher, "pushed", G_CALLBACK (on_pushed), fixture);

  config->endpoint = g_strdup (s3rver.endpoint);
  config->bucket = g_strdup ("made-by-the-window");
  config->access_key = g_strdup (SSYNC_S3RVER_KEY);
  config->secret_key = g_strdup (SSYNC_S3RVER_KEY);
  ssync_pusher_set_config (pusher, config);

  ssync_session_add_share_async (fixture->session, &file, 1, NULL, on_done, fixture);
  share = ssync_session_add_share_finish (fixture->session, wait_result (fixture), &error);
  g_assert_no_error (error);

  ssync_session_push_share_async (fixture->session, share, 3600, NULL, on_done, fixture);
  g_assert_false (ssync_session_push_share_finish (fixture->session, wait_result (fixture),
                                                   &error));
  g_assert_error (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NO_SUCH_BUCKET);
  g_clear_error (&error);

  ssync_pusher_create_bucket_async (pusher, NULL, on_done, fixture);
  g_assert_true (ssync_pusher_create_bucket_finish (pusher, wait_result (fixture), &error));
  g_assert_no_error (error);

  ssync_session_push_share_async (fixture->session, share, 3600, NULL, on_done, fixture);
  g_assert_true (ssync_session_push_share_finish (fixture->session, wait_result (fixture),
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->progress, ==, 50000);
  g_assert_cmpuint (fixture->urls->len, ==, 1);
  g_assert_cmpstr (fixture->keys->pdata[0], ==,
                   g_strconcat (ssync_share_get_id (share), "/Report 2026.pdf", NULL));
  g_assert_cmpuint (get_status (fixture->urls->pdata[0]), ==, 200);

  ssync_session_delete_pushed_async (fixture->session, share, NULL, on_done, fixture);
  g_assert_true (ssync_session_delete_pushed_finish (fixture->session, wait_result (fixture),
                                                     &error));
  g_assert_no_error (error);
  g_assert_cmpuint (get_status (fixture->urls->pdata[0]), ==, 404);

  ssync_history_flush (ssync_session_get_history (fixture->session));
  rows = ssync_history_list_pushes (ssync_session_get_history (fixture->session),
                                    ssync_share_get_id (share), 0, &error);
  g_assert_no_error (error);
  /* The first try (no bucket) failed; the second was pushed, then deleted. */
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (((SsyncPushRecord *) rows->pdata[0])->status, ==, "deleted");
  g_assert_cmpstr (((SsyncPushRecord *) rows->pdata[1])->status, ==, "failed");
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-session-push-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->urls = g_ptr_array_new_with_free_func (g_free);
  fixture->keys = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  if (fixture->session != NULL)
    ssync_session_shutdown (fixture->session);
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->result);
  g_ptr_array_unref (fixture->urls);
  g_ptr_array_unref (fixture->keys);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add ("/session/push", Fixture, NULL, fixture_setup, test_session_push,
              fixture_teardown);

  ssync_s3rver_start (&s3rver);
  status = g_test_run ();
  ssync_s3rver_stop (&s3rver);
  return status;
}
