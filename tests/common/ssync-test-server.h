/* ssync-test-server.h: a real `sharesync --headless` for integration tests.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char *dir;        /* temporary folder of the test, removed by stop() */
  GSubprocess *proc;
  GDataInputStream *events;
  char *base;       /* http://127.0.0.1:PORT */
  guint64 file_size_limit;  /* RLIMIT_FSIZE of the server, 0 for none: a "full disk" */
} SsyncTestServer;

void        ssync_test_server_start      (SsyncTestServer     *server,
                                          const char * const  *env,
                                          const char * const  *args);
JsonObject *ssync_test_server_read_event (SsyncTestServer     *server,
                                          const char          *wanted);
int         ssync_test_server_stop       (SsyncTestServer     *server);
char       *ssync_test_write_random      (const char          *dir,
                                          const char          *path,
                                          gsize                size);
char       *ssync_test_sha256_of_file    (const char          *path);
void        ssync_test_remove_tree       (const char          *dir);
GSocketConnection *ssync_test_connect_raw (SsyncTestServer    *server);
char       *ssync_test_raw_request       (GSocketConnection   *conn,
                                          const char          *request);
typedef gboolean (*SsyncTestCondition) (gconstpointer data);

void        ssync_test_wait              (SsyncTestCondition   condition,
                                          gconstpointer        data,
                                          guint                seconds);
void        ssync_test_wait_until        (const gboolean      *done,
                                          guint                seconds);
void        ssync_test_wait_for          (guint                ms);

G_END_DECLS
