/* ssync-localsend-receiver-prepare.c: a sender's prepare-upload and the question it puts to
 * the user (ssync-localsend-receiver.h).
 *
 * Everything in a prepare-upload comes from a stranger: its JSON is checked for size, depth,
 * types and counts before anything is believed, every file name is refused when it tries to
 * leave the folder and sanitised otherwise, sizes are bounded one by one and together, and a
 * PIN attempt costs the address a token of its budget before it is even compared. One
 * session at a time: a second sender hears 409 until the first one is over.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ssync-filename.h"
#include "ssync-localsend-message.h"
#include "ssync-localsend-receiver-private.h"
#include "ssync-response.h"
#include "ssync-token.h"

/* The JSON of a prepare-upload is an object of objects with a little metadata: nothing
 * real nests deeper, and json-glib's parser recurses. */
#define MAX_DEPTH 16
/* A file id goes back into a URL: short printable ASCII only. */
#define MAX_FILE_ID 128

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text)
{
  ssync_response_text (msg, status, text);
}

/* json-glib recurses on nesting: count it on the raw text first (strings skipped). */
static gboolean
depth_is_sane (const char *data,
               gsize       length)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_DEPTH)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

static gboolean
is_file_id (const char *id)
{
  gsize n = 0;

  for (const char *p = id; *p != '\0'; p++)
    if (++n > MAX_FILE_ID || *p <= ' ' || *p > '~')
      return FALSE;
  return n > 0;
}

/* A name that tries to climb out of the folder is refused, not quietly fixed: such a sender
 * is not confused, it is hostile. */
static gboolean
is_traversal (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name[0] == '/' || name[0] == '\\' || strchr (name, ':') != NULL)
    return TRUE;
  parts = g_strsplit_set (name, "/\\", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return TRUE;
  return FALSE;
}

static char *
read_sha256 (JsonObject *file)
{
  JsonNode *node = json_object_get_member (file, "sha256");
  const char *hex;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  hex = json_node_get_string (node);
  if (strlen (hex) != 64)
    return NULL;
  for (const char *p = hex; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return NULL;
  return g_ascii_strdown (hex, -1);
}

/* Reads one entry of "files"; sets *@status and *@error_text when it is refused. */
static ReceiveFile *
read_file (SsyncLocalsendReceiver *self,
           const char             *id,
           JsonNode               *node,
           guint                  *status,
           const char            **problem)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sha256 = NULL;
  JsonObject *object;
  JsonNode *file_name, *size;
  ReceiveFile *file;

  *status = SOUP_STATUS_BAD_REQUEST;
  if (!is_file_id (id) || !JSON_NODE_HOLDS_OBJECT (node))
    return (*problem = "A file id or entry is not valid", NULL);
  object = json_node_get_object (node);
  file_name = json_object_get_member (object, "fileName");
  size = json_object_get_member (object, "size");
  if (file_name == NULL || !JSON_NODE_HOLDS_VALUE (file_name) ||
      json_node_get_value_type (file_name) != G_TYPE_STRING ||
      *json_node_get_string (file_name) == '\0')
    return (*problem = "A file has no “fileName”", NULL);
  if (size == NULL || !JSON_NODE_HOLDS_VALUE (size) ||
      json_node_get_value_type (size) != G_TYPE_INT64 || json_node_get_int (size) < 0)
    return (*problem = "A file has no valid “size”", NULL);
  if ((guint64) json_node_get_int (size) > self->max_file_size)
    {
      *status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
      return (*problem = "A file is larger than this device accepts", NULL);
    }
  sha256 = read_sha256 (object);
  if (sha256 == NULL)
    return (*problem = "A file's “sha256” is not a SHA-256", NULL);
  if (!g_utf8_validate (json_node_get_string (file_name), -1, NULL) ||
      is_traversal (json_node_get_string (file_name)))
    return (*problem = "A file name leaves the receive folder", NULL);

  file = g_new0 (ReceiveFile, 1);
  file->path = ssync_filename_sanitize_path (json_node_get_string (file_name), &name, &error);
  if (file->path == NULL)
    {
      ssync_receive_file_free (file);
      return (*problem = "A file name is not valid", NULL);
    }
  file->id = g_strdup (id);
  file->size = json_node_get_int (size);
  file->sha256 = *sha256 != '\0' ? g_steal_pointer (&sha256) : NULL;
  file->token = ssync_token_new ();
  return file;
}

/* The free space under the folder, or G_MAXUINT64 when the file system does not say. */
static guint64
free_space (GFile *folder)
{
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info (folder,
                                                            G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                                            NULL, NULL);

  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return G_MAXUINT64;
  return g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
}

