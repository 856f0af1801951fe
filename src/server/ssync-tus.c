/* ssync-tus.c: the tus 1.0 protocol (core, creation, termination, expiration) at
 * /r/{token}/uploads/.
 *
 * A PATCH body never sits in memory: the early handler, which runs once the headers are
 * read, checks the request and turns accumulation off, and every chunk libsoup reads is
 * appended to a 1 MiB buffer that is written on a worker thread while the next one fills
 * (NOTES.md). When both are busy the message is paused, so a fast client can not outrun
 * the disk by more than 2 MiB.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-response.h"
#include "ssync-filename.h"
#include "ssync-tus-headers.h"
#include "ssync-tus.h"

#define WRITE_SIZE (1024 * 1024)
/* libsoup hands request bodies over in chunks of at most 8 KiB: with this room a buffer
 * never grows (and is never copied) past WRITE_SIZE. */
#define FILL_SLACK (64 * 1024)

/* libsoup 3.2 interns the methods it knows, and PATCH is not among them. */
static gboolean
is_patch (SoupServerMessage *msg)
{
  return g_strcmp0 (soup_server_message_get_method (msg), "PATCH") == 0;
}
/* How long an unfinished upload may sit untouched before it and its .part are dropped. */
#define DEFAULT_EXPIRY (24 * G_TIME_SPAN_HOUR)
#define CLEANUP_INTERVAL 60
/* How long a finished upload still answers HEAD (a client that missed the last answer). */
#define DONE_KEEP (10 * G_TIME_SPAN_MINUTE)
/* Uploads kept in memory (unfinished, or finished and still answering), per client address
 * and in all: a client that creates uploads and never sends them can not grow the server. */
#define MAX_PER_ADDRESS 32
#define MAX_UPLOADS 1024

typedef struct {
  SsyncUpload *upload;
  SsyncShare *share;
  /* NULL for an upload restored after a restart, and finished when a PATCH failed: the next
   * PATCH then begins a new transfer from the upload's offset. */
  SsyncTransfer *transfer;
  char *metadata;
  char *address;   /* the client that created it */
  gint64 expires;  /* real time, microseconds */
  gint64 done_keep;  /* how long it stays once finished */
  gboolean busy;   /* a PATCH is writing */
  gboolean gone;   /* terminated or expired */
} Entry;

struct _SsyncTus
{
  GObject parent_instance;

  GHashTable *uploads;  /* id → Entry (refcounted box) */
  GHashTable *creating; /* address → number of creations not answered yet */
  guint n_creating;
  SsyncTusBeginTransfer begin_transfer;
  gpointer begin_transfer_data;
  SsyncUploadGate gate;
  gpointer gate_data;
  SsyncHistory *history;  /* lists every .part, so that a restart can resume it */
  guint64 max_size;
  gint64 expiry;
  guint cleanup_id;
};

G_DEFINE_FINAL_TYPE (SsyncTus, ssync_tus, G_TYPE_OBJECT)

static void
entry_clear (Entry *entry)
{
  g_clear_object (&entry->upload);
  g_clear_object (&entry->share);
  g_clear_object (&entry->transfer);
  g_clear_pointer (&entry->metadata, g_free);
  g_clear_pointer (&entry->address, g_free);
}

static Entry *
entry_ref (Entry *entry)
{
  return g_rc_box_acquire (entry);
}

static void
entry_unref (Entry *entry)
{
  g_rc_box_release_full (entry, (GDestroyNotify) entry_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Entry, entry_unref)

static void
set_tus_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (headers, "Tus-Resumable", SSYNC_TUS_VERSION);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
}

static void
tus_error (SoupServerMessage *msg,
           guint              status,
           const char        *text)
{
  set_tus_headers (msg);
  ssync_response_text (msg, status, text);
}

static char *
http_date (gint64 real_time)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (real_time / G_USEC_PER_SEC);

  return soup_date_time_to_string (date, SOUP_DATE_HTTP);
}

/* Writes down the upload's .part in the store, or moves its expiry: after a crash, cleanup
 * deletes only .part files the store lists, and a restart resumes them. */
