/* ssync-duration.c: durations such as "90s", "30m", "2h" or "7d", read and written.
 *
 * A duration is a whole number followed by one unit letter, with nothing else: no spaces, no
 * sign, no fractions, no bare numbers. A bare "10" is refused rather than read as seconds,
 * because someone typing --expires 10 more likely means minutes or days than ten seconds.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-core"

#include "config.h"

#include <glib/gi18n.h>

#include "ssync-duration.h"
#include "ssync-error.h"

#define MINUTE G_GINT64_CONSTANT (60)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

/* Looks for every kind of space, including the no-break spaces that text copied from a web
 * page or a document brings along. */
static gboolean
has_space (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    {
      for (const char *p = text; *p; p++)
        if (g_ascii_isspace (*p))
          return TRUE;
      return FALSE;
    }

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static gint64
unit_seconds (char unit)
{
  switch (unit)
    {
    case 's':
      return 1;
    case 'm':
      return MINUTE;
    case 'h':
      return HOUR;
    case 'd':
      return DAY;
    default:
      return 0;
    }
}

/* Reads @text, such as "90s", "30m", "2h" or "7d", into @seconds. Durations run from 1 second
 * to SSYNC_DURATION_MAX_SECONDS, which keeps "now plus the duration" valid for GDateTime and
 * for microsecond arithmetic. Fails with SSYNC_ERROR_INVALID_ARGUMENT and a message that says
 * what is wrong with @text. */
gboolean
ssync_duration_parse (const char  *text,
                      gint64      *seconds,
                      GError     **error)
{
  g_autofree char *shown = NULL;
  const char *p;
  gint64 value = 0;
  gint64 unit;
  gboolean too_long = FALSE;

  g_return_val_if_fail (seconds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL || text[0] == '\0')
    {
      g_set_error_literal (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                           _("No duration given: write a number and a unit, "
                             "such as 30m, 2h or 7d"));
      return FALSE;
    }

  /* Command-line arguments need not be UTF-8, but error messages must be. */
  shown = g_utf8_make_valid (text, -1);

  if (has_space (text))
    {
      /* Translators: %s is the duration as typed, for example “2 h”. */
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” contains a space: write the number and the unit together, "
                     "such as 2h"), shown);
      return FALSE;
    }

  if (text[0] == '-')
    {
      /* Translators: %s is the duration as typed, for example “-5m”. */
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” is negative: a duration must be at least 1s"), shown);
      return FALSE;
    }

  if (!g_ascii_isdigit (text[0]))
    {
      /* Translators: %s is the duration as typed, for example “h”. */
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” does not start with a number: write a number and a unit, "
                     "such as 30m, 2h or 7d"), shown);
      return FALSE;
    }

  /* Past the longest duration the number only needs to be skipped, which also keeps this
   * sum from overflowing however many digits follow. */
  for (p = text; g_ascii_isdigit (*p); p++)
    {
      if (!too_long)
        value = value * 10 + (*p - '0');
      if (value > SSYNC_DURATION_MAX_SECONDS)
        too_long = TRUE;
    }

  if (*p == '.' || *p == ',')
    {
      /* Translators: %s is the duration as typed, for example “1.5h”. */
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a whole number: use a smaller unit, such as 90m for 1.5h"),
                   shown);
      return FALSE;
    }

  if (*p == '\0')
    {
      /* Translators: %s is the duration as typed, for example “10”. */
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” needs a unit: s, m, h or d"), shown);
      return FALSE;
    }

  unit = unit_seconds (*p);
  if (unit == 0 || p[1] != '\0')
    {
      /* Translators: %s is the duration as typed, for example “10min”. */
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” has an unknown unit: use s, m, h or d"), shown);
      return FALSE;
    }

  if (value == 0)
    {
      /* Translators: %s is the duration as typed, for example “0h”. */
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("“%s” is zero: a duration must be at least 1s"), shown);
      return FALSE;
    }

  if (too_long || value > SSYNC_DURATION_MAX_SECONDS / unit)
    {
      g_autofree char *longest = ssync_duration_format (SSYNC_DURATION_MAX_SECONDS);

      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   /* Translators: the first %s is the duration as typed, for example “999999d”,
                    * the second the longest one allowed, for example “36500 days”. */
                   _("“%s” is too long: a duration can be at most %s"), shown, longest);
      return FALSE;
    }

  *seconds = value * unit;
  return TRUE;
}

