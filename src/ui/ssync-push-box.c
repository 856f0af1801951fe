/* ssync-push-box.c: pushing a share to the S3 bucket from its card, and the links that come
 * back.
 *
 * The links are the session's (ssync_session_get_pushed_links()), not the box's: the list
 * view recycles its cards, and a card scrolled away and back must still show them.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-alert.h"
#include "ssync-error.h"
#include "ssync-push-box.h"
#include "ssync-pushed-link-row.h"

struct _SsyncPushBox
{
  AdwBin parent_instance;

  SsyncSession *session;
  SsyncShare *share;
  GListModel *links;        /* the shown share's SsyncPushedLink */
  gulong links_changed_id;
  SsyncShare *pushing;      /* the share being pushed from this box, if any */
  SsyncShare *waiting;      /* the share whose push waits for the answer about its bucket */
  GCancellable *cancellable;

  GtkProgressBar *progress;
  GtkListBox *links_box;
};

G_DEFINE_FINAL_TYPE (SsyncPushBox, ssync_push_box, ADW_TYPE_BIN)

static void
toast (SsyncPushBox *self,
       const char   *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

static GtkWidget *
create_link_row (gpointer item,
                 gpointer user_data)
{
  return ssync_pushed_link_row_new (item);
}

static void
update_links_visible (SsyncPushBox *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->links_box),
                          self->links != NULL && g_list_model_get_n_items (self->links) > 0);
}

static void
on_progress (SsyncPusher  *pusher,
             SsyncShare   *share,
             const char   *file,
             guint64       bytes,
             guint64       total,
             SsyncPushBox *self)
{
  g_autofree char *done = g_format_size (bytes);
  g_autofree char *all = g_format_size (total);
  g_autofree char *text = NULL;

  if (share != self->share)
    return;

  /* TRANSLATORS: "Pushing report.pdf to the cloud: 3.2 MB of 10.0 MB" */
  text = g_strdup_printf (_("Pushing %s to the cloud: %s of %s"), file, done, all);
  gtk_progress_bar_set_text (self->progress, text);
  gtk_progress_bar_set_fraction (self->progress, total > 0 ? MIN (1.0, (double) bytes / total)
                                                           : 1.0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
}

static void ssync_push_box_push_share (SsyncPushBox *self,
                                       SsyncShare   *share);

/* The share whose push waits for its bucket. */
typedef struct {
  SsyncPushBox *box;
  SsyncShare *share;
} Waiting;

static void
waiting_free (Waiting *waiting)
{
  g_object_unref (waiting->box);
  g_object_unref (waiting->share);
  g_free (waiting);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Waiting, waiting_free)

static void
on_bucket_created (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(Waiting) waiting = user_data;
  SsyncPushBox *self = waiting->box;
  g_autoptr(GError) error = NULL;

  if (!ssync_pusher_create_bucket_finish (SSYNC_PUSHER (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not create the bucket: %s"),
                                                  error->message);

      toast (self, message);
      return;
    }
  ssync_push_box_push_share (self, waiting->share);
}

static void
on_create_bucket_response (SsyncAlert   *dialog,
                           const char   *response,
                           SsyncPushBox *self)
{
  /* Taken once: closing the dialog after "create" answers "cancel" too. */
  g_autoptr(SsyncShare) share = g_steal_pointer (&self->waiting);
  Waiting *waiting;

  if (share == NULL || g_strcmp0 (response, "create") != 0)
    return;

  waiting = g_new0 (Waiting, 1);
  waiting->box = g_object_ref (self);
  waiting->share = g_steal_pointer (&share);
  ssync_pusher_create_bucket_async (ssync_session_get_pusher (self->session), self->cancellable,
                                    on_bucket_created, waiting);
}

/* S3 said the bucket does not exist: offer to create it, then push again. A plain question
 * with two answers, so a message dialog made here rather than a template. */
static void
offer_bucket (SsyncPushBox *self,
              SsyncShare   *share,
              const GError *error)
{
  GtkWidget *dialog;

  dialog = ssync_alert_new (_("Create the Bucket?"), error->message);
  ssync_alert_add_response (SSYNC_ALERT (dialog), "cancel", _("_Cancel"));
  ssync_alert_add_response (SSYNC_ALERT (dialog), "create", _("C_reate and Push"));
  ssync_alert_set_response_appearance (SSYNC_ALERT (dialog), "create", ADW_RESPONSE_SUGGESTED);
  ssync_alert_set_close_response (SSYNC_ALERT (dialog), "cancel");
  g_set_object (&self->waiting, share);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_create_bucket_response), self, 0);
  ssync_alert_present (SSYNC_ALERT (dialog), GTK_WIDGET (self));
}

