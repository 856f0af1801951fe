/* test-discovery-hostile.c: SsyncDiscovery fed datagrams by strangers, in one process.
 *
 * The discovery binds any free port on all addresses, so datagrams sent to 127.0.0.1 reach
 * it as multicast ones would; register requests go to a plain-HTTP SoupServer on loopback
 * that counts them. Multicast itself is tested between namespaces (test-discovery.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "ssync-discovery.h"

typedef struct {
  SsyncDiscovery *discovery;
  GSocket *sender;
  GSocketAddress *target;
  SoupServer *server;
  guint server_port;
  guint registers;
  guint found;
  guint lost;
  guint alias_changes;
} Fixture;

static void
on_register (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  gboolean announce = TRUE;

  /* What we register with is our own message, without "announce". */
  device = ssync_localsend_message_parse (body->data, body->length, &announce, &error);
  g_assert_no_error (error);
  g_assert_false (announce);
  g_assert_cmpstr (ssync_localsend_device_get_fingerprint (device), ==, "ME");
  g_assert_cmpstr (ssync_localsend_device_get_alias (device), ==, "Test Desk");
  fixture->registers++;
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
}

static void
on_found (SsyncDiscovery       *discovery,
          SsyncLocalsendDevice *device,
          Fixture              *fixture)
{
  fixture->found++;
}

static void
on_lost (SsyncDiscovery       *discovery,
         SsyncLocalsendDevice *device,
         Fixture              *fixture)
{
  fixture->lost++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const SsyncLocalsendIdentity me = {
    .alias = "Test Desk", .fingerprint = "ME", .device_type = "headless",
    .port = 53317, .protocol = "https",
  };
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, "/api/localsend/v2/register", on_register,
                           fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->server_port = (guint) g_uri_get_port (uris->data);

  fixture->discovery = ssync_discovery_new (&me);
  ssync_discovery_set_multicast_port (fixture->discovery, 0);
  g_signal_connect (fixture->discovery, "device-found", G_CALLBACK (on_found), fixture);
  g_signal_connect (fixture->discovery, "device-lost", G_CALLBACK (on_lost), fixture);
  g_assert_true (ssync_discovery_start (fixture->discovery, NULL, &error));
  g_assert_no_error (error);

  fixture->sender = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  fixture->target = g_inet_socket_address_new (
    loopback, (guint16) ssync_discovery_get_multicast_port (fixture->discovery));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ssync_discovery_stop (fixture->discovery);
  g_clear_object (&fixture->discovery);
  g_clear_object (&fixture->sender);
  g_clear_object (&fixture->target);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
}

static void
send_bytes (Fixture    *fixture,
            const char *data,
            gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_socket_send_to (fixture->sender, fixture->target, data, length, NULL, &error);
  g_assert_no_error (error);
}

static void
send_text (Fixture    *fixture,
           const char *text)
{
  send_bytes (fixture, text, strlen (text));
}

/* Runs the main loop for @ms milliseconds. */
static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
}

static SsyncLocalsendDevice *
device_at (Fixture *fixture,
           guint    position)
{
  GListModel *devices = ssync_discovery_get_devices (fixture->discovery);
  g_autoptr(SsyncLocalsendDevice) device = g_list_model_get_item (devices, position);

  return device;
}

/* Garbage of every kind is ignored, and a good message after it still counts. */
static void
test_garbage_then_good (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *oversize = g_malloc (SSYNC_LOCALSEND_MAX_DATAGRAM + 100);
  const char *good = "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":53317,\"announce\":false}";
  const char *bad[] = {
    "", "x", "{", "null", "[]", "{\"alias\":1,\"fingerprint\":\"f\"}",
    "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":\"1\"}",
    "{\"alias\":\"a\\u0000\",\"fingerprint\":\"f\"}",
    "{\"alias\":\"\xff\",\"fingerprint\":\"f\"}",
    "{\"alias\":\"me\",\"fingerprint\":\"ME\",\"announce\":true}",
  };
  GListModel *devices = ssync_discovery_get_devices (fixture->discovery);

  /* A valid message padded past the datagram limit is dropped unread. */
  memset (oversize, ' ', SSYNC_LOCALSEND_MAX_DATAGRAM + 100);
  memcpy (oversize, good, strlen (good));
  send_bytes (fixture, oversize, SSYNC_LOCALSEND_MAX_DATAGRAM + 1);
  send_bytes (fixture, "{\"alias\":\"a\",\0\"fingerprint\":\"f\"}", 33);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    send_text (fixture, bad[i]);
  run_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 0);
  g_assert_cmpuint (fixture->found, ==, 0);
  g_assert_cmpuint (fixture->registers, ==, 0);

  /* Exactly at the limit is read. */
  send_bytes (fixture, oversize, SSYNC_LOCALSEND_MAX_DATAGRAM);
  run_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 1);
  g_assert_cmpuint (fixture->found, ==, 1);
  g_assert_cmpstr (ssync_localsend_device_get_address (device_at (fixture, 0)), ==, "127.0.0.1");
  g_assert_cmpint (ssync_localsend_device_get_last_seen (device_at (fixture, 0)), >, 0);
}

/* An announcement repeated 100 times is answered with one register request, to the port and
 * protocol it gave; the device is updated in place, not added again. */
