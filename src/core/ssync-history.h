/* ssync-history.h: the history store (SQLite): shares, transfers and the nearby
 * devices the user decided about.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "ssync-types.h"

G_BEGIN_DECLS

/* The schema version this build writes (PRAGMA user_version). */
#define SSYNC_HISTORY_SCHEMA_VERSION 6

typedef struct {
  char *id;
  char *share_id;
  char *share_name;
  char *file_name;
  SsyncDirection direction;
  SsyncTransferKind kind;
  char *peer;
  char *user_agent;
  gint64 started;   /* microseconds since the epoch */
  gint64 finished;  /* microseconds since the epoch, 0 while active */
  guint64 bytes;
  guint64 total;
  guint64 offset;
  SsyncTransferStatus status;
  char *message;
  char *sha256;    /* of what arrived (uploads) */
  char *saved_as;  /* the name an upload was saved under */
} SsyncTransferRecord;

void ssync_transfer_record_free (SsyncTransferRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncTransferRecord, ssync_transfer_record_free)

/* Totals of one share's completed transfers. */
typedef struct {
  char *share_id;
  char *share_name;
  guint64 downloads;
  guint64 uploads;
  guint64 bytes_sent;
  guint64 bytes_received;
} SsyncShareTotals;

void ssync_share_totals_free (SsyncShareTotals *totals);

/* One file pushed to an S3 bucket. Status is "uploading", "pushed", "failed" or "deleted".
 * The pre-signed link is not kept: it is a credential of its own. */
typedef struct {
  char *id;
  char *share_id;
  char *file_name;
  char *endpoint;
  char *bucket;
  char *object_key;
  guint64 size;
  gint64 pushed;    /* microseconds since the epoch */
  gint64 expires;   /* microseconds since the epoch: the link ends, the object is deleted */
  char *status;
  char *message;
} SsyncPushRecord;

void ssync_push_record_free (SsyncPushRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncPushRecord, ssync_push_record_free)

/* One unfinished upload, as the store knows it: the .part it writes (@part_name, in the folder
 * of @path inside the receive folder @folder) and what a restart needs to resume it. */
typedef struct {
  char *id;           /* the upload's id in its URL */
  char *share_token;  /* the receive share it came through */
  char *folder;       /* the receive folder (an absolute path) */
  char *path;         /* sanitised, '/' separated, relative to @folder */
  char *part_name;
  guint64 length;
  char *metadata;     /* Upload-Metadata as the client sent it */
  gint64 created;     /* microseconds since the epoch */
  gint64 expires;     /* microseconds since the epoch */
} SsyncUploadRecord;

void ssync_upload_record_free (SsyncUploadRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncUploadRecord, ssync_upload_record_free)

/* A nearby device the user was asked about, by its fingerprint (uppercase hex), and what was
 * decided. */
typedef struct {
  char *fingerprint;
  char *alias;
  char *device_type;
  SsyncDeviceTrust trust;
  gint64 first_seen;  /* microseconds since the epoch */
  gint64 last_seen;   /* microseconds since the epoch */
} SsyncDeviceRecord;

SsyncDeviceRecord *ssync_device_record_copy (const SsyncDeviceRecord *record);
void ssync_device_record_free (SsyncDeviceRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncDeviceRecord, ssync_device_record_free)

#define SSYNC_TYPE_HISTORY (ssync_history_get_type ())

G_DECLARE_FINAL_TYPE (SsyncHistory, ssync_history, SSYNC, HISTORY, GObject)

SsyncHistory *ssync_history_open               (const char     *path,
                                                GError        **error);
int           ssync_history_get_schema_version (SsyncHistory   *self);
void          ssync_history_record_share       (SsyncHistory   *self,
                                                const char     *share_id,
                                                const char     *name,
                                                SsyncShareKind  kind,
                                                guint           n_files,
                                                guint64         total_size,
                                                gint64          created);
void          ssync_history_record_transfer    (SsyncHistory   *self,
                                                SsyncTransfer  *transfer);
void          ssync_history_record_push        (SsyncHistory          *self,
                                                const SsyncPushRecord *record);
GPtrArray    *ssync_history_list_pushes        (SsyncHistory   *self,
                                                const char     *share_id,
                                                gint64          expired_before,
                                                GError        **error);
void          ssync_history_record_upload      (SsyncHistory            *self,
                                                const SsyncUploadRecord *record);
void          ssync_history_forget_upload      (SsyncHistory   *self,
                                                const char     *upload_id);
GPtrArray    *ssync_history_list_uploads       (SsyncHistory   *self,
                                                const char     *folder,
                                                GError        **error);
void          ssync_history_record_device      (SsyncHistory            *self,
                                                const SsyncDeviceRecord *record);
GPtrArray    *ssync_history_list_devices       (SsyncHistory   *self,
                                                GError        **error);
void          ssync_history_forget_before      (SsyncHistory   *self,
                                                gint64          before);
void          ssync_history_flush              (SsyncHistory   *self);
gboolean      ssync_history_check              (SsyncHistory   *self);
GPtrArray    *ssync_history_list_totals        (SsyncHistory   *self,
                                                GError        **error);
GPtrArray    *ssync_history_list_transfers     (SsyncHistory   *self,
                                                const char     *share_id,
                                                GError        **error);

/* The connection, for read queries in other core files (ssync-history-query.c) only. It is
 * shared with the writer thread: hold sqlite3_db_mutex (db) from the first prepare to the last
 * sqlite3_errmsg(), and never write through it. */
struct sqlite3;
struct sqlite3 *ssync_history_get_db           (SsyncHistory   *self);

G_END_DECLS
