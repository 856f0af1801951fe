/* ssync-tus.c: the tus 1.0 protocol (core, creation, termination, expiration) at
 * /r/{token}/uploads/: the uploads kept, their expiry, HEAD, OPTIONS and DELETE, and the
 * dispatch of each request. Creation (POST) is in ssync-tus-create.c, PATCH in
 * ssync-tus-patch.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-response.h"
#include "ssync-tus-private.h"

/* How long an unfinished upload may sit untouched before it and its .part are dropped. */
#define DEFAULT_EXPIRY (24 * G_TIME_SPAN_HOUR)
#define CLEANUP_INTERVAL 60

/* libsoup 3.2 interns the methods it knows, and PATCH is not among them. */
gboolean
ssync_tus_is_patch (SoupServerMessage *msg)
{
  return g_strcmp0 (soup_server_message_get_method (msg), "PATCH") == 0;
}

G_DEFINE_FINAL_TYPE (SsyncTus, ssync_tus, G_TYPE_OBJECT)

static void
entry_clear (SsyncTusEntry *entry)
{
  g_clear_object (&entry->upload);
  g_clear_object (&entry->share);
  g_clear_object (&entry->transfer);
  g_clear_pointer (&entry->metadata, g_free);
  g_clear_pointer (&entry->address, g_free);
}

SsyncTusEntry *
ssync_tus_entry_ref (SsyncTusEntry *entry)
{
  return g_rc_box_acquire (entry);
}

void
ssync_tus_entry_unref (SsyncTusEntry *entry)
{
  g_rc_box_release_full (entry, (GDestroyNotify) entry_clear);
}

void
ssync_tus_set_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (headers, "Tus-Resumable", SSYNC_TUS_VERSION);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
}

void
ssync_tus_error (SoupServerMessage *msg,
                 guint              status,
                 const char        *text)
{
  ssync_tus_set_headers (msg);
  ssync_response_text (msg, status, text);
}

char *
ssync_tus_http_date (gint64 real_time)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (real_time / G_USEC_PER_SEC);

  return soup_date_time_to_string (date, SOUP_DATE_HTTP);
}

/* Writes down the upload's .part in the store, or moves its expiry: after a crash, cleanup
 * deletes only .part files the store lists, and a restart resumes them. */
void
ssync_tus_remember_upload (SsyncTus      *self,
                           SsyncTusEntry *entry)
{
  g_autofree char *folder = NULL;
  SsyncUploadRecord record = { 0 };

  if (self->history == NULL)
    return;

  folder = g_file_get_path (ssync_share_get_folder (entry->share));
  record.id = (char *) ssync_upload_get_id (entry->upload);
  record.share_token = (char *) ssync_share_get_token (entry->share);
  record.folder = folder;
  record.path = (char *) ssync_upload_get_path (entry->upload);
  record.part_name = (char *) ssync_upload_get_part_name (entry->upload);
  record.length = ssync_upload_get_length (entry->upload);
  record.metadata = entry->metadata;
  record.created = g_get_real_time ();
  record.expires = entry->expires;
  ssync_history_record_upload (self->history, &record);
}

void
ssync_tus_forget_upload (SsyncTus      *self,
                         SsyncTusEntry *entry)
{
  if (self->history != NULL)
    ssync_history_forget_upload (self->history, ssync_upload_get_id (entry->upload));
}

void
ssync_tus_drop_entry (SsyncTus            *self,
                      SsyncTusEntry       *entry,
                      SsyncTransferStatus  status,
                      const char          *message)
{
  entry->gone = TRUE;
  if (entry->transfer != NULL)
    {
      ssync_transfer_finish (entry->transfer, status, message);
      g_cancellable_cancel (ssync_transfer_get_cancellable (entry->transfer));
    }
  if (!ssync_upload_is_complete (entry->upload))
    ssync_upload_delete_async (entry->upload, NULL, NULL);
  ssync_tus_forget_upload (self, entry);
  g_hash_table_remove (self->uploads, ssync_upload_get_id (entry->upload));
}

static gboolean
cleanup (gpointer user_data)
{
  SsyncTus *self = user_data;
  g_autoptr(GPtrArray) expired =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_tus_entry_unref);
  GHashTableIter iter;
  SsyncTusEntry *entry;
  gint64 now = g_get_real_time ();

  g_hash_table_iter_init (&iter, self->uploads);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (!entry->busy && entry->expires <= now)
      g_ptr_array_add (expired, ssync_tus_entry_ref (entry));

  for (guint i = 0; i < expired->len; i++)
    ssync_tus_drop_entry (self, g_ptr_array_index (expired, i), SSYNC_TRANSFER_STATUS_INCOMPLETE,
                          _("The upload expired before it was finished"));

  return G_SOURCE_CONTINUE;
}

