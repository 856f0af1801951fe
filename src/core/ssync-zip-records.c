/* ssync-zip-records.c: the records of a zip archive, per APPNOTE.TXT 6.3.10.
 *
 *   for each entry:  local header [file data] [data descriptor]
 *   then:            central directory records
 *                    [ZIP64 end of central directory record + locator]
 *                    end of central directory record
 *
 * Every record's size is a function of the entry names, the entry sizes and their order only,
 * which is what lets ssync_zip_archive_size() predict the exact length of the archive before a
 * single byte is sent. Both it and the writer plan each entry with ssync_zip_plan_entry() and
 * measure records with the *_size() functions below, so they cannot disagree; each encoder
 * asserts that it wrote exactly the size measured.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <string.h>

#include "ssync-zip-writer-private.h"

#define SIG_LOCAL_HEADER     0x04034b50
#define SIG_DATA_DESCRIPTOR  0x08074b50
#define SIG_CENTRAL_HEADER   0x02014b50
#define SIG_ZIP64_END        0x06064b50
#define SIG_ZIP64_LOCATOR    0x07064b50
#define SIG_END              0x06054b50

#define LOCAL_HEADER_LEN     30
#define CENTRAL_HEADER_LEN   46
#define ZIP64_END_LEN        56
#define ZIP64_LOCATOR_LEN    20
#define END_LEN              22

/* The extended timestamp extra field (0x5455) with only the modification time: tag, length,
 * flags byte and a 32-bit time. It is the same in local and central headers. */
#define UT_EXTRA_LEN         9
#define UT_EXTRA_ID          0x5455

#define ZIP64_EXTRA_ID       0x0001
#define EXTRA_HEADER_LEN     4

/* A central record that needs ZIP64 for its sizes or for its offset moves all three there.
 * The spec allows listing only the fields that overflow, but UnZip 6.0 decides which fields
 * to read partly from the previous entry's state: after a file of exactly 0xFFFFFFFF bytes
 * it reads the next entry's offset as its size and reports the extra field as corrupt. With
 * all three fields present every reader finds each one where it looks. */
#define CENTRAL_ZIP64_EXTRA_LEN (EXTRA_HEADER_LEN + 24)

/* The sentinels that, in a 16- or 32-bit field, say "the real value is in the ZIP64 record";
 * a value equal to the sentinel itself must therefore also go to ZIP64. */
#define MAX16                0xFFFF
#define MAX32                G_GUINT64_CONSTANT (0xFFFFFFFF)

/* Bit 3: CRC and sizes follow the data in a data descriptor, because the CRC is only known
 * once the data has streamed past. Bit 11: names are UTF-8, so unzip and Python decode them
 * as such instead of as code page 437. */
#define FLAG_DATA_DESCRIPTOR 0x0008
#define FLAG_UTF8            0x0800

#define METHOD_STORED        0

/* "Version made by": the high byte says the external attributes hold Unix mode bits, the low
 * byte the spec version (6.3, which defined the UTF-8 flag). */
#define VERSION_MADE_BY      ((3 << 8) | 63)
#define VERSION_NEEDED       20
#define VERSION_NEEDED_ZIP64 45

#define DOS_ATTR_DIRECTORY   0x10
#define EXTERNAL_ATTR_DIR    ((guint32) ((0040755u << 16) | DOS_ATTR_DIRECTORY))
#define EXTERNAL_ATTR_FILE   ((guint32) (0100644u << 16))

void
ssync_zip_plan_entry (guint64            local_offset,
                      guint64            size,
                      gboolean           is_dir,
                      SsyncZipEntryPlan *plan)
{
  plan->central_zip64 = size >= MAX32 || local_offset >= MAX32;
  /* A reader consuming the archive as a stream learns that a data descriptor has 8-byte
   * sizes from the ZIP64 extra field in the local header, so a ZIP64 file says so there,
   * even when only its offset needs 64 bits: local header, descriptor and central record
   * then agree on what the entry is. A directory has no data and no descriptor, so only
   * its central record can need ZIP64, for the offset. */
  plan->local_zip64 = !is_dir && plan->central_zip64;
}

