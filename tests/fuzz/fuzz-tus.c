/* fuzz-tus.c: the tus request headers (src/server/ssync-tus-headers.c) and the upload path
 * they carry (ssync_filename_sanitize_path in src/core/ssync-filename.c).
 *
 * Input: an Upload-Offset/Upload-Length value, a NUL, then an Upload-Metadata header. What
 * must hold: a number is accepted exactly when it is plain decimal digits that fit in a signed
 * 64-bit offset, and reads back as written; metadata is accepted only within its size limit,
 * with unique, non-empty keys and UTF-8 values, reads back the same once re-encoded, and a
 * refusal says why; the relative path it names stays inside the receive folder, within the
 * depth and length limits, made of names the name sanitiser would leave as they are.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-input.h"
#include "ssync-error.h"
#include "ssync-filename.h"
#include "ssync-tus-headers.h"

static void
check_size (const char *text)
{
  guint64 value = G_MAXUINT64;
  gboolean digits = text[0] != '\0' && strspn (text, "0123456789") == strlen (text);
  const char *significant = text + strspn (text, "0");
  gboolean fits;

  /* Whether the digits, leading zeros aside, stay at or under 9223372036854775807. */
  fits = strlen (significant) < 19 ||
         (strlen (significant) == 19 && strcmp (significant, "9223372036854775807") <= 0);

  if (!ssync_tus_parse_size (text, &value))
    {
      fuzz_check (!digits || !fits, "a plain number that fits was refused");
      return;
    }
  fuzz_check (digits && fits, "a number accepted that is not plain decimal or is too big");
  fuzz_check (value <= G_MAXINT64, "an offset past a signed 64-bit file offset");
  {
    g_autofree char *again = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

    fuzz_check (strcmp (again, significant[0] != '\0' ? significant : "0") == 0,
                "the number reads back otherwise");
  }
}

static void
check_path (const char *relative_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = ssync_filename_sanitize_path (relative_path, &name, &error);
  g_auto(GStrv) parts = NULL;
  guint n;

  if (path == NULL)
    {
      fuzz_check (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT),
                  "a refused path without its error");
      fuzz_check (name == NULL, "a name for a refused path");
      return;
    }

  fuzz_check (error == NULL, "an error with a path");
  fuzz_check (g_utf8_validate (path, -1, NULL), "a path that is not UTF-8");
  fuzz_check (path[0] != '/' && strchr (path, '\\') == NULL, "an absolute or Windows path");
  parts = g_strsplit (path, "/", -1);
  n = g_strv_length (parts);
  fuzz_check (n >= 1 && n <= SSYNC_FILENAME_MAX_DEPTH, "a path too deep");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *again = ssync_filename_sanitize (parts[i]);

      fuzz_check (strcmp (parts[i], ".") != 0 && strcmp (parts[i], "..") != 0 &&
                    parts[i][0] != '\0',
                  "an empty, . or .. folder in the path");
      fuzz_check (strcmp (again, parts[i]) == 0, "a part the name sanitiser would change");
    }
  fuzz_check (g_strcmp0 (name, parts[n - 1]) == 0, "the name is not the path's last part");
}

static char *
encode_metadata (GHashTable *table)
{
  GString *header = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *encoded = g_base64_encode (value, strlen (value));

      g_string_append_printf (header, "%s%s %s", header->len > 0 ? "," : "",
                              (const char *) key, encoded);
    }
  return g_string_free (header, FALSE);
}

static void
check_metadata (const char *header)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = ssync_tus_parse_metadata (header, &error);
  g_autoptr(GHashTable) again = NULL;
  g_autofree char *encoded = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (table == NULL)
    {
      fuzz_check (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT),
                  "refused metadata without its error");
      fuzz_check (g_utf8_validate (error->message, -1, NULL), "a message that is not UTF-8");
      return;
    }

  fuzz_check (error == NULL, "an error with a table");
  fuzz_check (strlen (header) <= SSYNC_TUS_MAX_METADATA, "metadata past its size limit");
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      fuzz_check (((const char *) key)[0] != '\0' && g_str_is_ascii (key) &&
                    strpbrk (key, " ,\t\r\n") == NULL,
                  "an empty key or one with a separator");
      fuzz_check (g_utf8_validate (value, -1, NULL), "a value that is not UTF-8");
    }
  if (header[0] != '\0')
    {
      g_auto(GStrv) pairs = g_strsplit (header, ",", -1);
      guint n_pairs = 0;

      /* Empty pairs (",,", " ") are skipped; every other pair is one key. */
      for (guint i = 0; pairs[i] != NULL; i++)
        n_pairs += g_strstrip (pairs[i])[0] != '\0';
      fuzz_check (g_hash_table_size (table) == n_pairs, "not one key per pair");
    }

  /* What was accepted reads back the same once encoded again (as long as it fits). */
  encoded = encode_metadata (table);
  if (strlen (encoded) <= SSYNC_TUS_MAX_METADATA)
    {
      again = ssync_tus_parse_metadata (encoded, NULL);
      fuzz_check (again != NULL && g_hash_table_size (again) == g_hash_table_size (table),
                  "re-encoded metadata is refused or has other keys");
      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, &key, &value))
        fuzz_check (g_strcmp0 (g_hash_table_lookup (again, key), value) == 0,
                    "re-encoded metadata reads back another value");
    }

  check_path (g_hash_table_lookup (table, "relativePath"));
  check_path (g_hash_table_lookup (table, "filename"));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzInput input;
  g_autofree char *number = NULL;
  g_autofree char *metadata = NULL;

  fuzz_input_init (&input, data, size);
  number = fuzz_input_string (&input);
  metadata = fuzz_input_rest (&input);

  check_size (number);
  check_metadata (metadata);
  check_path (metadata);
  return 0;
}
