/* ssync-page-form.c: POST /r/{token} with multipart/form-data, the receive page's plain form
 * for browsers that run no scripts (or no modules).
 *
 * libsoup has no streaming multipart parser, and the size of each file is only known once
 * its part ends, while an upload (its .part, the owner's question) needs it first. So the
 * body is streamed as it arrives into a hidden spool file in the receive folder, never held
 * in memory; once it is all there, a worker thread finds the parts in it (bounded: at most
 * SSYNC_PAGE_FORM_MAX_FILES files, part headers of at most 8 KiB, plain file names), and
 * each file then goes through the same steps as a tus upload: the owner's question, the
 * per-file size limit, NAME.part, fsync and the first free name. The spool is removed at the
 * end, whatever happened.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ssync-filename.h"
#include "ssync-page-form.h"
#include "ssync-page-form-private.h"
#include "ssync-page-i18n.h"
#include "ssync-page-render.h"
#include "ssync-response.h"
#include "ssync-tus-private.h"
#include "ssync-upload.h"

#define WRITE_SIZE (1024 * 1024)
#define FILL_SLACK (64 * 1024)
#define MAX_BOUNDARY 70
/* Headers, boundaries and small fields around the files of one form. */
#define FORM_OVERHEAD (1024 * 1024)

typedef struct {
  SsyncRouteContext *context;
  SoupServerMessage *msg;
  SsyncShare *share;
  char *delimiter;      /* "\r\n--BOUNDARY" */
  char *spool_path;
  GOutputStream *spool;
  GByteArray *fill;
  gboolean writing, paused, body_done, handler_waiting, responded, msg_gone;
  GError *error;
  /* Once the body is read: */
  GPtrArray *files;     /* SsyncFormFile */
  guint current;
  SsyncUploadRequest *request;
  gulong decided_id;
  SsyncUpload *upload;
  SsyncTransfer *transfer;
  GInputStream *reader;
  guint64 left;
  GString *saved;       /* markup: one <li> per file saved */
  guint n_saved;
} Form;

static void form_next_file (Form *form);

static void
form_free (Form *form)
{
  if (form->msg != NULL)
    {
      g_signal_handlers_disconnect_by_data (form->msg, form);
      g_object_set_data (G_OBJECT (form->msg), "ssync-page-form", NULL);
    }
  if (form->spool_path != NULL)
    g_unlink (form->spool_path);
  if (form->request != NULL)
    g_clear_signal_handler (&form->decided_id, form->request);
  g_clear_object (&form->request);
  g_clear_object (&form->upload);
  g_clear_object (&form->transfer);
  g_clear_object (&form->reader);
  g_clear_object (&form->spool);
  g_clear_object (&form->msg);
  g_clear_object (&form->share);
  g_clear_pointer (&form->context, ssync_route_context_unref);
  g_clear_pointer (&form->fill, g_byte_array_unref);
  g_clear_pointer (&form->files, g_ptr_array_unref);
  g_clear_error (&form->error);
  if (form->saved != NULL)
    g_string_free (form->saved, TRUE);
  g_free (form->delimiter);
  g_free (form->spool_path);
  g_free (form);
}

/* Answers with an error page (@title and @text are msgids), once. */
static void
form_fail (Form       *form,
           guint       status,
           const char *title,
           const char *text)
{
  if (form->responded || form->msg_gone)
    return;
  form->responded = TRUE;
  ssync_response_error_page (form->msg, status, title, text);
  if (form->handler_waiting)
    soup_server_message_unpause (form->msg);
}

/* Answers that the disk refused a write (full, or another failure), and ends the form. */
static void
form_fail_writing (Form       *form,
                   GError     *error,
                   const char *title)
{
  form_fail (form, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)
                     ? SOUP_STATUS_INSUFFICIENT_STORAGE : SOUP_STATUS_INTERNAL_SERVER_ERROR,
             title, NP_("The receiving computer could not write them to its disk."));
  form_free (form);
}

static void
form_done (Form *form)
{
  const SsyncPageLocale *l;
  g_autoptr(SsyncPage) page = NULL;
  g_autofree char *text = NULL;
  g_autofree char *back = NULL;

  if (form->responded || form->msg_gone)
    {
      form_free (form);
      return;
    }
  form->responded = TRUE;
  l = ssync_page_locale_for_request (form->msg);
  page = ssync_page_new ("error.html");
  text = g_strdup_printf (PN_(l, "%u file arrived on the receiving computer.",
                              "%u files arrived on the receiving computer.", form->n_saved),
                          form->n_saved);
  back = g_strdup_printf ("<ul class=\"form-sent\">%s</ul><a class=\"button pill suggested "
                          "status-action\" href=\"/r/%s\">%s</a>", form->saved->str,
                          ssync_share_get_token (form->share),
                          ssync_page_escaped (page, P_(l, "Send more files")));
  ssync_page_set (page, "status", "200");
  ssync_page_set (page, "icon", "done");
  ssync_page_set_text (page, "title", form->n_saved > 0 ? P_(l, "Sent") : P_(l, "Nothing sent"));
  ssync_page_set_text (page, "text", text);
  ssync_page_set (page, "more", back);
  ssync_page_send (page, form->msg, SOUP_STATUS_OK, l);
  if (form->handler_waiting)
    soup_server_message_unpause (form->msg);
  form_free (form);
}

