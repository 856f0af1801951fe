/* ssync-types.c: enum types.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include "ssync-types.h"

#define DEFINE_ENUM(TypeName, type_name, ...)                                       \
  GType type_name##_get_type (void)                                                 \
  {                                                                                 \
    static gsize type_id = 0;                                                       \
    static const GEnumValue values[] = { __VA_ARGS__, { 0, NULL, NULL } };          \
    if (g_once_init_enter (&type_id))                                               \
      g_once_init_leave (&type_id, g_enum_register_static (#TypeName, values));     \
    return type_id;                                                                 \
  }

DEFINE_ENUM (SsyncShareKind, ssync_share_kind,
             { SSYNC_SHARE_KIND_SEND, "SSYNC_SHARE_KIND_SEND", "send" },
             { SSYNC_SHARE_KIND_RECEIVE, "SSYNC_SHARE_KIND_RECEIVE", "receive" })

DEFINE_ENUM (SsyncDirection, ssync_direction,
             { SSYNC_DIRECTION_DOWNLOAD, "SSYNC_DIRECTION_DOWNLOAD", "download" },
             { SSYNC_DIRECTION_UPLOAD, "SSYNC_DIRECTION_UPLOAD", "upload" })

DEFINE_ENUM (SsyncTransferKind, ssync_transfer_kind,
             { SSYNC_TRANSFER_KIND_FILE, "SSYNC_TRANSFER_KIND_FILE", "file" },
             { SSYNC_TRANSFER_KIND_ZIP, "SSYNC_TRANSFER_KIND_ZIP", "zip" },
             { SSYNC_TRANSFER_KIND_UPLOAD, "SSYNC_TRANSFER_KIND_UPLOAD", "upload" },
             { SSYNC_TRANSFER_KIND_WEBRTC, "SSYNC_TRANSFER_KIND_WEBRTC", "webrtc" },
             { SSYNC_TRANSFER_KIND_PUSH, "SSYNC_TRANSFER_KIND_PUSH", "push" },
             { SSYNC_TRANSFER_KIND_LOCALSEND, "SSYNC_TRANSFER_KIND_LOCALSEND", "localsend" },
             { SSYNC_TRANSFER_KIND_HTTP, "SSYNC_TRANSFER_KIND_HTTP", "http" })

DEFINE_ENUM (SsyncTransferStatus, ssync_transfer_status,
             { SSYNC_TRANSFER_STATUS_ACTIVE, "SSYNC_TRANSFER_STATUS_ACTIVE", "active" },
             { SSYNC_TRANSFER_STATUS_COMPLETE, "SSYNC_TRANSFER_STATUS_COMPLETE", "complete" },
             { SSYNC_TRANSFER_STATUS_INCOMPLETE, "SSYNC_TRANSFER_STATUS_INCOMPLETE", "incomplete" },
             { SSYNC_TRANSFER_STATUS_FAILED, "SSYNC_TRANSFER_STATUS_FAILED", "failed" },
             { SSYNC_TRANSFER_STATUS_CANCELLED, "SSYNC_TRANSFER_STATUS_CANCELLED", "cancelled" })

DEFINE_ENUM (SsyncDeviceTrust, ssync_device_trust,
             { SSYNC_DEVICE_TRUST_UNKNOWN, "SSYNC_DEVICE_TRUST_UNKNOWN", "unknown" },
             { SSYNC_DEVICE_TRUST_SEEN, "SSYNC_DEVICE_TRUST_SEEN", "seen" },
             { SSYNC_DEVICE_TRUST_TRUSTED, "SSYNC_DEVICE_TRUST_TRUSTED", "trusted" },
             { SSYNC_DEVICE_TRUST_BLOCKED, "SSYNC_DEVICE_TRUST_BLOCKED", "blocked" })

const char *
ssync_enum_to_nick (GType enum_type,
                    int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *ev = g_enum_get_value (klass, value);

  return ev != NULL ? ev->value_nick : "unknown";
}

int
ssync_enum_from_nick (GType       enum_type,
                      const char *nick,
                      int         fallback)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *ev = nick != NULL ? g_enum_get_value_by_nick (klass, nick) : NULL;

  return ev != NULL ? ev->value : fallback;
}
