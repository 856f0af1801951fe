/* ssync-device-row.h: one nearby device in the Nearby page; files dropped on it are sent
 * to it.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-localsend-device.h"
#include "ssync-session.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_DEVICE_ROW (ssync_device_row_get_type ())

G_DECLARE_FINAL_TYPE (SsyncDeviceRow, ssync_device_row, SSYNC, DEVICE_ROW, AdwActionRow)

GtkWidget            *ssync_device_row_new        (SsyncSession         *session,
                                                   SsyncLocalsendDevice *device);
SsyncLocalsendDevice *ssync_device_row_get_device (SsyncDeviceRow       *self);
void                  ssync_device_row_send       (SsyncDeviceRow       *self,
                                                   GFile               **files,
                                                   guint                 n_files);
gboolean              ssync_device_row_is_sending (SsyncDeviceRow       *self);
const char           *ssync_device_type_icon_name (const char           *device_type);
const char           *ssync_device_type_name      (const char           *device_type);

G_END_DECLS
