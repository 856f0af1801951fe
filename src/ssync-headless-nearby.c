/* ssync-headless-nearby.c: the headless face's Nearby: `--discover`, `--send-to` and
 * receiving from nearby devices with `--receive DIR` (trusted devices, or everyone not
 * blocked with `--accept-all`), and `--trust`/`--block`.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-headless"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "ssync-headless-private.h"

static void emit_device (const char           *event,
                         SsyncLocalsendDevice *device);

static void
on_sent_to (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Headless *headless = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;

  if (!ssync_session_send_to_finish (headless->session, result, &error))
    {
      ssync_headless_fail (headless, 1, error->message);
      return;
    }
  builder = ssync_headless_begin_event ("send-finished");
  ssync_headless_emit (builder);
  headless->exit_code = 0;
  g_main_loop_quit (headless->loop);
}

static void
send_now (Headless *headless)
{
  g_clear_handle_id (&headless->send_wait_id, g_source_remove);
  ssync_session_send_to_async (headless->session, headless->send_target,
                               (GFile **) headless->send_files->pdata,
                               headless->send_files->len, headless->send_pin,
                               headless->send_cancellable, on_sent_to, headless);
}

/* A device seen: the one asked for, by name or fingerprint? */
static void
on_send_device_found (SsyncSession         *session,
                      SsyncLocalsendDevice *device,
                      Headless             *headless)
{
  emit_device ("device-found", device);
  if (headless->send_wait_id == 0)
    return;
  if (ssync_localsend_device_matches (device, headless->send_target))
    send_now (headless);
}

static gboolean
on_send_wait_over (gpointer user_data)
{
  Headless *headless = user_data;
  g_autofree char *message = NULL;

  headless->send_wait_id = 0;
  /* TRANSLATORS: "no device called “Alice” was seen nearby within 10 s" */
  message = g_strdup_printf (_("no device called “%s” was seen nearby within %d s"),
                             headless->send_target, SEND_WAIT_SECONDS);
  ssync_headless_fail (headless, 1, message);
  return G_SOURCE_REMOVE;
}

static void
on_send_nearby_started (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Headless *headless = user_data;
  g_autoptr(GError) error = NULL;

  if (!ssync_session_start_nearby_finish (SSYNC_SESSION (source), result, &error))
    {
      g_clear_handle_id (&headless->send_wait_id, g_source_remove);
      ssync_headless_fail (headless, 1, error->message);
    }
}

/* `--send-to DEVICE [--pin PIN] FILE...`: the files to a nearby device over LocalSend's API.
 * An address is sent to at once; a name or a fingerprint is looked for with Nearby first,
 * for up to SEND_WAIT_SECONDS. Exits 0 only when the device took every file. */
int
ssync_headless_run_send_to (Headless   *headless,
             const char *target,
             GStrv       paths,
             const char *pin)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_commandline_arg (paths[i]));
  headless->loop = g_main_loop_new (NULL, FALSE);
  headless->exit_code = 1;
  headless->send_target = g_strdup (target);
  headless->send_files = g_ptr_array_ref (files);
  headless->send_pin = g_strdup (pin);
  headless->send_cancellable = g_object_ref (cancellable);
  g_signal_connect (headless->session, "transfer-started", G_CALLBACK (ssync_headless_transfer_started),
                    headless);
  g_unix_signal_add (SIGINT, ssync_headless_quit_signal, headless);
  g_unix_signal_add (SIGTERM, ssync_headless_quit_signal, headless);
  if (ssync_options_target_is_address (target))
    send_now (headless);
  else
    {
      g_signal_connect (headless->session, "nearby-device-found",
                        G_CALLBACK (on_send_device_found), headless);
      headless->send_wait_id = g_timeout_add_seconds (SEND_WAIT_SECONDS, on_send_wait_over,
                                                      headless);
      ssync_session_start_nearby_async (headless->session, "headless", NULL,
                                        on_send_nearby_started, headless);
    }
  g_main_loop_run (headless->loop);

  g_clear_handle_id (&headless->send_wait_id, g_source_remove);
  g_cancellable_cancel (cancellable);
  ssync_session_shutdown (headless->session);
  g_clear_object (&headless->session);
  g_main_loop_unref (headless->loop);
  g_clear_pointer (&headless->send_target, g_free);
  g_clear_pointer (&headless->send_files, g_ptr_array_unref);
  g_clear_pointer (&headless->send_pin, g_free);
  g_clear_object (&headless->send_cancellable);
  return headless->exit_code;
}

static void on_receive_nearby_started (GObject      *source,
                                       GAsyncResult *result,
                                       gpointer      user_data);

static void
emit_device (const char           *event,
             SsyncLocalsendDevice *device)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event (event);

  ssync_headless_add_string (builder, "alias", ssync_localsend_device_get_alias (device));
  ssync_headless_add_string (builder, "fingerprint", ssync_localsend_device_get_fingerprint (device));
  ssync_headless_add_string (builder, "device_type", ssync_localsend_device_get_device_type (device));
  ssync_headless_add_string (builder, "device_model", ssync_localsend_device_get_device_model (device));
  ssync_headless_add_string (builder, "address", ssync_localsend_device_get_address (device));
  ssync_headless_add_int (builder, "port", ssync_localsend_device_get_port (device));
  ssync_headless_add_string (builder, "protocol", ssync_localsend_device_get_protocol (device));
  ssync_headless_emit (builder);
}

