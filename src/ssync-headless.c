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
#include "ssync-duration.h"
#include "ssync-password.h"
#include "ssync-session.h"

/* At most four progress lines per transfer and second. */
#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 4)

typedef struct {
  GMainLoop *loop;
  SsyncSession *session;
  int exit_code;
  /* --push */
  gint64 push_lifetime;
  GCancellable *push_cancellable;
  gint64 last_push_progress;
} Headless;

static void
emit (JsonBuilder *builder)
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

static JsonBuilder *
begin_event (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
  return builder;
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
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
  g_autoptr(JsonBuilder) builder = begin_event (event_name (transfer, "progress"));

  add_string (builder, "transfer", ssync_transfer_get_id (transfer));
  add_int (builder, "bytes", ssync_transfer_get_bytes (transfer));
  add_int (builder, "total", ssync_transfer_get_total (transfer));
  emit (builder);
}

static void
on_transfer_bytes (SsyncTransfer *transfer,
                   GParamSpec    *pspec,
                   gpointer       user_data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 last = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (transfer), "last-progress"));

  if (now - last < PROGRESS_INTERVAL)
    return;

  g_object_set_data (G_OBJECT (transfer), "last-progress", GSIZE_TO_POINTER (now));
  emit_progress (transfer);
}

static void
on_transfer_finished (SsyncTransfer *transfer,
                      gpointer       user_data)
{
  g_autoptr(JsonBuilder) builder = begin_event (event_name (transfer, "finished"));

  add_string (builder, "transfer", ssync_transfer_get_id (transfer));
  add_int (builder, "bytes", ssync_transfer_get_bytes (transfer));
  add_int (builder, "total", ssync_transfer_get_total (transfer));
  add_string (builder, "status", ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_STATUS,
                                                     ssync_transfer_get_status (transfer)));
  if (ssync_transfer_get_message (transfer) != NULL)
    add_string (builder, "message", ssync_transfer_get_message (transfer));
  if (ssync_transfer_get_sha256 (transfer) != NULL)
    add_string (builder, "sha256", ssync_transfer_get_sha256 (transfer));
  if (ssync_transfer_get_saved_as (transfer) != NULL)
    add_string (builder, "saved_as", ssync_transfer_get_saved_as (transfer));
  emit (builder);
}

static void
on_transfer_started (SsyncSession  *session,
                     SsyncTransfer *transfer,
                     Headless      *headless)
{
  g_autoptr(JsonBuilder) builder = begin_event (event_name (transfer, "started"));

  add_string (builder, "transfer", ssync_transfer_get_id (transfer));
  add_string (builder, "share", ssync_transfer_get_share_id (transfer));
  add_string (builder, "file", ssync_transfer_get_file_name (transfer));
  add_string (builder, "kind", ssync_enum_to_nick (SSYNC_TYPE_TRANSFER_KIND,
                                                   ssync_transfer_get_kind (transfer)));
  add_string (builder, "peer", ssync_transfer_get_peer (transfer));
  add_string (builder, "user_agent", ssync_transfer_get_user_agent (transfer));
  add_int (builder, "offset", ssync_transfer_get_offset (transfer));
  add_int (builder, "total", ssync_transfer_get_total (transfer));
  emit (builder);

  g_signal_connect (transfer, "notify::bytes", G_CALLBACK (on_transfer_bytes), NULL);
  g_signal_connect (transfer, "finished", G_CALLBACK (on_transfer_finished), NULL);
}

static void
emit_listening (Headless *headless)
{
  g_autoptr(JsonBuilder) builder = begin_event ("listening");
  g_autofree char *url = ssync_session_dup_base_url (headless->session);
  g_auto(GStrv) addresses = ssync_session_dup_addresses (headless->session);

  add_string (builder, "url", url);
  add_int (builder, "port", ssync_session_get_port (headless->session));
  json_builder_set_member_name (builder, "addresses");
  json_builder_begin_array (builder);
  for (guint i = 0; addresses[i] != NULL; i++)
    json_builder_add_string_value (builder, addresses[i]);
  json_builder_end_array (builder);
  add_string (builder, "data_dir", ssync_session_get_data_dir (headless->session));
  add_string (builder, "owner_token", ssync_session_get_owner_token (headless->session));
  {
    const char *why = NULL;
    gboolean rtc = ssync_session_get_rtc_available (headless->session, &why);

    json_builder_set_member_name (builder, "webrtc");
    json_builder_add_boolean_value (builder, rtc);
    if (!rtc)
      add_string (builder, "webrtc_message", why);
  }
  emit (builder);
}

