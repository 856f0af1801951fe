/* test-localsend-message.c: reading LocalSend device messages from strangers, and writing ours.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ssync-error.h"
#include "ssync-localsend-message.h"

/* A LocalSend v2 announcement, as its README shows it. */
#define ANNOUNCEMENT \
  "{\"alias\":\"Nice Orange\",\"version\":\"2.0\",\"deviceModel\":\"Samsung\"," \
  "\"deviceType\":\"mobile\",\"fingerprint\":\"random string\",\"port\":53317," \
  "\"protocol\":\"https\",\"download\":true,\"announce\":true}"

static SsyncLocalsendDevice *
parse (const char  *text,
       gboolean    *announce,
       GError     **error)
{
  return ssync_localsend_message_parse (text, strlen (text), announce, error);
}

static void
test_parse_announcement (void)
{
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  gboolean announce = FALSE;

  device = parse (ANNOUNCEMENT, &announce, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
  g_assert_true (announce);
  g_assert_cmpstr (ssync_localsend_device_get_alias (device), ==, "Nice Orange");
  g_assert_cmpstr (ssync_localsend_device_get_fingerprint (device), ==, "random string");
  g_assert_cmpstr (ssync_localsend_device_get_device_type (device), ==, "mobile");
  g_assert_cmpstr (ssync_localsend_device_get_device_model (device), ==, "Samsung");
  g_assert_cmpuint (ssync_localsend_device_get_port (device), ==, 53317);
  g_assert_cmpstr (ssync_localsend_device_get_protocol (device), ==, "https");
  g_assert_true (ssync_localsend_device_get_download (device));
  g_assert_null (ssync_localsend_device_get_address (device));
  g_assert_cmpint (ssync_localsend_device_get_last_seen (device), ==, 0);
}

/* LocalSend v1 sends no version, model, type, port, protocol or download, and says
 * "announcement"; its apps must still be seen. */
static void
test_parse_v1_and_defaults (void)
{
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  gboolean announce = FALSE;

  device = parse ("{\"alias\":\"Old\",\"fingerprint\":\"abc\",\"announcement\":true}",
                  &announce, &error);
  g_assert_no_error (error);
  g_assert_true (announce);
  g_assert_cmpstr (ssync_localsend_device_get_device_type (device), ==, "desktop");
  g_assert_null (ssync_localsend_device_get_device_model (device));
  g_assert_cmpuint (ssync_localsend_device_get_port (device), ==, SSYNC_LOCALSEND_DEFAULT_PORT);
  g_assert_cmpstr (ssync_localsend_device_get_protocol (device), ==, "https");
  g_assert_false (ssync_localsend_device_get_download (device));
  g_clear_object (&device);

  /* Nulls read as missing; an answer (announce false) and a register body (no announce). */
  device = parse ("{\"alias\":\"N\",\"fingerprint\":\"f\",\"version\":null,\"deviceModel\":null,"
                  "\"deviceType\":null,\"port\":null,\"protocol\":null,\"download\":null,"
                  "\"announce\":false}", &announce, &error);
  g_assert_no_error (error);
  g_assert_false (announce);
  g_clear_object (&device);

  announce = TRUE;
  device = parse ("{\"alias\":\"N\",\"fingerprint\":\"f\",\"port\":1,\"protocol\":\"http\"}",
                  &announce, &error);
  g_assert_no_error (error);
  g_assert_false (announce);
  g_assert_cmpuint (ssync_localsend_device_get_port (device), ==, 1);
  g_assert_cmpstr (ssync_localsend_device_get_protocol (device), ==, "http");
  g_clear_object (&device);

  /* An unknown device type reads as desktop, as LocalSend does; an empty model as none. */
  device = parse ("{\"alias\":\"N\",\"fingerprint\":\"f\",\"deviceType\":\"toaster\","
                  "\"deviceModel\":\"\",\"port\":65535,\"extra\":{\"a\":[1,2]}}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ssync_localsend_device_get_device_type (device), ==, "desktop");
  g_assert_null (ssync_localsend_device_get_device_model (device));
  g_assert_cmpuint (ssync_localsend_device_get_port (device), ==, 65535);
}

static void
test_parse_unicode_alias (void)
{
  /* 64 characters of 3 bytes each, an emoji with zero-width joiners, and accents. */
  g_autoptr(GString) long_alias = g_string_new ("{\"alias\":\"");
  const char *good[] = {
    "{\"alias\":\"Zoë’s Laptop\",\"fingerprint\":\"f\"}",
    "{\"alias\":\"\\ud83d\\udc68\\u200d\\ud83d\\udc69\\u200d\\ud83d\\udc67 Family\","
    "\"fingerprint\":\"f\"}",
    "{\"alias\":\"日本語のデバイス\",\"fingerprint\":\"f\"}",
  };

  for (guint i = 0; i < 64; i++)
    g_string_append (long_alias, "語");
  g_string_append (long_alias, "\",\"fingerprint\":\"f\"}");

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(SsyncLocalsendDevice) device = NULL;
      g_autoptr(GError) error = NULL;

      device = parse (good[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_utf8_validate (ssync_localsend_device_get_alias (device), -1, NULL));
    }

  {
    g_autoptr(SsyncLocalsendDevice) device = parse (long_alias->str, NULL, NULL);

    g_assert_nonnull (device);
    g_assert_cmpint (g_utf8_strlen (ssync_localsend_device_get_alias (device), -1), ==, 64);
  }
}

typedef struct {
  const char *what;
  const char *text;
  const char *message;
} BadCase;

static const BadCase bad_cases[] = {
  { "empty", "", "The message is empty" },
  { "not JSON", "hello", "The message is not a JSON object" },
  { "bad JSON in an object", "{alias: 1}", "The message is not JSON" },
  { "truncated", "{\"alias\":\"a\",\"fingerprint\":\"f\"", "The message is not JSON" },
  { "array", "[1,2,3]", "The message is not a JSON object" },
  { "JavaScript", "var x = {\"alias\":\"a\",\"fingerprint\":\"f\"};",
    "The message is not a JSON object" },
  { "blank", " \n\t", "The message is not a JSON object" },
  { "value then object", "0{\"alias\":\"a\",\"fingerprint\":\"f\"}",
    "The message is not a JSON object" },
  { "object then more", "{\"alias\":\"a\",\"fingerprint\":\"f\"} {}",
    "The message has more after its JSON object" },
  { "object then a value", "{\"alias\":\"a\",\"fingerprint\":\"f\"}0",
    "The message has more after its JSON object" },
  { "string", "\"alias\"", "The message is not a JSON object" },
  { "number", "53317", "The message is not a JSON object" },
  { "null", "null", "The message is not a JSON object" },
  { "invalid UTF-8", "{\"alias\":\"\xff\xfe\",\"fingerprint\":\"f\"}",
    "The message is not UTF-8 text" },
  { "overlong UTF-8", "{\"alias\":\"\xc0\xaf\",\"fingerprint\":\"f\"}",
    "The message is not UTF-8 text" },
  { "deep nesting", "{\"a\":[[[[[[[[[[1]]]]]]]]]]}", "The message nests too deep" },
  /* Missing or wrongly typed identity. */
  { "no alias", "{\"fingerprint\":\"f\"}", "“alias” is missing or not a string" },
  { "null alias", "{\"alias\":null,\"fingerprint\":\"f\"}", "“alias” is missing or not a string" },
  { "number alias", "{\"alias\":5,\"fingerprint\":\"f\"}", "“alias” is missing or not a string" },
  { "object alias", "{\"alias\":{},\"fingerprint\":\"f\"}", "“alias” is missing or not a string" },
  { "array alias", "{\"alias\":[\"a\"],\"fingerprint\":\"f\"}",
    "“alias” is missing or not a string" },
  { "empty alias", "{\"alias\":\"\",\"fingerprint\":\"f\"}",
    "“alias” is empty, too long or has control characters" },
  { "blank alias", "{\"alias\":\"   \",\"fingerprint\":\"f\"}",
    "“alias” is empty, too long or has control characters" },
  { "newline in alias", "{\"alias\":\"a\\nb\",\"fingerprint\":\"f\"}",
    "“alias” is empty, too long or has control characters" },
  { "escape in alias", "{\"alias\":\"\\u001b[31mred\",\"fingerprint\":\"f\"}",
    "“alias” is empty, too long or has control characters" },
  { "right-to-left override in alias", "{\"alias\":\"a\\u202eb\",\"fingerprint\":\"f\"}",
    "“alias” is empty, too long or has control characters" },
  { "line separator in alias", "{\"alias\":\"a\\u2028b\",\"fingerprint\":\"f\"}",
    "“alias” is empty, too long or has control characters" },
  { "NUL escape in alias", "{\"alias\":\"a\\u0000b\",\"fingerprint\":\"f\"}",
    "The message has a NUL character" },
  { "NUL escape in fingerprint", "{\"alias\":\"a\",\"fingerprint\":\"\\u0000\"}",
    "The message has a NUL character" },
  /* Escapes json-glib would misread or leak on. */
  { "lone high surrogate in alias", "{\"alias\":\"a\\ud83d\",\"fingerprint\":\"f\"}",
    "The message has an invalid escape" },
  { "lone low surrogate in alias", "{\"alias\":\"\\udc00b\",\"fingerprint\":\"f\"}",
    "The message has an invalid escape" },
  { "high surrogate then a bad escape", "{\"alias\":\"\\ud83d\\uttttdc69\",\"fingerprint\":\"f\"}",
    "The message has an invalid escape" },
  { "high surrogate then another high", "{\"alias\":\"\\ud83d\\ud83d\",\"fingerprint\":\"f\"}",
    "The message has an invalid escape" },
  { "short escape", "{\"alias\":\"\\u12\",\"fingerprint\":\"f\"}",
    "The message has an invalid escape" },
  { "escape at the end", "{\"alias\":\"\\u", "The message has an invalid escape" },
  { "65-character alias",
    "{\"alias\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
    "\"fingerprint\":\"f\"}", "“alias” is empty, too long or has control characters" },
  { "no fingerprint", "{\"alias\":\"a\"}", "“fingerprint” is missing or not a string" },
  { "number fingerprint", "{\"alias\":\"a\",\"fingerprint\":1}",
    "“fingerprint” is missing or not a string" },
  { "empty fingerprint", "{\"alias\":\"a\",\"fingerprint\":\"\"}",
    "“fingerprint” is empty, too long or not printable ASCII" },
  { "non-ASCII fingerprint", "{\"alias\":\"a\",\"fingerprint\":\"é\"}",
    "“fingerprint” is empty, too long or not printable ASCII" },
  { "tab in fingerprint", "{\"alias\":\"a\",\"fingerprint\":\"a\\tb\"}",
    "“fingerprint” is empty, too long or not printable ASCII" },
  /* Optional fields of the wrong type. */
  { "number version", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"version\":2.0}",
    "“version” is not a string" },
  { "long version", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"version\":\"12345678901234567\"}",
    "“version” is empty, too long or not printable ASCII" },
  { "boolean model", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"deviceModel\":true}",
    "“deviceModel” is not a string" },
  { "control in model", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"deviceModel\":\"a\\rb\"}",
    "“deviceModel” is too long or has control characters" },
  { "number type", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"deviceType\":1}",
    "“deviceType” is not a string" },
  { "array type", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"deviceType\":[\"mobile\"]}",
    "“deviceType” is not a string" },
  { "string port", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":\"53317\"}",
    "“port” is not an integer" },
  { "fractional port", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":53317.5}",
    "“port” is not an integer" },
  { "float port", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":53317.0}",
    "“port” is not an integer" },
  { "exponent port", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":1e400}",
    "“port” is not an integer" },
  { "boolean port", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":true}",
    "“port” is not an integer" },
  { "port 0", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":0}",
    "“port” is not between 1 and 65535" },
  { "negative port", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":-1}",
    "“port” is not between 1 and 65535" },
  { "port 65536", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":65536}",
    "“port” is not between 1 and 65535" },
  { "huge port", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"port\":9223372036854775807}",
    "“port” is not between 1 and 65535" },
  { "unknown protocol", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"protocol\":\"ftp\"}",
    "“protocol” is neither “http” nor “https”" },
  { "upper-case protocol", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"protocol\":\"HTTPS\"}",
    "“protocol” is neither “http” nor “https”" },
  { "number protocol", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"protocol\":443}",
    "“protocol” is not a string" },
  { "string download", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"download\":\"true\"}",
    "“download” is not a boolean" },
  { "string announce", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"announce\":\"true\"}",
    "“announce” is not a boolean" },
  { "number announce", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"announce\":1}",
    "“announce” is not a boolean" },
  { "object announcement", "{\"alias\":\"a\",\"fingerprint\":\"f\",\"announcement\":{}}",
    "“announcement” is not a boolean" },
};

static void
test_parse_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autoptr(SsyncLocalsendDevice) device = NULL;
      g_autoptr(GError) error = NULL;
      gboolean announce = TRUE;

      g_test_message ("Bad message: %s", c->what);
      device = parse (c->text, &announce, &error);
      g_assert_null (device);
      g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, c->message);
      g_assert_false (announce);
    }
}

