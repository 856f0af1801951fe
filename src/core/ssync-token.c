/* ssync-token.c: 128-bit tokens from the system CSPRNG, base64url without padding.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "ssync-token.h"

/* GLib's GRand is a Mersenne Twister and not fit for secrets; getrandom(2) reads the
 * kernel CSPRNG and only blocks before the pool is initialised at boot. */
static void
fill_random (guint8 *buf,
             gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom failed: %s", g_strerror (errno));
        }
      done += n;
    }
}

char *
ssync_token_new (void)
{
  guint8 raw[SSYNC_TOKEN_BYTES];
  g_autofree char *b64 = NULL;
  char *p;

  fill_random (raw, sizeof raw);
  b64 = g_base64_encode (raw, sizeof raw);

  /* Base64url (RFC 4648 section 5) keeps the token safe in a URL path. */
  for (p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }

  return g_steal_pointer (&b64);
}

/* Compares in time that depends only on the length of @b (the secret), never on where the
 * first difference is, so response timing does not leak a token byte by byte. */
gboolean
ssync_token_equal (const char *a,
                   const char *b)
{
  gsize la, lb;
  guint8 diff;

  if (a == NULL || b == NULL)
    return FALSE;

  la = strlen (a);
  lb = strlen (b);
  diff = la != lb;

  for (gsize i = 0; i < lb; i++)
    diff |= (guint8) (b[i] ^ (i < la ? a[i] : 0));

  return diff == 0;
}
