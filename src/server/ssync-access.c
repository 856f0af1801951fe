/* ssync-access.c: the checks every share route runs before it serves anything.
 *
 * A share that expired, ran out of downloads or was stopped answers 410 on every link. A
 * password share answers 401 with the unlock page until the browser holds the cookie that
 * a correct password earns: an unguessable value the server keeps, HttpOnly (no script
 * can read it) and SameSite=Strict (no other site can make the browser send it), named
 * after the share so one unlock opens exactly one share. Passwords are verified with
 * PBKDF2 on a worker thread; attempts, upload creations and API calls are rate limited
 * per client address (token buckets; 429 with Retry-After).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ssync-access.h"
#include "ssync-page-i18n.h"
#include "ssync-page-unlock.h"
#include "ssync-password.h"
#include "ssync-rate-limiter.h"
#include "ssync-response.h"
#include "ssync-token.h"

#define MAX_FORM_BYTES 4096
/* An unlock lasts half a day; the browser is told the same with Max-Age. */
#define SESSION_SECONDS (12 * 60 * 60)
/* Expired sessions are forgotten when this many were added since the last sweep. */
#define SWEEP_INTERVAL 64

/* What an unlock cookie opens: one share, as long as its password is the one that was
 * given (a new password ends every unlock), until it expires. */
typedef struct {
  char *share_id;
  char *password_hash;
  gint64 expires;  /* monotonic microseconds */
} Session;

struct _SsyncAccess
{
  GObject parent_instance;

  GHashTable *sessions;  /* cookie value → Session */
  guint n_added;
  guint session_seconds;
  SsyncRateLimiter *limiters[SSYNC_N_RATES];
  char *owner_token;
};

G_DEFINE_FINAL_TYPE (SsyncAccess, ssync_access, G_TYPE_OBJECT)

static void
session_free (Session *session)
{
  g_free (session->share_id);
  g_free (session->password_hash);
  g_free (session);
}

static void
ssync_access_finalize (GObject *object)
{
  SsyncAccess *self = SSYNC_ACCESS (object);

  g_hash_table_unref (self->sessions);
  for (guint i = 0; i < SSYNC_N_RATES; i++)
    g_clear_object (&self->limiters[i]);
  g_free (self->owner_token);

  G_OBJECT_CLASS (ssync_access_parent_class)->finalize (object);
}

static void
ssync_access_class_init (SsyncAccessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ssync_access_finalize;
}

static void
ssync_access_init (SsyncAccess *self)
{
  self->session_seconds = SESSION_SECONDS;
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) session_free);
  /* Five password attempts at once, then one every 12 seconds, per address and share. */
  self->limiters[SSYNC_RATE_UNLOCK] = ssync_rate_limiter_new (5, 1.0 / 12);
  /* A folder of 200 files creates 200 uploads in a burst. */
  self->limiters[SSYNC_RATE_UPLOAD_CREATE] = ssync_rate_limiter_new (300, 10);
  self->limiters[SSYNC_RATE_API] = ssync_rate_limiter_new (120, 20);
}

SsyncAccess *
ssync_access_new (void)
{
  return g_object_new (SSYNC_TYPE_ACCESS, NULL);
}

/* Why a share ended, as its pages name it: the reason the page's script reads from the
 * X-ShareSync-Ended header (and from /ws), a title and a sentence. */
static const struct {
  SsyncShareState state;
  const char *reason;
  const char *title;
  const char *text;
} endings[] = {
  { SSYNC_SHARE_STATE_REVOKED, "stopped", NP_("This share was stopped"),
    NP_("The person who made this link stopped sharing.") },
  { SSYNC_SHARE_STATE_EXPIRED, "expired", NP_("This share has expired"),
    NP_("The link was open for a limited time, and that time is over.") },
  { SSYNC_SHARE_STATE_EXHAUSTED, "limit", NP_("This share reached its download limit"),
    NP_("The files were downloaded as many times as the person who shared them allowed.") },
};

/* "stopped", "expired" or "limit": why a share in @state no longer answers. */
const char *
ssync_access_ended_reason (SsyncShareState state)
{
  for (guint i = 0; i < G_N_ELEMENTS (endings); i++)
    if (endings[i].state == state)
      return endings[i].reason;
  return NULL;
}

/* Answers 410, naming the reason, when @state is not active; returns whether the request
 * may go on. */
gboolean
ssync_access_check_state (SoupServerMessage *msg,
                          SsyncShareState    state)
{
  for (guint i = 0; i < G_N_ELEMENTS (endings); i++)
    {
      if (endings[i].state != state)
        continue;
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "X-ShareSync-Ended", endings[i].reason);
      ssync_response_error_page_full (msg, SOUP_STATUS_GONE, "gone", endings[i].title,
                                      endings[i].text,
                                      NP_("Ask the person who shared it for a new link."));
      return FALSE;
    }
  return TRUE;
}

