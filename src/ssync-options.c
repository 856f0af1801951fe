/* ssync-options.c: the command line of both faces (ssync-options.h).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "sharesync"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ssync-duration.h"
#include "ssync-error.h"
#include "ssync-options.h"
#include "ssync-password.h"

/* How long --discover looks without a number. */
#define DISCOVER_SECONDS 10

/* --discover[=SECONDS]: an optional value, which GOption only offers to callbacks. */
static gboolean
parse_discover (const char  *name,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  SsyncOptions *options = data;
  guint64 seconds = DISCOVER_SECONDS;

  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 1, 24 * 60 * 60, &seconds, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--discover takes a number of seconds from 1 to 86400, not “%s”"), value);
      return FALSE;
    }
  options->discover = seconds;
  return TRUE;
}

/* A number option's value when it is not on the command line. */
#define NOT_GIVEN G_MININT

/* "500M", "500MB", "4G", "1048576": SI units, as g_format_size() shows sizes everywhere
 * (500M is 500,000,000 bytes), or binary units spelled out ("500MiB"). */
static gboolean
parse_size (const char *text,
            guint64    *bytes)
{
  static const char prefixes[] = "KMGT";
  const char *prefix;
  char *end = NULL;
  guint64 value, base = 1000, multiplier = 1;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || value == 0)
    return FALSE;

  if (*end != '\0' && (prefix = strchr (prefixes, g_ascii_toupper (*end))) != NULL)
    {
      if (g_ascii_strcasecmp (end + 1, "iB") == 0)
        base = 1024;
      else if (end[1] != '\0' && g_ascii_strcasecmp (end + 1, "B") != 0)
        return FALSE;
      for (const char *p = prefixes; p <= prefix; p++)
        multiplier *= base;
    }
  else if (*end != '\0' && g_ascii_strcasecmp (end, "B") != 0)
    return FALSE;

  if (value > G_MAXUINT64 / multiplier)
    return FALSE;
  *bytes = value * multiplier;
  return TRUE;
}

static gboolean
usage_error (GError     **error,
             const char  *message)
{
  g_set_error_literal (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

/* --trust and --block name a device by its fingerprint, the SHA-256 of its certificate
 * (LocalSend shows it; so does --discover): an alias or an address could be anybody's. */
static gboolean
check_devices (GStrv        fingerprints,
               const char  *option,
               GError     **error)
{
  for (guint i = 0; fingerprints != NULL && fingerprints[i] != NULL; i++)
    if (!ssync_device_fingerprint_is_valid (fingerprints[i]))
      {
        g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                     _("%s needs a device fingerprint (64 hexadecimal digits), not “%s”"),
                     option, fingerprints[i]);
        return FALSE;
      }
  return TRUE;
}

/* --password-file FILE: its first line is the password, kept off the command line (which
 * other users can see in the process list); "-" reads standard input. */
static gboolean
read_password_file (SsyncOptions  *options,
                    GError       **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  char *end;

  if (g_strcmp0 (options->password_file, "-") == 0)
    {
      char line[1024];

      if (fgets (line, sizeof line, stdin) != NULL)
        {
          text = g_strdup (line);
          length = strlen (text);
        }
      explicit_bzero (line, sizeof line);
    }
  else
    g_file_get_contents (options->password_file, &text, &length, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("cannot read the password from %s: %s"), options->password_file,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? _("no such file") : local_error->message);
      return FALSE;
    }
  if (text != NULL && (end = strpbrk (text, "\r\n")) != NULL)
    *end = '\0';
  if (text == NULL || text[0] == '\0')
    {
      if (text != NULL)
        explicit_bzero (text, length);
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("%s has no password on its first line"), options->password_file);
      return FALSE;
    }
  if (options->fetch != NULL)
    options->fetch_password = g_strdup (text);
  else
    options->password = g_strdup (text);
  explicit_bzero (text, length);
  return TRUE;
}

/* What the options say together, checked before anything starts. A window needs no FILE:
 * it opens empty. */
