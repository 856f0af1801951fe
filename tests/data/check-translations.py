#!/usr/bin/env python3
# check-translations.py: fails when a language's .po file does not translate every message the
# sources have today: untranslated, fuzzy, or missing because the .po was not merged with the
# current sources. The messages are extracted afresh (xgettext over po/POTFILES.in, as the
# sharesync-pot target does), merged into a copy of the .po (msgmerge), and counted (msgfmt -c
# --statistics, which also fails on broken format directives). Nothing in the tree is written.
#
# Usage: check-translations.py SOURCE_ROOT LANG [XGETTEXT_ARG...]
#   XGETTEXT_ARG: the --keyword/--flag arguments po/meson.build gives xgettext.
#
# SPDX-License-Identifier: MIT

import os
import re
import subprocess
import sys
import tempfile

SHOW_AT_MOST = 25


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f'check-translations: {command[0]} failed (exit {result.returncode})')
    return result


def main(argv):
    if len(argv) < 3:
        print('usage: check-translations.py SOURCE_ROOT LANG [XGETTEXT_ARG...]', file=sys.stderr)
        return 2
    srcroot, lang, xgettext_args = argv[1], argv[2], argv[3:]
    po = os.path.join(srcroot, 'po', lang + '.po')
    if not os.path.isfile(po):
        print(f'check-translations: {po} does not exist', file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix='ssync-po-') as tmp:
        pot = os.path.join(tmp, 'sharesync.pot')
        merged = os.path.join(tmp, lang + '.po')
        run(['xgettext', '--package-name=sharesync', '--from-code=UTF-8', '--add-comments',
             f'--directory={srcroot}', f'--files-from={os.path.join(srcroot, "po", "POTFILES.in")}',
             f'--output={pot}'] + xgettext_args)
        run(['msgmerge', '--quiet', f'--output-file={merged}', po, pot])
        stats = run(['msgfmt', '--check', '--statistics', '--output-file=/dev/null', merged])
        untranslated = run(['msgattrib', '--untranslated', '--no-obsolete', '--no-wrap', merged])
        fuzzy = run(['msgattrib', '--only-fuzzy', '--no-obsolete', '--no-wrap', merged])

    line = stats.stderr.strip()
    counts = {kind: int(number) for number, kind in
              re.findall(r'(\d+) (translated|fuzzy|untranslated)', line)}
    missing = counts.get('fuzzy', 0) + counts.get('untranslated', 0)
    print(f'check-translations: po/{lang}.po against the sources: {line}')
    if missing == 0:
        return 0

    for kind, output in (('untranslated', untranslated.stdout), ('fuzzy', fuzzy.stdout)):
        msgids = [m for m in re.findall(r'^msgid "(.*)"$', output, re.MULTILINE) if m != '']
        if msgids:
            print(f'  {kind} (first {min(len(msgids), SHOW_AT_MOST)} of {len(msgids)}):',
                  file=sys.stderr)
            for msgid in msgids[:SHOW_AT_MOST]:
                print(f'    {msgid}', file=sys.stderr)
    print(f'check-translations: po/{lang}.po leaves {missing} messages in English; merge it '
          f'(ninja sharesync-pot, msgmerge) and translate them', file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