static void
remember_upload (SsyncTus *self,
                 Entry    *entry)
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

static void
forget_upload (SsyncTus *self,
               Entry    *entry)
{
  if (self->history != NULL)
    ssync_history_forget_upload (self->history, ssync_upload_get_id (entry->upload));
}

static void
drop_entry (SsyncTus            *self,
            Entry               *entry,
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
  forget_upload (self, entry);
  g_hash_table_remove (self->uploads, ssync_upload_get_id (entry->upload));
}

static gboolean
cleanup (gpointer user_data)
{
  SsyncTus *self = user_data;
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_unref);
  GHashTableIter iter;
  Entry *entry;
  gint64 now = g_get_real_time ();

  g_hash_table_iter_init (&iter, self->uploads);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (!entry->busy && entry->expires <= now)
      g_ptr_array_add (expired, entry_ref (entry));

  for (guint i = 0; i < expired->len; i++)
    drop_entry (self, g_ptr_array_index (expired, i), SSYNC_TRANSFER_STATUS_INCOMPLETE,
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
                                         (GDestroyNotify) entry_unref);
  self->creating = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->expiry = DEFAULT_EXPIRY;
  self->cleanup_id = g_timeout_add_seconds (CLEANUP_INTERVAL, cleanup, self);

  /* Tunable without a rebuild, and short in tests. */
  if (g_getenv ("SHARESYNC_UPLOAD_EXPIRY") != NULL)
    {
      guint64 seconds;

      if (g_ascii_string_to_unsigned (g_getenv ("SHARESYNC_UPLOAD_EXPIRY"), 10, 1, G_MAXINT32,
                                      &seconds, NULL))
        {
          self->expiry = seconds * G_USEC_PER_SEC;
          g_clear_handle_id (&self->cleanup_id, g_source_remove);
          self->cleanup_id = g_timeout_add_seconds (MIN (seconds, CLEANUP_INTERVAL), cleanup,
                                                    self);
        }
    }
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
  Entry *entry = g_rc_box_new0 (Entry);

  entry->upload = g_object_ref (upload);
  entry->share = g_object_ref (share);
  entry->metadata = g_strdup (metadata);
  entry->expires = expires;
  entry->done_keep = MIN (DONE_KEEP, self->expiry);
  g_hash_table_replace (self->uploads, (gpointer) ssync_upload_get_id (upload), entry);
}

/* Ends every upload into @share (it stopped or expired): transfers end cancelled. */
void
ssync_tus_cancel_share (SsyncTus   *self,
                        SsyncShare *share)
{
  g_autoptr(GPtrArray) matching = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_unref);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->uploads);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->share == share)
      g_ptr_array_add (matching, entry_ref (entry));

  for (guint i = 0; i < matching->len; i++)
    drop_entry (self, g_ptr_array_index (matching, i), SSYNC_TRANSFER_STATUS_CANCELLED,
                _("Receiving was stopped"));
}

/* Looks up @id within @share; answers 404 or 410 itself when there is no such upload. */
static Entry *
lookup (SsyncTus          *self,
        SoupServerMessage *msg,
        SsyncShare        *share,
        const char        *id)
{
  Entry *entry = g_hash_table_lookup (self->uploads, id);

  if (entry == NULL || entry->share != share)
    {
      tus_error (msg, SOUP_STATUS_NOT_FOUND, _("No such upload"));
      return NULL;
    }
  if (entry->expires <= g_get_real_time () && !entry->busy)
    {
      drop_entry (self, entry, SSYNC_TRANSFER_STATUS_INCOMPLETE,
                  _("The upload expired before it was finished"));
      tus_error (msg, SOUP_STATUS_GONE, _("This upload expired; start it again"));
      return NULL;
    }
  return entry;
}

static gboolean
check_version (SoupServerMessage *msg)
{
  const char *version = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                      "Tus-Resumable");

  if (g_strcmp0 (version, SSYNC_TUS_VERSION) == 0)
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Tus-Version",
                                SSYNC_TUS_VERSION);
  tus_error (msg, SOUP_STATUS_PRECONDITION_FAILED,
             _("This server speaks tus 1.0.0 (send Tus-Resumable: 1.0.0)"));
  return FALSE;
}

