/* ssync-rate-limiter.c: token buckets per client address, for password attempts.
 *
 * Each key (a client address) has a bucket of @capacity tokens that refills at
 * @refill_per_second; an attempt takes one token and is refused when none is left.
 *
 * A bucket is stored as the single time at which it will be full again (the "theoretical
 * arrival time" of the generic cell rate algorithm, GCRA). Taking a token moves that time one
 * refill interval later; the bucket holds less than one token when the time lies more than
 * (capacity - 1) intervals ahead. This is exactly a token bucket, but in integer
 * microseconds: no refill arithmetic on doubles, so advancing a clock by one interval always
 * gives back one whole token. A bucket whose time has passed is full and can be forgotten,
 * because a missing bucket means a full one.
 *
 * The limiter is meant for one thread, the server's main context.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <string.h>

#include "ssync-rate-limiter.h"

/* Forgetting full buckets walks all of them, so it runs only on every PRUNE_INTERVAL-th
 * attempt, which keeps its cost per attempt small and constant. */
#define PRUNE_INTERVAL 256

/* When the table is at SSYNC_RATE_LIMITER_MAX_KEYS, this share of it is evicted at once, so
 * that sorting the buckets happens once per many new keys rather than for each one. */
#define EVICT_DIVISOR 8

typedef struct
{
  gint64 full_at;
  char key[];
} Bucket;

struct _SsyncRateLimiter
{
  GObject parent_instance;

  /* How long one token takes to come back, and how far ahead of now full_at may lie before
   * the bucket is empty: capacity intervals. */
  gint64 interval_us;
  gint64 burst_us;

  /* Bucket::key -> Bucket; a bucket owns its key. */
  GHashTable *buckets;
  guint n_attempts;

  SsyncRateLimiterClock clock;
  gpointer clock_data;
};

G_DEFINE_FINAL_TYPE (SsyncRateLimiter, ssync_rate_limiter, G_TYPE_OBJECT)

static gint64
monotonic_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static void
ssync_rate_limiter_finalize (GObject *object)
{
  SsyncRateLimiter *self = SSYNC_RATE_LIMITER (object);

  g_hash_table_unref (self->buckets);

  G_OBJECT_CLASS (ssync_rate_limiter_parent_class)->finalize (object);
}

static void
ssync_rate_limiter_class_init (SsyncRateLimiterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ssync_rate_limiter_finalize;
}

static void
ssync_rate_limiter_init (SsyncRateLimiter *self)
{
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  self->clock = monotonic_clock;
}

/* Creates a limiter whose buckets hold @capacity tokens (at least 1) and regain
 * @refill_per_second tokens each second. Both are limited to a million, which keeps every
 * sum of times far from overflowing. */
SsyncRateLimiter *
ssync_rate_limiter_new (double capacity,
                        double refill_per_second)
{
  SsyncRateLimiter *self;

  g_return_val_if_fail (capacity >= 1.0 && capacity <= 1e6, NULL);
  g_return_val_if_fail (refill_per_second >= 1e-6 && refill_per_second <= 1e6, NULL);

  self = g_object_new (SSYNC_TYPE_RATE_LIMITER, NULL);
  /* Rounded to whole microseconds; adding 0.5 rounds because both values are positive. */
  self->interval_us = MAX (1, (gint64) (G_USEC_PER_SEC / refill_per_second + 0.5));
  self->burst_us = (gint64) (capacity * self->interval_us + 0.5);

  return self;
}

/* Makes the limiter read time from @now_us, for tests; %NULL restores the monotonic clock. */
void
ssync_rate_limiter_set_clock (SsyncRateLimiter      *self,
                              SsyncRateLimiterClock  now_us,
                              gpointer               user_data)
{
  g_return_if_fail (SSYNC_IS_RATE_LIMITER (self));

  self->clock = now_us != NULL ? now_us : monotonic_clock;
  self->clock_data = now_us != NULL ? user_data : NULL;
}

static gboolean
bucket_is_full (gpointer key,
                gpointer value,
                gpointer user_data)
{
  const Bucket *bucket = value;
  const gint64 *now = user_data;

  return bucket->full_at <= *now;
}

