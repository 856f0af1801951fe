/* ssync-push-box.c: pushing a share to the S3 bucket from its card, and the links that come
 * back.
 *
 * The links of a share are kept on the share itself (object data), not in the box: the list
 * view recycles its rows, and a card scrolled away and back must still show them. They are
 * UI state only; the session keeps no link (a pre-signed link is a credential).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-push-box.h"
#include "ssync-s3-client.h"

#define LINKS_KEY "ssync-ui-pushed-links"

struct _SsyncPushBox
{
  AdwBin parent_instance;

  SsyncSession *session;
  SsyncShare *share;
  GtkProgressBar *progress;
  GtkListBox *links_box;
  GCancellable *cancellable;
};

enum {
  TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SsyncPushBox, ssync_push_box, ADW_TYPE_BIN)

static void
toast (SsyncPushBox *self,
       const char   *message)
{
  g_signal_emit (self, signals[TOAST], 0, message);
}

/* "file\nurl" items, one per pushed file, newest last. */
static GtkStringList *
links_of (SsyncShare *share,
          gboolean    create)
{
  GtkStringList *links = g_object_get_data (G_OBJECT (share), LINKS_KEY);

  if (links == NULL && create)
    {
      links = gtk_string_list_new (NULL);
      g_object_set_data_full (G_OBJECT (share), LINKS_KEY, links, g_object_unref);
    }
  return links;
}

static void
on_copy_clicked (GtkButton    *button,
                 SsyncPushBox *self)
{
  const char *url = g_object_get_data (G_OBJECT (button), "ssync-url");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), url);
  toast (self, _("Cloud link copied"));
}

static GtkWidget *
create_link_row (gpointer item,
                 gpointer user_data)
{
  SsyncPushBox *self = user_data;
  const char *text = gtk_string_object_get_string (item);
  const char *newline = strchr (text, '\n');
  g_autofree char *file = g_strndup (text, newline - text);
  g_autofree char *title = NULL;
  g_autofree char *tooltip = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");

  /* TRANSLATORS: a row under a share: "report.pdf in the cloud" */
  title = g_strdup_printf (_("%s in the cloud"), file);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), newline + 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);

  /* TRANSLATORS: "Copy the cloud link of report.pdf" */
  tooltip = g_strdup_printf (_("Copy the cloud link of %s"), file);
  gtk_widget_set_tooltip_text (copy, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (copy), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (copy, "flat");
  g_object_set_data_full (G_OBJECT (copy), "ssync-url", g_strdup (newline + 1), g_free);
  g_signal_connect_object (copy, "clicked", G_CALLBACK (on_copy_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy);
  return row;
}

static void
update_links_visible (SsyncPushBox *self)
{
  GtkStringList *links = self->share != NULL ? links_of (self->share, FALSE) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->links_box),
                          links != NULL &&
                          g_list_model_get_n_items (G_LIST_MODEL (links)) > 0);
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

static void
on_pushed (SsyncPusher  *pusher,
           SsyncShare   *share,
           const char   *file,
           const char   *key,
           const char   *url,
           gint64        expires,
           SsyncPushBox *self)
{
  g_autofree char *item = g_strdup_printf ("%s\n%s", file, url);

  gtk_string_list_append (links_of (share, TRUE), item);
  if (share == self->share)
    update_links_visible (self);
}

