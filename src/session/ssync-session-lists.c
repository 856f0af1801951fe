/* ssync-session-lists.c: what the session keeps per share for the faces to show: the
 * transfers in flight and the links of files pushed to the bucket, each a GListModel that
 * lives as long as its share is listed, so that a window shows them as rows without keeping
 * state of its own.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-pushed-link.h"
#include "ssync-session-private.h"

static GListStore *
store_for (GHashTable *lists,
           const char *share_id,
           GType       item_type)
{
  GListStore *store = g_hash_table_lookup (lists, share_id);

  if (store == NULL)
    {
      store = g_list_store_new (item_type);
      g_hash_table_insert (lists, g_strdup (share_id), store);
    }
  return store;
}

static void
remove_item (GListStore *store,
             gpointer    item)
{
  guint position;

  if (g_list_store_find (store, item, &position))
    g_list_store_remove (store, position);
}

static void
on_transfer_finished (SsyncTransfer *transfer,
                      SsyncSession  *self)
{
  GListStore *store = g_hash_table_lookup (self->transfer_lists,
                                           ssync_transfer_get_share_id (transfer));

  if (store != NULL)
    remove_item (store, transfer);
}

/* Lists @transfer under its share until it ends. */
void
ssync_session_list_transfer (SsyncSession  *self,
                             SsyncTransfer *transfer)
{
  const char *share_id = ssync_transfer_get_share_id (transfer);

  /* A fetch of another app's share belongs to no share of ours. */
  if (share_id == NULL)
    return;
  g_list_store_append (store_for (self->transfer_lists, share_id, SSYNC_TYPE_TRANSFER), transfer);
  g_signal_connect_object (transfer, "finished", G_CALLBACK (on_transfer_finished), self, 0);
}

static void
on_pushed (SsyncPusher  *pusher,
           SsyncShare   *share,
           const char   *file,
           const char   *key,
           const char   *url,
           gint64        expires,
           SsyncSession *self)
{
  g_autoptr(SsyncPushedLink) link = ssync_pushed_link_new (file, key, url, expires);

  g_list_store_append (store_for (self->link_lists, ssync_share_get_id (share),
                                  SSYNC_TYPE_PUSHED_LINK), link);
}

/* The share's pushed objects were deleted: their links no longer work. */
void
ssync_session_forget_links (SsyncSession *self,
                            SsyncShare   *share)
{
  GListStore *store = g_hash_table_lookup (self->link_lists, ssync_share_get_id (share));

  if (store != NULL)
    g_list_store_remove_all (store);
}

static gboolean
is_gone (gpointer key,
         gpointer value,
         gpointer user_data)
{
  return !g_hash_table_contains (user_data, key);
}

/* Forgets the lists of shares no longer listed. A window holding one keeps its reference;
 * it only stops being updated, as its share is gone. */
static void
on_shares_changed (GListModel   *shares,
                   guint         position,
                   guint         removed,
                   guint         added,
                   SsyncSession *self)
{
  g_autoptr(GHashTable) present = NULL;
  guint n;

  if (removed == 0)
    return;

  present = g_hash_table_new (g_str_hash, g_str_equal);
  n = g_list_model_get_n_items (shares);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SsyncShare) share = g_list_model_get_item (shares, i);

      g_hash_table_add (present, (gpointer) ssync_share_get_id (share));
    }
  g_hash_table_foreach_remove (self->transfer_lists, is_gone, present);
  g_hash_table_foreach_remove (self->link_lists, is_gone, present);
}

void
ssync_session_setup_lists (SsyncSession *self)
{
  self->transfer_lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                g_object_unref);
  self->link_lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_signal_connect_object (self->registry, "items-changed", G_CALLBACK (on_shares_changed),
                           self, 0);
  g_signal_connect_object (self->pusher, "pushed", G_CALLBACK (on_pushed), self, 0);
}

/* The transfers of @share in flight (SsyncTransfer), oldest first; each leaves the list
 * when it ends. */
GListModel *
ssync_session_get_transfers (SsyncSession *self,
                             SsyncShare   *share)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), NULL);
  g_return_val_if_fail (SSYNC_IS_SHARE (share), NULL);

  return G_LIST_MODEL (store_for (self->transfer_lists, ssync_share_get_id (share),
                                  SSYNC_TYPE_TRANSFER));
}

/* The files of @share pushed to the bucket in this run (SsyncPushedLink), oldest first;
 * emptied when they are deleted from the bucket. */
GListModel *
ssync_session_get_pushed_links (SsyncSession *self,
                                SsyncShare   *share)
{
  g_return_val_if_fail (SSYNC_IS_SESSION (self), NULL);
  g_return_val_if_fail (SSYNC_IS_SHARE (share), NULL);

  return G_LIST_MODEL (store_for (self->link_lists, ssync_share_get_id (share),
                                  SSYNC_TYPE_PUSHED_LINK));
}
