/* ssync-localsend-receiver.h: receiving files over LocalSend's upload API (prepare-upload,
 * upload, cancel), one session at a time, into a folder.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ssync-localsend-device.h"
#include "ssync-transfer.h"

G_BEGIN_DECLS

#define SSYNC_TYPE_LOCALSEND_RECEIVER (ssync_localsend_receiver_get_type ())

G_DECLARE_FINAL_TYPE (SsyncLocalsendReceiver, ssync_localsend_receiver, SSYNC,
                      LOCALSEND_RECEIVER, GObject)

/* At most this many files in one session. */
#define SSYNC_LOCALSEND_MAX_FILES 10000
/* How long a question waits for the user before it counts as declined. */
#define SSYNC_LOCALSEND_ASK_TIMEOUT 300

/* One file offered: its sanitised relative path ('/' separated) and announced size. */
typedef struct {
  const char *name;
  guint64 size;
} SsyncLocalsendOffer;

/* Call exactly once with the user's answer, from the main context, even late: an answer after
 * the timeout, or after the sender went away, is ignored. */
typedef void (*SsyncLocalsendAnswer) (gboolean accept,
                                      gpointer answer_data);

/* Asks whether to receive @n_files files (@total bytes together) from @device (its address
 * set). All borrowed for the call only. */
typedef void (*SsyncLocalsendAsk) (SsyncLocalsendDevice      *device,
                                   const SsyncLocalsendOffer *files,
                                   guint                      n_files,
                                   guint64                    total,
                                   SsyncLocalsendAnswer       answer,
                                   gpointer                   answer_data,
                                   gpointer                   user_data);

SsyncLocalsendReceiver *ssync_localsend_receiver_new               (void);
void     ssync_localsend_receiver_set_folder        (SsyncLocalsendReceiver *self,
                                                     GFile                  *folder);
GFile   *ssync_localsend_receiver_get_folder        (SsyncLocalsendReceiver *self);
void     ssync_localsend_receiver_set_pin           (SsyncLocalsendReceiver *self,
                                                     const char             *pin);
void     ssync_localsend_receiver_set_ask           (SsyncLocalsendReceiver *self,
                                                     SsyncLocalsendAsk       ask,
                                                     gpointer                user_data,
                                                     GDestroyNotify          destroy);
void     ssync_localsend_receiver_set_ask_timeout   (SsyncLocalsendReceiver *self,
                                                     guint                   seconds);
void     ssync_localsend_receiver_set_max_file_size (SsyncLocalsendReceiver *self,
                                                     guint64                 max_size);
gboolean ssync_localsend_receiver_is_busy           (SsyncLocalsendReceiver *self);
void     ssync_localsend_receiver_cancel            (SsyncLocalsendReceiver *self);

/* For SsyncLocalsendServer's routes. */
void     ssync_localsend_receiver_handle_prepare     (SsyncLocalsendReceiver *self,
                                                      SoupServerMessage      *msg,
                                                      GHashTable             *query);
gboolean ssync_localsend_receiver_handle_upload_early (SsyncLocalsendReceiver *self,
                                                       SoupServerMessage      *msg,
                                                       GHashTable             *query);
void     ssync_localsend_receiver_handle_upload      (SsyncLocalsendReceiver *self,
                                                      SoupServerMessage      *msg);
void     ssync_localsend_receiver_handle_cancel      (SsyncLocalsendReceiver *self,
                                                      SoupServerMessage      *msg,
                                                      GHashTable             *query);

G_END_DECLS
