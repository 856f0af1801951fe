/* ssync-options.h: the command line both faces share. `--help` lists every option, and each
 * one works with a window as without: what it sets applies to this run only, over the
 * preferences, which it never changes.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "ssync-session.h"

G_BEGIN_DECLS

typedef struct {
  gboolean headless;
  gboolean version;
  gboolean push;
  int port;                 /* -1: not given */
  char *bind;
  char *data_dir;
  char *receive;
  char *max_upload;
  char *password;           /* wiped as soon as it is hashed */
  char *password_file;      /* the password's first line, "-" for standard input */
  char *fetch_password;     /* --fetch's, read from --password-file; wiped when cleared */
  char *expires;
  int max_downloads;        /* G_MININT: not given */
  char *fetch;
  char *fetch_to;
  int discover;             /* seconds of --discover; 0: not given */
  char *alias;
  char *send_to;            /* --send-to TARGET: a nearby device, the FILEs go to it */
  char *pin;
  gboolean accept_all;      /* files from nearby devices are taken without asking */
  GStrv trust;              /* --trust DEVICE: fingerprints whose files are taken */
  GStrv block;              /* --block DEVICE: fingerprints whose files are refused */
  GStrv files;
  /* What the checks made of the text above. */
  gint64 lifetime;          /* seconds; 0: not given */
  guint64 max_upload_size;  /* 0: not given */
} SsyncOptions;

gboolean ssync_options_parse          (SsyncOptions   *options,
                                       GStrv          *arguments,
                                       gboolean        window,
                                       GError        **error);
gboolean ssync_options_check_paths    (SsyncOptions   *options,
                                       GError        **error);
void     ssync_options_clear          (SsyncOptions   *options);
gboolean ssync_options_sets_server    (SsyncOptions   *options);
gboolean ssync_options_sets_shares    (SsyncOptions   *options);
gboolean ssync_options_apply          (SsyncOptions   *options,
                                       SsyncSession   *session,
                                       GError        **error);

void     ssync_options_print_error    (const char     *message);

gboolean ssync_options_target_is_address (const char     *target);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SsyncOptions, ssync_options_clear)

G_END_DECLS
