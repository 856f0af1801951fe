/* ssync-headless.c: `sharesync --headless`, the engine with no display.
 *
 * Everything it has to say goes to stdout as one JSON object per line (DESIGN.md), so
 * scripts and tests can follow it; errors go to stderr as one line.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-headless"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ssync-headless.h"
#include "ssync-headless-private.h"
#include "ssync-environment.h"
#include "ssync-options.h"
#include "ssync-session.h"
#include "ssync-session-fetch.h"


void
ssync_headless_emit (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  g_print ("%s\n", line);
  fflush (stdout);
}

JsonBuilder *
ssync_headless_begin_event (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
  return builder;
}

void
ssync_headless_add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
ssync_headless_add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static const char *
event_name (SsyncTransfer *transfer,
            const char    *what)
{
  static char name[64];

  g_snprintf (name, sizeof name, "%s-%s",
              ssync_transfer_get_direction (transfer) == SSYNC_DIRECTION_DOWNLOAD
                ? "download" : "upload", what);
  return name;
}

static void
emit_progress (SsyncTransfer *transfer)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event (event_name (transfer, "progress"));

  ssync_headless_add_string (builder, "transfer", ssync_transfer_get_id (transfer));
  ssync_headless_add_int (builder, "bytes", ssync_transfer_get_bytes (transfer));
  ssync_headless_add_int (builder, "total", ssync_transfer_get_total (transfer));
  ssync_headless_emit (builder);
}

static void
on_transfer_bytes (SsyncTransfer *transfer,
                   GParamSpec    *pspec,
                   Headless      *headless)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *last = g_hash_table_lookup (headless->last_progress, transfer);

  if (last == NULL)
    {
      last = g_new0 (gint64, 1);
      g_hash_table_insert (headless->last_progress, transfer, last);
    }
  if (now - *last < PROGRESS_INTERVAL)
    return;

  *last = now;
  emit_progress (transfer);
}

static void
on_transfer_finished (SsyncTransfer *transfer,
                      Headless      *headless)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event (event_name (transfer, "finished"));

  ssync_headless_add_string (builder, "transfer", ssync_transfer_get_id (transfer));
  ssync_headless_add_int (builder, "bytes", ssync_transfer_get_bytes (transfer));
  ssync_headless_add_int (builder, "total", ssync_transfer_get_total (transfer));
  ssync_headless_add_string (builder, "status", ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_STATUS,
                                                     ssync_transfer_get_status (transfer)));
  if (ssync_transfer_get_message (transfer) != NULL)
    ssync_headless_add_string (builder, "message", ssync_transfer_get_message (transfer));
  if (ssync_transfer_get_sha256 (transfer) != NULL)
    ssync_headless_add_string (builder, "sha256", ssync_transfer_get_sha256 (transfer));
  if (ssync_transfer_get_saved_as (transfer) != NULL)
    ssync_headless_add_string (builder, "saved_as", ssync_transfer_get_saved_as (transfer));
  ssync_headless_emit (builder);
  g_hash_table_remove (headless->last_progress, transfer);
}

void
ssync_headless_transfer_started (SsyncSession  *session,
                     SsyncTransfer *transfer,
                     Headless      *headless)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event (event_name (transfer, "started"));

  ssync_headless_add_string (builder, "transfer", ssync_transfer_get_id (transfer));
  ssync_headless_add_string (builder, "share", ssync_transfer_get_share_id (transfer));
  ssync_headless_add_string (builder, "file", ssync_transfer_get_file_name (transfer));
  ssync_headless_add_string (builder, "kind", ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_KIND,
                                                   ssync_transfer_get_kind (transfer)));
  ssync_headless_add_string (builder, "peer", ssync_transfer_get_peer (transfer));
  ssync_headless_add_string (builder, "user_agent", ssync_transfer_get_user_agent (transfer));
  ssync_headless_add_int (builder, "offset", ssync_transfer_get_offset (transfer));
  ssync_headless_add_int (builder, "total", ssync_transfer_get_total (transfer));
  ssync_headless_emit (builder);

  g_signal_connect (transfer, "notify::bytes", G_CALLBACK (on_transfer_bytes), headless);
  g_signal_connect (transfer, "finished", G_CALLBACK (on_transfer_finished), headless);
}

static void
emit_listening (Headless *headless)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event ("listening");
  g_autofree char *url = ssync_session_dup_base_url (headless->session);
  g_auto(GStrv) addresses = ssync_session_dup_addresses (headless->session);

  ssync_headless_add_string (builder, "url", url);
  ssync_headless_add_int (builder, "port", ssync_session_get_port (headless->session));
  json_builder_set_member_name (builder, "addresses");
  json_builder_begin_array (builder);
  for (guint i = 0; addresses[i] != NULL; i++)
    json_builder_add_string_value (builder, addresses[i]);
  json_builder_end_array (builder);
  ssync_headless_add_string (builder, "data_dir", ssync_session_get_data_dir (headless->session));
  ssync_headless_add_string (builder, "owner_token", ssync_session_get_owner_token (headless->session));
  {
    const char *why = NULL;
    gboolean rtc = ssync_session_get_rtc_available (headless->session, &why);

    json_builder_set_member_name (builder, "webrtc");
    json_builder_add_boolean_value (builder, rtc);
    if (!rtc)
      ssync_headless_add_string (builder, "webrtc_message", why);
  }
  ssync_headless_emit (builder);
}

void
ssync_headless_fail (Headless   *headless,
      int         code,
      const char *message)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event ("error");

  ssync_headless_add_string (builder, "message", message);
  ssync_headless_emit (builder);
  ssync_options_print_error (message);
  headless->exit_code = code;
  g_main_loop_quit (headless->loop);
}

static void
emit_share (Headless   *headless,
            SsyncShare *share)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event ("share");
  g_autofree char *url = ssync_session_dup_share_url (headless->session, share);

  ssync_headless_add_string (builder, "id", ssync_share_get_id (share));
  ssync_headless_add_string (builder, "kind", ssync_enum_to_nick (SSYNC_TYPE_SHARE_KIND,
                                                   ssync_share_get_kind (share)));
  ssync_headless_add_string (builder, "url", url);
  ssync_headless_add_string (builder, "name", ssync_share_get_name (share));
  ssync_headless_add_int (builder, "files", ssync_share_get_n_files (share));
  ssync_headless_add_int (builder, "size", ssync_share_get_total_size (share));
  ssync_headless_emit (builder);
}

/* The shares of the command line, made before the server listens: a file that cannot be
 * shared is then one line on stderr and nothing on stdout. */
