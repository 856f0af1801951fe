/* ssync-page-i18n.c: the words of the pages the server sends, in the reader's language.
 *
 * The catalogs are made at build time from po/LANG.po (build-aux/page-catalogs.py) and
 * compiled into the web GResource as /io/github/sharesync/web/i18n/LANG.json; each holds the
 * page strings of the scripts and of the server, and the plural form for every count as a
 * table. They are read once, on the first request, and kept for the process's life. English is
 * the language of the msgids and has no catalog.
 *
 * The language comes from the request's Accept-Language, a header anyone can fill with
 * anything: it is read to a fixed length and a fixed number of entries, without allocating.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ssync-page-i18n.h"

#define CATALOG_PATH "/io/github/sharesync/web/i18n/"
#define PLURAL_TABLE_SIZE 200
#define MAX_PLURALS 9

/* Browsers send a handful of languages in a few dozen bytes; the rest of a longer header is
 * not read. */
#define MAX_ACCEPT_LANGUAGE_BYTES 4096
#define MAX_ACCEPT_LANGUAGE_ENTRIES 64
#define MAX_RANGE_LENGTH 64

struct _SsyncPageLocale
{
  char *lang;             /* BCP 47, for <html lang> */
  char *name;             /* gettext's name, as in po/LINGUAS */
  char decimal;            /* the decimal separator: '.' or ',' */
  guint nplurals;
  guint8 plural[PLURAL_TABLE_SIZE];
  GHashTable *messages;   /* msgid -> GStrv of its forms */
  GBytes *script_block;   /* the <script type="application/json"> element for the scripts */
};

static SsyncPageLocale english_locale = { (char *) "en", (char *) "en", '.', 2, { 0 }, NULL, NULL };

static GPtrArray *locales;       /* SsyncPageLocale *, one per catalog */
static const char **locale_names; /* their gettext names, NULL-terminated */

/* "pt_BR" -> "pt-BR"; a modifier ("sr@latin") is left out. */
static char *
bcp47_from_gettext (const char *name)
{
  g_autofree char *tag = g_strndup (name, strcspn (name, "@"));

  g_strdelimit (tag, "_", '-');
  return g_steal_pointer (&tag);
}

static gboolean
read_forms (JsonNode   *node,
            guint       nplurals,
            GStrv      *forms_out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_strv_builder_add (builder, json_node_get_string (node));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      if (json_array_get_length (array) != nplurals)
        return FALSE;
      for (guint i = 0; i < nplurals; i++)
        {
          JsonNode *form = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (form) || json_node_get_value_type (form) != G_TYPE_STRING)
            return FALSE;
          g_strv_builder_add (builder, json_node_get_string (form));
        }
    }
  else
    {
      return FALSE;
    }

  *forms_out = g_strv_builder_end (builder);
  return TRUE;
}

static void
add_messages (SsyncPageLocale *locale,
              JsonObject      *messages)
{
  JsonObjectIter iter;
  const char *msgid;
  JsonNode *node;

  json_object_iter_init (&iter, messages);
  while (json_object_iter_next (&iter, &msgid, &node))
    {
      GStrv forms = NULL;

      if (read_forms (node, locale->nplurals, &forms))
        g_hash_table_replace (locale->messages, g_strdup (msgid), forms);
    }
}

/* The scripts' part as one JSON object, inlined in the page: "<" is written as \u003c, so no
 * msgstr can close the element ("</script>") or open a comment, whatever it holds. */
static GBytes *
make_script_block (SsyncPageLocale *locale,
                   JsonNode        *scripts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *plural = g_malloc0 (PLURAL_TABLE_SIZE + 1);
  GString *block = g_string_new ("<script type=\"application/json\" id=\"ssync-i18n\">");

  for (guint i = 0; i < PLURAL_TABLE_SIZE; i++)
    plural[i] = (char) ('0' + locale->plural[i]);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "lang");
  json_builder_add_string_value (builder, locale->lang);
  json_builder_set_member_name (builder, "nplurals");
  json_builder_add_int_value (builder, locale->nplurals);
  json_builder_set_member_name (builder, "plural");
  json_builder_add_string_value (builder, plural);
  json_builder_set_member_name (builder, "messages");
  json_builder_add_value (builder, json_node_copy (scripts));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  for (const char *p = json; *p != '\0'; p++)
    {
      if (*p == '<')
        g_string_append (block, "\\u003c");
      else
        g_string_append_c (block, *p);
    }
  g_string_append (block, "</script>");
  return g_string_free_to_bytes (block);
}

