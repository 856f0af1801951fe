/* ssync-qr-paintable.h: a QR code of a string, drawn crisp at any size.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Light modules kept around the code on each side, as the QR standard asks. */
#define SSYNC_QR_QUIET_ZONE 4

#define SSYNC_TYPE_QR_PAINTABLE (ssync_qr_paintable_get_type ())

G_DECLARE_FINAL_TYPE (SsyncQrPaintable, ssync_qr_paintable, SSYNC, QR_PAINTABLE, GObject)

SsyncQrPaintable *ssync_qr_paintable_new              (const char       *text);
const char       *ssync_qr_paintable_get_text         (SsyncQrPaintable *self);
guint             ssync_qr_paintable_get_module_count (SsyncQrPaintable *self);
gboolean          ssync_qr_paintable_get_module       (SsyncQrPaintable *self,
                                                       guint             x,
                                                       guint             y);

G_END_DECLS
