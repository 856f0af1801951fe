/* ssync-page-form-scan.c: the files of a multipart/form-data body spooled to disk.
 *
 * The body is read from the spool in 1 MiB blocks to find every delimiter, then each part's
 * headers (at most 8 KiB) are read for its file name. Whatever the body holds, the work is
 * bounded: at most SSYNC_PAGE_FORM_MAX_FILES files are taken, a part with longer headers, a
 * name that is not a plain file name, a file over the size limit or a form that does not end
 * with its closing delimiter refuses the whole form, before anything is written.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssync-page-form.h"
#include "ssync-page-form-private.h"
#include "ssync-page-i18n.h"

#define READ_SIZE (1024 * 1024)
#define MAX_PART_HEADER (8 * 1024)

/* The value of @key in a header line's parameters ("name=\"x\""), unquoted; NULL if none. */
static char *
disposition_param (const char *line,
                   const char *key)
{
  g_autoptr(GHashTable) params = soup_header_parse_semi_param_list (line);

  return g_strdup (g_hash_table_lookup (params, key));
}

/* Reads the part headers at @offset; FALSE for headers past MAX_PART_HEADER or without the
 * blank line that ends them. Sets @filename (NULL for a field that is no file). */
static gboolean
read_part_headers (int        fd,
                   guint64    offset,
                   guint64    end,
                   guint64   *body_start,
                   char     **filename)
{
  g_autofree char *buffer = g_malloc (MAX_PART_HEADER + 1);
  gssize n = pread (fd, buffer, MIN (MAX_PART_HEADER, end - offset), offset);
  g_auto(GStrv) lines = NULL;
  char *blank;

  *filename = NULL;
  if (n <= 0)
    return FALSE;
  buffer[n] = '\0';
  blank = g_strstr_len (buffer, n, "\r\n\r\n");
  if (blank == NULL)
    return FALSE;
  *blank = '\0';
  *body_start = offset + (blank - buffer) + 4;

  lines = g_strsplit (buffer, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], "Content-Disposition:", 20) == 0)
        {
          const char *value = lines[i] + 20;
          const char *semi = strchr (value, ';');

          if (semi != NULL)
            *filename = disposition_param (semi + 1, "filename");
        }
    }
  return TRUE;
}

void
ssync_form_file_free (SsyncFormFile *file)
{
  g_free (file->name);
  g_free (file);
}

static GPtrArray *
scan_refuse (SsyncFormRefusal *refusal,
             guint             status,
             const char       *title,
             const char       *text)
{
  refusal->status = status;
  refusal->title = title;
  refusal->text = text;
  return NULL;
}

/* The offsets of every delimiter in the spool (the first one may lack its CRLF). */
static GArray *
find_delimiters (int         fd,
                 const char *delimiter,
                 guint64     size)
{
  gsize dlen = strlen (delimiter);
  g_autofree char *buffer = g_malloc (READ_SIZE + dlen);
  GArray *found = g_array_new (FALSE, FALSE, sizeof (guint64));
  guint64 base = 0;
  gsize kept = 2;

  /* A virtual CRLF before the first byte lets the first delimiter match like the others. */
  memcpy (buffer, "\r\n", 2);
  while (base < size || kept > 0)
    {
      gssize n = base < size ? pread (fd, buffer + kept, READ_SIZE, base) : 0;
      gsize have;
      const char *p;

      if (n < 0)
        break;
      have = kept + n;
      for (p = buffer; (p = memmem (p, buffer + have - p, delimiter, dlen)) != NULL; p += dlen)
        {
          /* Offsets count from the spool's first byte; the virtual CRLF is -2. */
          gint64 at = (gint64) base - (gint64) kept + (p - buffer);

          g_array_append_val (found, at);
          if (found->len > 2 * SSYNC_PAGE_FORM_MAX_FILES + 2)
            return found;
        }
      if (n == 0)
        break;
      base += n;
      kept = MIN (have, dlen - 1);
      memmove (buffer, buffer + have - kept, kept);
    }
  return found;
}

