/* ssync-buffer-pool.h: a fixed budget of chunk buffers shared by every download.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_BUFFER_POOL (ssync_buffer_pool_get_type ())

G_DECLARE_FINAL_TYPE (SsyncBufferPool, ssync_buffer_pool, SSYNC, BUFFER_POOL, GObject)

typedef void (*SsyncBufferReady) (guint8   *buffer,
                                  gpointer  user_data);

SsyncBufferPool *ssync_buffer_pool_new         (guint            n_buffers,
                                                gsize            buffer_size);
gsize            ssync_buffer_pool_get_size    (SsyncBufferPool *self);
void             ssync_buffer_pool_take        (SsyncBufferPool *self,
                                                SsyncBufferReady callback,
                                                gpointer         user_data);
guint            ssync_buffer_pool_cancel      (SsyncBufferPool *self,
                                                gpointer         user_data);
void             ssync_buffer_pool_give_back   (SsyncBufferPool *self,
                                                guint8          *buffer);
GBytes          *ssync_buffer_pool_wrap        (SsyncBufferPool *self,
                                                guint8          *buffer,
                                                gsize            length);

G_END_DECLS
