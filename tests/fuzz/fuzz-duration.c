/* fuzz-duration.c: reading durations and writing them for people (src/core/ssync-duration.c).
 *
 * Input: 8 bytes read as a number of seconds to format, then the text to parse. What must
 * hold: a parsed duration lies between 1 s and the maximum, reads back the same from its
 * plain form, and a refusal carries a UTF-8 message; formatting any duration gives parts that
 * add up to it again, largest unit first, each unit once, singular only for 1.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-input.h"
#include "ssync-duration.h"
#include "ssync-error.h"

static const struct {
  const char *one;
  const char *many;
  gint64 seconds;
} units[] = {
  { "day", "days", 24 * 60 * 60 },
  { "hour", "hours", 60 * 60 },
  { "minute", "minutes", 60 },
  { "second", "seconds", 1 },
};

/* Reads "1 day 2 hours 3 seconds" (the C locale's words) back into seconds. */
static gint64
read_formatted (const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  guint n = g_strv_length (words);
  guint next_unit = 0;
  gint64 total = 0;

  fuzz_check (n >= 2 && n % 2 == 0, "a formatted duration is not number-unit pairs");
  for (guint i = 0; i < n; i += 2)
    {
      guint64 count;
      guint u;

      fuzz_check (g_ascii_string_to_unsigned (words[i], 10, 0, G_MAXINT64, &count, NULL),
                  "a formatted duration has a part that is not a number");
      for (u = next_unit; u < G_N_ELEMENTS (units); u++)
        if (strcmp (words[i + 1], units[u].one) == 0 || strcmp (words[i + 1], units[u].many) == 0)
          break;
      fuzz_check (u < G_N_ELEMENTS (units), "a formatted duration has units out of order");
      fuzz_check ((count == 1) == (strcmp (words[i + 1], units[u].one) == 0),
                  "singular and plural are mixed up");
      fuzz_check (n == 2 || count > 0, "a zero part among others");
      fuzz_check (u == 0 || count * units[u].seconds < (guint64) units[u - 1].seconds,
                  "a part that should have been carried to the larger unit");
      total += (gint64) count * units[u].seconds;
      next_unit = u + 1;
    }
  return total;
}

static void
check_format (gint64 seconds)
{
  g_autofree char *text = ssync_duration_format (seconds);

  fuzz_check (text != NULL && g_utf8_validate (text, -1, NULL), "no UTF-8 text");
  fuzz_check (read_formatted (text) == seconds, "the formatted duration reads back otherwise");
}

static void
check_parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  gint64 seconds = -1;

  if (!ssync_duration_parse (text, &seconds, &error))
    {
      fuzz_check (error != NULL, "a refusal without an error");
      fuzz_check (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT),
                  "a refusal of another kind");
      fuzz_check (g_utf8_validate (error->message, -1, NULL), "a message that is not UTF-8");
      return;
    }

  fuzz_check (error == NULL, "an error set on success");
  fuzz_check (seconds >= 1 && seconds <= SSYNC_DURATION_MAX_SECONDS, "a duration out of range");
  {
    g_autofree char *plain = g_strdup_printf ("%" G_GINT64_FORMAT "s", seconds);
    gint64 again = -1;

    fuzz_check (ssync_duration_parse (plain, &again, NULL) && again == seconds,
                "the plain form of a parsed duration reads back otherwise");
  }
  check_format (seconds);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzInput input;
  g_autofree char *text = NULL;
  guint64 seconds;

  fuzz_input_init (&input, data, size);
  seconds = fuzz_input_u64 (&input);
  text = fuzz_input_rest (&input);

  /* Every duration the parser can give, and beyond: format takes any non-negative count. */
  check_format ((gint64) (seconds % (guint64) G_MAXINT64));
  check_parse (text);
  return 0;
}
