/* ssync-share.c: a share and the enumeration of what it holds.
 *
 * Folders are walked with GIO on a worker thread (GTask), so adding a large folder never
 * blocks the main loop of the window or the server.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-share.h"
#include "ssync-token.h"

struct _SsyncShare
{
  GObject parent_instance;

  char *id;
  char *token;
  char *name;
  SsyncShareKind kind;
  gint64 created;
  guint64 total_size;
  GPtrArray *files;        /* SsyncFileEntry */
  GPtrArray *directories;  /* char *, relative paths of every folder, parents first */
  guint downloads;
  guint reserved;          /* downloads in flight that would count when complete */
  GHashTable *started;     /* "address\nfile id" of clients that began a file at byte 0 */
  GFile *folder;           /* where a receive share saves */
  GPtrArray *sources;      /* GFile, what a send share was made of, as given */

  char *password_hash;     /* ssync_password_hash(), NULL for an open share */
  gint64 expires;          /* real time in microseconds, 0 for never */
  guint max_downloads;     /* 0 for no limit */
  gboolean revoked;
};

G_DEFINE_FINAL_TYPE (SsyncShare, ssync_share, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DOWNLOADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define ENTRY_ATTRIBUTES                                                               \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","        \
  G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_IS_SYMLINK ","          \
  G_FILE_ATTRIBUTE_TIME_MODIFIED

static void
ssync_share_dispose (GObject *object)
{
  SsyncShare *self = SSYNC_SHARE (object);

  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->sources, g_ptr_array_unref);

  G_OBJECT_CLASS (ssync_share_parent_class)->dispose (object);
}

static void
ssync_share_finalize (GObject *object)
{
  SsyncShare *self = SSYNC_SHARE (object);

  g_free (self->id);
  g_free (self->token);
  g_free (self->name);
  g_free (self->password_hash);
  g_clear_pointer (&self->directories, g_ptr_array_unref);
  g_clear_pointer (&self->started, g_hash_table_unref);

  G_OBJECT_CLASS (ssync_share_parent_class)->finalize (object);
}

