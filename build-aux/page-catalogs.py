#!/usr/bin/env python3
# page-catalogs.py: the web pages' catalogs, one JSON file per language, from po/LANG.po.
#
# The server (src/server/ssync-page-i18n.c) serves pages in the reader's language from these,
# and hands each page's scripts (data/web/i18n.js) their part inlined in the HTML. Only page
# strings go in: messages referenced from data/web/*.js (the scripts) or src/server/*.c (the
# pages the server renders). Untranslated and fuzzy messages are left out: they show in English.
#
# Plural forms are never evaluated at run time (the pages' CSP forbids eval, and C has no
# expression evaluator): the Plural-Forms expression is evaluated here for n = 0..199 into a
# table, and a count n >= 200 takes the form of 100 + n % 100, which is the same for every
# plural rule gettext knows (they only look at n % 10, n % 100 and small n).
#
# Usage: page-catalogs.py PO_DIR OUTPUT_DIR LANG...
# Writes OUTPUT_DIR/page-catalogs.gresource.xml, which puts each catalog at
# /io/github/sharesync/web/i18n/LANG.json, and OUTPUT_DIR/page-catalog-LANG.json:
#   {"lang": "de", "nplurals": 2, "plural": "1011...", (200 digits, the form for n = 0..199)
#    "decimal": ",", (the decimal separator for sizes the server writes)
#    "scripts": {msgid: msgstr | [msgstr[0], msgstr[1], ...]}, "server": {...}}
# A message with a context is keyed "CONTEXT\u0004MSGID", as gettext does.
#
# SPDX-License-Identifier: MIT

import json
import os
import re
import sys

PLURAL_TABLE_SIZE = 200
RESOURCE_PREFIX = '/io/github/sharesync/web/i18n'


class PoError(Exception):
    pass


def unquote(text, where):
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoError(f'{where}: expected a quoted string, got {text!r}')
    body = text[1:-1]
    escapes = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\', 'a': '\a', 'b': '\b',
               'f': '\f', 'v': '\v'}
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == '\\' and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in escapes:
                out.append(escapes[nxt])
                i += 2
                continue
            octal = re.match(r'[0-7]{1,3}', body[i + 1:])
            if octal:
                out.append(chr(int(octal.group(0), 8)))
                i += 1 + len(octal.group(0))
                continue
            raise PoError(f'{where}: unknown escape \\{nxt}')
        out.append(c)
        i += 1
    return ''.join(out)


def parse_po(path):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list),
    references (list of file names), fuzzy. Obsolete (#~) entries are skipped."""
    entries = []
    entry = None
    field = None

    def finish():
        nonlocal entry
        if entry is not None and 'msgid' in entry:
            entries.append(entry)
        entry = None

    def new_entry():
        return {'references': [], 'fuzzy': False, 'msgstr': {}}

    with open(path, encoding='utf-8') as po:
        for number, line in enumerate(po, 1):
            where = f'{path}:{number}'
            line = line.rstrip('\n')
            stripped = line.strip()
            if stripped == '':
                finish()
                field = None
                continue
            if stripped.startswith('#~'):
                continue
            if stripped.startswith('#'):
                # A comment after a message's strings starts the next entry.
                if entry is not None and field is not None:
                    finish()
                    field = None
                if entry is None:
                    entry = new_entry()
                if stripped.startswith('#:'):
                    for ref in stripped[2:].split():
                        entry['references'].append(ref.rsplit(':', 1)[0])
                elif stripped.startswith('#,'):
                    flags = [f.strip() for f in stripped[2:].split(',')]
                    entry['fuzzy'] = 'fuzzy' in flags
                continue
            keyword = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$',
                               stripped)
            if keyword:
                name, index, text = keyword.groups()
                # msgctxt or msgid after a message's msgstr: a new one without comments.
                if name in ('msgctxt', 'msgid') and entry is not None and entry['msgstr']:
                    finish()
                if entry is None:
                    entry = new_entry()
                value = unquote(text, where)
                if name.startswith('msgstr'):
                    key = int(index) if index is not None else 0
                    entry['msgstr'][key] = value
                    field = ('msgstr', key)
                else:
                    entry[name] = value
                    field = (name, None)
                continue
            if stripped.startswith('"'):
                if entry is None or field is None:
                    raise PoError(f'{where}: a string continues nothing')
                value = unquote(stripped, where)
                if field[0] == 'msgstr':
                    entry['msgstr'][field[1]] += value
                else:
                    entry[field[0]] += value
                continue
            raise PoError(f'{where}: cannot read {stripped!r}')
    finish()
    for e in entries:
        e['msgstr'] = [e['msgstr'][k] for k in sorted(e['msgstr'])]
    return entries


