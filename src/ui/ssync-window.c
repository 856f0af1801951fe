/* ssync-window.c: the main window. It shows the session's shares, one card each, or an
 * empty state; files dropped, pasted or chosen become a share at once. It only talks to
 * the session (DESIGN.md).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-history-view.h"
#include "ssync-receive-prompt.h"
#include "ssync-send-to-dialog.h"
#include "ssync-share-row.h"
#include "ssync-window-private.h"


enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SsyncWindow, ssync_window, ADW_TYPE_APPLICATION_WINDOW)

/* The longest message a toast shows whole in the window's narrowest width. */
#define MAX_TOAST_CHARS 60

/* What "win.toast" does: every widget in the window tells the user something this way. */
void
ssync_window_show_toast (SsyncWindow *self,
                         const char  *message)
{
  g_return_if_fail (SSYNC_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

void
ssync_window_show_error (SsyncWindow  *self,
                         const char   *what,
                         const GError *error)
{
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* TRANSLATORS: "Could not share: report.pdf: Permission denied" */
  message = g_strdup_printf (C_("error toast", "%s: %s"), what, error->message);
  /* A toast holds one short line: a longer message (a path, a server's words) would be cut,
   * so the toast says what failed and its button shows why in full. */
  if (g_utf8_strlen (message, -1) > MAX_TOAST_CHARS)
    {
      AdwToast *toast = adw_toast_new (what);

      adw_toast_set_button_label (toast, _("_Details"));
      adw_toast_set_action_name (toast, "win.error-details");
      adw_toast_set_action_target_value (toast, g_variant_new ("(ss)", what, error->message));
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }
  ssync_window_show_toast (self, message);
}

/* Tells the user through the desktop when they are looking elsewhere; the window itself
 * already shows everything. */
static void
notify_user (SsyncWindow   *self,
             const char    *id,
             GNotification *notification)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (gtk_window_is_active (GTK_WINDOW (self)))
    return;

  g_free (self->last_notification);
  self->last_notification = g_strdup (id);
  if (application != NULL)
    g_application_send_notification (G_APPLICATION (application), id, notification);
}

static SsyncShare *
find_share (SsyncWindow *self,
            const char  *share_id)
{
  GListModel *shares = ssync_session_get_shares (self->session);
  guint n = g_list_model_get_n_items (shares);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SsyncShare) share = g_list_model_get_item (shares, i);

      if (g_strcmp0 (ssync_share_get_id (share), share_id) == 0)
        return share;
    }
  return NULL;
}

/* A file that arrived gets a toast to open its folder; one that arrived or was downloaded
 * while the window is in the background also gets a notification. */
static void
on_transfer_done (SsyncTransfer *transfer,
                  SsyncWindow   *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;
  const char *name = ssync_transfer_get_file_name (transfer);
  const char *peer = ssync_transfer_get_peer (transfer);

  if (ssync_transfer_get_status (transfer) != SSYNC_TRANSFER_STATUS_COMPLETE)
    return;

  if (ssync_transfer_get_direction (transfer) == SSYNC_DIRECTION_UPLOAD)
    {
      SsyncShare *share = find_share (self, ssync_transfer_get_share_id (transfer));
      /* Not one of ours: a file fetched from another ShareSync's link. */
      GFile *folder = share != NULL ? ssync_share_get_folder (share) : self->fetch_folder;
      g_autofree char *message = NULL;
      AdwToast *toast;

      /* TRANSLATORS: "Received “report.pdf”" */
      message = g_strdup_printf (_("Received “%s”"), name);
      toast = adw_toast_new (message);
      if (folder != NULL)
        {
          g_autofree char *uri = g_file_get_uri (folder);

          adw_toast_set_button_label (toast, _("_Open Folder"));
          adw_toast_set_action_name (toast, "win.open-folder");
          adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
        }
      adw_toast_overlay_add_toast (self->toast_overlay, toast);

      /* TRANSLATORS: "Received “report.pdf” from 192.168.1.7" */
      title = g_strdup_printf (_("Received “%s” from %s"), name, peer);
    }
  else
    /* TRANSLATORS: "“report.pdf” was downloaded by 192.168.1.7" */
    title = g_strdup_printf (_("“%s” was downloaded by %s"), name, peer);

  id = g_strdup_printf ("transfer-%s", ssync_transfer_get_id (transfer));
  notification = g_notification_new (title);
  g_notification_set_body (notification, ssync_transfer_get_share_name (transfer));
  notify_user (self, id, notification);
}

static void
on_transfer_started (SsyncSession  *session,
                     SsyncTransfer *transfer,
                     SsyncWindow   *self)
{
  g_signal_connect_object (transfer, "finished", G_CALLBACK (on_transfer_done), self, 0);
}

static void
on_request_decided (SsyncUploadRequest *request,
                    SsyncWindow        *self)
{
  g_autofree char *id = g_strdup_printf ("upload-%s", ssync_upload_request_get_id (request));
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (application != NULL)
    g_application_withdraw_notification (G_APPLICATION (application), id);
}

