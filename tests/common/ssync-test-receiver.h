/* ssync-test-receiver.h: a small in-process LocalSend receiver for the sending tests: a
 * SoupServer with its own TLS identity that answers info, prepare-upload, upload and cancel,
 * hashes uploads as they arrive (never keeping them), and can decline, be busy, ask for a
 * PIN, lie in its answers or show another certificate.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-listener.h"
#include "ssync-tls-identity.h"

G_BEGIN_DECLS

/* The session id the receiver hands out; tokens are "tok-" and the file id. */
#define SSYNC_TEST_RECEIVER_SESSION "S1"

typedef struct {
  SsyncTlsIdentity *identity;
  SoupServer *server;
  SsyncListener *listener;       /* stops the server safely mid-handshake (libsoup 3.6) */
  guint port;
  /* How it behaves; the tests set these. */
  guint prepare_status;          /* SOUP_STATUS_OK to accept */
  const char *pin;               /* required when set */
  const char *info_fingerprint;  /* what info says; NULL: the certificate's */
  const char *info_answer;       /* said instead of the real info */
  const char *prepare_answer;    /* said instead of the real answer; "bad-token": the right
                                  * ids with tokens that are no strings */
  guint64 cancel_after;          /* cancels @cancel once this many bytes arrived; 0: never */
  GCancellable *cancel;
  /* What it saw. */
  GHashTable *names;             /* file id → fileName, from prepare-upload */
  GHashTable *received;          /* fileName → SHA-256 of what arrived whole */
  GChecksum *checksum;
  guint64 got;
  guint cancels;
  guint64 rss_max;               /* this process's VmRSS while uploads arrived, in KiB */
} SsyncTestReceiver;

SsyncTestReceiver *ssync_test_receiver_new  (const char        *dir);
void               ssync_test_receiver_free (SsyncTestReceiver *receiver);
guint64            ssync_test_rss_kib       (void);

G_END_DECLS
