/* ssync-password.c: share passwords, hashed with PBKDF2-HMAC-SHA256.
 *
 * A share keeps its password only as "pbkdf2-sha256$ITERATIONS$SALT$HASH" (salt and hash in
 * standard base64), so nothing ShareSync stores reveals it, and a stolen hash costs an
 * attacker the full key derivation for every guess.
 *
 * The derivation comes from GnuTLS: gnutls_pbkdf2() exists since GnuTLS 3.6.13, which the
 * GNOME runtime ships, and GLib has no KDF of its own.
 *
 * Deriving a hash deliberately takes tens of milliseconds of CPU, so hash() and verify()
 * must run in a worker thread (g_task_run_in_thread), never on the main loop.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>
#include <sys/random.h>

#include "ssync-error.h"
#include "ssync-password.h"

#define SCHEME "pbkdf2-sha256"

/* verify() refuses iteration counts above this, so that a corrupt or hostile stored hash
 * cannot make one password check run for minutes. It leaves ample room for raising
 * SSYNC_PASSWORD_ITERATIONS later without invalidating stored hashes. */
#define MAX_ITERATIONS 10000000

/* A stored salt may be longer than the one we write, in case a later version raises
 * SSYNC_PASSWORD_SALT_BYTES, but never shorter. */
#define MAX_SALT_BYTES 64

/* Like the helper in ssync-token.c, this reads the kernel CSPRNG with getrandom(2); unlike a
 * token, a password is set by the user at a moment when a failure can be reported, so this
 * one returns an error instead of aborting. */
static gboolean
fill_random (guint8  *buf,
             gsize    len,
             GError **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;

          g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
                       _("Could not protect the share password: no random numbers available (%s)"),
                       g_strerror (saved_errno));
          return FALSE;
        }
      done += n;
    }

  return TRUE;
}

/* Derives @out_len bytes from @password and @salt with PBKDF2-HMAC-SHA256 (RFC 8018).
 * @iterations must be at least 1: nettle, under GnuTLS, aborts the process on 0. */
gboolean
ssync_password_derive (const char    *password,
                       const guint8  *salt,
                       gsize          salt_len,
                       guint          iterations,
                       guint8        *out,
                       gsize          out_len,
                       GError       **error)
{
  gnutls_datum_t key, salt_datum;
  int rc;

  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (salt != NULL || salt_len == 0, FALSE);
  g_return_val_if_fail (iterations > 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* GnuTLS only reads through these pointers; its datum type just is not const. The password
   * is used where it lies, so no copy of it is left behind in freed memory. */
  key.data = (unsigned char *) password;
  key.size = strlen (password);
  salt_datum.data = (unsigned char *) salt;
  salt_datum.size = salt_len;

  rc = gnutls_pbkdf2 (GNUTLS_MAC_SHA256, &key, &salt_datum, iterations, out, out_len);
  if (rc < 0)
    {
      explicit_bzero (out, out_len);
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
                   _("Could not protect the share password: %s"), gnutls_strerror (rc));
      return FALSE;
    }

  return TRUE;
}

/* Hashes @password with a fresh random salt for storage. The result names its scheme and
 * iteration count, so verify() keeps accepting it after SSYNC_PASSWORD_ITERATIONS changes.
 *
 * Returns: (transfer full): the encoded hash, or %NULL with @error set */
char *
ssync_password_hash (const char  *password,
                     GError     **error)
{
  guint8 salt[SSYNC_PASSWORD_SALT_BYTES];
  guint8 hash[SSYNC_PASSWORD_HASH_BYTES];
  g_autofree char *salt_b64 = NULL;
  g_autofree char *hash_b64 = NULL;

  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fill_random (salt, sizeof salt, error))
    return NULL;

  if (!ssync_password_derive (password, salt, sizeof salt, SSYNC_PASSWORD_ITERATIONS,
                              hash, sizeof hash, error))
    return NULL;

  salt_b64 = g_base64_encode (salt, sizeof salt);
  hash_b64 = g_base64_encode (hash, sizeof hash);
  explicit_bzero (hash, sizeof hash);

  return g_strdup_printf (SCHEME "$%u$%s$%s", SSYNC_PASSWORD_ITERATIONS, salt_b64, hash_b64);
}

/* A decimal count from 1 to MAX_ITERATIONS, without sign, spaces or leading zeros. */
static gboolean
parse_iterations (const char *text,
                  guint      *iterations)
{
  guint64 value = 0;

  if (text[0] < '1' || text[0] > '9')
    return FALSE;

  for (const char *p = text; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint) (*p - '0');
      if (value > MAX_ITERATIONS)
        return FALSE;
    }

  *iterations = (guint) value;
  return TRUE;
}

/* g_base64_decode() skips characters outside the alphabet and tolerates missing padding,
 * so a damaged hash would decode to something. Only text that encodes back to itself is
 * accepted here.
 *
 * Returns: (transfer full) (nullable): the decoded bytes */
static guint8 *
decode_base64_strict (const char *text,
                      gsize      *len)
{
  g_autofree guint8 *raw = NULL;
  g_autofree char *again = NULL;

  if (text[0] == '\0')
    return NULL;

  raw = g_base64_decode (text, len);
  again = g_base64_encode (raw, *len);
  if (strcmp (again, text) != 0)
    return NULL;

  return g_steal_pointer (&raw);
}

/* Whether @password is the one @encoded was made from by ssync_password_hash(). Anything
 * malformed in @encoded, including an unknown scheme, answers FALSE. The final comparison
 * takes the same time wherever the derived hashes first differ. */
gboolean
ssync_password_verify (const char *password,
                       const char *encoded)
{
  g_auto(GStrv) parts = NULL;
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *expected = NULL;
  guint8 derived[SSYNC_PASSWORD_HASH_BYTES];
  g_autoptr(GError) error = NULL;
  gsize salt_len = 0, expected_len = 0;
  guint iterations = 0;
  gboolean matches;

  if (password == NULL || encoded == NULL)
    return FALSE;

  parts = g_strsplit (encoded, "$", 5);
  if (g_strv_length (parts) != 4 || strcmp (parts[0], SCHEME) != 0)
    return FALSE;

  if (!parse_iterations (parts[1], &iterations))
    return FALSE;

  salt = decode_base64_strict (parts[2], &salt_len);
  if (salt == NULL || salt_len < SSYNC_PASSWORD_SALT_BYTES || salt_len > MAX_SALT_BYTES)
    return FALSE;

  expected = decode_base64_strict (parts[3], &expected_len);
  if (expected == NULL || expected_len != sizeof derived)
    return FALSE;

  if (!ssync_password_derive (password, salt, salt_len, iterations,
                              derived, sizeof derived, &error))
    {
      g_warning ("Could not check a share password: %s", error->message);
      return FALSE;
    }

  matches = gnutls_memcmp (derived, expected, sizeof derived) == 0;
  explicit_bzero (derived, sizeof derived);

  return matches;
}
