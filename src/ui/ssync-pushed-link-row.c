/* ssync-pushed-link-row.c: "report.pdf in the cloud", its pre-signed link, and a button that
 * copies the link. The push box lists one per item of the session's model
 * (ssync_session_get_pushed_links()).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-pushed-link-row.h"

struct _SsyncPushedLinkRow
{
  AdwActionRow parent_instance;

  SsyncPushedLink *link;

  GtkButton *copy_button;
};

enum {
  PROP_0,
  PROP_LINK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SsyncPushedLinkRow, ssync_pushed_link_row, ADW_TYPE_ACTION_ROW)

static void
copy_link (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  SsyncPushedLinkRow *self = SSYNC_PUSHED_LINK_ROW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          ssync_pushed_link_get_url (self->link));
  gtk_widget_activate_action (widget, "win.toast", "s", _("Cloud link copied"));
}

static void
ssync_pushed_link_row_constructed (GObject *object)
{
  SsyncPushedLinkRow *self = SSYNC_PUSHED_LINK_ROW (object);
  const char *file = ssync_pushed_link_get_file (self->link);
  g_autofree char *title = NULL;
  g_autofree char *tooltip = NULL;

  G_OBJECT_CLASS (ssync_pushed_link_row_parent_class)->constructed (object);

  /* TRANSLATORS: a row under a share: "report.pdf in the cloud" */
  title = g_strdup_printf (_("%s in the cloud"), file);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), ssync_pushed_link_get_url (self->link));

  /* TRANSLATORS: "Copy the cloud link of report.pdf" */
  tooltip = g_strdup_printf (_("Copy the cloud link of %s"), file);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->copy_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
ssync_pushed_link_row_dispose (GObject *object)
{
  SsyncPushedLinkRow *self = SSYNC_PUSHED_LINK_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SSYNC_TYPE_PUSHED_LINK_ROW);
  g_clear_object (&self->link);

  G_OBJECT_CLASS (ssync_pushed_link_row_parent_class)->dispose (object);
}

static void
ssync_pushed_link_row_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SsyncPushedLinkRow *self = SSYNC_PUSHED_LINK_ROW (object);

  switch (prop_id)
    {
    case PROP_LINK:
      g_value_set_object (value, self->link);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_pushed_link_row_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  SsyncPushedLinkRow *self = SSYNC_PUSHED_LINK_ROW (object);

  switch (prop_id)
    {
    case PROP_LINK:
      self->link = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_pushed_link_row_class_init (SsyncPushedLinkRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ssync_pushed_link_row_constructed;
  object_class->dispose = ssync_pushed_link_row_dispose;
  object_class->get_property = ssync_pushed_link_row_get_property;
  object_class->set_property = ssync_pushed_link_row_set_property;

  properties[PROP_LINK] =
    g_param_spec_object ("link", NULL, NULL, SSYNC_TYPE_PUSHED_LINK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/sharesync/ShareSync/ssync-pushed-link-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SsyncPushedLinkRow, copy_button);

  gtk_widget_class_install_action (widget_class, "link.copy", NULL, copy_link);
}

static void
ssync_pushed_link_row_init (SsyncPushedLinkRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ssync_pushed_link_row_new (SsyncPushedLink *link)
{
  g_return_val_if_fail (SSYNC_IS_PUSHED_LINK (link), NULL);

  return g_object_new (SSYNC_TYPE_PUSHED_LINK_ROW, "link", link, NULL);
}

SsyncPushedLink *
ssync_pushed_link_row_get_link (SsyncPushedLinkRow *self)
{
  g_return_val_if_fail (SSYNC_IS_PUSHED_LINK_ROW (self), NULL);

  return self->link;
}
