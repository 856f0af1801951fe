/* test-tls-identity.c: the LocalSend key and certificate, made once and kept private.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssync-tls-identity.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("ssync-tls-identity-XXXXXX", &error);

  g_assert_no_error (error);
  /* A folder that does not exist yet: the identity makes it. */
  fixture->dir = g_build_filename (base, "data", NULL);
  fixture->path = g_build_filename (fixture->dir, SSYNC_TLS_IDENTITY_FILE, NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  g_remove (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *base = g_path_get_dirname (fixture->dir);

  remove_tree (base);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static SsyncTlsIdentity *
load (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  SsyncTlsIdentity *identity = ssync_tls_identity_load_or_create (fixture->dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (identity);
  return identity;
}

static void
assert_private (const char *path,
                guint       mode)
{
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpuint (info.st_mode & 0777, ==, mode);
}

/* The fingerprint is the SHA-256 of the DER certificate, uppercase hex, as LocalSend's. */
static void
assert_fingerprint_of (SsyncTlsIdentity *identity)
{
  GTlsCertificate *certificate = ssync_tls_identity_get_certificate (identity);
  const char *fingerprint = ssync_tls_identity_get_fingerprint (identity);
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *upper = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  upper = g_ascii_strup (expected, -1);
  g_assert_cmpuint (strlen (fingerprint), ==, 64);
  g_assert_cmpstr (fingerprint, ==, upper);
}

static void
test_created_once (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SsyncTlsIdentity) first = load (fixture);
  g_autoptr(SsyncTlsIdentity) second = NULL;
  g_autofree char *fingerprint = g_strdup (ssync_tls_identity_get_fingerprint (first));
  g_autofree char *pem = NULL;
  g_autofree char *again = NULL;

  assert_fingerprint_of (first);
  assert_private (fixture->path, 0600);
  assert_private (fixture->dir, 0700);
  g_assert_true (g_file_get_contents (fixture->path, &pem, NULL, NULL));
  g_assert_nonnull (strstr (pem, "-----BEGIN PRIVATE KEY-----"));
  g_assert_nonnull (strstr (pem, "-----BEGIN CERTIFICATE-----"));

  /* The next start finds it and leaves the file as it was. */
  second = load (fixture);
  g_assert_cmpstr (ssync_tls_identity_get_fingerprint (second), ==, fingerprint);
  g_assert_true (g_tls_certificate_is_same (ssync_tls_identity_get_certificate (first),
                                            ssync_tls_identity_get_certificate (second)));
  g_assert_true (g_file_get_contents (fixture->path, &again, NULL, NULL));
  g_assert_cmpstr (again, ==, pem);

  /* No temporary file is left beside it. */
  {
    g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);

    g_assert_cmpstr (g_dir_read_name (dir), ==, SSYNC_TLS_IDENTITY_FILE);
    g_assert_null (g_dir_read_name (dir));
  }
}

/* What a LocalSend peer sees: a self-signed certificate for "ShareSync", valid ten years,
 * with a private key that signs. */
static void
test_certificate (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SsyncTlsIdentity) identity = load (fixture);
  GTlsCertificate *certificate = ssync_tls_identity_get_certificate (identity);
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *subject = NULL;
  g_autofree char *key_pem = NULL;
  gnutls_x509_crt_t crt;
  gnutls_datum_t datum;
  unsigned int verify = 0;

  g_object_get (certificate, "certificate", &der, "subject-name", &subject,
                "not-valid-after", &not_after, "private-key-pem", &key_pem, NULL);
  g_assert_nonnull (key_pem);
  g_assert_cmpstr (subject, ==, "CN=ShareSync");
  g_assert_cmpint (g_date_time_difference (not_after, now) / G_TIME_SPAN_DAY, >=, 3640);

  datum.data = der->data;
  datum.size = der->len;
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_get_pk_algorithm (crt, NULL), ==, GNUTLS_PK_ECDSA);
  g_assert_cmpint (gnutls_x509_crt_verify (crt, &crt, 1, 0, &verify), ==, 0);
  g_assert_cmpuint (verify, ==, 0);
  gnutls_x509_crt_deinit (crt);
}

