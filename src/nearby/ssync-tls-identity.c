/* ssync-tls-identity.c: the key and self-signed certificate ShareSync serves LocalSend with.
 *
 * LocalSend apps speak HTTPS to each other with self-signed certificates and name a device
 * by the SHA-256 of its certificate: the identity must survive restarts, or every peer would
 * see a new device each time. So it is made once (an ECDSA P-256 key, which GnuTLS makes in
 * milliseconds where RSA takes up to a second) and kept in the data directory as one PEM
 * file holding the key and the certificate, readable by the user only.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ssync-error.h"
#include "ssync-tls-identity.h"

#define VALIDITY_DAYS (10 * 365)
#define DAY_SECONDS (24 * 60 * 60)
#define SERIAL_BYTES 16

struct _SsyncTlsIdentity
{
  GObject parent_instance;

  GTlsCertificate *certificate;
  char *fingerprint;
};

G_DEFINE_FINAL_TYPE (SsyncTlsIdentity, ssync_tls_identity, G_TYPE_OBJECT)

static void
ssync_tls_identity_finalize (GObject *object)
{
  SsyncTlsIdentity *self = SSYNC_TLS_IDENTITY (object);

  g_clear_object (&self->certificate);
  g_free (self->fingerprint);

  G_OBJECT_CLASS (ssync_tls_identity_parent_class)->finalize (object);
}

static void
ssync_tls_identity_class_init (SsyncTlsIdentityClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ssync_tls_identity_finalize;
}

static void
ssync_tls_identity_init (SsyncTlsIdentity *self)
{
}

/* The SHA-256 of the DER certificate in uppercase hex, as LocalSend computes it
 * (security_helper.dart, calculateHashOfCertificate): peers compare it as a string. */
static char *
fingerprint_of (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_object_get (certificate, "certificate", &der, NULL);
  g_checksum_update (checksum, der->data, der->len);
  return g_ascii_strup (g_checksum_get_string (checksum), -1);
}

static gboolean
set_gnutls_error (int      rc,
                  GError **error)
{
  if (rc >= 0)
    return FALSE;
  g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_FAILED,
               _("Could not make the certificate for nearby devices: %s"),
               gnutls_strerror (rc));
  return TRUE;
}

/* Copies @datum out of GnuTLS's memory and wipes the original, which may hold the key. */
static char *
datum_to_string (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  explicit_bzero (datum->data, datum->size);
  gnutls_free (datum->data);
  datum->data = NULL;
  return text;
}

/* Makes a new key and a certificate signed by it; returns both as PEM, key first. */
static char *
create_pem (GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t key_pem = { NULL, 0 };
  gnutls_datum_t crt_pem = { NULL, 0 };
  const unsigned int bits = GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1);
  const char *name = "ShareSync";
  guint8 serial[SERIAL_BYTES];
  time_t now = time (NULL);
  /* A day back, so that a peer whose clock runs a little behind still accepts it. */
  time_t not_before = now - DAY_SECONDS;
  time_t not_after = now + (time_t) VALIDITY_DAYS * DAY_SECONDS;
  char *pem = NULL;

  if (set_gnutls_error (gnutls_x509_privkey_init (&key), error) ||
      set_gnutls_error (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA, bits, 0), error) ||
      set_gnutls_error (gnutls_x509_crt_init (&crt), error) ||
      set_gnutls_error (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), error))
    goto out;

  /* A serial is a positive integer: its top bit stays clear. */
  serial[0] = (serial[0] & 0x7f) | 0x01;

  if (set_gnutls_error (gnutls_x509_crt_set_version (crt, 3), error) ||
      set_gnutls_error (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), error) ||
      set_gnutls_error (gnutls_x509_crt_set_activation_time (crt, not_before), error) ||
      set_gnutls_error (gnutls_x509_crt_set_expiration_time (crt, not_after), error) ||
      set_gnutls_error (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                       name, strlen (name)), error) ||
      set_gnutls_error (gnutls_x509_crt_set_key (crt, key), error) ||
      set_gnutls_error (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), error) ||
      set_gnutls_error (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), error) ||
      set_gnutls_error (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), error) ||
      set_gnutls_error (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                           GNUTLS_PKCS_PLAIN, &key_pem), error) ||
      set_gnutls_error (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem), error))
    goto out;

  {
    g_autofree char *key_text = datum_to_string (&key_pem);
    g_autofree char *crt_text = datum_to_string (&crt_pem);

    pem = g_strconcat (key_text, crt_text, NULL);
    /* The key lived in this copy only for the concatenation. */
    explicit_bzero (key_text, strlen (key_text));
  }

out:
  if (key_pem.data != NULL)
    {
      explicit_bzero (key_pem.data, key_pem.size);
      gnutls_free (key_pem.data);
    }
  gnutls_free (crt_pem.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return pem;
}