static int
compare_full_at (gconstpointer a,
                 gconstpointer b)
{
  const Bucket *first = *(Bucket * const *) a;
  const Bucket *second = *(Bucket * const *) b;

  return (first->full_at > second->full_at) - (first->full_at < second->full_at);
}

/* Makes room for one more bucket. Buckets that are full again go first; if that is not
 * enough, those closest to full are forgotten. A client that has used up its attempts has
 * the emptiest bucket of all, so flooding the table with fresh addresses evicts everyone
 * else before it and never hands it a full bucket early. */
static void
make_room (SsyncRateLimiter *self,
           gint64            now)
{
  g_autoptr(GPtrArray) by_fullness = NULL;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_foreach_remove (self->buckets, bucket_is_full, &now);
  if (g_hash_table_size (self->buckets) < SSYNC_RATE_LIMITER_MAX_KEYS)
    return;

  by_fullness = g_ptr_array_sized_new (g_hash_table_size (self->buckets));
  g_hash_table_iter_init (&iter, self->buckets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (by_fullness, value);
  g_ptr_array_sort (by_fullness, compare_full_at);

  for (guint i = 0; i < SSYNC_RATE_LIMITER_MAX_KEYS / EVICT_DIVISOR; i++)
    {
      Bucket *bucket = g_ptr_array_index (by_fullness, i);

      g_hash_table_remove (self->buckets, bucket->key);
    }
}

/* Takes one token from the bucket of @key, a client address. Returns %FALSE when the bucket
 * is empty; the attempt then takes nothing, and @retry_after_seconds (optional) says how many
 * whole seconds until a token is back, at least 1, for a Retry-After header. */
gboolean
ssync_rate_limiter_take (SsyncRateLimiter *self,
                         const char       *key,
                         guint            *retry_after_seconds)
{
  Bucket *bucket;
  gint64 now, full_at;

  g_return_val_if_fail (SSYNC_IS_RATE_LIMITER (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  now = self->clock (self->clock_data);

  if (++self->n_attempts % PRUNE_INTERVAL == 0)
    g_hash_table_foreach_remove (self->buckets, bucket_is_full, &now);

  bucket = g_hash_table_lookup (self->buckets, key);
  full_at = MAX (bucket != NULL ? bucket->full_at : now, now) + self->interval_us;

  if (full_at - now > self->burst_us)
    {
      if (retry_after_seconds != NULL)
        {
          gint64 wait_us = full_at - now - self->burst_us;
          gint64 seconds = (wait_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

          *retry_after_seconds = (guint) CLAMP (seconds, 1, G_MAXUINT);
        }
      return FALSE;
    }

  if (bucket == NULL)
    {
      gsize key_size = strlen (key) + 1;

      if (g_hash_table_size (self->buckets) >= SSYNC_RATE_LIMITER_MAX_KEYS)
        make_room (self, now);

      bucket = g_malloc (sizeof (Bucket) + key_size);
      memcpy (bucket->key, key, key_size);
      g_hash_table_insert (self->buckets, bucket->key, bucket);
    }

  bucket->full_at = full_at;
  if (retry_after_seconds != NULL)
    *retry_after_seconds = 0;

  return TRUE;
}

/* Refills the bucket of @key, as after a correct password: the client's earlier mistakes no
 * longer count against it. */
void
ssync_rate_limiter_reset (SsyncRateLimiter *self,
                          const char       *key)
{
  g_return_if_fail (SSYNC_IS_RATE_LIMITER (self));
  g_return_if_fail (key != NULL);

  g_hash_table_remove (self->buckets, key);
}

/* How many buckets are held. Full ones are forgotten on every PRUNE_INTERVAL-th attempt, and
 * there are never more than SSYNC_RATE_LIMITER_MAX_KEYS. */
guint
ssync_rate_limiter_get_n_keys (SsyncRateLimiter *self)
{
  g_return_val_if_fail (SSYNC_IS_RATE_LIMITER (self), 0);

  return g_hash_table_size (self->buckets);
}
