/* ssync-tus-private.h: what the parts of SsyncTus share: ssync-tus.c (the object, its
 * uploads, HEAD, OPTIONS and DELETE), ssync-tus-create.c (POST) and ssync-tus-patch.c
 * (PATCH, streamed to disk).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-tus.h"

G_BEGIN_DECLS

/* How long a finished upload still answers HEAD (a client that missed the last answer). */
#define SSYNC_TUS_DONE_KEEP (10 * G_TIME_SPAN_MINUTE)

typedef struct {
  SsyncUpload *upload;
  SsyncShare *share;
  /* NULL for an upload restored after a restart, and finished when a PATCH failed: the next
   * PATCH then begins a new transfer from the upload's offset. */
  SsyncTransfer *transfer;
  char *metadata;
  char *address;   /* the client that created it */
  gint64 expires;  /* real time, microseconds */
  gint64 done_keep;  /* how long it stays once finished */
  gboolean busy;   /* a PATCH is writing */
  gboolean gone;   /* terminated or expired */
} SsyncTusEntry;

struct _SsyncTus
{
  GObject parent_instance;

  GHashTable *uploads;  /* id → SsyncTusEntry (refcounted box) */
  GHashTable *creating; /* address → number of creations not answered yet */
  guint n_creating;
  SsyncTusBeginTransfer begin_transfer;
  gpointer begin_transfer_data;
  SsyncUploadGate gate;
  gpointer gate_data;
  SsyncHistory *history;  /* lists every .part, so that a restart can resume it */
  guint64 max_size;
  gint64 expiry;
  guint cleanup_id;
};

SsyncTusEntry *ssync_tus_entry_ref          (SsyncTusEntry       *entry);
void           ssync_tus_entry_unref        (SsyncTusEntry       *entry);
void           ssync_tus_entry_done         (SsyncTusEntry       *entry);
SsyncTusEntry *ssync_tus_lookup             (SsyncTus            *self,
                                             SoupServerMessage   *msg,
                                             SsyncShare          *share,
                                             const char          *id);
void           ssync_tus_drop_entry         (SsyncTus            *self,
                                             SsyncTusEntry       *entry,
                                             SsyncTransferStatus  status,
                                             const char          *message);
void           ssync_tus_remember_upload    (SsyncTus            *self,
                                             SsyncTusEntry       *entry);
void           ssync_tus_forget_upload      (SsyncTus            *self,
                                             SsyncTusEntry       *entry);

gboolean       ssync_tus_is_patch           (SoupServerMessage   *msg);
gboolean       ssync_tus_check_version      (SoupServerMessage   *msg);
void           ssync_tus_set_headers        (SoupServerMessage   *msg);
void           ssync_tus_set_offset_headers (SoupServerMessage   *msg,
                                             SsyncTusEntry       *entry);
void           ssync_tus_error              (SoupServerMessage   *msg,
                                             guint                status,
                                             const char          *text);
char          *ssync_tus_http_date          (gint64               real_time);

/* ssync-tus-create.c */
void           ssync_tus_handle_create      (SsyncTus            *self,
                                             SoupServerMessage   *msg,
                                             SsyncShare          *share);
/* ssync-tus-patch.c */
void           ssync_tus_handle_patch       (SsyncTus            *self,
                                             SoupServerMessage   *msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncTusEntry, ssync_tus_entry_unref)

G_END_DECLS
