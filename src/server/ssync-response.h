/* ssync-response.h: small helpers every route uses to answer.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

void ssync_response_set_common_headers (SoupServerMessage *msg);
void ssync_response_not_found          (SoupServerMessage *msg);
void ssync_response_text               (SoupServerMessage *msg,
                                        guint              status,
                                        const char        *text);
void ssync_response_json               (SoupServerMessage *msg,
                                        guint              status,
                                        JsonNode          *node);
void ssync_response_resource           (SoupServerMessage *msg,
                                        const char        *name,
                                        const char        *content_type);
void ssync_response_refuse             (SoupServerMessage *msg,
                                        guint              status,
                                        const char        *reason,
                                        const char        *text);

void ssync_response_error_page         (SoupServerMessage *msg,
                                        guint              status,
                                        const char        *title,
                                        const char        *text);

void ssync_response_error_page_full    (SoupServerMessage *msg,
                                        guint              status,
                                        const char        *icon,
                                        const char        *title,
                                        const char        *text,
                                        const char        *hint);

void ssync_response_send_now           (SoupServerMessage *msg);

G_END_DECLS
