/* fuzz-filename.c: upload names and download headers (src/core/ssync-filename.c).
 *
 * Input: any bytes, read as a file name up to the first NUL. What must hold for the sanitised
 * name: valid UTF-8, not empty, at most 200 bytes, no '/', '\\', control character or other
 * character Windows refuses, not "." or "..", no leading dot or space, no trailing dot or
 * space, not a reserved device name, and sanitising it again changes nothing. For
 * Content-Disposition: printable ASCII only (no CR or LF to split the header), a quoted
 * fallback without quotes or backslashes, and an RFC 8187 value that decodes to the name.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-input.h"
#include "ssync-filename.h"

static const char * const reserved[] = {
  "CON", "PRN", "AUX", "NUL",
  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
  "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
};

static void
check_sanitized (const char *name)
{
  g_autofree char *safe = ssync_filename_sanitize (name);
  g_autofree char *again = NULL;
  g_autofree char *stem = NULL;
  gsize len;

  fuzz_check (safe != NULL, "no name");
  len = strlen (safe);
  fuzz_check (g_utf8_validate (safe, -1, NULL), "not UTF-8");
  fuzz_check (len > 0, "an empty name");
  fuzz_check (len <= 200, "a name longer than 200 bytes");
  fuzz_check (strcmp (safe, ".") != 0 && strcmp (safe, "..") != 0, "a name that is . or ..");
  fuzz_check (safe[0] != '.' && safe[0] != ' ', "a leading dot or space");
  fuzz_check (safe[len - 1] != '.' && safe[len - 1] != ' ', "a trailing dot or space");
  for (const char *p = safe; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      fuzz_check (c >= 0x20 && c != 0x7f, "a control character");
      fuzz_check (strchr ("/\\:*?\"<>|", (int) c) == NULL || c >= 0x80,
                  "a separator or a character Windows refuses");
    }

  stem = g_strndup (safe, strcspn (safe, "."));
  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    fuzz_check (g_ascii_strcasecmp (stem, reserved[i]) != 0, "a reserved device name");

  again = ssync_filename_sanitize (safe);
  fuzz_check (strcmp (again, safe) == 0, "sanitising a safe name changes it");
}

static void
check_disposition (const char *name)
{
  g_autofree char *value = ssync_content_disposition (name);
  const char *prefix = "attachment; filename=\"";
  const char *quote_end;
  const char *star;
  g_autofree char *decoded = NULL;

  for (const char *p = value; *p != '\0'; p++)
    fuzz_check (*p >= 0x20 && *p < 0x7f, "a byte outside printable ASCII in the header");

  fuzz_check (g_str_has_prefix (value, prefix), "no quoted fallback first");
  quote_end = strchr (value + strlen (prefix), '"');
  fuzz_check (quote_end != NULL, "an unterminated fallback");
  fuzz_check (memchr (value + strlen (prefix), '\\', quote_end - value - strlen (prefix)) == NULL,
              "a backslash in the fallback");
  fuzz_check (g_str_has_prefix (quote_end, "\"; filename*=UTF-8''"),
              "the fallback does not end where the encoded name starts");
  star = quote_end + strlen ("\"; filename*=UTF-8''");
  fuzz_check (strpbrk (star, " \";,\\") == NULL, "a separator in the encoded name");
  decoded = g_uri_unescape_string (star, NULL);
  fuzz_check (g_strcmp0 (decoded, name) == 0, "the encoded name decodes to another name");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzInput input;
  g_autofree char *name = NULL;

  fuzz_input_init (&input, data, size);
  name = fuzz_input_rest (&input);

  check_sanitized (name);
  check_disposition (name);
  return 0;
}
