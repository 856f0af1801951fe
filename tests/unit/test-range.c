/* test-range.c: Range and If-Range, every case the download route relies on.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ssync-range.h"

typedef struct {
  const char *header;
  guint64 size;
  SsyncRangeResult result;
  guint64 start;
  guint64 end;
} RangeCase;

static const RangeCase range_cases[] = {
  /* No header, or one we must ignore: the whole body. */
  { NULL, 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "items=0-10", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes=", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes=-", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes=abc", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes=5", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes=10-5", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes=0-1,5-6", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes=1-2x", 1000, SSYNC_RANGE_FULL, 0, 0 },
  { "bytes=99999999999999999999-", 1000, SSYNC_RANGE_FULL, 0, 0 },
  /* Single ranges. */
  { "bytes=0-0", 1000, SSYNC_RANGE_PARTIAL, 0, 0 },
  { "bytes=0-499", 1000, SSYNC_RANGE_PARTIAL, 0, 499 },
  { "bytes=500-999", 1000, SSYNC_RANGE_PARTIAL, 500, 999 },
  { "BYTES = 500 - 999", 1000, SSYNC_RANGE_PARTIAL, 500, 999 },
  { "bytes=500-", 1000, SSYNC_RANGE_PARTIAL, 500, 999 },
  { "bytes=999-", 1000, SSYNC_RANGE_PARTIAL, 999, 999 },
  /* An end past the end is clamped. */
  { "bytes=500-5000", 1000, SSYNC_RANGE_PARTIAL, 500, 999 },
  { "bytes=0-18446744073709551615", 1000, SSYNC_RANGE_PARTIAL, 0, 999 },
  /* Suffix ranges. */
  { "bytes=-1", 1000, SSYNC_RANGE_PARTIAL, 999, 999 },
  { "bytes=-100", 1000, SSYNC_RANGE_PARTIAL, 900, 999 },
  { "bytes=-1000", 1000, SSYNC_RANGE_PARTIAL, 0, 999 },
  { "bytes=-5000", 1000, SSYNC_RANGE_PARTIAL, 0, 999 },
  /* Unsatisfiable: a start at or past the end, an empty suffix, any range of nothing. */
  { "bytes=1000-", 1000, SSYNC_RANGE_UNSATISFIABLE, 0, 0 },
  { "bytes=1000-2000", 1000, SSYNC_RANGE_UNSATISFIABLE, 0, 0 },
  { "bytes=-0", 1000, SSYNC_RANGE_UNSATISFIABLE, 0, 0 },
  { "bytes=0-", 0, SSYNC_RANGE_UNSATISFIABLE, 0, 0 },
  { "bytes=-10", 0, SSYNC_RANGE_UNSATISFIABLE, 0, 0 },
  /* Past 4 GiB. */
  { "bytes=5000000000-", 6000000000, SSYNC_RANGE_PARTIAL, 5000000000, 5999999999 },
};

static void
test_range_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (range_cases); i++)
    {
      const RangeCase *c = &range_cases[i];
      guint64 start = G_MAXUINT64, end = G_MAXUINT64;
      SsyncRangeResult result = ssync_range_parse (c->header, c->size, &start, &end);

      g_test_message ("Range: %s (size %" G_GUINT64_FORMAT ")", c->header, c->size);
      g_assert_cmpint (result, ==, c->result);
      if (result == SSYNC_RANGE_PARTIAL)
        {
          g_assert_cmpuint (start, ==, c->start);
          g_assert_cmpuint (end, ==, c->end);
        }
    }
}

static void
test_if_range (void)
{
  const char *etag = "\"3e8-5f5e100\"";
  const char *date = "Fri, 27 Nov 2026 10:00:00 GMT";

  /* No If-Range: the range stands. */
  g_assert_true (ssync_range_if_range_holds (NULL, etag, date));
  /* A matching strong ETag or the exact date. */
  g_assert_true (ssync_range_if_range_holds (etag, etag, date));
  g_assert_true (ssync_range_if_range_holds (" \"3e8-5f5e100\" ", etag, date));
  g_assert_true (ssync_range_if_range_holds (date, etag, date));
  /* Anything else sends the whole, current file. */
  g_assert_false (ssync_range_if_range_holds ("\"other\"", etag, date));
  g_assert_false (ssync_range_if_range_holds ("W/\"3e8-5f5e100\"", etag, date));
  g_assert_false (ssync_range_if_range_holds ("Thu, 26 Nov 2026 10:00:00 GMT", etag, date));
  g_assert_false (ssync_range_if_range_holds ("garbage", etag, date));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/range/parse", test_range_parse);
  g_test_add_func ("/range/if-range", test_if_range);

  return g_test_run ();
}