static gboolean
check (SsyncOptions  *options,
       gboolean       window,
       GError       **error)
{
  gboolean has_files = options->files != NULL && options->files[0] != NULL;
  g_autoptr(GError) local_error = NULL;

  if (options->fetch != NULL && (has_files || options->receive != NULL))
    return usage_error (error, _("--fetch takes no FILE and no --receive (see --help)"));
  if (!window && options->discover > 0 &&
      (has_files || options->receive != NULL || options->push || options->fetch != NULL))
    return usage_error (error, _("--discover takes no FILE, --receive, --push or --fetch "
                                 "(see --help)"));
  if (options->alias != NULL && (g_utf8_strlen (options->alias, -1) < 1 ||
                                 g_utf8_strlen (options->alias, -1) > 64))
    return usage_error (error, _("--alias needs a name of 1 to 64 characters"));
  if (options->send_to != NULL && (!has_files || options->receive != NULL || options->push
                                   || options->fetch != NULL))
    return usage_error (error, _("--send-to needs at least one FILE, and no --receive, --push "
                                 "or --fetch (see --help)"));
  if (options->accept_all && options->receive == NULL && !window)
    return usage_error (error, _("--accept-all only goes with --receive DIR (see --help)"));
  if (options->pin != NULL && options->send_to == NULL)
    return usage_error (error, _("--pin only goes with --send-to (see --help)"));
  if (!check_devices (options->trust, "--trust", error) ||
      !check_devices (options->block, "--block", error))
    return FALSE;
  for (guint i = 0; options->trust != NULL && options->trust[i] != NULL; i++)
    for (guint j = 0; options->block != NULL && options->block[j] != NULL; j++)
      if (g_ascii_strcasecmp (options->trust[i], options->block[j]) == 0)
        return usage_error (error, _("a device cannot be both trusted and blocked (see --help)"));
  if (options->fetch_to != NULL && options->fetch == NULL)
    return usage_error (error, _("--to only goes with --fetch URL (see --help)"));
  if (!window && !has_files && options->receive == NULL && options->fetch == NULL &&
      options->discover == 0 && options->trust == NULL && options->block == NULL)
    return usage_error (error, _("nothing to share: give at least one FILE or --receive DIR "
                                 "(see --help)"));
  if (options->push && (!has_files || options->receive != NULL))
    return usage_error (error, _("--push needs at least one FILE and no --receive"));
  if (options->port < -1 || options->port > 65535)
    return usage_error (error, _("--port must be between 0 and 65535"));
  if (options->max_upload != NULL && !parse_size (options->max_upload, &options->max_upload_size))
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("--max-upload-size needs a size like 500M or 4G, not “%s”"),
                   options->max_upload);
      return FALSE;
    }
  if (options->expires != NULL &&
      !ssync_duration_parse (options->expires, &options->lifetime, &local_error))
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT, "--expires: %s",
                   local_error->message);
      return FALSE;
    }
  if (options->max_downloads < 0 && options->max_downloads != NOT_GIVEN)
    return usage_error (error, _("--max-downloads must be a positive number"));
  if (options->password != NULL && options->password[0] == '\0')
    return usage_error (error, _("--password must not be empty"));
  if (options->password != NULL && options->password_file != NULL)
    return usage_error (error, _("--password and --password-file do not go together"));
  if (options->password != NULL && options->fetch != NULL)
    return usage_error (error, _("--fetch takes the share’s password from --password-file, "
                                 "which other users cannot see (see --help)"));
  if (options->password_file != NULL && !read_password_file (options, error))
    return FALSE;
  if (options->bind != NULL && !g_hostname_is_ip_address (options->bind))
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT,
                   _("--bind needs an IP address, not “%s”"), options->bind);
      return FALSE;
    }
  return TRUE;
}

/* What is wrong with @path as one of the FILEs, or NULL when it can be shared: it exists, is a
 * file or a folder, and can be read. */
