/* ssync-rtc-frame.h: the JSON messages of the data channel framing (README, "Direct
 * transfers").
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *ssync_rtc_frame_new        (const char  *type);
char       *ssync_rtc_frame_to_text    (JsonObject  *frame);
JsonObject *ssync_rtc_frame_parse      (const char  *text,
                                        gsize        length);
const char *ssync_rtc_frame_get_string (JsonObject  *frame,
                                        const char  *member);
gboolean    ssync_rtc_frame_get_uint   (JsonObject  *frame,
                                        const char  *member,
                                        guint64     *value);
gboolean    ssync_rtc_frame_is_sha256  (const char  *text);

G_END_DECLS
