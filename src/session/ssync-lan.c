/* ssync-lan.c
 *
 * GIO has no API to list the addresses of the network interfaces, so getifaddrs(3) is
 * used directly.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include "ssync-lan.h"

static gboolean
is_private (guint32 host_order)
{
  return (host_order >> 24) == 10 ||
         (host_order >> 20) == (172 << 4 | 1) ||
         (host_order >> 16) == (192 << 8 | 168);
}

/* The IPv4 addresses of the interfaces that are up, loopback and link-local excluded,
 * private (LAN) ranges first: the first one is the one to show in links. */
GStrv
ssync_lan_list_ipv4 (void)
{
  g_autoptr(GStrvBuilder) lan = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) other = g_strv_builder_new ();
  g_auto(GStrv) others = NULL;
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return g_strv_builder_end (lan);

  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      struct sockaddr_in *sin;
      guint32 host;
      char text[INET_ADDRSTRLEN];

      if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
          !(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & IFF_LOOPBACK))
        continue;

      sin = (struct sockaddr_in *) ifa->ifa_addr;
      host = ntohl (sin->sin_addr.s_addr);
      if ((host >> 16) == (169 << 8 | 254))
        continue;

      inet_ntop (AF_INET, &sin->sin_addr, text, sizeof text);
      g_strv_builder_add (is_private (host) ? lan : other, text);
    }

  freeifaddrs (list);

  others = g_strv_builder_end (other);
  g_strv_builder_addv (lan, (const char **) others);
  return g_strv_builder_end (lan);
}
