/* ssync-rtc-check.c: the GStreamer plugins direct transfers need.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-rtc"

#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>

#include "ssync-error.h"
#include "ssync-rtc-check.h"

/* webrtcbin and what it loads for a data channel: ICE (nice), DTLS, SRTP (it links
 * srtpenc even for data only), SCTP and rtpbin (rtpmanager, which webrtcbin creates at
 * once). */
static const char * const plugins[] = { "webrtc", "nice", "dtls", "srtp", "sctp", "rtpmanager" };

/* Whether every plugin is there; when not, @error names the missing ones and what to
 * install. @hidden_plugin (or NULL) names one to treat as missing, so that the tests can
 * check what a user without it sees. Loads the GStreamer registry: call once, at start. */
gboolean
ssync_rtc_check_plugins (const char  *hidden_plugin,
                         GError     **error)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autofree char *list = NULL;

  if (!gst_init_check (NULL, NULL, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (plugins); i++)
    {
      GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (), plugins[i]);

      if (plugin == NULL || g_strcmp0 (hidden_plugin, plugins[i]) == 0)
        g_ptr_array_add (missing, (gpointer) plugins[i]);
      g_clear_object (&plugin);
    }

  if (missing->len == 0)
    return TRUE;

  g_ptr_array_add (missing, NULL);
  list = g_strjoinv (", ", (char **) missing->pdata);
  g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_NOT_FOUND,
               _("Direct (WebRTC) transfers are off: GStreamer plugins missing (%s); "
                 "install gstreamer1.0-plugins-bad, gstreamer1.0-plugins-good and "
                 "gstreamer1.0-nice"), list);
  return FALSE;
}