gsize
ssync_zip_local_header_size (gsize                    name_len,
                             const SsyncZipEntryPlan *plan)
{
  return LOCAL_HEADER_LEN + name_len + UT_EXTRA_LEN
         + (plan->local_zip64 ? EXTRA_HEADER_LEN + 16 : 0);
}

gsize
ssync_zip_data_descriptor_size (gboolean                 is_dir,
                                const SsyncZipEntryPlan *plan)
{
  if (is_dir)
    return 0;

  return plan->local_zip64 ? 24 : 16;
}

gsize
ssync_zip_central_record_size (gsize                    name_len,
                               const SsyncZipEntryPlan *plan)
{
  return CENTRAL_HEADER_LEN + name_len + UT_EXTRA_LEN
         + (plan->central_zip64 ? CENTRAL_ZIP64_EXTRA_LEN : 0);
}

static gboolean
end_needs_zip64 (guint64 n_entries,
                 guint64 cd_offset,
                 guint64 cd_size)
{
  return n_entries >= MAX16 || cd_offset >= MAX32 || cd_size >= MAX32;
}

gsize
ssync_zip_end_records_size (guint64 n_entries,
                            guint64 cd_offset,
                            guint64 cd_size)
{
  return END_LEN
         + (end_needs_zip64 (n_entries, cd_offset, cd_size)
              ? ZIP64_END_LEN + ZIP64_LOCATOR_LEN : 0);
}

/* The encoded length of an entry's name: a directory's name is its path with exactly one
 * trailing '/', whether or not the caller gave one. */
gsize
ssync_zip_entry_name_len (const char *path,
                          gboolean    is_dir,
                          gsize      *path_len_out)
{
  gsize len = strlen (path);

  if (is_dir)
    {
      while (len > 0 && path[len - 1] == '/')
        len--;
    }

  if (path_len_out != NULL)
    *path_len_out = len;

  return is_dir ? len + 1 : len;
}

gboolean
ssync_zip_path_is_valid (const char *path,
                         gboolean    is_dir)
{
  gsize path_len;
  gsize name_len;

  if (path == NULL || path[0] == '\0' || path[0] == '/')
    return FALSE;
  if (!g_utf8_validate (path, -1, NULL))
    return FALSE;

  name_len = ssync_zip_entry_name_len (path, is_dir, &path_len);
  if (path_len == 0 || name_len > MAX16)
    return FALSE;

  /* A trailing '/' is what marks a directory to every unzip tool. */
  return is_dir || path[path_len - 1] != '/';
}

static void
put16 (GByteArray *buf,
       guint16     value)
{
  guint8 b[2] = { value & 0xff, value >> 8 };

  g_byte_array_append (buf, b, sizeof b);
}

static void
put32 (GByteArray *buf,
       guint32     value)
{
  guint32 le = GUINT32_TO_LE (value);

  g_byte_array_append (buf, (const guint8 *) &le, sizeof le);
}

static void
put64 (GByteArray *buf,
       guint64     value)
{
  guint64 le = GUINT64_TO_LE (value);

  g_byte_array_append (buf, (const guint8 *) &le, sizeof le);
}

static guint32
clamp32 (guint64 value)
{
  return (guint32) MIN (value, MAX32);
}

/* MS-DOS dates count from 1980 in local time with 2-second resolution, up to 2107; anything
 * outside that range is clamped to its nearest end. The exact time in UTC is in the extended
 * timestamp field for the tools that read it. */
static void
unix_to_dos (gint64   mtime,
             guint16 *dos_time,
             guint16 *dos_date)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (mtime);
  int year;

  year = dt != NULL ? g_date_time_get_year (dt) : (mtime < 0 ? 1 : 9999);

  if (year < 1980)
    {
      *dos_date = (0 << 9) | (1 << 5) | 1;
      *dos_time = 0;
      return;
    }

  if (year > 2107)
    {
      *dos_date = (127 << 9) | (12 << 5) | 31;
      *dos_time = (23 << 11) | (59 << 5) | (58 / 2);
      return;
    }

  *dos_date = ((year - 1980) << 9)
              | (g_date_time_get_month (dt) << 5)
              | g_date_time_get_day_of_month (dt);
  *dos_time = (g_date_time_get_hour (dt) << 11)
              | (g_date_time_get_minute (dt) << 5)
              | (g_date_time_get_second (dt) / 2);
}