/* Looks @key up in @metadata (parsed at creation); NULL when absent. */
static const char *
metadata_get (GHashTable *metadata,
              const char *key)
{
  return metadata != NULL ? g_hash_table_lookup (metadata, key) : NULL;
}

/* ---- Creation (POST) ---- */

typedef struct {
  SsyncTus *tus;
  SoupServerMessage *msg;
  SsyncShare *share;
  char *address;
  char *path;
  guint64 length;
  /* While the user has not answered: */
  SsyncUploadRequest *request;
  gulong decided_id;
  gulong disconnected_id;
} Creation;

static const char *
remote_address (SoupServerMessage *msg)
{
  const char *address = soup_server_message_get_remote_host (msg);

  return address != NULL ? address : "";
}

static void
count_creation (SsyncTus   *self,
                const char *address,
                int         delta)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->creating, address)) + delta;

  self->n_creating += delta;
  if (n == 0)
    g_hash_table_remove (self->creating, address);
  else
    g_hash_table_replace (self->creating, g_strdup (address), GUINT_TO_POINTER (n));
}

static void
creation_free (Creation *creation)
{
  count_creation (creation->tus, creation->address, -1);
  g_free (creation->address);
  if (creation->request != NULL)
    g_clear_signal_handler (&creation->decided_id, creation->request);
  g_clear_signal_handler (&creation->disconnected_id, creation->msg);
  g_clear_object (&creation->request);
  g_clear_object (&creation->tus);
  g_clear_object (&creation->msg);
  g_clear_object (&creation->share);
  g_free (creation->path);
  g_free (creation);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Creation, creation_free)

/* A finished upload answers HEAD a little longer, then goes. */
static void
entry_done (Entry *entry)
{
  ssync_transfer_set_result (entry->transfer, ssync_upload_get_sha256 (entry->upload),
                             ssync_upload_get_saved_as (entry->upload));
  ssync_transfer_finish (entry->transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  entry->expires = g_get_real_time () + entry->done_keep;
}

static void
on_empty_completed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(Entry) entry = user_data;
  g_autoptr(GError) error = NULL;

  if (entry->gone)
    return;
  if (ssync_upload_complete_finish (entry->upload, result, &error))
    entry_done (entry);
  else
    ssync_transfer_finish (entry->transfer, SSYNC_TRANSFER_STATUS_FAILED, error->message);
}

static void
on_upload_created (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(Creation) creation = user_data;
  SoupServerMessage *msg = creation->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(SsyncUpload) upload = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  g_autofree char *expires = NULL;
  Entry *entry;

  upload = ssync_upload_new_finish (result, &error);
  if (upload == NULL)
    {
      guint status = SOUP_STATUS_INTERNAL_SERVER_ERROR;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        status = SOUP_STATUS_INSUFFICIENT_STORAGE;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
        status = SOUP_STATUS_CONFLICT;  /* a file or link stands where a folder would go */
      tus_error (msg, status, error->message);
      soup_server_message_unpause (msg);
      return;
    }

  entry = g_rc_box_new0 (Entry);
  entry->upload = g_object_ref (upload);
  entry->share = g_object_ref (creation->share);
  entry->metadata = g_strdup (soup_message_headers_get_one (
                                soup_server_message_get_request_headers (msg), "Upload-Metadata"));
  entry->address = g_strdup (creation->address);
  entry->done_keep = MIN (DONE_KEEP, creation->tus->expiry);
  entry->expires = g_get_real_time () + creation->tus->expiry;
  entry->transfer = creation->tus->begin_transfer (msg, creation->share,
                                                   ssync_upload_get_path (upload), 0,
                                                   creation->length,
                                                   creation->tus->begin_transfer_data);
  g_hash_table_insert (creation->tus->uploads, (gpointer) ssync_upload_get_id (upload), entry);
  if (creation->length > 0)
    remember_upload (creation->tus, entry);

  location = g_strdup_printf ("/r/%s/uploads/%s", ssync_share_get_token (creation->share),
                              ssync_upload_get_id (upload));
  expires = http_date (entry->expires);
  set_tus_headers (msg);
  soup_message_headers_replace (headers, "Location", location);
  soup_message_headers_replace (headers, "Upload-Expires", expires);
  soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
  soup_server_message_unpause (msg);

  /* An empty file is complete as soon as it exists. */
  if (creation->length == 0)
    ssync_upload_complete_async (upload, NULL, on_empty_completed, entry_ref (entry));
}

