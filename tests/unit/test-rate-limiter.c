/* test-rate-limiter.c: password attempts per client address, on a clock the test moves.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "ssync-rate-limiter.h"

#define SECOND G_GINT64_CONSTANT (1000000)

typedef struct {
  gint64 now;
  SsyncRateLimiter *limiter;
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  Fixture *fixture = user_data;

  return fixture->now;
}

/* Five attempts at once, then one more every two seconds. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->now = 1000 * SECOND;
  fixture->limiter = ssync_rate_limiter_new (5, 0.5);
  ssync_rate_limiter_set_clock (fixture->limiter, fake_clock, fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->limiter);
}

static void
drain (Fixture    *fixture,
       const char *key)
{
  guint retry_after = G_MAXUINT;

  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (ssync_rate_limiter_take (fixture->limiter, key, &retry_after));
      g_assert_cmpuint (retry_after, ==, 0);
    }
  g_assert_false (ssync_rate_limiter_take (fixture->limiter, key, &retry_after));
  g_assert_cmpuint (retry_after, ==, 2);
}

static void
test_capacity (Fixture       *fixture,
               gconstpointer  data)
{
  guint retry_after = 0;

  drain (fixture, "192.0.2.1");

  /* Refused attempts take nothing: waiting still brings the next token on time. */
  for (guint i = 0; i < 10; i++)
    g_assert_false (ssync_rate_limiter_take (fixture->limiter, "192.0.2.1", NULL));

  fixture->now += 1 * SECOND;
  g_assert_false (ssync_rate_limiter_take (fixture->limiter, "192.0.2.1", &retry_after));
  g_assert_cmpuint (retry_after, ==, 1);

  /* A millisecond short of the token still asks for a whole second. */
  fixture->now += SECOND - 1000;
  g_assert_false (ssync_rate_limiter_take (fixture->limiter, "192.0.2.1", &retry_after));
  g_assert_cmpuint (retry_after, ==, 1);

  /* One refill interval (1 / 0.5 s) after draining, exactly one attempt is allowed. */
  fixture->now += 1000;
  g_assert_true (ssync_rate_limiter_take (fixture->limiter, "192.0.2.1", &retry_after));
  g_assert_false (ssync_rate_limiter_take (fixture->limiter, "192.0.2.1", &retry_after));
  g_assert_cmpuint (retry_after, ==, 2);

  /* A long pause refills the bucket, but never beyond its capacity. */
  fixture->now += 3600 * SECOND;
  drain (fixture, "192.0.2.1");
}

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SsyncRateLimiter) slow = ssync_rate_limiter_new (1, 0.1);
  g_autoptr(SsyncRateLimiter) fast = ssync_rate_limiter_new (1, 3);
  guint retry_after = 0;

  ssync_rate_limiter_set_clock (slow, fake_clock, fixture);
  ssync_rate_limiter_set_clock (fast, fake_clock, fixture);

  g_assert_true (ssync_rate_limiter_take (slow, "192.0.2.1", NULL));
  g_assert_false (ssync_rate_limiter_take (slow, "192.0.2.1", &retry_after));
  g_assert_cmpuint (retry_after, ==, 10);
  fixture->now += 9 * SECOND + 1;
  g_assert_false (ssync_rate_limiter_take (slow, "192.0.2.1", &retry_after));
  g_assert_cmpuint (retry_after, ==, 1);

  /* A third of a second away still means "retry after 1 second", never 0. */
  g_assert_true (ssync_rate_limiter_take (fast, "192.0.2.1", NULL));
  g_assert_false (ssync_rate_limiter_take (fast, "192.0.2.1", &retry_after));
  g_assert_cmpuint (retry_after, ==, 1);
}

static void
test_keys_independent (Fixture       *fixture,
                       gconstpointer  data)
{
  drain (fixture, "192.0.2.1");
  drain (fixture, "192.0.2.2");
  drain (fixture, "2001:db8::1");

  g_assert_false (ssync_rate_limiter_take (fixture->limiter, "192.0.2.1", NULL));
  g_assert_cmpuint (ssync_rate_limiter_get_n_keys (fixture->limiter), ==, 3);
}

