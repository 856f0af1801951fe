/* test-localsend-send-receiver.c: ShareSync sending to ShareSync: SsyncLocalsendSender into a
 * real SsyncLocalsendServer with its receiver (writing to a folder), in one process, on
 * loopback.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ssync-error.h"
#include "ssync-localsend-receiver.h"
#include "ssync-localsend-sender.h"
#include "ssync-localsend-server.h"
#include "ssync-test-server.h"
#include "ssync-tls-identity.h"

typedef struct {
  char *dir;
  char *inbox;
  SsyncTlsIdentity *identity;
  SsyncLocalsendServer *server;
  SsyncLocalsendSender *sender;
  gboolean accept;
  gboolean hold;                 /* keep the question unanswered (in @held) */
  SsyncLocalsendAnswer held;
  gpointer held_data;
  guint asked;
  guint started;
  gboolean done;
  gboolean ok;
  GError *error;
} Fixture;

static void
ask (SsyncLocalsendDevice      *device,
     const SsyncLocalsendOffer *files,
     guint                      n_files,
     guint64                    total,
     SsyncLocalsendAnswer       answer,
     gpointer                   answer_data,
     gpointer                   user_data)
{
  Fixture *fixture = user_data;

  /* The receiver is told who sends: our identity, at the address it came from. */
  g_assert_cmpstr (ssync_localsend_device_get_alias (device), ==, "Sender");
  g_assert_cmpstr (ssync_localsend_device_get_address (device), ==, "127.0.0.1");
  fixture->asked++;
  if (fixture->hold)
    {
      fixture->held = answer;
      fixture->held_data = answer_data;
      return;
    }
  answer (fixture->accept, answer_data);
}

static void
on_transfer_started (SsyncLocalsendSender *sender,
                     SsyncTransfer        *transfer,
                     Fixture              *fixture)
{
  fixture->started++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) inbox = NULL;
  SsyncLocalsendReceiver *receiver;
  SsyncLocalsendIdentity me = {
    .alias = "Sender", .fingerprint = "SENDER", .device_type = "desktop", .port = 53317,
    .protocol = "https",
  };
  SsyncLocalsendIdentity them = {
    .alias = "Receiver", .device_type = "desktop", .protocol = "https",
  };

  fixture->dir = g_dir_make_tmp ("ssync-localsend-send-receiver-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->inbox = g_build_filename (fixture->dir, "inbox", NULL);
  g_assert_no_errno (g_mkdir (fixture->inbox, 0700));
  fixture->identity = ssync_tls_identity_load_or_create (fixture->dir, &error);
  g_assert_no_error (error);
  them.fingerprint = ssync_tls_identity_get_fingerprint (fixture->identity);
  fixture->server = ssync_localsend_server_new (
    ssync_tls_identity_get_certificate (fixture->identity), &them);
  g_assert_true (ssync_localsend_server_listen (fixture->server, 0, &error));
  g_assert_no_error (error);
  receiver = ssync_localsend_server_get_receiver (fixture->server);
  inbox = g_file_new_for_path (fixture->inbox);
  ssync_localsend_receiver_set_folder (receiver, inbox);
  ssync_localsend_receiver_set_ask (receiver, ask, fixture, NULL);
  fixture->accept = TRUE;

  fixture->sender = ssync_localsend_sender_new (&me);
  g_signal_connect (fixture->sender, "transfer-started", G_CALLBACK (on_transfer_started),
                    fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_error (&fixture->error);
  g_object_add_weak_pointer (G_OBJECT (fixture->sender), (gpointer *) &fixture->sender);
  g_object_unref (fixture->sender);
  while (fixture->sender != NULL)
    g_main_context_iteration (NULL, TRUE);
  ssync_localsend_server_stop (fixture->server);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->identity);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->inbox);
  g_free (fixture->dir);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->ok = ssync_localsend_sender_send_finish (SSYNC_LOCALSEND_SENDER (source), result,
                                                    &fixture->error);
  fixture->done = TRUE;
}

static SsyncLocalsendDevice *
make_device (Fixture    *fixture,
             const char *fingerprint)
{
  SsyncLocalsendDevice *device = ssync_localsend_device_new (
    "Receiver", fingerprint != NULL ? fingerprint
                                    : ssync_tls_identity_get_fingerprint (fixture->identity),
    "desktop", NULL, ssync_localsend_server_get_port (fixture->server), "https", FALSE);

  ssync_localsend_device_set_address (device, "127.0.0.1");
  return device;
}

static void
send_and_wait (Fixture    *fixture,
               const char *fingerprint,
               GFile     **files,
               guint       n_files,
               const char *pin)
{
  g_autoptr(SsyncLocalsendDevice) device = make_device (fixture, fingerprint);

  fixture->done = FALSE;
  g_clear_error (&fixture->error);
  ssync_localsend_sender_send_async (fixture->sender, device, files, n_files, pin, NULL,
                                     on_sent, fixture);
  while (!fixture->done)
    g_main_context_iteration (NULL, TRUE);
}