static void
on_free_space (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Creation *creation = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_filesystem_info_finish (G_FILE (source), result, &error);
  if (info == NULL)
    {
      /* The message names the folder: for the owner's log, never for the client. */
      g_message ("Receive folder not available: %s", error->message);
      tus_error (creation->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                 _("The receiving folder is not available"));
      soup_server_message_unpause (creation->msg);
      creation_free (creation);
      return;
    }

  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE) &&
      creation->length > g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    {
      g_autofree char *need = g_format_size (creation->length);
      g_autofree char *text = g_strdup_printf (_("Not enough free space on the receiving "
                                                 "computer for %s (%s)"),
                                               creation->path, need);

      tus_error (creation->msg, SOUP_STATUS_INSUFFICIENT_STORAGE, text);
      soup_server_message_unpause (creation->msg);
      creation_free (creation);
      return;
    }

  ssync_upload_new_async (G_FILE (source), creation->path, creation->length, NULL,
                          on_upload_created, creation);
}

static void
check_free_space (Creation *creation)
{
  g_file_query_filesystem_info_async (ssync_share_get_folder (creation->share),
                                      G_FILE_ATTRIBUTE_FILESYSTEM_FREE, G_PRIORITY_DEFAULT, NULL,
                                      on_free_space, creation);
}

static void
refuse_declined (Creation *creation)
{
  g_autofree char *text = g_strdup_printf (_("The receiver declined “%s”"), creation->path);

  /* A plain 403 means the page lost its unlock cookie; this header tells the two apart. */
  soup_message_headers_replace (soup_server_message_get_response_headers (creation->msg),
                                "Upload-Declined", "true");
  tus_error (creation->msg, SOUP_STATUS_FORBIDDEN, text);
  soup_server_message_unpause (creation->msg);
  creation_free (creation);
}

static void
on_request_decided (SsyncUploadRequest *request,
                    Creation           *creation)
{
  g_clear_signal_handler (&creation->decided_id, request);
  g_clear_signal_handler (&creation->disconnected_id, creation->msg);

  if (ssync_upload_request_get_state (request) == SSYNC_UPLOAD_REQUEST_ACCEPTED)
    check_free_space (creation);
  else
    refuse_declined (creation);
}

/* The sender gave up waiting: nothing to answer any more. */
static void
on_waiting_sender_gone (SoupServerMessage *msg,
                        Creation          *creation)
{
  creation_free (creation);
}

static void
refuse_busy (SoupServerMessage *msg,
             guint              status,
             const char        *text)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                "60");
  tus_error (msg, status, text);
}

/* Whether one more upload may be kept for @msg's client: finished uploads (kept only to
 * answer HEAD) make room first, oldest first; unfinished ones count until they expire. */
static gboolean
make_room (SsyncTus          *self,
           SoupServerMessage *msg)
{
  const char *address = remote_address (msg);
  guint here = GPOINTER_TO_UINT (g_hash_table_lookup (self->creating, address));
  guint total = self->n_creating + g_hash_table_size (self->uploads);
  Entry *oldest_done_here = NULL;
  Entry *oldest_done = NULL;
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->uploads);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      gboolean done = ssync_upload_is_complete (entry->upload);
      gboolean same = g_strcmp0 (entry->address, address) == 0;

      here += same;
      if (done && (oldest_done == NULL || entry->expires < oldest_done->expires))
        oldest_done = entry;
      if (done && same && (oldest_done_here == NULL ||
                           entry->expires < oldest_done_here->expires))
        oldest_done_here = entry;
    }

  if (here >= MAX_PER_ADDRESS && oldest_done_here != NULL)
    {
      g_hash_table_remove (self->uploads, ssync_upload_get_id (oldest_done_here->upload));
      here--;
      total--;
    }
  else if (total >= MAX_UPLOADS && oldest_done != NULL)
    {
      g_hash_table_remove (self->uploads, ssync_upload_get_id (oldest_done->upload));
      total--;
    }

  if (here >= MAX_PER_ADDRESS)
    {
      refuse_busy (msg, 429 /* Too Many Requests */,
                   _("Too many unfinished uploads from this device: finish or cancel some "
                     "first"));
      return FALSE;
    }
  if (total >= MAX_UPLOADS)
    {
      refuse_busy (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                   _("Too many unfinished uploads: try again later"));
      return FALSE;
    }
  return TRUE;
}

