/* test-zip-writer.c: archives from SsyncZipWriter open in unzip and Python's zipfile, with the
 * names, bytes and times that went in, and are exactly as long as predicted.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-test"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ssync-zip-writer.h"

#define MiB (G_GUINT64_CONSTANT (1) << 20)
#define GiB (G_GUINT64_CONSTANT (1) << 30)

/* Every 4 GiB of zeros still costs a CRC pass through the writer; the mtime of all entries in
 * the ZIP64 tests is the same ordinary date, so only sizes and offsets vary there. */
#define SOME_MTIME G_GINT64_CONSTANT (1700000001)

/* Python's zipfile reads the archive independently of unzip and reports, for each member in
 * central directory order, what a user would get out: its name, the SHA-256 of its bytes
 * ("dir" for a directory), its date as zipfile decodes the MS-DOS fields, the time in the
 * extended timestamp field, its Unix mode, its flag bits, its sizes, its header offset and
 * its CRC-32.
 *
 * Mode "full" reads every member and runs testzip(), which checks every CRC. Mode "ends"
 * reads only the first and last MiB of each file, for members too large to hash in a unit
 * test; reaching the end still makes zipfile check the CRC on Pythons that seek by reading.
 * Mode "headers" reads nothing but the central directory.
 *
 * The output is JSON, and a JSON object of string arrays is also valid GVariant text, which
 * spares this test a JSON parser the core library does not otherwise need. It is written as
 * UTF-8 bytes so the result does not depend on the locale's encoding. */
static const char verify_py[] =
  "import hashlib, json, struct, sys, zipfile\n"
  "path, mode = sys.argv[1], sys.argv[2]\n"
  "out = {}\n"
  "with zipfile.ZipFile(path) as z:\n"
  "    if mode == 'full':\n"
  "        bad = z.testzip()\n"
  "        if bad is not None:\n"
  "            sys.exit('testzip: bad member %r' % bad)\n"
  "    for i in z.infolist():\n"
  "        ut = ''\n"
  "        e = i.extra\n"
  "        while len(e) >= 4:\n"
  "            tag, ln = struct.unpack('<HH', e[:4])\n"
  "            if tag == 0x5455 and ln >= 5 and e[4] & 1:\n"
  "                ut = str(struct.unpack('<i', e[5:9])[0])\n"
  "            e = e[4 + ln:]\n"
  "        if i.is_dir():\n"
  "            digest = 'dir'\n"
  "        elif mode == 'full':\n"
  "            digest = hashlib.sha256(z.read(i)).hexdigest()\n"
  "        elif mode == 'ends':\n"
  "            with z.open(i) as f:\n"
  "                head = f.read(1 << 20)\n"
  "                f.seek(max(i.file_size - (1 << 20), 0))\n"
  "                tail = f.read()\n"
  "            digest = hashlib.sha256(head).hexdigest() + ' ' + hashlib.sha256(tail).hexdigest()\n"
  "        else:\n"
  "            digest = ''\n"
  "        out[i.filename] = [digest, '%04d-%02d-%02d %02d:%02d:%02d' % i.date_time, ut,\n"
  "                           '%o' % (i.external_attr >> 16), '%x' % i.flag_bits,\n"
  "                           str(i.file_size), str(i.compress_size), str(i.header_offset),\n"
  "                           '%08x' % i.CRC]\n"
  "sys.stdout.buffer.write(json.dumps(out, ensure_ascii=False).encode('utf-8'))\n";

typedef enum {
  VERIFY_FULL,
  VERIFY_ENDS,
  VERIFY_HEADERS,
} VerifyMode;

typedef struct {
  const char *path;
  gboolean is_dir;
  guint64 size;
  gint64 mtime;
  /* Zero-filled data: streamed through the writer like any other, but left as a hole in the
   * output file so multi-gigabyte archives cost neither disk space nor write time. */
  gboolean zeros;
} TestEntry;

typedef struct {
  char *tmpdir;
} Fixture;

/* What the archive should hold for each entry, filled in while writing it. */
typedef struct {
  char *name;
  char *digest;
  guint64 size;
  guint64 offset;
  guint64 descriptor_offset;
  gint64 mtime;
  gboolean is_dir;
} Expected;

