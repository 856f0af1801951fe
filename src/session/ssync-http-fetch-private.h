/* ssync-http-fetch-private.h: what the listing half (ssync-http-fetch.c) and the file half
 * (ssync-http-fetch-file.c) of SsyncHttpFetch share, and its listing's check
 * (ssync-http-fetch-listing.c).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "ssync-http-fetch.h"
#include "ssync-transfer.h"
#include "ssync-upload.h"

G_BEGIN_DECLS

/* Chunks of a file held at once: one being read while the others are written and hashed,
 * so that neither the network, the disk nor the hash waits for another. */
#define SSYNC_FETCH_BUFFERS 4

/* One file of the listing, checked: @path is sanitised and stays inside the folder. */
typedef struct {
  SsyncHttpFetch *fetch;    /* not owned: the run keeps it alive */
  char *id;
  char *path;
  char *url_name;           /* the name as the other app has it, for the file's URL */
  guint64 size;
  char *sha256;             /* lower-case hex, or NULL when the other app has not hashed it */
  SsyncTransfer *transfer;
  SsyncUpload *upload;      /* the .part, once created */
  GInputStream *body;
  gboolean reading;         /* a read of the body is in flight */
  guint writing;            /* chunks on their way to the .part */
  guint8 *buffers[SSYNC_FETCH_BUFFERS];  /* a ring: one filled by reads, the rest written */
  gsize buffer_size;
  guint fill;               /* the index of the buffer being filled */
  gsize filled;             /* bytes in it */
  guint64 accepted;         /* bytes of the file read: written or being written */
  gboolean body_ended;      /* the answer's body ended */
  char *broken;             /* why the connection broke: the file resumes once idle */
  GError *failure;          /* ends the file once no read or write is in flight */
  char *etag;               /* of the first answer: a resume must splice the same file */
  guint resumes;
  gboolean deleting;        /* the .part is being removed */
  gboolean deleted;
  gboolean ending;          /* over: the run hears of it once the .part is gone */
  GError *ending_error;
} SsyncFetchFile;

struct _SsyncHttpFetch
{
  GObject parent_instance;

  char *origin;             /* scheme://host:port of the link */
  char *token;
  GFile *folder;
  SoupSession *soup;
  GTask *task;
  GCancellable *cancellable;  /* ours: cancelled by the caller's or by the first failure */
  GCancellable *outer;
  gulong outer_id;
  char *share_id;
  char *share_name;
  GPtrArray *files;         /* SsyncFetchFile */
  guint next;               /* index of the next file to start */
  guint running;            /* files started and not yet cleaned up */
  guint n_files;            /* files that arrived complete */
  GError *error;            /* the first failure */
};

/* A listing of SSYNC_HTTP_FETCH_MAX_FILES long paths fits in this many bytes. */
#define SSYNC_HTTP_FETCH_MAX_LISTING (16 * 1024 * 1024)

GError  *ssync_http_fetch_lying         (const char     *what);
gboolean ssync_http_fetch_parse_listing (SsyncHttpFetch *self,
                                         GBytes         *body,
                                         GError        **error);
void ssync_fetch_file_free  (SsyncFetchFile *file);
void ssync_fetch_file_start (SsyncFetchFile *file);
void ssync_fetch_file_abort (SsyncFetchFile *file);
void ssync_http_fetch_file_ended (SsyncHttpFetch *self,
                                  SsyncFetchFile *file,
                                  GError         *error);

G_END_DECLS
