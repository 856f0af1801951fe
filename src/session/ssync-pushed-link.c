/* ssync-pushed-link.c: one pushed file and its link. Immutable: a push again makes a new
 * one.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include "ssync-pushed-link.h"

struct _SsyncPushedLink
{
  GObject parent_instance;

  char *file;      /* its path in the share */
  char *key;       /* its object key in the bucket */
  char *url;       /* the pre-signed link */
  gint64 expires;  /* when the link ends (microseconds since the epoch) */
};

G_DEFINE_FINAL_TYPE (SsyncPushedLink, ssync_pushed_link, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FILE,
  PROP_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ssync_pushed_link_finalize (GObject *object)
{
  SsyncPushedLink *self = SSYNC_PUSHED_LINK (object);

  g_free (self->file);
  g_free (self->key);
  g_free (self->url);

  G_OBJECT_CLASS (ssync_pushed_link_parent_class)->finalize (object);
}

static void
ssync_pushed_link_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SsyncPushedLink *self = SSYNC_PUSHED_LINK (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_string (value, self->file);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_pushed_link_class_init (SsyncPushedLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ssync_pushed_link_finalize;
  object_class->get_property = ssync_pushed_link_get_property;

  /* Readable as properties so that a .ui template can bind them (GtkExpression). */
  properties[PROP_FILE] =
    g_param_spec_string ("file", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ssync_pushed_link_init (SsyncPushedLink *self)
{
}

SsyncPushedLink *
ssync_pushed_link_new (const char *file,
                       const char *key,
                       const char *url,
                       gint64      expires)
{
  SsyncPushedLink *self = g_object_new (SSYNC_TYPE_PUSHED_LINK, NULL);

  self->file = g_strdup (file);
  self->key = g_strdup (key);
  self->url = g_strdup (url);
  self->expires = expires;
  return self;
}

const char *
ssync_pushed_link_get_file (SsyncPushedLink *self)
{
  g_return_val_if_fail (SSYNC_IS_PUSHED_LINK (self), NULL);

  return self->file;
}

const char *
ssync_pushed_link_get_key (SsyncPushedLink *self)
{
  g_return_val_if_fail (SSYNC_IS_PUSHED_LINK (self), NULL);

  return self->key;
}

const char *
ssync_pushed_link_get_url (SsyncPushedLink *self)
{
  g_return_val_if_fail (SSYNC_IS_PUSHED_LINK (self), NULL);

  return self->url;
}

gint64
ssync_pushed_link_get_expires (SsyncPushedLink *self)
{
  g_return_val_if_fail (SSYNC_IS_PUSHED_LINK (self), 0);

  return self->expires;
}