static void
expected_clear (Expected *expected)
{
  g_clear_pointer (&expected->name, g_free);
  g_clear_pointer (&expected->digest, g_free);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }

  g_assert_cmpint (g_remove (path), ==, 0);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = g_dir_make_tmp ("ssync-zip-writer-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->tmpdir);
  g_clear_pointer (&fixture->tmpdir, g_free);
}

/* Writes archive bytes at explicit offsets, so that skipped data leaves a hole. */
typedef struct {
  int fd;
  guint64 offset;
} Sink;

static void
sink_write (Sink         *sink,
            const guint8 *data,
            gsize         len)
{
  while (len > 0)
    {
      gssize n = pwrite (sink->fd, data, len, (off_t) sink->offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("Writing the test archive failed: %s", g_strerror (errno));

      data += n;
      len -= n;
      sink->offset += n;
    }
}

/* Sends what the writer produced and checks that the writer counts the same bytes. */
static void
sink_take (Sink           *sink,
           SsyncZipWriter *writer,
           GBytes         *bytes)
{
  gsize len;
  const guint8 *data;

  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &len);
  sink_write (sink, data, len);
  g_bytes_unref (bytes);

  g_assert_cmpuint (ssync_zip_writer_get_offset (writer), ==, sink->offset);
}

static guint8 *
make_content (guint32 seed,
              gsize   len)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (MAX (len, 1));

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_rand_int (rand);

  return data;
}

static char *
sha256_of_zeros (gsize len)
{
  g_autofree guint8 *zeros = g_malloc0 (MAX (len, 1));

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, zeros, len);
}

static SsyncZipItem *
items_for (const TestEntry *entries,
           gsize            n_entries)
{
  SsyncZipItem *items = g_new0 (SsyncZipItem, MAX (n_entries, 1));

  for (gsize i = 0; i < n_entries; i++)
    {
      items[i].path = entries[i].path;
      items[i].size = entries[i].size;
      items[i].is_dir = entries[i].is_dir;
    }

  return items;
}

static guint64
read_le (const guint8 *p,
         guint         width)
{
  guint64 value = 0;

  for (guint i = width; i > 0; i--)
    value = (value << 8) | p[i - 1];

  return value;
}

/* Readers take the ZIP64 end record from the locator when there is one and fall back to the
 * classic record otherwise, so a count of exactly 0xFFFF entries without the ZIP64 record
 * still reads fine while breaking the spec; check the end of the archive bytewise. */
static void
check_end_records (const char *zip_path,
                   guint64     n_entries,
                   guint64     cd_offset)
{
  gboolean zip64 = n_entries >= 0xFFFF || cd_offset >= G_MAXUINT32;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  const guint8 *end;
  const guint8 *locator;
  gsize len;

  file = g_mapped_file_new (zip_path, FALSE, &error);
  g_assert_no_error (error);
  data = (const guint8 *) g_mapped_file_get_contents (file);
  len = g_mapped_file_get_length (file);

  g_assert_cmpuint (len, >=, 22);
  end = data + len - 22;
  g_assert_cmpuint (read_le (end, 4), ==, 0x06054b50);
  g_assert_cmpuint (read_le (end + 8, 2), ==, MIN (n_entries, 0xFFFF));
  g_assert_cmpuint (read_le (end + 10, 2), ==, MIN (n_entries, 0xFFFF));
  g_assert_cmpuint (read_le (end + 16, 4), ==, MIN (cd_offset, G_MAXUINT32));

  locator = end - 20;
  if (!zip64)
    {
      g_assert_true (len < 42 || read_le (locator, 4) != 0x07064b50);
      return;
    }

  g_assert_cmpuint (read_le (locator, 4), ==, 0x07064b50);
  g_assert_cmpuint (read_le (locator + 8, 8), ==, (guint64) (locator - 56 - data));
  g_assert_cmpuint (read_le (locator - 56, 4), ==, 0x06064b50);
  g_assert_cmpuint (read_le (locator - 56 + 32, 8), ==, n_entries);
  g_assert_cmpuint (read_le (locator - 56 + 48, 8), ==, cd_offset);
}

