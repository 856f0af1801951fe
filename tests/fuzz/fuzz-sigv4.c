/* fuzz-sigv4.c: the SigV4 canonical request and URI encoding (src/cloud/ssync-sigv4.c).
 *
 * Input: a byte with the number of query pairs and headers, then NUL-separated strings: the
 * method, the path, the query names and values, the header names and values, and the secret.
 * What must hold: the encoding uses only unreserved characters and %XX and decodes back to the
 * input; the canonical request has its six parts in order, the query sorted, each header name
 * lower-cased once in sorted order with its values trimmed and squeezed, and the same signed
 * header list as the Authorization and the pre-signed query carry.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-input.h"
#include "ssync-sigv4.h"

#define DATE "20130524T000000Z"

static void
check_encoding (const char *text,
                gboolean    keep_slash)
{
  g_autofree char *encoded = ssync_sigv4_uri_encode (text, keep_slash);
  g_autofree char *decoded = NULL;

  for (const char *p = encoded; *p != '\0'; p++)
    {
      if (*p == '%')
        {
          fuzz_check (g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]) &&
                        !g_ascii_islower (p[1]) && !g_ascii_islower (p[2]),
                      "a percent sign not followed by two upper-case hex digits");
          p += 2;
          continue;
        }
      fuzz_check (g_ascii_isalnum (*p) || strchr ("-_.~", *p) != NULL || (keep_slash && *p == '/'),
                  "a reserved character left unencoded");
    }

  decoded = g_uri_unescape_string (encoded, NULL);
  fuzz_check (g_strcmp0 (decoded, text) == 0, "the encoding does not decode back to the input");
}

/* What the canonical form makes of a header value: trimmed, runs of blanks squeezed. */
static char *
squeeze (const char *value)
{
  GString *out = g_string_new (NULL);
  gboolean blank = FALSE;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t')
        {
          blank = TRUE;
          continue;
        }
      if (blank && out->len > 0)
        g_string_append_c (out, ' ');
      blank = FALSE;
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
has_any (const char *text,
         const char *chars)
{
  return strpbrk (text, chars) != NULL;
}

/* The header lines expected in the canonical request: names lower-cased, sorted, values of a
 * repeated name joined with commas in the order given. */
static char *
expected_headers (const SsyncSigv4Pair *headers,
                  gsize                 n_headers,
                  char                **names_out)
{
  g_autoptr(GTree) joined = g_tree_new_full ((GCompareDataFunc) strcmp, NULL, g_free, g_free);
  GString *lines = g_string_new (NULL);
  GString *names = g_string_new (NULL);
  GTreeNode *node;

  for (gsize i = 0; i < n_headers; i++)
    {
      g_autofree char *name = g_ascii_strdown (headers[i].name, -1);
      g_autofree char *value = squeeze (headers[i].value);
      const char *before = g_tree_lookup (joined, name);

      if (before != NULL)
        g_tree_replace (joined, g_steal_pointer (&name),
                        g_strconcat (before, ",", value, NULL));
      else
        g_tree_insert (joined, g_steal_pointer (&name), g_steal_pointer (&value));
    }

  for (node = g_tree_node_first (joined); node != NULL; node = g_tree_node_next (node))
    {
      g_string_append_printf (lines, "%s:%s\n", (const char *) g_tree_node_key (node),
                              (const char *) g_tree_node_value (node));
      g_string_append_printf (names, "%s%s", node != g_tree_node_first (joined) ? ";" : "",
                              (const char *) g_tree_node_key (node));
    }

  *names_out = g_string_free (names, FALSE);
  return g_string_free (lines, FALSE);
}

static void
check_query_sorted (const char *query)
{
  g_auto(GStrv) pairs = g_strsplit (query, "&", -1);

  for (guint i = 1; query[0] != '\0' && pairs[i] != NULL; i++)
    {
      g_auto(GStrv) a = g_strsplit (pairs[i - 1], "=", 2);
      g_auto(GStrv) b = g_strsplit (pairs[i], "=", 2);
      int by_name = strcmp (a[0], b[0]);

      fuzz_check (a[1] != NULL && b[1] != NULL, "a query pair without '='");
      fuzz_check (by_name < 0 || (by_name == 0 && strcmp (a[1], b[1]) <= 0),
                  "the canonical query is not sorted");
    }
}

static void
check_canonical (const SsyncSigv4Request *request,
                 gboolean                 plain)
{
  g_autofree char *signed_headers = NULL;
  g_autofree char *canonical = ssync_sigv4_canonical_request (request, &signed_headers);
  g_autofree char *path = ssync_sigv4_uri_encode (request->path, TRUE);
  g_autofree char *names = NULL;
  g_autofree char *lines = expected_headers (request->headers, request->n_headers, &names);
  g_autofree char *head = NULL;
  g_autofree char *tail = NULL;
  g_auto(GStrv) parts = NULL;

  fuzz_check (strcmp (signed_headers, names) == 0, "the signed header names differ");
  if (!plain)
    return;

  /* Without line breaks in the method and header values, the parts can be found again. */
  head = g_strdup_printf ("%s\n%s\n", request->method, path);
  tail = g_strdup_printf ("%s\n%s\n%s", lines, names, request->payload_hash);
  fuzz_check (g_str_has_prefix (canonical, head), "the method and path lines are wrong");
  fuzz_check (g_str_has_suffix (canonical, tail), "the header lines are wrong");
  fuzz_check (strlen (canonical) >= strlen (head) + strlen (tail), "the parts overlap");
  parts = g_strsplit (canonical + strlen (head), "\n", 2);
  check_query_sorted (parts[0]);
  fuzz_check (strlen (head) + strlen (parts[0]) + 1 + strlen (tail) == strlen (canonical),
              "the canonical request has more than the query between path and headers");
}

static void
check_signing (const SsyncSigv4Request *request,
               const char              *secret)
{
  SsyncSigv4Key key = { "AKIDEXAMPLE", secret, "us-east-1", "s3" };
  g_autofree char *signed_headers = NULL;
  g_autofree char *canonical = ssync_sigv4_canonical_request (request, &signed_headers);
  g_autofree char *authorization = ssync_sigv4_authorization (&key, DATE, request);
  g_autofree char *presigned = ssync_sigv4_presign_query (&key, DATE, G_MAXUINT, request);
  g_autofree char *wanted = g_strdup_printf (", SignedHeaders=%s, Signature=", signed_headers);
  const char *signature = strrchr (authorization, '=');
  const char *query_signature = g_strrstr (presigned, "&X-Amz-Signature=");

  g_autofree char *to_sign = ssync_sigv4_string_to_sign (&key, DATE, canonical);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);

  fuzz_check (g_str_has_suffix (to_sign, hash), "the string to sign ends with another hash");
  fuzz_check (strstr (authorization, wanted) != NULL, "the Authorization names other headers");
  fuzz_check (strlen (signature + 1) == 64, "a signature that is not 64 hex digits");
  fuzz_check (query_signature != NULL && strlen (query_signature) == 17 + 64,
              "a pre-signed query without its signature at the end");
  fuzz_check (strstr (presigned, "X-Amz-Expires=604800") != NULL,
              "a pre-signed link that lasts longer than seven days");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzInput input;
  guint8 counts;
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  SsyncSigv4Pair query[8];
  SsyncSigv4Pair headers[8];
  SsyncSigv4Request request = { 0, };
  gboolean plain = TRUE;
  const char *secret;

  fuzz_input_init (&input, data, size);
  counts = fuzz_input_byte (&input);
  request.n_query = counts & 0x7;
  request.n_headers = (counts >> 4) & 0x7;
  request.payload_hash = (counts & 0x8) ? SSYNC_SIGV4_UNSIGNED_PAYLOAD : SSYNC_SIGV4_EMPTY_SHA256;

  for (guint i = 0; i < 3 + 2 * (request.n_query + request.n_headers); i++)
    g_ptr_array_add (strings, fuzz_input_string (&input));
  request.method = strings->pdata[0];
  request.path = strings->pdata[1];
  secret = strings->pdata[2];
  for (gsize i = 0; i < request.n_query; i++)
    {
      query[i].name = strings->pdata[3 + 2 * i];
      query[i].value = strings->pdata[4 + 2 * i];
    }
  for (gsize i = 0; i < request.n_headers; i++)
    {
      headers[i].name = strings->pdata[3 + 2 * (request.n_query + i)];
      headers[i].value = strings->pdata[4 + 2 * (request.n_query + i)];
      /* A name with ':' or ';', or any line break, makes the canonical form ambiguous; the
       * client only signs headers it names itself, but the parts are still checked. */
      plain = plain && !has_any (headers[i].name, ":;\n") && !has_any (headers[i].value, "\n");
    }
  request.query = query;
  request.headers = headers;
  plain = plain && !has_any (request.method, "\n");

  check_encoding (request.path, TRUE);
  check_encoding (request.path, FALSE);
  for (gsize i = 0; i < request.n_query; i++)
    check_encoding (query[i].name, FALSE);
  check_canonical (&request, plain);
  check_signing (&request, secret);
  return 0;
}
