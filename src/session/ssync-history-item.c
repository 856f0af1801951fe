/* ssync-history-item.c: one row of the history list.
 *
 * The history model hands out items before their page has been read, so that a list view
 * can lay out 100,000 rows without reading them; an item starts empty ("loaded" FALSE) and
 * notifies every property once its transfer arrives.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-history-item.h"

struct _SsyncHistoryItem
{
  GObject parent_instance;

  SsyncTransferRecord *record;  /* NULL until loaded */
};

G_DEFINE_FINAL_TYPE (SsyncHistoryItem, ssync_history_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADED,
  PROP_DIRECTION,
  PROP_FILE_NAME,
  PROP_SHARE_NAME,
  PROP_PEER,
  PROP_USER_AGENT,
  PROP_BYTES,
  PROP_STARTED,
  PROP_FINISHED,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ssync_history_item_finalize (GObject *object)
{
  SsyncHistoryItem *self = SSYNC_HISTORY_ITEM (object);

  g_clear_pointer (&self->record, ssync_transfer_record_free);

  G_OBJECT_CLASS (ssync_history_item_parent_class)->finalize (object);
}

static void
ssync_history_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SsyncHistoryItem *self = SSYNC_HISTORY_ITEM (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, ssync_history_item_get_loaded (self));
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, ssync_history_item_get_direction (self));
      break;
    case PROP_FILE_NAME:
      g_value_set_string (value, ssync_history_item_get_file_name (self));
      break;
    case PROP_SHARE_NAME:
      g_value_set_string (value, ssync_history_item_get_share_name (self));
      break;
    case PROP_PEER:
      g_value_set_string (value, ssync_history_item_get_peer (self));
      break;
    case PROP_USER_AGENT:
      g_value_set_string (value, ssync_history_item_get_user_agent (self));
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, ssync_history_item_get_bytes (self));
      break;
    case PROP_STARTED:
      g_value_set_int64 (value, ssync_history_item_get_started (self));
      break;
    case PROP_FINISHED:
      g_value_set_int64 (value, ssync_history_item_get_finished (self));
      break;
    case PROP_STATUS:
      g_value_set_enum (value, ssync_history_item_get_status (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_history_item_class_init (SsyncHistoryItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ssync_history_item_finalize;
  object_class->get_property = ssync_history_item_get_property;

  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  properties[PROP_DIRECTION] = g_param_spec_enum ("direction", NULL, NULL, SSYNC_TYPE_DIRECTION,
                                                  SSYNC_DIRECTION_DOWNLOAD, flags);
  properties[PROP_FILE_NAME] = g_param_spec_string ("file-name", NULL, NULL, NULL, flags);
  properties[PROP_SHARE_NAME] = g_param_spec_string ("share-name", NULL, NULL, NULL, flags);
  properties[PROP_PEER] = g_param_spec_string ("peer", NULL, NULL, NULL, flags);
  properties[PROP_USER_AGENT] = g_param_spec_string ("user-agent", NULL, NULL, NULL, flags);
  properties[PROP_BYTES] = g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_STARTED] = g_param_spec_int64 ("started", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_FINISHED] = g_param_spec_int64 ("finished", NULL, NULL, 0, G_MAXINT64, 0,
                                                  flags);
  properties[PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL,
                                               SSYNC_TYPE_TRANSFER_STATUS,
                                               SSYNC_TRANSFER_STATUS_ACTIVE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ssync_history_item_init (SsyncHistoryItem *self)
{
}

SsyncHistoryItem *
ssync_history_item_new (void)
{
  return g_object_new (SSYNC_TYPE_HISTORY_ITEM, NULL);
}

/* Takes @record; notifies every property. */
void
ssync_history_item_set_record (SsyncHistoryItem    *self,
                               SsyncTransferRecord *record)
{
  g_return_if_fail (SSYNC_IS_HISTORY_ITEM (self));
  g_return_if_fail (record != NULL);

  g_clear_pointer (&self->record, ssync_transfer_record_free);
  self->record = record;

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 1; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
ssync_history_item_get_loaded (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), FALSE);

  return self->record != NULL;
}

SsyncDirection
ssync_history_item_get_direction (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), SSYNC_DIRECTION_DOWNLOAD);

  return self->record != NULL ? self->record->direction : SSYNC_DIRECTION_DOWNLOAD;
}

const char *
ssync_history_item_get_file_name (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), NULL);

  return self->record != NULL ? self->record->file_name : NULL;
}

const char *
ssync_history_item_get_share_name (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), NULL);

  return self->record != NULL ? self->record->share_name : NULL;
}

const char *
ssync_history_item_get_peer (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), NULL);

  return self->record != NULL ? self->record->peer : NULL;
}

const char *
ssync_history_item_get_user_agent (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), NULL);

  return self->record != NULL ? self->record->user_agent : NULL;
}

guint64
ssync_history_item_get_bytes (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), 0);

  return self->record != NULL ? self->record->bytes : 0;
}

gint64
ssync_history_item_get_started (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), 0);

  return self->record != NULL ? self->record->started : 0;
}

/* 0 while the transfer is still running (or not loaded yet). */
gint64
ssync_history_item_get_finished (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), 0);

  return self->record != NULL ? self->record->finished : 0;
}

SsyncTransferStatus
ssync_history_item_get_status (SsyncHistoryItem *self)
{
  g_return_val_if_fail (SSYNC_IS_HISTORY_ITEM (self), SSYNC_TRANSFER_STATUS_ACTIVE);

  return self->record != NULL ? self->record->status : SSYNC_TRANSFER_STATUS_ACTIVE;
}