/* Streams @entries through a writer into @zip_path, feeding file data in odd-sized chunks as
 * a server reading a disk would, and returns what each entry should look like to a reader. */
static Expected *
write_archive (const char      *zip_path,
               const TestEntry *entries,
               gsize            n_entries,
               VerifyMode       mode)
{
  static const gsize chunk_sizes[] = { 1, 7, 4093, 65537, 13, 300007 };
  g_autoptr(SsyncZipWriter) writer = ssync_zip_writer_new ();
  g_autofree SsyncZipItem *items = items_for (entries, n_entries);
  g_autofree guint8 *zeros = g_malloc0 (MiB);
  Expected *expected = g_new0 (Expected, MAX (n_entries, 1));
  guint64 predicted = ssync_zip_archive_size (items, n_entries);
  Sink sink = { -1, 0 };
  guint64 cd_offset;
  GStatBuf st;

  sink.fd = g_open (zip_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (sink.fd, >=, 0);

  for (gsize i = 0; i < n_entries; i++)
    {
      const TestEntry *entry = &entries[i];
      Expected *want = &expected[i];

      want->offset = ssync_zip_writer_get_offset (writer);
      want->size = entry->size;
      want->mtime = entry->mtime;
      want->is_dir = entry->is_dir;

      if (entry->is_dir)
        {
          want->name = g_strconcat (entry->path, "/", NULL);
          want->digest = g_strdup ("dir");
          sink_take (&sink, writer,
                     ssync_zip_writer_add_directory (writer, entry->path, entry->mtime));
          continue;
        }

      want->name = g_strdup (entry->path);
      sink_take (&sink, writer,
                 ssync_zip_writer_begin_file (writer, entry->path, entry->size, entry->mtime));

      if (entry->zeros)
        {
          for (guint64 left = entry->size; left > 0;)
            {
              gsize chunk = (gsize) MIN (left, MiB);

              ssync_zip_writer_update (writer, zeros, chunk);
              sink.offset += chunk;
              left -= chunk;
            }
          g_assert_cmpuint (ssync_zip_writer_get_offset (writer), ==, sink.offset);

          if (mode == VERIFY_ENDS)
            {
              g_autofree char *ends = sha256_of_zeros ((gsize) MIN (entry->size, MiB));

              want->digest = g_strdup_printf ("%s %s", ends, ends);
            }
          else if (mode == VERIFY_HEADERS)
            {
              want->digest = g_strdup ("");
            }
          else
            {
              want->digest = sha256_of_zeros (entry->size);
            }
        }
      else
        {
          gsize len = (gsize) entry->size;
          g_autofree guint8 *data = make_content ((guint32) i + 1, len);
          gsize done = 0;

          for (guint k = 0; done < len; k++)
            {
              gsize chunk = MIN (chunk_sizes[k % G_N_ELEMENTS (chunk_sizes)], len - done);

              sink_write (&sink, data + done, chunk);
              ssync_zip_writer_update (writer, data + done, chunk);
              g_assert_cmpuint (ssync_zip_writer_get_offset (writer), ==, sink.offset);
              done += chunk;
            }

          if (mode == VERIFY_FULL)
            {
              want->digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
            }
          else if (mode == VERIFY_ENDS)
            {
              gsize edge = MIN (len, MiB);
              g_autofree char *head = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, edge);
              g_autofree char *tail = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                                   data + len - edge, edge);

              want->digest = g_strdup_printf ("%s %s", head, tail);
            }
          else
            {
              want->digest = g_strdup ("");
            }
        }

      want->descriptor_offset = sink.offset;
      {
        g_autoptr(GError) error = NULL;
        GBytes *descriptor = ssync_zip_writer_end_file (writer, &error);

        g_assert_no_error (error);
        sink_take (&sink, writer, descriptor);
      }
    }

  cd_offset = sink.offset;
  sink_take (&sink, writer, ssync_zip_writer_finish (writer));
  g_assert_true (g_close (sink.fd, NULL));
  check_end_records (zip_path, n_entries, cd_offset);

  /* The length announced before streaming is the length that was streamed. */
  g_assert_cmpint (g_stat (zip_path, &st), ==, 0);
  g_assert_cmpuint ((guint64) st.st_size, ==, sink.offset);
  g_assert_cmpuint (predicted, ==, sink.offset);

  return expected;
}