/* Builds the session a prepare-upload asks for, or answers @msg with why not. */
static ReceiveSession *
read_prepare (SsyncLocalsendReceiver *self,
              SoupServerMessage      *msg,
              const char             *peer)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(ReceiveSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *info_text = NULL;
  gsize length, info_length;
  const char *data = g_bytes_get_data (body, &length);
  JsonObject *root, *files;
  JsonNode *info, *files_node;
  guint64 total = 0;
  GList *members;

  if (length == 0 || !g_utf8_validate (data, length, NULL) || !depth_is_sane (data, length) ||
      !json_parser_load_from_data (parser, data, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return (respond_text (msg, SOUP_STATUS_BAD_REQUEST, "The request is not a JSON object"), NULL);
  root = json_node_get_object (json_parser_get_root (parser));
  info = json_object_get_member (root, "info");
  files_node = json_object_get_member (root, "files");
  if (info == NULL || !JSON_NODE_HOLDS_OBJECT (info) ||
      files_node == NULL || !JSON_NODE_HOLDS_OBJECT (files_node))
    return (respond_text (msg, SOUP_STATUS_BAD_REQUEST, "“info” or “files” is missing"), NULL);

  json_generator_set_root (generator, info);
  info_text = json_generator_to_data (generator, &info_length);
  session = g_new0 (ReceiveSession, 1);
  g_atomic_ref_count_init (&session->ref);
  session->device = ssync_localsend_message_parse (info_text, info_length, NULL, &error);
  if (session->device == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Not a LocalSend device: %s", error->message);

      return (respond_text (msg, SOUP_STATUS_BAD_REQUEST, text), NULL);
    }
  ssync_localsend_device_set_address (session->device, peer);
  ssync_localsend_device_set_last_seen (session->device, g_get_monotonic_time ());

  files = json_node_get_object (files_node);
  if (json_object_get_size (files) > SSYNC_LOCALSEND_MAX_FILES)
    return (respond_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Too many files"), NULL);

  session->files = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) ssync_receive_file_free);
  members = json_object_get_members (files);
  for (GList *l = members; l != NULL; l = l->next)
    {
      guint status;
      const char *problem;
      ReceiveFile *file = read_file (self, l->data, json_object_get_member (files, l->data),
                                     &status, &problem);

      if (file == NULL || total + file->size < total)
        {
          g_list_free (members);
          if (file != NULL)
            ssync_receive_file_free (file);
          return (respond_text (msg, file == NULL ? status : SOUP_STATUS_BAD_REQUEST,
                                file == NULL ? problem : "The files are too large"), NULL);
        }
      total += file->size;
      g_hash_table_replace (session->files, file->id, file);
    }
  g_list_free (members);

  if (total > free_space (self->folder))
    return (respond_text (msg, SOUP_STATUS_INSUFFICIENT_STORAGE,
                          "Not enough free space for these files"), NULL);

  session->n_left = g_hash_table_size (session->files);
  session->peer = g_strdup (peer);
  session->id = ssync_token_new ();
  return g_steal_pointer (&session);
}

/* PIN: missing or wrong → 401; the attempt is charged to the address before it is compared,
 * so a guesser gets a few tries and then one a minute. */
static gboolean
check_pin (SsyncLocalsendReceiver *self,
           SoupServerMessage      *msg,
           GHashTable             *query,
           const char             *peer)
{
  const char *pin = query != NULL ? g_hash_table_lookup (query, "pin") : NULL;
  guint retry_after = 0;

  if (self->pin == NULL)
    return TRUE;
  if (pin == NULL || *pin == '\0')
    return (respond_text (msg, SOUP_STATUS_UNAUTHORIZED, "This device asks for a PIN"), FALSE);
  if (!ssync_rate_limiter_take (self->pin_limiter, peer, &retry_after))
    {
      g_autofree char *seconds = g_strdup_printf ("%u", MAX (retry_after, 1));

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", seconds);
      respond_text (msg, SOUP_STATUS_UNAUTHORIZED, "Too many wrong PINs, try again later");
      return FALSE;
    }
  if (!ssync_token_equal (pin, self->pin))
    return (respond_text (msg, SOUP_STATUS_UNAUTHORIZED, "Wrong PIN"), FALSE);
  ssync_rate_limiter_reset (self->pin_limiter, peer);
  return TRUE;
}

/* One question to the user, waiting for the answer, the timeout or the sender leaving. */
typedef struct {
  gatomicrefcount ref;
  SsyncLocalsendReceiver *receiver;
  ReceiveSession *session;
  SoupServerMessage *msg;
  guint timeout_id;
  gboolean decided;
} Question;

static void
question_unref (Question *question)
{
  if (!g_atomic_ref_count_dec (&question->ref))
    return;

  g_clear_handle_id (&question->timeout_id, g_source_remove);
  if (question->msg != NULL)
    g_signal_handlers_disconnect_by_data (question->msg, question);
  g_clear_object (&question->msg);
  g_clear_pointer (&question->session, ssync_receive_session_unref);
  g_clear_object (&question->receiver);
  g_free (question);
}

static void
respond_accepted (SoupServerMessage *msg,
                  ReceiveSession    *session)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  GHashTableIter iter;
  ReceiveFile *file;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sessionId");
  json_builder_add_string_value (builder, session->id);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, session->files);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &file))
    {
      json_builder_set_member_name (builder, file->id);
      json_builder_add_string_value (builder, file->token);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  ssync_response_json (msg, SOUP_STATUS_OK, root);
}

