/* test-filename.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ssync-error.h"
#include "ssync-filename.h"

static void
test_content_disposition (void)
{
  static const struct {
    const char *name;
    const char *expected;
  } cases[] = {
    { "report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf" },
    { "a b.txt", "attachment; filename=\"a b.txt\"; filename*=UTF-8''a%20b.txt" },
    { "naïve café.txt",
      "attachment; filename=\"na_ve caf_.txt\"; filename*=UTF-8''na%C3%AFve%20caf%C3%A9.txt" },
    { "日本語.txt",
      "attachment; filename=\"___.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt" },
    { "say \"hi\"\\.txt",
      "attachment; filename=\"say _hi__.txt\"; filename*=UTF-8''say%20%22hi%22%5C.txt" },
    { "100%;x=1.txt",
      "attachment; filename=\"100%;x=1.txt\"; filename*=UTF-8''100%25%3Bx%3D1.txt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *value = ssync_content_disposition (cases[i].name);

      g_assert_cmpstr (value, ==, cases[i].expected);
    }
}

static void
test_sanitize (void)
{
  static const struct {
    const char *name;
    const char *expected;
  } cases[] = {
    { "report.pdf", "report.pdf" },
    { "../../etc/passwd", "_.._etc_passwd" },
    { "..", "file" },
    { ".", "file" },
    { "", "file" },
    { ".hidden", "hidden" },
    { "a/b\\c", "a_b_c" },
    { "tab\there\nnl", "tab_here_nl" },
    { "trailing. . ", "trailing" },
    { "CON", "_CON" },
    { "con.txt", "_con.txt" },
    { "console.txt", "console.txt" },
    { "naïve café.txt", "naïve café.txt" },
    { "bad\xff" "byte", "bad\xef\xbf\xbd" "byte" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *value = ssync_filename_sanitize (cases[i].name);

      g_assert_cmpstr (value, ==, cases[i].expected);
    }
}

static void
test_sanitize_long (void)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *value = NULL;

  for (guint i = 0; i < 150; i++)
    g_string_append (name, "é");
  value = ssync_filename_sanitize (name->str);

  g_assert_cmpuint (strlen (value), <=, 200);
  g_assert_true (g_utf8_validate (value, -1, NULL));
}

/* Found by tests/fuzz/fuzz-filename: cutting a long name to 200 bytes could leave a trailing
 * space or dot, or leave a reserved name behind, and the '_' before a reserved name could take
 * it to 201 bytes. */
static void
test_sanitize_cut (void)
{
  static const struct {
    const char *head;
    char fill;
    const char *tail;
    const char *expected_head;
    char expected_fill;
    gsize expected_len;
  } cases[] = {
    { "", 'a', " bccccccccccccccccccccccccc", "", 'a', 199 },
    { "", 'a', ". . . .z", "", 'a', 199 },
    { "CON", ' ', "x", "_CON", ' ', 4 },
    { "con.", 'x', "", "_con.", 'x', 200 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) name = g_string_new (cases[i].head);
      g_autofree char *value = NULL;
      gsize head_len = strlen (cases[i].expected_head);

      while (name->len < 199 + strlen (cases[i].head))
        g_string_append_c (name, cases[i].fill);
      g_string_append (name, cases[i].tail);
      value = ssync_filename_sanitize (name->str);

      g_assert_cmpuint (strlen (value), ==, cases[i].expected_len);
      g_assert_true (g_str_has_prefix (value, cases[i].expected_head));
      for (gsize k = head_len; k < cases[i].expected_len; k++)
        g_assert_cmpint (value[k], ==, cases[i].expected_fill);
    }
}

/* Browser paths: folders kept, never leaving the folder, refused past 32 levels or 4 KiB. */
static void
test_sanitize_path (void)
{
  const struct {
    const char *in;
    const char *path;
    const char *name;
  } cases[] = {
    { "photos/trip/a.jpg", "photos/trip/a.jpg", "a.jpg" },
    { "../../etc/passwd", "etc/passwd", "passwd" },
    { "a\\b\\..\\c.txt", "a/b/c.txt", "c.txt" },
    { "//./", "Unnamed file", "Unnamed file" },
    { NULL, "Unnamed file", "Unnamed file" },
  };
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) deepest_allowed = g_string_new (NULL);
  g_autoptr(GString) long_path = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *path = ssync_filename_sanitize_path (cases[i].in, &name, NULL);

      g_assert_cmpstr (path, ==, cases[i].path);
      g_assert_cmpstr (name, ==, cases[i].name);
    }

  for (guint i = 0; i < SSYNC_FILENAME_MAX_DEPTH; i++)
    g_string_append (deepest_allowed, i == 0 ? "d" : "/d");
  g_string_append_printf (deep, "%s/f", deepest_allowed->str);
  while (long_path->len <= SSYNC_FILENAME_MAX_PATH)
    g_string_append (long_path, "abcdefgh/");

  {
    g_autofree char *ok = ssync_filename_sanitize_path (deepest_allowed->str, NULL, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *refused = ssync_filename_sanitize_path (deep->str, NULL, &error);

    g_assert_nonnull (ok);
    g_assert_null (refused);
    g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *refused = ssync_filename_sanitize_path (long_path->str, NULL, &error);

    g_assert_null (refused);
    g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/filename/content-disposition", test_content_disposition);
  g_test_add_func ("/filename/sanitize", test_sanitize);
  g_test_add_func ("/filename/sanitize-long", test_sanitize_long);
  g_test_add_func ("/filename/sanitize-cut", test_sanitize_cut);
  g_test_add_func ("/filename/sanitize-path", test_sanitize_path);

  return g_test_run ();
}
