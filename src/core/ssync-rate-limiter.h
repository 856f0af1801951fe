/* ssync-rate-limiter.h: token buckets per client address, for password attempts.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_RATE_LIMITER (ssync_rate_limiter_get_type ())

G_DECLARE_FINAL_TYPE (SsyncRateLimiter, ssync_rate_limiter, SSYNC, RATE_LIMITER, GObject)

/* The most buckets kept at once; past it, the fullest are forgotten. */
#define SSYNC_RATE_LIMITER_MAX_KEYS 10000

/* Returns the current time in microseconds, on a clock that never goes back. */
typedef gint64 (*SsyncRateLimiterClock) (gpointer user_data);

SsyncRateLimiter *ssync_rate_limiter_new        (double                 capacity,
                                                 double                 refill_per_second);
gboolean          ssync_rate_limiter_take       (SsyncRateLimiter      *self,
                                                 const char            *key,
                                                 guint                 *retry_after_seconds);
void              ssync_rate_limiter_reset      (SsyncRateLimiter      *self,
                                                 const char            *key);
void              ssync_rate_limiter_set_clock  (SsyncRateLimiter      *self,
                                                 SsyncRateLimiterClock  now_us,
                                                 gpointer               user_data);
guint             ssync_rate_limiter_get_n_keys (SsyncRateLimiter      *self);

G_END_DECLS