/* The files of the form spooled at @spool_path, whose parts are separated by @delimiter
 * ("\r\n--BOUNDARY"), each at most @max_size bytes (0: any); NULL, with @refusal set,
 * for a form that is refused. Blocks: for a worker thread. */
GPtrArray *
ssync_page_form_scan (const char       *spool_path,
                      const char       *delimiter,
                      guint64           max_size,
                      SsyncFormRefusal *refusal)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) ssync_form_file_free);
  g_autoptr(GArray) delimiters = NULL;
  int fd = g_open (spool_path, O_RDONLY | O_CLOEXEC, 0);
  gsize dlen = strlen (delimiter);
  struct stat st;
  char tail[2];

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      if (fd >= 0)
        close (fd);
      return scan_refuse (refusal, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                          NP_("The files could not be received"),
                          NP_("The receiving computer could not read what was sent."));
    }

  delimiters = find_delimiters (fd, delimiter, st.st_size);
  for (guint i = 0; i + 1 < delimiters->len; i++)
    {
      guint64 after = g_array_index (delimiters, gint64, i) + dlen;
      guint64 end = g_array_index (delimiters, gint64, i + 1);
      g_autofree char *filename = NULL;
      guint64 body_start;

      /* "--" after a delimiter ends the form; what follows is not a part. */
      if (pread (fd, tail, 2, after) != 2 || memcmp (tail, "--", 2) == 0)
        break;
      if (!read_part_headers (fd, after + 2, end, &body_start, &filename) || body_start > end)
        {
          close (fd);
          return scan_refuse (refusal, SOUP_STATUS_BAD_REQUEST,
                              NP_("The files could not be received"),
                              end - after > MAX_PART_HEADER
                                ? NP_("A part of the form has headers that are too long.")
                                : NP_("The form sent was not complete or not readable."));
        }
      /* A field that is no file, or the empty file input of a form sent without a choice. */
      if (filename == NULL || filename[0] == '\0')
        continue;
      if (strchr (filename, '/') != NULL || strchr (filename, '\\') != NULL ||
          g_str_equal (filename, ".") || g_str_equal (filename, "..") ||
          !g_utf8_validate (filename, -1, NULL))
        {
          close (fd);
          return scan_refuse (refusal, SOUP_STATUS_BAD_REQUEST,
                              NP_("The files could not be received"),
                              NP_("A file name in the form is not a plain file name."));
        }
      if (files->len >= SSYNC_PAGE_FORM_MAX_FILES)
        {
          close (fd);
          return scan_refuse (refusal, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                              NP_("Too many files at once"),
                              NP_("Send at most 100 files at a time from this page."));
        }
      if (max_size > 0 && end - body_start > max_size)
        {
          close (fd);
          return scan_refuse (refusal, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                              NP_("A file is too large"),
                              NP_("The receiving computer takes smaller files only."));
        }

      {
        SsyncFormFile *file = g_new0 (SsyncFormFile, 1);

        file->name = g_steal_pointer (&filename);
        file->start = body_start;
        file->length = end - body_start;
        g_ptr_array_add (files, file);
      }
    }
  /* A form ends with "--BOUNDARY--"; without it the body was cut short or is no form. */
  if (delimiters->len == 0 ||
      pread (fd, tail, 2, g_array_index (delimiters, gint64, delimiters->len - 1) + dlen) != 2 ||
      memcmp (tail, "--", 2) != 0)
    {
      close (fd);
      return scan_refuse (refusal, SOUP_STATUS_BAD_REQUEST, NP_("The files could not be received"),
                          NP_("The form sent was not complete or not readable."));
    }
  close (fd);
  if (files->len == 0)
    return scan_refuse (refusal, SOUP_STATUS_BAD_REQUEST, NP_("No file was chosen"),
                        NP_("Choose one or more files, then send them."));
  return g_steal_pointer (&files);
}