static char *
check_file (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  GFileType type;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_ACCESS_CAN_READ, G_FILE_QUERY_INFO_NONE, NULL,
                            &local_error);
  if (info == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    /* TRANSLATORS: after "sharesync: " on the terminal, hence lower-case */
    return g_strdup_printf (_("cannot share %s: no such file or folder"), path);
  if (info == NULL)
    return g_strdup_printf (_("cannot share %s: %s"), path, local_error->message);
  type = g_file_info_get_file_type (info);
  if (type != G_FILE_TYPE_REGULAR && type != G_FILE_TYPE_DIRECTORY)
    return g_strdup_printf (_("cannot share %s: not a file or folder"), path);
  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ) &&
      !g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ))
    return g_strdup_printf (_("cannot share %s: permission denied"), path);
  return NULL;
}

/* What is wrong with @path as a folder files are saved into, or NULL; @what says what the
 * folder is for ("cannot receive into /srv/inbox"). */
static char *
check_folder (const char *path,
              const char *what)
{
  g_autoptr(GFile) folder = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *why = NULL;

  info = g_file_query_info (folder, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE, G_FILE_QUERY_INFO_NONE, NULL,
                            &local_error);
  if (info == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    why = _("no such folder");
  else if (info == NULL)
    why = local_error->message;
  else if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    why = _("not a folder");
  else if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE) &&
           !g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_WRITE))
    why = _("the folder is not writable");
  if (why == NULL)
    return NULL;

  /* TRANSLATORS: "cannot receive into /srv/inbox: no such folder" */
  return g_strdup_printf (C_("folder problem", "%s: %s"), what, why);
}

/* Whether the FILEs, --receive's DIR and --fetch's --to DIR are there and usable, looked at
 * before anything starts, so that a mistyped path is one line on stderr and nothing else.
 * The message is lower-case, for after "sharesync: ". */
gboolean
ssync_options_check_paths (SsyncOptions  *options,
                           GError       **error)
{
  g_autofree char *problem = NULL;
  g_autofree char *what = NULL;

  for (guint i = 0; options->files != NULL && options->files[i] != NULL && problem == NULL; i++)
    problem = check_file (options->files[i]);
  if (problem == NULL && options->receive != NULL)
    {
      /* TRANSLATORS: the folder --receive DIR saves into */
      what = g_strdup_printf (_("cannot receive into %s"), options->receive);
      problem = check_folder (options->receive, what);
    }
  if (problem == NULL && options->fetch != NULL && options->fetch_to != NULL)
    {
      /* TRANSLATORS: the folder --fetch URL --to DIR saves into */
      what = g_strdup_printf (_("cannot save into %s"), options->fetch_to);
      problem = check_folder (options->fetch_to, what);
    }
  if (problem == NULL)
    return TRUE;

  g_set_error_literal (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT, problem);
  return FALSE;
}

/* Parses and checks the command line; @arguments keeps what was not an option (only the
 * program, as FILEs are taken). An error's message is one line for stderr, after "sharesync: ". */