static void
fail (Headless   *headless,
      int         code,
      const char *message)
{
  g_autoptr(JsonBuilder) builder = begin_event ("error");

  add_string (builder, "message", message);
  emit (builder);
  g_printerr ("sharesync: %s\n", message);
  headless->exit_code = code;
  g_main_loop_quit (headless->loop);
}

static void
emit_share (Headless   *headless,
            SsyncShare *share)
{
  g_autoptr(JsonBuilder) builder = begin_event ("share");
  g_autofree char *url = ssync_session_dup_share_url (headless->session, share);

  add_string (builder, "id", ssync_share_get_id (share));
  add_string (builder, "kind", ssync_enum_to_nick (SSYNC_TYPE_SHARE_KIND,
                                                   ssync_share_get_kind (share)));
  add_string (builder, "url", url);
  add_string (builder, "name", ssync_share_get_name (share));
  add_int (builder, "files", ssync_share_get_n_files (share));
  add_int (builder, "size", ssync_share_get_total_size (share));
  emit (builder);
}

static void
on_share_added (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Headless *headless = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;

  share = ssync_session_add_share_finish (headless->session, result, &error);
  if (share == NULL)
    {
      fail (headless, 1, error->message);
      return;
    }

  emit_share (headless, share);
}

static void
on_receive_share_added (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Headless *headless = user_data;
  g_autoptr(SsyncShare) share = NULL;
  g_autoptr(GError) error = NULL;

  share = ssync_session_add_receive_share_finish (headless->session, result, &error);
  if (share == NULL)
    {
      fail (headless, 1, error->message);
      return;
    }

  emit_share (headless, share);
}

/* "500M", "2G", "1048576": binary units, as file managers show sizes. */
static gboolean
parse_size (const char *text,
            guint64    *bytes)
{
  static const char units[] = "KMGT";
  g_autofree char *number = NULL;
  const char *unit;
  guint64 value;
  gsize len;

  if (text == NULL || (len = strlen (text)) == 0)
    return FALSE;

  unit = strchr (units, g_ascii_toupper (text[len - 1]));
  number = g_strndup (text, unit != NULL && text[len - 1] != '\0' ? len - 1 : len);
  if (!g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;

  if (unit != NULL)
    value <<= 10 * (unit - units + 1);
  *bytes = value;
  return TRUE;
}

static gboolean on_quit_signal (gpointer user_data);

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
      fail (headless, 1, error->message);
      return;
    }

  builder = begin_event ("fetch-finished");
  add_int (builder, "files", n_files);
  emit (builder);
  headless->exit_code = 0;
  g_main_loop_quit (headless->loop);
}

/* `--fetch URL [--to DIR]`: another ShareSync's share, over a direct connection, into DIR.
 * Exits 0 only when every file arrived with a matching SHA-256. */
