/* ssync-page-receive.c: the receive page (/r/{token}), its words written by the server.
 *
 * The page sends files with its scripts (tus, resumable); every word of it, the receiver's
 * name and the limits included, is written here in the reader's language. A browser that
 * runs no scripts (or no modules) gets a plain form instead (ssync-page-form.c).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-page-receive.h"
#include "ssync-page-render.h"

static char *
limits_markup (const SsyncPageLocale *l,
               SsyncShare            *share,
               guint64                max_size)
{
  g_autoptr(GPtrArray) limits = g_ptr_array_new_with_free_func (g_free);

  if (max_size > 0)
    {
      g_autofree char *size = ssync_page_format_size (l, max_size);

      g_ptr_array_add (limits, ssync_page_markup_format (P_(l, "Up to %s per file"), size));
    }
  if (ssync_share_get_expires (share) != 0)
    {
      g_autofree char *when = ssync_page_time_markup (ssync_share_get_expires (share));

      g_ptr_array_add (limits, ssync_page_markup_format (P_(l, "Open until %s"), when));
    }
  g_ptr_array_add (limits, NULL);
  return g_strjoinv (" · ", (char **) limits->pdata);
}

void
ssync_page_receive_send (SoupServerMessage *msg,
                         SsyncShare        *share,
                         guint64            max_size)
{
  const SsyncPageLocale *l = ssync_page_locale_for_request (msg);
  g_autoptr(SsyncPage) page = ssync_page_new ("receive.html");
  const char *name = ssync_share_get_name (share);
  gboolean named = name != NULL && name[0] != '\0';
  g_autofree char *limits = limits_markup (l, share, max_size);
  g_autofree char *name_markup = named ? ssync_page_escape (name) : NULL;

  ssync_page_set_text (page, "title", P_(l, "Send files"));
  ssync_page_set (page, "token", ssync_share_get_token (share));
  ssync_page_take (page, "to", named ? ssync_page_markup_format (P_(l, "To “%s”"), name_markup)
                                     : g_strdup (""));
  ssync_page_set (page, "to-hidden", named ? "" : " hidden");
  ssync_page_set (page, "limits", limits);
  ssync_page_set (page, "limits-hidden", limits[0] != '\0' ? "" : " hidden");
  ssync_page_set_text (page, "loading", P_(l, "Loading…"));
  ssync_page_set_text (page, "retry", P_(l, "Try again"));
  ssync_page_set_text (page, "drop", P_(l, "Drop files or folders here"));
  ssync_page_set_text (page, "choose-what", P_(l, "Choose what to send"));
  ssync_page_set_text (page, "saved-where", P_(l, "They are saved on the computer that shared "
                                                  "this link."));
  ssync_page_set_text (page, "choose-files", P_(l, "Choose files"));
  ssync_page_set_text (page, "choose-folder", P_(l, "Choose a folder"));
  ssync_page_set_text (page, "send-direct", P_(l, "Send directly (WebRTC)"));
  ssync_page_set_text (page, "sent-direct", P_(l, "Sent directly (WebRTC)"));
  ssync_page_set_text (page, "sent-here", P_(l, "Sent from this browser"));
  ssync_page_set_text (page, "send", P_(l, "Send"));
  ssync_page_set_text (page, "plain-hint", P_(l, "This browser sends the chosen files in one "
                                                 "go: if the connection drops, send them "
                                                 "again."));
  ssync_page_set_text (page, "footer", P_(l, "Sending to a computer on your network with "
                                             "ShareSync"));
  ssync_page_send (page, msg, SOUP_STATUS_OK, l);
}
