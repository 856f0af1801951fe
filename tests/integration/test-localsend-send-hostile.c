/* test-localsend-send-hostile.c: uploading a file to a LocalSend receiver that misbehaves once
 * the body travels: it stops reading (the I/O timeout ends the send, and so does a cancel), it
 * answers before the body ended and hangs up, it answers with an endless head, with garbage,
 * or not at all. The receiver is a raw TLS server, one thread per connection, that speaks just
 * enough HTTP (prepare-upload, upload, cancel) to get there.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "ssync-error.h"
#include "ssync-localsend-sender.h"
#include "ssync-test-server.h"
#include "ssync-tls-identity.h"

#define MIB (1024 * 1024)
#define MAX_HEAD (64 * 1024)

typedef enum {
  STALL,          /* reads 1 MiB of the body, then nothing */
  EARLY_ANSWER,   /* answers 200 after 64 KiB of the body and hangs up */
  ENDLESS_HEAD,   /* reads the body, then answers a head that never ends */
  GARBAGE,        /* reads the body, then answers something that is no HTTP */
  HANG_UP,        /* reads the body, then closes without an answer */
  INTERIM,        /* reads the body, answers 100 Continue and then 200: a success */
} Mode;

typedef struct {
  char *dir;
  SsyncTlsIdentity *identity;
  GSocketListener *listener;
  guint16 port;
  GCancellable *stop;
  GThread *acceptor;
  GMutex lock;
  GCond cond;
  GPtrArray *threads;
  Mode mode;
  int cancels;           /* atomic */
  guint64 body_read;     /* atomic-ish: read under @lock */
  gint64 cancelled_at;   /* monotonic time of the test's cancel */
  SsyncLocalsendSender *sender;
  GCancellable *cancellable;
  SsyncTransfer *transfer;
  gboolean done;
  gboolean ok;
  GError *error;
} Fixture;

/* Reads up to the end of a request's head; returns it, or NULL. */
static char *
read_head (GInputStream *input,
           gsize        *length)
{
  g_autofree char *data = g_malloc0 (MAX_HEAD + 1);
  gsize filled = 0;

  while (filled < MAX_HEAD)
    {
      gssize got = g_input_stream_read (input, data + filled, 1, NULL, NULL);
      if (got <= 0)
        return NULL;
      filled += got;
      if (filled >= 4 && memcmp (data + filled - 4, "\r\n\r\n", 4) == 0)
        {
          *length = filled - 2;
          return g_steal_pointer (&data);
        }
    }
  return NULL;
}

static gboolean
skip (Fixture      *fixture,
      GInputStream *input,
      guint64       count)
{
  g_autofree char *buffer = g_malloc (MIB);

  while (count > 0)
    {
      gssize got = g_input_stream_read (input, buffer, MIN (count, MIB), NULL, NULL);
      if (got <= 0)
        return FALSE;
      count -= got;
      g_mutex_lock (&fixture->lock);
      fixture->body_read += got;
      g_mutex_unlock (&fixture->lock);
    }
  return TRUE;
}

static void
say (GOutputStream *output,
     const char    *text)
{
  g_output_stream_write_all (output, text, strlen (text), NULL, NULL, NULL);
}

/* prepare-upload: the first file announced gets a token. */
static void
answer_prepare (GInputStream  *input,
                GOutputStream *output,
                goffset        length)
{
  g_autofree char *body = g_malloc0 (length + 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) ids = NULL;
  g_autofree char *json = NULL;
  g_autofree char *answer = NULL;
  JsonObject *files;
  gsize got = 0;

  g_assert_true (g_input_stream_read_all (input, body, length, &got, NULL, NULL));
  g_assert_true (json_parser_load_from_data (parser, body, got, NULL));
  files = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                         "files");
  ids = json_object_get_members (files);
  json = g_strdup_printf ("{\"sessionId\":\"S1\",\"files\":{\"%s\":\"tok\"}}",
                          (char *) ids->data);
  answer = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                            strlen (json), json);
  say (output, answer);
}