static void
test_announce_flood_one_register (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *text = g_strdup_printf ("{\"alias\":\"Phone\",\"fingerprint\":\"P1\","
                                           "\"port\":%u,\"protocol\":\"http\",\"announce\":true}",
                                           fixture->server_port);

  for (guint i = 0; i < 100; i++)
    send_text (fixture, text);
  run_for (1000);
  g_assert_cmpuint (fixture->registers, ==, 1);
  g_assert_cmpuint (fixture->found, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ssync_discovery_get_devices (fixture->discovery)),
                    ==, 1);
}

static void
on_alias (GObject    *object,
          GParamSpec *pspec,
          Fixture    *fixture)
{
  fixture->alias_changes++;
}

/* Thousands of datagrams at once: the list stays bounded (8 devices per address), few register
 * requests go out, far fewer datagrams are parsed than sent, and the loop keeps running. */
static void
test_datagram_flood (Fixture       *fixture,
                     gconstpointer  data)
{
  GListModel *devices = ssync_discovery_get_devices (fixture->discovery);
  gint64 start = g_get_monotonic_time ();
  double seconds;
  guint sent = 0;

  send_text (fixture, "{\"alias\":\"first\",\"fingerprint\":\"SAME\"}");
  run_for (100);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 1);
  g_signal_connect (device_at (fixture, 0), "notify::alias", G_CALLBACK (on_alias), fixture);

  for (guint round = 0; round < 10; round++)
    {
      for (guint i = 0; i < 500; i++, sent++)
        {
          g_autofree char *text = NULL;

          /* Every other datagram a new fingerprint, announcing to our counting server. */
          if (i % 2 == 0)
            text = g_strdup_printf ("{\"alias\":\"a%u\",\"fingerprint\":\"SAME\"}", sent);
          else
            text = g_strdup_printf ("{\"alias\":\"x\",\"fingerprint\":\"F%u\",\"port\":%u,"
                                    "\"protocol\":\"http\",\"announce\":true}",
                                    sent, fixture->server_port);
          send_text (fixture, text);
        }
      run_for (50);
    }
  run_for (500);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  g_test_message ("%u datagrams in %.2f s: %u parsed as alias changes, %u devices, %u registers",
                  sent, seconds, fixture->alias_changes, g_list_model_get_n_items (devices),
                  fixture->registers);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==,
                    SSYNC_DISCOVERY_MAX_DEVICES_PER_ADDRESS);
  /* 200 at once and 100 per second after; half of those are alias changes. */
  g_assert_cmpfloat (fixture->alias_changes, <=, 200 + 100 * seconds);
  g_assert_cmpuint (fixture->alias_changes, >, 0);
  /* One address may be answered 4 times at once and once per second after. */
  g_assert_cmpfloat (fixture->registers, <=, 4 + seconds + 1);
}

/* A silent device is dropped after the timeout; add_device (a register request) finds it
 * again and then updates it in place. */
static void
test_timeout_and_add (Fixture       *fixture,
                      gconstpointer  data)
{
  GListModel *devices = ssync_discovery_get_devices (fixture->discovery);
  g_autoptr(SsyncLocalsendDevice) posted = NULL;
  g_autoptr(SsyncLocalsendDevice) again = NULL;
  SsyncLocalsendDevice *kept;

  ssync_discovery_set_device_timeout (fixture->discovery, 1);
  send_text (fixture, "{\"alias\":\"a\",\"fingerprint\":\"T\"}");
  run_for (300);
  g_assert_cmpuint (fixture->found, ==, 1);
  run_for (1500);
  g_assert_cmpuint (fixture->lost, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 0);

  posted = ssync_localsend_device_new ("b", "T", "mobile", NULL, 53317, "https", FALSE);
  ssync_localsend_device_set_address (posted, "198.18.0.9");
  kept = ssync_discovery_add_device (fixture->discovery, posted);
  g_assert_true (kept == posted);
  g_assert_cmpuint (fixture->found, ==, 2);

  again = ssync_localsend_device_new ("c", "T", "mobile", NULL, 53317, "https", FALSE);
  ssync_localsend_device_set_address (again, "198.18.0.10");
  kept = ssync_discovery_add_device (fixture->discovery, again);
  g_assert_true (kept == posted);
  g_assert_cmpstr (ssync_localsend_device_get_alias (posted), ==, "c");
  g_assert_cmpstr (ssync_localsend_device_get_address (posted), ==, "198.18.0.10");
  g_assert_cmpuint (fixture->found, ==, 2);

  /* Our own fingerprint never enters the list. */
  {
    g_autoptr(SsyncLocalsendDevice) me = ssync_localsend_device_new ("me", "ME", "desktop", NULL,
                                                                    1, "https", FALSE);

    ssync_localsend_device_set_address (me, "198.18.0.11");
    g_assert_null (ssync_discovery_add_device (fixture->discovery, me));
  }
  g_assert_cmpuint (g_list_model_get_n_items (devices), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/discovery-hostile/garbage-then-good", Fixture, NULL, fixture_set_up,
              test_garbage_then_good, fixture_tear_down);
  g_test_add ("/discovery-hostile/announce-flood-one-register", Fixture, NULL, fixture_set_up,
              test_announce_flood_one_register, fixture_tear_down);
  g_test_add ("/discovery-hostile/datagram-flood", Fixture, NULL, fixture_set_up,
              test_datagram_flood, fixture_tear_down);
  g_test_add ("/discovery-hostile/timeout-and-add", Fixture, NULL, fixture_set_up,
              test_timeout_and_add, fixture_tear_down);

  return g_test_run ();
}
