/* ssync-page-share.c: the share page (/s/{token}), written whole by the server.
 *
 * The name, the count and size, the expiry, the zip link and every file with its size, link
 * and SHA-256 are in the HTML: the page works without scripts, in a browser that cannot run
 * modules, and for curl, wget and text browsers. share.js only adds to it (direct transfers,
 * progress, the ended state). A share of many files is sent a page of rows at a time.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include "ssync-page-render.h"
#include "ssync-page-share.h"

static void
append_file (GString               *out,
             SsyncPage             *page,
             const SsyncPageLocale *l,
             SsyncShare            *share,
             SsyncFileEntry        *entry)
{
  const char *path = ssync_file_entry_get_path (entry);
  const char *slash = strrchr (path, '/');
  g_autofree char *id = ssync_page_escape (ssync_file_entry_get_id (entry));
  g_autofree char *dir = slash != NULL ? g_strndup (path, slash + 1 - path) : NULL;
  g_autofree char *dir_markup = dir != NULL ? ssync_page_escape (dir) : NULL;
  g_autofree char *base_markup = ssync_page_escape (slash != NULL ? slash + 1 : path);
  g_autofree char *name_markup = ssync_page_escape (ssync_file_entry_get_name (entry));
  g_autofree char *path_markup = ssync_page_escape (path);
  g_autofree char *size = ssync_page_format_size (l, ssync_file_entry_get_size (entry));
  g_autofree char *url_name = g_uri_escape_string (ssync_file_entry_get_name (entry), NULL,
                                                   FALSE);
  g_autofree char *url = g_strdup_printf ("/s/%s/f/%s/%s", ssync_share_get_token (share),
                                          ssync_file_entry_get_id (entry), url_name);
  g_autofree char *url_markup = ssync_page_escape (url);
  g_autofree char *label = ssync_page_markup_format (P_(l, "Download %s"), path_markup);
  g_autofree char *sha256 = ssync_file_entry_dup_sha256 (entry);

  g_string_append_printf (out, "<li class=\"file\" data-file-id=\"%s\" data-size=\"%"
                          G_GUINT64_FORMAT "\">", id, ssync_file_entry_get_size (entry));
  g_string_append (out, "<span class=\"file-icon\" aria-hidden=\"true\"></span>"
                   "<div class=\"file-info\"><p class=\"file-path\">");
  if (dir_markup != NULL)
    g_string_append_printf (out, "<span class=\"file-dir\">%s</span>", dir_markup);
  g_string_append_printf (out, "<span class=\"file-name\">%s</span></p>"
                          "<p class=\"file-meta file-size\">%s</p></div>", base_markup, size);
  g_string_append_printf (out, "<a class=\"button download\" href=\"%s\" download=\"%s\" "
                          "aria-label=\"%s\"><span class=\"button-icon icon-download\" "
                          "aria-hidden=\"true\"></span><span class=\"download-label\">%s</span>"
                          "</a>", url_markup, name_markup, label,
                          ssync_page_escaped (page, P_(l, "Download")));
  g_string_append (out, "<p class=\"file-meta file-status file-direct\" aria-live=\"polite\" "
                   "hidden></p>");
  if (sha256 != NULL)
    g_string_append_printf (out, "<code class=\"file-sha\" title=\"%s\">SHA-256 %s</code>",
                            ssync_page_escaped (page, P_(l, "SHA-256 checksum")), sha256);
  g_string_append (out, "</li>\n");
}

static guint
requested_page (GHashTable *query,
                guint       n_pages)
{
  const char *value = query != NULL ? g_hash_table_lookup (query, "page") : NULL;
  guint64 page;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &page, NULL))
    return 1;
  return MIN ((guint) page, n_pages);
}

static char *
pager_markup (SsyncPage             *html,
              const SsyncPageLocale *l,
              guint                  page,
              guint                  n_pages,
              guint                  n_files)
{
  GString *out;
  guint first = (page - 1) * SSYNC_PAGE_SHARE_ROWS + 1;
  guint last = MIN (page * SSYNC_PAGE_SHARE_ROWS, n_files);
  g_autofree char *range = NULL;

  if (n_pages <= 1)
    return g_strdup ("");

  range = g_strdup_printf (P_(l, "Files %u–%u of %u"), first, last, n_files);
  out = g_string_new ("<nav class=\"pager\">");
  g_string_append_printf (out, "<p class=\"pager-summary\">%s</p>",
                          ssync_page_escaped (html, range));
  if (page > 1)
    g_string_append_printf (out, "<a class=\"button pill\" rel=\"prev\" href=\"?page=%u\">%s</a>",
                            page - 1, ssync_page_escaped (html, P_(l, "Previous files")));
  if (page < n_pages)
    g_string_append_printf (out, "<a class=\"button pill\" rel=\"next\" href=\"?page=%u\">%s</a>",
                            page + 1, ssync_page_escaped (html, P_(l, "More files")));
  g_string_append (out, "</nav>");
  return g_string_free (out, FALSE);
}

static char *
expiry_markup (const SsyncPageLocale *l,
               SsyncShare            *share)
{
  g_autofree char *time_markup = NULL;
  g_autofree char *sentence = NULL;

  if (ssync_share_get_expires (share) == 0)
    return g_strdup ("");

  time_markup = ssync_page_time_markup (ssync_share_get_expires (share));
  sentence = ssync_page_markup_format (P_(l, "Available until %s"), time_markup);
  return g_strdup_printf ("<p id=\"share-expiry\" class=\"share-expiry\">%s</p>", sentence);
}

void
ssync_page_share_send (SoupServerMessage *msg,
                       SsyncShare        *share,
                       GHashTable        *query)
{
  const SsyncPageLocale *l = ssync_page_locale_for_request (msg);
  g_autoptr(SsyncPage) page = ssync_page_new ("share.html");
  guint n_files = ssync_share_get_n_files (share);
  guint n_pages = MAX (1, (n_files + SSYNC_PAGE_SHARE_ROWS - 1) / SSYNC_PAGE_SHARE_ROWS);
  guint current = requested_page (query, n_pages);
  g_autoptr(GString) rows = g_string_new (NULL);
  g_autofree char *count = g_strdup_printf (PN_(l, "%u file", "%u files", n_files), n_files);
  g_autofree char *size = ssync_page_format_size (l, ssync_share_get_total_size (share));
  const char *name = ssync_share_get_name (share);

  for (guint i = (current - 1) * SSYNC_PAGE_SHARE_ROWS;
       i < MIN (current * SSYNC_PAGE_SHARE_ROWS, n_files); i++)
    append_file (rows, page, l, share, ssync_share_get_file (share, i));
  if (n_files == 0)
    g_string_append_printf (rows, "<li class=\"file file-empty\">%s</li>",
                            ssync_page_escaped (page, P_(l, "This share has no files.")));

  ssync_page_set_text (page, "name", name != NULL && name[0] != '\0' ? name
                                                                       : P_(l, "Shared files"));
  ssync_page_set (page, "token", ssync_share_get_token (share));
  ssync_page_take (page, "summary", g_strdup_printf ("%s · %s", count, size));
  ssync_page_take (page, "expiry", expiry_markup (l, share));
  if (n_files > 0)
    ssync_page_take (page, "zip",
                     g_strdup_printf ("<a id=\"download-zip\" class=\"button pill suggested "
                                      "download-zip\" href=\"/s/%s/archive.zip\" download>"
                                      "<span class=\"button-icon icon-download\" "
                                      "aria-hidden=\"true\"></span><span>%s</span></a>",
                                      ssync_share_get_token (share),
                                      ssync_page_escaped (page, P_(l, "Download all (zip)"))));
  ssync_page_set_text (page, "files-heading", P_(l, "Files"));
  ssync_page_set (page, "files", rows->str);
  ssync_page_take (page, "pager", pager_markup (page, l, current, n_pages, n_files));
  ssync_page_set_text (page, "footer", P_(l, "Shared from a computer on your network with "
                                             "ShareSync"));
  ssync_page_send (page, msg, SOUP_STATUS_OK, l);
}