typedef struct {
  char *spool_path;
  char *delimiter;
  guint64 max_size;
  SsyncFormRefusal refusal;
} Scan;

static void
scan_free (Scan *scan)
{
  g_free (scan->spool_path);
  g_free (scan->delimiter);
  g_free (scan);
}

/* Finding the parts in the spool, on a worker thread. */
static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Scan *scan = task_data;
  GPtrArray *files = ssync_page_form_scan (scan->spool_path, scan->delimiter, scan->max_size,
                                           &scan->refusal);

  g_task_return_pointer (task, files, (GDestroyNotify) g_ptr_array_unref);
}

/* Each file into its upload */

static void
on_file_completed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Form *form = user_data;
  SsyncFormFile *file = g_ptr_array_index (form->files, form->current);
  g_autoptr(GError) error = NULL;

  if (!ssync_upload_complete_finish (form->upload, result, &error))
    {
      ssync_transfer_finish (form->transfer, SSYNC_TRANSFER_STATUS_FAILED, error->message);
      form_fail_writing (form, error, NP_("The files could not be saved"));
      return;
    }

  ssync_transfer_finish (form->transfer, SSYNC_TRANSFER_STATUS_COMPLETE, NULL);
  {
    const char *saved_as = ssync_upload_get_saved_as (form->upload);
    g_autofree char *name = ssync_page_escape (saved_as != NULL ? saved_as : file->name);
    g_autofree char *size = ssync_page_format_size (ssync_page_locale_for_request (form->msg),
                                                            file->length);

    g_string_append_printf (form->saved, "<li><span class=\"file-name\">%s</span> · %s</li>",
                            name, size);
  }
  form->n_saved++;
  form->current++;
  g_clear_object (&form->upload);
  g_clear_object (&form->transfer);
  g_clear_object (&form->reader);
  form_next_file (form);
}

static void copy_next (Form *form);

static void
on_chunk_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Form *form = user_data;
  g_autoptr(GError) error = NULL;

  if (!ssync_upload_write_finish (form->upload, result, &error))
    {
      ssync_transfer_finish (form->transfer, SSYNC_TRANSFER_STATUS_FAILED, error->message);
      form_fail_writing (form, error, NP_("The files could not be saved"));
      return;
    }
  copy_next (form);
}

static void
on_chunk_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Form *form = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      form_fail (form, SOUP_STATUS_INTERNAL_SERVER_ERROR, NP_("The files could not be received"),
                 NP_("The receiving computer could not read what was sent."));
      form_free (form);
      return;
    }
  form->left -= g_bytes_get_size (bytes);
  ssync_transfer_add_bytes (form->transfer, g_bytes_get_size (bytes));
  ssync_upload_write_async (form->upload, bytes, NULL, on_chunk_written, form);
}

static void
copy_next (Form *form)
{
  if (form->left == 0)
    {
      ssync_upload_complete_async (form->upload, NULL, on_file_completed, form);
      return;
    }
  g_input_stream_read_bytes_async (form->reader, MIN (form->left, WRITE_SIZE), G_PRIORITY_DEFAULT,
                                   NULL, on_chunk_read, form);
}

static void
on_upload_created (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Form *form = user_data;
  SsyncFormFile *file = g_ptr_array_index (form->files, form->current);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) spool = g_file_new_for_path (form->spool_path);
  g_autoptr(GFileInputStream) in = NULL;

  form->upload = ssync_upload_new_finish (result, &error);
  if (form->upload != NULL)
    in = g_file_read (spool, NULL, &error);
  if (in == NULL || !g_seekable_seek (G_SEEKABLE (in), file->start, G_SEEK_SET, NULL, &error))
    {
      form_fail_writing (form, error, NP_("The files could not be saved"));
      return;
    }

  form->reader = G_INPUT_STREAM (g_steal_pointer (&in));
  form->left = file->length;
  form->transfer = ssync_route_begin_transfer (form->context, form->msg, form->share,
                                               ssync_upload_get_path (form->upload),
                                               SSYNC_DIRECTION_UPLOAD,
                                               SSYNC_TRANSFER_KIND_UPLOAD, 0, file->length);
  copy_next (form);
}

static void
form_start_file (Form *form)
{
  SsyncFormFile *file = g_ptr_array_index (form->files, form->current);

  ssync_upload_new_async (ssync_share_get_folder (form->share), file->name, file->length, NULL,
                          on_upload_created, form);
}

