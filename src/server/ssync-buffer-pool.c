/* ssync-buffer-pool.c: bounded memory for downloads, whatever the number of clients.
 *
 * Each download holds up to two 1 MiB chunks (NOTES.md); fifty clients would hold 100 MiB.
 * Instead, chunks come from a fixed number of buffers shared by all downloads. A download
 * that finds none waits in line and is called back, in order, when one is given back, so
 * every client keeps moving and the server's memory stays at the pool's size. Buffers are
 * reused, which also spares a 1 MiB malloc and free (and their page faults) per chunk.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-buffer-pool.h"

typedef struct {
  SsyncBufferReady callback;
  gpointer user_data;
} Waiter;

struct _SsyncBufferPool
{
  GObject parent_instance;

  gsize buffer_size;
  guint n_allocated;
  guint max_buffers;
  GPtrArray *free;   /* guint8 *, ready to use */
  GQueue waiters;    /* Waiter *, first come first served */
  guint dispatch_id;
};

G_DEFINE_FINAL_TYPE (SsyncBufferPool, ssync_buffer_pool, G_TYPE_OBJECT)

typedef struct {
  SsyncBufferPool *pool;
  guint8 *buffer;
} Wrapped;

static void
ssync_buffer_pool_finalize (GObject *object)
{
  SsyncBufferPool *self = SSYNC_BUFFER_POOL (object);

  g_clear_handle_id (&self->dispatch_id, g_source_remove);
  g_queue_clear_full (&self->waiters, g_free);
  g_ptr_array_unref (self->free);

  G_OBJECT_CLASS (ssync_buffer_pool_parent_class)->finalize (object);
}

static void
ssync_buffer_pool_class_init (SsyncBufferPoolClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ssync_buffer_pool_finalize;
}

static void
ssync_buffer_pool_init (SsyncBufferPool *self)
{
  self->free = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&self->waiters);
}

SsyncBufferPool *
ssync_buffer_pool_new (guint n_buffers,
                       gsize buffer_size)
{
  SsyncBufferPool *self = g_object_new (SSYNC_TYPE_BUFFER_POOL, NULL);

  self->max_buffers = n_buffers;
  self->buffer_size = buffer_size;
  return self;
}

gsize
ssync_buffer_pool_get_size (SsyncBufferPool *self)
{
  return self->buffer_size;
}

/* Hands buffers to waiters from an idle callback, never from inside give_back(), which
 * runs deep in libsoup's write path. */
static gboolean
dispatch (gpointer user_data)
{
  SsyncBufferPool *self = user_data;

  self->dispatch_id = 0;
  while (self->free->len > 0 && !g_queue_is_empty (&self->waiters))
    {
      g_autofree Waiter *waiter = g_queue_pop_head (&self->waiters);
      guint8 *buffer = g_ptr_array_steal_index_fast (self->free, self->free->len - 1);

      waiter->callback (buffer, waiter->user_data);
    }

  return G_SOURCE_REMOVE;
}

/* Calls @callback with a buffer of get_size() bytes, at once when one is free, else when
 * one comes back. The buffer must be given back, directly or through wrap(). */
void
ssync_buffer_pool_take (SsyncBufferPool  *self,
                        SsyncBufferReady  callback,
                        gpointer          user_data)
{
  Waiter *waiter;

  if (self->free->len == 0 && self->n_allocated < self->max_buffers)
    {
      self->n_allocated++;
      g_ptr_array_add (self->free, g_malloc (self->buffer_size));
    }

  if (self->free->len > 0 && g_queue_is_empty (&self->waiters))
    {
      callback (g_ptr_array_steal_index_fast (self->free, self->free->len - 1), user_data);
      return;
    }

  waiter = g_new (Waiter, 1);
  waiter->callback = callback;
  waiter->user_data = user_data;
  g_queue_push_tail (&self->waiters, waiter);
  if (self->free->len > 0 && self->dispatch_id == 0)
    self->dispatch_id = g_idle_add (dispatch, self);
}

/* Forgets every wait of @user_data (a download that ended while waiting); returns how
 * many there were. */
guint
ssync_buffer_pool_cancel (SsyncBufferPool *self,
                          gpointer         user_data)
{
  GList *l = self->waiters.head;
  guint removed = 0;

  while (l != NULL)
    {
      GList *next = l->next;
      Waiter *waiter = l->data;

      if (waiter->user_data == user_data)
        {
          g_queue_delete_link (&self->waiters, l);
          g_free (waiter);
          removed++;
        }
      l = next;
    }

  return removed;
}

void
ssync_buffer_pool_give_back (SsyncBufferPool *self,
                             guint8          *buffer)
{
  g_ptr_array_add (self->free, buffer);
  if (!g_queue_is_empty (&self->waiters) && self->dispatch_id == 0)
    self->dispatch_id = g_idle_add (dispatch, self);
}

static void
wrapped_free (gpointer data)
{
  Wrapped *wrapped = data;

  ssync_buffer_pool_give_back (wrapped->pool, wrapped->buffer);
  g_object_unref (wrapped->pool);
  g_free (wrapped);
}

/* The first @length bytes of @buffer as GBytes; the buffer returns to the pool when the
 * last reference is dropped (after libsoup wrote it). Must be released on the main
 * thread, as libsoup does. */
GBytes *
ssync_buffer_pool_wrap (SsyncBufferPool *self,
                        guint8          *buffer,
                        gsize            length)
{
  Wrapped *wrapped = g_new (Wrapped, 1);

  wrapped->pool = g_object_ref (self);
  wrapped->buffer = buffer;
  return g_bytes_new_with_free_func (buffer, length, wrapped_free, wrapped);
}