static char *
cookie_name (SsyncShare *share)
{
  return g_strconcat ("ssync-", ssync_share_get_id (share), NULL);
}

static gboolean
is_unlocked (SsyncAccess *self,
             const char  *header,
             SsyncShare  *share)
{
  g_autoptr(GHashTable) cookies = NULL;
  g_autofree char *name = NULL;
  const char *value, *hash;
  Session *session;

  if (header == NULL)
    return FALSE;

  cookies = soup_header_parse_semi_param_list (header);
  name = cookie_name (share);
  value = g_hash_table_lookup (cookies, name);
  session = value != NULL ? g_hash_table_lookup (self->sessions, value) : NULL;
  if (session == NULL)
    return FALSE;

  hash = ssync_share_get_password_hash (share);
  if (session->expires <= g_get_monotonic_time () || hash == NULL ||
      !g_str_equal (session->password_hash, hash))
    {
      /* Expired, or the password changed since: forgotten for good. */
      g_hash_table_remove (self->sessions, value);
      return FALSE;
    }

  return g_str_equal (session->share_id, ssync_share_get_id (share));
}

static gboolean
session_is_expired (gpointer key,
                    gpointer value,
                    gpointer user_data)
{
  const Session *session = value;
  const gint64 *now = user_data;

  return session->expires <= *now;
}

static void
add_session (SsyncAccess *self,
             char        *cookie_value,
             SsyncShare  *share)
{
  Session *session = g_new0 (Session, 1);

  if (++self->n_added % SWEEP_INTERVAL == 0)
    {
      gint64 now = g_get_monotonic_time ();

      g_hash_table_foreach_remove (self->sessions, session_is_expired, &now);
    }

  session->share_id = g_strdup (ssync_share_get_id (share));
  session->password_hash = g_strdup (ssync_share_get_password_hash (share));
  session->expires = g_get_monotonic_time () + (gint64) self->session_seconds * G_USEC_PER_SEC;
  g_hash_table_insert (self->sessions, cookie_value, session);
}

/* Password attempts are counted per address and share: unlocking one share neither spends
 * nor restores the attempts left on another. */
static char *
unlock_key (SoupServerMessage *msg,
            SsyncShare        *share)
{
  return g_strconcat (soup_server_message_get_remote_host (msg), " ",
                      ssync_share_get_id (share), NULL);
}

static const char *
request_cookie (SoupServerMessage *msg)
{
  return soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Cookie");
}

/* Whether @msg may use @share now; when not, it is answered (410 or 401). */
gboolean
ssync_access_check (SsyncAccess       *self,
                    SoupServerMessage *msg,
                    SsyncShare        *share)
{
  if (!ssync_access_check_state (msg, ssync_share_get_state (share, g_get_real_time ())))
    return FALSE;

  if (ssync_share_get_password_hash (share) != NULL &&
      !is_unlocked (self, request_cookie (msg), share))
    {
      ssync_page_unlock_send (msg, share);
      return FALSE;
    }

  return TRUE;
}

/* The same decision for a client that only shows its Cookie header (a WebSocket). */
gboolean
ssync_access_allows (SsyncAccess *self,
                     SsyncShare  *share,
                     const char  *cookie_header)
{
  if (ssync_share_get_state (share, g_get_real_time ()) != SSYNC_SHARE_STATE_ACTIVE)
    return FALSE;
  return ssync_share_get_password_hash (share) == NULL ||
         is_unlocked (self, cookie_header, share);
}

static gboolean
take_for_key (SsyncAccess       *self,
              SoupServerMessage *msg,
              SsyncRate          rate,
              const char        *key)
{
  guint retry_after;
  char seconds[16];

  if (ssync_rate_limiter_take (self->limiters[rate], key, &retry_after))
    return TRUE;

  g_snprintf (seconds, sizeof seconds, "%u", retry_after);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                seconds);
  if (rate == SSYNC_RATE_UNLOCK)
    ssync_response_error_page_full (msg, 429 /* Too Many Requests */, "locked",
                                    NP_("Too many wrong passwords"),
                                    NP_("To keep the files safe, this share takes no more "
                                        "passwords from this device for a while."), NULL);
  else
    ssync_response_error_page (msg, 429, NP_("Too many requests"),
                               NP_("This device asked too often in a short time."));
  return FALSE;
}

