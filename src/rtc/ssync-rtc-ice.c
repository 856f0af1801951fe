/* ssync-rtc-ice.c: the TURN relay's URI for webrtcbin.
 *
 * webrtcbin takes a TURN relay as one URI with its credentials inside
 * ("turn://user:password@host:port"). The preferences keep the URI and the user name, the
 * keyring the password; the whole URI only ever exists in memory.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <string.h>

#include "ssync-rtc-ice.h"

/* @server as the preferences hold it ("turn://host:port" or "turns://…"); credentials found
 * in it are dropped (*@dropped_credentials then says so: a password does not belong in the
 * settings) and @username and @password, percent-encoded, put in their place when both are
 * given. NULL when @server is empty or not a TURN URI. */
char *
ssync_rtc_turn_uri (const char *server,
                    const char *username,
                    const char *password,
                    gboolean   *dropped_credentials)
{
  const char *rest;
  const char *at;
  const char *slash;
  g_autofree char *scheme = NULL;
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;

  if (dropped_credentials != NULL)
    *dropped_credentials = FALSE;
  if (server == NULL)
    return NULL;
  server += strspn (server, " \t");
  rest = strstr (server, "://");
  if (rest == NULL || rest == server)
    return NULL;
  scheme = g_ascii_strdown (server, rest - server);
  if (!g_str_equal (scheme, "turn") && !g_str_equal (scheme, "turns"))
    return NULL;
  rest += 3;

  /* Credentials end at the last "@" before the path, if any. */
  slash = strchr (rest, '/');
  at = g_strrstr_len (rest, slash != NULL ? slash - rest : -1, "@");
  if (at != NULL)
    {
      rest = at + 1;
      if (dropped_credentials != NULL)
        *dropped_credentials = TRUE;
    }
  if (*rest == '\0')
    return NULL;

  if (username == NULL || *username == '\0' || password == NULL)
    return g_strdup_printf ("%s://%s", scheme, rest);

  user = g_uri_escape_string (username, NULL, FALSE);
  pass = g_uri_escape_string (password, NULL, FALSE);
  return g_strdup_printf ("%s://%s:%s@%s", scheme, user, pass, rest);
}