static void
question_decide (Question *question,
                 gboolean  accept,
                 gboolean  sender_gone)
{
  SsyncLocalsendReceiver *self = question->receiver;
  ReceiveSession *session = question->session;
  gboolean current = self->session == session;

  if (question->decided)
    return;
  question->decided = TRUE;
  g_clear_handle_id (&question->timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (question->msg, question);

  if (accept && current && !sender_gone)
    {
      session->accepted = TRUE;
      ssync_receive_session_touch (session);
      respond_accepted (question->msg, session);
    }
  else
    {
      if (current)
        ssync_localsend_receiver_end_session (self);
      if (!sender_gone)
        respond_text (question->msg, SOUP_STATUS_FORBIDDEN, "The files were declined");
    }
  if (!sender_gone)
    soup_server_message_unpause (question->msg);
}

static void
on_answer (gboolean accept,
           gpointer answer_data)
{
  Question *question = answer_data;

  question_decide (question, accept, FALSE);
  question_unref (question);
}

static gboolean
on_question_timeout (gpointer user_data)
{
  Question *question = user_data;

  question->timeout_id = 0;
  question_decide (question, FALSE, FALSE);
  return G_SOURCE_REMOVE;
}

/* The sender hung up while the user was asked: the question is moot. */
static void
on_question_finished (SoupServerMessage *msg,
                      Question          *question)
{
  question_decide (question, FALSE, TRUE);
}

static void
ask (SsyncLocalsendReceiver *self,
     SoupServerMessage      *msg,
     ReceiveSession         *session)
{
  Question *question = g_new0 (Question, 1);
  g_autofree SsyncLocalsendOffer *offers = NULL;
  GHashTableIter iter;
  ReceiveFile *file;
  guint64 total = 0;
  guint i = 0;

  /* One reference for the timeout and message, one for whoever answers. */
  g_atomic_ref_count_init (&question->ref);
  question->receiver = g_object_ref (self);
  question->session = ssync_receive_session_ref (session);
  question->msg = g_object_ref (msg);
  self->session = ssync_receive_session_ref (session);
  session->receiver = self;

  offers = g_new0 (SsyncLocalsendOffer, g_hash_table_size (session->files));
  g_hash_table_iter_init (&iter, session->files);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &file))
    {
      offers[i].name = file->path;
      offers[i++].size = file->size;
      total += file->size;
    }

  soup_server_message_pause (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (on_question_finished), question);
  question->timeout_id = g_timeout_add_seconds (self->ask_timeout, on_question_timeout, question);
  if (self->ask == NULL)
    {
      question_decide (question, FALSE, FALSE);
      question_unref (question);
      return;
    }
  g_atomic_ref_count_inc (&question->ref);
  self->ask (session->device, offers, i, total, on_answer, question, self->ask_data);
  /* The timeout's and message's reference: dropped once decided. */
  if (question->decided)
    question_unref (question);
  else
    g_object_set_data_full (G_OBJECT (msg), "ssync-localsend-question", question,
                            (GDestroyNotify) question_unref);
}

/* POST /api/localsend/v2/prepare-upload, its body read (at most 64 KiB). */
void
ssync_localsend_receiver_handle_prepare (SsyncLocalsendReceiver *self,
                                         SoupServerMessage      *msg,
                                         GHashTable             *query)
{
  const char *peer = soup_server_message_get_remote_host (msg);
  g_autoptr(ReceiveSession) session = NULL;

  g_return_if_fail (SSYNC_IS_LOCALSEND_RECEIVER (self));

  if (peer == NULL)
    peer = "";
  if (self->folder == NULL)
    return respond_text (msg, SOUP_STATUS_FORBIDDEN, "This device does not receive files");
  if (!check_pin (self, msg, query, peer))
    return;
  if (self->session != NULL)
    return respond_text (msg, SOUP_STATUS_CONFLICT, "Busy with another transfer");

  session = read_prepare (self, msg, peer);
  if (session == NULL)
    return;
  if (g_hash_table_size (session->files) == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  ask (self, msg, session);
}