/* A browser wants to send files and auto-accept is off: ask in the window, and through a
 * notification with the same two answers when the window is in the background. */
static void
on_upload_request (SsyncSession       *session,
                   SsyncUploadRequest *request,
                   SsyncWindow        *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = g_strdup_printf ("upload-%s", ssync_upload_request_get_id (request));
  g_autofree char *title = NULL;
  g_autofree char *summary = ssync_upload_request_dup_summary (request, 3);
  GVariant *target = g_variant_new_string (ssync_upload_request_get_id (request));

  ssync_alert_present (SSYNC_ALERT (ssync_receive_prompt_new (request)), GTK_WIDGET (self));

  /* TRANSLATORS: "192.168.1.7 wants to send you files" */
  title = g_strdup_printf (_("%s wants to send you files"),
                           ssync_upload_request_get_peer (request));
  notification = g_notification_new (title);
  g_notification_set_body (notification, summary);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_add_button_with_target_value (notification, _("Decline"), "app.decline-upload",
                                               target);
  g_notification_add_button_with_target_value (notification, _("Accept"), "app.accept-upload",
                                               target);
  g_signal_connect_object (request, "decided", G_CALLBACK (on_request_decided), self, 0);
  notify_user (self, id, notification);
}

static void
update_page (SsyncWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->cards)) > 0
                                    ? "shares" : "empty");
}

static void
on_share_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SsyncWindow) self = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;

  share = ssync_session_add_share_finish (SSYNC_SESSION (source), result, &error);
  if (share == NULL)
    ssync_window_show_error (self, _("Could not share"), error);
}

/* Shares @files as one share; the row appears once the session has looked them over.
 * Dropping, pasting, "Add Files" and files given on the command line all end here. */
void
ssync_window_share_files (SsyncWindow  *self,
                          GFile       **files,
                          guint         n_files)
{
  g_return_if_fail (SSYNC_IS_WINDOW (self));

  if (n_files == 0)
    return;

  ssync_session_add_share_async (self->session, files, n_files, self->cancellable,
                                 on_share_added, g_object_ref (self));
}

void
ssync_window_share_file_list (SsyncWindow *self,
                              GSList      *list)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  ssync_window_share_files (self, (GFile **) files->pdata, files->len);
}

void
ssync_window_share_list_model (SsyncWindow *self,
                               GListModel  *model)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (files, g_list_model_get_item (model, i));
  ssync_window_share_files (self, (GFile **) files->pdata, files->len);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SsyncWindow   *self)
{
  GdkFileList *list;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = g_value_get_boxed (value);
  {
    g_autoptr(GSList) files = gdk_file_list_get_files (list);

    if (files == NULL)
      return FALSE;
    ssync_window_share_file_list (self, files);
  }
  return TRUE;
}

/* The primary menu comes from the template; its last section gets "Preferences" here. */
static void
add_preferences_menu_item (SsyncWindow *self)
{
  GMenuModel *menu = gtk_menu_button_get_menu_model (self->menu_button);
  g_autoptr(GMenuModel) section = NULL;

  if (menu == NULL || g_menu_model_get_n_items (menu) == 0)
    return;
  section = g_menu_model_get_item_link (menu, g_menu_model_get_n_items (menu) - 1,
                                       G_MENU_LINK_SECTION);
  if (G_IS_MENU (section))
    g_menu_prepend (G_MENU (section), _("_Preferences"), "win.preferences");
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           SsyncWindow              *self)
{
  SsyncShareRow *row = ssync_share_row_new (self->session);

  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, GTK_WIDGET (row));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          SsyncWindow              *self)
{
  ssync_share_row_set_share (SSYNC_SHARE_ROW (gtk_list_item_get_child (item)),
                             gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            SsyncWindow              *self)
{
  ssync_share_row_set_share (SSYNC_SHARE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
set_accessible_label (GtkWidget  *widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_widget_get_tooltip_text (widget), -1);
}

/* The history is read again each time its page is shown, so it has what happened since. */
static void
on_page_changed (SsyncWindow *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "history") == 0)
    ssync_history_view_reload (self->history_view);
}

