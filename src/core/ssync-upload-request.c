/* ssync-upload-request.c: files a browser wants to send, waiting for a yes or no.
 *
 * One request gathers every file one sender (address) offers to one receive share while the
 * question is open, so the user answers once for a whole folder. Whoever asks (the server,
 * holding each tus creation) listens for "decided"; whoever answers (the window, a
 * notification, a timeout in the session) calls accept or decline once.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-token.h"
#include "ssync-upload-request.h"

struct _SsyncUploadRequest
{
  GObject parent_instance;

  char *id;
  SsyncShare *share;
  char *peer;
  char *user_agent;
  GPtrArray *names;
  guint64 total_size;
  SsyncUploadRequestState state;
  gint64 decided;
  char *fingerprint;        /* NULL for a browser */
  char *device_type;        /* LocalSend's "mobile", "desktop"...; NULL for a browser */
  SsyncDeviceTrust trust;
  gboolean verified;
  SsyncDeviceTrust remember;
};

enum {
  PROP_0,
  PROP_N_FILES,
  PROP_TOTAL_SIZE,
  PROP_STATE,
  N_PROPS
};

enum {
  DECIDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SsyncUploadRequest, ssync_upload_request, G_TYPE_OBJECT)

static void
ssync_upload_request_finalize (GObject *object)
{
  SsyncUploadRequest *self = SSYNC_UPLOAD_REQUEST (object);

  g_clear_object (&self->share);
  g_free (self->id);
  g_free (self->peer);
  g_free (self->user_agent);
  g_free (self->fingerprint);
  g_free (self->device_type);
  g_ptr_array_unref (self->names);

  G_OBJECT_CLASS (ssync_upload_request_parent_class)->finalize (object);
}

static void
ssync_upload_request_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SsyncUploadRequest *self = SSYNC_UPLOAD_REQUEST (object);

  switch (prop_id)
    {
    case PROP_N_FILES:
      g_value_set_uint (value, self->names->len);
      break;
    case PROP_TOTAL_SIZE:
      g_value_set_uint64 (value, self->total_size);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_upload_request_class_init (SsyncUploadRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ssync_upload_request_finalize;
  object_class->get_property = ssync_upload_request_get_property;

  properties[PROP_N_FILES] =
    g_param_spec_uint ("n-files", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL_SIZE] =
    g_param_spec_uint64 ("total-size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, SSYNC_UPLOAD_REQUEST_PENDING,
                      SSYNC_UPLOAD_REQUEST_DECLINED, SSYNC_UPLOAD_REQUEST_PENDING,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted once, when the request is accepted or declined. */
  signals[DECIDED] =
    g_signal_new ("decided", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ssync_upload_request_init (SsyncUploadRequest *self)
{
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->remember = SSYNC_DEVICE_TRUST_SEEN;
}

SsyncUploadRequest *
ssync_upload_request_new (SsyncShare *share,
                          const char *peer,
                          const char *user_agent)
{
  SsyncUploadRequest *self;

  g_return_val_if_fail (SSYNC_IS_SHARE (share), NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  self = g_object_new (SSYNC_TYPE_UPLOAD_REQUEST, NULL);
  self->id = ssync_token_new ();
  self->share = g_object_ref (share);
  self->peer = g_strdup (peer);
  self->user_agent = g_strdup (user_agent);
  return self;
}

const char *
ssync_upload_request_get_id (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), NULL);

  return self->id;
}

SsyncShare *
ssync_upload_request_get_share (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), NULL);

  return self->share;
}

const char *
ssync_upload_request_get_peer (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), NULL);

  return self->peer;
}

const char *
ssync_upload_request_get_user_agent (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), NULL);

  return self->user_agent;
}

/* One more file the sender offers; a file offered again (a retry) is not counted twice. */
void
ssync_upload_request_add_file (SsyncUploadRequest *self,
                               const char         *name,
                               guint64             size)
{
  g_return_if_fail (SSYNC_IS_UPLOAD_REQUEST (self));
  g_return_if_fail (name != NULL);

  for (guint i = 0; i < self->names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->names, i), name) == 0)
      return;

  g_ptr_array_add (self->names, g_strdup (name));
  self->total_size += size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FILES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_SIZE]);
}

guint
ssync_upload_request_get_n_files (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), 0);

  return self->names->len;
}

const char *
ssync_upload_request_get_file_name (SsyncUploadRequest *self,
                                    guint               index)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), NULL);
  g_return_val_if_fail (index < self->names->len, NULL);

  return g_ptr_array_index (self->names, index);
}

guint64
ssync_upload_request_get_total_size (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), 0);

  return self->total_size;
}

