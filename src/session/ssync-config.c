/* ssync-config.c: the settings of a run (ssync-config.h says which and who fills them).
 *
 * The values live in a GValue per property, described by one table, so that a setting is
 * added in one line and every setting can be set from text (the command line and the
 * environment) with its range checked in one place.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-session"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-config.h"
#include "ssync-error.h"

typedef struct {
  const char *name;
  GType type;
  gint64 min;
  gint64 max;
  gint64 number;      /* the default of a number or a boolean */
  const char *text;   /* the default of a string */
} Setting;

#define DAY (24 * 60 * 60)

/* The defaults are the values ShareSync had before they could be set. */
static const Setting settings[] = {
  { "bind-address", G_TYPE_STRING },
  { "port", G_TYPE_INT, -1, 65535, -1 },
  { "max-connections", G_TYPE_UINT, 1, 65536, 256 },
  { "idle-timeout", G_TYPE_UINT, 1, DAY, 60 },
  { "header-timeout", G_TYPE_UINT, 1, 3600, 10 },
  { "upload-expiry", G_TYPE_UINT, 1, G_MAXINT32, DAY },
  { "room-grace", G_TYPE_UINT, 0, DAY, 60 },
  { "accept-timeout", G_TYPE_UINT, 1, G_MAXINT32, 300 },
  { "cleanup-interval", G_TYPE_UINT, 1, DAY, 30 },
  { "history-days", G_TYPE_UINT, 0, 100 * 365, 0 },
  { "auto-accept", G_TYPE_BOOLEAN, 0, 1, TRUE },
  { "max-upload-size", G_TYPE_UINT64, 0, G_MAXINT64, 0 },
  { "default-lifetime", G_TYPE_INT64, 0, G_MAXINT32, 0 },
  { "default-max-downloads", G_TYPE_UINT, 0, G_MAXINT32, 0 },
  { "stun-server", G_TYPE_STRING },
  { "turn-server", G_TYPE_STRING },
  { "turn-username", G_TYPE_STRING },
  { "rtc-hidden-plugin", G_TYPE_STRING },
  { "s3-endpoint", G_TYPE_STRING },
  { "s3-region", G_TYPE_STRING, 0, 0, 0, "us-east-1" },
  { "s3-bucket", G_TYPE_STRING },
  { "s3-access-key", G_TYPE_STRING },
  { "s3-path-style", G_TYPE_BOOLEAN, 0, 1, TRUE },
  { "s3-part-size", G_TYPE_UINT64, 1, G_GINT64_CONSTANT (5) << 30, 16 * 1024 * 1024 },
  { "s3-parallel", G_TYPE_UINT, 1, 64, 4 },
  { "s3-attempts", G_TYPE_UINT, 1, 100, 6 },
  { "s3-ca-file", G_TYPE_STRING },
  { "nearby", G_TYPE_BOOLEAN, 0, 1, TRUE },
  { "alias", G_TYPE_STRING },
  { "localsend-port", G_TYPE_UINT, 0, 65535, 53317 },
  { "announce-interval", G_TYPE_UINT, 1, DAY, 30 },
  { "device-timeout", G_TYPE_UINT, 1, DAY, 120 },
  { "fetch-over", G_TYPE_STRING, 0, 0, 0, "auto" },
};

#define N_PROPS (G_N_ELEMENTS (settings) + 1)

struct _SsyncConfig
{
  GObject parent_instance;

  GValue values[N_PROPS];  /* indexed by property id; 0 is unused */
};

G_DEFINE_FINAL_TYPE (SsyncConfig, ssync_config, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
ssync_config_finalize (GObject *object)
{
  SsyncConfig *self = SSYNC_CONFIG (object);

  for (guint i = 1; i < N_PROPS; i++)
    g_value_unset (&self->values[i]);

  G_OBJECT_CLASS (ssync_config_parent_class)->finalize (object);
}

static void
ssync_config_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SsyncConfig *self = SSYNC_CONFIG (object);

  if (prop_id == 0 || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_value_copy (&self->values[prop_id], value);
}

static void
ssync_config_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SsyncConfig *self = SSYNC_CONFIG (object);

  if (prop_id == 0 || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  /* Only a change is announced, so that followers (a new S3 client, new ICE servers) do
   * not redo their work when GSettings repeats a value. */
  if (g_param_values_cmp (pspec, &self->values[prop_id], value) == 0)
    return;
  g_value_copy (value, &self->values[prop_id]);
  g_object_notify_by_pspec (object, pspec);
}

static GParamSpec *
make_pspec (const Setting *setting)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  switch (setting->type)
    {
    case G_TYPE_STRING:
      return g_param_spec_string (setting->name, NULL, NULL, setting->text, flags);
    case G_TYPE_BOOLEAN:
      return g_param_spec_boolean (setting->name, NULL, NULL, setting->number, flags);
    case G_TYPE_INT:
      return g_param_spec_int (setting->name, NULL, NULL, setting->min, setting->max,
                               setting->number, flags);
    case G_TYPE_UINT:
      return g_param_spec_uint (setting->name, NULL, NULL, setting->min, setting->max,
                                setting->number, flags);
    case G_TYPE_INT64:
      return g_param_spec_int64 (setting->name, NULL, NULL, setting->min, setting->max,
                                 setting->number, flags);
    case G_TYPE_UINT64:
      return g_param_spec_uint64 (setting->name, NULL, NULL, setting->min, setting->max,
                                  setting->number, flags);
    default:
      g_assert_not_reached ();
    }
}