static char *
format_part (gint64 count,
             gint64 unit)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, count);
  gulong n = (gulong) MIN ((guint64) count, G_MAXULONG);

  if (unit == DAY)
    /* Translators: %s is a number. */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s day", "%s days", n), number);
  if (unit == HOUR)
    /* Translators: %s is a number. */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s hour", "%s hours", n), number);
  if (unit == MINUTE)
    /* Translators: %s is a number. */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s minute", "%s minutes", n), number);
  /* Translators: %s is a number. */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s second", "%s seconds", n), number);
}

/* Writes @seconds for people, as in "2 hours", "7 days" or "1 minute 30 seconds": whole days,
 * hours, minutes and seconds, leaving out those that are zero.
 *
 * Returns: (transfer full): the text */
char *
ssync_duration_format (gint64 seconds)
{
  static const gint64 units[] = { DAY, HOUR, MINUTE, 1 };
  g_autofree char *text = NULL;

  g_return_val_if_fail (seconds >= 0, NULL);

  if (seconds == 0)
    return format_part (0, 1);

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      g_autofree char *part = NULL;
      gint64 count = seconds / units[i];

      if (count == 0)
        continue;
      seconds %= units[i];
      part = format_part (count, units[i]);

      if (text == NULL)
        text = g_steal_pointer (&part);
      else
        {
          /* Translators: joins the parts of a duration, as in “1 hour” and “30 minutes”.
           * Change it if your language writes them in another way. */
          char *joined = g_strdup_printf (C_("duration", "%s %s"), text, part);

          g_free (text);
          text = joined;
        }
    }

  return g_steal_pointer (&text);
}

/* Writes @seconds as a column of a table wants it, as in "8 s", "3 min 4 s" or "2 h 5 min": its
 * largest two units, with their symbols.
 *
 * Returns: (transfer full): the text */
char *
ssync_duration_format_short (gint64 seconds)
{
  static const gint64 units[] = { DAY, HOUR, MINUTE, 1 };
  g_autofree char *first = NULL;

  g_return_val_if_fail (seconds >= 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      gint64 count = seconds / units[i];
      g_autofree char *number = NULL;
      g_autofree char *part = NULL;

      if (count == 0 && (first != NULL || units[i] != 1))
        {
          if (first != NULL)
            break;
          continue;
        }
      seconds %= units[i];
      number = g_strdup_printf ("%" G_GINT64_FORMAT, count);
      if (units[i] == DAY)
        /* Translators: a number of days, short, as in a table's column: "2 d". */
        part = g_strdup_printf (C_("duration, short", "%s d"), number);
      else if (units[i] == HOUR)
        /* Translators: a number of hours, short: "2 h". */
        part = g_strdup_printf (C_("duration, short", "%s h"), number);
      else if (units[i] == MINUTE)
        /* Translators: a number of minutes, short: "3 min". */
        part = g_strdup_printf (C_("duration, short", "%s min"), number);
      else
        /* Translators: a number of seconds, short: "8 s". */
        part = g_strdup_printf (C_("duration, short", "%s s"), number);

      if (first != NULL)
        /* Translators: joins the two parts of a short duration: "3 min" and "4 s". */
        return g_strdup_printf (C_("duration, short", "%s %s"), first, part);
      first = g_steal_pointer (&part);
    }
  return g_steal_pointer (&first);
}
