/* test-localsend-trust.c: trusted and blocked nearby devices, with real sessions on loopback
 * and real TLS. One session receives; another (with its own certificate) sends to it as a
 * trusted device would; a bare LocalSend sender plays a stranger who claims a trusted
 * fingerprint.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ssync-error.h"
#include "ssync-localsend-sender.h"
#include "ssync-session.h"
#include "ssync-test-server.h"

#define STRANGER "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

typedef struct {
  char *dir;
  char *folder;
  SsyncSession *receiver;
  SsyncSession *sender;
  GPtrArray *requests;
  guint blocked;
  guint trust_changes;
} Fixture;

static void
on_upload_request (SsyncSession *session, SsyncUploadRequest *request, Fixture *fixture)
{
  g_ptr_array_add (fixture->requests, g_object_ref (request));
}

static void
on_blocked (SsyncSession *session, SsyncLocalsendDevice *device, Fixture *fixture)
{
  fixture->blocked++;
}

static void
on_trust_changed (SsyncSession *session, const char *fingerprint, Fixture *fixture)
{
  fixture->trust_changes++;
}

static void
on_nearby_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *started = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ssync_session_start_nearby_finish (SSYNC_SESSION (source), result, &error));
  g_assert_no_error (error);
  *started = TRUE;
}

/* A session in @fixture's folder @name, with Nearby on a free port. */
static SsyncSession *
start_session (Fixture *fixture, const char *name)
{
  g_autofree char *data_dir = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  SsyncSession *session;
  gboolean started = FALSE;

  session = ssync_session_new (data_dir, &error);
  g_assert_no_error (error);
  ssync_session_start (session, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_true (ssync_config_set_from_string (ssync_session_get_config (session),
                                               "localsend-port", "0", &error));
  ssync_session_start_nearby_async (session, "headless", NULL, on_nearby_started, &started);
  while (!started)
    g_main_context_iteration (NULL, TRUE);
  return session;
}

static void
start_receiver (Fixture *fixture)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->folder);

  fixture->receiver = start_session (fixture, "receiver");
  g_signal_connect (fixture->receiver, "upload-request", G_CALLBACK (on_upload_request),
                    fixture);
  g_signal_connect (fixture->receiver, "nearby-device-blocked", G_CALLBACK (on_blocked),
                    fixture);
  g_signal_connect (fixture->receiver, "device-trust-changed", G_CALLBACK (on_trust_changed),
                    fixture);
  ssync_session_set_nearby_receive_folder (fixture->receiver, folder, FALSE);
}

static void
stop_session (SsyncSession **session)
{
  ssync_session_shutdown (*session);
  g_assert_finalize_object (g_steal_pointer (session));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox = NULL;
  g_autofree char *file = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-trust-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->folder = g_build_filename (fixture->dir, "inbox", NULL);
  g_assert_no_errno (g_mkdir (fixture->folder, 0700));
  outbox = g_build_filename (fixture->dir, "outbox", NULL);
  g_assert_no_errno (g_mkdir (outbox, 0700));
  file = g_build_filename (outbox, "a.txt", NULL);
  g_assert_true (g_file_set_contents (file, "hello", -1, NULL));

  fixture->requests = g_ptr_array_new_with_free_func (g_object_unref);
  start_receiver (fixture);
  fixture->sender = start_session (fixture, "sender");
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->requests, g_ptr_array_unref);
  stop_session (&fixture->sender);
  stop_session (&fixture->receiver);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->folder);
  g_free (fixture->dir);
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
} Sent;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Sent *sent = user_data;

  sent->ok = ssync_session_send_to_finish (SSYNC_SESSION (source), result, &sent->error);
  sent->done = TRUE;
}

static void
on_forged_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Sent *sent = user_data;

  sent->ok = ssync_localsend_sender_send_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                 &sent->error);
  sent->done = TRUE;
}

/* The sender session sends outbox/a.txt to the receiver, by address. */
static void
send_start (Fixture *fixture, Sent *sent)
{
  g_autofree char *path = g_build_filename (fixture->dir, "outbox", "a.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *target = g_strdup_printf ("127.0.0.1:%u",
                                             ssync_session_get_nearby_port (fixture->receiver));

  ssync_session_send_to_async (fixture->sender, target, &file, 1, NULL, NULL, on_sent, sent);
}