/* unzip prints names in the locale's encoding; keep whatever it says readable. */
static char *
bytes_to_text (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return len > 0 ? g_utf8_make_valid (data, len) : g_strdup ("");
}

static char *
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *err_text = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  out_text = bytes_to_text (out);
  err_text = bytes_to_text (err);

  if (!g_subprocess_get_successful (proc))
    g_test_message ("%s failed:\n%s\n%s", argv[0], out_text, err_text);
  g_assert_true (g_subprocess_get_successful (proc));

  return g_steal_pointer (&out_text);
}

static char *
expected_dos_date (gint64 mtime)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (mtime);

  if (g_date_time_get_year (dt) < 1980)
    return g_strdup ("1980-01-01 00:00:00");

  /* MS-DOS times have a 2-second resolution. */
  return g_strdup_printf ("%04d-%02d-%02d %02d:%02d:%02d",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt) & ~1);
}

/* Python and unzip take sizes and CRCs from the central directory, but a reader consuming
 * the archive as a stream, as it arrives, has only the data descriptor after each file's
 * data: it must carry the same CRC, and 8-byte sizes exactly when the local header has a
 * ZIP64 extra field, which this writer adds when the size or the offset needs 64 bits. */
static void
check_data_descriptor (int             fd,
                       const Expected *want,
                       const char     *crc)
{
  gboolean zip64 = want->size >= G_MAXUINT32 || want->offset >= G_MAXUINT32;
  guint width = zip64 ? 8 : 4;
  guint8 buf[24];
  g_autofree char *got_crc = NULL;

  g_assert_cmpint (pread (fd, buf, 8 + 2 * width, (off_t) want->descriptor_offset), ==,
                   8 + 2 * width);
  g_assert_cmpuint (read_le (buf, 4), ==, 0x08074b50);
  got_crc = g_strdup_printf ("%08x", (guint32) read_le (buf + 4, 4));
  g_assert_cmpstr (got_crc, ==, crc);
  g_assert_cmpuint (read_le (buf + 8, width), ==, want->size);
  g_assert_cmpuint (read_le (buf + 8 + width, width), ==, want->size);
}

static void
verify_with_python (const char     *zip_path,
                    const Expected *expected,
                    gsize           n_expected,
                    VerifyMode      mode)
{
  static const char * const modes[] = { "full", "ends", "headers" };
  const char * const argv[] = { "python3", "-c", verify_py, zip_path, modes[mode], NULL };
  g_autofree char *json = run_tool (argv);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) members = NULL;
  GVariantIter iter;
  const char *name;
  GVariant *fields;
  gsize i = 0;
  int fd;

  members = g_variant_parse (G_VARIANT_TYPE ("a{sas}"), json, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (members), ==, n_expected);

  fd = g_open (zip_path, O_RDONLY | O_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);

  g_variant_iter_init (&iter, members);
  while (g_variant_iter_loop (&iter, "{&s@as}", &name, &fields))
    {
      const Expected *want = &expected[i++];
      g_autofree const char **got = g_variant_get_strv (fields, NULL);
      g_autofree char *date = expected_dos_date (want->mtime);
      g_autofree char *ut = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             CLAMP (want->mtime, G_MININT32, G_MAXINT32));
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, want->size);
      g_autofree char *offset = g_strdup_printf ("%" G_GUINT64_FORMAT, want->offset);

      g_assert_cmpuint (g_strv_length ((char **) got), ==, 9);
      g_assert_cmpstr (name, ==, want->name);
      g_assert_cmpstr (got[0], ==, want->digest);
      g_assert_cmpstr (got[1], ==, date);
      g_assert_cmpstr (got[2], ==, ut);
      g_assert_cmpstr (got[3], ==, want->is_dir ? "40755" : "100644");
      /* UTF-8 names, and a data descriptor after each file's data. */
      g_assert_cmpstr (got[4], ==, want->is_dir ? "800" : "808");
      g_assert_cmpstr (got[5], ==, size);
      g_assert_cmpstr (got[6], ==, size);
      g_assert_cmpstr (got[7], ==, offset);
      if (want->is_dir)
        g_assert_cmpstr (got[8], ==, "00000000");
      else
        check_data_descriptor (fd, want, got[8]);
    }

  g_assert_true (g_close (fd, NULL));
}