static int
run_fetch (Headless   *headless,
           const char *url,
           const char *to)
{
  g_autoptr(GFile) folder = g_file_new_for_commandline_arg (to != NULL ? to : ".");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *why = NULL;

  if (!ssync_session_get_rtc_available (headless->session, &why))
    {
      g_printerr ("sharesync: %s\n", why);
      return 1;
    }

  headless->loop = g_main_loop_new (NULL, FALSE);
  headless->exit_code = 1;
  g_signal_connect (headless->session, "transfer-started", G_CALLBACK (on_transfer_started),
                    headless);
  g_unix_signal_add (SIGINT, on_quit_signal, headless);
  g_unix_signal_add (SIGTERM, on_quit_signal, headless);
  ssync_session_fetch_async (headless->session, url, folder, cancellable, on_fetched, headless);
  g_main_loop_run (headless->loop);

  /* Stopped by a signal: the fetch ends cancelled and its partial file is removed. */
  g_cancellable_cancel (cancellable);
  ssync_session_shutdown (headless->session);
  g_clear_object (&headless->session);
  g_main_loop_unref (headless->loop);
  return headless->exit_code;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Headless *headless = user_data;

  /* A push in flight is cancelled instead, so that it can abort its upload first; it then
   * ends the loop itself. */
  if (headless->push_cancellable != NULL)
    {
      g_cancellable_cancel (headless->push_cancellable);
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

  builder = begin_event ("push-progress");
  add_string (builder, "file", file);
  add_int (builder, "bytes", bytes);
  add_int (builder, "total", total);
  emit (builder);
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
  g_autoptr(JsonBuilder) builder = begin_event ("pushed");
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (expires / G_USEC_PER_SEC);
  g_autofree char *iso = g_date_time_format_iso8601 (when);

  add_string (builder, "file", file);
  add_string (builder, "key", key);
  add_string (builder, "url", url);
  add_string (builder, "expires", iso);
  emit (builder);
}

static void
on_share_pushed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Headless *headless = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&headless->push_cancellable);
  if (!ssync_session_push_share_finish (headless->session, result, &error))
    {
      fail (headless, 1, error->message);
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
      g_clear_object (&headless->push_cancellable);
      fail (headless, 1, error->message);
      return;
    }
  ssync_session_push_share_async (headless->session, share, headless->push_lifetime,
                                  headless->push_cancellable, on_share_pushed, headless);
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
    g_printerr ("sharesync: %s\n", clamped);

  headless->loop = g_main_loop_new (NULL, FALSE);
  headless->push_cancellable = g_cancellable_new ();
  g_signal_connect (pusher, "progress", G_CALLBACK (on_push_progress), headless);
  g_signal_connect (pusher, "pushed", G_CALLBACK (on_pushed), headless);
  g_unix_signal_add (SIGINT, on_quit_signal, headless);
  g_unix_signal_add (SIGTERM, on_quit_signal, headless);

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

