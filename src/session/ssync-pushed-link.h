/* ssync-pushed-link.h: one file of a share pushed to the S3 bucket, with its pre-signed
 * link, as the session lists it per share (ssync_session_get_pushed_links()).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SSYNC_TYPE_PUSHED_LINK (ssync_pushed_link_get_type ())

G_DECLARE_FINAL_TYPE (SsyncPushedLink, ssync_pushed_link, SSYNC, PUSHED_LINK, GObject)

SsyncPushedLink *ssync_pushed_link_new         (const char      *file,
                                                const char      *key,
                                                const char      *url,
                                                gint64           expires);
const char      *ssync_pushed_link_get_file    (SsyncPushedLink *self);
const char      *ssync_pushed_link_get_key     (SsyncPushedLink *self);
const char      *ssync_pushed_link_get_url     (SsyncPushedLink *self);
gint64           ssync_pushed_link_get_expires (SsyncPushedLink *self);

G_END_DECLS