static void
on_request_decided (SsyncUploadRequest *request,
                    Form               *form)
{
  g_clear_signal_handler (&form->decided_id, request);
  if (ssync_upload_request_get_state (request) == SSYNC_UPLOAD_REQUEST_ACCEPTED)
    form_start_file (form);
  else
    {
      SsyncFormFile *file = g_ptr_array_index (form->files, form->current);
      const SsyncPageLocale *l = ssync_page_locale_for_request (form->msg);
      g_autofree char *name = ssync_page_escape (file->name);
      g_autofree char *declined = ssync_page_escape (P_(l, "not accepted by the receiver"));

      g_string_append_printf (form->saved, "<li><span class=\"file-name\">%s</span> · %s</li>",
                              name, declined);
      form->current++;
      form_next_file (form);
    }
}

/* The owner is asked about each file, as for a tus upload, before it is written. */
static void
form_next_file (Form *form)
{
  SsyncTus *tus = form->context->tus;
  SsyncFormFile *file;

  g_clear_object (&form->request);
  if (form->msg_gone || form->current >= form->files->len)
    {
      form_done (form);
      return;
    }

  /* Receiving was stopped, or the link expired, while the form was read. */
  if (!ssync_access_check_state (form->msg, ssync_share_get_state (form->share,
                                                                   g_get_real_time ())))
    {
      form->responded = TRUE;
      if (form->handler_waiting)
        soup_server_message_unpause (form->msg);
      form_free (form);
      return;
    }

  file = g_ptr_array_index (form->files, form->current);
  if (tus->gate != NULL)
    form->request = tus->gate (form->share, soup_server_message_get_remote_host (form->msg),
                               soup_message_headers_get_one (
                                 soup_server_message_get_request_headers (form->msg),
                                 "User-Agent"),
                               file->name, file->length, tus->gate_data);
  if (form->request == NULL ||
      ssync_upload_request_get_state (form->request) != SSYNC_UPLOAD_REQUEST_PENDING)
    {
      if (form->request == NULL)
        form_start_file (form);
      else
        on_request_decided (form->request, form);
      return;
    }
  form->decided_id = g_signal_connect (form->request, "decided",
                                       G_CALLBACK (on_request_decided), form);
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Form *form = user_data;
  Scan *scan = g_task_get_task_data (G_TASK (result));

  form->files = g_task_propagate_pointer (G_TASK (result), NULL);
  if (form->files == NULL)
    {
      form_fail (form, scan->refusal.status, scan->refusal.title, scan->refusal.text);
      form_free (form);
      return;
    }
  form->saved = g_string_new (NULL);
  form_next_file (form);
}

/* The body is on disk: find its files. */
static void
form_body_written (Form *form)
{
  g_autoptr(GTask) task = NULL;
  Scan *scan;

  g_clear_object (&form->spool);
  if (form->error != NULL)
    {
      form_fail_writing (form, form->error, NP_("The files could not be received"));
      return;
    }

  scan = g_new0 (Scan, 1);
  scan->spool_path = g_strdup (form->spool_path);
  scan->delimiter = g_strdup (form->delimiter);
  scan->max_size = ssync_tus_get_max_size (form->context->tus);
  task = g_task_new (NULL, NULL, on_scanned, form);
  g_task_set_task_data (task, scan, (GDestroyNotify) scan_free);
  g_task_run_in_thread (task, scan_thread);
}

/* Streaming the body into the spool */

static void form_write_next (Form *form);

static void
on_spool_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Form *form = user_data;

  form->writing = FALSE;
  if (form->error == NULL)
    g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &form->error);
  else
    g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);

  if (form->msg_gone)
    {
      form_free (form);
      return;
    }
  if (form->paused)
    {
      form->paused = FALSE;
      soup_server_message_unpause (form->msg);
    }
  if (form->error == NULL && (form->fill->len >= WRITE_SIZE ||
                              (form->body_done && form->fill->len > 0)))
    form_write_next (form);
  else if (form->body_done)
    form_body_written (form);
}

static void
form_write_next (Form *form)
{
  g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&form->fill));

  form->fill = g_byte_array_sized_new (WRITE_SIZE + FILL_SLACK);
  form->writing = TRUE;
  g_output_stream_write_all_async (form->spool, g_bytes_get_data (bytes, NULL),
                                   g_bytes_get_size (bytes), G_PRIORITY_DEFAULT, NULL,
                                   on_spool_written, form);
  /* The write reads from @bytes until it completes. */
  g_object_set_data_full (G_OBJECT (form->spool), "ssync-writing", g_steal_pointer (&bytes),
                          (GDestroyNotify) g_bytes_unref);
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              Form              *form)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (form->error != NULL)
    return;
  g_byte_array_append (form->fill, data, len);
  if (form->fill->len < WRITE_SIZE)
    return;
  if (!form->writing)
    form_write_next (form);
  else if (!form->paused)
    {
      form->paused = TRUE;
      soup_server_message_pause (msg);
    }
}

