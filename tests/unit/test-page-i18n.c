/* test-page-i18n.c: the pages' language from Accept-Language, plural forms, and the page
 * that carries both to the scripts.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ssync-page-i18n.h"

static const char * const available[] = { "de", "pt_BR", "sr@latin", NULL };

static void
test_pick_ordinary (void)
{
  static const struct {
    const char *header;
    const char *expected;
  } cases[] = {
    { "de", "de" },
    { "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "de" },
    { "en-US,en;q=0.9,de;q=0.8", NULL },
    { "fr-FR, fr;q=0.9, de;q=0.5", "de" },
    { "DE-at", "de" },
    { "de;q=0.5, en;q=0.6", NULL },
    { "en;q=0.5, de;q=0.6", "de" },
    { "de;q=0.5, en;q=0.5", "de" },
    { "de;q=0, en", NULL },
    { "de;q=0", NULL },
    { "*", NULL },
    { "fr, *;q=0.5", NULL },
    { "fr", NULL },
    { "pt", "pt_BR" },
    { "pt-BR", "pt_BR" },
    { "pt_br", NULL },
    { "sr-Latn", "sr@latin" },
    { "de;level=1;q=0.7, fr", "de" },
    { " \t de ; q=0.300 ", "de" },
    { "de;q=0.001", "de" },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *picked = ssync_page_pick_language (cases[i].header, available);

      g_test_message ("Accept-Language: %s", cases[i].header);
      g_assert_cmpstr (picked, ==, cases[i].expected);
    }
  g_assert_null (ssync_page_pick_language (NULL, available));
}

/* Whatever arrives, the answer is English or a catalog, never a crash; entries that cannot
 * be read are skipped. */
static void
test_pick_hostile (void)
{
  static const char *const unreadable[] = {
    ",,,,,", ";;;;", "de;", "de;q", "de;q=", "de;q=1.5", "de;q=2", "de;q=-1", "de;q=0.0001",
    "de;q=abc", "de;q=0.5.5", "de;q=1.0001", ";q=1", "=de", "\"de\"", "d\xc3\xa9", "\x01\x02",
    "de\x7f", "q=1", "--", "de;q= 0.5", "de,", ",de;q=0.5x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (unreadable); i++)
    {
      const char *picked = ssync_page_pick_language (unreadable[i], available);

      g_test_message ("Accept-Language: %s", unreadable[i]);
      g_assert_true (picked == NULL || strcmp (picked, "de") == 0);
    }
  /* An entry that cannot be read does not stop the next one from being read. */
  g_assert_cmpstr (ssync_page_pick_language ("de;q=9, x;;, pt;q=0.4", available), ==, "pt_BR");
  g_assert_null (ssync_page_pick_language ("de;q=9", available));
  g_assert_null (ssync_page_pick_language ("de;q=1.001", available));
  g_assert_null (ssync_page_pick_language ("de\x01", available));
  /* A range longer than any language's name. */
  {
    g_autofree char *long_range = g_strnfill (500, 'a');
    g_autofree char *header = g_strconcat (long_range, ", de;q=0.1", NULL);

    g_assert_cmpstr (ssync_page_pick_language (header, available), ==, "de");
  }
}

/* A header of 10 KiB or of 1,000 entries is read only so far: the work is bounded, and what
 * comes past the bound does not count. */
static void
test_pick_bounded (void)
{
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GTimer) timer = g_timer_new ();

  while (huge->len < 10 * 1024)
    g_string_append (huge, "fr-FR-x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;q=0.9, ");
  g_string_append (huge, "de");
  for (guint i = 0; i < 1000; i++)
    g_string_append (many, "x,");
  g_string_append (many, "de");

  g_assert_null (ssync_page_pick_language (huge->str, available));
  g_assert_null (ssync_page_pick_language (many->str, available));

  /* What comes before the bound counts. */
  g_string_prepend (many, "de;q=0.1, ");
  g_assert_cmpstr (ssync_page_pick_language (many->str, available), ==, "de");

  g_timer_start (timer);
  for (guint i = 0; i < 2000; i++)
    {
      ssync_page_pick_language (huge->str, available);
      ssync_page_pick_language (many->str, available);
    }
  /* About 4 million bytes read; it takes milliseconds, far below this bound. */
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 5.0);
}

/* Polish: one, few (2-4 except 12-14), many. */
static guint
polish (gulong n)
{
  return n == 1 ? 0 : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20) ? 1 : 2;
}

/* Arabic: zero, one, two, few (3-10), many (11-99), other, by n % 100. */
static guint
arabic (gulong n)
{
  if (n == 0)
    return 0;
  if (n == 1)
    return 1;
  if (n == 2)
    return 2;
  if (n % 100 >= 3 && n % 100 <= 10)
    return 3;
  if (n % 100 >= 11)
    return 4;
  return 5;
}

/* A catalog as build-aux/page-catalogs.py writes it, with the plural table of @rule and one
 * message whose forms are "form 0", "form 1"... */
