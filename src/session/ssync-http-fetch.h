/* ssync-http-fetch.h: --fetch's fast path: another ShareSync's share over its web server.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* At most this many files in a listing, and this many downloaded at once. */
#define SSYNC_HTTP_FETCH_MAX_FILES 10000
#define SSYNC_HTTP_FETCH_PARALLEL 4

#define SSYNC_TYPE_HTTP_FETCH (ssync_http_fetch_get_type ())

G_DECLARE_FINAL_TYPE (SsyncHttpFetch, ssync_http_fetch, SSYNC, HTTP_FETCH, GObject)

SsyncHttpFetch *ssync_http_fetch_new              (const char           *url,
                                                   GFile                *folder,
                                                   GError              **error);
void            ssync_http_fetch_set_password     (SsyncHttpFetch       *self,
                                                   const char           *password);
void            ssync_http_fetch_run_async        (SsyncHttpFetch       *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        ssync_http_fetch_run_finish       (SsyncHttpFetch       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
guint           ssync_http_fetch_get_n_files      (SsyncHttpFetch       *self);
gboolean        ssync_http_fetch_is_unreachable   (const GError         *error);
gboolean        ssync_http_fetch_should_fall_back (const char           *fetch_over,
                                                   const GError         *error);

G_END_DECLS
