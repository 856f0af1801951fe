/* ssync-sigv4.c: AWS Signature Version 4 (header and pre-signed query forms).
 *
 * Pure string work so that it can be checked against AWS's published test suite and
 * `curl --aws-sigv4`: the S3 server the tests run does not verify signatures (NOTES.md), so
 * those two proofs are all that keeps this honest.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "ssync-cloud"

#include "config.h"

#include <string.h>

#include "ssync-sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

/* RFC 3986 unreserved characters pass; every other byte becomes %XX in upper case, as
 * SigV4 asks. S3 keys keep their "/" in the path but not in the query. */
char *
ssync_sigv4_uri_encode (const char *text,
                        gboolean    keep_slash)
{
  GString *out = g_string_sized_new (strlen (text) + 16);

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
          (keep_slash && *p == '/'))
        g_string_append_c (out, *p);
      else
        g_string_append_printf (out, "%%%02X", *p);
    }
  return g_string_free (out, FALSE);
}

/* The ISO 8601 basic form SigV4 uses: 20150830T123600Z. */
char *
ssync_sigv4_format_date (GDateTime *when)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (when);

  return g_date_time_format (utc, "%Y%m%dT%H%M%SZ");
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static void
hmac (const guint8 *key,
      gsize         key_len,
      const char   *data,
      guint8        out[32])
{
  g_autoptr(GHmac) mac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  gsize len = 32;

  g_hmac_update (mac, (const guchar *) data, strlen (data));
  g_hmac_get_digest (mac, out, &len);
}

typedef struct {
  char *name;
  char *value;
} Pair;

static void
pair_clear (Pair *pair)
{
  g_free (pair->name);
  g_free (pair->value);
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const Pair *pa = a;
  const Pair *pb = b;
  int by_name = strcmp (pa->name, pb->name);

  return by_name != 0 ? by_name : strcmp (pa->value, pb->value);
}

static char *
canonical_query (const SsyncSigv4Pair *query,
                 gsize                 n_query)
{
  g_autoptr(GArray) pairs = g_array_sized_new (FALSE, FALSE, sizeof (Pair), n_query);
  GString *out = g_string_new (NULL);

  g_array_set_clear_func (pairs, (GDestroyNotify) pair_clear);
  for (gsize i = 0; i < n_query; i++)
    {
      Pair pair = { ssync_sigv4_uri_encode (query[i].name, FALSE),
                    ssync_sigv4_uri_encode (query[i].value != NULL ? query[i].value : "",
                                            FALSE) };

      g_array_append_val (pairs, pair);
    }
  g_array_sort (pairs, compare_pairs);

  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = &g_array_index (pairs, Pair, i);

      g_string_append_printf (out, "%s%s=%s", i > 0 ? "&" : "", pair->name, pair->value);
    }
  return g_string_free (out, FALSE);
}

/* Trims the value and squeezes runs of spaces into one, as the canonical form asks. */
static void
append_header_value (GString    *out,
                     const char *value)
{
  gboolean space = FALSE;

  while (*value == ' ' || *value == '\t')
    value++;
  for (; *value != '\0'; value++)
    {
      if (*value == ' ' || *value == '\t')
        {
          space = TRUE;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *value);
    }
}

/* Fills @canonical with "name:value\n" lines and @signed_names with "a;b;c". Values of a
 * header given more than once are joined with commas, in the order given. */
static void
canonical_headers (const SsyncSigv4Pair *headers,
                   gsize                 n_headers,
                   GString              *canonical,
                   GString              *signed_names)
{
  g_autoptr(GArray) pairs = g_array_sized_new (FALSE, FALSE, sizeof (Pair), n_headers);

  g_array_set_clear_func (pairs, (GDestroyNotify) pair_clear);
  for (gsize i = 0; i < n_headers; i++)
    {
      g_autofree char *name = g_ascii_strdown (headers[i].name, -1);
      Pair *found = NULL;

      for (guint j = 0; j < pairs->len && found == NULL; j++)
        if (strcmp (g_array_index (pairs, Pair, j).name, name) == 0)
          found = &g_array_index (pairs, Pair, j);

      if (found != NULL)
        {
          GString *joined = g_string_new (found->value);

          g_string_append_c (joined, ',');
          append_header_value (joined, headers[i].value);
          g_free (found->value);
          found->value = g_string_free (joined, FALSE);
        }
      else
        {
          GString *value = g_string_new (NULL);
          Pair pair;

          append_header_value (value, headers[i].value);
          pair.name = g_steal_pointer (&name);
          pair.value = g_string_free (value, FALSE);
          g_array_append_val (pairs, pair);
        }
    }
  g_array_sort (pairs, compare_pairs);

  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *pair = &g_array_index (pairs, Pair, i);

      g_string_append_printf (canonical, "%s:%s\n", pair->name, pair->value);
      g_string_append_printf (signed_names, "%s%s", i > 0 ? ";" : "", pair->name);
    }
}

/* The canonical request of SigV4 task 1; @signed_headers (optional) receives the list of
 * signed header names. */
