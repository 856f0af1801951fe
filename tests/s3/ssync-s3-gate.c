/* ssync-s3-gate.c: forwarding to s3rver, and the signature-checking proxy (ssync-s3-gate.h). It signs each request
 * again with its own secret, from the headers the client signed, and compares. Pre-signed
 * links (no Authorization header) pass unchecked: the test fetches them with a plain client.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ssync-s3-gate.h"
#include "ssync-sigv4.h"

/* The Authorization header as the client would have made it with the gate's secret, from
 * its Credential (access key, date and region) and the signed headers. */
static char *
expected_authorization (SsyncS3Gate       *gate,
                        SoupServerMessage *msg,
                        const char        *authorization,
                        GHashTable        *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *credential = strstr (authorization, "Credential=");
  const char *amz_date = soup_message_headers_get_one (headers, "x-amz-date");
  const char *payload_hash = soup_message_headers_get_one (headers, "x-amz-content-sha256");
  const char *host = soup_message_headers_get_one (headers, "Host");
  g_autofree char *path = NULL;
  g_auto(GStrv) scope = NULL;
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (SsyncSigv4Pair));
  GHashTableIter iter;
  gpointer name;
  gpointer value;

  if (credential == NULL || amz_date == NULL || payload_hash == NULL || host == NULL)
    return NULL;
  scope = g_strsplit_set (credential + strlen ("Credential="), "/,", 6);
  if (g_strv_length (scope) < 5)
    return NULL;

  path = g_uri_unescape_string (g_uri_get_path (soup_server_message_get_uri (msg)), NULL);
  if (query != NULL)
    {
      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, &name, &value))
        {
          SsyncSigv4Pair pair = { name, value };

          g_array_append_val (pairs, pair);
        }
    }

  {
    SsyncSigv4Pair signed_headers[] = {
      { "host", host }, { "x-amz-content-sha256", payload_hash }, { "x-amz-date", amz_date },
    };
    SsyncSigv4Request request = { soup_server_message_get_method (msg), path,
                                  (const SsyncSigv4Pair *) pairs->data, pairs->len,
                                  signed_headers, G_N_ELEMENTS (signed_headers), payload_hash };
    SsyncSigv4Key key = { scope[0], gate->secret_key, scope[2], "s3" };

    return ssync_sigv4_authorization (&key, amz_date, &request);
  }
}

static void
on_upstream_reply (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SoupServerMessage) msg = user_data;
  SoupMessage *upstream = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              NULL);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  if (body == NULL)
    soup_server_message_set_status (msg, 502, NULL);
  else
    {
      soup_server_message_set_status (msg, soup_message_get_status (upstream), NULL);
      soup_message_headers_iter_init (&iter, soup_message_get_response_headers (upstream));
      while (soup_message_headers_iter_next (&iter, &name, &value))
        /* libsoup sets the length of the body it sends, except for HEAD. */
        if ((g_ascii_strcasecmp (name, "Content-Length") != 0 ||
             strcmp (soup_server_message_get_method (msg), "HEAD") == 0) &&
            g_ascii_strcasecmp (name, "Transfer-Encoding") != 0 &&
            g_ascii_strcasecmp (name, "Connection") != 0)
          soup_message_headers_append (headers, name, value);
      if (g_bytes_get_size (body) > 0)
        soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
    }
  soup_server_message_unpause (msg);
}

/* Sends @msg on to @upstream_endpoint, the same method, path, query, headers and body, and
 * answers it with what comes back. */
void
ssync_s3_forward (SoupSession       *upstream,
                  const char        *upstream_endpoint,
                  SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *url = g_strdup_printf ("%s%s%s%s", upstream_endpoint, g_uri_get_path (uri),
                                          g_uri_get_query (uri) != NULL ? "?" : "",
                                          g_uri_get_query (uri) != NULL ? g_uri_get_query (uri)
                                                                        : "");
  g_autoptr(SoupMessage) request = soup_message_new (soup_server_message_get_method (msg), url);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strcasecmp (name, "Host") != 0 && g_ascii_strcasecmp (name, "Content-Length") != 0
        && g_ascii_strcasecmp (name, "Connection") != 0)
      soup_message_headers_append (soup_message_get_request_headers (request), name, value);
  if (g_bytes_get_size (bytes) > 0)
    soup_message_set_request_body_from_bytes (request, NULL, bytes);

  soup_server_message_pause (msg);
  soup_session_send_and_read_async (upstream, request, G_PRIORITY_DEFAULT, NULL,
                                    on_upstream_reply, g_object_ref (msg));
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SsyncS3Gate *gate = user_data;
  const char *authorization = soup_message_headers_get_one (
    soup_server_message_get_request_headers (msg), "Authorization");

  if (authorization != NULL)
    {
      g_autofree char *expected = expected_authorization (gate, msg, authorization, query);

      if (g_strcmp0 (expected, authorization) != 0)
        {
          const char *xml = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
                            "<Message>The request signature we calculated does not match the "
                            "signature you provided.</Message></Error>";

          gate->refused++;
          soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC, xml,
                                            strlen (xml));
          soup_server_message_set_status (msg, 403, NULL);
          return;
        }
    }

  ssync_s3_forward (gate->upstream, gate->upstream_endpoint, msg);
}

void
ssync_s3_gate_start (SsyncS3Gate *gate,
                     const char  *upstream_endpoint,
                     const char  *secret_key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *text = NULL;

  gate->upstream_endpoint = g_strdup (upstream_endpoint);
  gate->secret_key = g_strdup (secret_key);
  gate->server = soup_server_new (NULL, NULL);
  gate->upstream = soup_session_new ();
  soup_server_add_handler (gate->server, NULL, on_request, gate, NULL);
  soup_server_listen_local (gate->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (gate->server);
  text = g_uri_to_string (uris->data);
  gate->endpoint = g_strndup (text, strlen (text) - 1);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
}

void
ssync_s3_gate_stop (SsyncS3Gate *gate)
{
  if (gate->server == NULL)
    return;
  soup_server_disconnect (gate->server);
  g_clear_object (&gate->server);
  g_clear_object (&gate->upstream);
  g_clear_pointer (&gate->upstream_endpoint, g_free);
  g_clear_pointer (&gate->secret_key, g_free);
  g_clear_pointer (&gate->endpoint, g_free);
}