typedef struct {
  SsyncShare *shares[2];  /* the FILEs' share, then --receive's */
  GError *error;
  guint pending;
} Making;

static void
on_share_made (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Making *making = user_data;
  g_autoptr(GError) error = NULL;
  gboolean receive = g_task_get_source_tag (G_TASK (result)) != ssync_session_add_share_async;
  SsyncShare *share;

  if (!receive)
    share = ssync_session_add_share_finish (SSYNC_SESSION (source), result, &error);
  else
    share = ssync_session_add_receive_share_finish (SSYNC_SESSION (source), result, &error);
  if (share != NULL)
    making->shares[receive] = share;
  else if (making->error == NULL)
    making->error = g_steal_pointer (&error);
  making->pending--;
}


static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Headless *headless = user_data;
  g_autoptr(GError) error = NULL;
  int n_files = ssync_session_fetch_finish (headless->session, result, &error);
  g_autoptr(JsonBuilder) builder = NULL;

  if (n_files < 0)
    {
      ssync_headless_fail (headless, 1, error->message);
      return;
    }

  builder = ssync_headless_begin_event ("fetch-finished");
  ssync_headless_add_int (builder, "files", n_files);
  ssync_headless_add_string (builder, "path", ssync_session_fetch_get_path (headless->session, result));
  ssync_headless_emit (builder);
  headless->exit_code = 0;
  g_main_loop_quit (headless->loop);
}

/* `--fetch URL [--to DIR]`: another ShareSync's share, over a direct connection, into DIR.
 * Exits 0 only when every file arrived with a matching SHA-256. */
static int
run_fetch (Headless   *headless,
           const char *url,
           const char *to,
           const char *password)
{
  g_autoptr(GFile) folder = g_file_new_for_commandline_arg (to != NULL ? to : ".");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  /* No GStreamer plugin is needed over HTTP: only a fetch that goes direct says they are
   * missing. */
  headless->loop = g_main_loop_new (NULL, FALSE);
  headless->exit_code = 1;
  g_signal_connect (headless->session, "transfer-started", G_CALLBACK (ssync_headless_transfer_started),
                    headless);
  g_unix_signal_add (SIGINT, ssync_headless_quit_signal, headless);
  g_unix_signal_add (SIGTERM, ssync_headless_quit_signal, headless);
  /* Stopped by a signal, the fetch ends cancelled once its partial file is removed. */
  headless->signal_cancellable = g_object_ref (cancellable);
  ssync_session_fetch_with_password_async (headless->session, url, folder, password,
                                           cancellable, on_fetched, headless);
  g_main_loop_run (headless->loop);

  g_clear_object (&headless->signal_cancellable);
  ssync_session_shutdown (headless->session);
  g_clear_object (&headless->session);
  g_main_loop_unref (headless->loop);
  return headless->exit_code;
}

