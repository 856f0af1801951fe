/* ssync-session-fetch.h: the fetch of a share protected by a password (ssync-session-fetch.c);
 * ssync_session_fetch_async() in ssync-session.h is the same without one.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-session.h"

G_BEGIN_DECLS

void ssync_session_fetch_with_password_async (SsyncSession        *self,
                                              const char          *url,
                                              GFile               *folder,
                                              const char          *password,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
const char *ssync_session_fetch_get_url     (SsyncSession        *self,
                                              GAsyncResult        *result);

G_END_DECLS
