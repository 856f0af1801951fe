/* ssync-faults.h: what the fault tests share: a guard that unmounts, kills and removes what a
 * test made even when an assertion aborts it, raw HTTP over a socket, tus requests, and looks
 * into the history database a killed server left.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ssync-test-server.h"

G_BEGIN_DECLS

void               ssync_faults_init            (int                  *argc,
                                                 char               ***argv);
gboolean           ssync_faults_need_root       (void);
void               ssync_faults_guard_dir       (const char           *dir);
void               ssync_faults_guard_mount     (const char           *path);
void               ssync_faults_unguard         (void);
void               ssync_faults_mount_tmpfs     (const char           *path,
                                                 const char           *size);
void               ssync_faults_unmount         (const char           *path);
void               ssync_faults_start           (SsyncTestServer      *server,
                                                 const char * const   *env,
                                                 const char * const   *args);
void               ssync_faults_kill            (SsyncTestServer      *server);
void               ssync_faults_stop            (SsyncTestServer      *server);
void               ssync_faults_read_shares     (SsyncTestServer      *server,
                                                 guint                 n,
                                                 char                **send,
                                                 char                **receive);

GSocketConnection *ssync_faults_connect         (SsyncTestServer      *server);
void               ssync_faults_send            (GSocketConnection    *conn,
                                                 const void           *data,
                                                 gsize                 len);
char              *ssync_faults_read_head       (GSocketConnection    *conn);
GByteArray        *ssync_faults_read_to_end     (GSocketConnection    *conn,
                                                 gsize                 max);

SoupMessage       *ssync_faults_tus             (SoupSession          *session,
                                                 SsyncTestServer      *server,
                                                 const char           *method,
                                                 const char           *path,
                                                 GBytes               *body,
                                                 ...) G_GNUC_NULL_TERMINATED;
char              *ssync_faults_tus_create      (SoupSession          *session,
                                                 SsyncTestServer      *server,
                                                 const char           *uploads,
                                                 guint64               length,
                                                 const char           *filename);
SoupMessage       *ssync_faults_tus_patch       (SoupSession          *session,
                                                 SsyncTestServer      *server,
                                                 const char           *location,
                                                 guint64               offset,
                                                 const char           *data,
                                                 gsize                 len);
GSocketConnection *ssync_faults_raw_patch       (SsyncTestServer      *server,
                                                 const char           *location,
                                                 gsize                 length,
                                                 const char           *data,
                                                 gsize                 len);
guint64            ssync_faults_tus_offset      (SoupSession          *session,
                                                 SsyncTestServer      *server,
                                                 const char           *location);
const char        *ssync_faults_header          (SoupMessage          *msg,
                                                 const char           *name);
const char        *ssync_faults_reply           (SoupMessage          *msg);

char              *ssync_faults_db_path         (SsyncTestServer      *server);
char              *ssync_faults_integrity       (const char           *db_path);
gint64             ssync_faults_db_count        (const char           *db_path,
                                                 const char           *sql);
GPtrArray         *ssync_faults_transfers       (const char           *db_path);
guint64            ssync_faults_file_size       (const char           *path);
guint              ssync_faults_count_files     (const char           *dir,
                                                 const char           *suffix);

G_END_DECLS
