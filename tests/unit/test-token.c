/* test-token.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ssync-token.h"

static void
test_token_format (void)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *token = ssync_token_new ();
      gsize len = 0;
      g_autofree char *b64 = NULL;
      g_autofree guchar *raw = NULL;

      /* 16 bytes in base64url without padding is 22 characters from [A-Za-z0-9_-]. */
      g_assert_cmpuint (strlen (token), ==, 22);
      for (const char *p = token; *p; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');

      b64 = g_strdup_printf ("%s==", token);
      g_strdelimit (b64, "-", '+');
      g_strdelimit (b64, "_", '/');
      raw = g_base64_decode (b64, &len);
      g_assert_cmpuint (len, ==, SSYNC_TOKEN_BYTES);
    }
}

static void
test_token_unique (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 10000; i++)
    g_assert_true (g_hash_table_add (seen, ssync_token_new ()));
}

static void
test_token_equal (void)
{
  g_assert_true (ssync_token_equal ("abc", "abc"));
  g_assert_false (ssync_token_equal ("abc", "abd"));
  g_assert_false (ssync_token_equal ("ab", "abc"));
  g_assert_false (ssync_token_equal ("abcd", "abc"));
  g_assert_false (ssync_token_equal ("", "abc"));
  g_assert_false (ssync_token_equal (NULL, "abc"));
  g_assert_false (ssync_token_equal ("abc", NULL));
  g_assert_true (ssync_token_equal ("", ""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/token/format", test_token_format);
  g_test_add_func ("/token/unique", test_token_unique);
  g_test_add_func ("/token/equal", test_token_equal);

  return g_test_run ();
}