static void
ssync_config_class_init (SsyncConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ssync_config_finalize;
  object_class->get_property = ssync_config_get_property;
  object_class->set_property = ssync_config_set_property;

  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    properties[i + 1] = make_pspec (&settings[i]);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ssync_config_init (SsyncConfig *self)
{
  for (guint i = 1; i < N_PROPS; i++)
    {
      g_value_init (&self->values[i], properties[i]->value_type);
      g_param_value_set_default (properties[i], &self->values[i]);
    }
}

SsyncConfig *
ssync_config_new (void)
{
  return g_object_new (SSYNC_TYPE_CONFIG, NULL);
}

/* The value of the setting @name, which must be of @type: a misspelt name is a programming
 * error, caught at the first run. */
static const GValue *
lookup (SsyncConfig *self,
        const char  *name,
        GType        type)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), name);

  g_return_val_if_fail (pspec != NULL, NULL);
  g_return_val_if_fail (pspec->value_type == type, NULL);
  return &self->values[pspec->param_id];
}

/* NULL for an empty string, so that callers test one thing. */
const char *
ssync_config_get_string (SsyncConfig *self,
                         const char  *name)
{
  const GValue *value;
  const char *text;

  g_return_val_if_fail (SSYNC_IS_CONFIG (self), NULL);

  value = lookup (self, name, G_TYPE_STRING);
  text = value != NULL ? g_value_get_string (value) : NULL;
  return text != NULL && *text != '\0' ? text : NULL;
}

guint
ssync_config_get_uint (SsyncConfig *self,
                       const char  *name)
{
  const GValue *value;

  g_return_val_if_fail (SSYNC_IS_CONFIG (self), 0);

  value = lookup (self, name, G_TYPE_UINT);
  return value != NULL ? g_value_get_uint (value) : 0;
}

int
ssync_config_get_int (SsyncConfig *self,
                      const char  *name)
{
  const GValue *value;

  g_return_val_if_fail (SSYNC_IS_CONFIG (self), 0);

  value = lookup (self, name, G_TYPE_INT);
  return value != NULL ? g_value_get_int (value) : 0;
}

gint64
ssync_config_get_int64 (SsyncConfig *self,
                        const char  *name)
{
  const GValue *value;

  g_return_val_if_fail (SSYNC_IS_CONFIG (self), 0);

  value = lookup (self, name, G_TYPE_INT64);
  return value != NULL ? g_value_get_int64 (value) : 0;
}

guint64
ssync_config_get_uint64 (SsyncConfig *self,
                         const char  *name)
{
  const GValue *value;

  g_return_val_if_fail (SSYNC_IS_CONFIG (self), 0);

  value = lookup (self, name, G_TYPE_UINT64);
  return value != NULL ? g_value_get_uint64 (value) : 0;
}

gboolean
ssync_config_get_boolean (SsyncConfig *self,
                          const char  *name)
{
  const GValue *value;

  g_return_val_if_fail (SSYNC_IS_CONFIG (self), FALSE);

  value = lookup (self, name, G_TYPE_BOOLEAN);
  return value != NULL && g_value_get_boolean (value);
}

static gboolean
parse_boolean (const char *text,
               gboolean   *result)
{
  const char *yes[] = { "1", "true", "yes", "on" };
  const char *no[] = { "0", "false", "no", "off" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0 || g_ascii_strcasecmp (text, no[i]) == 0)
      {
        *result = g_ascii_strcasecmp (text, yes[i]) == 0;
        return TRUE;
      }
  return FALSE;
}

/* Sets the setting @name from @text (the command line, an environment variable), checked
 * against the setting's range; on error the setting keeps its value. */
gboolean
ssync_config_set_from_string (SsyncConfig  *self,
                              const char   *name,
                              const char   *text,
                              GError      **error)
{
  GParamSpec *pspec;
  g_auto(GValue) value = G_VALUE_INIT;
  const Setting *setting;
  gboolean ok = TRUE;

  g_return_val_if_fail (SSYNC_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), name);
  g_return_val_if_fail (pspec != NULL, FALSE);
  setting = &settings[pspec->param_id - 1];
  g_value_init (&value, pspec->value_type);

  switch (setting->type)
    {
    case G_TYPE_STRING:
      g_value_set_string (&value, text);
      break;
    case G_TYPE_BOOLEAN:
      {
        gboolean flag = FALSE;

        ok = parse_boolean (text, &flag);
        if (!ok)
          g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not yes or no"), text);
        g_value_set_boolean (&value, flag);
      }
      break;
    default:
      {
        gint64 number = 0;
        guint64 unsigned_number = 0;

        if (setting->min < 0)
          ok = g_ascii_string_to_signed (text, 10, setting->min, setting->max, &number, NULL);
        else
          ok = g_ascii_string_to_unsigned (text, 10, setting->min, setting->max,
                                           &unsigned_number, NULL);
        if (!ok)
          {
            g_autofree char *min = g_strdup_printf ("%" G_GINT64_FORMAT, setting->min);
            g_autofree char *max = g_strdup_printf ("%" G_GINT64_FORMAT, setting->max);

            /* TRANSLATORS: "“-5” is not a whole number from 1 to 65536". The numbers go in
             * as text: xgettext cuts a msgid at G_GINT64_FORMAT. */
            g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                         _("“%s” is not a whole number from %s to %s"), text, min, max);
            break;
          }
        if (setting->min >= 0)
          number = unsigned_number;
        if (setting->type == G_TYPE_INT)
          g_value_set_int (&value, number);
        else if (setting->type == G_TYPE_UINT)
          g_value_set_uint (&value, number);
        else if (setting->type == G_TYPE_INT64)
          g_value_set_int64 (&value, number);
        else
          g_value_set_uint64 (&value, number);
      }
      break;
    }

  if (ok)
    g_object_set_property (G_OBJECT (self), name, &value);
  return ok;
}