static void
on_device_found (SsyncSession         *session,
                 SsyncLocalsendDevice *device,
                 Headless             *headless)
{
  emit_device ("device-found", device);
}

static void
on_device_lost (SsyncSession         *session,
                SsyncLocalsendDevice *device,
                Headless             *headless)
{
  emit_device ("device-lost", device);
}

/* How nearby devices see this computer, once Nearby is on. */
static void
emit_discovering (SsyncSession *session)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event ("discovering");

  ssync_headless_add_string (builder, "alias", ssync_session_get_nearby_alias (session));
  ssync_headless_add_string (builder, "fingerprint", ssync_session_get_nearby_fingerprint (session));
  ssync_headless_add_int (builder, "port", ssync_session_get_nearby_port (session));
  ssync_headless_emit (builder);
}

static gboolean
on_discover_over (gpointer user_data)
{
  Headless *headless = user_data;

  g_main_loop_quit (headless->loop);
  return G_SOURCE_REMOVE;
}

static void
on_nearby_started (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Headless *headless = user_data;
  SsyncSession *session = SSYNC_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!ssync_session_start_nearby_finish (session, result, &error))
    {
      ssync_headless_fail (headless, 1, error->message);
      return;
    }
  emit_discovering (session);
}

/* `--discover[=SECONDS]`: announces this device to LocalSend apps and other ShareSyncs on
 * the LAN, prints each device found or lost, and exits 0 after SECONDS. */
int
ssync_headless_run_discover (Headless *headless,
              int       seconds)
{
  headless->loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (headless->session, "nearby-device-found", G_CALLBACK (on_device_found),
                    headless);
  g_signal_connect (headless->session, "nearby-device-lost", G_CALLBACK (on_device_lost),
                    headless);
  g_unix_signal_add (SIGINT, ssync_headless_quit_signal, headless);
  g_unix_signal_add (SIGTERM, ssync_headless_quit_signal, headless);
  g_timeout_add_seconds (seconds, on_discover_over, headless);
  ssync_session_start_nearby_async (headless->session, "headless", NULL, on_nearby_started,
                                    headless);
  g_main_loop_run (headless->loop);

  ssync_session_shutdown (headless->session);
  g_main_loop_unref (headless->loop);
  return headless->exit_code;
}

/* --trust and --block: the decisions stored (ssync_options_apply()), said once each. */
void
ssync_headless_emit_trust (SsyncOptions *options)
{
  GStrv lists[] = { options->trust, options->block };
  const char *events[] = { "device-trusted", "device-blocked" };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++)
      {
        g_autoptr(JsonBuilder) builder = ssync_headless_begin_event (events[l]);
        g_autofree char *fingerprint = g_ascii_strup (lists[l][i], -1);

        ssync_headless_add_string (builder, "fingerprint", fingerprint);
        ssync_headless_emit (builder);
      }
}

/* A blocked device tried to send: refused, and said. */
static void
on_device_blocked (SsyncSession         *session,
                   SsyncLocalsendDevice *device,
                   Headless             *headless)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event ("device-blocked");
  g_autofree char *fingerprint = g_ascii_strup (ssync_localsend_device_get_fingerprint (device),
                                                -1);

  ssync_headless_add_string (builder, "fingerprint", fingerprint);
  ssync_headless_add_string (builder, "alias", ssync_localsend_device_get_alias (device));
  ssync_headless_add_string (builder, "address", ssync_localsend_device_get_address (device));
  ssync_headless_emit (builder);
}

/* A nearby device the user did not trust wants to send: there is nobody to ask. Browsers'
 * requests (no fingerprint) are not ours to answer. */
static void
on_upload_request (SsyncSession       *session,
                   SsyncUploadRequest *request,
                   Headless           *headless)
{
  if (ssync_upload_request_get_fingerprint (request) != NULL)
    ssync_upload_request_decline (request);
}

/* --receive DIR: nearby devices may send there too: those the user trusts (--trust, or a
 * decision kept from before) once they prove who they are, and everyone not blocked with
 * --accept-all. The others are declined at once: there is nobody to ask. */
void
ssync_headless_start_nearby_receive (Headless *headless,
                                     GFile    *folder,
                                     gboolean  accept_all)
{
  SsyncConfig *config = ssync_session_get_config (headless->session);

  if (!ssync_config_get_boolean (config, "nearby"))
    return;
  ssync_session_set_nearby_receive_folder (headless->session, folder, accept_all);
  g_signal_connect (headless->session, "upload-request", G_CALLBACK (on_upload_request),
                    headless);
  g_signal_connect (headless->session, "nearby-device-blocked", G_CALLBACK (on_device_blocked),
                    headless);
  g_signal_connect (headless->session, "nearby-device-found", G_CALLBACK (on_device_found),
                    headless);
  ssync_session_start_nearby_async (headless->session, "headless", NULL,
                                    on_receive_nearby_started, headless);
}

/* Nearby could not start with --receive (its port, its certificate): browsers can still
 * send, so this is said and the server goes on. */
static void
on_receive_nearby_started (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  SsyncSession *session = SSYNC_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!ssync_session_start_nearby_finish (session, result, &error))
    {
      ssync_options_print_error (error->message);
      return;
    }
  emit_discovering (session);
}