static void
bind_links (SsyncPushBox *self)
{
  GtkStringList *links = self->share != NULL ? links_of (self->share, TRUE) : NULL;

  gtk_list_box_bind_model (self->links_box, G_LIST_MODEL (links),
                           links != NULL ? create_link_row : NULL, self, NULL);
  update_links_visible (self);
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
  SsyncShare *share = waiting->share;
  g_autoptr(GError) error = NULL;

  if (!ssync_pusher_create_bucket_finish (SSYNC_PUSHER (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not create the bucket: %s"),
                                                  error->message);

      toast (self, message);
      return;
    }
  ssync_push_box_push_share (self, share);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
on_create_bucket_response (AdwMessageDialog *dialog,
                           const char       *response,
                           SsyncPushBox     *self)
{
  /* Taken once: closing the dialog after "create" answers "cancel" too. */
  g_autoptr(SsyncShare) share = g_object_steal_data (G_OBJECT (self), "ssync-waiting-share");
  Waiting *waiting;

  if (share == NULL || g_strcmp0 (response, "create") != 0)
    return;

  waiting = g_new0 (Waiting, 1);
  waiting->box = g_object_ref (self);
  waiting->share = g_steal_pointer (&share);
  ssync_pusher_create_bucket_async (ssync_session_get_pusher (self->session), self->cancellable,
                                    on_bucket_created, waiting);
}

/* S3 said the bucket does not exist: offer to create it, then push again. */
static void
offer_bucket (SsyncPushBox *self,
              SsyncShare   *share,
              const GError *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Create the Bucket?"), error->message);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "create", _("C_reate and Push"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (self), "ssync-waiting-share", g_object_ref (share),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_create_bucket_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

G_GNUC_END_IGNORE_DEPRECATIONS

static void
on_share_pushed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SsyncPushBox) self = user_data;
  g_autoptr(SsyncShare) share = g_object_steal_data (G_OBJECT (self), "ssync-pushing-share");
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
  if (g_error_matches (error, SSYNC_S3_ERROR, SSYNC_S3_ERROR_NO_SUCH_BUCKET))
    {
      offer_bucket (self, share, error);
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

  g_object_set_data_full (G_OBJECT (self), "ssync-pushing-share", g_object_ref (share),
                          g_object_unref);
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
  if (g_object_get_data (G_OBJECT (self), "ssync-pushing-share") != NULL)
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

/* Deletes the shown share's objects from the bucket now. */
void
ssync_push_box_delete (SsyncPushBox *self)
{
  GtkStringList *links;

  g_return_if_fail (SSYNC_IS_PUSH_BOX (self));

  if (self->share == NULL)
    return;
  links = links_of (self->share, FALSE);
  if (links != NULL)
    gtk_string_list_splice (links, 0, g_list_model_get_n_items (G_LIST_MODEL (links)), NULL);
  update_links_visible (self);
  ssync_session_delete_pushed_async (self->session, self->share, self->cancellable,
                                     on_pushed_deleted, g_object_ref (self));
}

GListModel *
ssync_push_box_get_links (SsyncPushBox *self)
{
  g_return_val_if_fail (SSYNC_IS_PUSH_BOX (self), NULL);

  return self->share != NULL ? G_LIST_MODEL (links_of (self->share, TRUE)) : NULL;
}

void
ssync_push_box_set_share (SsyncPushBox *self,
                          SsyncShare   *share)
{
  g_return_if_fail (SSYNC_IS_PUSH_BOX (self));

  if (!g_set_object (&self->share, share))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  bind_links (self);
}

static void
ssync_push_box_dispose (GObject *object)
{
  SsyncPushBox *self = SSYNC_PUSH_BOX (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->links_box != NULL)
    gtk_list_box_bind_model (self->links_box, NULL, NULL, NULL, NULL);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->share);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ssync_push_box_parent_class)->dispose (object);
}

static void
ssync_push_box_class_init (SsyncPushBoxClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_push_box_dispose;

  /* A message for the window's toast overlay. */
  signals[TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ssync_push_box_init (SsyncPushBox *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  self->cancellable = g_cancellable_new ();
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pushing to the cloud"), -1);
  self->links_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->links_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->links_box), "boxed-list");
  gtk_widget_set_visible (GTK_WIDGET (self->links_box), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->links_box));
  adw_bin_set_child (ADW_BIN (self), box);
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
  g_signal_connect_object (ssync_session_get_pusher (session), "pushed",
                           G_CALLBACK (on_pushed), self, 0);
  return self;
}