static void
on_share_pushed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SsyncPushBox) self = user_data;
  g_autoptr(SsyncShare) share = g_steal_pointer (&self->pushing);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  if (ssync_session_push_share_finish (SSYNC_SESSION (source), result, &error))
    {
      /* TRANSLATORS: %s is the name of a share */
      message = g_strdup_printf (_("“%s” is in the cloud: its links work anywhere"),
                                 ssync_share_get_name (share));
      toast (self, message);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_NO_BUCKET))
    {
      offer_bucket (self, share, error);
      return;
    }
  /* A setting or the secret key is missing: the window offers the way to fill it in. */
  if (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_NOT_CONFIGURED))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.cloud-not-set-up", NULL);
      return;
    }
  /* TRANSLATORS: "Could not push to the cloud: the secret key was rejected by …" */
  message = g_strdup_printf (_("Could not push to the cloud: %s"), error->message);
  toast (self, message);
}

static void
ssync_push_box_push_share (SsyncPushBox *self,
                           SsyncShare   *share)
{
  gint64 lifetime = 0;

  /* The cloud links end with the share when it has an end; S3 caps them at 7 days. */
  if (ssync_share_get_expires (share) > 0)
    lifetime = MAX (1, (ssync_share_get_expires (share) - g_get_real_time ()) / G_USEC_PER_SEC);

  g_set_object (&self->pushing, share);
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, _("Pushing to the cloud…"));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
  ssync_session_push_share_async (self->session, share, lifetime, self->cancellable,
                                  on_share_pushed, g_object_ref (self));
}

/* Pushes the shown share; its links appear below the card as each file arrives. */
void
ssync_push_box_push (SsyncPushBox *self)
{
  g_return_if_fail (SSYNC_IS_PUSH_BOX (self));

  if (self->share == NULL)
    return;
  if (self->pushing != NULL)
    {
      toast (self, _("This share is being pushed already"));
      return;
    }
  ssync_push_box_push_share (self, self->share);
}

static void
on_pushed_deleted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SsyncPushBox) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (ssync_session_delete_pushed_finish (SSYNC_SESSION (source), result, &error))
    {
      toast (self, _("Deleted from the cloud: its links no longer work"));
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      message = g_strdup_printf (_("Could not delete from the cloud: %s"), error->message);
      toast (self, message);
    }
}

/* Deletes the shown share's objects from the bucket now; the session drops their links once
 * they are gone. */
void
ssync_push_box_delete (SsyncPushBox *self)
{
  g_return_if_fail (SSYNC_IS_PUSH_BOX (self));

  if (self->share == NULL)
    return;
  ssync_session_delete_pushed_async (self->session, self->share, self->cancellable,
                                     on_pushed_deleted, g_object_ref (self));
}

/* The links of the shown share (SsyncPushedLink), or NULL without one. */
GListModel *
ssync_push_box_get_links (SsyncPushBox *self)
{
  g_return_val_if_fail (SSYNC_IS_PUSH_BOX (self), NULL);

  return self->links;
}

void
ssync_push_box_set_share (SsyncPushBox *self,
                          SsyncShare   *share)
{
  g_return_if_fail (SSYNC_IS_PUSH_BOX (self));

  if (!g_set_object (&self->share, share))
    return;

  if (self->links != NULL)
    g_clear_signal_handler (&self->links_changed_id, self->links);
  g_clear_object (&self->links);
  if (share != NULL)
    {
      self->links = g_object_ref (ssync_session_get_pushed_links (self->session, share));
      self->links_changed_id =
        g_signal_connect_object (self->links, "items-changed",
                                 G_CALLBACK (update_links_visible), self, G_CONNECT_SWAPPED);
    }

  /* Runs during dispose too, when the template children may be gone already. */
  if (self->links_box == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  gtk_list_box_bind_model (self->links_box, self->links,
                           self->links != NULL ? create_link_row : NULL, NULL, NULL);
  update_links_visible (self);
}

static void
ssync_push_box_dispose (GObject *object)
{
  SsyncPushBox *self = SSYNC_PUSH_BOX (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  ssync_push_box_set_share (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_PUSH_BOX);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pushing);
  g_clear_object (&self->waiting);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ssync_push_box_parent_class)->dispose (object);
}

static void
ssync_push_box_class_init (SsyncPushBoxClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = ssync_push_box_dispose;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/sharesync/ShareSync/ssync-push-box.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncPushBox, progress);
  gtk_widget_class_bind_template_child (widget_class, SsyncPushBox, links_box);
}

static void
ssync_push_box_init (SsyncPushBox *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

SsyncPushBox *
ssync_push_box_new (SsyncSession *session)
{
  SsyncPushBox *self;

  g_return_val_if_fail (SSYNC_IS_SESSION (session), NULL);

  self = g_object_new (SSYNC_TYPE_PUSH_BOX, NULL);
  self->session = g_object_ref (session);
  g_signal_connect_object (ssync_session_get_pusher (session), "progress",
                           G_CALLBACK (on_progress), self, 0);
  return self;
}
