#!/usr/bin/env python3
# test-page-catalogs.py: build-aux/page-catalogs.py reads .po files as msgfmt does, keeps only
# the page strings, and turns every plural rule gettext knows into a table that gives each count
# its form, also past the table's end (the form of 100 + n % 100 for n >= 200).
#
# Usage: test-page-catalogs.py SOURCE_ROOT   (prints TAP)
#
# SPDX-License-Identifier: MIT

import importlib.util
import json
import os
import subprocess
import sys
import tempfile

# Plural-Forms as gettext's manual lists them, with the same rule in Python.
RULES = {
    'ja': ('nplurals=1; plural=0;', lambda n: 0),
    'de': ('nplurals=2; plural=(n != 1);', lambda n: int(n != 1)),
    'fr': ('nplurals=2; plural=(n > 1);', lambda n: int(n > 1)),
    'lv': ('nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);',
           lambda n: 0 if n % 10 == 1 and n % 100 != 11 else 1 if n != 0 else 2),
    'ga': ('nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;',
           lambda n: 0 if n == 1 else 1 if n == 2 else 2),
    'ro': ('nplurals=3; plural=n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2;',
           lambda n: 0 if n == 1 else 1 if n == 0 or 0 < n % 100 < 20 else 2),
    'lt': ('nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : '
           'n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2);',
           lambda n: 0 if n % 10 == 1 and n % 100 != 11
           else 1 if n % 10 >= 2 and (n % 100 < 10 or n % 100 >= 20) else 2),
    'ru': ('nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : '
           'n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);',
           lambda n: 0 if n % 10 == 1 and n % 100 != 11
           else 1 if 2 <= n % 10 <= 4 and (n % 100 < 10 or n % 100 >= 20) else 2),
    'cs': ('nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;',
           lambda n: 0 if n == 1 else 1 if 2 <= n <= 4 else 2),
    'pl': ('nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) '
           '? 1 : 2);',
           lambda n: 0 if n == 1 else 1 if 2 <= n % 10 <= 4 and (n % 100 < 10 or n % 100 >= 20)
           else 2),
    'sl': ('nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);',
           lambda n: 0 if n % 100 == 1 else 1 if n % 100 == 2 else 2 if n % 100 in (3, 4)
           else 3),
    'ar': ('nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 '
           ': n%100>=11 ? 4 : 5;',
           lambda n: 0 if n == 0 else 1 if n == 1 else 2 if n == 2
           else 3 if 3 <= n % 100 <= 10 else 4 if n % 100 >= 11 else 5),
}

PO = r'''# A comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: %s\n"

#: data/web/common.js:1
msgid "Try again"
msgstr "Nochmal"

#: data/web/receive-row.js:3 src/ui/ssync-window.c:9
msgid ""
"A long "
"message"
msgstr ""
"Eine lange "
"Nachricht mit \"Zitat\""

#: src/server/ssync-routes.c:5
#, c-format
msgid "%%u file"
msgid_plural "%%u files"
msgstr[0] "%%u Datei"
msgstr[1] "%%u Dateien"
msgstr[2] "%%u Dateien (viele)"

#: src/ui/ssync-window.c:1
msgid "Window only"
msgstr "Nur Fenster"

#: data/web/share.js:7
#, fuzzy
msgid "Fuzzy"
msgstr "Unscharf"

#: data/web/share.js:8
msgid "Untranslated"
msgstr ""

#: data/web/share.js:9
msgctxt "verb"
msgid "Share"
msgstr "Teilen"

#~ msgid "Obsolete"
#~ msgstr "Veraltet"
'''


def main(argv):
    srcroot = argv[1] if len(argv) > 1 else '.'
    spec = importlib.util.spec_from_file_location(
        'page_catalogs', os.path.join(srcroot, 'build-aux', 'page-catalogs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    results = []

    def check(name, ok, detail=''):
        results.append((name, ok, detail))

    for lang, (header, rule) in RULES.items():
        nplurals, expression = module.plural_forms(f'Plural-Forms: {header}\n')
        table = [expression(n) for n in range(module.PLURAL_TABLE_SIZE)]
        wrong = [n for n in range(200_000)
                 if table[n if n < 200 else 100 + n % 100] != rule(n)]
        check(f'plural rule of {lang} ({nplurals} forms) as a table', not wrong,
              f'wrong for n = {wrong[:5]}')

    for bad in ['n ? ', 'n +', '(n', 'n != 1)', 'eval("x")', '__import__', 'n / 0']:
        try:
            module.PluralExpression(bad)(1)
            check(f'refuses the plural expression {bad!r}', False)
        except module.PoError:
            check(f'refuses the plural expression {bad!r}', True)

    with tempfile.TemporaryDirectory() as tmp:
        po = os.path.join(tmp, 'pl.po')
        with open(po, 'w', encoding='utf-8') as out:
            out.write(PO % RULES['pl'][0])
        msgfmt = subprocess.run(['msgfmt', '--check', '-o', os.devnull, po],
                                capture_output=True, text=True)
        check('the sample .po is one msgfmt accepts', msgfmt.returncode == 0, msgfmt.stderr)
        built = subprocess.run([sys.executable,
                                os.path.join(srcroot, 'build-aux', 'page-catalogs.py'),
                                tmp, tmp, 'pl'], capture_output=True, text=True)
        check('page-catalogs.py builds it', built.returncode == 0, built.stderr)
        with open(os.path.join(tmp, 'page-catalog-pl.json'), encoding='utf-8') as catalog:
            data = json.load(catalog)
        check('scripts get the scripts\' strings, translated and not fuzzy',
              data['scripts'] == {'Try again': 'Nochmal',
                                  'A long message': 'Eine lange Nachricht mit "Zitat"',
                                  'verb\u0004Share': 'Teilen'}, data['scripts'])
        check('the server gets its strings with their plural forms',
              data['server'] == {'%u file': ['%u Datei', '%u Dateien', '%u Dateien (viele)']},
              data['server'])
        with open(os.path.join(tmp, 'page-catalogs.gresource.xml'), encoding='utf-8') as xml:
            check('the resource file names the catalog',
                  'alias="pl.json">page-catalog-pl.json<' in xml.read())
        check('the decimal separator of Polish', data['decimal'] == ',', data['decimal'])

    print('TAP version 13')
    print(f'1..{len(results)}')
    for number, (name, ok, detail) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {number} - {name}')
        if not ok and detail:
            print(f'  # {detail}')
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
