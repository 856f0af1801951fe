/* discovery-peer.c: one SsyncDiscovery for the namespace test (test-discovery.sh).
 *
 * discovery-peer --alias A --fingerprint F --address IP [--seconds N] [--device-timeout N]
 * announces from IP, prints one JSON line per device-found and device-lost event on stdout
 * and exits 0 after N seconds (5 by default); 1 when discovery cannot start.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>

#include "ssync-discovery.h"

static gboolean
quit (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
print_event (SsyncLocalsendDevice *device,
             const char           *event)
{
  g_autofree char *json = ssync_localsend_message_describe (device);

  /* Not g_print(), which would turn the UTF-8 into the locale's charset. */
  printf ("{\"event\":\"%s\",\"device\":%s}\n", event, json);
  fflush (stdout);
}

static void
on_found (SsyncDiscovery       *discovery,
          SsyncLocalsendDevice *device,
          gpointer              user_data)
{
  print_event (device, "device-found");
}

static void
on_lost (SsyncDiscovery       *discovery,
         SsyncLocalsendDevice *device,
         gpointer              user_data)
{
  print_event (device, "device-lost");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *alias = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *address = NULL;
  int seconds = 5;
  int device_timeout = SSYNC_DISCOVERY_DEFAULT_DEVICE_TIMEOUT;
  const GOptionEntry entries[] = {
    /* Bytes, not text in the locale's encoding: the test's alias is UTF-8 whatever the
     * locale, and the discovery checks it anyway. */
    { "alias", 0, 0, G_OPTION_ARG_FILENAME, &alias, "Alias to announce", "ALIAS" },
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &fingerprint, "Fingerprint", "FINGERPRINT" },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, "LAN address", "IP" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Seconds to run", "N" },
    { "device-timeout", 0, 0, G_OPTION_ARG_INT, &device_timeout, "Device timeout", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncDiscovery) discovery = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  char *addresses[] = { NULL, NULL };
  SsyncLocalsendIdentity me = {
    .device_type = "headless",
    .port = SSYNC_LOCALSEND_DEFAULT_PORT,
    .protocol = "https",
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || alias == NULL || fingerprint == NULL || address == NULL || seconds < 1
      || device_timeout < 1)
    {
      g_printerr ("discovery-peer: %s\n",
                  error != NULL ? error->message : "--alias, --fingerprint and --address needed");
      return 1;
    }

  me.alias = alias;
  me.fingerprint = fingerprint;
  addresses[0] = address;
  discovery = ssync_discovery_new (&me);
  ssync_discovery_set_device_timeout (discovery, (guint) device_timeout);
  g_signal_connect (discovery, "device-found", G_CALLBACK (on_found), NULL);
  g_signal_connect (discovery, "device-lost", G_CALLBACK (on_lost), NULL);
  if (!ssync_discovery_start (discovery, addresses, &error))
    {
      g_printerr ("discovery-peer: %s\n", error->message);
      return 1;
    }

  g_timeout_add_seconds ((guint) seconds, quit, loop);
  g_main_loop_run (loop);
  /* Not stop(): that would print device-lost for every device still known. */
  g_signal_handlers_disconnect_by_func (discovery, on_lost, NULL);
  ssync_discovery_stop (discovery);
  return 0;
}
