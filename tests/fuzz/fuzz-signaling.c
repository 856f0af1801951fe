/* fuzz-signaling.c: libFuzzer target for the WebSocket hub's message handling: JSON parsing,
 * subscriptions, direct-connection requests and the signaling rooms behind them, with no
 * socket (clients added with ssync_ws_hub_add_client()).
 *
 * An input is one or more messages separated by newlines; they go in turn to two clients,
 * so that rooms get a creator and a joiner. A message starting with a 0x01 byte is sent as
 * binary. Room codes are random, so "@ROOM@" in a message is replaced by the code of the last
 * room made, and "@TOKEN@" by the token of the one share.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>

#include "ssync-registry.h"
#include "ssync-share.h"
#include "ssync-ws-hub.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static SsyncRegistry *registry;
static SsyncWsHub *hub;
static char *token;
static char room[16];

/* Remembers the room code of "room-joined" answers; every other answer is dropped. */
static void
on_send (guint64     client_id,
         const char *text,
         gpointer    user_data)
{
  const char *found = strstr (text, "\"room\":\"");

  if (strstr (text, "\"room-joined\"") != NULL && found != NULL)
    {
      found += strlen ("\"room\":\"");
      g_strlcpy (room, found, MIN (sizeof room, strcspn (found, "\"") + 1));
    }
}

static void
on_share (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
set_up (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ssync-fuzz-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "notes.txt", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SsyncShare) share = NULL;

  g_file_set_contents (path, "hello", -1, NULL);
  file = g_file_new_for_path (path);
  ssync_share_new_async (&file, 1, NULL, on_share, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  share = ssync_share_new_finish (result, NULL);
  g_unlink (path);
  g_rmdir (dir);

  registry = ssync_registry_new ();
  if (share != NULL)
    {
      token = g_strdup (ssync_share_get_token (share));
      ssync_registry_add (registry, share);
    }
  hub = ssync_ws_hub_new (registry);
  /* Empty rooms expire at the next main loop iteration instead of after a minute. */
  ssync_rooms_set_grace (ssync_ws_hub_get_rooms (hub), 0);
  ssync_ws_hub_set_rtc_available (hub, TRUE, NULL);
}

static char *
substitute (const char *message,
            gsize       length)
{
  GString *text = g_string_new_len (message, length);

  g_string_replace (text, "@ROOM@", room, 0);
  g_string_replace (text, "@TOKEN@", token != NULL ? token : "", 0);
  return g_string_free (text, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static guint run;
  guint64 clients[2];
  g_autofree char *peer = NULL;
  const char *p = (const char *) data;
  const char *end = p + size;
  guint n = 0;

  if (hub == NULL)
    set_up ();

  /* A new address per run, so that the per-address rate limits do not end the fuzzing of
   * room creation after the first few runs. */
  run++;
  peer = g_strdup_printf ("10.%u.%u.%u", (run >> 16) & 0xff, (run >> 8) & 0xff, run & 0xff);
  clients[0] = ssync_ws_hub_add_client (hub, peer, on_send, NULL);
  clients[1] = ssync_ws_hub_add_client (hub, peer, on_send, NULL);

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *stop = newline != NULL ? newline : end;
      gboolean binary = stop > p && p[0] == '\x01';
      g_autofree char *message = substitute (p + binary, stop - p - binary);

      ssync_ws_hub_handle_message (hub, clients[n++ % 2], !binary, message, strlen (message));
      p = stop + 1;
    }

  ssync_ws_hub_remove_client (hub, clients[0]);
  ssync_ws_hub_remove_client (hub, clients[1]);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
