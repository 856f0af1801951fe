/* fuzz-zip.c: the streaming zip writer, round trip (src/core/ssync-zip-writer.c).
 *
 * Input: a byte with the number of entries, then per entry a flags byte, an mtime (8 bytes),
 * a NUL-terminated name, a 2-byte length and that many bytes of content. The writer archives
 * them, fed in chunks of varying size; a small reader written from APPNOTE.TXT then reads the
 * archive back through its end record, central directory, local headers and data descriptors.
 * What must hold: the archive is exactly as long as ssync_zip_archive_size() predicted, and
 * gives back every name, content byte, CRC-32 and time that went in, in order; a file fed
 * fewer bytes than announced fails with an error.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-fuzz"

#include "config.h"

#include <gio/gio.h>
#include <libdeflate.h>
#include <string.h>

#include "fuzz-input.h"
#include "ssync-zip-writer.h"

#define FLAG_DIR       0x01
#define FLAG_KNOWN_CRC 0x02
#define FLAG_SHORT     0x04

typedef struct {
  char *name;        /* as it should be in the archive: a directory's ends with '/' */
  char *path;        /* as given to the writer */
  GBytes *content;
  gint64 mtime;
  gboolean is_dir;
} Entry;

static void
entry_clear (Entry *entry)
{
  g_free (entry->name);
  g_free (entry->path);
  g_clear_pointer (&entry->content, g_bytes_unref);
}

static guint64
le (const guint8 *p,
    guint         width)
{
  guint64 value = 0;

  for (guint i = width; i > 0; i--)
    value = (value << 8) | p[i - 1];
  return value;
}

/* Makes a path the writer's contract accepts out of fuzzed bytes: UTF-8, relative, not empty,
 * and for a file without a trailing '/'. Anything else is the caller's bug, not the writer's. */
static char *
make_path (const char *raw,
           gboolean    is_dir)
{
  g_autofree char *valid = g_utf8_make_valid (raw, -1);
  const char *start = valid;
  gsize len;

  while (*start == '/')
    start++;
  len = strlen (start);
  while (len > 0 && start[len - 1] == '/')
    len--;
  if (len == 0)
    return g_strdup (is_dir ? "d" : "f");
  return g_strndup (start, len);
}

/* The extended timestamp field, the only extra field besides ZIP64's. */
static void
check_extra (const guint8 *extra,
             gsize         len,
             gint64        mtime)
{
  gint32 want = (gint32) CLAMP (mtime, G_MININT32, G_MAXINT32);

  fuzz_check (len >= 9, "no extended timestamp");
  fuzz_check (le (extra, 2) == 0x5455 && le (extra + 2, 2) == 5 && extra[4] == 1,
              "a malformed extended timestamp");
  fuzz_check ((gint32) (guint32) le (extra + 5, 4) == want, "the timestamp differs");
}

/* Reads the archive back and compares it with what went in. */
static void
read_back (const guint8 *zip,
           gsize         len,
           const Entry  *entries,
           guint         n_entries)
{
  const guint8 *end;
  guint64 cd_size, cd_offset, pos;

  fuzz_check (len >= 22, "an archive shorter than its end record");
  end = zip + len - 22;
  fuzz_check (le (end, 4) == 0x06054b50, "no end record at the end");
  fuzz_check (le (end + 8, 2) == n_entries && le (end + 10, 2) == n_entries,
              "the end record counts other entries");
  cd_size = le (end + 12, 4);
  cd_offset = le (end + 16, 4);
  fuzz_check (le (end + 20, 2) == 0, "an archive comment");
  fuzz_check (cd_offset + cd_size == len - 22, "the central directory is not before the end");

  pos = cd_offset;
  for (guint i = 0; i < n_entries; i++)
    {
      const Entry *entry = &entries[i];
      const guint8 *c = zip + pos;
      const guint8 *local;
      gsize name_len, extra_len, data_len = 0;
      guint64 offset, data_at;
      const guint8 *data = NULL;
      guint32 crc;

      if (entry->content != NULL)
        data = g_bytes_get_data (entry->content, &data_len);
      crc = libdeflate_crc32 (0, data, data_len);

      fuzz_check (pos + 46 <= len - 22, "a central record past the directory");
      fuzz_check (le (c, 4) == 0x02014b50, "no central record signature");
      fuzz_check (le (c + 8, 2) == (entry->is_dir ? 0x0800u : 0x0808u), "wrong flag bits");
      fuzz_check (le (c + 10, 2) == 0, "not stored");
      fuzz_check (le (c + 16, 4) == crc, "a central CRC-32 that is not the content's");
      fuzz_check (le (c + 20, 4) == data_len && le (c + 24, 4) == data_len,
                  "central sizes that are not the content's");
      name_len = le (c + 28, 2);
      extra_len = le (c + 30, 2);
      fuzz_check (le (c + 32, 2) == 0, "an entry comment");
      fuzz_check (le (c + 38, 4) >> 16 == (entry->is_dir ? 040755u : 0100644u),
                  "wrong Unix mode");
      offset = le (c + 42, 4);
      fuzz_check (pos + 46 + name_len + extra_len <= len - 22, "a central record too long");
      fuzz_check (name_len == strlen (entry->name) &&
                    memcmp (c + 46, entry->name, name_len) == 0,
                  "a central name that is not the entry's");
      check_extra (c + 46 + name_len, extra_len, entry->mtime);

      fuzz_check (offset + 30 <= cd_offset, "a local header past the data");
      local = zip + offset;
      fuzz_check (le (local, 4) == 0x04034b50, "no local header signature");
      fuzz_check (le (local + 6, 2) == le (c + 8, 2), "local and central flags differ");
      fuzz_check (le (local + 10, 4) == le (c + 12, 4), "local and central times differ");
      fuzz_check (le (local + 26, 2) == name_len &&
                    memcmp (local + 30, entry->name, name_len) == 0,
                  "a local name that is not the entry's");
      check_extra (local + 30 + name_len, le (local + 28, 2), entry->mtime);
      data_at = offset + 30 + name_len + le (local + 28, 2);
      fuzz_check (data_at + data_len <= cd_offset, "data past the central directory");
      fuzz_check (data_len == 0 || memcmp (zip + data_at, data, data_len) == 0,
                  "the content read back differs");
      if (!entry->is_dir)
        {
          const guint8 *descriptor = zip + data_at + data_len;

          fuzz_check (data_at + data_len + 16 <= cd_offset, "no room for a data descriptor");
          fuzz_check (le (descriptor, 4) == 0x08074b50 && le (descriptor + 4, 4) == crc &&
                        le (descriptor + 8, 4) == data_len && le (descriptor + 12, 4) == data_len,
                      "a data descriptor that is not the content's");
        }
      pos += 46 + name_len + extra_len;
    }
  fuzz_check (pos == cd_offset + cd_size, "the central directory holds more than its records");
}

