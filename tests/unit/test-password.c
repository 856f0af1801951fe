/* test-password.c: hashing and checking share passwords.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ssync-password.h"

#define PASSWORD "correct horse battery staple"

/* RFC 7914 section 11, the PBKDF2-HMAC-SHA256 vector with P = "passwd", S = "salt", c = 1. */
static void
test_password_known_answer (void)
{
  static const guint8 expected[64] = {
    0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05,
    0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65, 0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc,
    0x49, 0xca, 0x9c, 0xcc, 0xf1, 0x79, 0xb6, 0x45, 0x99, 0x16, 0x64, 0xb3, 0x9d, 0x77, 0xef, 0x31,
    0x7c, 0x71, 0xb8, 0x45, 0xb1, 0xe3, 0x0b, 0xd5, 0x09, 0x11, 0x20, 0x41, 0xd3, 0xa1, 0x97, 0x83,
  };
  guint8 out[64];
  g_autoptr(GError) error = NULL;

  g_assert_true (ssync_password_derive ("passwd", (const guint8 *) "salt", 4, 1,
                                        out, sizeof out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, sizeof out, expected, sizeof expected);
}

static void
test_password_hash_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = ssync_password_hash (PASSWORD, &error);
  g_auto(GStrv) parts = NULL;
  g_autofree char *iterations = NULL;
  g_autofree guchar *salt = NULL;
  g_autofree guchar *hash = NULL;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_nonnull (encoded);

  /* The stored form names its scheme and cost and holds a 16-byte salt and a 32-byte hash,
   * and nothing of the password itself. */
  g_assert_null (strstr (encoded, PASSWORD));
  parts = g_strsplit (encoded, "$", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 4);
  g_assert_cmpstr (parts[0], ==, "pbkdf2-sha256");
  iterations = g_strdup_printf ("%u", SSYNC_PASSWORD_ITERATIONS);
  g_assert_cmpstr (parts[1], ==, iterations);
  salt = g_base64_decode (parts[2], &len);
  g_assert_cmpuint (len, ==, SSYNC_PASSWORD_SALT_BYTES);
  hash = g_base64_decode (parts[3], &len);
  g_assert_cmpuint (len, ==, SSYNC_PASSWORD_HASH_BYTES);

  g_assert_true (ssync_password_verify (PASSWORD, encoded));

  g_assert_false (ssync_password_verify ("correct horse battery stapl", encoded));
  g_assert_false (ssync_password_verify (PASSWORD " ", encoded));
  g_assert_false (ssync_password_verify ("Correct horse battery staple", encoded));
  g_assert_false (ssync_password_verify ("", encoded));
  g_assert_false (ssync_password_verify (NULL, encoded));
}

static void
test_password_non_ascii (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = ssync_password_hash ("pässwörd 🔑", &error);

  g_assert_no_error (error);
  g_assert_true (ssync_password_verify ("pässwörd 🔑", encoded));
  g_assert_false (ssync_password_verify ("passwort 🔑", encoded));
}

static void
test_password_salted (void)
{
  g_autofree char *first = ssync_password_hash (PASSWORD, NULL);
  g_autofree char *second = ssync_password_hash (PASSWORD, NULL);

  /* A fresh salt each time: equal passwords do not give equal hashes. */
  g_assert_cmpstr (first, !=, second);
  g_assert_true (ssync_password_verify (PASSWORD, first));
  g_assert_true (ssync_password_verify (PASSWORD, second));
}

/* Hashes written with another iteration count still verify: the count is read from the
 * stored string, not assumed. */
static void
test_password_stored_iterations (void)
{
  const guint8 *salt = (const guint8 *) "0123456789abcdef";
  guint8 hash[32];
  g_autofree char *salt_b64 = g_base64_encode (salt, 16);
  g_autofree char *hash_b64 = NULL;
  g_autofree char *encoded = NULL;

  g_assert_true (ssync_password_derive (PASSWORD, salt, 16, 1000,
                                        hash, sizeof hash, NULL));
  hash_b64 = g_base64_encode (hash, sizeof hash);
  encoded = g_strdup_printf ("pbkdf2-sha256$1000$%s$%s", salt_b64, hash_b64);

  g_assert_true (ssync_password_verify (PASSWORD, encoded));
  g_assert_false (ssync_password_verify ("wrong", encoded));
}