/* The length is what counts, not a NUL: bytes after @length are not read, a NUL inside is
 * refused, and so is anything over the limit, whatever it holds. */
static void
test_parse_length (void)
{
  static const char with_nul[] = "{\"alias\":\"a\",\"fingerprint\":\"f\"}\0{\"x\":1}";
  g_autofree char *padded = NULL;
  g_autofree char *unterminated = NULL;
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  gsize message_length = strlen (with_nul);

  device = ssync_localsend_message_parse (with_nul, sizeof with_nul - 1, NULL, &error);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
  g_assert_null (device);
  g_clear_error (&error);

  /* Exactly the message, from a buffer with no NUL after it. */
  unterminated = g_malloc (message_length);
  memcpy (unterminated, with_nul, message_length);
  device = ssync_localsend_message_parse (unterminated, message_length, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
  g_clear_object (&device);

  /* Whitespace padding to just over the limit. */
  padded = g_malloc (SSYNC_LOCALSEND_MAX_MESSAGE + 2);
  memset (padded, ' ', SSYNC_LOCALSEND_MAX_MESSAGE + 1);
  memcpy (padded, with_nul, message_length);
  padded[SSYNC_LOCALSEND_MAX_MESSAGE + 1] = '\0';
  device = ssync_localsend_message_parse (padded, SSYNC_LOCALSEND_MAX_MESSAGE + 1, NULL, &error);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "The message is too large");
  g_clear_error (&error);
  device = ssync_localsend_message_parse (padded, SSYNC_LOCALSEND_MAX_MESSAGE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
}

/* Nesting far past the limit inside a string is text, not nesting; outside it is refused
 * before json-glib's recursive parser sees it. */
static void
test_parse_nesting (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"alias\":\"a\",\"fingerprint\":\"f\",\"x\":");
  g_autoptr(GString) quoted = g_string_new ("{\"alias\":\"a\",\"fingerprint\":\"f\",\"x\":\"");
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10000; i++)
    {
      g_string_append_c (deep, '[');
      g_string_append (quoted, "[{\\\"");
    }
  g_string_append (deep, "]}");
  g_string_append (quoted, "\"}");

  device = parse (deep->str, NULL, &error);
  g_assert_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "The message nests too deep");
  g_clear_error (&error);

  device = parse (quoted->str, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (device);
}

