/* ssync-types.h: forward typedefs and enums shared by every layer.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _SsyncFileEntry SsyncFileEntry;
typedef struct _SsyncHistory SsyncHistory;
typedef struct _SsyncRegistry SsyncRegistry;
typedef struct _SsyncShare SsyncShare;
typedef struct _SsyncTransfer SsyncTransfer;

typedef enum {
  SSYNC_SHARE_KIND_SEND,
  SSYNC_SHARE_KIND_RECEIVE,
} SsyncShareKind;

typedef enum {
  SSYNC_SHARE_STATE_ACTIVE,
  SSYNC_SHARE_STATE_EXPIRED,
  SSYNC_SHARE_STATE_EXHAUSTED,
  SSYNC_SHARE_STATE_REVOKED,
} SsyncShareState;

typedef enum {
  SSYNC_DIRECTION_DOWNLOAD,
  SSYNC_DIRECTION_UPLOAD,
} SsyncDirection;

/* How the bytes travel; stored in the history as the nick ("file", "zip", ...). */
typedef enum {
  SSYNC_TRANSFER_KIND_FILE,
  SSYNC_TRANSFER_KIND_ZIP,
  SSYNC_TRANSFER_KIND_UPLOAD,
  SSYNC_TRANSFER_KIND_WEBRTC,
  SSYNC_TRANSFER_KIND_PUSH,
  SSYNC_TRANSFER_KIND_LOCALSEND,  /* to or from a nearby device over LocalSend's API */
  SSYNC_TRANSFER_KIND_HTTP,       /* --fetch's fast path: another app's share over HTTP */
} SsyncTransferKind;

typedef enum {
  SSYNC_TRANSFER_STATUS_ACTIVE,
  SSYNC_TRANSFER_STATUS_COMPLETE,
  SSYNC_TRANSFER_STATUS_INCOMPLETE,
  SSYNC_TRANSFER_STATUS_FAILED,
  SSYNC_TRANSFER_STATUS_CANCELLED,
} SsyncTransferStatus;

/* What the user decided about a nearby device, by its fingerprint; stored in the history as the
 * number, printed as the nick. */
typedef enum {
  SSYNC_DEVICE_TRUST_UNKNOWN,  /* never seen */
  SSYNC_DEVICE_TRUST_SEEN,     /* asked before, no decision kept */
  SSYNC_DEVICE_TRUST_TRUSTED,  /* its files are taken without asking, once it proved its key */
  SSYNC_DEVICE_TRUST_BLOCKED,  /* its files are refused without asking */
} SsyncDeviceTrust;

GType ssync_share_kind_get_type (void);
GType ssync_direction_get_type (void);
GType ssync_transfer_kind_get_type (void);
GType ssync_transfer_status_get_type (void);
GType ssync_device_trust_get_type (void);

#define SSYNC_TYPE_SHARE_KIND (ssync_share_kind_get_type ())
#define SSYNC_TYPE_DIRECTION (ssync_direction_get_type ())
#define SSYNC_TYPE_TRANSFER_KIND (ssync_transfer_kind_get_type ())
#define SSYNC_TYPE_TRANSFER_STATUS (ssync_transfer_status_get_type ())
#define SSYNC_TYPE_DEVICE_TRUST (ssync_device_trust_get_type ())

/* The lower-case nick of an enum value ("download", "complete"), as stored and printed. */
const char *ssync_enum_to_nick (GType enum_type, int value);
int ssync_enum_from_nick (GType enum_type, const char *nick, int fallback);

G_END_DECLS