static void
handle_create (SsyncTus          *self,
               SoupServerMessage *msg,
               SsyncShare        *share)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  const char *metadata = soup_message_headers_get_one (req, "Upload-Metadata");
  Creation *creation;
  g_autoptr(GHashTable) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sanitised = NULL;
  const char *path;
  guint64 length;

  if (soup_message_headers_get_one (req, "Upload-Defer-Length") != NULL)
    {
      tus_error (msg, SOUP_STATUS_BAD_REQUEST, _("Upload-Defer-Length is not supported"));
      return;
    }
  if (!ssync_tus_parse_size (soup_message_headers_get_one (req, "Upload-Length"), &length))
    {
      tus_error (msg, SOUP_STATUS_BAD_REQUEST, _("Upload-Length must be a number of bytes"));
      return;
    }
  if (self->max_size > 0 && length > self->max_size)
    {
      g_autofree char *max = g_format_size (self->max_size);
      g_autofree char *text = g_strdup_printf (_("The file is too large: at most %s"), max);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Tus-Max-Size",
                                    g_ascii_dtostr ((char[32]) { 0 }, 32, (double) self->max_size));
      tus_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
      return;
    }

  parsed = ssync_tus_parse_metadata (metadata, &error);
  if (parsed == NULL)
    {
      tus_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  path = metadata_get (parsed, "relativePath");
  if (path == NULL || path[0] == '\0')
    path = metadata_get (parsed, "filename");
  /* Checked before the user is asked: a path that can not be received is refused now. */
  sanitised = ssync_filename_sanitize_path (path, NULL, &error);
  if (sanitised == NULL)
    {
      tus_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  if (!make_room (self, msg))
    return;

  creation = g_new0 (Creation, 1);
  creation->address = g_strdup (remote_address (msg));
  count_creation (self, creation->address, +1);
  creation->tus = g_object_ref (self);
  creation->msg = g_object_ref (msg);
  creation->share = g_object_ref (share);
  creation->length = length;
  creation->path = g_strdup (path);
  if (self->gate != NULL)
    creation->request = self->gate (share, soup_server_message_get_remote_host (msg),
                                    soup_message_headers_get_one (req, "User-Agent"),
                                    creation->path != NULL ? creation->path : "",
                                    length, self->gate_data);

  soup_server_message_pause (msg);
  if (creation->request == NULL ||
      ssync_upload_request_get_state (creation->request) == SSYNC_UPLOAD_REQUEST_ACCEPTED)
    check_free_space (creation);
  else if (ssync_upload_request_get_state (creation->request) == SSYNC_UPLOAD_REQUEST_DECLINED)
    refuse_declined (creation);
  else
    {
      creation->decided_id = g_signal_connect (creation->request, "decided",
                                               G_CALLBACK (on_request_decided), creation);
      creation->disconnected_id = g_signal_connect (msg, "disconnected",
                                                    G_CALLBACK (on_waiting_sender_gone),
                                                    creation);
    }
}

/* ---- HEAD, OPTIONS, DELETE ---- */

static void
set_offset_headers (SoupServerMessage *msg,
                    Entry             *entry)
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
      g_autofree char *expires = http_date (entry->expires);

      soup_message_headers_replace (headers, "Upload-Expires", expires);
    }
}

