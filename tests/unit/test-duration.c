/* test-duration.c: reading durations such as "2h" and writing them for people.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ssync-duration.h"
#include "ssync-error.h"

typedef struct {
  const char *text;
  gint64 seconds;
} GoodCase;

static const GoodCase good_cases[] = {
  { "1s", 1 },
  { "90s", 90 },
  { "30m", 30 * 60 },
  { "2h", 2 * 3600 },
  { "7d", 7 * 86400 },
  { "007m", 7 * 60 },
  { "36500d", SSYNC_DURATION_MAX_SECONDS },
  { "876000h", SSYNC_DURATION_MAX_SECONDS },
  { "3153600000s", SSYNC_DURATION_MAX_SECONDS },
};

typedef struct {
  const char *text;
  const char *message;
} BadCase;

static const BadCase bad_cases[] = {
  { NULL, "No duration given: write a number and a unit, such as 30m, 2h or 7d" },
  { "", "No duration given: write a number and a unit, such as 30m, 2h or 7d" },
  /* A bare number could mean anything. */
  { "10", "“10” needs a unit: s, m, h or d" },
  { "0", "“0” needs a unit: s, m, h or d" },
  /* Spaces anywhere, including the no-break space of copied text. */
  { "2 h", "“2 h” contains a space: write the number and the unit together, such as 2h" },
  { " 2h", "“ 2h” contains a space: write the number and the unit together, such as 2h" },
  { "2h ", "“2h ” contains a space: write the number and the unit together, such as 2h" },
  { "2\th", "“2\th” contains a space: write the number and the unit together, such as 2h" },
  { "2\u00a0h", "“2\u00a0h” contains a space: write the number and the unit together, such as 2h" },
  { "two hours", "“two hours” contains a space: write the number and the unit together, such as 2h" },
  /* Zero and negative. */
  { "0s", "“0s” is zero: a duration must be at least 1s" },
  { "000d", "“000d” is zero: a duration must be at least 1s" },
  { "-5m", "“-5m” is negative: a duration must be at least 1s" },
  { "-0s", "“-0s” is negative: a duration must be at least 1s" },
  /* Not a number first. */
  { "h", "“h” does not start with a number: write a number and a unit, such as 30m, 2h or 7d" },
  { "+5m", "“+5m” does not start with a number: write a number and a unit, such as 30m, 2h or 7d" },
  { "ten", "“ten” does not start with a number: write a number and a unit, such as 30m, 2h or 7d" },
  /* Fractions. */
  { "1.5h", "“1.5h” is not a whole number: use a smaller unit, such as 90m for 1.5h" },
  { "1,5h", "“1,5h” is not a whole number: use a smaller unit, such as 90m for 1.5h" },
  /* Unknown units, or more than one. */
  { "10x", "“10x” has an unknown unit: use s, m, h or d" },
  { "10min", "“10min” has an unknown unit: use s, m, h or d" },
  { "2H", "“2H” has an unknown unit: use s, m, h or d" },
  { "1w", "“1w” has an unknown unit: use s, m, h or d" },
  { "2hh", "“2hh” has an unknown unit: use s, m, h or d" },
  { "1h30m", "“1h30m” has an unknown unit: use s, m, h or d" },
  { "1e3s", "“1e3s” has an unknown unit: use s, m, h or d" },
  /* Invalid UTF-8 is shown with replacement characters, since a message must be UTF-8. */
  { "5\xff", "“5\xef\xbf\xbd” has an unknown unit: use s, m, h or d" },
  /* Too long, including numbers that would overflow 64 bits. */
  { "36501d", "“36501d” is too long: a duration can be at most 36500 days" },
  { "3153600001s", "“3153600001s” is too long: a duration can be at most 36500 days" },
  { "9223372036854775807s",
    "“9223372036854775807s” is too long: a duration can be at most 36500 days" },
  { "9223372036854775808d",
    "“9223372036854775808d” is too long: a duration can be at most 36500 days" },
  { "99999999999999999999999999999999h",
    "“99999999999999999999999999999999h” is too long: a duration can be at most 36500 days" },
};

static void
test_duration_parse_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++)
    {
      const GoodCase *c = &good_cases[i];
      g_autoptr(GError) error = NULL;
      gint64 seconds = -1;

      g_test_message ("Duration: %s", c->text);
      g_assert_true (ssync_duration_parse (c->text, &seconds, &error));
      g_assert_no_error (error);
      g_assert_cmpint (seconds, ==, c->seconds);
    }
}

static void
test_duration_parse_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *escaped = c->text != NULL ? g_strescape (c->text, NULL) : NULL;
      gint64 seconds = -1;

      /* Escaped, since TAP output must stay valid UTF-8 for the test runner. */
      g_test_message ("Duration: %s", escaped != NULL ? escaped : "NULL");
      g_assert_false (ssync_duration_parse (c->text, &seconds, &error));
      g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, c->message);
      g_assert_cmpint (seconds, ==, -1);
    }
}

typedef struct {
  gint64 seconds;
  const char *text;
} FormatCase;

static const FormatCase format_cases[] = {
  { 0, "0 seconds" },
  { 1, "1 second" },
  { 59, "59 seconds" },
  { 60, "1 minute" },
  { 90, "1 minute 30 seconds" },
  { 2 * 3600, "2 hours" },
  { 3600 + 60, "1 hour 1 minute" },
  { 7 * 86400, "7 days" },
  { 86400 + 3600 + 60 + 1, "1 day 1 hour 1 minute 1 second" },
  { 2 * 86400 + 5, "2 days 5 seconds" },
  { SSYNC_DURATION_MAX_SECONDS, "36500 days" },
};

static void
test_duration_format (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_cases); i++)
    {
      g_autofree char *text = ssync_duration_format (format_cases[i].seconds);

      g_assert_cmpstr (text, ==, format_cases[i].text);
    }
}

/* A table's column: the largest two units, with their symbols. */
static const FormatCase short_cases[] = {
  { 0, "0 s" },
  { 8, "8 s" },
  { 60, "1 min" },
  { 184, "3 min 4 s" },
  { 2 * 3600 + 5, "2 h" },
  { 2 * 3600 + 5 * 60 + 9, "2 h 5 min" },
  { 86400 + 3600 + 60 + 1, "1 d 1 h" },
  { SSYNC_DURATION_MAX_SECONDS, "36500 d" },
};

static void
test_duration_format_short (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (short_cases); i++)
    {
      g_autofree char *text = ssync_duration_format_short (short_cases[i].seconds);

      g_assert_cmpstr (text, ==, short_cases[i].text);
    }
}

/* What the parser accepts, the formatter writes back in words. */
static void
test_duration_round_trip (void)
{
  static const char * const cases[][2] = {
    { "90s", "1 minute 30 seconds" },
    { "90m", "1 hour 30 minutes" },
    { "48h", "2 days" },
    { "1d", "1 day" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = NULL;
      gint64 seconds = 0;

      g_assert_true (ssync_duration_parse (cases[i][0], &seconds, NULL));
      text = ssync_duration_format (seconds);
      g_assert_cmpstr (text, ==, cases[i][1]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/duration/parse-good", test_duration_parse_good);
  g_test_add_func ("/duration/parse-bad", test_duration_parse_bad);
  g_test_add_func ("/duration/format", test_duration_format);
  g_test_add_func ("/duration/format-short", test_duration_format_short);
  g_test_add_func ("/duration/round-trip", test_duration_round_trip);

  return g_test_run ();
}