static SsyncTlsIdentity *
identity_from_pem (const char  *pem,
                   GError     **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *key_pem = NULL;
  SsyncTlsIdentity *self;

  certificate = g_tls_certificate_new_from_pem (pem, -1, error);
  if (certificate == NULL)
    return NULL;

  /* A certificate alone parses too, but cannot serve TLS. */
  g_object_get (certificate, "private-key-pem", &key_pem, NULL);
  if (key_pem == NULL)
    {
      g_set_error_literal (error, SSYNC_ERROR, SSYNC_ERROR_FAILED, "no private key");
      return NULL;
    }
  explicit_bzero (key_pem, strlen (key_pem));

  self = g_object_new (SSYNC_TYPE_TLS_IDENTITY, NULL);
  self->fingerprint = fingerprint_of (certificate);
  self->certificate = g_steal_pointer (&certificate);
  return self;
}

/* Loads @path; NULL without @error when it is missing or unusable (moved aside to .bad). */
static SsyncTlsIdentity *
load (const char  *path,
      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *bad = NULL;
  gsize length;
  SsyncTlsIdentity *self;
  GStatBuf info;

  if (!g_file_get_contents (path, &pem, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self = identity_from_pem (pem, &local_error);
  explicit_bzero (pem, length);
  if (self != NULL)
    {
      /* The file may have been copied in with looser permissions: the key is secret. */
      if (g_stat (path, &info) == 0 && (info.st_mode & 0077) != 0 && g_chmod (path, 0600) != 0)
        g_warning ("Could not make %s private: %s", path, g_strerror (errno));
      return self;
    }

  /* Kept rather than deleted: it may be worth a look, and it costs nothing. */
  bad = g_strconcat (path, ".bad", NULL);
  if (g_rename (path, bad) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("The certificate for nearby devices in %s is unusable and cannot be "
                     "moved aside: %s"), path, g_strerror (errno));
      return NULL;
    }
  g_message ("%s was unusable (%s); moved to %s, a new certificate is made, so nearby devices "
             "will see this one as a new device", path, local_error->message, bad);
  return NULL;
}

/**
 * ssync_tls_identity_load_or_create:
 * @data_dir: where localsend.pem is kept; made (0700) when missing
 *
 * Loads the identity kept in @data_dir, or makes one and keeps it there (mode 0600, written
 * to a temporary file and renamed, so a crash never leaves half a key). A file that cannot be
 * read as a key and certificate is moved to localsend.pem.bad and replaced.
 *
 * Blocks on file I/O and key generation: call it off the main loop, or use
 * ssync_tls_identity_load_or_create_async().
 */
SsyncTlsIdentity *
ssync_tls_identity_load_or_create (const char  *data_dir,
                                   GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *pem = NULL;
  g_autoptr(GError) local_error = NULL;
  SsyncTlsIdentity *self;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_build_filename (data_dir, SSYNC_TLS_IDENTITY_FILE, NULL);
  self = load (path, &local_error);
  if (self != NULL)
    return self;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("Could not create the folder %s: %s"), data_dir, g_strerror (errno));
      return NULL;
    }

  pem = create_pem (error);
  if (pem == NULL)
    return NULL;

  if (!g_file_set_contents_full (path, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      explicit_bzero (pem, strlen (pem));
      return NULL;
    }

  self = identity_from_pem (pem, error);
  explicit_bzero (pem, strlen (pem));
  return self;
}

static void
load_or_create_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  GError *error = NULL;
  SsyncTlsIdentity *self = ssync_tls_identity_load_or_create (task_data, &error);

  if (self == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, self, g_object_unref);
}

/* The same in a worker thread, for callers on the main loop. */
void
ssync_tls_identity_load_or_create_async (const char          *data_dir,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (data_dir != NULL);

  g_task_set_source_tag (task, ssync_tls_identity_load_or_create_async);
  g_task_set_task_data (task, g_strdup (data_dir), g_free);
  g_task_run_in_thread (task, load_or_create_thread);
}

SsyncTlsIdentity *
ssync_tls_identity_load_or_create_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The certificate with its private key, for soup_server_set_tls_certificate(). */
GTlsCertificate *
ssync_tls_identity_get_certificate (SsyncTlsIdentity *self)
{
  g_return_val_if_fail (SSYNC_IS_TLS_IDENTITY (self), NULL);

  return self->certificate;
}

/* The SHA-256 of the DER certificate, 64 uppercase hex digits (LocalSend's form). */
const char *
ssync_tls_identity_get_fingerprint (SsyncTlsIdentity *self)
{
  g_return_val_if_fail (SSYNC_IS_TLS_IDENTITY (self), NULL);

  return self->fingerprint;
}