/* Tests the CRC of every member, or only of those named. */
static void
verify_with_unzip_test (const char *zip_path,
                        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  va_list args;
  const char *member;

  g_ptr_array_add (argv, (char *) "unzip");
  g_ptr_array_add (argv, (char *) "-t");
  g_ptr_array_add (argv, (char *) "-qq");
  g_ptr_array_add (argv, (char *) zip_path);
  va_start (args, zip_path);
  while ((member = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) member);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  out = run_tool ((const char * const *) argv->pdata);
}

static void
free_expected (Expected *expected,
               gsize     n_expected)
{
  for (gsize i = 0; i < n_expected; i++)
    expected_clear (&expected[i]);
  g_free (expected);
}

static void
test_several_files (Fixture       *fixture,
                    gconstpointer  data)
{
  static const TestEntry entries[] = {
    { "photos", TRUE, 0, 1600000000 },
    { "photos/2024", TRUE, 0, 1700000000 },
    { "photos/2024/summer trip.jpg", FALSE, 1048576 + 12345, 1700000123 },
    { "Grüße", TRUE, 0, 1650000000 },
    { "Grüße/naïve café.txt", FALSE, 5003, 1234567891 },
    { "日本語.txt", FALSE, 777, 1500000000 },
    { "empty.txt", FALSE, 0, 1700000000 },
    { "empty folder", TRUE, 0, 1700000000 },
    /* Before 1980, so the MS-DOS date is clamped while the extended timestamp is exact. */
    { "notes with spaces.md", FALSE, 65536, 86400 * 365 },
    { "deep/without/directory/entries.bin", FALSE, 300007 * 2 + 1, 1700000000 },
  };
  g_autofree char *zip_path = g_build_filename (fixture->tmpdir, "several.zip", NULL);
  Expected *expected;

  expected = write_archive (zip_path, entries, G_N_ELEMENTS (entries), VERIFY_FULL);
  verify_with_unzip_test (zip_path, NULL);
  verify_with_python (zip_path, expected, G_N_ELEMENTS (entries), VERIFY_FULL);
  free_expected (expected, G_N_ELEMENTS (entries));
}

static void
test_empty_archive (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *zip_path = g_build_filename (fixture->tmpdir, "empty.zip", NULL);
  Expected *expected;

  /* An empty archive is only its end of central directory record. unzip exits with a warning
   * status on any empty archive, so only Python reads this one. */
  g_assert_cmpuint (ssync_zip_archive_size (NULL, 0), ==, 22);
  expected = write_archive (zip_path, NULL, 0, VERIFY_FULL);
  verify_with_python (zip_path, expected, 0, VERIFY_FULL);
  free_expected (expected, 0);
}

/* 4.5 GiB of zeros between small files: the big file needs 64-bit sizes, the entries after it
 * 64-bit offsets, and the archive a ZIP64 end of central directory. */