static GFile *
make_file (Fixture    *fixture,
           const char *name,
           const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
assert_received (Fixture    *fixture,
                 const char *name,
                 const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->inbox, name, NULL);
  g_autofree char *got = NULL;

  g_assert_true (g_file_get_contents (path, &got, NULL, NULL));
  g_assert_cmpstr (got, ==, contents);
}

static void
test_accepted (Fixture       *fixture,
               gconstpointer  data)
{
  GFile *files[2] = {
    make_file (fixture, "notes.txt", "some notes"),
    make_file (fixture, "Ünïcødé ✓.txt", "unicode"),
  };

  send_and_wait (fixture, NULL, files, 2, NULL);
  g_assert_no_error (fixture->error);
  g_assert_true (fixture->ok);
  g_assert_cmpuint (fixture->asked, ==, 1);
  g_assert_cmpuint (fixture->started, ==, 2);
  assert_received (fixture, "notes.txt", "some notes");
  assert_received (fixture, "Ünïcødé ✓.txt", "unicode");
  g_object_unref (files[0]);
  g_object_unref (files[1]);
}

static void
test_declined_and_pin (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GFile) file = make_file (fixture, "notes.txt", "some notes");

  fixture->accept = FALSE;
  send_and_wait (fixture, NULL, &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_DECLINED);

  fixture->accept = TRUE;
  ssync_localsend_receiver_set_pin (ssync_localsend_server_get_receiver (fixture->server),
                                    "4711");
  send_and_wait (fixture, NULL, &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED);
  send_and_wait (fixture, NULL, &file, 1, "0000");
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_PIN_REQUIRED);
  send_and_wait (fixture, NULL, &file, 1, "4711");
  g_assert_no_error (fixture->error);
  assert_received (fixture, "notes.txt", "some notes");
  g_assert_cmpuint (fixture->started, ==, 1);
}

/* Another certificate than the device announced: nothing is asked, nothing arrives. */
static void
test_wrong_certificate (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GFile) file = make_file (fixture, "notes.txt", "some notes");
  g_autoptr(GDir) inbox = NULL;

  send_and_wait (fixture, "AA00", &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
  g_assert_cmpuint (fixture->asked, ==, 0);
  inbox = g_dir_open (fixture->inbox, 0, NULL);
  g_assert_null (g_dir_read_name (inbox));
}

static void
on_first_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *sent = user_data;
  g_autoptr(GError) error = NULL;

  *sent = ssync_localsend_sender_send_finish (SSYNC_LOCALSEND_SENDER (source), result, &error);
  g_assert_no_error (error);
}

/* While the receiver's user thinks about one send, another is told it is busy. */
static void
test_busy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GFile) file = make_file (fixture, "notes.txt", "some notes");
  g_autoptr(SsyncLocalsendDevice) device = make_device (fixture, NULL);
  gboolean first = FALSE;

  fixture->hold = TRUE;
  ssync_localsend_sender_send_async (fixture->sender, device, &file, 1, NULL, NULL,
                                     on_first_sent, &first);
  while (fixture->held == NULL)
    g_main_context_iteration (NULL, TRUE);
  send_and_wait (fixture, NULL, &file, 1, NULL);
  g_assert_error (fixture->error, SSYNC_ERROR, SSYNC_ERROR_BUSY);

  fixture->held (TRUE, fixture->held_data);
  while (!first)
    g_main_context_iteration (NULL, TRUE);
  assert_received (fixture, "notes.txt", "some notes");
}

/* A folder goes as its files named "folder/sub/name"; a link inside it is not followed. */
static void
test_folder (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *album = g_build_filename (fixture->dir, "album", NULL);
  g_autofree char *inner = g_build_filename (album, "inner", NULL);
  g_autofree char *link = g_build_filename (album, "passwd", NULL);
  g_autofree char *linked = g_build_filename (fixture->inbox, "album", "passwd", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (album);
  g_autoptr(GFile) a = NULL;
  g_autoptr(GFile) b = NULL;

  g_assert_no_errno (g_mkdir_with_parents (inner, 0700));
  a = make_file (fixture, "album/a.txt", "a");
  b = make_file (fixture, "album/inner/b.txt", "b");
  g_assert_no_errno (symlink ("/etc/passwd", link));

  send_and_wait (fixture, NULL, &folder, 1, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpuint (fixture->started, ==, 2);
  assert_received (fixture, "album/a.txt", "a");
  assert_received (fixture, "album/inner/b.txt", "b");
  g_assert_false (g_file_test (linked, G_FILE_TEST_EXISTS));
}

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/localsend-send-receiver/accepted", test_accepted);
  ADD ("/localsend-send-receiver/declined-and-pin", test_declined_and_pin);
  ADD ("/localsend-send-receiver/wrong-certificate", test_wrong_certificate);
  ADD ("/localsend-send-receiver/busy", test_busy);
  ADD ("/localsend-send-receiver/folder", test_folder);

  return g_test_run ();
}
