/* ssync-upload-place.c: where an upload's bytes land in the receive folder.
 *
 * The folders of the browser's path are made and opened below the receive folder one
 * component at a time with O_NOFOLLOW, so a link inside it never leads outside. Bytes go to
 * "NAME.part" beside where the file will end up; completion links the .part to the first free
 * name ("NAME", "NAME (1)", ...; link() never replaces an existing file, so two uploads can
 * not race for one name). Everything here blocks on the disk: the upload calls it from its
 * worker threads, holding its lock.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssync-token.h"
#include "ssync-upload-private.h"

/* Takes @what (a translated sentence naming the file) and says what went wrong. */
GError *
ssync_upload_io_error (int   errsv,
                       char *what)
{
  g_autofree char *owned = what;

  if (errsv == ENOSPC || errsv == EFBIG || errsv == EDQUOT)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                        _("%s: the disk is full"), owned);
  return g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", owned,
                      g_strerror (errsv));
}

/* The @n-th candidate for @name: "NAME", "NAME (1).ext", ... and, past the numbers a
 * person would ever see, "NAME (random).ext": a name is always free, so no finished upload
 * ever fails for lack of one (defect found by racing two uploads for the last number). */
#define MAX_NUMBERED 1000
/* Random names tried before giving up (only an unwritable folder gets that far). */
#define MAX_CANDIDATES (MAX_NUMBERED + 100)

static char *
candidate_name (const char *name,
                guint       n)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *suffix = NULL;

  if (n == 0)
    return g_strdup (name);
  if (n < MAX_NUMBERED)
    suffix = g_strdup_printf ("%u", n);
  else
    {
      g_autofree char *token = ssync_token_new ();

      suffix = g_strndup (token, 8);
    }
  if (dot != NULL && dot != name)
    return g_strdup_printf ("%.*s (%s)%s", (int) (dot - name), name, suffix, dot);
  return g_strdup_printf ("%s (%s)", name, suffix);
}

/* Whether @name exists in @dir_fd, whatever it is (a dangling link counts). */
static gboolean
exists_at (int         dir_fd,
           const char *name)
{
  struct stat st;

  return fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

/* Opens (making them as needed) the folders of @path below the receive folder @root, one
 * component at a time with O_NOFOLLOW: a link planted inside the receive folder can never
 * lead a file outside it. Folders made here are added to @made (relative to @root, outermost
 * first), to go again if the upload is dropped. Returns the innermost folder's descriptor. */
int
ssync_upload_open_folder (const char  *root,
                          const char  *path,
                          GPtrArray   *made,
                          GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint n = g_strv_length (parts);
  int fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      int errsv = errno;

      g_propagate_error (error, ssync_upload_io_error (errsv,
                                                       g_strdup (_("Cannot open the receive folder"))));
      return -1;
    }

  for (guint i = 0; i + 1 < n; i++)
    {
      int next;

      if (mkdirat (fd, parts[i], 0755) == 0)
        {
          g_autofree char *rest = parts[i + 1];

          parts[i + 1] = NULL;
          g_ptr_array_add (made, g_strjoinv ("/", parts));
          parts[i + 1] = g_steal_pointer (&rest);
        }
      next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          int errsv = errno;

          close (fd);
          if (errsv == ELOOP || errsv == ENOTDIR)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                         _("Cannot receive into “%s”: it is not a folder"), parts[i]);
          else
            {
              char *what = g_strdup_printf (_("Cannot create the folder “%s”"), parts[i]);

              g_propagate_error (error, ssync_upload_io_error (errsv, what));
            }
          return -1;
        }
      close (fd);
      fd = next;
    }

  return fd;
}

/* Removes the folders in @made (from ssync_upload_open_folder()), innermost first, as long
 * as they are empty (other uploads may have put files in them since), and empties @made. */
void
ssync_upload_remove_folders (const char *root,
                             GPtrArray  *made)
{
  int root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (root_fd < 0)
    return;

  for (guint i = made->len; i > 0; i--)
    {
      const char *relative = g_ptr_array_index (made, i - 1);
      g_autofree char *parent = g_path_get_dirname (relative);
      g_autofree char *base = g_path_get_basename (relative);
      g_auto(GStrv) parts = g_strsplit (parent, "/", -1);
      int fd = dup (root_fd);

      /* Walk down again without following links, as ssync_upload_open_folder() did. */
      for (guint j = 0; fd >= 0 && !g_str_equal (parent, ".") && parts[j] != NULL; j++)
        {
          int next = openat (fd, parts[j], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          close (fd);
          fd = next;
        }
      if (fd >= 0)
        {
          unlinkat (fd, base, AT_REMOVEDIR);
          close (fd);
        }
    }
  g_ptr_array_set_size (made, 0);
  close (root_fd);
}

/* Creates the .part of a file to be named @name in @dir_fd: the first "NAME (n).part" whose
 * "NAME (n)" is free; O_EXCL makes taking it atomic. Returns its descriptor, open for reading
 * and writing, and its name in @part_name. */
int
ssync_upload_create_part (int          dir_fd,
                          const char  *name,
                          char       **part_name,
                          GError     **error)
{
  for (guint n = 0; n < MAX_CANDIDATES; n++)
    {
      g_autofree char *candidate = candidate_name (name, n);
      g_autofree char *candidate_part = g_strconcat (candidate, ".part", NULL);
      int fd;

      if (exists_at (dir_fd, candidate))
        continue;

      fd = openat (dir_fd, candidate_part,
                   O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd >= 0)
        {
          *part_name = g_steal_pointer (&candidate_part);
          return fd;
        }
      if (errno != EEXIST)
        {
          int errsv = errno;

          g_propagate_error (error,
                             ssync_upload_io_error (errsv, g_strdup_printf (_("Cannot create %s"),
                                                                            candidate_part)));
          return -1;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Cannot create %s: no free name"), name);
  return -1;
}

/* Gives the complete @part_name in @dir_fd the first free name for @name and returns that
 * name. link() never replaces a file: the first name it takes is ours, and a name is always
 * free (candidate_name). The .part stays: the caller removes it. */
char *
ssync_upload_link_free_name (int          dir_fd,
                             const char  *part_name,
                             const char  *name,
                             GError     **error)
{
  for (guint n = 0; n < MAX_CANDIDATES; n++)
    {
      g_autofree char *candidate = candidate_name (name, n);

      if (linkat (dir_fd, part_name, dir_fd, candidate, 0) == 0)
        return g_steal_pointer (&candidate);
      if (errno != EEXIST)
        {
          int errsv = errno;

          g_propagate_error (error,
                             ssync_upload_io_error (errsv, g_strdup_printf (_("Saving %s failed"),
                                                                            name)));
          return NULL;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Saving %s failed: no free name"), name);
  return NULL;
}
