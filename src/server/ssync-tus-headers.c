/* ssync-tus-headers.c: tus 1.0 header values, checked strictly (they come from anyone on the
 * network and the upload keeps them).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-tus-headers.h"

/* Upload-Offset, Upload-Length: a plain decimal number of bytes (no sign, no spaces) that
 * fits in a signed 64-bit offset. */
gboolean
ssync_tus_parse_size (const char *text,
                      guint64    *out)
{
  if (text == NULL || text[0] == '\0' || strspn (text, "0123456789") != strlen (text))
    return FALSE;
  return g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, out, NULL);
}

static gboolean
is_base64 (const char *text)
{
  gsize len = strlen (text);
  gsize body = strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  gsize pad = len - body;

  /* Standard base64 with padding, as tus clients send it. */
  return len % 4 == 0 && pad <= 2 && strspn (text + body, "=") == pad;
}

static gboolean
metadata_error (GError     **error,
                const char  *message)
{
  g_set_error_literal (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

/* Upload-Metadata (tus 1.0, creation): comma-separated "key base64value" pairs, keys unique
 * and without spaces or commas, a value may be absent, empty pairs are skipped. Returns key → value (decoded, made
 * valid UTF-8: these are names shown to the user), or NULL for a malformed or oversized
 * header. A NULL @header is an empty table. */
GHashTable *
ssync_tus_parse_metadata (const char  *header,
                          GError     **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) pairs = NULL;

  if (header == NULL || header[0] == '\0')
    return g_steal_pointer (&table);
  if (strlen (header) > SSYNC_TUS_MAX_METADATA)
    {
      metadata_error (error, _("Upload-Metadata is too large"));
      return NULL;
    }

  pairs = g_strsplit (header, ",", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *pair = g_strstrip (pairs[i]);
      const char *space = strchr (pair, ' ');
      g_autofree char *key = g_strndup (pair, space != NULL ? (gsize) (space - pair)
                                                            : strlen (pair));
      const char *encoded = space != NULL ? space + 1 : "";
      g_autofree guchar *value = NULL;
      gsize len = 0;

      /* Empty pairs (",,") carry nothing: skipped, as other tus servers do. */
      if (pair[0] == '\0')
        continue;
      if (key[0] == '\0' || !g_str_is_ascii (key) || strpbrk (key, "\t\r\n") != NULL)
        {
          metadata_error (error, _("Upload-Metadata has an empty or invalid key"));
          return NULL;
        }
      if (g_hash_table_contains (table, key))
        {
          metadata_error (error, _("Upload-Metadata names a key twice"));
          return NULL;
        }
      if (!is_base64 (encoded))
        {
          metadata_error (error, _("Upload-Metadata values must be base64"));
          return NULL;
        }

      if (encoded[0] != '\0')
        value = g_base64_decode (encoded, &len);
      g_hash_table_insert (table, g_steal_pointer (&key),
                           g_utf8_make_valid (value != NULL ? (const char *) value : "", len));
    }

  return g_steal_pointer (&table);
}
