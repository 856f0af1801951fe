/* ssync-filename.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-filename.h"

/* RFC 6266: `filename*=UTF-8''…` carries the exact name (RFC 8187 percent-encoding);
 * `filename="…"` is an ASCII fallback for old clients, with anything outside printable
 * ASCII, quotes and backslashes replaced by '_'. */
char *
ssync_content_disposition (const char *filename)
{
  g_autoptr(GString) fallback = g_string_new (NULL);
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (filename != NULL, NULL);

  for (const char *p = filename; *p; p++)
    {
      guchar c = *p;

      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
        {
          /* One '_' per UTF-8 character, not per byte. */
          if ((c & 0xc0) != 0x80)
            g_string_append_c (fallback, '_');
        }
      else
        g_string_append_c (fallback, c);
    }

  /* attr-char of RFC 8187: ALPHA / DIGIT / "!#$&+-.^_`|~" stay, the rest is encoded. */
  encoded = g_uri_escape_string (filename, "!#$&+.^_`|~", FALSE);

  return g_strdup_printf ("attachment; filename=\"%s\"; filename*=UTF-8''%s",
                          fallback->str, encoded);
}

static const char * const reserved_names[] = {
  "CON", "PRN", "AUX", "NUL",
  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
  "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
};

/* Cuts @out to at most 200 bytes on a character boundary, then drops the trailing dots and
 * spaces, which the cut can expose and which Windows refuses. */
static void
truncate_and_trim (GString *out)
{
  if (out->len > 200)
    {
      const char *cut = g_utf8_find_prev_char (out->str, out->str + 201);

      g_string_truncate (out, cut != NULL ? (gsize) (cut - out->str) : 200);
    }
  while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
    g_string_truncate (out, out->len - 1);
}

/* Makes a name from a browser safe to create in a folder: valid UTF-8, no path
 * separators, no control characters, not "." or "..", no leading dots or trailing
 * spaces and dots, not a reserved device name, at most 200 bytes. Never empty. */
char *
ssync_filename_sanitize (const char *name)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p;

  valid = g_utf8_make_valid (name != NULL ? name : "", -1);

  for (p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':' || c == '*' ||
          c == '?' || c == '"' || c == '<' || c == '>' || c == '|')
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }

  while (out->len > 0 && (out->str[0] == '.' || out->str[0] == ' '))
    g_string_erase (out, 0, 1);
  truncate_and_trim (out);

  /* Checked once the name has its final length: cutting it can leave "CON" behind. The '_'
   * may take it past the limit again, but a name starting with '_' is never reserved. */
  for (guint i = 0; i < G_N_ELEMENTS (reserved_names); i++)
    {
      gsize n = strlen (reserved_names[i]);

      if (g_ascii_strncasecmp (out->str, reserved_names[i], n) == 0 &&
          (out->str[n] == '\0' || out->str[n] == '.'))
        {
          g_string_prepend_c (out, '_');
          truncate_and_trim (out);
          break;
        }
    }

  if (out->len == 0)
    g_string_assign (out, "file");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Splits a browser's relative path ("photos/trip/a.jpg") into sanitised folder names and a
 * file name, '/' separated; empty, "." and ".." parts are dropped, so the path never
 * leaves the folder it is resolved in. A path longer than SSYNC_FILENAME_MAX_PATH bytes or
 * with more than SSYNC_FILENAME_MAX_DEPTH parts is refused: nobody's real folder is that
 * deep, and each level costs a folder on the receiver's disk. @name gets the last part. */
char *
ssync_filename_sanitize_path (const char  *relative_path,
                              char       **name,
                              GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  if (relative_path == NULL)
    relative_path = "";
  if (strlen (relative_path) > SSYNC_FILENAME_MAX_PATH)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("The file’s path is too long: at most %d bytes"), SSYNC_FILENAME_MAX_PATH);
      return NULL;
    }

  parts = g_strsplit_set (relative_path, "/\\", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
        continue;
      if (kept->len == SSYNC_FILENAME_MAX_DEPTH)
        {
          g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                       _("The file’s path is too deep: at most %d folders"),
                       SSYNC_FILENAME_MAX_DEPTH - 1);
          return NULL;
        }
      g_ptr_array_add (kept, ssync_filename_sanitize (parts[i]));
    }

  if (kept->len == 0)
    g_ptr_array_add (kept, g_strdup (_("Unnamed file")));

  if (name != NULL)
    *name = g_strdup (g_ptr_array_index (kept, kept->len - 1));
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("/", (char **) kept->pdata);
}