gboolean
ssync_headless_quit_signal (gpointer user_data)
{
  Headless *headless = user_data;

  /* A push or fetch in flight is cancelled instead, so that it can clean up first (abort its
   * upload, remove its .part); it then ends the loop itself. A second signal does not wait. */
  if (headless->signal_cancellable != NULL &&
      !g_cancellable_is_cancelled (headless->signal_cancellable))
    {
      g_cancellable_cancel (headless->signal_cancellable);
      return G_SOURCE_CONTINUE;
    }
  g_main_loop_quit (headless->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_push_progress (SsyncPusher *pusher,
                  SsyncShare  *share,
                  const char  *file,
                  guint64      bytes,
                  guint64      total,
                  Headless    *headless)
{
  g_autoptr(JsonBuilder) builder = NULL;
  gint64 now = g_get_monotonic_time ();

  if (now - headless->last_push_progress < PROGRESS_INTERVAL && bytes < total)
    return;
  headless->last_push_progress = now;

  builder = ssync_headless_begin_event ("push-progress");
  ssync_headless_add_string (builder, "file", file);
  ssync_headless_add_int (builder, "bytes", bytes);
  ssync_headless_add_int (builder, "total", total);
  ssync_headless_emit (builder);
}

static void
on_pushed (SsyncPusher *pusher,
           SsyncShare  *share,
           const char  *file,
           const char  *key,
           const char  *url,
           gint64       expires,
           Headless    *headless)
{
  g_autoptr(JsonBuilder) builder = ssync_headless_begin_event ("pushed");
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (expires / G_USEC_PER_SEC);
  g_autofree char *iso = g_date_time_format_iso8601 (when);

  ssync_headless_add_string (builder, "file", file);
  ssync_headless_add_string (builder, "key", key);
  ssync_headless_add_string (builder, "url", url);
  ssync_headless_add_string (builder, "expires", iso);
  ssync_headless_emit (builder);
}

static void
on_share_pushed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Headless *headless = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&headless->signal_cancellable);
  if (!ssync_session_push_share_finish (headless->session, result, &error))
    {
      ssync_headless_fail (headless, 1, error->message);
      return;
    }
  g_main_loop_quit (headless->loop);
}

static void
on_push_share_added (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Headless *headless = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;

  share = ssync_session_add_share_finish (headless->session, result, &error);
  if (share == NULL)
    {
      g_clear_object (&headless->signal_cancellable);
      ssync_headless_fail (headless, 1, error->message);
      return;
    }
  ssync_session_push_share_async (headless->session, share, headless->push_lifetime,
                                  headless->signal_cancellable, on_share_pushed, headless);
}

/* `--push FILE...`: uploads the files to the S3 bucket (SHARESYNC_S3_* or the preferences),
 * prints a pre-signed link per file and ends; no server is started. */
static int
run_push (Headless  *headless,
          GStrv      files,
          gint64     lifetime)
{
  g_autoptr(GPtrArray) gfiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *clamped = NULL;
  SsyncPusher *pusher = ssync_session_get_pusher (headless->session);

  headless->push_lifetime = ssync_pusher_clamp_lifetime (lifetime, &clamped);
  if (clamped != NULL)
    ssync_options_print_error (clamped);

  headless->loop = g_main_loop_new (NULL, FALSE);
  headless->signal_cancellable = g_cancellable_new ();
  g_signal_connect (pusher, "progress", G_CALLBACK (on_push_progress), headless);
  g_signal_connect (pusher, "pushed", G_CALLBACK (on_pushed), headless);
  g_unix_signal_add (SIGINT, ssync_headless_quit_signal, headless);
  g_unix_signal_add (SIGTERM, ssync_headless_quit_signal, headless);

  for (guint i = 0; files[i] != NULL; i++)
    g_ptr_array_add (gfiles, g_file_new_for_commandline_arg (files[i]));
  ssync_session_add_share_async (headless->session, (GFile **) gfiles->pdata, gfiles->len,
                                 NULL, on_push_share_added, headless);
  g_main_loop_run (headless->loop);

  g_signal_handlers_disconnect_by_data (pusher, headless);
  ssync_session_shutdown (headless->session);
  g_clear_object (&headless->session);
  g_main_loop_unref (headless->loop);
  return headless->exit_code;
}

