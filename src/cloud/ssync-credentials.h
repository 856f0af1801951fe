/* ssync-credentials.h: S3 secret keys in the Secret Service (libsecret), or for this run
 * only where no keyring answers.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_CREDENTIALS (ssync_credentials_get_type ())

G_DECLARE_FINAL_TYPE (SsyncCredentials, ssync_credentials, SSYNC, CREDENTIALS, GObject)

SsyncCredentials *ssync_credentials_new           (void);
void              ssync_credentials_free_secret   (char                 *secret);
void              ssync_credentials_store_async   (SsyncCredentials     *self,
                                                   const char           *endpoint,
                                                   const char           *access_key,
                                                   const char           *secret_key,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          ssync_credentials_store_finish  (SsyncCredentials     *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void              ssync_credentials_lookup_async  (SsyncCredentials     *self,
                                                   const char           *endpoint,
                                                   const char           *access_key,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
char             *ssync_credentials_lookup_finish (SsyncCredentials     *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
