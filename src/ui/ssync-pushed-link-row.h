/* ssync-pushed-link-row.h: one file of a share in the S3 bucket, with its pre-signed link
 * and a button to copy it.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "ssync-pushed-link.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_PUSHED_LINK_ROW (ssync_pushed_link_row_get_type ())

G_DECLARE_FINAL_TYPE (SsyncPushedLinkRow, ssync_pushed_link_row, SSYNC, PUSHED_LINK_ROW,
                      AdwActionRow)

GtkWidget       *ssync_pushed_link_row_new      (SsyncPushedLink    *link);
SsyncPushedLink *ssync_pushed_link_row_get_link (SsyncPushedLinkRow *self);

G_END_DECLS
