/* ssync-buffer-pool.h: a fixed budget of chunk buffers shared by every download.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_BUFFER_POOL (ssync_buffer_pool_get_type ())

G_DECLARE_FINAL_TYPE (SsyncBufferPool, ssync_buffer_pool, SSYNC, BUFFER_POOL, GObject)

/* The size of a buffer handed out when the pool has none to spare for a client. */
#define SSYNC_BUFFER_POOL_SMALL_SIZE (64 * 1024)

SsyncBufferPool *ssync_buffer_pool_new         (guint            n_buffers,
                                                gsize            buffer_size);
typedef void (*SsyncBufferReady) (guint8   *buffer,
                                  gsize     size,
                                  gpointer  user_data);

void             ssync_buffer_pool_take        (SsyncBufferPool *self,
                                                const char      *owner,
                                                SsyncBufferReady callback,
                                                gpointer         user_data);
guint            ssync_buffer_pool_cancel      (SsyncBufferPool *self,
                                                gpointer         user_data);
void             ssync_buffer_pool_give_back   (SsyncBufferPool *self,
                                                guint8          *buffer);
GBytes          *ssync_buffer_pool_wrap        (SsyncBufferPool *self,
                                                guint8          *buffer,
                                                gsize            length);
guint            ssync_buffer_pool_get_n_held  (SsyncBufferPool *self,
                                                const char      *owner);

G_END_DECLS