static void
test_zip64_large_file (Fixture       *fixture,
                       gconstpointer  data)
{
  static const TestEntry entries[] = {
    { "before.txt", FALSE, 1000, SOME_MTIME },
    { "big", TRUE, 0, SOME_MTIME },
    { "big/zeros.bin", FALSE, 4 * GiB + GiB / 2, SOME_MTIME, TRUE },
    { "big/after dir", TRUE, 0, SOME_MTIME },
    { "after.txt", FALSE, 3 * MiB + 17, SOME_MTIME },
  };
  g_autofree char *zip_path = g_build_filename (fixture->tmpdir, "large.zip", NULL);
  const char * const list_argv[] = { "unzip", "-l", zip_path, NULL };
  g_autofree char *listing = NULL;
  Expected *expected;

  expected = write_archive (zip_path, entries, G_N_ELEMENTS (entries), VERIFY_ENDS);
  g_assert_cmpuint (expected[4].offset, >, G_MAXUINT32);

  verify_with_python (zip_path, expected, G_N_ELEMENTS (entries), VERIFY_ENDS);

  listing = run_tool (list_argv);
  g_assert_nonnull (strstr (listing, "4831838208"));
  g_assert_nonnull (strstr (listing, "big/zeros.bin"));
  g_assert_nonnull (strstr (listing, "after.txt"));

  /* unzip needs over 20 seconds to check 4.5 GiB of zeros, which Python's read has already
   * checked; the entries past 4 GiB still show that unzip finds and reads them. */
  verify_with_unzip_test (zip_path, "before.txt", "big/after dir/", "after.txt", NULL);

  free_expected (expected, G_N_ELEMENTS (entries));
}

/* The ZIP64 decisions happen at exact values; a size or offset of 0xFFFFFFFF is itself the
 * "see ZIP64" sentinel, so it must go to ZIP64 while one byte less must not. Each case ends
 * with a small entry whose position depends on the sizes before it. */
static const TestEntry below_size_limit[] = {
  { "a", FALSE, G_GUINT64_CONSTANT (0xFFFFFFFE), SOME_MTIME, TRUE },
  { "z", FALSE, 1, SOME_MTIME },
};

static const TestEntry at_size_limit[] = {
  { "a", FALSE, G_GUINT64_CONSTANT (0xFFFFFFFF), SOME_MTIME, TRUE },
  { "z", FALSE, 1, SOME_MTIME },
};

/* "a" takes 30 + 1 + 9 bytes of local header and 16 of data descriptor around its data, so
 * these put the next local header at 0xFFFFFFFF and one byte before it. */
static const TestEntry at_offset_limit[] = {
  { "a", FALSE, G_GUINT64_CONSTANT (0xFFFFFFFF) - 56, SOME_MTIME, TRUE },
  { "z", FALSE, 1, SOME_MTIME },
};

static const TestEntry below_offset_limit[] = {
  { "a", FALSE, G_GUINT64_CONSTANT (0xFFFFFFFF) - 57, SOME_MTIME, TRUE },
  { "z", FALSE, 1, SOME_MTIME },
};

static const TestEntry dir_at_offset_limit[] = {
  { "a", FALSE, G_GUINT64_CONSTANT (0xFFFFFFFF) - 56, SOME_MTIME, TRUE },
  { "d", TRUE, 0, SOME_MTIME },
  { "z", FALSE, 1, SOME_MTIME },
};

typedef struct {
  const TestEntry *entries;
  gsize n_entries;
} Boundary;

static const Boundary boundaries[] = {
  { below_size_limit, G_N_ELEMENTS (below_size_limit) },
  { at_size_limit, G_N_ELEMENTS (at_size_limit) },
  { at_offset_limit, G_N_ELEMENTS (at_offset_limit) },
  { below_offset_limit, G_N_ELEMENTS (below_offset_limit) },
  { dir_at_offset_limit, G_N_ELEMENTS (dir_at_offset_limit) },
};

static void
test_zip64_boundary (Fixture       *fixture,
                     gconstpointer  data)
{
  const Boundary *boundary = data;
  g_autofree char *zip_path = g_build_filename (fixture->tmpdir, "boundary.zip", NULL);
  const char * const list_argv[] = { "unzip", "-l", zip_path, NULL };
  g_autofree char *listing = NULL;
  Expected *expected;

  expected = write_archive (zip_path, boundary->entries, boundary->n_entries, VERIFY_HEADERS);
  verify_with_python (zip_path, expected, boundary->n_entries, VERIFY_HEADERS);
  listing = run_tool (list_argv);
  free_expected (expected, boundary->n_entries);
}

/* Empty files in a directory, then one with content whose offset depends on counting them
 * all right; @data is the total number of entries. 0xFFFF is the first count that needs the
 * ZIP64 end record, since the classic one uses 0xFFFF to mean "see ZIP64". */