# The C expression of Plural-Forms, parsed by precedence climbing and evaluated with C's
# integer semantics. No eval: the expression comes from a translator's file.
TOKEN = re.compile(r'\s*(?:(\d+)|(n)|(\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()]))')
BINARY = {
    '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4,
    '+': 5, '-': 5, '*': 6, '/': 6, '%': 6,
}


def tokenize(expression):
    tokens = []
    pos = 0
    expression = expression.strip()
    while pos < len(expression):
        match = TOKEN.match(expression, pos)
        if not match or match.end() == pos:
            raise PoError(f'cannot read the plural expression at {expression[pos:]!r}')
        number, n, op = match.groups()
        tokens.append(('num', int(number)) if number else ('n', None) if n else ('op', op))
        pos = match.end()
        while pos < len(expression) and expression[pos].isspace():
            pos += 1
    return tokens


class PluralExpression:
    def __init__(self, expression):
        self.tokens = tokenize(expression)
        self.pos = 0
        self.tree = self.ternary()
        if self.pos != len(self.tokens):
            raise PoError(f'trailing text in the plural expression {expression!r}')

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, op):
        if self.peek() != ('op', op):
            raise PoError(f'expected {op!r} in the plural expression')
        self.pos += 1

    def ternary(self):
        condition = self.binary(1)
        if self.peek() == ('op', '?'):
            self.pos += 1
            then = self.ternary()
            self.take(':')
            otherwise = self.ternary()
            return ('?', condition, then, otherwise)
        return condition

    def binary(self, min_precedence):
        left = self.unary()
        while True:
            kind, op = self.peek()
            if kind != 'op' or op not in BINARY or BINARY[op] < min_precedence:
                return left
            self.pos += 1
            right = self.binary(BINARY[op] + 1)
            left = (op, left, right)

    def unary(self):
        kind, value = self.peek()
        if kind == 'num':
            self.pos += 1
            return ('num', value)
        if kind == 'n':
            self.pos += 1
            return ('n',)
        if (kind, value) == ('op', '!'):
            self.pos += 1
            return ('!', self.unary())
        if (kind, value) == ('op', '('):
            self.pos += 1
            inner = self.ternary()
            self.take(')')
            return inner
        raise PoError('unexpected end or operator in the plural expression')

    def __call__(self, n):
        return self.evaluate(self.tree, n)

    def evaluate(self, node, n):
        op = node[0]
        if op == 'num':
            return node[1]
        if op == 'n':
            return n
        if op == '!':
            return int(not self.evaluate(node[1], n))
        if op == '?':
            return self.evaluate(node[2] if self.evaluate(node[1], n) else node[3], n)
        a = self.evaluate(node[1], n)
        if op == '||':
            return int(bool(a) or bool(self.evaluate(node[2], n)))
        if op == '&&':
            return int(bool(a) and bool(self.evaluate(node[2], n)))
        b = self.evaluate(node[2], n)
        if op in ('/', '%') and b == 0:
            raise PoError('division by zero in the plural expression')
        return {
            '==': lambda: int(a == b), '!=': lambda: int(a != b), '<': lambda: int(a < b),
            '>': lambda: int(a > b), '<=': lambda: int(a <= b), '>=': lambda: int(a >= b),
            '+': lambda: a + b, '-': lambda: a - b, '*': lambda: a * b,
            '/': lambda: a // b, '%': lambda: a % b,
        }[op]()


def plural_forms(header):
    """nplurals and the plural table from a PO header's Plural-Forms line."""
    match = re.search(r'^Plural-Forms:\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*$',
                      header, re.MULTILINE)
    if not match:
        # gettext's default is English's rule.
        return 2, PluralExpression('n != 1')
    nplurals = int(match.group(1))
    if not 1 <= nplurals <= 9:
        raise PoError(f'nplurals={nplurals} is out of range')
    return nplurals, PluralExpression(match.group(2))