static void
handle_head (SsyncTus          *self,
             SoupServerMessage *msg,
             Entry             *entry)
{
  set_tus_headers (msg);
  set_offset_headers (msg, entry);
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

  set_tus_headers (msg);
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

/* ---- PATCH ---- */

typedef struct {
  SsyncTus *tus;
  Entry *entry;
  SoupServerMessage *msg;
  GByteArray *fill;
  guint64 expected_end;   /* offset after this request's body */
  gboolean writing;
  gboolean paused;
  gboolean body_done;
  gboolean handler_waiting;
  gboolean responded;
  gboolean msg_gone;
  GError *error;
} Patch;

static void patch_write_next (Patch *patch);

static void
patch_free (Patch *patch)
{
  g_clear_object (&patch->tus);
  g_clear_pointer (&patch->entry, entry_unref);
  g_clear_object (&patch->msg);
  g_clear_pointer (&patch->fill, g_byte_array_unref);
  g_clear_error (&patch->error);
  g_free (patch);
}

/* The PATCH is over once the message is gone and nothing is being written. */
static void
patch_maybe_free (Patch *patch)
{
  if (patch->msg_gone && !patch->writing)
    {
      patch->entry->busy = FALSE;
      patch_free (patch);
    }
}

static void
patch_respond (Patch *patch,
               guint  status)
{
  SoupServerMessage *msg = patch->msg;

  if (patch->responded || patch->msg_gone)
    return;
  patch->responded = TRUE;

  set_tus_headers (msg);
  set_offset_headers (msg, patch->entry);
  if (patch->error != NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      ssync_response_text (msg, status, patch->error->message);
    }
  else
    soup_server_message_set_status (msg, status, NULL);

  if (patch->handler_waiting)
    soup_server_message_unpause (msg);
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Patch *patch = user_data;
  Entry *entry = patch->entry;

  patch->writing = FALSE;
  if (ssync_upload_complete_finish (entry->upload, result, &patch->error))
    {
      entry_done (entry);
      forget_upload (patch->tus, entry);
      patch_respond (patch, SOUP_STATUS_NO_CONTENT);
    }
  else
    {
      ssync_transfer_finish (entry->transfer, SSYNC_TRANSFER_STATUS_FAILED,
                             patch->error->message);
      patch_respond (patch, g_error_matches (patch->error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)
                              ? SOUP_STATUS_INSUFFICIENT_STORAGE
                              : SOUP_STATUS_INTERNAL_SERVER_ERROR);
    }

  patch_maybe_free (patch);
}

/* Everything this request brought is written: answer, after making the file final if it
 * was the last part. */
static void
patch_finish (Patch *patch)
{
  Entry *entry = patch->entry;

  if (patch->error != NULL)
    {
      /* The user sees why (a full disk); a later PATCH resumes under a new transfer. */
      ssync_transfer_finish (entry->transfer, SSYNC_TRANSFER_STATUS_FAILED,
                             patch->error->message);
      patch_respond (patch, g_error_matches (patch->error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)
                              ? SOUP_STATUS_INSUFFICIENT_STORAGE
                              : SOUP_STATUS_INTERNAL_SERVER_ERROR);
      return;
    }

  if (!entry->gone &&
      ssync_upload_get_offset (entry->upload) == ssync_upload_get_length (entry->upload))
    {
      patch->writing = TRUE;
      ssync_upload_complete_async (entry->upload, NULL, on_completed, patch);
      return;
    }

  patch_respond (patch, SOUP_STATUS_NO_CONTENT);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Patch *patch = user_data;
  guint64 before = ssync_transfer_get_offset (patch->entry->transfer) +
                   ssync_transfer_get_bytes (patch->entry->transfer);
  guint64 now_at = ssync_upload_get_offset (patch->entry->upload);

  patch->writing = FALSE;
  if (!ssync_upload_write_finish (patch->entry->upload, result, &patch->error))
    g_message ("%s", patch->error->message);

  if (now_at > before)
    ssync_transfer_add_bytes (patch->entry->transfer, now_at - before);
  patch->entry->expires = g_get_real_time () + patch->tus->expiry;

  if (patch->paused && !patch->msg_gone)
    {
      patch->paused = FALSE;
      soup_server_message_unpause (patch->msg);
    }

  if (patch->error == NULL && (patch->fill->len >= WRITE_SIZE ||
                               ((patch->body_done || patch->msg_gone) && patch->fill->len > 0)))
    patch_write_next (patch);
  else if (patch->body_done && !patch->msg_gone)
    patch_finish (patch);

  patch_maybe_free (patch);
}

static void
patch_write_next (Patch *patch)
{
  g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&patch->fill));

  patch->fill = g_byte_array_sized_new (WRITE_SIZE + FILL_SLACK);
  patch->writing = TRUE;
  ssync_upload_write_async (patch->entry->upload, bytes, NULL, on_written, patch);
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              Patch             *patch)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (patch->error != NULL || patch->entry->gone)
    return;

  g_byte_array_append (patch->fill, data, len);
  if (patch->fill->len < WRITE_SIZE)
    return;

  if (!patch->writing)
    patch_write_next (patch);
  else if (!patch->paused)
    {
      /* Both buffers are busy: let the disk catch up before reading more. */
      patch->paused = TRUE;
      soup_server_message_pause (msg);
    }
}

