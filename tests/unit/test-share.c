/* test-share.c: enumerating what a share holds.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssync-registry.h"
#include "ssync-share.h"

typedef struct {
  char *dir;
} Fixture;

static void
write_file (const char *dir,
            const char *path,
            const char *contents)
{
  g_autofree char *full = g_build_filename (dir, path, NULL);
  g_autofree char *parent = g_path_get_dirname (full);

  g_assert_no_errno (g_mkdir_with_parents (parent, 0700));
  g_assert_true (g_file_set_contents (full, contents, -1, NULL));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = NULL;

  fixture->dir = g_dir_make_tmp ("ssync-share-XXXXXX", &error);
  g_assert_no_error (error);

  write_file (fixture->dir, "notes.txt", "hello");
  write_file (fixture->dir, "other/notes.txt", "second");
  write_file (fixture->dir, "Photos/b.jpg", "bb");
  write_file (fixture->dir, "Photos/a.jpg", "a");
  write_file (fixture->dir, "Photos/Trip/c.jpg", "ccc");
  write_file (fixture->dir, "Photos/Grüße/é.txt", "e");
  empty = g_build_filename (fixture->dir, "Photos", "Empty", NULL);
  g_assert_no_errno (g_mkdir_with_parents (empty, 0700));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_free (fixture->dir);
}

static void
on_share (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static SsyncShare *
make_share (Fixture     *fixture,
            const char **paths,
            GError     **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;

  for (guint i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_build_filename (fixture->dir, paths[i], NULL));

  ssync_share_new_async ((GFile **) files->pdata, files->len, NULL, on_share, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return ssync_share_new_finish (result, error);
}

static void
test_share_folder (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *paths[] = { "notes.txt", "Photos", "other/notes.txt", NULL };
  const char *expected[] = {
    "notes.txt", "Photos/a.jpg", "Photos/b.jpg", "Photos/Grüße/é.txt", "Photos/Trip/c.jpg",
    "notes (1).txt",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncShare) share = make_share (fixture, paths, &error);
  GPtrArray *dirs;

  g_assert_no_error (error);
  g_assert_cmpstr (ssync_share_get_name (share), ==, "notes.txt and 2 more items");
  g_assert_cmpuint (ssync_share_get_n_files (share), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      SsyncFileEntry *entry = ssync_share_get_file (share, i);
      g_autofree char *id = g_strdup_printf ("%u", i);

      g_assert_cmpstr (ssync_file_entry_get_path (entry), ==, expected[i]);
      g_assert_true (ssync_share_lookup_file (share, id) == entry);
    }
  g_assert_cmpuint (ssync_share_get_total_size (share), ==, 5 + 1 + 2 + 1 + 3 + 6);

  dirs = ssync_share_get_directories (share);
  g_assert_cmpuint (dirs->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (dirs, 0), ==, "Photos");

  /* One URL per file: no signs, spaces, leading zeros or out-of-range ids. */
  g_assert_null (ssync_share_lookup_file (share, "01"));
  g_assert_null (ssync_share_lookup_file (share, "+1"));
  g_assert_null (ssync_share_lookup_file (share, "6"));
  g_assert_null (ssync_share_lookup_file (share, "-1"));
  g_assert_null (ssync_share_lookup_file (share, ""));
  g_assert_cmpstr (ssync_share_get_token (share), !=, ssync_share_get_id (share));
}

static void
test_share_missing (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *paths[] = { "notes.txt", "does-not-exist.txt", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncShare) share = make_share (fixture, paths, &error);

  g_assert_null (share);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "does-not-exist.txt"));
}

static void
test_registry_lookup (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *paths[] = { "notes.txt", NULL };
  g_autoptr(SsyncRegistry) registry = ssync_registry_new ();
  g_autoptr(SsyncShare) share = make_share (fixture, paths, NULL);
  g_autofree char *wrong = g_strdup (ssync_share_get_token (share));

  ssync_registry_add (registry, share);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 1);
  g_assert_true (ssync_registry_lookup_token (registry, ssync_share_get_token (share)) == share);
  g_assert_true (ssync_registry_lookup_id (registry, ssync_share_get_id (share)) == share);

  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  g_assert_null (ssync_registry_lookup_token (registry, wrong));
  g_assert_null (ssync_registry_lookup_token (registry, ""));

  g_assert_true (ssync_registry_remove (registry, share));
  g_assert_null (ssync_registry_lookup_token (registry, ssync_share_get_token (share)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/share/folder", Fixture, NULL, fixture_set_up, test_share_folder,
              fixture_tear_down);
  g_test_add ("/share/missing", Fixture, NULL, fixture_set_up, test_share_missing,
              fixture_tear_down);
  g_test_add ("/share/registry", Fixture, NULL, fixture_set_up, test_registry_lookup,
              fixture_tear_down);

  return g_test_run ();
}