/* Two data directories, two devices. */
static void
test_distinct (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(SsyncTlsIdentity) first = load (fixture);
  g_autoptr(SsyncTlsIdentity) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (fixture->dir, "other", NULL);

  second = ssync_tls_identity_load_or_create (other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ssync_tls_identity_get_fingerprint (first), !=,
                   ssync_tls_identity_get_fingerprint (second));
}

static void
test_corrupt (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SsyncTlsIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = g_strconcat (fixture->path, ".bad", NULL);
  g_autofree char *kept = NULL;
  const char *garbage = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n";

  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents_full (fixture->path, garbage, -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_assert_no_error (error);

  g_test_expect_message ("ssync-nearby", G_LOG_LEVEL_MESSAGE, "*unusable*moved to*.bad*");
  identity = load (fixture);
  g_test_assert_expected_messages ();

  assert_fingerprint_of (identity);
  assert_private (fixture->path, 0600);
  g_assert_true (g_file_get_contents (bad, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, garbage);
}

/* A certificate without its key cannot serve TLS: replaced too. */
static void
test_no_key (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SsyncTlsIdentity) first = load (fixture);
  g_autoptr(SsyncTlsIdentity) second = NULL;
  g_autofree char *cert_pem = NULL;

  g_object_get (ssync_tls_identity_get_certificate (first), "certificate-pem", &cert_pem, NULL);
  g_assert_true (g_file_set_contents (fixture->path, cert_pem, -1, NULL));

  g_test_expect_message ("ssync-nearby", G_LOG_LEVEL_MESSAGE, "*no private key*");
  second = load (fixture);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (ssync_tls_identity_get_fingerprint (first), !=,
                   ssync_tls_identity_get_fingerprint (second));
}

/* A key copied in readable by others is made private again, and kept. */
static void
test_loose_mode (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SsyncTlsIdentity) first = load (fixture);
  g_autoptr(SsyncTlsIdentity) second = NULL;

  g_assert_cmpint (g_chmod (fixture->path, 0644), ==, 0);
  second = load (fixture);
  assert_private (fixture->path, 0600);
  g_assert_cmpstr (ssync_tls_identity_get_fingerprint (first), ==,
                   ssync_tls_identity_get_fingerprint (second));
}

/* A data directory that cannot be written is an error, not a crash or a silent identity. */
static void
test_unwritable (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SsyncTlsIdentity) identity = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root writes anywhere");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0500), ==, 0);
  identity = ssync_tls_identity_load_or_create (fixture->dir, &error);
  g_assert_null (identity);
  g_assert_nonnull (error);
  g_assert_cmpint (g_chmod (fixture->dir, 0700), ==, 0);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SsyncTlsIdentity **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ssync_tls_identity_load_or_create_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(SsyncTlsIdentity) identity = NULL;
  g_autoptr(SsyncTlsIdentity) again = NULL;

  ssync_tls_identity_load_or_create_async (fixture->dir, NULL, on_loaded, &identity);
  while (identity == NULL)
    g_main_context_iteration (NULL, TRUE);
  assert_private (fixture->path, 0600);
  again = load (fixture);
  g_assert_cmpstr (ssync_tls_identity_get_fingerprint (identity), ==,
                   ssync_tls_identity_get_fingerprint (again));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tls-identity/created-once", Fixture, NULL, fixture_set_up, test_created_once,
              fixture_tear_down);
  g_test_add ("/tls-identity/certificate", Fixture, NULL, fixture_set_up, test_certificate,
              fixture_tear_down);
  g_test_add ("/tls-identity/distinct", Fixture, NULL, fixture_set_up, test_distinct,
              fixture_tear_down);
  g_test_add ("/tls-identity/corrupt", Fixture, NULL, fixture_set_up, test_corrupt,
              fixture_tear_down);
  g_test_add ("/tls-identity/no-key", Fixture, NULL, fixture_set_up, test_no_key,
              fixture_tear_down);
  g_test_add ("/tls-identity/loose-mode", Fixture, NULL, fixture_set_up, test_loose_mode,
              fixture_tear_down);
  g_test_add ("/tls-identity/unwritable", Fixture, NULL, fixture_set_up, test_unwritable,
              fixture_tear_down);
  g_test_add ("/tls-identity/async", Fixture, NULL, fixture_set_up, test_async,
              fixture_tear_down);

  return g_test_run ();
}