static void
test_password_malformed (void)
{
  g_autofree char *encoded = ssync_password_hash (PASSWORD, NULL);
  g_auto(GStrv) parts = g_strsplit (encoded, "$", -1);
  const char *salt = parts[2];
  const char *hash = parts[3];
  g_autofree char *short_salt = g_base64_encode ((const guchar *) "0123456789", 10);
  g_autofree char *short_hash = NULL;
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  g_autofree guchar *raw_hash = NULL;
  gsize raw_len = 0;

  raw_hash = g_base64_decode (hash, &raw_len);
  short_hash = g_base64_encode (raw_hash, raw_len - 1);

#define ADD(...) g_ptr_array_add (cases, g_strdup_printf (__VA_ARGS__))
  ADD ("%s", "");
  ADD ("%s", "pbkdf2-sha256");
  ADD ("%s", "$$$");
  ADD ("%s", PASSWORD);
  /* Another scheme, or ours spelled differently. */
  ADD ("pbkdf2-sha1$600000$%s$%s", salt, hash);
  ADD ("PBKDF2-SHA256$600000$%s$%s", salt, hash);
  ADD ("$pbkdf2-sha256$600000$%s$%s", salt, hash);
  /* Bad iteration counts; 0 would make nettle abort. */
  ADD ("pbkdf2-sha256$0$%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$$%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$-600000$%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$+600000$%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$ 600000$%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$0600000$%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$600000x$%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$99999999999999999999$%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$4294967297$%s$%s", salt, hash);
  /* Bad base64 or wrong lengths. */
  ADD ("pbkdf2-sha256$600000$$%s", hash);
  ADD ("pbkdf2-sha256$600000$%s$", salt);
  ADD ("pbkdf2-sha256$600000$!!!!%s$%s", salt, hash);
  ADD ("pbkdf2-sha256$600000$%s$*%s", salt, hash + 1);
  ADD ("pbkdf2-sha256$600000$%s$%s", salt, "====");
  ADD ("pbkdf2-sha256$600000$%s$%.*s", salt, (int) strlen (hash) - 1, hash);
  ADD ("pbkdf2-sha256$600000$%s$%.*s", salt, (int) strlen (hash) - 4, hash);
  ADD ("pbkdf2-sha256$600000$%.*s$%s", (int) strlen (salt) - 2, salt, hash);
  ADD ("pbkdf2-sha256$600000$%s$%s", short_salt, hash);
  ADD ("pbkdf2-sha256$600000$%s$%s", salt, short_hash);
  ADD ("pbkdf2-sha256$600000$%s$%s%s", salt, hash, hash);
  /* Truncated anywhere, or with more fields. */
  ADD ("pbkdf2-sha256$600000$%s", salt);
  ADD ("pbkdf2-sha256$600000");
  ADD ("%s$", encoded);
  ADD ("%s$extra", encoded);
#undef ADD

  for (guint i = 0; i < strlen (encoded); i++)
    g_ptr_array_add (cases, g_strndup (encoded, i));

  for (guint i = 0; i < cases->len; i++)
    {
      const char *text = g_ptr_array_index (cases, i);

      g_test_message ("Encoded: '%s'", text);
      g_assert_false (ssync_password_verify (PASSWORD, text));
    }

  g_assert_false (ssync_password_verify (PASSWORD, NULL));
  g_assert_true (ssync_password_verify (PASSWORD, encoded));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/password/known-answer", test_password_known_answer);
  g_test_add_func ("/password/hash-verify", test_password_hash_verify);
  g_test_add_func ("/password/non-ascii", test_password_non_ascii);
  g_test_add_func ("/password/salted", test_password_salted);
  g_test_add_func ("/password/stored-iterations", test_password_stored_iterations);
  g_test_add_func ("/password/malformed", test_password_malformed);

  return g_test_run ();
}