# The decimal separator of sizes the server writes ("1,2 kB"), by primary language as CLDR has
# it; the scripts take theirs from Intl, which agrees. Languages not named here write a point.
DECIMAL_COMMA = {
    'af', 'az', 'be', 'bg', 'bs', 'ca', 'cs', 'da', 'de', 'el', 'eo', 'es', 'et', 'eu', 'fi',
    'fr', 'gl', 'hr', 'hu', 'hy', 'id', 'is', 'it', 'ka', 'kk', 'ky', 'lt', 'lv', 'mk', 'mn',
    'nb', 'nl', 'nn', 'oc', 'pl', 'pt', 'ro', 'ru', 'sk', 'sl', 'sq', 'sr', 'sv', 'tr', 'uk',
    'uz', 'vi',
}


def decimal_separator(lang):
    primary = re.split(r'[_@]', lang)[0]
    if lang.startswith('es_MX') or lang.startswith('de_CH'):
        return '.'
    return ',' if primary in DECIMAL_COMMA else '.'


def is_page_reference(reference):
    directory, name = os.path.split(reference)
    if directory == 'data/web' and name.endswith('.js'):
        return 'scripts'
    if directory == 'src/server' and name.endswith('.c'):
        return 'server'
    return None


def catalog(po_path, lang):
    entries = parse_po(po_path)
    header = next((e for e in entries if e['msgid'] == '' and 'msgctxt' not in e), None)
    nplurals, expression = plural_forms(header['msgstr'][0] if header else '')
    table = []
    for n in range(PLURAL_TABLE_SIZE):
        form = expression(n)
        if not 0 <= form < nplurals:
            raise PoError(f'{po_path}: plural form {form} for n = {n} is not below nplurals')
        table.append(str(form))

    parts = {'scripts': {}, 'server': {}}
    for e in entries:
        if e['msgid'] == '' or e['fuzzy']:
            continue
        targets = {is_page_reference(r) for r in e['references']} - {None}
        if not targets:
            continue
        key = e['msgid'] if 'msgctxt' not in e else e['msgctxt'] + '\u0004' + e['msgid']
        if 'msgid_plural' in e:
            if len(e['msgstr']) != nplurals or any(s == '' for s in e['msgstr']):
                continue
            value = e['msgstr']
        else:
            if not e['msgstr'] or e['msgstr'][0] == '':
                continue
            value = e['msgstr'][0]
        for target in targets:
            parts[target][key] = value

    return {
        'lang': lang,
        'nplurals': nplurals,
        'plural': ''.join(table),
        'decimal': decimal_separator(lang),
        'scripts': dict(sorted(parts['scripts'].items())),
        'server': dict(sorted(parts['server'].items())),
    }


def write(path, text):
    with open(path + '.tmp', 'w', encoding='utf-8') as out:
        out.write(text)
    os.replace(path + '.tmp', path)


def main(argv):
    if len(argv) < 3:
        print('usage: page-catalogs.py PO_DIR OUTPUT_DIR LANG...', file=sys.stderr)
        return 2
    po_dir, output_dir, langs = argv[1], argv[2], argv[3:]
    os.makedirs(output_dir, exist_ok=True)
    for lang in langs:
        if not re.fullmatch(r'[a-z]{2,3}(_[A-Z]{2})?(@[a-z]+)?', lang):
            print(f'page-catalogs: {lang!r} is not a language gettext names', file=sys.stderr)
            return 1
        try:
            data = catalog(os.path.join(po_dir, lang + '.po'), lang)
        except (OSError, PoError) as error:
            print(f'page-catalogs: {lang}: {error}', file=sys.stderr)
            return 1
        write(os.path.join(output_dir, f'page-catalog-{lang}.json'),
              json.dumps(data, ensure_ascii=False, indent=0) + '\n')
    files = ''.join(f'    <file alias="{lang}.json">page-catalog-{lang}.json</file>\n'
                    for lang in langs)
    write(os.path.join(output_dir, 'page-catalogs.gresource.xml'),
          '<?xml version="1.0" encoding="UTF-8"?>\n<gresources>\n'
          f'  <gresource prefix="{RESOURCE_PREFIX}">\n{files}  </gresource>\n</gresources>\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
