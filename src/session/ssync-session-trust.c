/* ssync-session-trust.c: what the user decided about nearby devices, by fingerprint.
 *
 * The devices' rows are read from the history once, on a worker thread, when Nearby starts,
 * into a table kept here; questions that come before the read ends wait for it. Changes go to
 * the table at once and to the history through its writer thread.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-session-private.h"

#define TRUST_KEY "ssync-session-trust"
/* Devices kept without a decision at most (each is one row in the history). */
#define MAX_SEEN_DEVICES 1000

typedef struct {
  SsyncSessionThen then;
  gpointer data;
} Waiter;

typedef struct {
  GHashTable *devices;  /* uppercase fingerprint → SsyncDeviceRecord */
  gboolean loading;
  gboolean loaded;
  GArray *waiters;      /* Waiter, run once loaded */
} Trust;

static void
trust_free (Trust *trust)
{
  g_hash_table_unref (trust->devices);
  g_array_unref (trust->waiters);
  g_free (trust);
}

static Trust *
get_trust (SsyncSession *self)
{
  Trust *trust = g_object_get_data (G_OBJECT (self), TRUST_KEY);

  if (trust == NULL)
    {
      trust = g_new0 (Trust, 1);
      trust->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) ssync_device_record_free);
      trust->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
      g_object_set_data_full (G_OBJECT (self), TRUST_KEY, trust, (GDestroyNotify) trust_free);
    }
  return trust;
}

/* The table's key is the record's own fingerprint, uppercase as LocalSend computes it. */
static void
keep_record (Trust             *trust,
             SsyncDeviceRecord *record)
{
  g_hash_table_replace (trust->devices, record->fingerprint, record);
}

static void
list_devices_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *devices = ssync_history_list_devices (task_data, &error);

  if (devices == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, devices, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_devices_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SsyncSession *self = SSYNC_SESSION (source);
  Trust *trust = get_trust (self);
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) waiters = NULL;

  devices = g_task_propagate_pointer (G_TASK (result), &error);
  if (devices == NULL)
    g_warning ("Could not read the nearby devices from the history: %s", error->message);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      SsyncDeviceRecord *record = g_ptr_array_index (devices, i);

      SsyncDeviceRecord *newer;

      if (record->fingerprint == NULL)
        continue;
      /* A decision taken while the rows were read is newer than the row; the row may still
       * know the name (a decision from the command line gives none). */
      newer = g_hash_table_lookup (trust->devices, record->fingerprint);
      if (newer != NULL)
        {
          if (newer->alias == NULL)
            newer->alias = g_steal_pointer (&record->alias);
          if (newer->device_type == NULL)
            newer->device_type = g_steal_pointer (&record->device_type);
          newer->first_seen = MIN (newer->first_seen, record->first_seen);
          continue;
        }
      keep_record (trust, g_steal_pointer (&devices->pdata[i]));
      g_signal_emit_by_name (self, "device-trust-changed", record->fingerprint);
    }

  trust->loaded = TRUE;
  waiters = g_steal_pointer (&trust->waiters);
  trust->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = &g_array_index (waiters, Waiter, i);

      waiter->then (self, waiter->data);
    }
}

/* Reads the devices' rows once (a worker thread), then calls @then with @data; at once when
 * they were read already. */
void
ssync_session_load_devices (SsyncSession     *self,
                            SsyncSessionThen  then,
                            gpointer          data)
{
  Trust *trust = get_trust (self);
  g_autoptr(GTask) task = NULL;
  Waiter waiter = { then, data };

  if (trust->loaded)
    {
      if (then != NULL)
        then (self, data);
      return;
    }
  if (then != NULL)
    g_array_append_val (trust->waiters, waiter);
  if (trust->loading)
    return;

  trust->loading = TRUE;
  task = g_task_new (self, NULL, on_devices_listed, NULL);
  g_task_set_source_tag (task, ssync_session_load_devices);
  g_task_set_task_data (task, g_object_ref (self->history), g_object_unref);
  g_task_run_in_thread (task, list_devices_thread);
}

static void
store (SsyncSession      *self,
       SsyncDeviceRecord *record)
{
  ssync_history_record_device (self->history, record);
  keep_record (get_trust (self), record);
}

/**
 * ssync_session_get_device_trust:
 * @fingerprint: a device's fingerprint, in either case
 *
 * What the user decided about the device: UNKNOWN when it was never seen (or the history was
 * not read yet: Nearby reads it when it starts).
 */
