/* ssync-buffer-pool.c: bounded memory for downloads, whatever the number of clients, and
 * no client can starve the others.
 *
 * Each download holds up to two chunks (NOTES.md); fifty clients with 1 MiB chunks would
 * hold 100 MiB. Instead, large chunks come from a fixed number of buffers shared by all
 * downloads and reused (which also spares a 1 MiB malloc and free, and their page faults,
 * per chunk). A client that stops reading keeps its chunks until the idle timeout, so the
 * pool alone would let a few stalled connections stop every download: a client address
 * may hold at most its fair share of the pool (the pool divided among the addresses that
 * hold buffers now, so one busy client still gets all of it), and whoever gets no large
 * buffer gets a small one at once instead of waiting. A download therefore never waits
 * for memory; small buffers are bounded by the connection limits.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-buffer-pool.h"

struct _SsyncBufferPool
{
  GObject parent_instance;

  gsize buffer_size;
  guint n_allocated;
  guint max_buffers;
  GPtrArray *free;      /* guint8 *, ready to use */
  GHashTable *held;     /* guint8 * → owner (char *): pool buffers out */
  GHashTable *owners;   /* owner → number of pool buffers it holds */
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

  g_ptr_array_unref (self->free);
  g_hash_table_unref (self->held);
  g_hash_table_unref (self->owners);

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
  self->held = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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

/* How many pool buffers @owner holds now. */
guint
ssync_buffer_pool_get_n_held (SsyncBufferPool *self,
                              const char      *owner)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->owners, owner));
}

/* Whether @owner may take one more pool buffer: at most the pool divided among the owners
 * holding buffers (counting @owner), and at least two, one to send and one to read. */
static gboolean
within_fair_share (SsyncBufferPool *self,
                   const char      *owner)
{
  guint held = ssync_buffer_pool_get_n_held (self, owner);
  guint n_owners = g_hash_table_size (self->owners) + (held == 0);

  return held < MAX (2, self->max_buffers / n_owners);
}

/* Returns a buffer for @owner (a client address) at once and its size in @size: a large one
 * from the pool while the pool has one free and @owner is within its fair share, else a
 * small one. Give it back with give_back() or through wrap(). */
guint8 *
ssync_buffer_pool_take (SsyncBufferPool *self,
                        const char      *owner,
                        gsize           *size)
{
  guint8 *buffer;

  if (owner == NULL)
    owner = "";

  if (!within_fair_share (self, owner) ||
      (self->free->len == 0 && self->n_allocated == self->max_buffers))
    {
      *size = MIN (SSYNC_BUFFER_POOL_SMALL_SIZE, self->buffer_size);
      return g_malloc (*size);
    }

  if (self->free->len == 0)
    {
      self->n_allocated++;
      g_ptr_array_add (self->free, g_malloc (self->buffer_size));
    }
  buffer = g_ptr_array_steal_index_fast (self->free, self->free->len - 1);
  g_hash_table_insert (self->held, buffer, g_strdup (owner));
  g_hash_table_replace (self->owners, g_strdup (owner),
                        GUINT_TO_POINTER (ssync_buffer_pool_get_n_held (self, owner) + 1));
  *size = self->buffer_size;
  return buffer;
}

void
ssync_buffer_pool_give_back (SsyncBufferPool *self,
                             guint8          *buffer)
{
  const char *owner = g_hash_table_lookup (self->held, buffer);
  guint held;

  if (owner == NULL)
    {
      g_free (buffer);
      return;
    }

  held = ssync_buffer_pool_get_n_held (self, owner);
  if (held <= 1)
    g_hash_table_remove (self->owners, owner);
  else
    g_hash_table_replace (self->owners, g_strdup (owner), GUINT_TO_POINTER (held - 1));
  g_hash_table_remove (self->held, buffer);
  g_ptr_array_add (self->free, buffer);
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
