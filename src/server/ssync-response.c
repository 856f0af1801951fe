/* ssync-response.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include "ssync-response.h"

#define RESOURCE_PREFIX "/io/github/sharesync/web/"

/* Pages never run script from anywhere but this server, and share links (which carry the
 * token) are never leaked to other sites through the Referer header. */
static const char content_security_policy[] =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void
ssync_response_set_common_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Security-Policy", content_security_policy);
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
}

static GBytes *
lookup_resource (const char *name)
{
  g_autofree char *path = g_strconcat (RESOURCE_PREFIX, name, NULL);

  return g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

/* Every unknown token and path gets exactly this answer, so a 404 tells nothing about
 * which tokens exist. */
void
ssync_response_not_found (SoupServerMessage *msg)
{
  g_autoptr(GBytes) page = lookup_resource ("error.html");

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (page, NULL), g_bytes_get_size (page));
}

void
ssync_response_text (SoupServerMessage *msg,
                     guint              status,
                     const char        *text)
{
  g_autofree char *body = g_strconcat (text, "\n", NULL);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), strlen (text) + 1);
}

void
ssync_response_json (SoupServerMessage *msg,
                     guint              status,
                     JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *data;

  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &length);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, length);
}

void
ssync_response_resource (SoupServerMessage *msg,
                         const char        *name,
                         const char        *content_type)
{
  g_autoptr(GBytes) data = lookup_resource (name);

  if (data == NULL)
    {
      ssync_response_not_found (msg);
      return;
    }

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-cache");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (data, NULL), g_bytes_get_size (data));
}
