/* ssync-qr-paintable.c: encodes a string with libqrencode and draws the modules as
 * rectangles, black on white whatever the colour scheme, with a quiet zone, so that phone
 * cameras read it from the screen.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-ui"

#include "config.h"

#include <qrencode.h>
#include <string.h>

#include "ssync-qr-paintable.h"

/* Pixels per module when nothing asks for another size: a link of a LAN address and a
 * 128-bit token needs about 33 modules, so the code is around 330 pixels wide. */
#define DEFAULT_MODULE_SIZE 8

struct _SsyncQrPaintable
{
  GObject parent_instance;

  char *text;
  guint width;       /* modules per side, without the quiet zone; 0 if encoding failed */
  guint8 *modules;   /* width × width, row by row, TRUE for dark */
};

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SsyncQrPaintable, ssync_qr_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, paintable_iface_init))

static guint
total_modules (SsyncQrPaintable *self)
{
  return self->width + 2 * SSYNC_QR_QUIET_ZONE;
}

static void
ssync_qr_paintable_snapshot (GdkPaintable *paintable,
                             GdkSnapshot  *snapshot,
                             double        width,
                             double        height)
{
  SsyncQrPaintable *self = SSYNC_QR_PAINTABLE (paintable);
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA black = { 0, 0, 0, 1 };
  double side = MIN (width, height);
  guint total = total_modules (self);
  guint quiet = SSYNC_QR_QUIET_ZONE;
  double module;
  double x0, y0;

  if (self->width == 0 || side <= 0)
    return;

  /* Whole pixels per module keep the edges sharp; only a code drawn smaller than one
   * pixel per module falls back to fractions. */
  module = side / total >= 1 ? (guint) (side / total) : side / total;
  x0 = (guint) ((width - module * total) / 2);
  y0 = (guint) ((height - module * total) / 2);

  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT (x0, y0, module * total, module * total));

  /* One rectangle per horizontal run of dark modules rather than one per module. */
  for (guint y = 0; y < self->width; y++)
    {
      guint x = 0;

      while (x < self->width)
        {
          guint start;

          if (!self->modules[y * self->width + x])
            {
              x++;
              continue;
            }
          start = x;
          while (x < self->width && self->modules[y * self->width + x])
            x++;
          gtk_snapshot_append_color (snapshot, &black,
                                     &GRAPHENE_RECT_INIT (x0 + (quiet + start) * module,
                                                          y0 + (quiet + y) * module,
                                                          (x - start) * module, module));
        }
    }
}

static int
ssync_qr_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  return total_modules (SSYNC_QR_PAINTABLE (paintable)) * DEFAULT_MODULE_SIZE;
}

static int
ssync_qr_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  return total_modules (SSYNC_QR_PAINTABLE (paintable)) * DEFAULT_MODULE_SIZE;
}

static GdkPaintableFlags
ssync_qr_paintable_get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_SIZE | GDK_PAINTABLE_STATIC_CONTENTS;
}

static void
paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = ssync_qr_paintable_snapshot;
  iface->get_intrinsic_width = ssync_qr_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = ssync_qr_paintable_get_intrinsic_height;
  iface->get_flags = ssync_qr_paintable_get_flags;
}

static void
encode (SsyncQrPaintable *self)
{
  QRcode *code;

  /* Level M survives a smudged screen or a glare and still keeps the code small. */
  code = QRcode_encodeString8bit (self->text, 0, QR_ECLEVEL_M);
  if (code == NULL)
    {
      g_warning ("Cannot encode a QR code of %zu bytes", strlen (self->text));
      return;
    }

  self->width = code->width;
  self->modules = g_new (guint8, (gsize) code->width * code->width);
  /* Bit 0 of each byte is the module's colour; the others describe its role. */
  for (gsize i = 0; i < (gsize) code->width * code->width; i++)
    self->modules[i] = code->data[i] & 1;
  QRcode_free (code);
}

static void
ssync_qr_paintable_constructed (GObject *object)
{
  SsyncQrPaintable *self = SSYNC_QR_PAINTABLE (object);

  G_OBJECT_CLASS (ssync_qr_paintable_parent_class)->constructed (object);

  if (self->text != NULL)
    encode (self);
}

static void
ssync_qr_paintable_finalize (GObject *object)
{
  SsyncQrPaintable *self = SSYNC_QR_PAINTABLE (object);

  g_free (self->text);
  g_free (self->modules);

  G_OBJECT_CLASS (ssync_qr_paintable_parent_class)->finalize (object);
}

static void
ssync_qr_paintable_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SsyncQrPaintable *self = SSYNC_QR_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_qr_paintable_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SsyncQrPaintable *self = SSYNC_QR_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      self->text = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ssync_qr_paintable_class_init (SsyncQrPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ssync_qr_paintable_constructed;
  object_class->finalize = ssync_qr_paintable_finalize;
  object_class->get_property = ssync_qr_paintable_get_property;
  object_class->set_property = ssync_qr_paintable_set_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ssync_qr_paintable_init (SsyncQrPaintable *self)
{
}

SsyncQrPaintable *
ssync_qr_paintable_new (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  return g_object_new (SSYNC_TYPE_QR_PAINTABLE, "text", text, NULL);
}

const char *
ssync_qr_paintable_get_text (SsyncQrPaintable *self)
{
  g_return_val_if_fail (SSYNC_IS_QR_PAINTABLE (self), NULL);

  return self->text;
}

/* Modules per side, without the quiet zone; 0 when the text could not be encoded. */
guint
ssync_qr_paintable_get_module_count (SsyncQrPaintable *self)
{
  g_return_val_if_fail (SSYNC_IS_QR_PAINTABLE (self), 0);

  return self->width;
}

/* Whether the module at @x, @y (quiet zone not counted) is dark. */
gboolean
ssync_qr_paintable_get_module (SsyncQrPaintable *self,
                               guint             x,
                               guint             y)
{
  g_return_val_if_fail (SSYNC_IS_QR_PAINTABLE (self), FALSE);
  g_return_val_if_fail (x < self->width && y < self->width, FALSE);

  return self->modules[y * self->width + x];
}