static void
take (GByteArray     *zip,
      SsyncZipWriter *writer,
      GBytes         *bytes)
{
  fuzz_check (bytes != NULL, "the writer produced nothing");
  g_byte_array_append (zip, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_bytes_unref (bytes);
  fuzz_check (ssync_zip_writer_get_offset (writer) == zip->len, "the writer's offset is off");
}

/* Feeds @content in chunks whose sizes come from @seed, as a server reading a disk would. */
static void
feed (GByteArray     *zip,
      SsyncZipWriter *writer,
      const guint8   *content,
      gsize           len,
      guint8          seed)
{
  gsize done = 0;

  for (guint k = 0; done < len; k++)
    {
      gsize chunk = MIN ((gsize) 1 + ((seed * (k + 3)) % 97), len - done);

      g_byte_array_append (zip, content + done, chunk);
      ssync_zip_writer_update (writer, content + done, chunk);
      done += chunk;
    }
  fuzz_check (ssync_zip_writer_get_offset (writer) == zip->len, "the writer's offset is off");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SsyncZipWriter) writer = ssync_zip_writer_new ();
  g_autoptr(GByteArray) zip = g_byte_array_new ();
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_autofree SsyncZipItem *items = NULL;
  FuzzInput input;
  guint n;

  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  fuzz_input_init (&input, data, size);
  n = fuzz_input_byte (&input) % 33;

  for (guint i = 0; i < n; i++)
    {
      guint8 flags = fuzz_input_byte (&input);
      gint64 mtime = (gint64) fuzz_input_u64 (&input);
      g_autofree char *raw = fuzz_input_string (&input);
      gsize len = fuzz_input_byte (&input) | (gsize) fuzz_input_byte (&input) << 8;
      Entry entry = { 0, };

      entry.is_dir = (flags & FLAG_DIR) != 0;
      entry.mtime = mtime;
      entry.path = make_path (raw, entry.is_dir);
      entry.name = entry.is_dir ? g_strconcat (entry.path, "/", NULL) : g_strdup (entry.path);
      /* A directory may be given with its trailing '/'. */
      if (entry.is_dir && (flags & FLAG_KNOWN_CRC))
        {
          char *with_slash = g_strconcat (entry.path, "/", NULL);

          g_free (entry.path);
          entry.path = with_slash;
        }

      if (entry.is_dir)
        {
          g_array_append_val (entries, entry);
          take (zip, writer, ssync_zip_writer_add_directory (writer, entry.path, mtime));
          continue;
        }

      len = MIN (len, input.left);
      entry.content = g_bytes_new (input.data, len);
      input.data += len;
      input.left -= len;
      g_array_append_val (entries, entry);

      take (zip, writer, ssync_zip_writer_begin_file (writer, entry.path, len, mtime));
      if (flags & FLAG_KNOWN_CRC)
        ssync_zip_writer_set_known_crc (writer,
                                        libdeflate_crc32 (0, g_bytes_get_data (entry.content,
                                                                               NULL), len));
      if ((flags & FLAG_SHORT) && len > 0)
        {
          g_autoptr(GError) error = NULL;

          /* The file shrank while it was read: the archive cannot be finished. */
          feed (zip, writer, g_bytes_get_data (entry.content, NULL), len - 1, flags);
          fuzz_check (ssync_zip_writer_end_file (writer, &error) == NULL,
                      "a short file accepted");
          fuzz_check (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA),
                      "a short file without its error");
          return 0;
        }
      feed (zip, writer, g_bytes_get_data (entry.content, NULL), len, flags);
      {
        g_autoptr(GError) error = NULL;

        take (zip, writer, ssync_zip_writer_end_file (writer, &error));
        fuzz_check (error == NULL, "an error with the right size");
      }
    }
  take (zip, writer, ssync_zip_writer_finish (writer));

  items = g_new0 (SsyncZipItem, MAX (entries->len, 1));
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      items[i].path = entry->path;
      items[i].is_dir = entry->is_dir;
      items[i].size = entry->content != NULL ? g_bytes_get_size (entry->content) : 0;
    }
  fuzz_check (ssync_zip_archive_size (items, entries->len) == zip->len,
              "the archive is not as long as predicted");

  read_back (zip->data, zip->len, (const Entry *) entries->data, entries->len);
  return 0;
}
