/* ssync-upload-gatekeeper.c: asks before uploads start, unless the user chose auto-accept.
 *
 * Each sender (address) gets one request per receive share. Files offered while it is open
 * join it, so a folder is one question. Once accepted, that sender's further files go
 * straight in for as long as the share lives; once declined, the files still queued in the
 * sender's page are refused without asking again for DECLINE_MEMORY, after which a new offer
 * asks anew. A question nobody answers is declined after ANSWER_TIMEOUT, so that no upload
 * waits forever.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-upload-gatekeeper.h"

#define DECLINE_MEMORY (60 * G_USEC_PER_SEC)
#define ANSWER_TIMEOUT 300

typedef struct {
  SsyncUploadGatekeeper *self;  /* not owned */
  SsyncUploadRequest *request;
  guint timeout_id;
  gulong decided_id;
} Pending;

struct _SsyncUploadGatekeeper
{
  GObject parent_instance;

  gboolean auto_accept;
  guint answer_timeout;  /* seconds */
  GHashTable *requests;  /* "share id\npeer" → Pending */
};

enum {
  REQUEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SsyncUploadGatekeeper, ssync_upload_gatekeeper, G_TYPE_OBJECT)

static void
pending_free (Pending *pending)
{
  g_clear_handle_id (&pending->timeout_id, g_source_remove);
  g_clear_signal_handler (&pending->decided_id, pending->request);
  g_clear_object (&pending->request);
  g_free (pending);
}

static void
ssync_upload_gatekeeper_dispose (GObject *object)
{
  SsyncUploadGatekeeper *self = SSYNC_UPLOAD_GATEKEEPER (object);

  /* Uploads still waiting are refused rather than left hanging. */
  if (self->requests != NULL)
    ssync_upload_gatekeeper_forget_share (self, NULL);
  g_clear_pointer (&self->requests, g_hash_table_unref);

  G_OBJECT_CLASS (ssync_upload_gatekeeper_parent_class)->dispose (object);
}

static void
ssync_upload_gatekeeper_class_init (SsyncUploadGatekeeperClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_upload_gatekeeper_dispose;

  /* A new question for the user: a SsyncUploadRequest that is pending. */
  signals[REQUEST] =
    g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SSYNC_TYPE_UPLOAD_REQUEST);
}

static void
ssync_upload_gatekeeper_init (SsyncUploadGatekeeper *self)
{
  self->auto_accept = TRUE;
  self->answer_timeout = ANSWER_TIMEOUT;
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) pending_free);
}

SsyncUploadGatekeeper *
ssync_upload_gatekeeper_new (void)
{
  return g_object_new (SSYNC_TYPE_UPLOAD_GATEKEEPER, NULL);
}

/* How long a question waits for an answer before the upload is declined (seconds). */
void
ssync_upload_gatekeeper_set_answer_timeout (SsyncUploadGatekeeper *self,
                                            guint                  seconds)
{
  g_return_if_fail (SSYNC_IS_UPLOAD_GATEKEEPER (self));
  g_return_if_fail (seconds > 0);

  self->answer_timeout = seconds;
}

void
ssync_upload_gatekeeper_set_auto_accept (SsyncUploadGatekeeper *self,
                                         gboolean               auto_accept)
{
  g_return_if_fail (SSYNC_IS_UPLOAD_GATEKEEPER (self));

  self->auto_accept = !!auto_accept;
}

gboolean
ssync_upload_gatekeeper_get_auto_accept (SsyncUploadGatekeeper *self)
{
  g_return_val_if_fail (SSYNC_IS_UPLOAD_GATEKEEPER (self), TRUE);

  return self->auto_accept;
}

static gboolean
on_answer_timeout (gpointer user_data)
{
  Pending *pending = user_data;

  pending->timeout_id = 0;
  g_message ("Nobody answered whether to accept files from %s: declined",
             ssync_upload_request_get_peer (pending->request));
  ssync_upload_request_decline (pending->request);
  return G_SOURCE_REMOVE;
}

static void
on_decided (SsyncUploadRequest *request,
            Pending            *pending)
{
  g_clear_handle_id (&pending->timeout_id, g_source_remove);
}