static void
misbehave (Fixture       *fixture,
           GInputStream  *input,
           GOutputStream *output,
           goffset        length)
{
  switch (fixture->mode)
    {
    case STALL:
      skip (fixture, input, MIB);
      g_mutex_lock (&fixture->lock);
      while (!g_cancellable_is_cancelled (fixture->stop))
        g_cond_wait (&fixture->cond, &fixture->lock);
      g_mutex_unlock (&fixture->lock);
      break;
    case EARLY_ANSWER:
      skip (fixture, input, 64 * 1024);
      say (output, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      break;
    case ENDLESS_HEAD:
      skip (fixture, input, length);
      say (output, "HTTP/1.1 200 OK\r\n");
      for (guint i = 0; i < 10000; i++)
        say (output, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
      break;
    case GARBAGE:
      skip (fixture, input, length);
      say (output, "SURELY NOT HTTP\r\n\r\n");
      break;
    case HANG_UP:
      skip (fixture, input, length);
      break;
    case INTERIM:
      skip (fixture, input, length);
      say (output, "HTTP/1.1 100 Continue\r\n\r\n"
                   "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      break;
    }
}

typedef struct {
  Fixture *fixture;
  GSocketConnection *connection;
} Client;

static gpointer
serve (gpointer user_data)
{
  Client *client = user_data;
  Fixture *fixture = client->fixture;
  g_autoptr(GSocketConnection) connection = client->connection;
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr(GIOStream) tls = NULL;
  g_autofree char *head = NULL;
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;
  GInputStream *input;
  GOutputStream *output;
  gsize length = 0;

  g_free (client);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 20);
  tls = g_tls_server_connection_new (G_IO_STREAM (connection),
                                     ssync_tls_identity_get_certificate (fixture->identity),
                                     NULL);
  if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL))
    return NULL;
  input = g_io_stream_get_input_stream (tls);
  output = g_io_stream_get_output_stream (tls);
  head = read_head (input, &length);
  if (head == NULL
      || soup_headers_parse_request (head, (int) length, headers, &method, &path, NULL)
         != SOUP_STATUS_OK)
    return NULL;
  if (g_str_has_prefix (path, "/api/localsend/v2/prepare-upload"))
    answer_prepare (input, output, soup_message_headers_get_content_length (headers));
  else if (g_str_has_prefix (path, "/api/localsend/v2/upload"))
    misbehave (fixture, input, output, soup_message_headers_get_content_length (headers));
  else if (g_str_has_prefix (path, "/api/localsend/v2/cancel"))
    {
      g_atomic_int_inc (&fixture->cancels);
      say (output, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
  g_io_stream_close (tls, NULL, NULL);
  return NULL;
}

static gpointer
accept_loop (gpointer user_data)
{
  Fixture *fixture = user_data;

  for (;;)
    {
      GSocketConnection *connection =
        g_socket_listener_accept (fixture->listener, NULL, fixture->stop, NULL);
      Client *client;

      if (connection == NULL)
        return NULL;
      client = g_new0 (Client, 1);
      client->fixture = fixture;
      client->connection = connection;
      g_mutex_lock (&fixture->lock);
      g_ptr_array_add (fixture->threads, g_thread_new ("hostile-receiver", serve, client));
      g_mutex_unlock (&fixture->lock);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SsyncLocalsendIdentity me = {
    .alias = "Sender", .fingerprint = "SENDER", .device_type = "desktop", .port = 53317,
    .protocol = "https",
  };

  fixture->dir = g_dir_make_tmp ("ssync-localsend-send-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->identity = ssync_tls_identity_load_or_create (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->listener = g_socket_listener_new ();
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_socket_listener_add_address (fixture->listener, address, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
    g_assert_no_error (error);
    fixture->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  fixture->stop = g_cancellable_new ();
  g_mutex_init (&fixture->lock);
  g_cond_init (&fixture->cond);
  fixture->threads = g_ptr_array_new ();
  fixture->acceptor = g_thread_new ("hostile-acceptor", accept_loop, fixture);
  fixture->sender = ssync_localsend_sender_new (&me);
  fixture->cancellable = g_cancellable_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* A cancel request may still be on its way: the sender lives until it is answered. */
  g_object_add_weak_pointer (G_OBJECT (fixture->sender), (gpointer *) &fixture->sender);
  g_object_unref (fixture->sender);
  while (fixture->sender != NULL)
    g_main_context_iteration (NULL, TRUE);

  g_mutex_lock (&fixture->lock);
  g_cancellable_cancel (fixture->stop);
  g_cond_broadcast (&fixture->cond);
  g_mutex_unlock (&fixture->lock);
  g_thread_join (fixture->acceptor);
  for (guint i = 0; i < fixture->threads->len; i++)
    g_thread_join (g_ptr_array_index (fixture->threads, i));
  g_ptr_array_unref (fixture->threads);
  g_socket_listener_close (fixture->listener);
  g_clear_object (&fixture->listener);
  g_clear_object (&fixture->stop);
  g_clear_object (&fixture->identity);
  g_clear_object (&fixture->cancellable);
  g_clear_object (&fixture->transfer);
  g_clear_error (&fixture->error);
  g_mutex_clear (&fixture->lock);
  g_cond_clear (&fixture->cond);
  ssync_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
on_transfer_started (SsyncLocalsendSender *sender,
                     SsyncTransfer        *transfer,
                     Fixture              *fixture)
{
  g_set_object (&fixture->transfer, transfer);
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

/* Sends a sparse file of @size bytes; returns the seconds it took. */
static double
send_file (Fixture *fixture,
           guint64  size)
{
  g_autofree char *path = g_build_filename (fixture->dir, "file.bin", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  gint64 start;

  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (ftruncate (fd, (off_t) size));
  close (fd);
  device = ssync_localsend_device_new ("Hostile",
                                       ssync_tls_identity_get_fingerprint (fixture->identity),
                                       "desktop", NULL, fixture->port, "https", FALSE);
  ssync_localsend_device_set_address (device, "127.0.0.1");
  g_signal_connect (fixture->sender, "transfer-started", G_CALLBACK (on_transfer_started),
                    fixture);
  start = g_get_monotonic_time ();
  ssync_localsend_sender_send_async (fixture->sender, device, &file, 1, NULL,
                                     fixture->cancellable, on_sent, fixture);
  while (!fixture->done)
    g_main_context_iteration (NULL, TRUE);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
assert_failed (Fixture *fixture,
               GQuark   domain,
               int      code)
{
  g_assert_false (fixture->ok);
  g_assert_error (fixture->error, domain, code);
  g_assert_nonnull (fixture->transfer);
  g_assert_cmpint (ssync_transfer_get_status (fixture->transfer), !=,
                   SSYNC_TRANSFER_STATUS_COMPLETE);
}

/* The receiver stops reading mid-body: the I/O timeout ends the send, and the device is told. */
static void
test_stall (Fixture       *fixture,
            gconstpointer  data)
{
  double seconds;

  fixture->mode = STALL;
  ssync_localsend_sender_set_io_timeout (fixture->sender, 1);
  seconds = send_file (fixture, 256 * MIB);
  assert_failed (fixture, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
  g_assert_cmpint (ssync_transfer_get_status (fixture->transfer), ==,
                   SSYNC_TRANSFER_STATUS_FAILED);
  g_assert_cmpfloat (seconds, <, 10);
  while (g_atomic_int_get (&fixture->cancels) == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Cancels once the receiver has read what it reads before it stalls: the worker is then
 * blocked writing (a fixed delay could cancel before the upload began on a slow build). */
static gboolean
cancel_when_stalled (gpointer user_data)
{
  Fixture *fixture = user_data;
  guint64 read;

  g_mutex_lock (&fixture->lock);
  read = fixture->body_read;
  g_mutex_unlock (&fixture->lock);
  if (read < MIB)
    return G_SOURCE_CONTINUE;
  fixture->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (fixture->cancellable);
  return G_SOURCE_REMOVE;
}

/* Cancelled while the worker is blocked writing to a receiver that stopped reading: the send
 * ends at once, cancelled, and the device is told. */
static void
test_cancel_stalled (Fixture       *fixture,
                     gconstpointer  data)
{
  double seconds;

  fixture->mode = STALL;
  g_timeout_add (20, cancel_when_stalled, fixture);
  send_file (fixture, 256 * MIB);
  seconds = (g_get_monotonic_time () - fixture->cancelled_at) / 1e6;
  assert_failed (fixture, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (ssync_transfer_get_status (fixture->transfer), ==,
                   SSYNC_TRANSFER_STATUS_CANCELLED);
  /* Ended soon after the cancel, not after the 30 s I/O timeout. */
  g_assert_cmpfloat (seconds, <, 5);
  while (g_atomic_int_get (&fixture->cancels) == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* "200" before the body ended, then a hang-up: the rest cannot leave, and that is a failure,
 * whatever the receiver said. */
static void
test_early_answer (Fixture       *fixture,
                   gconstpointer  data)
{
  fixture->mode = EARLY_ANSWER;
  send_file (fixture, 256 * MIB);
  assert_failed (fixture, SSYNC_ERROR, SSYNC_ERROR_UNREACHABLE);
}

static void
test_bad_answers (Fixture       *fixture,
                  gconstpointer  data)
{
  Mode mode = GPOINTER_TO_INT (data);

  fixture->mode = mode;
  send_file (fixture, 3 * MIB + 17);
  assert_failed (fixture, SSYNC_ERROR,
                 mode == HANG_UP ? SSYNC_ERROR_UNREACHABLE : SSYNC_ERROR_FAILED);
  g_mutex_lock (&fixture->lock);
  g_assert_cmpuint (fixture->body_read, ==, 3 * MIB + 17);
  g_mutex_unlock (&fixture->lock);
}

/* An interim answer before the real one is skipped, as HTTP says. */
static void
test_interim (Fixture       *fixture,
              gconstpointer  data)
{
  fixture->mode = INTERIM;
  send_file (fixture, 3 * MIB + 17);
  g_assert_no_error (fixture->error);
  g_assert_true (fixture->ok);
  g_assert_cmpint (ssync_transfer_get_status (fixture->transfer), ==,
                   SSYNC_TRANSFER_STATUS_COMPLETE);
  g_assert_cmpuint (ssync_transfer_get_bytes (fixture->transfer), ==, 3 * MIB + 17);
}

#define ADD(name, func, data) \
  g_test_add (name, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/localsend-send-hostile/stall", test_stall, NULL);
  ADD ("/localsend-send-hostile/cancel-stalled", test_cancel_stalled, NULL);
  ADD ("/localsend-send-hostile/early-answer", test_early_answer, NULL);
  ADD ("/localsend-send-hostile/endless-head", test_bad_answers, GINT_TO_POINTER (ENDLESS_HEAD));
  ADD ("/localsend-send-hostile/garbage", test_bad_answers, GINT_TO_POINTER (GARBAGE));
  ADD ("/localsend-send-hostile/hang-up", test_bad_answers, GINT_TO_POINTER (HANG_UP));
  ADD ("/localsend-send-hostile/interim", test_interim, NULL);

  return g_test_run ();
}