static void
on_got_body (SoupServerMessage *msg,
             Patch             *patch)
{
  patch->body_done = TRUE;
  if (patch->writing)
    return;
  if (patch->fill->len > 0 && patch->error == NULL && !patch->entry->gone)
    patch_write_next (patch);
  else
    patch_finish (patch);
}

/* The exchange is over: answered, or the client went away mid-body. What did arrive is
 * still written, so the upload resumes from there. */
static void
on_finished (SoupServerMessage *msg,
             Patch             *patch)
{
  g_signal_handlers_disconnect_by_data (msg, patch);
  g_signal_handlers_disconnect_by_data (ssync_transfer_get_cancellable (patch->entry->transfer),
                                        patch);
  patch->msg_gone = TRUE;

  if (!patch->writing && patch->fill->len > 0 && patch->error == NULL && !patch->entry->gone)
    patch_write_next (patch);
  /* The expiry moved with every write. */
  if (!patch->entry->gone && !ssync_upload_is_complete (patch->entry->upload))
    remember_upload (patch->tus, patch->entry);

  patch_maybe_free (patch);
}

/* Receiving was stopped mid-body: the connection is cut (the upload itself was dropped). */
static void
on_patch_cancelled (GCancellable *cancellable,
                    Patch        *patch)
{
  g_autoptr(GIOStream) connection = NULL;

  if (patch->msg_gone)
    return;

  connection = soup_server_message_steal_connection (patch->msg);
  if (connection != NULL)
    g_io_stream_close (connection, NULL, NULL);
  if (!patch->msg_gone)
    on_finished (patch->msg, patch);
}

static void
patch_start (SsyncTus          *self,
             SoupServerMessage *msg,
             Entry             *entry,
             guint64            content_length)
{
  Patch *patch = g_new0 (Patch, 1);

  patch->tus = g_object_ref (self);
  patch->entry = entry_ref (entry);
  patch->msg = g_object_ref (msg);
  patch->fill = g_byte_array_sized_new (WRITE_SIZE + FILL_SLACK);
  patch->expected_end = ssync_upload_get_offset (entry->upload) + content_length;
  entry->busy = TRUE;

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), patch);
  g_signal_connect (msg, "got-body", G_CALLBACK (on_got_body), patch);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), patch);
  g_signal_connect (ssync_transfer_get_cancellable (entry->transfer), "cancelled",
                    G_CALLBACK (on_patch_cancelled), patch);
  g_object_set_data (G_OBJECT (msg), "ssync-tus-patch", patch);
}

/* Runs when a PATCH's headers are read, before its body: a request that can not be
 * accepted is answered now, and never costs a byte of disk or memory. */
