/* ssync-alert.c: AdwAlertDialog from libadwaita 1.5, AdwMessageDialog on Debian 12's 1.2.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include "ssync-alert.h"

/* Templates name Debian 12's parent; GtkBuilder wants the parent named exactly. */
#define OLD_PARENT "parent=\"AdwMessageDialog\""

/* Both names are pinned out of reach by ADW_VERSION_MIN_REQUIRED/MAX_ALLOWED on one stack or
 * the other: the newer one is not in 1.2, the older one is deprecated from 1.6. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
#if ADW_CHECK_VERSION (1, 5, 0)
GType
ssync_alert_get_type (void)
{
  return ADW_TYPE_ALERT_DIALOG;
}

void
ssync_alert_class_set_template (GtkWidgetClass *widget_class,
                                const char     *resource_path)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data (resource_path,
                                                     G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autoptr(GString) ui = g_string_new_len (g_bytes_get_data (bytes, NULL),
                                            (gssize) g_bytes_get_size (bytes));
  g_autoptr(GBytes) replaced = NULL;

  g_string_replace (ui, OLD_PARENT, "parent=\"AdwAlertDialog\"", 1);
  replaced = g_string_free_to_bytes (g_steal_pointer (&ui));
  gtk_widget_class_set_template (widget_class, replaced);
}

GtkWidget *
ssync_alert_new (const char *heading,
                 const char *body)
{
  return GTK_WIDGET (adw_alert_dialog_new (heading, body));
}

/* Shows @self inside the window of @parent (any widget in it, or NULL). */
void
ssync_alert_present (SsyncAlert *self,
                     GtkWidget  *parent)
{
  adw_dialog_present (ADW_DIALOG (self), parent);
}

void
ssync_alert_close (SsyncAlert *self)
{
  adw_dialog_close (ADW_DIALOG (self));
}

/* Answers @self as a click on @response would, except that it stays open. */
void
ssync_alert_response (SsyncAlert *self,
                      const char *response)
{
  g_signal_emit_by_name (self, "response", response);
}
#else
GType
ssync_alert_get_type (void)
{
  return ADW_TYPE_MESSAGE_DIALOG;
}

void
ssync_alert_class_set_template (GtkWidgetClass *widget_class,
                                const char     *resource_path)
{
  gtk_widget_class_set_template_from_resource (widget_class, resource_path);
}

GtkWidget *
ssync_alert_new (const char *heading,
                 const char *body)
{
  return adw_message_dialog_new (NULL, heading, body);
}

/* Shows @self over the window of @parent (any widget in it, or NULL). */
void
ssync_alert_present (SsyncAlert *self,
                     GtkWidget  *parent)
{
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (self));
}

void
ssync_alert_close (SsyncAlert *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* Answers @self as a click on @response would, except that it stays open. */
void
ssync_alert_response (SsyncAlert *self,
                      const char *response)
{
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), response);
}
#endif

/* The rest are the same call on either class. */
#if ADW_CHECK_VERSION (1, 5, 0)
#define ALERT_CALL(name, ...) adw_alert_dialog_##name (ADW_ALERT_DIALOG (self), __VA_ARGS__)
#define ALERT_GET(name) adw_alert_dialog_##name (ADW_ALERT_DIALOG (self))
#else
#define ALERT_CALL(name, ...) adw_message_dialog_##name (ADW_MESSAGE_DIALOG (self), __VA_ARGS__)
#define ALERT_GET(name) adw_message_dialog_##name (ADW_MESSAGE_DIALOG (self))
#endif

const char *
ssync_alert_get_heading (SsyncAlert *self)
{
  return ALERT_GET (get_heading);
}

void
ssync_alert_set_heading (SsyncAlert *self,
                         const char *heading)
{
  ALERT_CALL (set_heading, heading);
}

const char *
ssync_alert_get_body (SsyncAlert *self)
{
  return ALERT_GET (get_body);
}

void
ssync_alert_set_body (SsyncAlert *self,
                      const char *body)
{
  ALERT_CALL (set_body, body);
}

GtkWidget *
ssync_alert_get_extra_child (SsyncAlert *self)
{
  return ALERT_GET (get_extra_child);
}

void
ssync_alert_set_extra_child (SsyncAlert *self,
                             GtkWidget  *child)
{
  ALERT_CALL (set_extra_child, child);
}

void
ssync_alert_add_response (SsyncAlert *self,
                          const char *id,
                          const char *label)
{
  ALERT_CALL (add_response, id, label);
}

gboolean
ssync_alert_has_response (SsyncAlert *self,
                          const char *id)
{
  return ALERT_CALL (has_response, id);
}

void
ssync_alert_set_response_appearance (SsyncAlert            *self,
                                     const char            *id,
                                     AdwResponseAppearance  appearance)
{
  ALERT_CALL (set_response_appearance, id, appearance);
}

gboolean
ssync_alert_get_response_enabled (SsyncAlert *self,
                                  const char *id)
{
  return ALERT_CALL (get_response_enabled, id);
}

void
ssync_alert_set_response_enabled (SsyncAlert *self,
                                  const char *id,
                                  gboolean    enabled)
{
  ALERT_CALL (set_response_enabled, id, enabled);
}

const char *
ssync_alert_get_default_response (SsyncAlert *self)
{
  return ALERT_GET (get_default_response);
}

void
ssync_alert_set_default_response (SsyncAlert *self,
                                  const char *id)
{
  ALERT_CALL (set_default_response, id);
}

void
ssync_alert_set_close_response (SsyncAlert *self,
                                const char *id)
{
  ALERT_CALL (set_close_response, id);
}
G_GNUC_END_IGNORE_DEPRECATIONS
