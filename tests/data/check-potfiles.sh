#!/usr/bin/env bash
# Checks that po/POTFILES.in lists every source file with translatable strings, and nothing that
# does not exist. A string in a file that is missing from POTFILES.in never reaches translators,
# and xgettext gives up on an entry that does not exist, so both are errors.
#
# Usage: check-potfiles.sh [SOURCE_ROOT]   (defaults to MESON_SOURCE_ROOT, then the repository)

set -euo pipefail

srcroot="${1:-${MESON_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}}"
potfiles="$srcroot/po/POTFILES.in"

if [[ ! -f "$potfiles" ]]; then
  echo "check-potfiles: $potfiles does not exist" >&2
  exit 1
fi

cd "$srcroot"

# Entries of POTFILES.in, without comments, blank lines or surrounding whitespace.
mapfile -t listed < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$potfiles" \
                        | grep -v '^$' | sort -u)

status=0

for entry in "${listed[@]}"; do
  if [[ ! -f "$entry" ]]; then
    echo "check-potfiles: po/POTFILES.in lists $entry, which does not exist" >&2
    status=1
  fi
done

# Sources that mark strings for translation: C files calling the glib gettext macros
# (_, N_, C_, NC_, ngettext) or the page ones (P_, PN_, NP_ of src/server/ssync-page-i18n.h),
# GtkBuilder files with translatable properties, and the pages' scripts calling _() or
# ngettext() of data/web/i18n.js (the files defining the page macros and functions are none).
mapfile -t marked < <(
  {
    grep -rlE --include='*.c' --include='*.h' \
      '(^|[^[:alnum:]_])(N?C?_|NP_|PN?_|g?ngettext)[[:space:]]*\(' src \
      | grep -vx 'src/server/ssync-page-i18n.h' || true
    grep -rlE --include='*.ui' 'translatable="yes"' src || true
    grep -rlE --include='*.js' --include='*.mjs' \
      '(^|[^[:alnum:]_$.])(_|ngettext)[[:space:]]*\(' data/web | grep -vx 'data/web/i18n.js' \
      || true
  } | sort -u)

missing=()
for file in "${marked[@]}"; do
  # Not grep -q: it stops reading at the first match, and with pipefail printf's SIGPIPE
  # then made a listed file look missing now and then.
  if ! printf '%s\n' "${listed[@]}" | grep -xF -- "$file" >/dev/null; then
    missing+=("$file")
  fi
done

if (( ${#missing[@]} > 0 )); then
  echo "check-potfiles: these files have translatable strings but are not in po/POTFILES.in:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  status=1
fi

if (( status == 0 )); then
  echo "check-potfiles: po/POTFILES.in lists all ${#marked[@]} source files with translatable strings"
fi
exit "$status"
