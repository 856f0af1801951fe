/* ssync-range.c: single byte ranges (RFC 9110 section 14).
 *
 * libsoup 3.2 only answers Range for bodies held in memory and gets suffix ranges and
 * ranges past the end wrong (NOTES.md), so streamed files parse Range here.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <string.h>

#include "ssync-range.h"

static gboolean
parse_number (const char **p,
              guint64     *out)
{
  const char *s = *p;
  guint64 v = 0;

  if (!g_ascii_isdigit (*s))
    return FALSE;

  while (g_ascii_isdigit (*s))
    {
      guint d = *s - '0';

      if (v > (G_MAXUINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
      s++;
    }

  *p = s;
  *out = v;
  return TRUE;
}

static const char *
skip_spaces (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* Answers how to serve a representation of @size bytes for the Range header @header.
 * Anything but one valid byte range is ignored, as the RFC allows: the full body is
 * served (FULL). A range beginning at or past the end is UNSATISFIABLE; an end past the
 * end is clamped. On PARTIAL, @start and @end (inclusive) are set. */
SsyncRangeResult
ssync_range_parse (const char *header,
                   guint64     size,
                   guint64    *start,
                   guint64    *end)
{
  const char *p;
  guint64 first = 0, last = 0;
  gboolean has_first, has_last;

  if (header == NULL)
    return SSYNC_RANGE_FULL;

  p = skip_spaces (header);
  if (g_ascii_strncasecmp (p, "bytes", 5) != 0)
    return SSYNC_RANGE_FULL;
  p = skip_spaces (p + 5);
  if (*p != '=')
    return SSYNC_RANGE_FULL;
  p = skip_spaces (p + 1);

  /* We serve single ranges only; a multi-range request gets the whole body. */
  if (strchr (p, ',') != NULL)
    return SSYNC_RANGE_FULL;

  has_first = parse_number (&p, &first);
  p = skip_spaces (p);
  if (*p != '-')
    return SSYNC_RANGE_FULL;
  p = skip_spaces (p + 1);
  has_last = parse_number (&p, &last);
  p = skip_spaces (p);
  if (*p != '\0' || (!has_first && !has_last))
    return SSYNC_RANGE_FULL;

  if (!has_first)
    {
      /* Suffix range: the last @last bytes. */
      if (last == 0 || size == 0)
        return SSYNC_RANGE_UNSATISFIABLE;
      *start = last >= size ? 0 : size - last;
      *end = size - 1;
      return SSYNC_RANGE_PARTIAL;
    }

  if (has_last && last < first)
    return SSYNC_RANGE_FULL;

  if (first >= size)
    return SSYNC_RANGE_UNSATISFIABLE;

  *start = first;
  *end = (!has_last || last >= size) ? size - 1 : last;
  return SSYNC_RANGE_PARTIAL;
}

/* Whether a Range request may be honoured given its If-Range header: only when the
 * validator still matches, so a resuming client never splices two versions of a file.
 * An entity tag must match strongly; a date must equal Last-Modified exactly. */
gboolean
ssync_range_if_range_holds (const char *if_range,
                            const char *etag,
                            const char *last_modified)
{
  g_autofree char *value = NULL;

  if (if_range == NULL)
    return TRUE;

  value = g_strstrip (g_strdup (if_range));

  if (value[0] == '"')
    return etag != NULL && strcmp (value, etag) == 0;

  if (g_str_has_prefix (value, "W/"))
    return FALSE;

  return last_modified != NULL && strcmp (value, last_modified) == 0;
}
