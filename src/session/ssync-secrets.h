/* ssync-secrets.h: the one owner of secrets (the S3 secret key, the TURN password). It
 * stores them in the Secret Service (or for this run only where no keyring answers, or when
 * a face sets one from the environment), reads them, and announces every change, so that
 * the pusher and the direct-transfer side never keep a stale one.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  SSYNC_SECRET_S3,    /* server: the S3 endpoint; user: the access key */
  SSYNC_SECRET_TURN,  /* server: the TURN server's host:port; user: the TURN user name */
} SsyncSecretKind;

#define SSYNC_TYPE_SECRETS (ssync_secrets_get_type ())

G_DECLARE_FINAL_TYPE (SsyncSecrets, ssync_secrets, SSYNC, SECRETS, GObject)

SsyncSecrets *ssync_secrets_new            (void);
/* For this run only, never written anywhere: headless's SHARESYNC_S3_SECRET_KEY. */
void          ssync_secrets_set_for_run    (SsyncSecrets         *self,
                                            SsyncSecretKind       kind,
                                            const char           *server,
                                            const char           *user,
                                            const char           *secret);
void          ssync_secrets_store_async    (SsyncSecrets         *self,
                                            SsyncSecretKind       kind,
                                            const char           *server,
                                            const char           *user,
                                            const char           *secret,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean      ssync_secrets_store_finish   (SsyncSecrets         *self,
                                            GAsyncResult         *result,
                                            GError              **error);
/* NULL with an error (SSYNC_ERROR_NOT_FOUND when none is stored). The caller wipes the
 * returned secret with explicit_bzero() before freeing it. */
void          ssync_secrets_lookup_async   (SsyncSecrets         *self,
                                            SsyncSecretKind       kind,
                                            const char           *server,
                                            const char           *user,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char         *ssync_secrets_lookup_finish  (SsyncSecrets         *self,
                                            GAsyncResult         *result,
                                            GError              **error);

/* Signal "changed" (SsyncSecretKind kind, const char *server, const char *user): emitted
 * after a store succeeded or set_for_run, on the main context. */

G_END_DECLS