gboolean
ssync_options_parse (SsyncOptions  *options,
                     GStrv         *arguments,
                     gboolean       window,
                     GError       **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  GOptionGroup *group;
  const GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &options->headless,
      N_("Run without a window, printing JSON events on standard output"), NULL },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options->port,
      N_("Port to listen on (default 5001, or the next free one when it is taken; 0 picks "
         "any free port)"), N_("PORT") },
    { "bind", 'b', 0, G_OPTION_ARG_STRING, &options->bind,
      N_("Address to listen on (default: all IPv4 addresses)"), N_("ADDRESS") },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->data_dir,
      N_("Folder for the history database (default: ~/.local/share/sharesync)"), N_("DIR") },
    { "receive", 'r', 0, G_OPTION_ARG_FILENAME, &options->receive,
      N_("Also let browsers send files into DIR"), N_("DIR") },
    { "max-upload-size", 0, 0, G_OPTION_ARG_STRING, &options->max_upload,
      N_("Largest file browsers may send, like 500M or 4G: SI units, as sizes are shown "
         "(500M is 500,000,000 bytes; 500MiB, binary, is accepted too); default: no limit"),
      N_("SIZE") },
    { "password", 0, 0, G_OPTION_ARG_STRING, &options->password,
      N_("Ask browsers for this password before anything else"), N_("PASSWORD") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &options->password_file,
      N_("Read that password from the first line of FILE (- for standard input), out of "
         "sight of other users; with --fetch, the password of the share fetched"), N_("FILE") },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &options->expires,
      N_("Stop sharing after a while: 90s, 30m, 2h or 7d"), N_("DURATION") },
    { "max-downloads", 0, 0, G_OPTION_ARG_INT, &options->max_downloads,
      N_("Stop sharing after N completed downloads"), N_("N") },
    { "push", 0, 0, G_OPTION_ARG_NONE, &options->push,
      N_("Upload the files to the S3 bucket, print a download link for each and exit "
         "(--expires sets how long the links last, at most 7d; default 1d)"), NULL },
    { "fetch", 0, 0, G_OPTION_ARG_STRING, &options->fetch,
      N_("Fetch another ShareSync's share over a direct (WebRTC) connection"), N_("URL") },
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &options->fetch_to,
      N_("Folder --fetch saves into (default: the current folder)"), N_("DIR") },
    { "discover", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_discover,
      N_("Look for LocalSend apps and other ShareSyncs nearby for SECONDS (default 10), "
         "printing each one found or lost"), N_("SECONDS") },
    { "send-to", 0, 0, G_OPTION_ARG_STRING, &options->send_to,
      N_("Send the FILEs (and folders) to a nearby device: its name, its fingerprint or its "
         "address IP[:PORT], and exit"), N_("DEVICE") },
    { "accept-all", 0, 0, G_OPTION_ARG_NONE, &options->accept_all,
      N_("Take the files nearby devices send (LocalSend) without asking; without it, headless "
         "declines them and the window asks"), NULL },
    { "trust", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->trust,
      N_("Take the files the nearby device with this fingerprint sends without asking, once "
         "it proves it holds that certificate (repeatable; kept for later runs)"),
      N_("DEVICE") },
    { "block", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->block,
      N_("Refuse the files the nearby device with this fingerprint sends, without asking "
         "(repeatable; kept for later runs)"), N_("DEVICE") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &options->pin,
      N_("The PIN the device asks for, with --send-to"), N_("PIN") },
    { "alias", 0, 0, G_OPTION_ARG_STRING, &options->alias,
      N_("The name nearby devices see (default: your name or the computer's)"), N_("NAME") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version, N_("Print the version and exit"),
      NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->files, NULL,
      N_("FILE…") },
    { NULL }
  };

  options->port = -1;
  options->max_downloads = NOT_GIVEN;
  context = g_option_context_new (_("— share files with the people around you"));
  /* The main group's data is what the --discover callback receives. */
  group = g_option_group_new (NULL, NULL, NULL, options, NULL);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
                                _("Shares the given files and folders as one link that any "
                                  "browser on the network can open."));
  if (!g_option_context_parse_strv (context, arguments, &local_error))
    {
      g_set_error (error, SSYNC_ERROR, SSYNC_ERROR_INVALID_ARGUMENT, _("%s (see --help)"),
                   local_error->message);
      return FALSE;
    }
  return options->version || check (options, window, error);
}

void
ssync_options_clear (SsyncOptions *options)
{
  if (options->password != NULL)
    explicit_bzero (options->password, strlen (options->password));
  g_clear_pointer (&options->password, g_free);
  if (options->fetch_password != NULL)
    explicit_bzero (options->fetch_password, strlen (options->fetch_password));
  g_clear_pointer (&options->fetch_password, g_free);
  g_clear_pointer (&options->password_file, g_free);
  g_clear_pointer (&options->bind, g_free);
  g_clear_pointer (&options->data_dir, g_free);
  g_clear_pointer (&options->receive, g_free);
  g_clear_pointer (&options->max_upload, g_free);
  g_clear_pointer (&options->expires, g_free);
  g_clear_pointer (&options->fetch, g_free);
  g_clear_pointer (&options->fetch_to, g_free);
  g_clear_pointer (&options->send_to, g_free);
  g_clear_pointer (&options->pin, g_free);
  g_clear_pointer (&options->alias, g_free);
  g_clear_pointer (&options->trust, g_strfreev);
  g_clear_pointer (&options->block, g_strfreev);
  g_clear_pointer (&options->files, g_strfreev);
}