SsyncPageLocale *
ssync_page_locale_new_from_json (const char  *json,
                                 gssize       length,
                                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  SsyncPageLocale *locale;
  JsonObject *root;
  JsonNode *scripts, *server;
  const char *name, *plural;
  gint64 nplurals;

  if (!json_parser_load_from_data (parser, json, length, error))
    return NULL;

  /* An empty text parses, to no root at all. */
  root = json_parser_get_root (parser) != NULL &&
         JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
    ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  name = root != NULL ? json_object_get_string_member_with_default (root, "lang", NULL) : NULL;
  plural = root != NULL ? json_object_get_string_member_with_default (root, "plural", NULL)
                        : NULL;
  nplurals = root != NULL ? json_object_get_int_member_with_default (root, "nplurals", 0) : 0;
  scripts = root != NULL ? json_object_get_member (root, "scripts") : NULL;
  server = root != NULL ? json_object_get_member (root, "server") : NULL;
  if (name == NULL || plural == NULL || strlen (plural) != PLURAL_TABLE_SIZE ||
      nplurals < 1 || nplurals > MAX_PLURALS ||
      scripts == NULL || !JSON_NODE_HOLDS_OBJECT (scripts) ||
      server == NULL || !JSON_NODE_HOLDS_OBJECT (server))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a page catalog");
      return NULL;
    }

  locale = g_new0 (SsyncPageLocale, 1);
  locale->name = g_strdup (name);
  locale->lang = bcp47_from_gettext (name);
  locale->nplurals = (guint) nplurals;
  locale->decimal = g_strcmp0 (json_object_get_string_member_with_default (root, "decimal", "."),
                               ",") == 0 ? ',' : '.';
  for (guint i = 0; i < PLURAL_TABLE_SIZE; i++)
    {
      guint form = (guint) (plural[i] - '0');

      /* A form outside the table falls back to English's for that count. */
      locale->plural[i] = form < locale->nplurals ? form : (i == 1 ? 0 : 1);
    }
  locale->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_strfreev);
  add_messages (locale, json_node_get_object (scripts));
  add_messages (locale, json_node_get_object (server));
  locale->script_block = make_script_block (locale, scripts);
  return locale;
}

void
ssync_page_locale_free (SsyncPageLocale *locale)
{
  if (locale == NULL)
    return;
  g_free (locale->lang);
  g_free (locale->name);
  g_hash_table_unref (locale->messages);
  g_bytes_unref (locale->script_block);
  g_free (locale);
}

static SsyncPageLocale *
load_catalog (const char  *file,
              GError     **error)
{
  g_autofree char *path = g_strconcat (CATALOG_PATH, file, NULL);
  g_autoptr(GBytes) data = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);

  if (data == NULL)
    return NULL;
  return ssync_page_locale_new_from_json (g_bytes_get_data (data, NULL),
                                          (gssize) g_bytes_get_size (data), error);
}

