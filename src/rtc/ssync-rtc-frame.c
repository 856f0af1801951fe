/* ssync-rtc-frame.c: building and reading the framing's JSON messages.
 *
 * Every message comes from another machine: reading one never warns or trusts a member's
 * type (json-glib's own getters warn when a member has another type).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <string.h>

#include "ssync-rtc-frame.h"

/* A new message {"type": @type}; add members with json_object_set_*_member(). */
JsonObject *
ssync_rtc_frame_new (const char *type)
{
  JsonObject *frame = json_object_new ();

  json_object_set_string_member (frame, "type", type);
  return frame;
}

char *
ssync_rtc_frame_to_text (JsonObject *frame)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, frame);
  return json_to_string (node, FALSE);
}

/* The object in @text, or NULL when it is not a JSON object with a string "type". */
JsonObject *
ssync_rtc_frame_parse (const char *text,
                       gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *frame;

  if (!json_parser_load_from_data (parser, text, length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  frame = json_node_get_object (root);
  if (ssync_rtc_frame_get_string (frame, "type") == NULL)
    return NULL;
  return json_object_ref (frame);
}

const char *
ssync_rtc_frame_get_string (JsonObject *frame,
                            const char *member)
{
  JsonNode *node = json_object_get_member (frame, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A whole non-negative number (JSON numbers from browsers may come as doubles). */
gboolean
ssync_rtc_frame_get_uint (JsonObject *frame,
                          const char *member,
                          guint64    *value)
{
  JsonNode *node = json_object_get_member (frame, member);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64 && json_node_get_int (node) >= 0)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (d >= 0 && d <= 9007199254740992.0 && d == (double) (guint64) d)
        {
          *value = (guint64) d;
          return TRUE;
        }
    }
  return FALSE;
}

/* 64 lower-case hex digits. */
gboolean
ssync_rtc_frame_is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}
