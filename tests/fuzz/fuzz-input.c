/* fuzz-input.c: reading a fuzzer's bytes as structured arguments.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-fuzz"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-input.h"

/* A fatal GLib message stops the process with SIGTRAP, which libFuzzer does not catch: turned
 * into SIGABRT, it gets the input saved and the stack printed like any other crash. */
static void
on_trap (int signum)
{
  abort ();
}

/* Criticals and warnings are how GLib and the project report a broken contract: in a fuzzer
 * they must crash, or the fuzzer would never report them. The C locale keeps messages and
 * number formats the same on every machine, so that a crash reproduces anywhere. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  struct sigaction action = { 0, };

  setlocale (LC_ALL, "C");
  action.sa_handler = on_trap;
  sigaction (SIGTRAP, &action, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

void
fuzz_fail (const char *file,
           int         line,
           const char *what,
           const char *condition)
{
  g_printerr ("fuzz check failed: %s:%d: %s (%s)\n", file, line, what, condition);
  abort ();
}

void
fuzz_input_init (FuzzInput    *input,
                 const guint8 *data,
                 gsize         size)
{
  input->data = data;
  input->left = size;
}

guint8
fuzz_input_byte (FuzzInput *input)
{
  guint8 b;

  if (input->left == 0)
    return 0;
  b = input->data[0];
  input->data++;
  input->left--;
  return b;
}

/* Eight bytes, little-endian; fewer when the input runs out. */
guint64
fuzz_input_u64 (FuzzInput *input)
{
  guint64 value = 0;

  for (guint i = 0; i < 8 && input->left > 0; i++)
    value |= (guint64) fuzz_input_byte (input) << (8 * i);
  return value;
}

/* The bytes up to the next NUL (consumed) or the end of the input, as a new string. */
char *
fuzz_input_string (FuzzInput *input)
{
  const guint8 *nul;
  gsize len;
  char *text;

  if (input->left == 0)
    return g_strdup ("");

  nul = memchr (input->data, '\0', input->left);
  len = nul != NULL ? (gsize) (nul - input->data) : input->left;
  text = g_strndup ((const char *) input->data, len);

  input->data += len;
  input->left -= len;
  if (nul != NULL)
    {
      input->data++;
      input->left--;
    }
  return text;
}

/* Everything left, cut at its first NUL, as a new string. */
char *
fuzz_input_rest (FuzzInput *input)
{
  char *text;

  if (input->left == 0)
    return g_strdup ("");

  text = g_strndup ((const char *) input->data, input->left);
  input->data += input->left;
  input->left = 0;
  return text;
}

gboolean
fuzz_input_is_empty (FuzzInput *input)
{
  return input->left == 0;
}