static void
ssync_share_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SsyncShare *self = SSYNC_SHARE (object);

  switch (prop_id)
    {
    case PROP_DOWNLOADS:
      g_value_set_uint (value, self->downloads);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_share_class_init (SsyncShareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ssync_share_dispose;
  object_class->finalize = ssync_share_finalize;
  object_class->get_property = ssync_share_get_property;

  properties[PROP_DOWNLOADS] =
    g_param_spec_uint ("downloads", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ssync_share_init (SsyncShare *self)
{
  self->id = ssync_token_new ();
  self->token = ssync_token_new ();
  self->created = g_get_real_time ();
  self->files = g_ptr_array_new_with_free_func (g_object_unref);
  self->directories = g_ptr_array_new_with_free_func (g_free);
}

/* Opens @file to see that it can be read: a share that lists a file it cannot send would
 * break at its download instead. The message names the file and why, for the window's
 * toast and the command line's one line. */
static gboolean
check_readable (GFile         *file,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *shown = NULL;

  stream = g_file_read (file, cancellable, &local_error);
  if (stream != NULL)
    {
      g_input_stream_close (G_INPUT_STREAM (stream), NULL, NULL);
      return TRUE;
    }

  shown = g_file_get_parse_name (file);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    /* TRANSLATORS: "cannot read /home/ada/notes.txt: permission denied" */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 _("cannot read %s: permission denied"), shown);
  else
    /* TRANSLATORS: "cannot read /home/ada/notes.txt: Input/output error" */
    g_set_error (error, local_error->domain, local_error->code, _("cannot read %s: %s"), shown,
                 local_error->message);
  return FALSE;
}

static void
add_file (SsyncShare *self,
          GFile      *file,
          const char *path,
          GFileInfo  *info)
{
  g_autofree char *id = g_strdup_printf ("%u", self->files->len);
  guint64 size = g_file_info_get_size (info);
  gint64 mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);

  g_ptr_array_add (self->files, ssync_file_entry_new (id, file, path, size, mtime));
  self->total_size += size;
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  GFileInfo *ia = *(GFileInfo **) a;
  GFileInfo *ib = *(GFileInfo **) b;
  g_autofree char *ka = g_utf8_casefold (g_file_info_get_display_name (ia), -1);
  g_autofree char *kb = g_utf8_casefold (g_file_info_get_display_name (ib), -1);

  /* Case-insensitive and independent of the locale, so every machine lists a share, and
   * numbers its files, in the same order. */
  return g_strcmp0 (ka, kb);
}

/* Symbolic links inside a folder are skipped: following them could leave the folder the
 * user chose or loop forever. Links given directly by the user are followed. */
static gboolean
add_folder (SsyncShare    *self,
            GFile         *folder,
            const char    *path,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) local_error = NULL;
  GFileInfo *info;

  g_ptr_array_add (self->directories, g_strdup (path));

  enumerator = g_file_enumerate_children (folder, ENTRY_ATTRIBUTES,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                          cancellable, &local_error);
  if (enumerator == NULL)
    {
      g_autofree char *shown = g_file_get_parse_name (folder);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                     _("cannot read %s: permission denied"), shown);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  while ((info = g_file_enumerator_next_file (enumerator, cancellable, error)) != NULL)
    g_ptr_array_add (infos, info);
  if (error != NULL && *error != NULL)
    return FALSE;

  g_ptr_array_sort (infos, compare_infos);

  for (guint i = 0; i < infos->len; i++)
    {
      GFileInfo *child_info = g_ptr_array_index (infos, i);
      g_autoptr(GFile) child = g_file_enumerator_get_child (enumerator, child_info);
      g_autofree char *child_path = g_strconcat (path, "/",
                                                 g_file_info_get_display_name (child_info),
                                                 NULL);

      if (g_file_info_get_is_symlink (child_info))
        continue;

      switch (g_file_info_get_file_type (child_info))
        {
        case G_FILE_TYPE_REGULAR:
          if (!check_readable (child, cancellable, error))
            return FALSE;
          add_file (self, child, child_path, child_info);
          break;
        case G_FILE_TYPE_DIRECTORY:
          if (!add_folder (self, child, child_path, cancellable, error))
            return FALSE;
          break;
        default:
          break;
        }
    }

  return TRUE;
}

/* Two items called "notes.txt" from different folders must not collide in the share. */
static char *
unique_top_name (GHashTable *used,
                 const char *name)
{
  g_autofree char *candidate = g_strdup (name);

  for (guint n = 1; g_hash_table_contains (used, candidate); n++)
    {
      const char *dot = strrchr (name, '.');

      g_free (candidate);
      if (dot != NULL && dot != name)
        candidate = g_strdup_printf ("%.*s (%u)%s", (int) (dot - name), name, n, dot);
      else
        candidate = g_strdup_printf ("%s (%u)", name, n);
    }

  g_hash_table_add (used, g_strdup (candidate));
  return g_steal_pointer (&candidate);
}