/* "report.pdf, notes.txt and 3 more (12.5 MB)", for a prompt or a notification. */
char *
ssync_upload_request_dup_summary (SsyncUploadRequest *self,
                                  guint               max_names)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *size = NULL;
  guint shown;

  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), NULL);

  shown = MIN (self->names->len, MAX (max_names, 1));
  for (guint i = 0; i < shown; i++)
    {
      if (i > 0)
        g_string_append (names, _(", "));
      g_string_append_printf (names, "“%s”", (const char *) g_ptr_array_index (self->names, i));
    }
  size = g_format_size (self->total_size);
  if (self->names->len > shown)
    {
      guint more = self->names->len - shown;

      /* TRANSLATORS: "“a.pdf”, “b.txt” and 3 more (12.5 MB)" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s and %u more (%s)",
                                           "%s and %u more (%s)", more),
                              names->str, more, size);
    }
  /* TRANSLATORS: "“a.pdf”, “b.txt” (12.5 MB)" */
  return g_strdup_printf (_("%s (%s)"), names->str, size);
}

SsyncUploadRequestState
ssync_upload_request_get_state (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), SSYNC_UPLOAD_REQUEST_DECLINED);

  return self->state;
}

/* When it was accepted or declined (monotonic µs), 0 while pending. */
gint64
ssync_upload_request_get_decided (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), 0);

  return self->decided;
}

static void
decide (SsyncUploadRequest      *self,
        SsyncUploadRequestState  state,
        SsyncDeviceTrust         remember)
{
  /* The first answer counts: a notification clicked after the dialog was answered is late. */
  if (self->state != SSYNC_UPLOAD_REQUEST_PENDING)
    return;

  self->state = state;
  self->remember = remember;
  self->decided = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[DECIDED], 0);
}

void
ssync_upload_request_accept (SsyncUploadRequest *self)
{
  g_return_if_fail (SSYNC_IS_UPLOAD_REQUEST (self));

  decide (self, SSYNC_UPLOAD_REQUEST_ACCEPTED, SSYNC_DEVICE_TRUST_SEEN);
}

void
ssync_upload_request_decline (SsyncUploadRequest *self)
{
  g_return_if_fail (SSYNC_IS_UPLOAD_REQUEST (self));

  decide (self, SSYNC_UPLOAD_REQUEST_DECLINED, SSYNC_DEVICE_TRUST_SEEN);
}

/* Set by the session before it asks; @fingerprint and @device_type are what the device
 * announced, @trust what the user decided about that fingerprint before, @verified whether
 * the device proved (by a TLS handshake) that it holds that fingerprint's key. */
void
ssync_upload_request_set_device (SsyncUploadRequest *self,
                                 const char         *fingerprint,
                                 const char         *device_type,
                                 SsyncDeviceTrust    trust,
                                 gboolean            verified)
{
  g_return_if_fail (SSYNC_IS_UPLOAD_REQUEST (self));

  g_free (self->fingerprint);
  self->fingerprint = g_strdup (fingerprint);
  g_free (self->device_type);
  self->device_type = g_strdup (device_type);
  self->trust = trust;
  self->verified = verified;
}

/* The fingerprint the sending device announced, NULL for a browser. */
const char *
ssync_upload_request_get_fingerprint (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), NULL);

  return self->fingerprint;
}

/* The type the sending device announced ("mobile", "desktop"...), NULL for a browser. */
const char *
ssync_upload_request_get_device_type (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), NULL);

  return self->device_type;
}

SsyncDeviceTrust
ssync_upload_request_get_device_trust (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), SSYNC_DEVICE_TRUST_UNKNOWN);

  return self->trust;
}

gboolean
ssync_upload_request_get_verified (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), FALSE);

  return self->verified;
}

/* Accepts, and asks the session to take this device's files without asking from now on. */
void
ssync_upload_request_accept_always (SsyncUploadRequest *self)
{
  g_return_if_fail (SSYNC_IS_UPLOAD_REQUEST (self));

  decide (self, SSYNC_UPLOAD_REQUEST_ACCEPTED, SSYNC_DEVICE_TRUST_TRUSTED);
}

/* Declines, and asks the session to refuse this device's files without asking from now on. */
void
ssync_upload_request_block (SsyncUploadRequest *self)
{
  g_return_if_fail (SSYNC_IS_UPLOAD_REQUEST (self));

  decide (self, SSYNC_UPLOAD_REQUEST_DECLINED, SSYNC_DEVICE_TRUST_BLOCKED);
}

/* What the answer asks to remember about the device: TRUSTED (accept_always), BLOCKED
 * (block), or SEEN for a plain accept or decline, which keeps no decision. */
SsyncDeviceTrust
ssync_upload_request_get_remember (SsyncUploadRequest *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_REQUEST (self), SSYNC_DEVICE_TRUST_SEEN);

  return self->remember;
}
