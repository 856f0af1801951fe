/* ssync-nearby-view.c: the window's Nearby page. Nearby starts the first time the page
 * shows (as a "desktop" device), not with the window: until then nothing is announced on
 * the network. Each time the page shows again it announces this computer once more, so that
 * devices that came since answer at once, and then every 30 s while it shows; while it is
 * hidden, nothing is announced but answers to other devices.
 * It shows "Looking for devices nearby…" until a device is seen, why it could not start
 * when it could not, and otherwise the devices seen, one SsyncDeviceRow each.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-device-row.h"
#include "ssync-nearby-send.h"
#include "ssync-nearby-view.h"

struct _SsyncNearbyView
{
  AdwBin parent_instance;

  SsyncSession *session;
  GCancellable *cancellable;
  GListModel *devices;  /* once started */
  gboolean starting;

  GtkStack *stack;            /* the bin's child */
  AdwStatusPage *error_page;
  GtkListBox *list_box;
  GtkLabel *me_label;
  GtkButton *look_again_button;
  GtkButton *list_look_again_button;
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SsyncNearbyView, ssync_nearby_view, ADW_TYPE_BIN)

static void
update_page (SsyncNearbyView *self)
{
  gboolean any = self->devices != NULL && g_list_model_get_n_items (self->devices) > 0;

  gtk_stack_set_visible_child_name (self->stack, any ? "devices" : "looking");
}

static void
show_error (SsyncNearbyView *self,
            const char      *message)
{
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  SsyncNearbyView *self = user_data;

  return ssync_device_row_new (self->session, item);
}

static void
show_devices (SsyncNearbyView *self)
{
  /* Grouped as the other side's receive prompt and device rows show it. */
  g_autofree char *short_fingerprint =
    ssync_device_short_fingerprint (ssync_session_get_nearby_fingerprint (self->session));
  g_autofree char *me = NULL;

  g_set_object (&self->devices, ssync_session_get_nearby_devices (self->session));
  gtk_list_box_bind_model (self->list_box, self->devices, create_row, self, NULL);
  g_signal_connect_object (self->devices, "items-changed", G_CALLBACK (update_page), self,
                           G_CONNECT_SWAPPED);
  /* TRANSLATORS: "Nearby devices see this computer as “Alice” (3F2A 9C1B 7D0E 4F5A)" */
  me = g_strdup_printf (_("Nearby devices see this computer as “%s” (%s)"),
                        ssync_session_get_nearby_alias (self->session), short_fingerprint);
  gtk_label_set_text (self->me_label, me);
  update_page (self);
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SsyncNearbyView) self = user_data;
  g_autoptr(GError) error = NULL;

  self->starting = FALSE;
  if (!ssync_session_start_nearby_finish (SSYNC_SESSION (source), result, &error) &&
      /* Already on (the command line's --discover asked first): show what it sees. */
      ssync_session_get_nearby_fingerprint (self->session) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  show_devices (self);
}

/* Starts Nearby if it is not on yet; the page shows what it sees once it is. The page does
 * this itself the first time it is shown. */
void
ssync_nearby_view_start (SsyncNearbyView *self)
{
  g_return_if_fail (SSYNC_IS_NEARBY_VIEW (self));

  if (self->starting || self->devices != NULL)
    return;
  if (!ssync_config_get_boolean (ssync_session_get_config (self->session), "nearby"))
    {
      show_error (self, _("Nearby is turned off for this run (SHARESYNC_NEARBY=0)"));
      return;
    }
  self->starting = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "looking");
  ssync_session_start_nearby_async (self->session, "desktop", self->cancellable, on_started,
                                    g_object_ref (self));
}

/* "looking" (nothing seen yet, or not started), "error" (could not start) or "devices". */
const char *
ssync_nearby_view_get_state (SsyncNearbyView *self)
{
  g_return_val_if_fail (SSYNC_IS_NEARBY_VIEW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* The row of the device with @fingerprint, if the page shows one. */
GtkWidget *
ssync_nearby_view_find_row (SsyncNearbyView *self,
                            const char      *fingerprint)
{
  g_return_val_if_fail (SSYNC_IS_NEARBY_VIEW (self), NULL);

  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, i);

      if (row == NULL)
        return NULL;
      if (g_strcmp0 (ssync_localsend_device_get_fingerprint (
                       ssync_device_row_get_device (SSYNC_DEVICE_ROW (row))), fingerprint) == 0)
        return GTK_WIDGET (row);
    }
}

static void
look_again (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SsyncNearbyView *self = SSYNC_NEARBY_VIEW (widget);

  if (self->devices != NULL)
    ssync_session_announce_nearby (self->session);
  else
    ssync_nearby_view_start (self);
}

static void
retry (GtkWidget  *widget,
       const char *action_name,
       GVariant   *parameter)
{
  ssync_nearby_view_start (SSYNC_NEARBY_VIEW (widget));
}

static void
on_map (SsyncNearbyView *self)
{
  ssync_session_set_nearby_periodic (self->session, TRUE);
  if (self->devices != NULL)
    ssync_session_announce_nearby (self->session);
  else if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "error") != 0)
    ssync_nearby_view_start (self);
}

static void
on_unmap (SsyncNearbyView *self)
{
  ssync_session_set_nearby_periodic (self->session, FALSE);
}

static void
set_accessible_label (GtkWidget  *widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_widget_get_tooltip_text (widget), -1);
}

static void
ssync_nearby_view_dispose (GObject *object)
{
  SsyncNearbyView *self = SSYNC_NEARBY_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_NEARBY_VIEW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->devices);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ssync_nearby_view_parent_class)->dispose (object);
}

static void
ssync_nearby_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SsyncNearbyView *self = SSYNC_NEARBY_VIEW (object);

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
ssync_nearby_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SsyncNearbyView *self = SSYNC_NEARBY_VIEW (object);

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
ssync_nearby_view_class_init (SsyncNearbyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ssync_nearby_view_dispose;
  object_class->get_property = ssync_nearby_view_get_property;
  object_class->set_property = ssync_nearby_view_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SSYNC_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/sharesync/ShareSync/"
                                               "ssync-nearby-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncNearbyView, error_page);
  gtk_widget_class_bind_template_child (widget_class, SsyncNearbyView, list_box);
  gtk_widget_class_bind_template_child (widget_class, SsyncNearbyView, me_label);
  gtk_widget_class_bind_template_child (widget_class, SsyncNearbyView, look_again_button);
  gtk_widget_class_bind_template_child (widget_class, SsyncNearbyView, list_look_again_button);
  gtk_widget_class_install_action (widget_class, "nearby.look-again", NULL, look_again);
  gtk_widget_class_install_action (widget_class, "nearby.retry", NULL, retry);
}

static void
ssync_nearby_view_init (SsyncNearbyView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Not a bound template child: AdwBin lets go of its child itself, after the template's
   * children are cleared. */
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));
  self->cancellable = g_cancellable_new ();

  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap), NULL);
  set_accessible_label (GTK_WIDGET (self->look_again_button), _("Look Again"));
  set_accessible_label (GTK_WIDGET (self->list_look_again_button), _("Look Again"));
}

SsyncNearbyView *
ssync_nearby_view_new (SsyncSession *session)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (session), NULL);

  return g_object_new (SSYNC_TYPE_NEARBY_VIEW, "session", session, NULL);
}
