/* ssync-transfer.c: a transfer's identity, byte count and outcome.
 *
 * Whoever moves the bytes calls add_bytes() and finish() once; observers watch
 * notify::bytes for progress and the "finished" signal for the outcome.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include "ssync-token.h"
#include "ssync-transfer.h"

struct _SsyncTransfer
{
  GObject parent_instance;

  char *id;
  char *share_id;
  char *share_name;
  char *file_name;
  SsyncDirection direction;
  SsyncTransferKind kind;
  char *peer;
  char *user_agent;
  gint64 started;
  gint64 finished;
  guint64 bytes;
  guint64 total;
  guint64 offset;
  SsyncTransferStatus status;
  char *message;
  char *sha256;
  char *saved_as;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (SsyncTransfer, ssync_transfer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BYTES,
  PROP_STATUS,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
ssync_transfer_finalize (GObject *object)
{
  SsyncTransfer *self = SSYNC_TRANSFER (object);

  g_free (self->id);
  g_free (self->share_id);
  g_free (self->share_name);
  g_free (self->file_name);
  g_free (self->peer);
  g_free (self->user_agent);
  g_free (self->message);
  g_free (self->sha256);
  g_free (self->saved_as);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ssync_transfer_parent_class)->finalize (object);
}

static void
ssync_transfer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SsyncTransfer *self = SSYNC_TRANSFER (object);

  switch (prop_id)
    {
    case PROP_BYTES:
      g_value_set_uint64 (value, self->bytes);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_transfer_class_init (SsyncTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ssync_transfer_finalize;
  object_class->get_property = ssync_transfer_get_property;

  properties[PROP_BYTES] =
    g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, SSYNC_TYPE_TRANSFER_STATUS,
                       SSYNC_TRANSFER_STATUS_ACTIVE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ssync_transfer_init (SsyncTransfer *self)
{
  self->cancellable = g_cancellable_new ();
}

SsyncTransfer *
ssync_transfer_new (const char        *share_id,
                    const char        *share_name,
                    const char        *file_name,
                    SsyncDirection     direction,
                    SsyncTransferKind  kind,
                    const char        *peer_address,
                    const char        *user_agent,
                    guint64            total)
{
  SsyncTransfer *self = g_object_new (SSYNC_TYPE_TRANSFER, NULL);

  self->id = ssync_token_new ();
  self->share_id = g_strdup (share_id);
  self->share_name = g_strdup (share_name);
  self->file_name = g_strdup (file_name);
  self->direction = direction;
  self->kind = kind;
  self->peer = g_strdup (peer_address);
  self->user_agent = g_strdup (user_agent);
  self->total = total;
  self->started = g_get_real_time ();
  self->status = SSYNC_TRANSFER_STATUS_ACTIVE;

  return self;
}

const char *
ssync_transfer_get_id (SsyncTransfer *self)
{
  return self->id;
}

const char *
ssync_transfer_get_share_id (SsyncTransfer *self)
{
  return self->share_id;
}

const char *
ssync_transfer_get_share_name (SsyncTransfer *self)
{
  return self->share_name;
}

const char *
ssync_transfer_get_file_name (SsyncTransfer *self)
{
  return self->file_name;
}

SsyncDirection
ssync_transfer_get_direction (SsyncTransfer *self)
{
  return self->direction;
}

SsyncTransferKind
ssync_transfer_get_kind (SsyncTransfer *self)
{
  return self->kind;
}

const char *
ssync_transfer_get_peer (SsyncTransfer *self)
{
  return self->peer;
}

const char *
ssync_transfer_get_user_agent (SsyncTransfer *self)
{
  return self->user_agent;
}

/* Microseconds since the epoch. */
gint64
ssync_transfer_get_started (SsyncTransfer *self)
{
  return self->started;
}

/* Microseconds since the epoch, or 0 while active. */
gint64
ssync_transfer_get_finished (SsyncTransfer *self)
{
  return self->finished;
}

/* Bytes moved by this transfer (not counting a resumed download's skipped @offset). */
guint64
ssync_transfer_get_bytes (SsyncTransfer *self)
{
  return self->bytes;
}

/* Bytes this transfer should move when it completes. */
guint64
ssync_transfer_get_total (SsyncTransfer *self)
{
  return self->total;
}

/* Where in the file a ranged or resumed transfer starts. */
guint64
ssync_transfer_get_offset (SsyncTransfer *self)
{
  return self->offset;
}

void
ssync_transfer_set_offset (SsyncTransfer *self,
                           guint64        offset)
{
  self->offset = offset;
}

SsyncTransferStatus
ssync_transfer_get_status (SsyncTransfer *self)
{
  return self->status;
}

/* Why a transfer failed, in words for the user; NULL when it did not. */
const char *
ssync_transfer_get_message (SsyncTransfer *self)
{
  return self->message;
}

void
ssync_transfer_add_bytes (SsyncTransfer *self,
                          guint64        n)
{
  g_return_if_fail (SSYNC_IS_TRANSFER (self));

  if (n == 0 || self->status != SSYNC_TRANSFER_STATUS_ACTIVE)
    return;

  self->bytes += n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES]);
}

/* Only the first call counts: a transfer ends once. */
void
ssync_transfer_finish (SsyncTransfer       *self,
                       SsyncTransferStatus  status,
                       const char          *message)
{
  g_return_if_fail (SSYNC_IS_TRANSFER (self));
  g_return_if_fail (status != SSYNC_TRANSFER_STATUS_ACTIVE);

  if (self->status != SSYNC_TRANSFER_STATUS_ACTIVE)
    return;

  self->status = status;
  self->message = g_strdup (message);
  self->finished = g_get_real_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_signal_emit (self, signals[FINISHED], 0);
}

/* What an upload produced: the SHA-256 of its bytes and the name it was saved under. Set
 * before finish(). */
void
ssync_transfer_set_result (SsyncTransfer *self,
                           const char    *sha256,
                           const char    *saved_as)
{
  g_return_if_fail (SSYNC_IS_TRANSFER (self));

  g_free (self->sha256);
  self->sha256 = g_strdup (sha256);
  g_free (self->saved_as);
  self->saved_as = g_strdup (saved_as);
}

const char *
ssync_transfer_get_sha256 (SsyncTransfer *self)
{
  return self->sha256;
}

const char *
ssync_transfer_get_saved_as (SsyncTransfer *self)
{
  return self->saved_as;
}

/* Cancelled when the transfer must stop (its share was revoked or ShareSync is quitting);
 * whoever moves the bytes watches it, cuts the connection and finishes as cancelled. */
GCancellable *
ssync_transfer_get_cancellable (SsyncTransfer *self)
{
  return self->cancellable;
}
