/* ssync-tls-identity.h: the key and self-signed certificate ShareSync serves LocalSend with.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_TLS_IDENTITY (ssync_tls_identity_get_type ())

G_DECLARE_FINAL_TYPE (SsyncTlsIdentity, ssync_tls_identity, SSYNC, TLS_IDENTITY, GObject)

/* The file kept in the data directory: private key and certificate, PEM, mode 0600. */
#define SSYNC_TLS_IDENTITY_FILE "localsend.pem"

SsyncTlsIdentity *ssync_tls_identity_load_or_create        (const char           *data_dir,
                                                            GError              **error);
void              ssync_tls_identity_load_or_create_async  (const char           *data_dir,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
SsyncTlsIdentity *ssync_tls_identity_load_or_create_finish (GAsyncResult         *result,
                                                            GError              **error);

GTlsCertificate  *ssync_tls_identity_get_certificate       (SsyncTlsIdentity     *self);
const char       *ssync_tls_identity_get_fingerprint       (SsyncTlsIdentity     *self);

G_END_DECLS
