/* test-session-push.c: the session's push API as the window uses it, in process, against
 * s3rver: a missing bucket is reported and created, a share is pushed with ::progress and
 * ::pushed, and deleting its pushed objects takes them out of the bucket and marks the rows.
 * The pusher follows the session's settings and secrets: a secret key entered again after a
 * rejected push is used by the next push (behind a gate that checks signatures, since
 * s3rver does not), and so is a changed bucket.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-s3-gate.h"
#include "ssync-s3rver.h"
#include "ssync-session.h"
#include "ssync-test-server.h"

static SsyncS3rver s3rver;

#define RIGHT_SECRET "the-right-secret"
#define WRONG_SECRET "an-old-secret"

typedef struct {
  char *dir;
  SsyncSession *session;
  SsyncS3Gate gate;
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

/* The S3 settings as a face fills them, on the session's configuration. */
static void
set_up_s3 (Fixture    *fixture,
           const char *endpoint,
           const char *bucket)
{
  g_object_set (ssync_session_get_config (fixture->session),
                "s3-endpoint", endpoint,
                "s3-bucket", bucket,
                "s3-access-key", SSYNC_S3RVER_KEY,
                NULL);
}

static void
test_session_push (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
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

  set_up_s3 (fixture, s3rver.endpoint, "made-by-the-window");
  ssync_secrets_set_for_run (ssync_session_get_secrets (fixture->session), SSYNC_SECRET_S3,
                             s3rver.endpoint, SSYNC_S3RVER_KEY, SSYNC_S3RVER_KEY);

  ssync_session_add_share_async (fixture->session, &file, 1, NULL, on_done, fixture);
  share = ssync_session_add_share_finish (fixture->session, wait_result (fixture), &error);
  g_assert_no_error (error);

  ssync_session_push_share_async (fixture->session, share, 3600, NULL, on_done, fixture);
  g_assert_false (ssync_session_push_share_finish (fixture->session, wait_result (fixture),
                                                   &error));
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NO_BUCKET);
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

/* A secret stored through the session's secrets, as the preferences do: in the keyring, or
 * for this run where none answers (the error says so; the secret is in force either way). */
static void
store_secret (Fixture    *fixture,
              const char *endpoint,
              const char *secret)
{
  SsyncSecrets *secrets = ssync_session_get_secrets (fixture->session);
  g_autoptr(GError) error = NULL;

  ssync_secrets_store_async (secrets, SSYNC_SECRET_S3, endpoint, SSYNC_S3RVER_KEY, secret, NULL,
                             on_done, fixture);
  if (!ssync_secrets_store_finish (secrets, wait_result (fixture), &error))
    g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NO_KEYRING);
}

static SsyncShare *
add_share (Fixture    *fixture,
           const char *name,
           gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ssync_test_write_random (fixture->dir, name, size);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  SsyncShare *share;

  ssync_session_add_share_async (fixture->session, &file, 1, NULL, on_done, fixture);
  share = ssync_session_add_share_finish (fixture->session, wait_result (fixture), &error);
  g_assert_no_error (error);
  return share;
}

static gboolean
push (Fixture     *fixture,
      SsyncShare  *share,
      GError     **error)
{
  ssync_session_push_share_async (fixture->session, share, 3600, NULL, on_done, fixture);
  return ssync_session_push_share_finish (fixture->session, wait_result (fixture), error);
}

/* The bytes behind the last pre-signed link are those of @path. Fetched without blocking:
 * the gate runs on this thread's main context. */
static void
assert_last_link_serves (Fixture    *fixture,
                         const char *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  const char *url = g_ptr_array_index (fixture->urls, fixture->urls->len - 1);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_done, fixture);
  body = soup_session_send_and_read_finish (session, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), contents, length);
}

/* A push with a wrong secret key is refused; the right one entered again (nothing else
 * changed) is used by the next push. Before SsyncSecrets the pusher kept its first client,
 * made with the wrong key, until another S3 setting changed. @data: TRUE when the wrong key
 * was set for the run (headless's SHARESYNC_S3_SECRET_KEY), FALSE when it was stored. */
