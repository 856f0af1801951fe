/* ssync-localsend-device.c: a device seen on the network that speaks LocalSend.
 *
 * Every field is a read-only property so that a list row can bind to it; a device seen again
 * is updated in place (ssync_localsend_device_update), which notifies only what changed.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-nearby"

#include "config.h"

#include "ssync-localsend-device.h"

struct _SsyncLocalsendDevice
{
  GObject parent_instance;

  char *alias;
  char *fingerprint;
  char *device_type;
  char *device_model;
  guint port;
  char *protocol;
  gboolean download;
  char *address;
  gint64 last_seen;
};

G_DEFINE_FINAL_TYPE (SsyncLocalsendDevice, ssync_localsend_device, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ALIAS,
  PROP_FINGERPRINT,
  PROP_DEVICE_TYPE,
  PROP_DEVICE_MODEL,
  PROP_PORT,
  PROP_PROTOCOL,
  PROP_DOWNLOAD,
  PROP_ADDRESS,
  PROP_LAST_SEEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ssync_localsend_device_finalize (GObject *object)
{
  SsyncLocalsendDevice *self = SSYNC_LOCALSEND_DEVICE (object);

  g_free (self->alias);
  g_free (self->fingerprint);
  g_free (self->device_type);
  g_free (self->device_model);
  g_free (self->protocol);
  g_free (self->address);

  G_OBJECT_CLASS (ssync_localsend_device_parent_class)->finalize (object);
}

static void
ssync_localsend_device_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  SsyncLocalsendDevice *self = SSYNC_LOCALSEND_DEVICE (object);

  switch (prop_id)
    {
    case PROP_ALIAS:
      g_value_set_string (value, self->alias);
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    case PROP_DEVICE_TYPE:
      g_value_set_string (value, self->device_type);
      break;
    case PROP_DEVICE_MODEL:
      g_value_set_string (value, self->device_model);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_DOWNLOAD:
      g_value_set_boolean (value, self->download);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_LAST_SEEN:
      g_value_set_int64 (value, self->last_seen);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_localsend_device_class_init (SsyncLocalsendDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ssync_localsend_device_finalize;
  object_class->get_property = ssync_localsend_device_get_property;

  properties[PROP_ALIAS] = g_param_spec_string ("alias", NULL, NULL, NULL, flags);
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  properties[PROP_DEVICE_TYPE] = g_param_spec_string ("device-type", NULL, NULL, NULL, flags);
  properties[PROP_DEVICE_MODEL] = g_param_spec_string ("device-model", NULL, NULL, NULL, flags);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, flags);
  properties[PROP_PROTOCOL] = g_param_spec_string ("protocol", NULL, NULL, NULL, flags);
  properties[PROP_DOWNLOAD] = g_param_spec_boolean ("download", NULL, NULL, FALSE, flags);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_LAST_SEEN] = g_param_spec_int64 ("last-seen", NULL, NULL,
                                                   0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ssync_localsend_device_init (SsyncLocalsendDevice *self)
{
}

SsyncLocalsendDevice *
ssync_localsend_device_new (const char *alias,
                            const char *fingerprint,
                            const char *device_type,
                            const char *device_model,
                            guint       port,
                            const char *protocol,
                            gboolean    download)
{
  SsyncLocalsendDevice *self;

  g_return_val_if_fail (alias != NULL, NULL);
  g_return_val_if_fail (fingerprint != NULL, NULL);
  g_return_val_if_fail (device_type != NULL, NULL);
  g_return_val_if_fail (protocol != NULL, NULL);
  g_return_val_if_fail (port <= G_MAXUINT16, NULL);

  self = g_object_new (SSYNC_TYPE_LOCALSEND_DEVICE, NULL);
  self->alias = g_strdup (alias);
  self->fingerprint = g_strdup (fingerprint);
  self->device_type = g_strdup (device_type);
  self->device_model = g_strdup (device_model);
  self->port = port;
  self->protocol = g_strdup (protocol);
  self->download = !!download;
  return self;
}

const char *
ssync_localsend_device_get_alias (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), NULL);
  return self->alias;
}

const char *
ssync_localsend_device_get_fingerprint (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), NULL);
  return self->fingerprint;
}

const char *
ssync_localsend_device_get_device_type (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), NULL);
  return self->device_type;
}

const char *
ssync_localsend_device_get_device_model (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), NULL);
  return self->device_model;
}

guint
ssync_localsend_device_get_port (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), 0);
  return self->port;
}

const char *
ssync_localsend_device_get_protocol (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), NULL);
  return self->protocol;
}

gboolean
ssync_localsend_device_get_download (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), FALSE);
  return self->download;
}

const char *
ssync_localsend_device_get_address (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), NULL);
  return self->address;
}

/* Replaces *@field with a copy of @value and notifies @prop when they differ. */
static void
set_string (SsyncLocalsendDevice  *self,
            char                 **field,
            const char            *value,
            guint                  prop)
{
  /* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
ssync_localsend_device_set_address (SsyncLocalsendDevice *self,
                                    const char           *address)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self));
  set_string (self, &self->address, address, PROP_ADDRESS);
}

gint64
ssync_localsend_device_get_last_seen (SsyncLocalsendDevice *self)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), 0);
  return self->last_seen;
}

void
ssync_localsend_device_set_last_seen (SsyncLocalsendDevice *self,
                                      gint64                last_seen)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self));

  if (self->last_seen == last_seen)
    return;
  self->last_seen = last_seen;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEEN]);
}

/* Takes every field of @from but the fingerprint (the identity, which the caller matched on);
 * the address and last-seen only when @from has them. */
void
ssync_localsend_device_update (SsyncLocalsendDevice *self,
                               SsyncLocalsendDevice *from)
{
  g_return_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self));
  g_return_if_fail (SSYNC_IS_LOCALSEND_DEVICE (from));

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->alias, from->alias, PROP_ALIAS);
  set_string (self, &self->device_type, from->device_type, PROP_DEVICE_TYPE);
  set_string (self, &self->device_model, from->device_model, PROP_DEVICE_MODEL);
  set_string (self, &self->protocol, from->protocol, PROP_PROTOCOL);
  if (self->port != from->port)
    {
      self->port = from->port;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }
  if (self->download != from->download)
    {
      self->download = from->download;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOWNLOAD]);
    }
  if (from->address != NULL)
    set_string (self, &self->address, from->address, PROP_ADDRESS);
  if (from->last_seen != 0)
    ssync_localsend_device_set_last_seen (self, from->last_seen);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Whether @target (what a user typed after --send-to) names this device: its alias exactly,
 * or its fingerprint in any case. */
