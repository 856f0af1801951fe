/* ssync-localsend-message.c: the one reader and writer of LocalSend's device JSON.
 *
 * Every message comes from a stranger on the network, so reading is strict about size, text,
 * nesting and types, and says what was wrong without quoting what was sent (which may be
 * anything). Where LocalSend itself is lenient, so are we, or its apps would not be seen:
 * "version", "deviceModel", "deviceType", "port", "protocol" and "download" may be missing or
 * null (LocalSend v1 sends none of them), an unknown deviceType reads as "desktop" as LocalSend
 * does, and v1's "announcement" counts as "announce". A field of the wrong JSON type is refused.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ssync-error.h"
#include "ssync-localsend-message.h"

/* Our messages are one flat object; this leaves room for what a later version may nest, and
 * keeps json-glib's recursive parser far from the end of the stack. */
#define MAX_DEPTH 8
#define MAX_VERSION 16

static const char * const device_types[] = { "mobile", "desktop", "web", "headless", "server" };

gboolean
ssync_localsend_device_type_is_known (const char *device_type)
{
  for (guint i = 0; device_type != NULL && i < G_N_ELEMENTS (device_types); i++)
    if (strcmp (device_type, device_types[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
refuse (GError     **error,
        const char  *message)
{
  g_set_error_literal (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

/* Reads the 4 hex digits of a \u escape at @p; -1 when they are not there. */
static int
read_escape (const char *p,
             const char *end)
{
  int value = 0;

  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;
  for (guint i = 2; i < 6; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* Checks what json-glib would take without complaint, or not take cleanly, but we must not:
 * brackets, outside strings, nesting deeper than MAX_DEPTH; the escape \u0000, which would
 * cut the C string json-glib gives back ("a\u0000b" would read as "a"); and \u escapes that
 * are malformed or lone surrogates, which json-glib 1.6 turns into bytes that are not UTF-8
 * or leaks memory on. It also makes sure the message is one object and nothing else: json-glib
 * 1.6 reads JavaScript such as "var x = {...};" and leaks what it built when more follows the
 * first value (both found by fuzz-localsend). Escapes JSON does not have are refused too. */
static const char *
scan_text (const char *data,
           gsize       length)
{
  const char *end = data + length;
  const char *p = data;
  gboolean in_string = FALSE;
  gboolean closed = FALSE;
  guint depth = 0;

  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p == end || *p != '{')
    return "The message is not a JSON object";

  for (; p < end; p++)
    {
      if (closed)
        {
          if (!g_ascii_isspace (*p))
            return "The message has more after its JSON object";
        }
      else if (in_string)
        {
          if (*p == '"')
            in_string = FALSE;
          else if (*p == '\\' && p + 1 < end && p[1] == 'u')
            {
              int value = read_escape (p, end);

              if (value == 0)
                return "The message has a NUL character";
              if (value < 0 || (value >= 0xDC00 && value <= 0xDFFF))
                return "The message has an invalid escape";
              if (value >= 0xD800 && value <= 0xDBFF)
                {
                  int low = read_escape (p + 6, end);

                  if (low < 0xDC00 || low > 0xDFFF)
                    return "The message has an invalid escape";
                  p += 6;
                }
              p += 5;
            }
          else if (*p == '\\')
            {
              /* JSON has these escapes and no others. The message fuzz-localsend found
               * leaking inside json-glib 1.6 had others (\} \0): they never reach it. */
              if (p + 1 >= end || strchr ("\"\\/bfnrt", p[1]) == NULL || p[1] == '\0')
                return "The message has an invalid escape";
              p++;
            }
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '{' || *p == '[')
        {
          if (++depth > MAX_DEPTH)
            return "The message nests too deep";
        }
      else if ((*p == '}' || *p == ']') && depth > 0)
        closed = --depth == 0;
    }
  return NULL;
}

/* A name for people: 1..@max_chars characters, not only spaces, no control characters, line
 * breaks or invisible format characters (a right-to-left override could make one device look
 * like another), but the zero-width joiner that emoji sequences need. */
static gboolean
is_valid_label (const char *text,
                guint       max_chars)
{
  gboolean visible = FALSE;
  guint n = 0;

  /* Checked again here: this also reads what json-glib made of the escapes. */
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (++n > max_chars)
        return FALSE;
      if (type == G_UNICODE_CONTROL || type == G_UNICODE_LINE_SEPARATOR
          || type == G_UNICODE_PARAGRAPH_SEPARATOR || type == G_UNICODE_UNASSIGNED
          || type == G_UNICODE_SURROGATE || type == G_UNICODE_PRIVATE_USE)
        return FALSE;
      if (type == G_UNICODE_FORMAT && c != 0x200D)
        return FALSE;
      if (!g_unichar_isspace (c))
        visible = TRUE;
    }
  return visible;
}

/* 1..@max_bytes printable ASCII characters; spaces too, since LocalSend's own example
 * fingerprint is "random string". */
static gboolean
is_valid_token (const char *text,
                gsize       max_bytes)
{
  gsize n = 0;

  for (const char *p = text; *p != '\0'; p++)
    if (++n > max_bytes || *p < ' ' || *p > '~')
      return FALSE;
  return n > 0;
}

/* The member @name of @object: NULL when missing or null, and then TRUE; FALSE when it is
 * there but not a JSON value of @type (strings, booleans and integers only). */
static gboolean
get_member (JsonObject  *object,
            const char  *name,
            GType        type,
            JsonNode   **out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return FALSE;
  *out = node;
  return TRUE;
}

/* Reads the optional booleans "announce" (v2) and "announcement" (v1). */
static gboolean
read_announce (JsonObject  *object,
               gboolean    *announce,
               GError     **error)
{
  JsonNode *v2;
  JsonNode *v1;

  if (!get_member (object, "announce", G_TYPE_BOOLEAN, &v2))
    return refuse (error, "“announce” is not a boolean");
  if (!get_member (object, "announcement", G_TYPE_BOOLEAN, &v1))
    return refuse (error, "“announcement” is not a boolean");
  *announce = (v2 != NULL && json_node_get_boolean (v2))
              || (v1 != NULL && json_node_get_boolean (v1));
  return TRUE;
}

static SsyncLocalsendDevice *
read_device (JsonObject  *object,
             GError     **error)
{
  JsonNode *alias, *fingerprint, *version, *model, *type, *port, *protocol, *download;
  const char *device_type = "desktop";
  const char *device_model = NULL;
  const char *protocol_name = "https";
  gint64 port_number = SSYNC_LOCALSEND_DEFAULT_PORT;

  if (!get_member (object, "alias", G_TYPE_STRING, &alias) || alias == NULL)
    return (refuse (error, "“alias” is missing or not a string"), NULL);
  if (!is_valid_label (json_node_get_string (alias), SSYNC_LOCALSEND_MAX_ALIAS))
    return (refuse (error, "“alias” is empty, too long or has control characters"), NULL);

  if (!get_member (object, "fingerprint", G_TYPE_STRING, &fingerprint) || fingerprint == NULL)
    return (refuse (error, "“fingerprint” is missing or not a string"), NULL);
  if (!is_valid_token (json_node_get_string (fingerprint), SSYNC_LOCALSEND_MAX_FINGERPRINT))
    return (refuse (error, "“fingerprint” is empty, too long or not printable ASCII"), NULL);

  if (!get_member (object, "version", G_TYPE_STRING, &version))
    return (refuse (error, "“version” is not a string"), NULL);
  if (version != NULL && !is_valid_token (json_node_get_string (version), MAX_VERSION))
    return (refuse (error, "“version” is empty, too long or not printable ASCII"), NULL);

  if (!get_member (object, "deviceModel", G_TYPE_STRING, &model))
    return (refuse (error, "“deviceModel” is not a string"), NULL);
  /* Some apps send an empty model rather than null. */
  if (model != NULL && *json_node_get_string (model) != '\0')
    {
      device_model = json_node_get_string (model);
      if (!is_valid_label (device_model, SSYNC_LOCALSEND_MAX_ALIAS))
        return (refuse (error, "“deviceModel” is too long or has control characters"), NULL);
    }

  if (!get_member (object, "deviceType", G_TYPE_STRING, &type))
    return (refuse (error, "“deviceType” is not a string"), NULL);
  if (type != NULL && ssync_localsend_device_type_is_known (json_node_get_string (type)))
    device_type = json_node_get_string (type);

  if (!get_member (object, "port", G_TYPE_INT64, &port))
    return (refuse (error, "“port” is not an integer"), NULL);
  if (port != NULL)
    port_number = json_node_get_int (port);
  if (port_number < 1 || port_number > G_MAXUINT16)
    return (refuse (error, "“port” is not between 1 and 65535"), NULL);

  if (!get_member (object, "protocol", G_TYPE_STRING, &protocol))
    return (refuse (error, "“protocol” is not a string"), NULL);
  if (protocol != NULL)
    {
      protocol_name = json_node_get_string (protocol);
      if (strcmp (protocol_name, "http") != 0 && strcmp (protocol_name, "https") != 0)
        return (refuse (error, "“protocol” is neither “http” nor “https”"), NULL);
    }

  if (!get_member (object, "download", G_TYPE_BOOLEAN, &download))
    return (refuse (error, "“download” is not a boolean"), NULL);

  return ssync_localsend_device_new (json_node_get_string (alias),
                                     json_node_get_string (fingerprint),
                                     device_type, device_model, (guint) port_number,
                                     protocol_name,
                                     download != NULL && json_node_get_boolean (download));
}

/**
 * ssync_localsend_message_parse:
 * @data: the message, not necessarily NUL-terminated
 * @length: its length in bytes
 * @announce: (out) (optional): whether it asks for answers ("announce" or v1's "announcement")
 *
 * Returns: (transfer full): the device the message describes, without address or last-seen,
 *   or %NULL with @error set (%SSYNC_ERROR_INVALID_ARGUMENT) when it is not a valid message.
 */
SsyncLocalsendDevice *
ssync_localsend_message_parse (const char  *data,
                               gsize        length,
                               gboolean    *announce,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  JsonNode *root;
  JsonObject *object;
  gboolean asks = FALSE;
  const char *problem;
  SsyncLocalsendDevice *device;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (announce != NULL)
    *announce = FALSE;
  if (length == 0)
    return (refuse (error, "The message is empty"), NULL);
  if (length > SSYNC_LOCALSEND_MAX_MESSAGE)
    return (refuse (error, "The message is too large"), NULL);
  /* g_utf8_validate() also refuses a NUL before @length, which json-glib would stop at. */
  if (!g_utf8_validate (data, (gssize) length, NULL))
    return (refuse (error, "The message is not UTF-8 text"), NULL);
  problem = scan_text (data, length);
  if (problem != NULL)
    return (refuse (error, problem), NULL);

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &json_error))
    return (refuse (error, "The message is not JSON"), NULL);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return (refuse (error, "The message is not a JSON object"), NULL);
  object = json_node_get_object (root);

  if (!read_announce (object, &asks, error))
    return NULL;
  device = read_device (object, error);
  if (device != NULL && announce != NULL)
    *announce = asks;
  return device;
}

static char *
build (const SsyncLocalsendIdentity *self_info,
       gboolean                      with_announce,
       gboolean                      announce)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self_info != NULL, NULL);
  g_return_val_if_fail (self_info->alias != NULL, NULL);
  g_return_val_if_fail (self_info->fingerprint != NULL, NULL);
  g_return_val_if_fail (self_info->port >= 1 && self_info->port <= G_MAXUINT16, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "alias");
  json_builder_add_string_value (builder, self_info->alias);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, SSYNC_LOCALSEND_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "deviceModel");
  if (self_info->device_model != NULL)
    json_builder_add_string_value (builder, self_info->device_model);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "deviceType");
  json_builder_add_string_value (builder, self_info->device_type != NULL
                                          ? self_info->device_type : "desktop");
  json_builder_set_member_name (builder, "fingerprint");
  json_builder_add_string_value (builder, self_info->fingerprint);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, self_info->port);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, self_info->protocol != NULL
                                          ? self_info->protocol : "https");
  /* This slice offers no download API. */
  json_builder_set_member_name (builder, "download");
  json_builder_add_boolean_value (builder, FALSE);
  if (with_announce)
    {
      json_builder_set_member_name (builder, "announce");
      json_builder_add_boolean_value (builder, announce);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Our multicast message: an announcement (@announce TRUE) or the answer to one. */
char *
ssync_localsend_message_build (const SsyncLocalsendIdentity *self_info,
                               gboolean                      announce)
{
  return build (self_info, TRUE, announce);
}

/* Our register request, register answer and info answer: the same fields, no "announce". */
char *
ssync_localsend_message_build_info (const SsyncLocalsendIdentity *self_info)
{
  return build (self_info, FALSE, FALSE);
}

/* One line of JSON with what a face prints for a device event: the field names are the
 * headless face's (snake_case), not LocalSend's. */
char *
ssync_localsend_message_describe (SsyncLocalsendDevice *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "alias");
  json_builder_add_string_value (builder, ssync_localsend_device_get_alias (self));
  json_builder_set_member_name (builder, "fingerprint");
  json_builder_add_string_value (builder, ssync_localsend_device_get_fingerprint (self));
  json_builder_set_member_name (builder, "device_type");
  json_builder_add_string_value (builder, ssync_localsend_device_get_device_type (self));
  json_builder_set_member_name (builder, "device_model");
  if (ssync_localsend_device_get_device_model (self) != NULL)
    json_builder_add_string_value (builder, ssync_localsend_device_get_device_model (self));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "address");
  if (ssync_localsend_device_get_address (self) != NULL)
    json_builder_add_string_value (builder, ssync_localsend_device_get_address (self));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, ssync_localsend_device_get_port (self));
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, ssync_localsend_device_get_protocol (self));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}