void
ssync_tus_handle_early (SsyncTus          *self,
                        SoupServerMessage *msg,
                        SsyncShare        *share,
                        const char        *upload_id)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_one (req, "Content-Type");
  guint64 content_length = 0;
  Entry *entry;
  guint64 offset;

  if (!is_patch (msg) || upload_id == NULL)
    return;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  if (!check_version (msg) || (entry = lookup (self, msg, share, upload_id)) == NULL)
    {
      ssync_response_send_now (msg);
      return;
    }

  if (g_strcmp0 (content_type, "application/offset+octet-stream") != 0)
    tus_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
               _("PATCH needs Content-Type: application/offset+octet-stream"));
  else if (!ssync_tus_parse_size (soup_message_headers_get_one (req, "Upload-Offset"), &offset))
    tus_error (msg, SOUP_STATUS_BAD_REQUEST, _("Upload-Offset must be a number of bytes"));
  else if (soup_message_headers_get_encoding (req) != SOUP_ENCODING_CONTENT_LENGTH)
    tus_error (msg, SOUP_STATUS_BAD_REQUEST, _("PATCH needs a Content-Length"));
  else if (entry->busy || offset != ssync_upload_get_offset (entry->upload))
    {
      set_offset_headers (msg, entry);
      tus_error (msg, SOUP_STATUS_CONFLICT,
                 _("Upload-Offset does not match what was received; ask with HEAD"));
    }
  /* libsoup turns a length past 2^63 into -1: read the number itself, and compare without
   * adding (offset is the upload's own, at most its length here), so nothing wraps. */
  else if (!ssync_tus_parse_size (soup_message_headers_get_one (req, "Content-Length"),
                                  &content_length) ||
           content_length > ssync_upload_get_length (entry->upload) - offset)
    tus_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
               _("The body goes past the announced Upload-Length"));
  else
    {
      /* Accepted: the connection may stay open after all. */
      soup_message_headers_remove (soup_server_message_get_response_headers (msg), "Connection");
      if (entry->transfer == NULL ||
          ssync_transfer_get_status (entry->transfer) != SSYNC_TRANSFER_STATUS_ACTIVE)
        {
          g_clear_object (&entry->transfer);
          entry->transfer = self->begin_transfer (msg, share,
                                                  ssync_upload_get_path (entry->upload), offset,
                                                  ssync_upload_get_length (entry->upload),
                                                  self->begin_transfer_data);
        }
      patch_start (self, msg, entry, content_length);
      return;
    }

  /* Refused: answered now, and the body is never read. */
  ssync_response_send_now (msg);
}

static void
handle_patch (SsyncTus          *self,
              SoupServerMessage *msg)
{
  Patch *patch = g_object_get_data (G_OBJECT (msg), "ssync-tus-patch");

  /* The early handler answered (an error), or the writes already finished. */
  if (patch == NULL || patch->responded)
    return;

  patch->handler_waiting = TRUE;
  soup_server_message_pause (msg);
}

void
ssync_tus_handle (SsyncTus          *self,
                  SoupServerMessage *msg,
                  SsyncShare        *share,
                  const char        *upload_id)
{
  const char *method = soup_server_message_get_method (msg);
  Entry *entry;

  if (method == SOUP_METHOD_OPTIONS)
    {
      handle_options (self, msg);
      return;
    }

  if (is_patch (msg))
    {
      handle_patch (self, msg);
      return;
    }

  if (!check_version (msg))
    return;

  if (upload_id == NULL)
    {
      if (method == SOUP_METHOD_POST)
        handle_create (self, msg, share);
      else
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Allow", "OPTIONS, POST");
          tus_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Create uploads with POST"));
        }
      return;
    }

  if ((entry = lookup (self, msg, share, upload_id)) == NULL)
    return;

  if (method == SOUP_METHOD_HEAD || method == SOUP_METHOD_GET)
    handle_head (self, msg, entry);
  else if (method == SOUP_METHOD_DELETE)
    {
      drop_entry (self, entry, SSYNC_TRANSFER_STATUS_CANCELLED,
                  _("The sender cancelled the upload"));
      set_tus_headers (msg);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "OPTIONS, HEAD, PATCH, DELETE");
      tus_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Not a tus method"));
    }
}