static void
ssync_tus_dispose (GObject *object)
{
  SsyncTus *self = SSYNC_TUS (object);

  g_clear_handle_id (&self->cleanup_id, g_source_remove);
  g_clear_pointer (&self->uploads, g_hash_table_unref);
  g_clear_pointer (&self->creating, g_hash_table_unref);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (ssync_tus_parent_class)->dispose (object);
}

static void
ssync_tus_class_init (SsyncTusClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_tus_dispose;
}

static void
ssync_tus_init (SsyncTus *self)
{
  self->uploads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) ssync_tus_entry_unref);
  self->creating = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->expiry = DEFAULT_EXPIRY;
  self->cleanup_id = g_timeout_add_seconds (CLEANUP_INTERVAL, cleanup, self);
}

/* @begin_transfer makes the SsyncTransfer each new upload is recorded as. */
SsyncTus *
ssync_tus_new (SsyncTusBeginTransfer begin_transfer,
               gpointer              user_data)
{
  SsyncTus *self = g_object_new (SSYNC_TYPE_TUS, NULL);

  self->begin_transfer = begin_transfer;
  self->begin_transfer_data = user_data;
  return self;
}

void
ssync_tus_set_gate (SsyncTus        *self,
                    SsyncUploadGate  gate,
                    gpointer         user_data)
{
  self->gate = gate;
  self->gate_data = user_data;
}

/* The largest upload accepted (413 beyond it); 0 means no limit but the free space. */
void
ssync_tus_set_max_size (SsyncTus *self,
                        guint64   max_size)
{
  self->max_size = max_size;
}

guint64
ssync_tus_get_max_size (SsyncTus *self)
{
  return self->max_size;
}

/* Seconds an unfinished upload may sit untouched before it and its .part are dropped (a day
 * unless changed); expired uploads are looked for at least that often. */
void
ssync_tus_set_expiry (SsyncTus *self,
                      guint     seconds)
{
  g_return_if_fail (seconds > 0);

  self->expiry = seconds * G_USEC_PER_SEC;
  g_clear_handle_id (&self->cleanup_id, g_source_remove);
  self->cleanup_id = g_timeout_add_seconds (MIN (seconds, CLEANUP_INTERVAL), cleanup, self);
}

/* Where unfinished uploads are written down (NULL: nowhere, nothing survives a restart). */
void
ssync_tus_set_history (SsyncTus     *self,
                       SsyncHistory *history)
{
  g_set_object (&self->history, history);
}

/* Serves again an unfinished upload of an earlier run (ssync_upload_reopen()) under @share,
 * whose token is the one it was created under: its URL answers HEAD with the bytes the .part
 * holds, and PATCH goes on from there. */
void
ssync_tus_restore (SsyncTus    *self,
                   SsyncShare  *share,
                   SsyncUpload *upload,
                   const char  *metadata,
                   gint64       expires)
{
  SsyncTusEntry *entry = g_rc_box_new0 (SsyncTusEntry);

  entry->upload = g_object_ref (upload);
  entry->share = g_object_ref (share);
  entry->metadata = g_strdup (metadata);
  entry->expires = expires;
  entry->done_keep = MIN (SSYNC_TUS_DONE_KEEP, self->expiry);
  g_hash_table_replace (self->uploads, (gpointer) ssync_upload_get_id (upload), entry);
}

/* Ends every upload into @share (it stopped or expired): transfers end cancelled. */
void
ssync_tus_cancel_share (SsyncTus   *self,
                        SsyncShare *share)
{
  g_autoptr(GPtrArray) matching =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_tus_entry_unref);
  GHashTableIter iter;
  SsyncTusEntry *entry;

  g_hash_table_iter_init (&iter, self->uploads);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->share == share)
      g_ptr_array_add (matching, ssync_tus_entry_ref (entry));

  for (guint i = 0; i < matching->len; i++)
    ssync_tus_drop_entry (self, g_ptr_array_index (matching, i), SSYNC_TRANSFER_STATUS_CANCELLED,
                          _("Receiving was stopped"));
}

/* Looks up @id within @share; answers 404 or 410 itself when there is no such upload. */
SsyncTusEntry *
ssync_tus_lookup (SsyncTus          *self,
                  SoupServerMessage *msg,
                  SsyncShare        *share,
                  const char        *id)
{
  SsyncTusEntry *entry = g_hash_table_lookup (self->uploads, id);

  if (entry == NULL || entry->share != share)
    {
      ssync_tus_error (msg, SOUP_STATUS_NOT_FOUND, _("No such upload"));
      return NULL;
    }
  if (entry->expires <= g_get_real_time () && !entry->busy)
    {
      ssync_tus_drop_entry (self, entry, SSYNC_TRANSFER_STATUS_INCOMPLETE,
                            _("The upload expired before it was finished"));
      ssync_tus_error (msg, SOUP_STATUS_GONE, _("This upload expired; start it again"));
      return NULL;
    }
  return entry;
}

