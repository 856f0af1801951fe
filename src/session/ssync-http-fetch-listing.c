/* ssync-http-fetch-listing.c: --fetch's fast path: the share's listing, checked.
 *
 * The listing (GET /api/files/TOKEN) comes from the network: every entry of it is hostile
 * until checked. At most SSYNC_HTTP_FETCH_MAX_FILES entries, ids that are tokens (they go
 * into a URL), sizes that add up without wrapping and fit on the disk, SHA-256 in hex,
 * paths that stay inside the target folder (one that climbs is refused, not sanitised:
 * the listing lies) and then sanitised with core's rules. One bad entry refuses the whole
 * listing, before anything is written.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ssync-error.h"
#include "ssync-filename.h"
#include "ssync-http-fetch-private.h"
#include "ssync-rtc-frame.h"

#define MAX_ID_LENGTH 64

static gboolean
is_token (const char *id)
{
  gsize n = id != NULL ? strlen (id) : 0;

  if (n == 0 || n > MAX_ID_LENGTH)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_')
      return FALSE;
  return TRUE;
}

/* A path that names a folder above its own, or an absolute one, is a lie: sanitising would
 * only hide it. */
static gboolean
path_climbs (const char *path)
{
  g_auto(GStrv) parts = g_strsplit_set (path, "/\\", -1);

  if (path[0] == '/' || path[0] == '\\')
    return TRUE;
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return TRUE;
  return FALSE;
}

GError *
ssync_http_fetch_lying (const char *what)
{
  return g_error_new (SSYNC_ERROR, SSYNC_ERROR_FAILED,
                      _("The other ShareSync sent a listing this app refuses: %s"), what);
}

/* Checks one entry of the listing; NULL with @error when it is not acceptable. */
static SsyncFetchFile *
parse_entry (SsyncHttpFetch  *self,
             JsonNode        *node,
             guint64         *total,
             GError         **error)
{
  JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *id = entry != NULL ? ssync_rtc_frame_get_string (entry, "id") : NULL;
  const char *path = entry != NULL ? ssync_rtc_frame_get_string (entry, "path") : NULL;
  JsonNode *sha256 = entry != NULL ? json_object_get_member (entry, "sha256") : NULL;
  g_autofree char *clean = NULL;
  SsyncFetchFile *file;
  guint64 size;

  if (!is_token (id))
    *error = ssync_http_fetch_lying (_("a file id that is not a token"));
  else if (path == NULL || path[0] == '\0' || path_climbs (path))
    *error = ssync_http_fetch_lying (_("a file path outside the share"));
  else if (!ssync_rtc_frame_get_uint (entry, "size", &size) ||
           size > (guint64) G_MAXINT64 - *total)
    *error = ssync_http_fetch_lying (_("a file size that is not a size"));
  else if (sha256 != NULL && !JSON_NODE_HOLDS_NULL (sha256) &&
           !ssync_rtc_frame_is_sha256 (ssync_rtc_frame_get_string (entry, "sha256")))
    *error = ssync_http_fetch_lying (_("a SHA-256 that is not one"));
  else
    clean = ssync_filename_sanitize_path (path, NULL, error);
  if (clean == NULL)
    return NULL;

  *total += size;
  file = g_new0 (SsyncFetchFile, 1);
  file->fetch = self;
  file->id = g_strdup (id);
  file->path = g_steal_pointer (&clean);
  /* The file's URL names it as the other app does (its server checks): escaped, it can
   * not leave the path it is put in. */
  file->url_name = g_strdup (ssync_rtc_frame_get_string (entry, "name") != NULL
                               ? ssync_rtc_frame_get_string (entry, "name")
                               : (strrchr (path, '/') != NULL ? strrchr (path, '/') + 1
                                                              : path));
  file->size = size;
  if (sha256 != NULL && !JSON_NODE_HOLDS_NULL (sha256))
    file->sha256 = g_strdup (ssync_rtc_frame_get_string (entry, "sha256"));
  return file;
}

/* Checks the listing as a whole: nothing is written unless every entry is acceptable and
 * they all fit on the disk. */
gboolean
ssync_http_fetch_parse_listing (SsyncHttpFetch  *self,
                                GBytes          *body,
                                GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GFileInfo) info = NULL;
  JsonObject *root;
  JsonNode *files;
  JsonArray *array;
  guint64 total = 0;
  gsize n;
  const char *data = g_bytes_get_data (body, &n);

  if (!json_parser_load_from_data (parser, data, n, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      *error = ssync_http_fetch_lying (_("it is not JSON"));
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (ssync_rtc_frame_get_string (root, "kind"), "receive") == 0)
    {
      g_set_error_literal (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                           _("This link is for sending files to the other ShareSync, not "
                             "for fetching"));
      return FALSE;
    }
  files = json_object_get_member (root, "files");
  if (files == NULL || !JSON_NODE_HOLDS_ARRAY (files))
    {
      *error = ssync_http_fetch_lying (_("no list of files"));
      return FALSE;
    }
  array = json_node_get_array (files);
  if (json_array_get_length (array) > SSYNC_HTTP_FETCH_MAX_FILES)
    {
      *error = ssync_http_fetch_lying (_("too many files"));
      return FALSE;
    }

  self->share_id = g_strdup (ssync_rtc_frame_get_string (root, "id"));
  self->share_name = g_strdup (ssync_rtc_frame_get_string (root, "name"));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      SsyncFetchFile *file = parse_entry (self, json_array_get_element (array, i), &total,
                                          error);

      if (file == NULL)
        return FALSE;
      g_ptr_array_add (self->files, file);
    }

  /* Refused before a byte is written; when the free space cannot be told, writing will
   * say. */
  info = g_file_query_filesystem_info (self->folder, G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                       NULL, NULL);
  if (info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE) &&
      g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE) < total)
    {
      g_autofree char *needed = g_format_size (total);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough free space: the share needs %s"), needed);
      return FALSE;
    }
  return TRUE;
}