static void
enumerate_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GPtrArray *files = task_data;
  g_autoptr(SsyncShare) self = g_object_new (SSYNC_TYPE_SHARE, NULL);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *first_name = NULL;

  for (guint i = 0; i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);
      g_autoptr(GFileInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *top = NULL;

      info = g_file_query_info (file, ENTRY_ATTRIBUTES, G_FILE_QUERY_INFO_NONE,
                                cancellable, &error);
      if (info == NULL)
        {
          g_autofree char *shown = g_file_get_parse_name (file);

          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                     _("No such file or folder: %s"), shown);
          else
            g_task_return_new_error (task, error->domain, error->code,
                                     _("Cannot share %s: %s"), shown, error->message);
          return;
        }

      top = unique_top_name (used, g_file_info_get_display_name (info));
      if (first_name == NULL)
        first_name = g_strdup (top);

      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_REGULAR:
          if (!check_readable (file, cancellable, &error))
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          add_file (self, file, top, info);
          break;
        case G_FILE_TYPE_DIRECTORY:
          if (!add_folder (self, file, top, cancellable, &error))
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          break;
        default:
          {
            g_autofree char *shown = g_file_get_parse_name (file);

            g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                                     _("Cannot share %s: not a regular file or folder"),
                                     shown);
            return;
          }
        }
    }

  self->sources = g_ptr_array_ref (files);
  if (files->len == 1)
    self->name = g_steal_pointer (&first_name);
  else
    self->name = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s and %u more item",
                                               "%s and %u more items", files->len - 1),
                                  first_name, files->len - 1);

  g_task_return_pointer (task, g_steal_pointer (&self), g_object_unref);
}

/* Creates a send share of @files (regular files and folders, folders recursively).
 * Fails with G_IO_ERROR_NOT_FOUND when one does not exist. */
void
ssync_share_new_async (GFile               **files,
                       guint                 n_files,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *array;

  g_return_if_fail (n_files > 0);

  array = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (array, g_object_ref (files[i]));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ssync_share_new_async);
  g_task_set_task_data (task, array, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, enumerate_thread);
}

SsyncShare *
ssync_share_new_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Names the share in the history and the API; unlike the token it is not secret. */
const char *
ssync_share_get_id (SsyncShare *self)
{
  return self->id;
}

const char *
ssync_share_get_token (SsyncShare *self)
{
  return self->token;
}

const char *
ssync_share_get_name (SsyncShare *self)
{
  return self->name;
}

SsyncShareKind
ssync_share_get_kind (SsyncShare *self)
{
  return self->kind;
}

gint64
ssync_share_get_created (SsyncShare *self)
{
  return self->created;
}

guint64
ssync_share_get_total_size (SsyncShare *self)
{
  return self->total_size;
}

guint
ssync_share_get_n_files (SsyncShare *self)
{
  return self->files->len;
}

SsyncFileEntry *
ssync_share_get_file (SsyncShare *self,
                      guint       index)
{
  g_return_val_if_fail (index < self->files->len, NULL);
  return g_ptr_array_index (self->files, index);
}

SsyncFileEntry *
ssync_share_lookup_file (SsyncShare *self,
                         const char *file_id)
{
  guint64 index;

  /* File ids are the decimal index; anything else (signs, spaces, leading zeros) is
   * rejected so that one file has exactly one URL. */
  if (file_id == NULL || !g_ascii_string_to_unsigned (file_id, 10, 0, G_MAXUINT, &index, NULL) ||
      (file_id[0] == '0' && file_id[1] != '\0') || index >= self->files->len)
    return NULL;

  return g_ptr_array_index (self->files, index);
}

/* Relative paths of every shared folder, parents before children, empty ones included. */
GPtrArray *
ssync_share_get_directories (SsyncShare *self)
{
  return self->directories;
}

/* Completed downloads (files or zip). */
guint
ssync_share_get_downloads (SsyncShare *self)
{
  return self->downloads;
}

void
ssync_share_add_download (SsyncShare *self)
{
  self->downloads++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOWNLOADS]);
}

/* Takes one of the remaining downloads for a transfer that starts now, so that requests
 * sent together can not all get the last one: in-flight downloads count against the
 * limit. FALSE when none is left to take (all done or in flight). */
gboolean
ssync_share_reserve_download (SsyncShare *self)
{
  if (self->max_downloads != 0 && self->downloads + self->reserved >= self->max_downloads)
    return FALSE;
  self->reserved++;
  return TRUE;
}

/* Ends a reserved download: it counts when @completed, else its place is free again. */
void
ssync_share_end_download (SsyncShare *self,
                          gboolean    completed)
{
  g_return_if_fail (self->reserved > 0);

  self->reserved--;
  if (completed)
    ssync_share_add_download (self);
}

