/* ssync-window-shares.c: the cards the window lists. They follow the session's shares, with
 * two differences that make the window say what is true: a share that ended (expired, out
 * of downloads, stopped elsewhere) keeps its card, in its ended state, until the user
 * dismisses it or shares it again; and "Stop Sharing" hides the card at once but ends the
 * share only when its toast goes, so that "Undo" keeps the same link working.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-window-private.h"

/* A share whose card "Stop Sharing" hid, until its toast goes. */
typedef struct {
  SsyncWindow *window;  /* not a reference: the window commits every stop in dispose */
  SsyncShare *share;
  AdwToast *toast;
  guint position;       /* where its card was, for Undo */
  gboolean undone;
} Stopping;

/* The toast may outlive this (the overlay drops it later): it calls back no more. */
static void
stopping_free (Stopping *stopping)
{
  g_signal_handlers_disconnect_by_data (stopping->toast, stopping);
  g_object_unref (stopping->toast);
  g_object_unref (stopping->share);
  g_free (stopping);
}

static gboolean
find_card (SsyncWindow *self,
           SsyncShare  *share,
           guint       *position)
{
  return g_list_store_find (self->cards, share, position);
}

static gboolean
is_stopping (SsyncWindow *self,
             SsyncShare  *share)
{
  for (guint i = 0; i < self->stopping->len; i++)
    if (((Stopping *) g_ptr_array_index (self->stopping, i))->share == share)
      return TRUE;
  return FALSE;
}

/* Ended cards show it from the moment the share stops answering, before the session's sweep
 * removes it. */
static gboolean
has_ended (SsyncShare *share)
{
  return ssync_share_get_state (share, g_get_real_time ()) != SSYNC_SHARE_STATE_ACTIVE;
}

static gboolean
is_served (SsyncWindow *self,
           SsyncShare  *share)
{
  GListModel *shares = ssync_session_get_shares (self->session);
  guint n = g_list_model_get_n_items (shares);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SsyncShare) served = g_list_model_get_item (shares, i);

      if (served == share)
        return TRUE;
    }
  return FALSE;
}

/* Brings the cards up to date with the session's shares: new shares get a card; a card
 * whose share left the session stays, bound again so that it shows why it ended. */
static void
sync_cards (SsyncWindow *self)
{
  GListModel *shares = ssync_session_get_shares (self->session);
  guint n = g_list_model_get_n_items (shares);
  guint position;

  /* A window that was closed but is still referenced follows the session no more. */
  if (self->cards == NULL)
    return;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SsyncShare) share = g_list_model_get_item (shares, i);

      if (!find_card (self, share, &position) && !is_stopping (self, share) &&
          !has_ended (share))
        g_list_store_append (self->cards, share);
    }

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->cards)); i++)
    {
      g_autoptr(SsyncShare) share = g_list_model_get_item (G_LIST_MODEL (self->cards), i);

      if (g_hash_table_contains (self->ended, share) || is_served (self, share))
        continue;
      g_hash_table_add (self->ended, g_object_ref (share));
      /* The same item again: the list view binds its card anew, in the ended state. */
      g_list_store_splice (self->cards, i, 1, (gpointer *) &share, 1);
    }
}

/* Ends the share whose toast went without "Undo". */
static void
commit_stop (SsyncWindow *self,
             Stopping    *stopping)
{
  g_autoptr(SsyncShare) share = g_object_ref (stopping->share);

  g_ptr_array_remove (self->stopping, stopping);
  if (!has_ended (share))
    ssync_session_revoke_share (self->session, share);
}

static void
on_stop_toast_dismissed (AdwToast *toast,
                         Stopping *stopping)
{
  SsyncWindow *self = stopping->window;

  if (!g_ptr_array_find (self->stopping, stopping, NULL))
    return;
  if (!stopping->undone)
    {
      commit_stop (self, stopping);
      return;
    }
  g_list_store_insert (self->cards,
                       MIN (stopping->position,
                            g_list_model_get_n_items (G_LIST_MODEL (self->cards))),
                       stopping->share);
  g_ptr_array_remove (self->stopping, stopping);
}

static void
on_stop_undone (AdwToast *toast,
                Stopping *stopping)
{
  stopping->undone = TRUE;
}

static SsyncShare *
lookup_card (SsyncWindow *self,
             const char  *share_id)
{
  guint n = self->cards != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->cards)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SsyncShare) share = g_list_model_get_item (G_LIST_MODEL (self->cards), i);

      if (g_strcmp0 (ssync_share_get_id (share), share_id) == 0)
        return share;
    }
  return NULL;
}