/* Listens and serves @shares (made by run_server()) until SIGINT or SIGTERM. */
static int
serve (Headless     *headless,
       SsyncOptions *options,
       SsyncShare   *shares[2],
       GFile        *folder)
{
  SsyncConfig *config = ssync_session_get_config (headless->session);
  g_autoptr(GError) error = NULL;
  int port = ssync_config_get_int (config, "port");

  if (!ssync_session_start (headless->session, ssync_config_get_string (config, "bind-address"),
                            port, &error))
    {
      g_printerr (_("sharesync: cannot listen on port %d: %s\n"),
                  port < 0 ? SSYNC_DEFAULT_PORT : port, error->message);
      return 1;
    }

  headless->loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (headless->session, "transfer-started", G_CALLBACK (ssync_headless_transfer_started),
                    headless);
  g_unix_signal_add (SIGINT, ssync_headless_quit_signal, headless);
  g_unix_signal_add (SIGTERM, ssync_headless_quit_signal, headless);
  emit_listening (headless);
  for (guint i = 0; i < 2; i++)
    if (shares[i] != NULL)
      emit_share (headless, shares[i]);
  if (folder != NULL)
    ssync_headless_start_nearby_receive (headless, folder, options->accept_all);

  g_main_loop_run (headless->loop);
  g_main_loop_unref (headless->loop);
  return headless->exit_code;
}

/* Makes the shares the command line asks for, then starts the server, until SIGINT or
 * SIGTERM. */
static int
run_server (Headless     *headless,
            SsyncOptions *options)
{
  g_autoptr(GPtrArray) gfiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GFile) folder = NULL;
  Making making = { { NULL, NULL }, NULL, 0 };
  int status;

  for (guint i = 0; options->files != NULL && options->files[i] != NULL; i++)
    g_ptr_array_add (gfiles, g_file_new_for_commandline_arg (options->files[i]));
  if (gfiles->len > 0)
    {
      making.pending++;
      ssync_session_add_share_async (headless->session, (GFile **) gfiles->pdata, gfiles->len,
                                     NULL, on_share_made, &making);
    }
  if (options->receive != NULL)
    {
      folder = g_file_new_for_commandline_arg (options->receive);
      making.pending++;
      ssync_session_add_receive_share_async (headless->session, folder, NULL, on_share_made,
                                             &making);
    }
  while (making.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  status = making.error != NULL ? 1 : serve (headless, options, making.shares, folder);
  if (making.error != NULL)
    ssync_options_print_error (making.error->message);
  g_clear_error (&making.error);
  g_clear_object (&making.shares[0]);
  g_clear_object (&making.shares[1]);
  ssync_session_shutdown (headless->session);
  return status;
}

int
ssync_headless_run (int    argc,
                    char **argv)
{
  g_auto(SsyncOptions) options = { 0 };
  g_auto(GStrv) arguments = g_new0 (char *, argc + 1);
  g_autoptr(GHashTable) from_environment = NULL;
  g_autoptr(GError) error = NULL;
  Headless headless = { 0 };
  int status;

  for (int i = 0; i < argc; i++)
    arguments[i] = g_strdup (argv[i]);
  if (!ssync_options_parse (&options, &arguments, FALSE, &error))
    {
      ssync_options_print_error (error->message);
      return 2;
    }

  if (options.version)
    {
      g_print ("sharesync %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (!ssync_options_check_paths (&options, &error))
    {
      ssync_options_print_error (error->message);
      return 1;
    }

  headless.session = ssync_session_new (options.data_dir, &error);
  if (headless.session == NULL)
    {
      ssync_options_print_error (error->message);
      return 1;
    }
  from_environment = ssync_environment_apply (headless.session);
  if (!ssync_options_apply (&options, headless.session, &error))
    {
      ssync_options_print_error (error->message);
      g_clear_object (&headless.session);
      return 1;
    }

  ssync_headless_emit_trust (&options);

  headless.last_progress = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  if (options.push)
    status = run_push (&headless, options.files, options.lifetime);
  else if (options.send_to != NULL)
    status = ssync_headless_run_send_to (&headless, options.send_to, options.files, options.pin);
  else if (options.fetch != NULL)
    status = run_fetch (&headless, options.fetch, options.fetch_to, options.fetch_password);
  else if (options.discover > 0)
    status = ssync_headless_run_discover (&headless, options.discover);
  else if (options.files == NULL && options.receive == NULL)
    status = 0;  /* only --trust or --block: stored, nothing to serve */
  else
    status = run_server (&headless, &options);

  g_clear_object (&headless.session);
  g_hash_table_unref (headless.last_progress);
  return status;
}