static void
test_stale_secret (Fixture       *fixture,
                   gconstpointer  data)
{
  gboolean for_run = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncShare) share = NULL;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;

  fixture->session = ssync_session_new (fixture->dir, &error);
  g_assert_no_error (error);
  g_signal_connect (ssync_session_get_pusher (fixture->session), "pushed",
                    G_CALLBACK (on_pushed), fixture);
  ssync_s3_gate_start (&fixture->gate, s3rver.endpoint, RIGHT_SECRET);
  set_up_s3 (fixture, fixture->gate.endpoint, SSYNC_S3RVER_BUCKET);
  if (for_run)
    ssync_secrets_set_for_run (ssync_session_get_secrets (fixture->session), SSYNC_SECRET_S3,
                               fixture->gate.endpoint, SSYNC_S3RVER_KEY, WRONG_SECRET);
  else
    store_secret (fixture, fixture->gate.endpoint, WRONG_SECRET);
  share = add_share (fixture, "stale/notes.txt", 20000);
  path = g_build_filename (fixture->dir, "stale", "notes.txt", NULL);

  g_assert_false (push (fixture, share, &error));
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_CREDENTIALS_REJECTED);
  g_assert_nonnull (strstr (error->message, "secret key was rejected"));
  g_assert_cmpuint (fixture->gate.refused, >, 0);
  g_assert_cmpuint (fixture->urls->len, ==, 0);
  g_clear_error (&error);

  store_secret (fixture, fixture->gate.endpoint, RIGHT_SECRET);
  g_assert_true (push (fixture, share, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->urls->len, ==, 1);
  key = g_strconcat (ssync_share_get_id (share), "/notes.txt", NULL);
  g_assert_cmpstr (fixture->keys->pdata[0], ==, key);
  assert_last_link_serves (fixture, path);
}

/* A bucket changed on the session's configuration is where the next push goes: first its
 * absence is reported, then, once created, the object is in it. */
static void
test_bucket_followed (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *path = NULL;
  SsyncPusher *pusher;

  fixture->session = ssync_session_new (fixture->dir, &error);
  g_assert_no_error (error);
  pusher = ssync_session_get_pusher (fixture->session);
  g_signal_connect (pusher, "pushed", G_CALLBACK (on_pushed), fixture);
  set_up_s3 (fixture, s3rver.endpoint, SSYNC_S3RVER_BUCKET);
  ssync_secrets_set_for_run (ssync_session_get_secrets (fixture->session), SSYNC_SECRET_S3,
                             s3rver.endpoint, SSYNC_S3RVER_KEY, SSYNC_S3RVER_KEY);
  share = add_share (fixture, "moved/plan.txt", 30000);
  path = g_build_filename (fixture->dir, "moved", "plan.txt", NULL);

  g_assert_true (push (fixture, share, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (fixture->urls->pdata[0], "/" SSYNC_S3RVER_BUCKET "/"));

  g_object_set (ssync_session_get_config (fixture->session), "s3-bucket", "moved-here", NULL);
  g_assert_false (push (fixture, share, &error));
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NO_BUCKET);
  g_assert_nonnull (strstr (error->message, "“moved-here” does not exist"));
  g_clear_error (&error);

  ssync_pusher_create_bucket_async (pusher, NULL, on_done, fixture);
  g_assert_true (ssync_pusher_create_bucket_finish (pusher, wait_result (fixture), &error));
  g_assert_no_error (error);
  g_assert_true (push (fixture, share, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->urls->len, ==, 2);
  g_assert_nonnull (strstr (fixture->urls->pdata[1], "/moved-here/"));
  assert_last_link_serves (fixture, path);

  ssync_history_flush (ssync_session_get_history (fixture->session));
  rows = ssync_history_list_pushes (ssync_session_get_history (fixture->session),
                                    ssync_share_get_id (share), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (((SsyncPushRecord *) rows->pdata[0])->bucket, ==, "moved-here");
  g_assert_cmpstr (((SsyncPushRecord *) rows->pdata[0])->status, ==, "pushed");
}

/* Without an endpoint there is nothing to push to, and the face is told what to fill in. */
static void
test_not_configured (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncShare) share = NULL;

  fixture->session = ssync_session_new (fixture->dir, &error);
  g_assert_no_error (error);
  share = add_share (fixture, "alone.txt", 10);

  g_assert_false (push (fixture, share, &error));
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NOT_CONFIGURED);
  g_assert_nonnull (strstr (error->message, "No S3 storage is set up"));
  g_clear_error (&error);

  /* An endpoint, but no bucket: the setting that is missing is named. */
  set_up_s3 (fixture, s3rver.endpoint, "");
  g_assert_false (push (fixture, share, &error));
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_NOT_CONFIGURED);
  g_assert_nonnull (strstr (error->message, "No S3 bucket is set up"));
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
  ssync_s3_gate_stop (&fixture->gate);
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
  g_test_add ("/session/stale-secret/stored", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_stale_secret, fixture_teardown);
  g_test_add ("/session/stale-secret/for-run", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_stale_secret, fixture_teardown);
  g_test_add ("/session/bucket-followed", Fixture, NULL, fixture_setup, test_bucket_followed,
              fixture_teardown);
  g_test_add ("/session/not-configured", Fixture, NULL, fixture_setup, test_not_configured,
              fixture_teardown);

  ssync_s3rver_start (&s3rver);
  status = g_test_run ();
  ssync_s3rver_stop (&s3rver);
  return status;
}
