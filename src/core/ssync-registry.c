/* ssync-registry.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include "ssync-registry.h"
#include "ssync-token.h"

struct _SsyncRegistry
{
  GObject parent_instance;

  GPtrArray *shares;
  GPtrArray *gone;  /* Gone *, shares removed after they stopped answering */
};

/* A share that ended: its token, and why (its links name the reason). */
typedef struct {
  char *token;
  SsyncShareState state;
} Gone;

static void
gone_free (Gone *gone)
{
  g_free (gone->token);
  g_free (gone);
}

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SsyncRegistry, ssync_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return SSYNC_TYPE_SHARE;
}

static guint
get_n_items (GListModel *model)
{
  return SSYNC_REGISTRY (model)->shares->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SsyncRegistry *self = SSYNC_REGISTRY (model);

  if (position >= self->shares->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->shares, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
ssync_registry_dispose (GObject *object)
{
  SsyncRegistry *self = SSYNC_REGISTRY (object);

  g_clear_pointer (&self->shares, g_ptr_array_unref);
  g_clear_pointer (&self->gone, g_ptr_array_unref);

  G_OBJECT_CLASS (ssync_registry_parent_class)->dispose (object);
}

static void
ssync_registry_class_init (SsyncRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ssync_registry_dispose;
}

static void
ssync_registry_init (SsyncRegistry *self)
{
  self->shares = g_ptr_array_new_with_free_func (g_object_unref);
  self->gone = g_ptr_array_new_with_free_func ((GDestroyNotify) gone_free);
}

SsyncRegistry *
ssync_registry_new (void)
{
  return g_object_new (SSYNC_TYPE_REGISTRY, NULL);
}

void
ssync_registry_add (SsyncRegistry *self,
                    SsyncShare    *share)
{
  g_ptr_array_add (self->shares, g_object_ref (share));
  g_list_model_items_changed (G_LIST_MODEL (self), self->shares->len - 1, 0, 1);
}

gboolean
ssync_registry_remove (SsyncRegistry *self,
                       SsyncShare    *share)
{
  SsyncShareState state;
  guint position;

  if (!g_ptr_array_find (self->shares, share, &position))
    return FALSE;

  state = ssync_share_get_state (share, g_get_real_time ());
  if (state != SSYNC_SHARE_STATE_ACTIVE)
    {
      Gone *gone = g_new0 (Gone, 1);

      gone->token = g_strdup (ssync_share_get_token (share));
      gone->state = state;
      g_ptr_array_add (self->gone, gone);
    }
  g_ptr_array_remove_index (self->shares, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return TRUE;
}

/* Every share's token is compared, each in constant time, so the answer time does not
 * depend on how much of a guessed token is right (DESIGN.md). A desktop holds few shares. */
SsyncShare *
ssync_registry_lookup_token (SsyncRegistry *self,
                             const char    *token)
{
  SsyncShare *found = NULL;

  for (guint i = 0; i < self->shares->len; i++)
    {
      SsyncShare *share = g_ptr_array_index (self->shares, i);

      if (ssync_token_equal (token, ssync_share_get_token (share)))
        found = share;
    }

  return found;
}

SsyncShare *
ssync_registry_lookup_id (SsyncRegistry *self,
                          const char    *id)
{
  for (guint i = 0; i < self->shares->len; i++)
    {
      SsyncShare *share = g_ptr_array_index (self->shares, i);

      if (g_strcmp0 (id, ssync_share_get_id (share)) == 0)
        return share;
    }

  return NULL;
}

/* Why the share @token belonged to ended, when it was removed after it expired, ran out of
 * downloads or was stopped (its links answer 410, not 404); SSYNC_SHARE_STATE_ACTIVE when
 * @token is not such a share's. */
SsyncShareState
ssync_registry_token_gone_state (SsyncRegistry *self,
                                 const char    *token)
{
  SsyncShareState found = SSYNC_SHARE_STATE_ACTIVE;

  for (guint i = 0; i < self->gone->len; i++)
    {
      Gone *gone = g_ptr_array_index (self->gone, i);

      if (ssync_token_equal (token, gone->token))
        found = gone->state;
    }

  return found;
}

gboolean
ssync_registry_token_is_gone (SsyncRegistry *self,
                              const char    *token)
{
  return ssync_registry_token_gone_state (self, token) != SSYNC_SHARE_STATE_ACTIVE;
}