/* Takes a token from the client's bucket for @rate; answers 429 when it is empty. */
gboolean
ssync_access_take (SsyncAccess       *self,
                   SoupServerMessage *msg,
                   SsyncRate          rate)
{
  return take_for_key (self, msg, rate, soup_server_message_get_remote_host (msg));
}

typedef struct {
  SsyncAccess *access;
  SoupServerMessage *msg;
  SsyncShare *share;
  char *password;
  char *page;
} Unlock;

static void
unlock_free (Unlock *unlock)
{
  g_clear_object (&unlock->access);
  g_clear_object (&unlock->msg);
  g_clear_object (&unlock->share);
  if (unlock->password != NULL)
    explicit_bzero (unlock->password, strlen (unlock->password));
  g_free (unlock->password);
  g_free (unlock->page);
  g_free (unlock);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Unlock *unlock = task_data;
  const char *hash = ssync_share_get_password_hash (unlock->share);

  g_task_return_boolean (task, ssync_password_verify (unlock->password, hash));
}

static void
on_verified (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Unlock *unlock = g_task_get_task_data (G_TASK (result));
  SoupServerMessage *msg = unlock->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *location = NULL;

  ssync_response_set_common_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    {
      g_autofree char *value = ssync_token_new ();
      g_autofree char *name = cookie_name (unlock->share);
      g_autofree char *cookie = g_strdup_printf ("%s=%s; Path=/; Max-Age=%d; HttpOnly; "
                                                 "SameSite=Strict", name, value,
                                                 unlock->access->session_seconds);
      g_autofree char *key = unlock_key (msg, unlock->share);

      add_session (unlock->access, g_steal_pointer (&value), unlock->share);
      ssync_rate_limiter_reset (unlock->access->limiters[SSYNC_RATE_UNLOCK], key);
      soup_message_headers_append (headers, "Set-Cookie", cookie);
      location = g_strdup (unlock->page);
    }
  else
    location = g_strconcat (unlock->page, "?wrong=1", NULL);

  soup_message_headers_replace (headers, "Location", location);
  soup_server_message_set_status (msg, SOUP_STATUS_SEE_OTHER, NULL);
  soup_server_message_unpause (msg);
}

/* POST {page}/unlock with the form field "password": a correct one sets the share's
 * cookie; either way the browser goes back to @page (with ?wrong=1 after a wrong one). */
void
ssync_access_handle_unlock (SsyncAccess       *self,
                            SoupServerMessage *msg,
                            SsyncShare        *share,
                            const char        *page)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *text = NULL;
  g_autofree char *key = unlock_key (msg, share);
  Unlock *unlock;
  const char *password;

  if (!ssync_access_check_state (msg, ssync_share_get_state (share, g_get_real_time ())) ||
      !take_for_key (self, msg, SSYNC_RATE_UNLOCK, key))
    return;

  if (ssync_share_get_password_hash (share) == NULL)
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_SEE_OTHER, page);
      return;
    }

  if (body->length > MAX_FORM_BYTES)
    {
      ssync_response_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The form is too large"));
      return;
    }

  text = g_strndup (body->data, body->length);
  form = soup_form_decode (text);
  password = g_hash_table_lookup (form, "password");
  if (password == NULL)
    {
      ssync_response_text (msg, SOUP_STATUS_BAD_REQUEST, _("The form has no password field"));
      return;
    }

  unlock = g_new0 (Unlock, 1);
  unlock->access = g_object_ref (self);
  unlock->msg = g_object_ref (msg);
  unlock->share = g_object_ref (share);
  unlock->password = g_strdup (password);
  unlock->page = g_strdup (page);

  task = g_task_new (NULL, NULL, on_verified, NULL);
  g_task_set_task_data (task, unlock, (GDestroyNotify) unlock_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, verify_thread);
}

/* How long an unlock lasts, in seconds (12 hours unless changed, by tests). */
void
ssync_access_set_session_lifetime (SsyncAccess *self,
                                   guint        seconds)
{
  self->session_seconds = MAX (seconds, 1);
}

void
ssync_access_set_owner_token (SsyncAccess *self,
                              const char  *token)
{
  g_free (self->owner_token);
  self->owner_token = g_strdup (token);
}

/* Whether @msg carries "Authorization: Bearer OWNER_TOKEN"; answers 401 when not. */
gboolean
ssync_access_check_owner (SsyncAccess       *self,
                          SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (self->owner_token != NULL && auth != NULL && g_str_has_prefix (auth, "Bearer ") &&
      ssync_token_equal (auth + strlen ("Bearer "), self->owner_token))
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"ShareSync\"");
  ssync_response_text (msg, SOUP_STATUS_UNAUTHORIZED,
                       _("The statistics are for the owner: send Authorization: Bearer TOKEN"));
  return FALSE;
}