static void
put_ut_extra (GByteArray *buf,
              gint64      mtime)
{
  /* The field holds a signed 32-bit time; clamping keeps its size fixed for every mtime,
   * which ssync_zip_archive_size() relies on. */
  gint32 t = (gint32) CLAMP (mtime, G_MININT32, G_MAXINT32);
  guint8 flags = 0x01;

  put16 (buf, UT_EXTRA_ID);
  put16 (buf, 5);
  g_byte_array_append (buf, &flags, 1);
  put32 (buf, (guint32) t);
}

static guint16
entry_flags (const SsyncZipEntry *entry)
{
  return FLAG_UTF8 | (entry->is_dir ? 0 : FLAG_DATA_DESCRIPTOR);
}

static guint16
entry_version_needed (const SsyncZipEntry *entry)
{
  return entry->plan.central_zip64 ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED;
}

GBytes *
ssync_zip_encode_local_header (const SsyncZipEntry *entry)
{
  gsize len = ssync_zip_local_header_size (entry->name_len, &entry->plan);
  g_autoptr(GByteArray) buf = g_byte_array_sized_new (len);
  guint16 extra_len = UT_EXTRA_LEN + (entry->plan.local_zip64 ? EXTRA_HEADER_LEN + 16 : 0);

  put32 (buf, SIG_LOCAL_HEADER);
  put16 (buf, entry_version_needed (entry));
  put16 (buf, entry_flags (entry));
  put16 (buf, METHOD_STORED);
  put16 (buf, entry->dos_time);
  put16 (buf, entry->dos_date);
  /* With the data descriptor flag the CRC and sizes are zero here; the 0xFFFFFFFF sizes of
   * a ZIP64 entry point to its extra field, which is zero for the same reason. */
  put32 (buf, 0);
  put32 (buf, entry->plan.local_zip64 ? (guint32) MAX32 : 0);
  put32 (buf, entry->plan.local_zip64 ? (guint32) MAX32 : 0);
  put16 (buf, entry->name_len);
  put16 (buf, extra_len);
  g_byte_array_append (buf, (const guint8 *) entry->name, entry->name_len);
  put_ut_extra (buf, entry->mtime);
  if (entry->plan.local_zip64)
    {
      put16 (buf, ZIP64_EXTRA_ID);
      put16 (buf, 16);
      put64 (buf, 0);
      put64 (buf, 0);
    }

  g_assert (buf->len == len);

  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

GBytes *
ssync_zip_encode_data_descriptor (const SsyncZipEntry *entry)
{
  gsize len = ssync_zip_data_descriptor_size (entry->is_dir, &entry->plan);
  g_autoptr(GByteArray) buf = g_byte_array_sized_new (len);

  put32 (buf, SIG_DATA_DESCRIPTOR);
  put32 (buf, entry->crc);
  if (entry->plan.local_zip64)
    {
      put64 (buf, entry->size);
      put64 (buf, entry->size);
    }
  else
    {
      put32 (buf, (guint32) entry->size);
      put32 (buf, (guint32) entry->size);
    }

  g_assert (buf->len == len);

  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

void
ssync_zip_append_central_record (GByteArray          *buf,
                                 const SsyncZipEntry *entry)
{
  guint start = buf->len;
  gboolean zip64 = entry->plan.central_zip64;
  guint16 extra_len = UT_EXTRA_LEN + (zip64 ? CENTRAL_ZIP64_EXTRA_LEN : 0);

  put32 (buf, SIG_CENTRAL_HEADER);
  put16 (buf, VERSION_MADE_BY);
  put16 (buf, entry_version_needed (entry));
  put16 (buf, entry_flags (entry));
  put16 (buf, METHOD_STORED);
  put16 (buf, entry->dos_time);
  put16 (buf, entry->dos_date);
  put32 (buf, entry->crc);
  put32 (buf, zip64 ? (guint32) MAX32 : (guint32) entry->size);
  put32 (buf, zip64 ? (guint32) MAX32 : (guint32) entry->size);
  put16 (buf, entry->name_len);
  put16 (buf, extra_len);
  put16 (buf, 0);   /* comment length */
  put16 (buf, 0);   /* disk number start */
  put16 (buf, 0);   /* internal attributes */
  put32 (buf, entry->is_dir ? EXTERNAL_ATTR_DIR : EXTERNAL_ATTR_FILE);
  put32 (buf, zip64 ? (guint32) MAX32 : (guint32) entry->local_offset);
  g_byte_array_append (buf, (const guint8 *) entry->name, entry->name_len);
  put_ut_extra (buf, entry->mtime);
  if (zip64)
    {
      /* In the order the spec fixes; stored entries' two sizes are equal. */
      put16 (buf, ZIP64_EXTRA_ID);
      put16 (buf, CENTRAL_ZIP64_EXTRA_LEN - EXTRA_HEADER_LEN);
      put64 (buf, entry->size);
      put64 (buf, entry->size);
      put64 (buf, entry->local_offset);
    }

  g_assert (buf->len - start == ssync_zip_central_record_size (entry->name_len, &entry->plan));
}

void
ssync_zip_entry_init (SsyncZipEntry *entry,
                      const char    *path,
                      gboolean       is_dir,
                      guint64        size,
                      gint64         mtime,
                      guint64        local_offset)
{
  gsize path_len;

  entry->name_len = ssync_zip_entry_name_len (path, is_dir, &path_len);
  entry->name = g_malloc (entry->name_len + 1);
  memcpy (entry->name, path, path_len);
  if (is_dir)
    entry->name[path_len] = '/';
  entry->name[entry->name_len] = '\0';
  entry->is_dir = is_dir;
  entry->size = size;
  entry->crc = 0;
  entry->local_offset = local_offset;
  entry->mtime = mtime;
  unix_to_dos (mtime, &entry->dos_time, &entry->dos_date);
  ssync_zip_plan_entry (local_offset, size, is_dir, &entry->plan);
}

void
ssync_zip_entry_clear (SsyncZipEntry *entry)
{
  g_clear_pointer (&entry->name, g_free);
}

/* Appends the end records for a central directory of @cd_size bytes at @cd_offset, which
 * @buf already holds: the ZIP64 end record and its locator when a count, size or offset
 * overflows the classic record, then the classic record. */
void
ssync_zip_append_end_records (GByteArray *buf,
                              guint64     n_entries,
                              guint64     cd_offset,
                              guint64     cd_size)
{
  guint start = buf->len;

  if (end_needs_zip64 (n_entries, cd_offset, cd_size))
    {
      guint64 zip64_end_offset = cd_offset + cd_size;

      put32 (buf, SIG_ZIP64_END);
      put64 (buf, ZIP64_END_LEN - 12);   /* size of the rest of the record */
      put16 (buf, VERSION_MADE_BY);
      put16 (buf, VERSION_NEEDED_ZIP64);
      put32 (buf, 0);                     /* number of this disk */
      put32 (buf, 0);                     /* disk where the central directory starts */
      put64 (buf, n_entries);             /* entries on this disk */
      put64 (buf, n_entries);             /* entries in total */
      put64 (buf, cd_size);
      put64 (buf, cd_offset);

      put32 (buf, SIG_ZIP64_LOCATOR);
      put32 (buf, 0);                     /* disk with the ZIP64 end record */
      put64 (buf, zip64_end_offset);
      put32 (buf, 1);                     /* total number of disks */
    }

  put32 (buf, SIG_END);
  put16 (buf, 0);
  put16 (buf, 0);
  put16 (buf, (guint16) MIN (n_entries, MAX16));
  put16 (buf, (guint16) MIN (n_entries, MAX16));
  put32 (buf, clamp32 (cd_size));
  put32 (buf, clamp32 (cd_offset));
  put16 (buf, 0);   /* comment length */

  g_assert (buf->len - start == ssync_zip_end_records_size (n_entries, cd_offset, cd_size));
}
