/* ssync-page-render.c: the HTML pages the server sends, filled in C.
 *
 * A page under data/web is a template whose words are "{{slot}}"s: every word a person reads
 * is put in here, in the reader's language, so a browser without scripts (or with modules it
 * cannot run), curl and text browsers get the whole page. Values are markup built by the
 * routes; every name that came from a person goes in through ssync_page_escape().
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include "ssync-page-render.h"
#include "ssync-response.h"

#define RESOURCE_PREFIX "/io/github/sharesync/web/"
/* A slot's name is short: anything longer between braces is left as it is. */
#define MAX_SLOT_NAME 32

struct _SsyncPage
{
  char *resource;
  GHashTable *slots;  /* name → markup */
  GPtrArray *kept;    /* markup handed out by ssync_page_escaped() */
};

SsyncPage *
ssync_page_new (const char *resource)
{
  SsyncPage *self = g_new0 (SsyncPage, 1);

  self->resource = g_strdup (resource);
  self->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->kept = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
ssync_page_free (SsyncPage *self)
{
  g_free (self->resource);
  g_hash_table_unref (self->slots);
  g_ptr_array_unref (self->kept);
  g_free (self);
}

void
ssync_page_take (SsyncPage  *self,
                 const char *slot,
                 char       *markup)
{
  g_hash_table_replace (self->slots, g_strdup (slot), markup);
}

void
ssync_page_set (SsyncPage  *self,
                const char *slot,
                const char *markup)
{
  ssync_page_take (self, slot, g_strdup (markup));
}

void
ssync_page_set_text (SsyncPage  *self,
                     const char *slot,
                     const char *text)
{
  ssync_page_take (self, slot, ssync_page_escape (text));
}

/* Also escapes quotes, so the result may go into an attribute too. */
char *
ssync_page_escape (const char *text)
{
  return g_markup_escape_text (text, -1);
}

/* @text escaped, kept as long as @self: for translated words put into markup as it is
 * built, so that no translation can break it. */
const char *
ssync_page_escaped (SsyncPage  *self,
                    const char *text)
{
  char *markup = ssync_page_escape (text);

  g_ptr_array_add (self->kept, markup);
  return markup;
}

/* The "%s" (or "%1$s") of a translated template filled with markup: the template is
 * escaped, the markup is not. */
char *
ssync_page_markup_format (const char *translated,
                          const char *markup)
{
  g_autofree char *escaped = ssync_page_escape (translated);
  const char *at = strstr (escaped, "%s");
  gsize skip = 2;
  GString *out;

  if (at == NULL && (at = strstr (escaped, "%1$s")) != NULL)
    skip = 4;
  if (at == NULL)
    return g_steal_pointer (&escaped);
  out = g_string_new_len (escaped, at - escaped);
  g_string_append (out, markup);
  g_string_append (out, at + skip);
  return g_string_free (out, FALSE);
}

/* A <time> element for @real_time (microseconds): the page's script shows it in the
 * reader's time zone and language; the text inside is for everyone else. */
char *
ssync_page_time_markup (gint64 real_time)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (real_time / G_USEC_PER_SEC);
  g_autofree char *iso = g_date_time_format_iso8601 (when);
  g_autofree char *shown = g_date_time_format (when, "%Y-%m-%d %H:%M UTC");

  return g_strdup_printf ("<time datetime=\"%s\">%s</time>", iso, shown);
}

static GBytes *
fill (SsyncPage *self,
      GBytes    *template)
{
  gsize size;
  const char *data = g_bytes_get_data (template, &size);
  const char *end = data + size;
  GString *out = g_string_sized_new (size + 1024);
  const char *p = data;

  while (p < end)
    {
      const char *open = memchr (p, '{', end - p);
      const char *close;

      if (open == NULL || open + 1 >= end || open[1] != '{')
        {
          const char *stop = open == NULL ? end : open + 1;

          g_string_append_len (out, p, stop - p);
          p = stop;
          continue;
        }

      close = g_strstr_len (open + 2, MIN (end - open - 2, MAX_SLOT_NAME + 2), "}}");
      if (close == NULL)
        {
          g_string_append_len (out, p, open + 2 - p);
          p = open + 2;
          continue;
        }

      g_string_append_len (out, p, open - p);
      {
        g_autofree char *name = g_strndup (open + 2, close - open - 2);
        const char *value = g_hash_table_lookup (self->slots, name);

        if (value != NULL)
          g_string_append (out, value);
      }
      p = close + 2;
    }

  return g_string_free_to_bytes (out);
}

/* Fills the template, puts it in @locale's language and answers @msg with it. */
void
ssync_page_send (SsyncPage             *self,
                 SoupServerMessage     *msg,
                 guint                  status,
                 const SsyncPageLocale *locale)
{
  g_autofree char *path = g_strconcat (RESOURCE_PREFIX, self->resource, NULL);
  g_autoptr(GBytes) template = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                                        NULL);
  g_autoptr(GBytes) filled = NULL;
  g_autoptr(GBytes) localized = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  g_return_if_fail (template != NULL);

  filled = fill (self, template);
  localized = ssync_page_localize (filled, locale);

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Vary", "Accept-Language");
  /* libsoup 3.2 knows no phrase for 429. */
  soup_server_message_set_status (msg, status, status == 429 ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (localized, NULL),
                                    g_bytes_get_size (localized));
}
