/* fuzz-localsend.c: reading LocalSend device messages (src/nearby/ssync-localsend-message.c),
 * which come from any stranger on the LAN by multicast or in a register request.
 *
 * Input: the message itself. What must hold: a refusal carries an invalid-argument error with
 * a UTF-8 message; a device read has an alias of 1..64 characters, a fingerprint of printable
 * ASCII, a known device type, a port in 1..65535 and http or https; and our own message built
 * from that device reads back as the same device.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-input.h"
#include "ssync-error.h"
#include "ssync-localsend-message.h"

static void
check_device (SsyncLocalsendDevice *device)
{
  const char *alias = ssync_localsend_device_get_alias (device);
  const char *fingerprint = ssync_localsend_device_get_fingerprint (device);
  const char *model = ssync_localsend_device_get_device_model (device);
  const char *protocol = ssync_localsend_device_get_protocol (device);
  guint port = ssync_localsend_device_get_port (device);

  fuzz_check (g_utf8_validate (alias, -1, NULL), "an alias that is not UTF-8");
  fuzz_check (g_utf8_strlen (alias, -1) >= 1
              && g_utf8_strlen (alias, -1) <= SSYNC_LOCALSEND_MAX_ALIAS, "an alias too long");
  fuzz_check (*fingerprint != '\0' && strlen (fingerprint) <= SSYNC_LOCALSEND_MAX_FINGERPRINT,
              "a fingerprint empty or too long");
  for (const char *p = fingerprint; *p != '\0'; p++)
    fuzz_check (*p >= ' ' && *p <= '~', "a fingerprint that is not printable ASCII");
  fuzz_check (model == NULL || g_utf8_validate (model, -1, NULL), "a model that is not UTF-8");
  fuzz_check (ssync_localsend_device_type_is_known (
                ssync_localsend_device_get_device_type (device)), "an unknown device type");
  fuzz_check (port >= 1 && port <= G_MAXUINT16, "a port out of range");
  fuzz_check (strcmp (protocol, "http") == 0 || strcmp (protocol, "https") == 0,
              "a protocol that is neither http nor https");
  fuzz_check (ssync_localsend_device_get_address (device) == NULL, "an address from the JSON");
}

static void
check_round_trip (SsyncLocalsendDevice *device,
                  gboolean              announce)
{
  const SsyncLocalsendIdentity me = {
    .alias = ssync_localsend_device_get_alias (device),
    .fingerprint = ssync_localsend_device_get_fingerprint (device),
    .device_type = ssync_localsend_device_get_device_type (device),
    .device_model = ssync_localsend_device_get_device_model (device),
    .port = ssync_localsend_device_get_port (device),
    .protocol = ssync_localsend_device_get_protocol (device),
  };
  g_autofree char *text = ssync_localsend_message_build (&me, announce);
  g_autoptr(SsyncLocalsendDevice) again = NULL;
  g_autoptr(GError) error = NULL;
  gboolean announce_again = !announce;

  again = ssync_localsend_message_parse (text, strlen (text), &announce_again, &error);
  fuzz_check (again != NULL && error == NULL, "our own message of a device read is refused");
  fuzz_check (announce_again == announce, "announce reads back otherwise");
  fuzz_check (strcmp (ssync_localsend_device_get_alias (again), me.alias) == 0
              && strcmp (ssync_localsend_device_get_fingerprint (again), me.fingerprint) == 0
              && strcmp (ssync_localsend_device_get_device_type (again), me.device_type) == 0
              && g_strcmp0 (ssync_localsend_device_get_device_model (again), me.device_model) == 0
              && ssync_localsend_device_get_port (again) == me.port
              && strcmp (ssync_localsend_device_get_protocol (again), me.protocol) == 0,
              "a device reads back otherwise from our own message");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SsyncLocalsendDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  gboolean announce = FALSE;

  /* The bytes as they came, not NUL-terminated: the parser must keep to @size. */
  device = ssync_localsend_message_parse ((const char *) data, size, &announce, &error);
  if (device == NULL)
    {
      fuzz_check (g_error_matches (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT),
                  "a refusal without an invalid-argument error");
      fuzz_check (g_utf8_validate (error->message, -1, NULL), "a message that is not UTF-8");
      fuzz_check (!announce, "announce set on a refusal");
      return 0;
    }

  fuzz_check (error == NULL, "an error set on success");
  check_device (device);
  check_round_trip (device, announce);
  return 0;
}