static void
test_reset (Fixture       *fixture,
            gconstpointer  data)
{
  drain (fixture, "192.0.2.1");
  drain (fixture, "192.0.2.2");

  ssync_rate_limiter_reset (fixture->limiter, "192.0.2.1");
  ssync_rate_limiter_reset (fixture->limiter, "192.0.2.99");

  drain (fixture, "192.0.2.1");
  g_assert_false (ssync_rate_limiter_take (fixture->limiter, "192.0.2.2", NULL));
}

/* Buckets that are full again are forgotten: a missing bucket is a full one. */
static void
test_forget_full (Fixture       *fixture,
                  gconstpointer  data)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("192.0.2.%u", i);

      g_assert_true (ssync_rate_limiter_take (fixture->limiter, key, NULL));
    }
  g_assert_cmpuint (ssync_rate_limiter_get_n_keys (fixture->limiter), ==, 100);

  /* One token back makes those buckets full; the next sweep drops them and keeps the one
   * being drained. */
  fixture->now += 2 * SECOND;
  for (guint i = 0; i < 256; i++)
    ssync_rate_limiter_take (fixture->limiter, "198.51.100.1", NULL);

  g_assert_cmpuint (ssync_rate_limiter_get_n_keys (fixture->limiter), ==, 1);
  g_assert_false (ssync_rate_limiter_take (fixture->limiter, "198.51.100.1", NULL));
}

/* 100,000 addresses, each trying once, a millisecond apart: buckets refill in two seconds,
 * so sweeping alone keeps the table near 2,000 + 256 keys. */
static void
test_many_keys_over_time (Fixture       *fixture,
                          gconstpointer  data)
{
  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *key = g_strdup_printf ("10.%u.%u.%u", i >> 16, (i >> 8) & 0xff, i & 0xff);

      g_assert_true (ssync_rate_limiter_take (fixture->limiter, key, NULL));
      g_assert_cmpuint (ssync_rate_limiter_get_n_keys (fixture->limiter), <=, 2000 + 256);
      fixture->now += 1000;
    }
}

/* 100,000 addresses at the same instant, so no bucket refills: the cap holds, and the one
 * client that used up its attempts stays locked out while fresher buckets are evicted. */
static void
test_many_keys_at_once (Fixture       *fixture,
                        gconstpointer  data)
{
  guint retry_after = 0;

  drain (fixture, "192.0.2.1");

  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *key = g_strdup_printf ("10.%u.%u.%u", i >> 16, (i >> 8) & 0xff, i & 0xff);

      g_assert_true (ssync_rate_limiter_take (fixture->limiter, key, NULL));
      g_assert_cmpuint (ssync_rate_limiter_get_n_keys (fixture->limiter), <=,
                        SSYNC_RATE_LIMITER_MAX_KEYS);
    }

  g_assert_false (ssync_rate_limiter_take (fixture->limiter, "192.0.2.1", &retry_after));
  g_assert_cmpuint (retry_after, ==, 2);
}

/* Without a test clock, the monotonic clock drives the buckets. */
static void
test_real_clock (void)
{
  g_autoptr(SsyncRateLimiter) limiter = ssync_rate_limiter_new (2, 0.001);
  guint retry_after = 0;

  g_assert_true (ssync_rate_limiter_take (limiter, "192.0.2.1", NULL));
  g_assert_true (ssync_rate_limiter_take (limiter, "192.0.2.1", NULL));
  g_assert_false (ssync_rate_limiter_take (limiter, "192.0.2.1", &retry_after));
  g_assert_cmpuint (retry_after, >, 900);
  g_assert_cmpuint (retry_after, <=, 1000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/rate-limiter/capacity", test_capacity);
  ADD ("/rate-limiter/retry-after", test_retry_after);
  ADD ("/rate-limiter/keys-independent", test_keys_independent);
  ADD ("/rate-limiter/reset", test_reset);
  ADD ("/rate-limiter/forget-full", test_forget_full);
  ADD ("/rate-limiter/many-keys-over-time", test_many_keys_over_time);
  ADD ("/rate-limiter/many-keys-at-once", test_many_keys_at_once);
#undef ADD
  g_test_add_func ("/rate-limiter/real-clock", test_real_clock);

  return g_test_run ();
}