static void
on_got_body (SoupServerMessage *msg,
             Form              *form)
{
  form->body_done = TRUE;
  if (form->writing)
    return;
  if (form->fill->len > 0 && form->error == NULL)
    form_write_next (form);
  else
    form_body_written (form);
}

/* The client went away (or the answer is sent): nothing more is read. What is being worked
 * on stops at its next step, and the last step frees the form. */
static void
on_finished (SoupServerMessage *msg,
             Form              *form)
{
  g_signal_handlers_disconnect_by_data (msg, form);
  form->msg_gone = TRUE;
  if (!form->body_done && !form->writing)
    form_free (form);
}

/* "----x" from "multipart/form-data; boundary=----x", or NULL when it is missing or not a
 * boundary RFC 2046 allows. */
static char *
form_boundary (SoupServerMessage *msg)
{
  g_autoptr(GHashTable) params = NULL;
  const char *type = soup_message_headers_get_content_type (
    soup_server_message_get_request_headers (msg), &params);
  const char *boundary;

  if (g_strcmp0 (type, "multipart/form-data") != 0 || params == NULL ||
      (boundary = g_hash_table_lookup (params, "boundary")) == NULL)
    return NULL;
  if (boundary[0] == '\0' || strlen (boundary) > MAX_BOUNDARY ||
      strspn (boundary, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'()+_,-./:=? ")
        != strlen (boundary))
    return NULL;
  return g_strdup (boundary);
}

/* Answers @msg now, before its body is read. */
static void
refuse (SoupServerMessage *msg,
        guint              status,
        const char        *title,
        const char        *text)
{
  ssync_response_error_page (msg, status, title, text);
  ssync_response_send_now (msg);
}

/* Runs once the headers of POST /r/{token} are read: checks them, and streams the body into
 * a spool file beside the received files. */
void
ssync_page_form_early (SsyncRouteContext *context,
                       SoupServerMessage *msg,
                       SsyncShare        *share)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  guint64 max_size = ssync_tus_get_max_size (context->tus);
  g_autofree char *boundary = form_boundary (msg);
  g_autofree char *template = NULL;
  g_autoptr(GError) error = NULL;
  goffset length;
  Form *form;
  int fd;

  if (!ssync_access_take (context->access, msg, SSYNC_RATE_UPLOAD_CREATE))
    {
      ssync_response_send_now (msg);
      return;
    }
  if (boundary == NULL)
    {
      refuse (msg, SOUP_STATUS_BAD_REQUEST, NP_("The files could not be received"),
              NP_("The form sent was not complete or not readable."));
      return;
    }
  if (soup_message_headers_get_encoding (req) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      refuse (msg, SOUP_STATUS_LENGTH_REQUIRED, NP_("The files could not be received"),
              NP_("The form sent was not complete or not readable."));
      return;
    }
  length = soup_message_headers_get_content_length (req);
  if (length < 0 || (max_size > 0 && (guint64) length > SSYNC_PAGE_FORM_MAX_FILES * max_size +
                                                      FORM_OVERHEAD))
    {
      refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NP_("The files are too large"),
              NP_("The receiving computer takes smaller files only."));
      return;
    }

  template = g_build_filename (g_file_peek_path (ssync_share_get_folder (share)),
                               ".sharesync-form-XXXXXX.part", NULL);
  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_message ("Cannot receive a form: %s", g_strerror (errno));
      refuse (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NP_("The files could not be received"),
              NP_("The receiving computer could not write them to its disk."));
      return;
    }

  form = g_new0 (Form, 1);
  form->context = ssync_route_context_ref (context);
  form->msg = g_object_ref (msg);
  form->share = g_object_ref (share);
  form->delimiter = g_strconcat ("\r\n--", boundary, NULL);
  form->spool_path = g_steal_pointer (&template);
  form->spool = g_unix_output_stream_new (fd, TRUE);
  form->fill = g_byte_array_sized_new (WRITE_SIZE + FILL_SLACK);

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), form);
  g_signal_connect (msg, "got-body", G_CALLBACK (on_got_body), form);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), form);
  g_object_set_data (G_OBJECT (msg), "ssync-page-form", form);
}

/* The route, once the body is read: waits for the files to be saved. */
void
ssync_page_form_handle (SoupServerMessage *msg)
{
  Form *form = g_object_get_data (G_OBJECT (msg), "ssync-page-form");

  if (form == NULL || form->responded || soup_server_message_get_status (msg) != 0)
    return;
  form->handler_waiting = TRUE;
  soup_server_message_pause (msg);
}
