/* ssync-tus-create.c: tus creation (POST /r/{token}/uploads/): the request is checked, the
 * user asked through the upload gate when there is one, the free space checked, and the
 * .part made before the upload's URL is answered.
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
#include "ssync-tus-private.h"

/* Uploads kept in memory (unfinished, or finished and still answering), per client address
 * and in all: a client that creates uploads and never sends them can not grow the server. */
#define MAX_PER_ADDRESS 32
#define MAX_UPLOADS 1024

/* Looks @key up in @metadata (parsed at creation); NULL when absent. */
static const char *
metadata_get (GHashTable *metadata,
              const char *key)
{
  return metadata != NULL ? g_hash_table_lookup (metadata, key) : NULL;
}

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

static void
on_empty_completed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SsyncTusEntry) entry = user_data;
  g_autoptr(GError) error = NULL;

  if (entry->gone)
    return;
  if (ssync_upload_complete_finish (entry->upload, result, &error))
    ssync_tus_entry_done (entry);
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
  SsyncTusEntry *entry;

  upload = ssync_upload_new_finish (result, &error);
  if (upload == NULL)
    {
      guint status = SOUP_STATUS_INTERNAL_SERVER_ERROR;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        status = SOUP_STATUS_INSUFFICIENT_STORAGE;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
        status = SOUP_STATUS_CONFLICT;  /* a file or link stands where a folder would go */
      ssync_tus_error (msg, status, error->message);
      soup_server_message_unpause (msg);
      return;
    }

  entry = g_rc_box_new0 (SsyncTusEntry);
  entry->upload = g_object_ref (upload);
  entry->share = g_object_ref (creation->share);
  entry->metadata = g_strdup (soup_message_headers_get_one (
                                soup_server_message_get_request_headers (msg), "Upload-Metadata"));
  entry->address = g_strdup (creation->address);
  entry->done_keep = MIN (SSYNC_TUS_DONE_KEEP, creation->tus->expiry);
  entry->expires = g_get_real_time () + creation->tus->expiry;
  entry->transfer = creation->tus->begin_transfer (msg, creation->share,
                                                   ssync_upload_get_path (upload), 0,
                                                   creation->length,
                                                   creation->tus->begin_transfer_data);
  g_hash_table_insert (creation->tus->uploads, (gpointer) ssync_upload_get_id (upload), entry);
  if (creation->length > 0)
    ssync_tus_remember_upload (creation->tus, entry);

  location = g_strdup_printf ("/r/%s/uploads/%s", ssync_share_get_token (creation->share),
                              ssync_upload_get_id (upload));
  expires = ssync_tus_http_date (entry->expires);
  ssync_tus_set_headers (msg);
  soup_message_headers_replace (headers, "Location", location);
  soup_message_headers_replace (headers, "Upload-Expires", expires);
  soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
  soup_server_message_unpause (msg);

  /* An empty file is complete as soon as it exists. */
  if (creation->length == 0)
    ssync_upload_complete_async (upload, NULL, on_empty_completed, ssync_tus_entry_ref (entry));
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
      ssync_tus_error (creation->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
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

      ssync_tus_error (creation->msg, SOUP_STATUS_INSUFFICIENT_STORAGE, text);
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
  ssync_tus_error (creation->msg, SOUP_STATUS_FORBIDDEN, text);
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
  ssync_tus_error (msg, status, text);
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
  SsyncTusEntry *oldest_done_here = NULL;
  SsyncTusEntry *oldest_done = NULL;
  GHashTableIter iter;
  SsyncTusEntry *entry;

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

void
ssync_tus_handle_create (SsyncTus          *self,
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
      ssync_tus_error (msg, SOUP_STATUS_BAD_REQUEST, _("Upload-Defer-Length is not supported"));
      return;
    }
  if (!ssync_tus_parse_size (soup_message_headers_get_one (req, "Upload-Length"), &length))
    {
      ssync_tus_error (msg, SOUP_STATUS_BAD_REQUEST, _("Upload-Length must be a number of bytes"));
      return;
    }
  if (self->max_size > 0 && length > self->max_size)
    {
      g_autofree char *max = g_format_size (self->max_size);
      g_autofree char *text = g_strdup_printf (_("The file is too large: at most %s"), max);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Tus-Max-Size",
                                    g_ascii_dtostr ((char[32]) { 0 }, 32, (double) self->max_size));
      ssync_tus_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
      return;
    }

  parsed = ssync_tus_parse_metadata (metadata, &error);
  if (parsed == NULL)
    {
      ssync_tus_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  path = metadata_get (parsed, "relativePath");
  if (path == NULL || path[0] == '\0')
    path = metadata_get (parsed, "filename");
  /* Checked before the user is asked: a path that can not be received is refused now. */
  sanitised = ssync_filename_sanitize_path (path, NULL, &error);
  if (sanitised == NULL)
    {
      ssync_tus_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
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