gboolean
ssync_tus_check_version (SoupServerMessage *msg)
{
  const char *version = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                      "Tus-Resumable");

  if (g_strcmp0 (version, SSYNC_TUS_VERSION) == 0)
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Tus-Version",
                                SSYNC_TUS_VERSION);
  ssync_tus_error (msg, SOUP_STATUS_PRECONDITION_FAILED,
                   _("This server speaks tus 1.0.0 (send Tus-Resumable: 1.0.0)"));
  return FALSE;
}

/* A finished upload answers HEAD a little longer, then goes. */
void
ssync_tus_entry_done (SsyncTusEntry *entry)
{
  ssync_transfer_set_result (entry->transfer, ssync_upload_get_sha256 (entry->upload),
                             ssync_upload_get_saved_as (entry->upload));
  ssync_transfer_finish (entry->transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  entry->expires = g_get_real_time () + entry->done_keep;
}

void
ssync_tus_set_offset_headers (SoupServerMessage *msg,
                              SsyncTusEntry     *entry)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char number[32];

  g_snprintf (number, sizeof number, "%" G_GUINT64_FORMAT,
              ssync_upload_get_offset (entry->upload));
  soup_message_headers_replace (headers, "Upload-Offset", number);
  g_snprintf (number, sizeof number, "%" G_GUINT64_FORMAT,
              ssync_upload_get_length (entry->upload));
  soup_message_headers_replace (headers, "Upload-Length", number);

  if (ssync_upload_is_complete (entry->upload))
    {
      g_autofree char *saved = g_uri_escape_string (ssync_upload_get_saved_as (entry->upload),
                                                    NULL, FALSE);

      soup_message_headers_replace (headers, "Upload-Sha256",
                                    ssync_upload_get_sha256 (entry->upload));
      soup_message_headers_replace (headers, "Upload-Saved-As", saved);
    }
  else
    {
      g_autofree char *expires = ssync_tus_http_date (entry->expires);

      soup_message_headers_replace (headers, "Upload-Expires", expires);
    }
}

static void
handle_head (SsyncTus          *self,
             SoupServerMessage *msg,
             SsyncTusEntry     *entry)
{
  ssync_tus_set_headers (msg);
  ssync_tus_set_offset_headers (msg, entry);
  if (entry->metadata != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Upload-Metadata", entry->metadata);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
handle_options (SsyncTus          *self,
                SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  ssync_tus_set_headers (msg);
  soup_message_headers_replace (headers, "Tus-Version", SSYNC_TUS_VERSION);
  soup_message_headers_replace (headers, "Tus-Extension", "creation,termination,expiration");
  if (self->max_size > 0)
    {
      char number[32];

      g_snprintf (number, sizeof number, "%" G_GUINT64_FORMAT, self->max_size);
      soup_message_headers_replace (headers, "Tus-Max-Size", number);
    }
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

void
ssync_tus_handle (SsyncTus          *self,
                  SoupServerMessage *msg,
                  SsyncShare        *share,
                  const char        *upload_id)
{
  const char *method = soup_server_message_get_method (msg);
  SsyncTusEntry *entry;

  if (method == SOUP_METHOD_OPTIONS)
    {
      handle_options (self, msg);
      return;
    }

  if (ssync_tus_is_patch (msg))
    {
      ssync_tus_handle_patch (self, msg);
      return;
    }

  if (!ssync_tus_check_version (msg))
    return;

  if (upload_id == NULL)
    {
      if (method == SOUP_METHOD_POST)
        ssync_tus_handle_create (self, msg, share);
      else
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Allow", "OPTIONS, POST");
          ssync_tus_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Create uploads with POST"));
        }
      return;
    }

  if ((entry = ssync_tus_lookup (self, msg, share, upload_id)) == NULL)
    return;

  if (method == SOUP_METHOD_HEAD || method == SOUP_METHOD_GET)
    handle_head (self, msg, entry);
  else if (method == SOUP_METHOD_DELETE)
    {
      ssync_tus_drop_entry (self, entry, SSYNC_TRANSFER_STATUS_CANCELLED,
                            _("The sender cancelled the upload"));
      ssync_tus_set_headers (msg);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "OPTIONS, HEAD, PATCH, DELETE");
      ssync_tus_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Not a tus method"));
    }
}