static void
load_catalogs_once (void)
{
  static gsize loaded = 0;

  if (g_once_init_enter (&loaded))
    {
      g_auto(GStrv) files = g_resources_enumerate_children (CATALOG_PATH,
                                                           G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      GPtrArray *names = g_ptr_array_new ();

      locales = g_ptr_array_new ();
      for (guint i = 0; files != NULL && files[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;
          SsyncPageLocale *locale;

          if (!g_str_has_suffix (files[i], ".json"))
            continue;
          locale = load_catalog (files[i], &error);
          if (locale == NULL)
            {
              g_warning ("Page catalog %s is left out: %s", files[i], error->message);
              continue;
            }
          g_ptr_array_add (locales, locale);
          g_ptr_array_add (names, locale->name);
        }
      g_ptr_array_add (names, NULL);
      locale_names = (const char **) g_ptr_array_free (names, FALSE);
      g_once_init_leave (&loaded, 1);
    }
}

/* Accept-Language */

/* Whether the language range @range (@length bytes) names the gettext language @name
 * ("pt-br" and "pt_BR"), ignoring case and @name's modifier; with @primary_only, only @name's
 * primary subtag ("pt") is compared. */
static gboolean
range_equals (const char *range,
              gsize       length,
              const char *name,
              gboolean    primary_only)
{
  gsize name_length = primary_only ? strcspn (name, "_@") : strcspn (name, "@");

  if (length != name_length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char a = g_ascii_tolower (range[i]);
      char b = name[i] == '_' ? '-' : g_ascii_tolower (name[i]);

      if (a != b)
        return FALSE;
    }
  return TRUE;
}

/* The catalog for @range, as RFC 4647 lookup finds it: the exact language, else the range's
 * primary language ("de-AT" finds "de"), else a regional form of it ("pt" finds "pt_BR").
 * Sets @english when the range names English or any language ("*"). */
static const char *
match_range (const char         *range,
             gsize               length,
             const char * const *available,
             gboolean           *english)
{
  gsize primary = 0;

  while (primary < length && range[primary] != '-')
    primary++;
  *english = (length == 1 && range[0] == '*') ||
             (primary == 2 && g_ascii_strncasecmp (range, "en", 2) == 0);

  for (guint i = 0; available[i] != NULL; i++)
    if (range_equals (range, length, available[i], FALSE))
      return available[i];
  if (*english)
    return NULL;
  for (guint i = 0; available[i] != NULL; i++)
    if (range_equals (range, primary, available[i], FALSE))
      return available[i];
  for (guint i = 0; available[i] != NULL; i++)
    if (range_equals (range, primary, available[i], TRUE))
      return available[i];
  return NULL;
}

static gboolean
is_ows (char c)
{
  return c == ' ' || c == '\t';
}

/* A qvalue (RFC 9110: "0", "0.5", "1.000") in thousandths, or -1. */
static int
parse_qvalue (const char *p,
              const char *end)
{
  int value, digits = 0;

  if (p >= end || (*p != '0' && *p != '1'))
    return -1;
  value = (*p++ - '0') * 1000;
  if (p < end && *p == '.')
    {
      int scale = 100;

      for (p++; p < end && g_ascii_isdigit (*p); p++)
        {
          if (++digits > 3)
            return -1;
          value += (*p - '0') * scale;
          scale /= 10;
        }
    }
  if (p != end || value > 1000)
    return -1;
  return value;
}

/* The quality of one entry's parameters ("; q=0.8"), 1000 without one, -1 when unreadable. */
static int
parse_parameters (const char *p,
                  const char *end)
{
  int quality = 1000;

  while (p < end)
    {
      const char *next, *value_end;

      while (p < end && is_ows (*p))
        p++;
      if (p == end)
        break;
      if (*p != ';')
        return -1;
      p++;
      while (p < end && is_ows (*p))
        p++;
      for (next = p; next < end && *next != ';'; next++)
        ;
      value_end = next;
      while (value_end > p && is_ows (value_end[-1]))
        value_end--;
      if (value_end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
        {
          quality = parse_qvalue (p + 2, value_end);
          if (quality < 0)
            return -1;
        }
      p = next;
    }
  return quality;
}

const char *
ssync_page_pick_language (const char         *accept_language,
                          const char * const *available)
{
  const char *p, *end, *best = NULL;
  int best_quality = 0;
  guint entries = 0;

  if (accept_language == NULL || available == NULL)
    return NULL;

  p = accept_language;
  end = p + strnlen (accept_language, MAX_ACCEPT_LANGUAGE_BYTES);
  while (p < end && entries++ < MAX_ACCEPT_LANGUAGE_ENTRIES)
    {
      const char *entry_end = memchr (p, ',', (gsize) (end - p));
      const char *range;
      gsize length = 0;
      gboolean english;
      const char *match;
      int quality;

      if (entry_end == NULL)
        entry_end = end;
      while (p < entry_end && is_ows (*p))
        p++;
      range = p;
      while (p < entry_end && (g_ascii_isalnum (*p) || *p == '-' || *p == '*'))
        p++;
      length = (gsize) (p - range);
      quality = length > 0 && length <= MAX_RANGE_LENGTH ? parse_parameters (p, entry_end) : -1;
      if (quality > best_quality)
        {
          match = match_range (range, length, available, &english);
          if (match != NULL || english)
            {
              best = match;
              best_quality = quality;
            }
        }
      p = entry_end < end ? entry_end + 1 : end;
    }
  return best;
}

const SsyncPageLocale *
ssync_page_locale_for_accept_language (const char *accept_language)
{
  const char *name;

  load_catalogs_once ();
  name = ssync_page_pick_language (accept_language, locale_names);
  for (guint i = 0; name != NULL && i < locales->len; i++)
    {
      SsyncPageLocale *locale = g_ptr_array_index (locales, i);

      if (strcmp (locale->name, name) == 0)
        return locale;
    }
  return &english_locale;
}

const SsyncPageLocale *
ssync_page_locale_for_request (SoupServerMessage *msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

  /* Whatever answer uses the language depends on this header, caches must know. */
  if (!soup_message_headers_header_contains (response, "Vary", "Accept-Language"))
    soup_message_headers_append (response, "Vary", "Accept-Language");
  return ssync_page_locale_for_accept_language (
    soup_message_headers_get_list (request, "Accept-Language"));
}

const char *
ssync_page_locale_get_lang (const SsyncPageLocale *locale)
{
  return locale != NULL ? locale->lang : english_locale.lang;
}

const char *
ssync_page_gettext (const SsyncPageLocale *locale,
                    const char            *msgid)
{
  GStrv forms;

  if (locale == NULL || locale->messages == NULL || msgid == NULL)
    return msgid;
  forms = g_hash_table_lookup (locale->messages, msgid);
  return forms != NULL && forms[0] != NULL && forms[0][0] != '\0' ? forms[0] : msgid;
}

const char *
ssync_page_ngettext (const SsyncPageLocale *locale,
                     const char            *msgid,
                     const char            *msgid_plural,
                     gulong                 n)
{
  GStrv forms;
  guint form;

  if (locale == NULL || locale->messages == NULL)
    return n == 1 ? msgid : msgid_plural;
  forms = g_hash_table_lookup (locale->messages, msgid);
  /* Every plural rule gettext knows gives n the form of 100 + n % 100 once n >= 200. */
  form = locale->plural[n < PLURAL_TABLE_SIZE ? n : 100 + n % 100];
  if (forms == NULL || g_strv_length (forms) != locale->nplurals || forms[form][0] == '\0')
    return n == 1 ? msgid : msgid_plural;
  return forms[form];
}

/* Where the value of the lang attribute of the <html> tag starting at @tag is: sets @start
 * and @length, or returns FALSE when the tag has none. */
static gboolean
find_lang_value (const char  *tag,
                 const char  *tag_end,
                 const char **start,
                 gsize       *length)
{
  static const char attribute[] = " lang=\"";
  const char *found = memmem (tag, (gsize) (tag_end - tag), attribute, sizeof attribute - 1);
  const char *quote;

  if (found == NULL)
    return FALSE;
  *start = found + sizeof attribute - 1;
  if (*start >= tag_end)
    return FALSE;
  quote = memchr (*start, '"', (gsize) (tag_end - *start));
  if (quote == NULL)
    return FALSE;
  *length = (gsize) (quote - *start);
  return TRUE;
}

GBytes *
ssync_page_localize (GBytes                *html,
                     const SsyncPageLocale *locale)
{
  static const char block_id[] = "id=\"ssync-i18n\"";
  gsize size;
  const char *data = g_bytes_get_data (html, &size);
  const char *end = data + size;
  const char *tag, *tag_end, *lang_start, *insert_at;
  gsize lang_length = 0;
  gboolean has_lang;
  GString *out;

  if (locale == NULL)
    locale = &english_locale;
  tag = memmem (data, size, "<html", 5);
  tag_end = tag != NULL ? memchr (tag, '>', (gsize) (end - tag)) : NULL;
  if (tag_end == NULL)
    return g_bytes_ref (html);

  has_lang = find_lang_value (tag, tag_end, &lang_start, &lang_length);
  if (!has_lang)
    lang_start = tag + 5;

  /* The scripts' catalog goes before </head>, once: a page localized twice keeps the first. */
  insert_at = NULL;
  if (locale->script_block != NULL && memmem (data, size, block_id, sizeof block_id - 1) == NULL)
    {
      insert_at = memmem (tag_end, (gsize) (end - tag_end), "</head>", 7);
      if (insert_at == NULL)
        insert_at = tag_end + 1;
    }

  out = g_string_sized_new (size + 64 + (insert_at != NULL
                                         ? g_bytes_get_size (locale->script_block) : 0));
  g_string_append_len (out, data, lang_start - data);
  if (has_lang)
    g_string_append (out, locale->lang);
  else
    g_string_append_printf (out, " lang=\"%s\"", locale->lang);
  if (insert_at != NULL)
    {
      const char *rest = lang_start + lang_length;

      g_string_append_len (out, rest, insert_at - rest);
      g_string_append_len (out, g_bytes_get_data (locale->script_block, NULL),
                           g_bytes_get_size (locale->script_block));
      g_string_append_len (out, insert_at, end - insert_at);
    }
  else
    {
      g_string_append_len (out, lang_start + lang_length, end - (lang_start + lang_length));
    }
  return g_string_free_to_bytes (out);
}

/* As g_format_size() writes sizes (SI units, one decimal past the bytes, each unit from 1000
 * of the one below), in the page's language: the words of data/web/common.js's formatSize(),
 * which writes the same for the scripts, and the language's decimal separator, whatever the
 * process's own locale. Where GLib joins number and unit by a no-break space, the pages write
 * a plain one, as they always have. */
char *
ssync_page_format_size (const SsyncPageLocale *locale,
                        guint64                size)
{
  const char *units[] = {
    NP_("%s kB"), NP_("%s MB"), NP_("%s GB"), NP_("%s TB"), NP_("%s PB"), NP_("%s EB"),
  };
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  char *point;
  guint64 factor = 1000;
  guint unit = 0;

  if (size < 1000)
    {
      g_snprintf (number, sizeof number, "%" G_GUINT64_FORMAT, size);
      return ssync_page_format (ssync_page_ngettext (locale, "%s byte", "%s bytes", (gulong) size),
                                number, NULL);
    }

  while (unit < G_N_ELEMENTS (units) - 1 && size / factor >= 1000)
    {
      factor *= 1000;
      unit++;
    }
  g_ascii_formatd (number, sizeof number, "%.1f", (double) size / (double) factor);
  point = strchr (number, '.');
  if (point != NULL)
    *point = locale->decimal;
  return ssync_page_format (ssync_page_gettext (locale, units[unit]), number, NULL);
}

/* Fills "%s" in order, or "%1$s"-style positions, with @... (strings, NULL-terminated): the
 * templates of page msgids, which translators may reorder, as format() does in i18n.js. */
char *
ssync_page_format (const char *template,
                   ...)
{
  const char *values[9] = { NULL };
  guint n_values = 0, next = 0;
  GString *out = g_string_new (NULL);
  va_list args;

  va_start (args, template);
  for (const char *value; n_values < G_N_ELEMENTS (values) &&
       (value = va_arg (args, const char *)) != NULL;)
    values[n_values++] = value;
  va_end (args);

  for (const char *p = template; *p != '\0'; p++)
    {
      guint index;

      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      if (p[1] == '%')
        {
          g_string_append_c (out, '%');
          p++;
          continue;
        }
      if (p[1] >= '1' && p[1] <= '9' && p[2] == '$' && p[3] == 's')
        {
          index = (guint) (p[1] - '1');
          p += 3;
        }
      else if (p[1] == 's')
        {
          index = next++;
          p++;
        }
      else
        {
          g_string_append_c (out, *p);
          continue;
        }
      if (index < n_values)
        g_string_append (out, values[index]);
    }
  return g_string_free (out, FALSE);
}
