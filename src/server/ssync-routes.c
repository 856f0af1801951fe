/* ssync-routes.c: paths of the embedded HTTP server to their routes (DESIGN.md, "HTTP API").
 *
 * Paths are matched raw (SoupServer:raw-paths) and split on '/', each segment decoded on
 * its own: an encoded "%2F" can never add a path level, and no path is ever mapped to
 * the filesystem; files are found by the share token and the file's index only.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include "ssync-page-form.h"
#include "ssync-page-i18n.h"
#include "ssync-page-receive.h"
#include "ssync-page-share.h"
#include "ssync-response.h"
#include "ssync-routes.h"

char **
ssync_routes_split_path (const char *raw_path)
{
  g_auto(GStrv) parts = g_strsplit (raw_path + 1, "/", -1);
  guint n = g_strv_length (parts);

  for (guint i = 0; i < n; i++)
    {
      /* NULL when a segment decodes to a '/' or a NUL byte: such a path matches nothing. */
      char *decoded = g_uri_unescape_string (parts[i], "/");

      if (decoded == NULL)
        return NULL;
      g_free (parts[i]);
      parts[i] = decoded;
    }

  return g_steal_pointer (&parts);
}

/* /static/{name}: any script, style sheet or image the web GResource holds, so that a page
 * added to data/web needs no change here. Pages (.html) are served by their routes only. */
static void
serve_static (SoupServerMessage *msg,
              const char        *name)
{
  static const struct {
    const char *suffix;
    const char *type;
  } types[] = {
    { ".css", "text/css; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".svg", "image/svg+xml" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      if (g_str_has_suffix (name, types[i].suffix))
        {
          /* Answers 404 itself when the resource does not exist. */
          ssync_response_resource (msg, name, types[i].type);
          return;
        }
    }

  ssync_response_not_found (msg);
}

static void
route_share (SsyncRouteContext *context,
             SoupServerMessage *msg,
             char             **parts,
             guint              n,
             GHashTable        *query)
{
  SsyncShare *share = ssync_route_resolve_share (context, msg, parts[1], SSYNC_ROUTE_SEND);

  if (share == NULL)
    return;

  if (n == 2)
    ssync_page_share_send (msg, share, query);
  else if (n == 3 && strcmp (parts[2], "archive.zip") == 0)
    ssync_zip_response_handle (context, msg, share);
  else if (n == 5 && strcmp (parts[2], "f") == 0)
    {
      SsyncFileEntry *entry = ssync_share_lookup_file (share, parts[3]);

      /* The name in the URL is only for the browser, but it must be the right one, so that
       * each file has exactly one URL. */
      if (entry == NULL || strcmp (parts[4], ssync_file_entry_get_name (entry)) != 0)
        ssync_response_not_found (msg);
      else
        ssync_file_response_handle (context, msg, share, entry);
    }
  else
    ssync_response_not_found (msg);
}

/* /r/{token}/uploads/ and /r/{token}/uploads/{id}: tus. */
static void
route_uploads (SsyncRouteContext *context,
               SoupServerMessage *msg,
               char             **parts,
               guint              n)
{
  SsyncShare *share;
  const char *id = n == 4 && parts[3][0] != '\0' ? parts[3] : NULL;

  if (n > 4)
    {
      ssync_response_not_found (msg);
      return;
    }
  if ((share = ssync_route_resolve_share (context, msg, parts[1], SSYNC_ROUTE_RECEIVE)) == NULL)
    return;

  if (id == NULL && soup_server_message_get_method (msg) == SOUP_METHOD_POST &&
      !ssync_access_take (context->access, msg, SSYNC_RATE_UPLOAD_CREATE))
    return;

  ssync_tus_handle (context->tus, msg, share, id);
}

/* POST /s/{token}/unlock or /r/{token}/unlock. */
static void
route_unlock (SsyncRouteContext *context,
              SoupServerMessage *msg,
              const char        *prefix,
              const char        *token)
{
  SsyncRouteKind kind = prefix[0] == 'r' ? SSYNC_ROUTE_RECEIVE : SSYNC_ROUTE_SEND;
  /* Not resolved: a locked share is what this route is for. */
  SsyncShare *share = ssync_route_find_share (context, msg, token, kind);
  g_autofree char *page = NULL;

  if (share == NULL)
    return;

  page = g_strdup_printf ("/%s/%s", prefix, token);
  ssync_access_handle_unlock (context->access, msg, share, page);
}

static void
route_api (SsyncRouteContext *context,
           SoupServerMessage *msg,
           char             **parts,
           guint              n)
{
  if (!ssync_access_take (context->access, msg, SSYNC_RATE_API))
    return;

  if (n == 2 && strcmp (parts[1], "health") == 0)
    ssync_api_health (context, msg);
  else if (n == 2 && strcmp (parts[1], "stats") == 0)
    {
      if (ssync_access_check_owner (context->access, msg))
        ssync_api_stats (context, msg);
    }
  else if (n == 3 && strcmp (parts[1], "files") == 0)
    {
      SsyncShare *share = ssync_route_resolve_share (context, msg, parts[2], SSYNC_ROUTE_ANY);

      if (share != NULL)
        ssync_api_files (context, msg, share);
    }
  else
    ssync_response_not_found (msg);
}

/* The handler of every path but /ws and /p2p; @user_data is the SsyncRouteContext. */
void
ssync_routes_handle (SoupServer        *soup,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  SsyncRouteContext *context = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = NULL;
  guint n;

  /* An early handler already answered (a refused upload, a busy server). */
  if (soup_server_message_get_status (msg) != 0)
    return;

  parts = path[0] == '/' ? ssync_routes_split_path (path) : NULL;
  if (parts != NULL && g_strv_length (parts) >= 3 && strcmp (parts[0], "r") == 0 &&
      strcmp (parts[2], "uploads") == 0)
    {
      route_uploads (context, msg, parts, g_strv_length (parts));
      return;
    }

  if (parts != NULL && g_strv_length (parts) == 3 && strcmp (parts[2], "unlock") == 0 &&
      (strcmp (parts[0], "s") == 0 || strcmp (parts[0], "r") == 0) &&
      method == SOUP_METHOD_POST)
    {
      route_unlock (context, msg, parts[0], parts[1]);
      return;
    }

  if (parts != NULL && g_strv_length (parts) == 2 && strcmp (parts[0], "r") == 0 &&
      method == SOUP_METHOD_POST)
    {
      ssync_page_form_handle (msg);
      return;
    }

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      ssync_response_error_page (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                 NP_("This address does not take that request"),
                                 NP_("Open the link in a web browser to see its page."));
      return;
    }

  if (parts == NULL)
    {
      ssync_response_not_found (msg);
      return;
    }
  n = g_strv_length (parts);

  if (n >= 2 && strcmp (parts[0], "s") == 0)
    route_share (context, msg, parts, n, query);
  else if (n == 2 && strcmp (parts[0], "r") == 0)
    {
      SsyncShare *share = ssync_route_resolve_share (context, msg, parts[1],
                                                     SSYNC_ROUTE_RECEIVE);

      if (share != NULL)
        ssync_page_receive_send (msg, share, ssync_tus_get_max_size (context->tus));
    }
  else if (n >= 2 && strcmp (parts[0], "api") == 0)
    route_api (context, msg, parts, n);
  else if (n == 2 && strcmp (parts[0], "static") == 0)
    serve_static (msg, parts[1]);
  else if (n == 1 && strcmp (parts[0], "favicon.ico") == 0)
    serve_static (msg, "favicon.svg");
  else
    ssync_response_not_found (msg);
}