SsyncDeviceTrust
ssync_session_get_device_trust (SsyncSession *self,
                                const char   *fingerprint)
{
  g_autofree char *key = NULL;
  SsyncDeviceRecord *record;

  g_return_val_if_fail (SSYNC_IS_SESSION (self), SSYNC_DEVICE_TRUST_UNKNOWN);

  if (fingerprint == NULL)
    return SSYNC_DEVICE_TRUST_UNKNOWN;
  key = g_ascii_strup (fingerprint, -1);
  record = g_hash_table_lookup (get_trust (self)->devices, key);
  return record != NULL ? record->trust : SSYNC_DEVICE_TRUST_UNKNOWN;
}

/* Keeps @trust for @fingerprint (in the table and the history), with the name when given;
 * whether the trust changed. */
static gboolean
update (SsyncSession     *self,
        const char       *fingerprint,
        const char       *alias,
        const char       *device_type,
        SsyncDeviceTrust  trust)
{
  SsyncDeviceRecord *old;
  SsyncDeviceRecord *record;
  gint64 now = g_get_real_time ();
  gboolean changed;

  record = g_new0 (SsyncDeviceRecord, 1);
  record->fingerprint = g_ascii_strup (fingerprint, -1);
  old = g_hash_table_lookup (get_trust (self)->devices, record->fingerprint);
  record->alias = g_strdup (alias != NULL || old == NULL ? alias : old->alias);
  record->device_type = g_strdup (device_type != NULL || old == NULL ? device_type
                                                                     : old->device_type);
  record->trust = trust;
  record->first_seen = old != NULL ? old->first_seen : now;
  record->last_seen = now;
  changed = old == NULL || old->trust != trust;
  store (self, record);
  return changed;
}

/**
 * ssync_session_set_device_trust:
 * @fingerprint: the device's fingerprint, in either case (stored in uppercase)
 * @alias: (nullable): its name, to show in a list of devices; NULL keeps the one known
 * @device_type: (nullable): its LocalSend type ("mobile", "desktop", ...); NULL keeps it
 * @trust: TRUSTED or BLOCKED keep that decision; SEEN forgets any
 *
 * Stores the decision (in the history) and emits ::device-trust-changed.
 */
void
ssync_session_set_device_trust (SsyncSession     *self,
                                const char       *fingerprint,
                                const char       *alias,
                                const char       *device_type,
                                SsyncDeviceTrust  trust)
{
  g_autofree char *key = NULL;

  g_return_if_fail (SSYNC_IS_SESSION (self));
  g_return_if_fail (fingerprint != NULL && *fingerprint != '\0');
  g_return_if_fail (trust != SSYNC_DEVICE_TRUST_UNKNOWN);

  update (self, fingerprint, alias, device_type, trust);
  key = g_ascii_strup (fingerprint, -1);
  g_signal_emit_by_name (self, "device-trust-changed", key);
}

static guint
count_seen (Trust *trust)
{
  GHashTableIter iter;
  SsyncDeviceRecord *record;
  guint seen = 0;

  g_hash_table_iter_init (&iter, trust->devices);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &record))
    seen += record->trust == SSYNC_DEVICE_TRUST_SEEN;
  return seen;
}

/* A device asked about: recorded as SEEN the first time (so the next question no longer
 * calls it new); a known one keeps its trust, and its name is brought up to date. Anyone on
 * the LAN can make up fingerprints, so only so many devices without a decision are kept. */
void
ssync_session_device_seen (SsyncSession *self,
                           const char   *fingerprint,
                           const char   *alias,
                           const char   *device_type)
{
  SsyncDeviceTrust trust = ssync_session_get_device_trust (self, fingerprint);
  g_autofree char *key = g_ascii_strup (fingerprint, -1);

  if (trust == SSYNC_DEVICE_TRUST_UNKNOWN)
    {
      if (count_seen (get_trust (self)) >= MAX_SEEN_DEVICES)
        {
          g_debug ("Not recording device %s: %u devices seen already", key, MAX_SEEN_DEVICES);
          return;
        }
      trust = SSYNC_DEVICE_TRUST_SEEN;
    }
  if (update (self, fingerprint, alias, device_type, trust))
    g_signal_emit_by_name (self, "device-trust-changed", key);
}
