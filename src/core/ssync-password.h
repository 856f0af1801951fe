/* ssync-password.h: share passwords, stored only as salted PBKDF2-HMAC-SHA256 hashes.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SSYNC_PASSWORD_SALT_BYTES 16
#define SSYNC_PASSWORD_HASH_BYTES 32
/* OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023). One hash then costs about 60-75 ms of
 * one core on an AMD EPYC virtual machine: unnoticeable when unlocking a share once, and
 * 600,000 HMAC computations per guess for anyone holding a stolen hash. */
#define SSYNC_PASSWORD_ITERATIONS 600000

char     *ssync_password_hash   (const char    *password,
                                 GError       **error);
gboolean  ssync_password_verify (const char    *password,
                                 const char    *encoded);

/* The bare key derivation, for the known-answer test; use hash() and verify() instead. */
gboolean  ssync_password_derive (const char    *password,
                                 const guint8  *salt,
                                 gsize          salt_len,
                                 guint          iterations,
                                 guint8        *out,
                                 gsize          out_len,
                                 GError       **error);

G_END_DECLS