int
ssync_headless_run (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) files = NULL;
  g_autofree char *bind = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *receive = NULL;
  g_autofree char *max_upload = NULL;
  g_autofree char *password = NULL;
  g_autofree char *password_hash = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *fetch = NULL;
  g_autofree char *fetch_to = NULL;
  gint64 lifetime = 0;
  int max_downloads = 0;
  guint64 max_upload_size = 0;
  g_autoptr(GPtrArray) gfiles = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean headless_flag = FALSE;
  gboolean version = FALSE;
  gboolean push = FALSE;
  int port = -1;
  Headless headless = { 0 };
  const GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &headless_flag,
      N_("Run without a window, printing JSON events on standard output"), NULL },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      N_("Port to listen on (default 5001 or the next free one; 0 for any)"), N_("PORT") },
    { "bind", 'b', 0, G_OPTION_ARG_STRING, &bind,
      N_("Address to listen on (default: all IPv4 addresses)"), N_("ADDRESS") },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Folder for the history database (default: ~/.local/share/sharesync)"), N_("DIR") },
    { "receive", 'r', 0, G_OPTION_ARG_FILENAME, &receive,
      N_("Also let browsers send files into DIR"), N_("DIR") },
    { "max-upload-size", 0, 0, G_OPTION_ARG_STRING, &max_upload,
      N_("Largest file browsers may send, like 500M or 4G (default: no limit)"), N_("SIZE") },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password,
      N_("Ask browsers for this password before anything else"), N_("PASSWORD") },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires,
      N_("Stop sharing after a while: 90s, 30m, 2h or 7d"), N_("DURATION") },
    { "max-downloads", 0, 0, G_OPTION_ARG_INT, &max_downloads,
      N_("Stop sharing after N completed downloads"), N_("N") },
    { "push", 0, 0, G_OPTION_ARG_NONE, &push,
      N_("Upload the files to the S3 bucket, print a download link for each and exit "
         "(--expires sets how long the links last, at most 7d; default 1d)"), NULL },
    { "fetch", 0, 0, G_OPTION_ARG_STRING, &fetch,
      N_("Fetch another ShareSync's share over a direct (WebRTC) connection"), N_("URL") },
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &fetch_to,
      N_("Folder --fetch saves into (default: the current folder)"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE…") },
    { NULL }
  };

  context = g_option_context_new (_("— share files with the people around you"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Shares the given files and folders as one link that any "
                                  "browser on the network can open."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("sharesync: %s (see --help)\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("sharesync %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (fetch != NULL && ((files != NULL && files[0] != NULL) || receive != NULL))
    {
      g_printerr ("sharesync: %s\n", _("--fetch takes no FILE and no --receive (see --help)"));
      return 2;
    }

  if (fetch_to != NULL && fetch == NULL)
    {
      g_printerr ("sharesync: %s\n", _("--to only goes with --fetch URL (see --help)"));
      return 2;
    }

  if ((files == NULL || files[0] == NULL) && receive == NULL && fetch == NULL)
    {
      g_printerr ("sharesync: %s\n",
                  _("nothing to share: give at least one FILE or --receive DIR (see --help)"));
      return 2;
    }

  if (push && (files == NULL || files[0] == NULL || receive != NULL))
    {
      g_printerr ("sharesync: %s\n", _("--push needs at least one FILE and no --receive"));
      return 2;
    }

  if (port < -1 || port > 65535)
    {
      g_printerr ("sharesync: %s\n", _("--port must be between 0 and 65535"));
      return 2;
    }

  if (max_upload != NULL && !parse_size (max_upload, &max_upload_size))
    {
      g_printerr (_("sharesync: --max-upload-size needs a size like 500M or 4G, not “%s”\n"),
                  max_upload);
      return 2;
    }

  if (expires != NULL && !ssync_duration_parse (expires, &lifetime, &error))
    {
      g_printerr ("sharesync: --expires: %s\n", error->message);
      return 2;
    }

  if (max_downloads < 0)
    {
      g_printerr ("sharesync: %s\n", _("--max-downloads must be a positive number"));
      return 2;
    }

  if (password != NULL && password[0] == '\0')
    {
      g_printerr ("sharesync: %s\n", _("--password must not be empty"));
      return 2;
    }

  if (bind != NULL && !g_hostname_is_ip_address (bind))
    {
      g_printerr (_("sharesync: --bind needs an IP address, not “%s”\n"), bind);
      return 2;
    }

  headless.session = ssync_session_new (data_dir, &error);
  if (headless.session == NULL)
    {
      g_printerr ("sharesync: %s\n", error->message);
      return 1;
    }

  if (push)
    return run_push (&headless, files, lifetime);
  if (fetch != NULL)
    return run_fetch (&headless, fetch, fetch_to);

  if (!ssync_session_start (headless.session, bind, port, &error))
    {
      g_printerr (_("sharesync: cannot listen on port %d: %s\n"),
                  port < 0 ? SSYNC_DEFAULT_PORT : port, error->message);
      g_clear_object (&headless.session);
      return 1;
    }

  headless.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (headless.session, "transfer-started", G_CALLBACK (on_transfer_started),
                    &headless);
  g_unix_signal_add (SIGINT, on_quit_signal, &headless);
  g_unix_signal_add (SIGTERM, on_quit_signal, &headless);

  /* Hashed once, here, before the main loop runs; the password itself is forgotten. */
  if (password != NULL)
    {
      password_hash = ssync_password_hash (password, &error);
      explicit_bzero (password, strlen (password));
      if (password_hash == NULL)
        {
          g_printerr ("sharesync: %s\n", error->message);
          g_clear_object (&headless.session);
          return 1;
        }
    }

  ssync_session_set_max_upload_size (headless.session, max_upload_size);
  ssync_session_set_share_defaults (headless.session, password_hash, lifetime, max_downloads);
  emit_listening (&headless);

  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    g_ptr_array_add (gfiles, g_file_new_for_commandline_arg (files[i]));
  if (gfiles->len > 0)
    ssync_session_add_share_async (headless.session, (GFile **) gfiles->pdata, gfiles->len,
                                   NULL, on_share_added, &headless);
  if (receive != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_commandline_arg (receive);

      ssync_session_add_receive_share_async (headless.session, folder, NULL,
                                             on_receive_share_added, &headless);
    }

  g_main_loop_run (headless.loop);

  ssync_session_shutdown (headless.session);
  g_clear_object (&headless.session);
  g_main_loop_unref (headless.loop);

  return headless.exit_code;
}