/* What we send reads back as what we are, with and without "announce". */
static void
test_build_round_trip (void)
{
  const SsyncLocalsendIdentity me = {
    .alias = "Zoë \"quoted\" \\ Desk",
    .fingerprint = "0123456789ABCDEF",
    .device_type = "headless",
    .device_model = NULL,
    .port = 53318,
    .protocol = "https",
  };

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = NULL;
      g_autoptr(SsyncLocalsendDevice) device = NULL;
      g_autoptr(GError) error = NULL;
      gboolean announce = i != 1;

      text = i < 2 ? ssync_localsend_message_build (&me, i == 0)
                   : ssync_localsend_message_build_info (&me);
      g_assert_nonnull (strstr (text, "\"version\":\"2.1\""));
      g_assert_nonnull (strstr (text, "\"deviceModel\":null"));
      g_assert_true ((strstr (text, "\"announce\"") != NULL) == (i < 2));
      device = parse (text, &announce, &error);
      g_assert_no_error (error);
      g_assert_true (announce == (i == 0));
      g_assert_cmpstr (ssync_localsend_device_get_alias (device), ==, me.alias);
      g_assert_cmpstr (ssync_localsend_device_get_fingerprint (device), ==, me.fingerprint);
      g_assert_cmpstr (ssync_localsend_device_get_device_type (device), ==, "headless");
      g_assert_null (ssync_localsend_device_get_device_model (device));
      g_assert_cmpuint (ssync_localsend_device_get_port (device), ==, 53318);
      g_assert_cmpstr (ssync_localsend_device_get_protocol (device), ==, "https");
      g_assert_false (ssync_localsend_device_get_download (device));
    }
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           GString    *names)
{
  g_string_append_printf (names, "%s;", pspec->name);
}

