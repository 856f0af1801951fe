/* ssync-headless-private.h: what the headless face's files share: its state and how it
 * prints events (one JSON object per line on stdout, DESIGN.md).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ssync-options.h"
#include "ssync-session.h"

G_BEGIN_DECLS

/* How long --send-to looks for a device given by name or fingerprint. */
#define SEND_WAIT_SECONDS 10

/* At most four progress lines per transfer and second. */
#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 4)

typedef struct {
  GMainLoop *loop;
  SsyncSession *session;
  int exit_code;
  /* What SIGINT or SIGTERM cancels instead of ending the loop at once (a push, a fetch):
   * it cleans up (aborts the upload, removes the .part), then ends the loop itself. */
  GCancellable *signal_cancellable;
  /* --push */
  gint64 push_lifetime;
  gint64 last_push_progress;
  /* When each transfer's progress was last printed (SsyncTransfer → gint64 *). */
  GHashTable *last_progress;
  /* --send-to a device found by name or fingerprint: what to send once it is seen. */
  char *send_target;
  GPtrArray *send_files;
  char *send_pin;
  GCancellable *send_cancellable;
  guint send_wait_id;
} Headless;

void         ssync_headless_emit                  (JsonBuilder   *builder);
JsonBuilder *ssync_headless_begin_event           (const char    *name);
void         ssync_headless_add_string            (JsonBuilder   *builder,
                                                   const char    *member,
                                                   const char    *value);
void         ssync_headless_add_int               (JsonBuilder   *builder,
                                                   const char    *member,
                                                   gint64         value);
void         ssync_headless_fail                  (Headless      *headless,
                                                   int            code,
                                                   const char    *message);
void         ssync_headless_transfer_started      (SsyncSession  *session,
                                                   SsyncTransfer *transfer,
                                                   Headless      *headless);
gboolean     ssync_headless_quit_signal           (gpointer       user_data);
int          ssync_headless_run_send_to           (Headless      *headless,
                                                   const char    *target,
                                                   GStrv          paths,
                                                   const char    *pin);
int          ssync_headless_run_discover          (Headless      *headless,
                                                   int            seconds);
void         ssync_headless_emit_trust            (SsyncOptions  *options);
void         ssync_headless_start_nearby_receive  (Headless      *headless,
                                                   GFile         *folder,
                                                   gboolean       accept_all);

G_END_DECLS
