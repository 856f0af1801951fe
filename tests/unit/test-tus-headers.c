/* test-tus-headers.c: tus numbers and Upload-Metadata as a stranger may send them.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ssync-error.h"
#include "ssync-tus-headers.h"

static void
test_sizes (void)
{
  const char *good[] = { "0", "5", "9223372036854775807" };
  const char *bad[] = { NULL, "", "-1", "+5", " 5", "5 ", "0x10", "1e3",
                        "9223372036854775808", "18446744073709551615" };
  guint64 value;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (ssync_tus_parse_size (good[i], &value));
  g_assert_cmpuint (value, ==, G_MAXINT64);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (ssync_tus_parse_size (bad[i], &value));
}

static void
test_metadata (void)
{
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) error = NULL;

  /* Values decoded, a key without a value, empty pairs skipped (found by fuzz-tus). */
  table = ssync_tus_parse_metadata ("filename cmVwb3J0LnBkZg==, is_confidential,,  ,", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (table, "filename"), ==, "report.pdf");
  g_assert_cmpstr (g_hash_table_lookup (table, "is_confidential"), ==, "");
  g_clear_pointer (&table, g_hash_table_unref);

  table = ssync_tus_parse_metadata (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 0);
}

static void
test_metadata_refused (void)
{
  g_autoptr(GString) big = g_string_new ("filename ");
  const char *bad[] = {
    "filename not*base64", "filename abc", "filename YQ==,filename Yg==", "k\nv YQ==",
    "file\tname YQ==", "filename YQ=a",
  };

  while (big->len <= SSYNC_TUS_MAX_METADATA)
    g_string_append (big, "QUFB");

  for (guint i = 0; i <= G_N_ELEMENTS (bad); i++)
    {
      const char *header = i < G_N_ELEMENTS (bad) ? bad[i] : big->str;
      g_autoptr(GError) error = NULL;
      g_autoptr(GHashTable) table = ssync_tus_parse_metadata (header, &error);

      g_test_message ("%.60s", header);
      g_assert_null (table);
      g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tus-headers/sizes", test_sizes);
  g_test_add_func ("/tus-headers/metadata", test_metadata);
  g_test_add_func ("/tus-headers/metadata-refused", test_metadata_refused);

  return g_test_run ();
}