/* Whether the options say where the server listens or what it accepts: only the run that
 * starts the server can apply those. */
gboolean
ssync_options_sets_server (SsyncOptions *options)
{
  return options->port != -1 || options->bind != NULL || options->data_dir != NULL ||
         options->max_upload != NULL;
}

/* Whether the options say what the shares of this run get. */
gboolean
ssync_options_sets_shares (SsyncOptions *options)
{
  return options->password != NULL || options->expires != NULL ||
         options->max_downloads != NOT_GIVEN;
}

/* Sets what the options say on @session's configuration, over the preferences, and the
 * password every share of this run asks for. The password is hashed here, once, and
 * forgotten. */
gboolean
ssync_options_apply (SsyncOptions  *options,
                     SsyncSession  *session,
                     GError       **error)
{
  SsyncConfig *config = ssync_session_get_config (session);

  if (options->port != -1)
    g_object_set (config, "port", options->port, NULL);
  if (options->bind != NULL)
    g_object_set (config, "bind-address", options->bind, NULL);
  if (options->max_upload != NULL)
    g_object_set (config, "max-upload-size", options->max_upload_size, NULL);
  /* --expires of a push is how long its links last, not the share's life. */
  if (options->expires != NULL && !options->push)
    g_object_set (config, "default-lifetime", options->lifetime, NULL);
  if (options->max_downloads != NOT_GIVEN)
    g_object_set (config, "default-max-downloads", (guint) options->max_downloads, NULL);
  if (options->alias != NULL)
    g_object_set (config, "alias", options->alias, NULL);
  /* Decisions about devices are kept in the history, like the window's. */
  for (guint i = 0; options->trust != NULL && options->trust[i] != NULL; i++)
    ssync_session_set_device_trust (session, options->trust[i], NULL, NULL,
                                    SSYNC_DEVICE_TRUST_TRUSTED);
  for (guint i = 0; options->block != NULL && options->block[i] != NULL; i++)
    ssync_session_set_device_trust (session, options->block[i], NULL, NULL,
                                    SSYNC_DEVICE_TRUST_BLOCKED);

  if (options->password != NULL)
    {
      g_autofree char *hash = ssync_password_hash (options->password, error);

      explicit_bzero (options->password, strlen (options->password));
      g_clear_pointer (&options->password, g_free);
      if (hash == NULL)
        return FALSE;
      ssync_session_set_default_password_hash (session, hash);
    }
  return TRUE;
}

/* Whether --send-to's @target is an address (IP, IP:PORT or [IPv6]:PORT) rather than a
 * device's name or fingerprint, which only Nearby can turn into one. */
gboolean
ssync_options_target_is_address (const char *target)
{
  const char *colon = strrchr (target, ':');
  g_autofree char *host = colon != NULL ? g_strndup (target, colon - target) : NULL;

  return target[0] == '[' || g_hostname_is_ip_address (target) ||
         (host != NULL && g_hostname_is_ip_address (host));
}

/* Says @message on stderr after "sharesync: ", one line, lower-case as a terminal's errors
 * are: a message written for the window ("Wrong password for this share") loses its capital,
 * unless its first word is a name ("ShareSync", "S3", "LocalSend", "GStreamer"). */
void
ssync_options_print_error (const char *message)
{
  gunichar first = g_utf8_get_char (message);
  const char *rest = g_utf8_next_char (message);
  gboolean name = FALSE;
  char lower[8] = { 0 };

  for (const char *p = rest; *p != '\0' && !g_unichar_isspace (g_utf8_get_char (p)) &&
       *p != ':'; p = g_utf8_next_char (p))
    name |= g_unichar_isupper (g_utf8_get_char (p)) || g_unichar_isdigit (g_utf8_get_char (p));
  g_unichar_to_utf8 (g_unichar_isupper (first) && !name ? g_unichar_tolower (first) : first,
                     lower);
  g_printerr ("sharesync: %s%s\n", lower, rest);
}
