/* ssync-history-writer.c: the history's one writer thread.
 *
 * Writes are snapshotted on the calling thread and applied in call order by one worker
 * thread, so neither the window nor the server waits for the disk. Each record kind
 * (ssync-history-transfers.c, -pushes.c, -uploads.c) queues a function and the copy it writes;
 * this file decides which of them share a transaction.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include "ssync-history-private.h"

typedef struct {
  SsyncHistoryWriteMode mode;
  SsyncHistoryWriteFunc func;
  gpointer data;
  GDestroyNotify free_data;
} Job;

typedef struct {
  GMutex mutex;
  GCond cond;
  gboolean done;
} Barrier;

/* Writes queued behind each other share one transaction: under load (a download starts
 * and ends every millisecond) that is one WAL commit per burst instead of two per
 * download. The transaction commits as soon as the queue is empty, before a flush
 * returns, and at least every BATCH_MAX_AGE under a load that never lets the queue empty,
 * so a crash loses at most that much history. */
#define BATCH_MAX_AGE (100 * G_TIME_SPAN_MILLISECOND)

static void
begin_batch (SsyncHistory *self)
{
  self->in_batch = ssync_history_exec (self, "BEGIN IMMEDIATE", NULL);
  self->batch_started = g_get_monotonic_time ();
}

static void
end_batch (SsyncHistory *self)
{
  g_autoptr(GError) error = NULL;

  if (!self->in_batch)
    return;

  self->in_batch = FALSE;
  if (!ssync_history_exec (self, "COMMIT", &error))
    g_warning ("Could not save the history to %s: %s", self->path, error->message);
}

/* Commits the batch once nothing more is queued or it is old enough. */
static void
maybe_end_batch (SsyncHistory *self)
{
  if (g_atomic_int_get (&self->queued) == 0 ||
      g_get_monotonic_time () - self->batch_started > BATCH_MAX_AGE)
    end_batch (self);
}

/* Runs on the writer thread. */
static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  SsyncHistory *self = user_data;
  gboolean more;

  /* Counted by hand: the pool cannot be asked while dispose is freeing it. */
  more = !g_atomic_int_dec_and_test (&self->queued);

  if (job->mode == SSYNC_HISTORY_WRITE_ALONE)
    end_batch (self);
  else if (job->mode == SSYNC_HISTORY_WRITE_BATCHED && !self->in_batch && more)
    begin_batch (self);

  job->func (self, job->data);
  if (job->free_data != NULL)
    job->free_data (job->data);
  g_free (job);

  maybe_end_batch (self);
}

gboolean
ssync_history_writer_start (SsyncHistory  *self,
                            GError       **error)
{
  self->writer = g_thread_pool_new (run_job, self, 1, TRUE, error);
  return self->writer != NULL;
}

/* Waiting (the last TRUE) lets the writer finish every queued job before the statements and
 * the connection it uses go away. */
void
ssync_history_writer_stop (SsyncHistory *self)
{
  if (self->writer != NULL)
    {
      g_thread_pool_free (self->writer, FALSE, TRUE);
      self->writer = NULL;
    }
}

/* Queues @func to run with @data on the writer thread after every write queued before it;
 * @free_data (if any) frees @data afterwards. The pool is exclusive, so its one thread already
 * runs and pushing never has to start one, which is the only way g_thread_pool_push() can
 * fail. */
void
ssync_history_queue_write (SsyncHistory          *self,
                           SsyncHistoryWriteMode  mode,
                           SsyncHistoryWriteFunc  func,
                           gpointer               data,
                           GDestroyNotify         free_data)
{
  Job *job = g_new0 (Job, 1);

  job->mode = mode;
  job->func = func;
  job->data = data;
  job->free_data = free_data;

  g_atomic_int_inc (&self->queued);
  g_thread_pool_push (self->writer, job, NULL);
}

/* Runs on the writer thread, after end_batch(): everything queued before is committed. */
static void
release_barrier (SsyncHistory *self,
                 gpointer      data)
{
  Barrier *barrier = data;

  g_mutex_lock (&barrier->mutex);
  barrier->done = TRUE;
  g_cond_signal (&barrier->cond);
  g_mutex_unlock (&barrier->mutex);
}

/* Blocks until every write queued before this call is in the database. Call it from any
 * thread but the writer's. */
void
ssync_history_flush (SsyncHistory *self)
{
  Barrier barrier = { .done = FALSE };

  g_return_if_fail (SSYNC_IS_HISTORY (self));

  if (self->writer == NULL)
    return;

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);

  ssync_history_queue_write (self, SSYNC_HISTORY_WRITE_ALONE, release_barrier, &barrier, NULL);

  g_mutex_lock (&barrier.mutex);
  while (!barrier.done)
    g_cond_wait (&barrier.cond, &barrier.mutex);
  g_mutex_unlock (&barrier.mutex);

  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);
}
