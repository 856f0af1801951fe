/* ssync-digest.c: one pass over each shared file for the digests people and zips need.
 *
 * The SHA-256 is shown on the share page, so a recipient can check what arrived; the
 * CRC-32 is what a zip entry needs, and knowing it ahead spares every zip download that
 * per-byte work. Both come from one read of the file on a worker thread. GnuTLS hashes
 * with the CPU's SHA instructions (about 2 GB/s here, four times GChecksum) and is in the
 * GNOME runtime; libdeflate's CRC-32 is the one the zip writer uses.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <gnutls/crypto.h>
#include <libdeflate.h>

#include "ssync-digest.h"

#define READ_SIZE (1024 * 1024)

static gboolean
query_validators (GFileInputStream  *stream,
                  guint64           *size,
                  gint64            *mtime,
                  GCancellable      *cancellable,
                  GError           **error)
{
  g_autoptr(GFileInfo) info = g_file_input_stream_query_info (stream,
                                                              G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                                              G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                                              cancellable, error);

  if (info == NULL)
    return FALSE;

  *size = g_file_info_get_size (info);
  *mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
  return TRUE;
}

static gboolean
digest_entry (SsyncFileEntry  *entry,
              guint8          *buffer,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  gnutls_hash_hd_t hash;
  guint8 digest[32];
  char hex[65];
  guint32 crc = 0;
  guint64 size, size_after;
  gint64 mtime, mtime_after;
  gssize n;

  stream = g_file_read (ssync_file_entry_get_file (entry), cancellable, error);
  if (stream == NULL || !query_validators (stream, &size, &mtime, cancellable, error))
    return FALSE;

  if (gnutls_hash_init (&hash, GNUTLS_DIG_SHA256) < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SHA-256 is not available");
      return FALSE;
    }

  while ((n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, READ_SIZE, cancellable,
                                   error)) > 0)
    {
      gnutls_hash (hash, buffer, n);
      crc = libdeflate_crc32 (crc, buffer, n);
    }
  gnutls_hash_deinit (hash, digest);
  if (n < 0)
    return FALSE;

  /* A file written to while it was read has no digest worth keeping. */
  if (!query_validators (stream, &size_after, &mtime_after, cancellable, error))
    return FALSE;
  if (size_after != size || mtime_after != mtime)
    return TRUE;

  for (guint i = 0; i < sizeof digest; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  ssync_file_entry_set_digests (entry, size, mtime, hex, crc);
  return TRUE;
}

static void
digest_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SsyncShare *share = task_data;
  g_autofree guint8 *buffer = g_malloc (READ_SIZE);

  for (guint i = 0; i < ssync_share_get_n_files (share); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!digest_entry (ssync_share_get_file (share, i), buffer, cancellable, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          /* An unreadable file just has no digest; its download will say why. */
          g_debug ("No digest for %s: %s",
                   ssync_file_entry_get_path (ssync_share_get_file (share, i)), error->message);
        }
    }

  g_task_return_boolean (task, TRUE);
}

/* Hashes the files of @share one after the other; each entry gets its digests as soon as
 * they are known (ssync_file_entry_dup_sha256()). */
void
ssync_digest_share_async (SsyncShare          *share,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ssync_digest_share_async);
  g_task_set_task_data (task, g_object_ref (share), g_object_unref);
  g_task_run_in_thread (task, digest_thread);
}

gboolean
ssync_digest_share_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