/* An SsyncUploadGate: NULL lets the upload start; otherwise the request it waits for. */
SsyncUploadRequest *
ssync_upload_gatekeeper_ask (SsyncShare *share,
                             const char *peer,
                             const char *user_agent,
                             const char *path,
                             guint64     length,
                             gpointer    user_data)
{
  SsyncUploadGatekeeper *self = user_data;
  g_autofree char *key = NULL;
  Pending *pending;

  if (self->auto_accept || peer == NULL)
    return NULL;

  key = g_strdup_printf ("%s\n%s", ssync_share_get_id (share), peer);
  pending = g_hash_table_lookup (self->requests, key);
  if (pending != NULL)
    {
      SsyncUploadRequest *request = pending->request;

      switch (ssync_upload_request_get_state (request))
        {
        case SSYNC_UPLOAD_REQUEST_PENDING:
          ssync_upload_request_add_file (request, path, length);
          return g_object_ref (request);
        case SSYNC_UPLOAD_REQUEST_ACCEPTED:
          return g_object_ref (request);
        case SSYNC_UPLOAD_REQUEST_DECLINED:
        default:
          if (g_get_monotonic_time () - ssync_upload_request_get_decided (request) <
              DECLINE_MEMORY)
            return g_object_ref (request);
          break;
        }
    }

  pending = g_new0 (Pending, 1);
  pending->self = self;
  pending->request = ssync_upload_request_new (share, peer, user_agent);
  ssync_upload_request_add_file (pending->request, path, length);
  pending->decided_id = g_signal_connect (pending->request, "decided", G_CALLBACK (on_decided),
                                          pending);
  pending->timeout_id = g_timeout_add_seconds (self->answer_timeout, on_answer_timeout, pending);
  g_hash_table_replace (self->requests, g_steal_pointer (&key), pending);

  g_signal_emit (self, signals[REQUEST], 0, pending->request);
  return g_object_ref (pending->request);
}

/* Asks the user about a whole set of files at once (a LocalSend session: @request lists
 * them all): the same question as a browser's, with the same timeout, but never merged with
 * another sender's nor remembered once decided. Auto-accept does not apply: whoever calls
 * decides that. The caller listens for "decided". */
void
ssync_upload_gatekeeper_ask_request (SsyncUploadGatekeeper *self,
                                     SsyncUploadRequest    *request)
{
  Pending *pending;

  g_return_if_fail (SSYNC_IS_UPLOAD_GATEKEEPER (self));
  g_return_if_fail (SSYNC_IS_UPLOAD_REQUEST (request));

  pending = g_new0 (Pending, 1);
  pending->self = self;
  pending->request = g_object_ref (request);
  pending->decided_id = g_signal_connect (request, "decided", G_CALLBACK (on_decided), pending);
  pending->timeout_id = g_timeout_add_seconds (self->answer_timeout, on_answer_timeout, pending);
  /* Keyed by the request itself: one question per session, found by its id. */
  g_hash_table_replace (self->requests,
                        g_strdup_printf ("request\n%s", ssync_upload_request_get_id (request)),
                        pending);
  g_signal_emit (self, signals[REQUEST], 0, request);
}

/* The request with this id, still known, or NULL (for notification buttons). */
SsyncUploadRequest *
ssync_upload_gatekeeper_lookup (SsyncUploadGatekeeper *self,
                                const char            *id)
{
  GHashTableIter iter;
  Pending *pending;

  g_return_val_if_fail (SSYNC_IS_UPLOAD_GATEKEEPER (self), NULL);

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &pending))
    if (g_strcmp0 (ssync_upload_request_get_id (pending->request), id) == 0)
      return pending->request;
  return NULL;
}

/* The share ended (NULL: every share, at shutdown): its open questions are declined and its
 * senders forgotten. */
void
ssync_upload_gatekeeper_forget_share (SsyncUploadGatekeeper *self,
                                      SsyncShare            *share)
{
  GHashTableIter iter;
  Pending *pending;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (SSYNC_IS_UPLOAD_GATEKEEPER (self));

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &pending))
    if (share == NULL || ssync_upload_request_get_share (pending->request) == share)
      {
        g_ptr_array_add (gone, g_object_ref (pending->request));
        g_hash_table_iter_remove (&iter);
      }
  for (guint i = 0; i < gone->len; i++)
    ssync_upload_request_decline (g_ptr_array_index (gone, i));
}