char *
ssync_sigv4_canonical_request (const SsyncSigv4Request  *request,
                               char                    **signed_headers)
{
  g_autofree char *path = ssync_sigv4_uri_encode (request->path, TRUE);
  g_autofree char *query = canonical_query (request->query, request->n_query);
  g_autoptr(GString) headers = g_string_new (NULL);
  g_autoptr(GString) names = g_string_new (NULL);
  char *canonical;

  canonical_headers (request->headers, request->n_headers, headers, names);
  canonical = g_strdup_printf ("%s\n%s\n%s\n%s\n%s\n%s", request->method, path, query,
                               headers->str, names->str, request->payload_hash);
  if (signed_headers != NULL)
    *signed_headers = g_strdup (names->str);
  return canonical;
}

static char *
scope (const SsyncSigv4Key *key,
       const char          *amz_date)
{
  return g_strdup_printf ("%.8s/%s/%s/aws4_request", amz_date, key->region, key->service);
}

char *
ssync_sigv4_string_to_sign (const SsyncSigv4Key *key,
                            const char          *amz_date,
                            const char          *canonical_request)
{
  g_autofree char *hash = sha256_hex (canonical_request);
  g_autofree char *credential_scope = scope (key, amz_date);

  return g_strdup_printf (ALGORITHM "\n%s\n%s\n%s", amz_date, credential_scope, hash);
}

/* Derives the signing key from the secret (date, region, service, "aws4_request") and signs
 * @string_to_sign with it; the derived keys are wiped before returning. */
char *
ssync_sigv4_signature (const SsyncSigv4Key *key,
                       const char          *amz_date,
                       const char          *string_to_sign)
{
  g_autofree char *secret = g_strconcat ("AWS4", key->secret_key, NULL);
  g_autofree char *date = g_strndup (amz_date, 8);
  guint8 k[32];
  GString *hex = g_string_sized_new (64);

  hmac ((const guint8 *) secret, strlen (secret), date, k);
  hmac (k, sizeof k, key->region, k);
  hmac (k, sizeof k, key->service, k);
  hmac (k, sizeof k, "aws4_request", k);
  hmac (k, sizeof k, string_to_sign, k);
  for (gsize i = 0; i < sizeof k; i++)
    g_string_append_printf (hex, "%02x", k[i]);

  explicit_bzero (k, sizeof k);
  explicit_bzero (secret, strlen (secret));
  return g_string_free (hex, FALSE);
}

/* The Authorization header value for @request signed at @amz_date. */
char *
ssync_sigv4_authorization (const SsyncSigv4Key     *key,
                           const char              *amz_date,
                           const SsyncSigv4Request *request)
{
  g_autofree char *signed_headers = NULL;
  g_autofree char *canonical = ssync_sigv4_canonical_request (request, &signed_headers);
  g_autofree char *to_sign = ssync_sigv4_string_to_sign (key, amz_date, canonical);
  g_autofree char *signature = ssync_sigv4_signature (key, amz_date, to_sign);
  g_autofree char *credential_scope = scope (key, amz_date);

  return g_strdup_printf (ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                          key->access_key, credential_scope, signed_headers, signature);
}

/* The query string of a pre-signed URL for @request (its own query included, its payload
 * hash ignored: pre-signed links sign UNSIGNED-PAYLOAD), valid @expires_seconds from
 * @amz_date, capped at S3's seven days. */
char *
ssync_sigv4_presign_query (const SsyncSigv4Key     *key,
                           const char              *amz_date,
                           guint                    expires_seconds,
                           const SsyncSigv4Request *request)
{
  g_autoptr(GArray) query = g_array_new (FALSE, FALSE, sizeof (SsyncSigv4Pair));
  g_autoptr(GString) headers = g_string_new (NULL);
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *credential_scope = scope (key, amz_date);
  g_autofree char *credential = g_strdup_printf ("%s/%s", key->access_key, credential_scope);
  g_autofree char *expires = g_strdup_printf ("%u", MIN (expires_seconds,
                                                          SSYNC_SIGV4_MAX_EXPIRES));
  g_autofree char *canonical = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *query_string = NULL;
  SsyncSigv4Request presigned = *request;
  SsyncSigv4Pair amz[] = {
    { "X-Amz-Algorithm", ALGORITHM },
    { "X-Amz-Credential", credential },
    { "X-Amz-Date", amz_date },
    { "X-Amz-Expires", expires },
    { "X-Amz-SignedHeaders", NULL },
  };

  canonical_headers (request->headers, request->n_headers, headers, names);
  amz[G_N_ELEMENTS (amz) - 1].value = names->str;
  g_array_append_vals (query, request->query, request->n_query);
  g_array_append_vals (query, amz, G_N_ELEMENTS (amz));

  presigned.query = (const SsyncSigv4Pair *) query->data;
  presigned.n_query = query->len;
  presigned.payload_hash = SSYNC_SIGV4_UNSIGNED_PAYLOAD;
  canonical = ssync_sigv4_canonical_request (&presigned, NULL);
  to_sign = ssync_sigv4_string_to_sign (key, amz_date, canonical);
  signature = ssync_sigv4_signature (key, amz_date, to_sign);
  query_string = canonical_query (presigned.query, presigned.n_query);

  return g_strdup_printf ("%s&X-Amz-Signature=%s", query_string, signature);
}