/* The clients remembered at once, at most: an address that started more is forgotten
 * first (its resumes then count no more; nothing is ever counted twice). */
#define MAX_STARTED 4096

static char *
started_key (const char *address,
             const char *file_id)
{
  return g_strconcat (address != NULL ? address : "", "\n", file_id, NULL);
}

/* Remembers that @address began downloading @file_id at its first byte. */
void
ssync_share_note_started (SsyncShare *self,
                          const char *address,
                          const char *file_id)
{
  if (self->started == NULL)
    self->started = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_size (self->started) >= MAX_STARTED)
    g_hash_table_remove_all (self->started);
  g_hash_table_add (self->started, started_key (address, file_id));
}

/* Whether @address began downloading @file_id at its first byte: a later range that ends
 * the file is then the end of a resumed download, not a probe. */
gboolean
ssync_share_has_started (SsyncShare *self,
                         const char *address,
                         const char *file_id)
{
  g_autofree char *key = started_key (address, file_id);

  return self->started != NULL && g_hash_table_contains (self->started, key);
}

/* A share that receives files from browsers into @folder. Its link has @token when one is
 * given (the token an earlier run served @folder under, so that its unfinished uploads
 * resume), a new one otherwise. */
SsyncShare *
ssync_share_new_receive (GFile      *folder,
                         const char *token)
{
  SsyncShare *self = g_object_new (SSYNC_TYPE_SHARE, NULL);
  g_autofree char *basename = g_file_get_basename (folder);

  if (token != NULL)
    {
      g_free (self->token);
      self->token = g_strdup (token);
    }
  self->kind = SSYNC_SHARE_KIND_RECEIVE;
  self->folder = g_object_ref (folder);
  self->name = g_filename_display_name (basename);
  return self;
}

/* The files and folders a send share was made of (GFile), as given, to share them again;
 * NULL for a receive share. */
GPtrArray *
ssync_share_get_sources (SsyncShare *self)
{
  return self->sources;
}

/* The folder a receive share saves into; NULL for a send share. */
GFile *
ssync_share_get_folder (SsyncShare *self)
{
  return self->folder;
}

/* Protects the share with a password (an encoded hash from ssync_password_hash()). */
void
ssync_share_set_password_hash (SsyncShare *self,
                               const char *password_hash)
{
  g_free (self->password_hash);
  self->password_hash = g_strdup (password_hash);
}

const char *
ssync_share_get_password_hash (SsyncShare *self)
{
  return self->password_hash;
}

/* When the share stops answering (real time in microseconds); 0 for never. */
void
ssync_share_set_expires (SsyncShare *self,
                         gint64      expires)
{
  self->expires = expires;
}

gint64
ssync_share_get_expires (SsyncShare *self)
{
  return self->expires;
}

/* After this many completed downloads the share stops answering; 0 for no limit. */
void
ssync_share_set_max_downloads (SsyncShare *self,
                               guint       max_downloads)
{
  self->max_downloads = max_downloads;
}

guint
ssync_share_get_max_downloads (SsyncShare *self)
{
  return self->max_downloads;
}

void
ssync_share_revoke (SsyncShare *self)
{
  self->revoked = TRUE;
}

/* Whether the share still answers at real time @now; once not, its links get 410. */
SsyncShareState
ssync_share_get_state (SsyncShare *self,
                       gint64      now)
{
  if (self->revoked)
    return SSYNC_SHARE_STATE_REVOKED;
  if (self->expires != 0 && now >= self->expires)
    return SSYNC_SHARE_STATE_EXPIRED;
  if (self->max_downloads != 0 && self->downloads >= self->max_downloads)
    return SSYNC_SHARE_STATE_EXHAUSTED;
  return SSYNC_SHARE_STATE_ACTIVE;
}
