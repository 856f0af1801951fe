/* ssync-buffer-pool.c: bounded memory for downloads, whatever the number of clients, and
 * no client can starve the others.
 *
 * Each download holds up to two chunks (NOTES.md); fifty clients with 1 MiB chunks would
 * hold 100 MiB. Instead, large chunks come from a fixed number of buffers shared by all
 * downloads and reused (which also spares a 1 MiB malloc and free, and their page faults,
 * per chunk). A client that stops reading keeps its chunks until the idle timeout, so the
 * pool alone would let a few stalled connections stop every download. A client address
 * may therefore hold at most its fair share of the pool: the pool divided among the
 * addresses holding buffers now, so one busy client still gets all of it. A download
 * whose address has used up its share waits in line for a buffer to come back, as all of
 * one client's downloads share its bandwidth anyway; one whose address is below its share
 * while others hold the whole pool gets a small buffer at once instead, so stalled
 * readers never hold up another client. Small buffers are bounded by the connection
 * limits (two per connection).
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
  GQueue waiters;       /* Waiter *, first come first served */
  guint dispatch_id;
};

G_DEFINE_FINAL_TYPE (SsyncBufferPool, ssync_buffer_pool, G_TYPE_OBJECT)

typedef struct {
  SsyncBufferPool *pool;
  guint8 *buffer;
} Wrapped;

typedef struct {
  char *owner;
  SsyncBufferReady callback;
  gpointer user_data;
} Waiter;

static void
waiter_free (Waiter *waiter)
{
  g_free (waiter->owner);
  g_free (waiter);
}

static void
ssync_buffer_pool_finalize (GObject *object)
{
  SsyncBufferPool *self = SSYNC_BUFFER_POOL (object);

  g_clear_handle_id (&self->dispatch_id, g_source_remove);
  g_queue_clear_full (&self->waiters, (GDestroyNotify) waiter_free);
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

/* How many pool buffers @owner holds now. */
guint
ssync_buffer_pool_get_n_held (SsyncBufferPool *self,
                              const char      *owner)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->owners, owner));
}

/* How many pool buffers @owner may hold: the pool divided among the owners holding buffers
 * (counting @owner), and at least two, one to send and one to read. */
static guint
fair_share (SsyncBufferPool *self,
            const char      *owner)
{
  guint n_owners = g_hash_table_size (self->owners) +
                   (ssync_buffer_pool_get_n_held (self, owner) == 0);

  return MAX (2, self->max_buffers / n_owners);
}

/* A pool buffer for @owner, or NULL when none is free and the pool is at its size. */
static guint8 *
take_pooled (SsyncBufferPool *self,
             const char      *owner)
{
  guint8 *buffer;

  if (self->free->len == 0 && self->n_allocated < self->max_buffers)
    {
      self->n_allocated++;
      g_ptr_array_add (self->free, g_malloc (self->buffer_size));
    }
  if (self->free->len == 0)
    return NULL;

  buffer = g_ptr_array_steal_index_fast (self->free, self->free->len - 1);
  g_hash_table_insert (self->held, buffer, g_strdup (owner));
  g_hash_table_replace (self->owners, g_strdup (owner),
                        GUINT_TO_POINTER (ssync_buffer_pool_get_n_held (self, owner) + 1));
  return buffer;
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
      Waiter *waiter = g_queue_pop_head (&self->waiters);
      guint8 *buffer = take_pooled (self, waiter->owner);

      waiter->callback (buffer, self->buffer_size, waiter->user_data);
      waiter_free (waiter);
    }

  return G_SOURCE_REMOVE;
}

static gboolean
is_waiting (SsyncBufferPool *self,
            const char      *owner)
{
  for (GList *l = self->waiters.head; l != NULL; l = l->next)
    if (g_str_equal (((Waiter *) l->data)->owner, owner))
      return TRUE;
  return FALSE;
}

/* Calls @callback with a buffer for @owner (a client address) and its size: while @owner is
 * below its fair share, at once, with a large buffer when the pool has one free and a small
 * one when others hold the pool; once @owner used up its share, with a large one when one
 * comes back. Give it back with give_back() or wrap(). */
void
ssync_buffer_pool_take (SsyncBufferPool  *self,
                        const char       *owner,
                        SsyncBufferReady  callback,
                        gpointer          user_data)
{
  guint share, held;
  guint8 *buffer;
  Waiter *waiter;

  if (owner == NULL)
    owner = "";
  share = fair_share (self, owner);
  held = ssync_buffer_pool_get_n_held (self, owner);

  /* Below its share a client never waits: a large buffer if one is free, else (others
   * hold the pool) a small one. Its downloads that already wait keep their turn, though. */
  if (held < share && !is_waiting (self, owner))
    {
      gsize size = self->buffer_size;

      buffer = take_pooled (self, owner);
      if (buffer == NULL)
        {
          size = MIN (SSYNC_BUFFER_POOL_SMALL_SIZE, self->buffer_size);
          buffer = g_malloc (size);
        }
      callback (buffer, size, user_data);
      return;
    }

  waiter = g_new (Waiter, 1);
  waiter->owner = g_strdup (owner);
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
          waiter_free (waiter);
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
