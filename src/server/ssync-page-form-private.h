/* ssync-page-form-private.h: what ssync-page-form.c and ssync-page-form-scan.c share.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One file of a form: its name as sent, and where its bytes are in the spool. */
typedef struct {
  char *name;
  guint64 start;
  guint64 length;
} SsyncFormFile;

/* Why a form is refused: a status and the msgids of its error page. */
typedef struct {
  guint status;
  const char *title;
  const char *text;
} SsyncFormRefusal;

void       ssync_form_file_free (SsyncFormFile    *file);
GPtrArray *ssync_page_form_scan (const char       *spool_path,
                                 const char       *delimiter,
                                 guint64           max_size,
                                 SsyncFormRefusal *refusal);

G_END_DECLS