/* A device seen again is updated in place, notifying only what changed. */
static void
test_device_update (void)
{
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(SsyncLocalsendDevice) again = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *json = NULL;

  device = ssync_localsend_device_new ("Phone", "fp", "mobile", "Pixel", 53317, "https", FALSE);
  ssync_localsend_device_set_address (device, "198.18.7.2");
  ssync_localsend_device_set_last_seen (device, 100);
  g_signal_connect (device, "notify", G_CALLBACK (on_notify), names);

  again = ssync_localsend_device_new ("Phone 2", "fp", "mobile", "Pixel", 53317, "http", FALSE);
  ssync_localsend_device_set_last_seen (again, 200);
  ssync_localsend_device_update (device, again);
  /* Notifications are queued while frozen and come in no promised order. */
  g_assert_cmpuint (strlen (names->str), ==, strlen ("alias;protocol;last-seen;"));
  g_assert_nonnull (strstr (names->str, "alias;"));
  g_assert_nonnull (strstr (names->str, "protocol;"));
  g_assert_nonnull (strstr (names->str, "last-seen;"));
  g_assert_cmpstr (ssync_localsend_device_get_address (device), ==, "198.18.7.2");
  g_assert_cmpint (ssync_localsend_device_get_last_seen (device), ==, 200);

  json = ssync_localsend_message_describe (device);
  g_assert_cmpstr (json, ==, "{\"alias\":\"Phone 2\",\"fingerprint\":\"fp\","
                   "\"device_type\":\"mobile\",\"device_model\":\"Pixel\","
                   "\"address\":\"198.18.7.2\",\"port\":53317,\"protocol\":\"http\"}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/localsend-message/parse/announcement", test_parse_announcement);
  g_test_add_func ("/localsend-message/parse/v1-and-defaults", test_parse_v1_and_defaults);
  g_test_add_func ("/localsend-message/parse/unicode-alias", test_parse_unicode_alias);
  g_test_add_func ("/localsend-message/parse/bad", test_parse_bad);
  g_test_add_func ("/localsend-message/parse/length", test_parse_length);
  g_test_add_func ("/localsend-message/parse/nesting", test_parse_nesting);
  g_test_add_func ("/localsend-message/build/round-trip", test_build_round_trip);
  g_test_add_func ("/localsend-message/device/update", test_device_update);

  return g_test_run ();
}