static void
ssync_window_constructed (GObject *object)
{
  SsyncWindow *self = SSYNC_WINDOW (object);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autofree char *base_url = ssync_session_dup_base_url (self->session);
  AdwViewStackPage *page;

  G_OBJECT_CLASS (ssync_window_parent_class)->constructed (object);

  ssync_window_setup_cards (self);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->cards)));

  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_row), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));

  g_signal_connect_object (self->cards, "items-changed", G_CALLBACK (update_page), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "transfer-started", G_CALLBACK (on_transfer_started),
                           self, 0);
  g_signal_connect_object (self->session, "upload-request", G_CALLBACK (on_upload_request),
                           self, 0);

  /* So is the Nearby page, which starts Nearby the first time it shows. */
  self->nearby_view = ssync_nearby_view_new (self->session);
  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->nearby_view), "nearby",
                                    _("_Nearby"));
  adw_view_stack_page_set_icon_name (page, "network-workgroup-symbolic");
  adw_view_stack_page_set_use_underline (page, TRUE);

  /* The history page is built here, not in the template: it needs the session's store. */
  self->history_view = ssync_history_view_new (ssync_session_get_history (self->session));
  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->history_view), "history",
                                    _("_History"));
  adw_view_stack_page_set_icon_name (page, "document-open-recent-symbolic");
  adw_view_stack_page_set_use_underline (page, TRUE);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (on_page_changed), self, G_CONNECT_SWAPPED);

  ssync_window_set_header_subtitle (self, base_url);
  update_page (self);
}

static void
ssync_window_dispose (GObject *object)
{
  SsyncWindow *self = SSYNC_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* The rows let go of their shares and transfers before the session goes. */
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  if (self->session != NULL)
    ssync_window_finish_cards (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ssync_window_parent_class)->dispose (object);
}

static void
ssync_window_finalize (GObject *object)
{
  SsyncWindow *self = SSYNC_WINDOW (object);

  g_free (self->last_notification);
  g_clear_object (&self->fetch_folder);

  G_OBJECT_CLASS (ssync_window_parent_class)->finalize (object);
}

static void
ssync_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SsyncWindow *self = SSYNC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SsyncWindow *self = SSYNC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_window_class_init (SsyncWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ssync_window_constructed;
  object_class->dispose = ssync_window_dispose;
  object_class->finalize = ssync_window_finalize;
  object_class->get_property = ssync_window_get_property;
  object_class->set_property = ssync_window_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SSYNC_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sharesync/ShareSync/ssync-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, receive_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, empty_add_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, empty_receive_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncWindow, menu_button);

  g_type_ensure (SSYNC_TYPE_SHARE_ROW);
}

static void
ssync_window_init (SsyncWindow *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));
  ssync_window_build_header (self);

  self->cancellable = g_cancellable_new ();

  ssync_window_add_actions (self);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  set_accessible_label (GTK_WIDGET (self->add_button), _("Add Files"));
  set_accessible_label (GTK_WIDGET (self->receive_button), _("Receive Files"));
  set_accessible_label (GTK_WIDGET (self->empty_add_button), _("Add Files"));
  set_accessible_label (GTK_WIDGET (self->empty_receive_button), _("Receive Files"));
  set_accessible_label (GTK_WIDGET (self->menu_button), _("Main Menu"));
  add_preferences_menu_item (self);
}

SsyncWindow *
ssync_window_new (GtkApplication *application,
                  SsyncSession   *session)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (SSYNC_IS_SESSION (session), NULL);

  return g_object_new (SSYNC_TYPE_WINDOW, "application", application, "session", session, NULL);
}

SsyncSession *
ssync_window_get_session (SsyncWindow *self)
{
  g_return_val_if_fail (SSYNC_IS_WINDOW (self), NULL);

  return self->session;
}

/* Whether the "drop files here" page shows, which it does exactly when nothing is shared. */
gboolean
ssync_window_is_empty_visible (SsyncWindow *self)
{
  g_return_val_if_fail (SSYNC_IS_WINDOW (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "empty") == 0;
}

/* The id of the last desktop notification the window sent ("upload-…", "transfer-…"), or
 * NULL: notifications only go out while the window is in the background. */
const char *
ssync_window_get_last_notification (SsyncWindow *self)
{
  g_return_val_if_fail (SSYNC_IS_WINDOW (self), NULL);

  return self->last_notification;
}

/* The Nearby page, shown (which starts Nearby the first time). */
SsyncNearbyView *
ssync_window_show_nearby (SsyncWindow *self)
{
  g_return_val_if_fail (SSYNC_IS_WINDOW (self), NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, "nearby");
  return self->nearby_view;
}

/* "Send To…" of a share card: Nearby starts if it has not, and the user picks a device. */
GtkWidget *
ssync_window_send_share_to (SsyncWindow *self,
                            const char  *share_id)
{
  SsyncShare *share;
  GtkWidget *dialog;

  g_return_val_if_fail (SSYNC_IS_WINDOW (self), NULL);

  share = find_share (self, share_id);
  if (share == NULL)
    return NULL;
  ssync_nearby_view_start (self->nearby_view);
  dialog = ssync_send_to_dialog_new (GTK_WINDOW (self), self->session, share);
  ssync_alert_present (SSYNC_ALERT (dialog), GTK_WIDGET (self));
  return dialog;
}

/* The history page, once it has been shown (it reads the store each time it is). */
SsyncHistoryView *
ssync_window_show_history (SsyncWindow *self)
{
  g_return_val_if_fail (SSYNC_IS_WINDOW (self), NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, "history");
  return self->history_view;
}
