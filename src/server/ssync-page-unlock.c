/* ssync-page-unlock.c: the password page of a protected share, answered with 401 in place
 * of its share page (/s/{token}) or receive page (/r/{token}).
 *
 * The form posts to {page}/unlock, which sets the cookie and sends the browser back to the
 * page, with ?wrong=1 after a wrong password: the message for it is written here, so the page
 * needs no script.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include "ssync-page-render.h"
#include "ssync-page-unlock.h"

static gboolean
came_back_wrong (SoupServerMessage *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) form = query != NULL ? soup_form_decode (query) : NULL;

  return form != NULL && g_strcmp0 (g_hash_table_lookup (form, "wrong"), "1") == 0;
}

void
ssync_page_unlock_send (SoupServerMessage *msg,
                        SsyncShare        *share)
{
  const SsyncPageLocale *l = ssync_page_locale_for_request (msg);
  g_autoptr(SsyncPage) page = ssync_page_new ("unlock.html");
  gboolean receive = ssync_share_get_kind (share) == SSYNC_SHARE_KIND_RECEIVE;
  gboolean wrong = came_back_wrong (msg);

  ssync_page_set_text (page, "title", P_(l, "Password needed"));
  ssync_page_set_text (page, "text", P_(l, "The person who shared this link protected it with "
                                           "a password. Enter the password they gave you."));
  ssync_page_take (page, "action", g_strdup_printf ("/%s/%s/unlock", receive ? "r" : "s",
                                                    ssync_share_get_token (share)));
  ssync_page_set_text (page, "label", P_(l, "Password"));
  ssync_page_set_text (page, "submit", P_(l, "Unlock"));
  ssync_page_set_text (page, "error", wrong ? P_(l, "That password is not right. Try again.")
                                            : "");
  ssync_page_set (page, "error-hidden", wrong ? "" : " hidden");
  ssync_page_set (page, "invalid", wrong ? " aria-invalid=\"true\"" : "");
  ssync_page_set_text (page, "footer", P_(l, "Shared from a computer on your network with "
                                             "ShareSync"));
  ssync_page_send (page, msg, SOUP_STATUS_UNAUTHORIZED, l);
}