static void
test_zip64_entry_count (Fixture       *fixture,
                        gconstpointer  data)
{
  gsize n_entries = GPOINTER_TO_SIZE (data);
  g_autofree char *zip_path = g_build_filename (fixture->tmpdir, "many.zip", NULL);
  g_autofree TestEntry *entries = g_new0 (TestEntry, n_entries);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gsize n = 0;
  Expected *expected;

  entries[n++] = (TestEntry) { "many", TRUE, 0, SOME_MTIME };
  while (n < n_entries - 1)
    {
      char *name = g_strdup_printf ("many/file-%05" G_GSIZE_FORMAT ".txt", n);

      g_ptr_array_add (names, name);
      entries[n++] = (TestEntry) { name, FALSE, 0, SOME_MTIME };
    }
  entries[n++] = (TestEntry) { "many/last.txt", FALSE, 4321, SOME_MTIME };

  expected = write_archive (zip_path, entries, n, VERIFY_FULL);
  verify_with_python (zip_path, expected, n, VERIFY_FULL);
  verify_with_unzip_test (zip_path, NULL);
  free_expected (expected, n);
}

static void
check_size_mismatch (guint64 announced,
                     gsize   sent,
                     const char *message)
{
  g_autoptr(SsyncZipWriter) writer = ssync_zip_writer_new ();
  g_autofree guint8 *data = make_content (7, sent);
  g_autoptr(GBytes) header = NULL;
  g_autoptr(GBytes) descriptor = NULL;
  g_autoptr(GError) error = NULL;

  header = ssync_zip_writer_begin_file (writer, "docs/report.pdf", announced, SOME_MTIME);
  g_assert_nonnull (header);
  ssync_zip_writer_update (writer, data, sent);
  descriptor = ssync_zip_writer_end_file (writer, &error);

  g_assert_null (descriptor);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_size_mismatch (void)
{
  check_size_mismatch (10, 7,
                       "docs/report.pdf changed while it was being sent "
                       "(expected 10 bytes, got 7)");
  check_size_mismatch (10, 12,
                       "docs/report.pdf changed while it was being sent "
                       "(expected 10 bytes, got 12)");
  check_size_mismatch (0, 1,
                       "docs/report.pdf changed while it was being sent "
                       "(expected 0 bytes, got 1)");
}

int
main (int   argc,
      char *argv[])
{
  static const char * const boundary_names[] = {
    "/zip-writer/zip64/size-below-limit",
    "/zip-writer/zip64/size-at-limit",
    "/zip-writer/zip64/offset-at-limit",
    "/zip-writer/zip64/offset-below-limit",
    "/zip-writer/zip64/directory-at-offset-limit",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (boundary_names) == G_N_ELEMENTS (boundaries));

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/zip-writer/several-files", Fixture, NULL,
              fixture_setup, test_several_files, fixture_teardown);
  g_test_add ("/zip-writer/empty-archive", Fixture, NULL,
              fixture_setup, test_empty_archive, fixture_teardown);
  g_test_add ("/zip-writer/zip64/large-file", Fixture, NULL,
              fixture_setup, test_zip64_large_file, fixture_teardown);
  for (gsize i = 0; i < G_N_ELEMENTS (boundaries); i++)
    g_test_add (boundary_names[i], Fixture, &boundaries[i],
                fixture_setup, test_zip64_boundary, fixture_teardown);
  g_test_add ("/zip-writer/zip64/entry-count-below-limit", Fixture, GSIZE_TO_POINTER (0xFFFE),
              fixture_setup, test_zip64_entry_count, fixture_teardown);
  g_test_add ("/zip-writer/zip64/entry-count-at-limit", Fixture, GSIZE_TO_POINTER (0xFFFF),
              fixture_setup, test_zip64_entry_count, fixture_teardown);
  g_test_add ("/zip-writer/zip64/many-entries", Fixture, GSIZE_TO_POINTER (70000),
              fixture_setup, test_zip64_entry_count, fixture_teardown);
  g_test_add_func ("/zip-writer/size-mismatch", test_size_mismatch);

  return g_test_run ();
}