/* "Stop Sharing": the card goes at once, the share when the toast does, unless undone. */
static void
stop_share (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  SsyncWindow *self = user_data;
  SsyncShare *share = lookup_card (self, g_variant_get_string (parameter, NULL));
  g_autofree char *message = NULL;
  Stopping *stopping;
  AdwToast *toast;

  if (share == NULL || has_ended (share))
    return;

  stopping = g_new0 (Stopping, 1);
  stopping->window = self;
  stopping->share = g_object_ref (share);
  find_card (self, share, &stopping->position);
  g_ptr_array_add (self->stopping, stopping);
  g_list_store_remove (self->cards, stopping->position);

  /* TRANSLATORS: %s is the name of a share */
  message = g_strdup_printf (_("Stopped sharing “%s”"), ssync_share_get_name (share));
  toast = adw_toast_new (message);
  stopping->toast = g_object_ref (toast);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_stop_undone), stopping);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_stop_toast_dismissed), stopping);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* An ended card goes when the user says so. */
static void
dismiss_share (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  SsyncWindow *self = user_data;
  SsyncShare *share = lookup_card (self, g_variant_get_string (parameter, NULL));
  guint position;

  if (share == NULL || !has_ended (share))
    return;
  find_card (self, share, &position);
  g_hash_table_remove (self->ended, share);
  g_list_store_remove (self->cards, position);
}

typedef struct {
  SsyncWindow *window;
  char *ended_id;
  gboolean receive;
} Again;

static void
again_free (Again *again)
{
  g_object_unref (again->window);
  g_free (again->ended_id);
  g_free (again);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Again, again_free)

static void
on_shared_again (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Again) again = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) id = g_variant_ref_sink (g_variant_new_string (again->ended_id));

  if (again->receive)
    share = ssync_session_add_receive_share_finish (SSYNC_SESSION (source), result, &error);
  else
    share = ssync_session_add_share_finish (SSYNC_SESSION (source), result, &error);
  if (share == NULL)
    ssync_window_show_error (again->window, _("Could not share again"), error);
  else
    /* The new card replaces the ended one. */
    dismiss_share (NULL, id, again->window);
}

/* "Share Again": the same files (or folder) under a new link. */
static void
share_again (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SsyncWindow *self = user_data;
  SsyncShare *share = lookup_card (self, g_variant_get_string (parameter, NULL));
  Again *again;

  if (share == NULL || !has_ended (share))
    return;

  again = g_new0 (Again, 1);
  again->window = g_object_ref (self);
  again->ended_id = g_strdup (ssync_share_get_id (share));
  again->receive = ssync_share_get_kind (share) == SSYNC_SHARE_KIND_RECEIVE;
  if (again->receive)
    ssync_session_add_receive_share_async (self->session, ssync_share_get_folder (share),
                                           self->cancellable, on_shared_again, again);
  else
    {
      GPtrArray *sources = ssync_share_get_sources (share);

      ssync_session_add_share_async (self->session, (GFile **) sources->pdata, sources->len,
                                     self->cancellable, on_shared_again, again);
    }
}

static const GActionEntry card_entries[] = {
  { "stop-share", stop_share, "s" },
  { "dismiss-share", dismiss_share, "s" },
  { "share-again", share_again, "s" },
};

/* The list the window's list view shows; follows the session from now on. */
void
ssync_window_setup_cards (SsyncWindow *self)
{
  self->cards = g_list_store_new (SSYNC_TYPE_SHARE);
  self->ended = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->stopping = g_ptr_array_new_with_free_func ((GDestroyNotify) stopping_free);
  g_action_map_add_action_entries (G_ACTION_MAP (self), card_entries,
                                   G_N_ELEMENTS (card_entries), self);
  g_signal_connect_object (ssync_session_get_shares (self->session), "items-changed",
                           G_CALLBACK (sync_cards), self, G_CONNECT_SWAPPED);
  sync_cards (self);
}

/* Stops that wait for their toast end now: the window that could undo them goes. */
void
ssync_window_finish_cards (SsyncWindow *self)
{
  while (self->stopping != NULL && self->stopping->len > 0)
    commit_stop (self, g_ptr_array_index (self->stopping, 0));
  g_clear_pointer (&self->stopping, g_ptr_array_unref);
  g_clear_pointer (&self->ended, g_hash_table_unref);
  g_clear_object (&self->cards);
}
