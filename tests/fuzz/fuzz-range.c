/* fuzz-range.c: the Range and If-Range parsers (src/core/ssync-range.c).
 *
 * Input: the representation's size (8 bytes), then the Range header, If-Range, ETag and
 * Last-Modified, separated by NULs. What must hold: a partial range lies inside the file, with
 * the bounds the header asked for (or clamped to the end); If-Range lets a range through only
 * for a strong entity tag or a date equal to the validator.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-input.h"
#include "ssync-range.h"

static gboolean
is_suffix (const char *header)
{
  const char *p = strchr (header, '=');

  if (p == NULL)
    return FALSE;
  p++;
  while (*p == ' ' || *p == '\t')
    p++;
  return *p == '-';
}

static void
check_range (const char *header,
             guint64     size)
{
  guint64 start = G_MAXUINT64, end = G_MAXUINT64;
  SsyncRangeResult result = ssync_range_parse (header, size, &start, &end);

  switch (result)
    {
    case SSYNC_RANGE_PARTIAL:
      fuzz_check (size > 0, "a range of an empty file");
      fuzz_check (start <= end, "a range that ends before it starts");
      fuzz_check (end < size, "a range past the end of the file");
      /* Unless it is a suffix range, the header names the start: its digits are there. */
      if (start > 0 && !is_suffix (header))
        {
          g_autofree char *first = g_strdup_printf ("%" G_GUINT64_FORMAT, start);

          fuzz_check (strstr (header, first) != NULL, "a start the header does not give");
        }
      break;
    case SSYNC_RANGE_UNSATISFIABLE:
      fuzz_check (header != NULL, "no header, yet unsatisfiable");
      break;
    case SSYNC_RANGE_FULL:
      break;
    default:
      fuzz_check (FALSE, "an unknown result");
    }

  /* A multi-range request is served whole. */
  if (header != NULL && strchr (header, ',') != NULL)
    fuzz_check (result == SSYNC_RANGE_FULL, "a multi-range request served in part");
}

static void
check_if_range (const char *if_range,
                const char *etag,
                const char *last_modified)
{
  g_autofree char *value = g_strstrip (g_strdup (if_range));
  gboolean holds = ssync_range_if_range_holds (if_range, etag, last_modified);

  if (!holds)
    return;

  /* Only an exact match of a strong tag or of the date lets the range through. */
  fuzz_check ((value[0] == '"' && g_strcmp0 (value, etag) == 0) ||
              (value[0] != '"' && !g_str_has_prefix (value, "W/") &&
               g_strcmp0 (value, last_modified) == 0),
              "If-Range held without a matching validator");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzInput input;
  guint64 file_size;
  g_autofree char *header = NULL;
  g_autofree char *if_range = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *last_modified = NULL;

  fuzz_input_init (&input, data, size);
  /* Small sizes are where clamping and suffixes meet the edges: favour them. */
  file_size = fuzz_input_u64 (&input);
  if (file_size & 1)
    file_size = (file_size >> 1) % 4096;
  header = fuzz_input_string (&input);
  if_range = fuzz_input_string (&input);
  etag = fuzz_input_string (&input);
  last_modified = fuzz_input_rest (&input);

  check_range (header, file_size);
  check_range (NULL, file_size);
  check_if_range (if_range, etag, last_modified);
  check_if_range (if_range, etag[0] != '\0' ? etag : NULL, NULL);
  fuzz_check (ssync_range_if_range_holds (NULL, etag, last_modified), "no If-Range refused");
  return 0;
}