gboolean
ssync_localsend_device_matches (SsyncLocalsendDevice *self,
                                const char           *target)
{
  g_return_val_if_fail (SSYNC_IS_LOCALSEND_DEVICE (self), FALSE);

  return target != NULL &&
         (g_strcmp0 (self->alias, target) == 0 ||
          (self->fingerprint != NULL && g_ascii_strcasecmp (self->fingerprint, target) == 0));
}

/* The first 16 hex digits of @fingerprint in groups of four ("1A2B 3C4D 5E6F 7A8B"), in
 * uppercase: enough for a person to compare with what the other device shows. A fingerprint
 * that is not hex (LocalSend over HTTP uses a random string) is shown by its first 16
 * printable characters the same way. */
char *
ssync_device_short_fingerprint (const char *fingerprint)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint taken = 0;

  g_return_val_if_fail (fingerprint != NULL, NULL);

  for (const char *p = fingerprint; *p != '\0' && taken < 16; p++)
    {
      if (!g_ascii_isalnum (*p))
        continue;
      if (taken > 0 && taken % 4 == 0)
        g_string_append_c (text, ' ');
      g_string_append_c (text, g_ascii_toupper (*p));
      taken++;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Whether @fingerprint is a certificate fingerprint as LocalSend computes it: 64 hex digits
 * (the SHA-256 of the certificate), in either case. */
gboolean
ssync_device_fingerprint_is_valid (const char *fingerprint)
{
  guint i;

  if (fingerprint == NULL)
    return FALSE;
  for (i = 0; fingerprint[i] != '\0'; i++)
    if (!g_ascii_isxdigit (fingerprint[i]) || i >= 64)
      return FALSE;
  return i == 64;
}