static SsyncPageLocale *
catalog_with_rule (const char *lang,
                   guint       nplurals,
                   guint     (*rule) (gulong))
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  SsyncPageLocale *locale;

  g_string_append_printf (json, "{\"lang\": \"%s\", \"nplurals\": %u, \"plural\": \"", lang,
                          nplurals);
  for (gulong n = 0; n < 200; n++)
    g_string_append_c (json, (char) ('0' + rule (n)));
  g_string_append (json, "\", \"scripts\": {\"%u file\": [");
  for (guint i = 0; i < nplurals; i++)
    g_string_append_printf (json, "%s\"form %u\"", i > 0 ? ", " : "", i);
  g_string_append (json, "], \"</script><script>alert(1)</script>\": \"<!-- x\"},"
                         " \"server\": {\"Download\": \"Herunterladen\"}}");

  locale = ssync_page_locale_new_from_json (json->str, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (locale);
  return locale;
}

static void
check_rule (SsyncPageLocale *locale,
            guint          (*rule) (gulong))
{
  static const gulong big[] = {
    200, 201, 202, 211, 212, 222, 1000, 1001, 1002, 1011, 1012, 1022, 1111, 123456789,
    G_MAXULONG, G_MAXULONG - 98, G_MAXUINT32, (gulong) G_MAXUINT32 + 3,
  };

  for (gulong n = 0; n < 100000; n++)
    {
      g_autofree char *expected = g_strdup_printf ("form %u", rule (n));

      g_assert_cmpstr (ssync_page_ngettext (locale, "%u file", "%u files", n), ==, expected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (big); i++)
    {
      g_autofree char *expected = g_strdup_printf ("form %u", rule (big[i]));

      g_assert_cmpstr (ssync_page_ngettext (locale, "%u file", "%u files", big[i]), ==,
                       expected);
    }
}

static void
test_plural_table (void)
{
  SsyncPageLocale *pl = catalog_with_rule ("pl", 3, polish);
  SsyncPageLocale *ar = catalog_with_rule ("ar", 6, arabic);

  check_rule (pl, polish);
  check_rule (ar, arabic);

  /* A message the catalog does not have, in English, by English's rule. */
  g_assert_cmpstr (ssync_page_ngettext (pl, "%u folder", "%u folders", 1), ==, "%u folder");
  g_assert_cmpstr (ssync_page_ngettext (pl, "%u folder", "%u folders", 2), ==, "%u folders");
  g_assert_cmpstr (ssync_page_ngettext (pl, "%u folder", "%u folders", 0), ==, "%u folders");
  g_assert_cmpstr (ssync_page_gettext (pl, "Download"), ==, "Herunterladen");
  g_assert_cmpstr (ssync_page_gettext (pl, "Upload"), ==, "Upload");
  g_assert_cmpstr (ssync_page_locale_get_lang (pl), ==, "pl");

  ssync_page_locale_free (pl);
  ssync_page_locale_free (ar);
}

static void
test_broken_catalogs (void)
{
  static const char *const broken[] = {
    "", "[]", "{}", "{\"lang\": \"de\"}",
    "{\"lang\": \"de\", \"nplurals\": 2, \"plural\": \"01\", \"scripts\": {}, \"server\": {}}",
    "{\"lang\": \"de\", \"nplurals\": 0, \"plural\": \"\", \"scripts\": {}, \"server\": {}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (ssync_page_locale_new_from_json (broken[i], -1, &error));
      g_assert_nonnull (error);
    }
}

static char *
localize (const char            *html,
          const SsyncPageLocale *locale)
{
  g_autoptr(GBytes) in = g_bytes_new_static (html, strlen (html));
  g_autoptr(GBytes) out = ssync_page_localize (in, locale);

  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

static void
test_localize (void)
{
  SsyncPageLocale *pl = catalog_with_rule ("pt_BR", 3, polish);
  const SsyncPageLocale *en = ssync_page_locale_for_accept_language ("en");
  g_autofree char *page = localize ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>x</title>"
                                    "</head><body></body></html>", pl);
  g_autofree char *twice = localize (page, pl);
  g_autofree char *english = localize ("<html lang=\"en\"><head></head></html>", en);
  g_autofree char *no_lang = localize ("<html><head></head></html>", en);
  g_autofree char *fragment = localize ("<p>no page</p>", pl);
  const char *block;

  g_assert_cmpstr (ssync_page_locale_get_lang (pl), ==, "pt-BR");
  g_assert_true (g_str_has_prefix (page, "<!DOCTYPE html>\n<html lang=\"pt-BR\">\n<head>"));
  block = strstr (page, "<script type=\"application/json\" id=\"ssync-i18n\">");
  g_assert_nonnull (block);
  g_assert_true (g_str_has_suffix (page, "</script></head><body></body></html>"));
  /* No msgstr closes the element or opens a comment in it. */
  g_assert_null (strstr (block + 1, "<script"));
  g_assert_null (strstr (block, "<!--"));
  g_assert_nonnull (strstr (block, "\\u003c/script>\\u003cscript>alert(1)"));
  g_assert_cmpstr (strstr (block, "</script>"), ==, "</script></head><body></body></html>");
  g_assert_cmpstr (twice, ==, page);

  g_assert_cmpstr (english, ==, "<html lang=\"en\"><head></head></html>");
  g_assert_cmpstr (no_lang, ==, "<html lang=\"en\"><head></head></html>");
  g_assert_cmpstr (fragment, ==, "<p>no page</p>");

  ssync_page_locale_free (pl);
}

/* The catalogs built from po/ are in the GResource: German is served, with its table. */
static void
test_built_catalogs (void)
{
  const SsyncPageLocale *de = ssync_page_locale_for_accept_language ("de-DE,de;q=0.9");
  const SsyncPageLocale *en = ssync_page_locale_for_accept_language ("en-GB,en;q=0.9");
  const SsyncPageLocale *fallback = ssync_page_locale_for_accept_language ("tlh, x-klingon");

  g_assert_cmpstr (ssync_page_locale_get_lang (de), ==, "de");
  g_assert_cmpstr (ssync_page_locale_get_lang (en), ==, "en");
  g_assert_true (fallback == en);
  g_assert_true (ssync_page_locale_for_accept_language (NULL) == en);
  g_assert_cmpstr (ssync_page_gettext (en, "Try again"), ==, "Try again");
  /* A message German has (po/de.po: strings for the i18n test). */
  g_assert_cmpstr (ssync_page_gettext (de, "Try again"), ==, "Erneut versuchen");
  g_assert_cmpstr (ssync_page_ngettext (de, "%s byte", "%s bytes", 1), ==, "%s Byte");
  g_assert_cmpstr (ssync_page_ngettext (de, "%s byte", "%s bytes", 0), ==, "%s Bytes");
  g_assert_cmpstr (ssync_page_ngettext (de, "%s byte", "%s bytes", 201), ==, "%s Bytes");
}

/* Sizes the server writes read as GLib's (in English, but for GLib's no-break space) and as
 * the scripts' formatSize() (in German: "1,2 kB"). */
static void
test_format_size (void)
{
  static const guint64 sizes[] = {
    0, 1, 2, 999, 1000, 1001, 1234, 999949, 999999, 1000000, 524288000, 1000000000000,
    G_GUINT64_CONSTANT (999999999999999999), G_MAXUINT64,
  };
  const SsyncPageLocale *en = ssync_page_locale_for_accept_language ("en");
  const SsyncPageLocale *de = ssync_page_locale_for_accept_language ("de");
  static const struct {
    guint64 size;
    const char *german;
  } german[] = {
    { 0, "0 Bytes" }, { 1, "1 Byte" }, { 999, "999 Bytes" }, { 1234, "1,2 kB" },
    { 524288000, "524,3 MB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *glib = g_format_size (sizes[i]);
      g_autofree char *page = ssync_page_format_size (en, sizes[i]);
      g_auto(GStrv) words = g_strsplit (glib, "\u00a0", -1);
      g_autofree char *plain = g_strjoinv (" ", words);

      g_assert_cmpstr (page, ==, plain);
    }
  for (guint i = 0; i < G_N_ELEMENTS (german); i++)
    {
      g_autofree char *page = ssync_page_format_size (de, german[i].size);

      g_assert_cmpstr (page, ==, german[i].german);
    }
}

static void
test_format (void)
{
  g_autofree char *ordered = ssync_page_format ("%s of %s", "1", "2", NULL);
  g_autofree char *reordered = ssync_page_format ("%2$s, %1$s", "a", "b", NULL);
  g_autofree char *percent = ssync_page_format ("%s %% %d %", "x", NULL);
  g_autofree char *missing = ssync_page_format ("%s and %s and %3$s", "only", NULL);

  g_assert_cmpstr (ordered, ==, "1 of 2");
  g_assert_cmpstr (reordered, ==, "b, a");
  g_assert_cmpstr (percent, ==, "x % %d %");
  g_assert_cmpstr (missing, ==, "only and  and ");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/page-i18n/pick/ordinary", test_pick_ordinary);
  g_test_add_func ("/page-i18n/pick/hostile", test_pick_hostile);
  g_test_add_func ("/page-i18n/pick/bounded", test_pick_bounded);
  g_test_add_func ("/page-i18n/plural/table", test_plural_table);
  g_test_add_func ("/page-i18n/catalog/broken", test_broken_catalogs);
  g_test_add_func ("/page-i18n/localize", test_localize);
  g_test_add_func ("/page-i18n/catalog/built", test_built_catalogs);
  g_test_add_func ("/page-i18n/format-size", test_format_size);
  g_test_add_func ("/page-i18n/format", test_format);

  return g_test_run ();
}
