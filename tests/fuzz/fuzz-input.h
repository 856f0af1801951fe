/* fuzz-input.h: what every libFuzzer target of tests/fuzz shares.
 *
 * A target reads its structured arguments (numbers, NUL-terminated strings) from the fuzzer's
 * bytes with these helpers, so that every input, however short, means something: reading past
 * the end gives zeros and empty strings instead of stopping.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct {
  const guint8 *data;
  gsize left;
} FuzzInput;

/* The entry points libFuzzer calls. */
int      LLVMFuzzerInitialize   (int            *argc,
                                 char         ***argv);
int      LLVMFuzzerTestOneInput (const uint8_t  *data,
                                 size_t          size);

void     fuzz_input_init        (FuzzInput      *input,
                                 const guint8   *data,
                                 gsize           size);
guint8   fuzz_input_byte        (FuzzInput      *input);
guint64  fuzz_input_u64         (FuzzInput      *input);
char    *fuzz_input_string      (FuzzInput      *input);
char    *fuzz_input_rest        (FuzzInput      *input);
gboolean fuzz_input_is_empty    (FuzzInput      *input);

void     fuzz_fail              (const char     *file,
                                 int             line,
                                 const char     *what,
                                 const char     *condition) G_GNUC_NORETURN;

/* Aborts with @what when @condition does not hold: a finding, reported as a crash. */
#define fuzz_check(condition, what) \
  G_STMT_START { \
    if (G_UNLIKELY (!(condition))) \
      fuzz_fail (__FILE__, __LINE__, what, #condition); \
  } G_STMT_END

G_END_DECLS