static void
send_wait (Sent *sent)
{
  while (!sent->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_received (Fixture *fixture, const char *name)
{
  g_autofree char *path = g_build_filename (fixture->folder, name, NULL);
  g_autofree char *saved = NULL;

  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_cmpstr (saved, ==, "hello");
}

static const char *
sender_fingerprint (Fixture *fixture)
{
  return ssync_session_get_nearby_fingerprint (fixture->sender);
}

/* A stranger's sender that claims @fingerprint and a server at @port over @protocol, sending
 * outbox/a.txt to the receiver (whose real certificate it checks, as any sender does). */
static SsyncLocalsendSender *
forge_start (Fixture *fixture, const char *fingerprint, guint port, const char *protocol,
             Sent *sent)
{
  SsyncLocalsendIdentity me = { "Mallory", fingerprint, "mobile", NULL, port, protocol };
  SsyncLocalsendSender *sender = ssync_localsend_sender_new (&me);
  g_autoptr(SsyncLocalsendDevice) receiver = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "outbox", "a.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  receiver = ssync_localsend_device_new ("Receiver",
                                         ssync_session_get_nearby_fingerprint (fixture->receiver),
                                         "headless", NULL,
                                         ssync_session_get_nearby_port (fixture->receiver),
                                         "https", FALSE);
  ssync_localsend_device_set_address (receiver, "127.0.0.1");
  ssync_localsend_sender_send_async (sender, receiver, &file, 1, NULL, NULL, on_forged_sent,
                                     sent);
  return sender;
}

static SsyncUploadRequest *
wait_request (Fixture *fixture, guint n)
{
  while (fixture->requests->len < n)
    g_main_context_iteration (NULL, TRUE);
  return fixture->requests->pdata[n - 1];
}

/* A trusted device that proves its key (the sender session, its own certificate) is accepted
 * with no question asked. */
static void
test_trusted_verified (Fixture *fixture, gconstpointer data)
{
  Sent sent = { 0 };

  ssync_session_set_device_trust (fixture->receiver, sender_fingerprint (fixture), "Sender",
                                  "headless", SSYNC_DEVICE_TRUST_TRUSTED);
  send_start (fixture, &sent);
  send_wait (&sent);
  g_assert_no_error (sent.error);
  g_assert_true (sent.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 0);
  assert_received (fixture, "a.txt");
}

/* A stranger claims the trusted fingerprint, but the server it names shows another
 * certificate (the receiver's own), answers nothing, or is plain HTTP: it is asked about like
 * a stranger, marked unverified, and nothing arrives unless the user says so. */
static void
test_spoofed (Fixture *fixture, gconstpointer data)
{
  const char *trusted = sender_fingerprint (fixture);
  struct {
    guint port;
    const char *protocol;
  } claims[] = {
    { ssync_session_get_nearby_port (fixture->receiver), "https" },
    { 1, "https" },
    { ssync_session_get_nearby_port (fixture->sender), "http" },
  };
  g_autofree char *lower = g_ascii_strdown (trusted, -1);

  ssync_session_set_device_trust (fixture->receiver, lower, NULL, NULL,
                                  SSYNC_DEVICE_TRUST_TRUSTED);
  g_assert_cmpint (ssync_session_get_device_trust (fixture->receiver, trusted), ==,
                   SSYNC_DEVICE_TRUST_TRUSTED);
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    {
      Sent sent = { 0 };
      g_autoptr(SsyncLocalsendSender) forger = forge_start (fixture, trusted, claims[i].port,
                                                            claims[i].protocol, &sent);
      SsyncUploadRequest *request = wait_request (fixture, i + 1);
      g_autofree char *path = g_build_filename (fixture->folder, "a.txt", NULL);

      g_assert_cmpstr (ssync_upload_request_get_fingerprint (request), ==, trusted);
      g_assert_cmpint (ssync_upload_request_get_device_trust (request), ==,
                       SSYNC_DEVICE_TRUST_TRUSTED);
      g_assert_false (ssync_upload_request_get_verified (request));
      ssync_upload_request_decline (request);
      send_wait (&sent);
      g_assert_error (sent.error, SSYNC_ERROR, SSYNC_ERROR_DECLINED);  /* 403 */
      g_clear_error (&sent.error);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  /* A plain decline keeps the decision about the real device. */
  g_assert_cmpint (ssync_session_get_device_trust (fixture->receiver, trusted), ==,
                   SSYNC_DEVICE_TRUST_TRUSTED);
}

/* A blocked device is refused (403) without a question. */
static void
test_blocked (Fixture *fixture, gconstpointer data)
{
  Sent sent = { 0 };

  Sent forged = { 0 };
  g_autoptr(SsyncLocalsendSender) forger = NULL;

  ssync_session_set_device_trust (fixture->receiver, STRANGER, "Mallory", "mobile",
                                  SSYNC_DEVICE_TRUST_BLOCKED);
  forger = forge_start (fixture, STRANGER, 1, "https", &forged);
  send_wait (&forged);
  g_assert_error (forged.error, SSYNC_ERROR, SSYNC_ERROR_DECLINED);  /* 403 */
  g_clear_error (&forged.error);
  g_assert_cmpuint (fixture->blocked, ==, 1);

  ssync_session_set_device_trust (fixture->receiver, sender_fingerprint (fixture), NULL, NULL,
                                  SSYNC_DEVICE_TRUST_BLOCKED);
  send_start (fixture, &sent);
  send_wait (&sent);
  g_assert_error (sent.error, SSYNC_ERROR, SSYNC_ERROR_DECLINED);
  g_clear_error (&sent.error);
  g_assert_cmpuint (fixture->blocked, ==, 2);
  g_assert_cmpuint (fixture->requests->len, ==, 0);
}

/* First contact is asked about as a new device and recorded as seen; "Always Accept" stores
 * TRUSTED, which a new session on the same history still knows: it is not asked again. */
static void
test_accept_always (Fixture *fixture, gconstpointer data)
{
  const char *fingerprint = sender_fingerprint (fixture);
  SsyncUploadRequest *request;
  Sent sent = { 0 };
  Sent again = { 0 };

  send_start (fixture, &sent);
  request = wait_request (fixture, 1);
  g_assert_cmpstr (ssync_upload_request_get_fingerprint (request), ==, fingerprint);
  g_assert_cmpint (ssync_upload_request_get_device_trust (request), ==,
                   SSYNC_DEVICE_TRUST_UNKNOWN);
  g_assert_cmpint (ssync_session_get_device_trust (fixture->receiver, fingerprint), ==,
                   SSYNC_DEVICE_TRUST_SEEN);
  ssync_upload_request_accept_always (request);
  g_assert_cmpint (ssync_upload_request_get_remember (request), ==, SSYNC_DEVICE_TRUST_TRUSTED);
  send_wait (&sent);
  g_assert_true (sent.ok);
  assert_received (fixture, "a.txt");
  g_assert_cmpint (ssync_session_get_device_trust (fixture->receiver, fingerprint), ==,
                   SSYNC_DEVICE_TRUST_TRUSTED);

  /* The store survives a restart: the history is read again from disk. */
  stop_session (&fixture->receiver);
  fixture->trust_changes = 0;
  start_receiver (fixture);
  send_start (fixture, &again);
  send_wait (&again);
  g_assert_no_error (again.error);
  g_assert_true (again.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  assert_received (fixture, "a (1).txt");
  g_assert_cmpint (ssync_session_get_device_trust (fixture->receiver, fingerprint), ==,
                   SSYNC_DEVICE_TRUST_TRUSTED);
  g_assert_cmpuint (fixture->trust_changes, >, 0);
}

/* What a prompt shows of a fingerprint, and what the command line takes as one. */
static void
test_fingerprint_text (void)
{
  g_autofree char *shown = ssync_device_short_fingerprint ("1a2b3c4d5e6f7a8b9c0d");
  g_autofree char *short_one = ssync_device_short_fingerprint ("ab-c");
  g_autofree char *valid = g_strnfill (64, 'a');
  g_autofree char *long_one = g_strnfill (65, 'A');

  g_assert_cmpstr (shown, ==, "1A2B 3C4D 5E6F 7A8B");
  g_assert_cmpstr (short_one, ==, "ABC");
  g_assert_true (ssync_device_fingerprint_is_valid (valid));
  valid[10] = 'g';
  g_assert_false (ssync_device_fingerprint_is_valid (valid));
  g_assert_false (ssync_device_fingerprint_is_valid (long_one));
  g_assert_false (ssync_device_fingerprint_is_valid (""));
  g_assert_false (ssync_device_fingerprint_is_valid (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/localsend-trust/fingerprint-text", test_fingerprint_text);
  g_test_add ("/localsend-trust/trusted-verified", Fixture, NULL, fixture_set_up,
              test_trusted_verified, fixture_tear_down);
  g_test_add ("/localsend-trust/spoofed", Fixture, NULL, fixture_set_up, test_spoofed,
              fixture_tear_down);
  g_test_add ("/localsend-trust/blocked", Fixture, NULL, fixture_set_up, test_blocked,
              fixture_tear_down);
  g_test_add ("/localsend-trust/accept-always", Fixture, NULL, fixture_set_up,
              test_accept_always, fixture_tear_down);

  return g_test_run ();
}
