/* ssync-alert.h: the alerts' version-dependent half. libadwaita 1.5 has AdwAlertDialog, shown
 * inside its window, and 1.6 deprecates Debian 12's AdwMessageDialog, a window of its own;
 * their API is otherwise the same. Every alert goes through these, so the version check lives
 * here and not beside each dialog.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
#if ADW_CHECK_VERSION (1, 5, 0)
typedef AdwAlertDialog SsyncAlert;
typedef AdwAlertDialogClass SsyncAlertClass;
#else
typedef AdwMessageDialog SsyncAlert;
typedef AdwMessageDialogClass SsyncAlertClass;
#endif
G_GNUC_END_IGNORE_DEPRECATIONS

/* For G_DECLARE_FINAL_TYPE (..., SsyncAlert) in the alerts built from templates. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SsyncAlert, g_object_unref)

#define SSYNC_TYPE_ALERT (ssync_alert_get_type ())
#define SSYNC_ALERT(obj) (G_TYPE_CHECK_INSTANCE_CAST ((obj), SSYNC_TYPE_ALERT, SsyncAlert))
#define SSYNC_IS_ALERT(obj) (G_TYPE_CHECK_INSTANCE_TYPE ((obj), SSYNC_TYPE_ALERT))

GType       ssync_alert_get_type                (void) G_GNUC_CONST;
void        ssync_alert_class_set_template      (GtkWidgetClass         *widget_class,
                                                 const char             *resource_path);
GtkWidget  *ssync_alert_new                     (const char             *heading,
                                                 const char             *body);
void        ssync_alert_present                 (SsyncAlert             *self,
                                                 GtkWidget              *parent);
void        ssync_alert_close                   (SsyncAlert             *self);
void        ssync_alert_response                (SsyncAlert             *self,
                                                 const char             *response);
const char *ssync_alert_get_heading             (SsyncAlert             *self);
void        ssync_alert_set_heading             (SsyncAlert             *self,
                                                 const char             *heading);
const char *ssync_alert_get_body                (SsyncAlert             *self);
void        ssync_alert_set_body                (SsyncAlert             *self,
                                                 const char             *body);
GtkWidget  *ssync_alert_get_extra_child         (SsyncAlert             *self);
void        ssync_alert_set_extra_child         (SsyncAlert             *self,
                                                 GtkWidget              *child);
void        ssync_alert_add_response            (SsyncAlert             *self,
                                                 const char             *id,
                                                 const char             *label);
gboolean    ssync_alert_has_response            (SsyncAlert             *self,
                                                 const char             *id);
void        ssync_alert_set_response_appearance (SsyncAlert             *self,
                                                 const char             *id,
                                                 AdwResponseAppearance   appearance);
gboolean    ssync_alert_get_response_enabled    (SsyncAlert             *self,
                                                 const char             *id);
void        ssync_alert_set_response_enabled    (SsyncAlert             *self,
                                                 const char             *id,
                                                 gboolean                enabled);
const char *ssync_alert_get_default_response    (SsyncAlert             *self);
void        ssync_alert_set_default_response    (SsyncAlert             *self,
                                                 const char             *id);
void        ssync_alert_set_close_response      (SsyncAlert             *self,
                                                 const char             *id);

G_END_DECLS
