#!/usr/bin/env python3
# check-page-html.py: fails when a page under data/web carries words of its own. xgettext
# cannot read HTML, so words written there never reach translators: a page's text comes from
# the server (P_() in C) or from its scripts (_() in JS). Text between tags, the title, and
# the attributes people read or hear (aria-label, title, alt, placeholder, value of a button)
# all count; the brand name, the server's {{slots}} and what is not words (digits,
# punctuation) do not.
#
# Usage: check-page-html.py SOURCE_ROOT
#
# SPDX-License-Identifier: MIT

import glob
import os
import re
import sys
from html.parser import HTMLParser

ALLOWED = {'ShareSync'}
READ_ATTRIBUTES = {'aria-label', 'title', 'alt', 'placeholder', 'aria-description',
                   'aria-roledescription', 'aria-valuetext'}
NOT_TEXT = {'script', 'style'}


def is_words(text):
    # The server's template slots ({{title}}) are filled with translated words.
    text = re.sub(r'\{\{[a-z0-9-]+\}\}', ' ', text)
    text = ' '.join(word for word in text.split() if word not in ALLOWED)
    return text != '' and text not in ALLOWED and re.search(r'[^\W\d_]', text) is not None


class PageWords(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag not in ('meta', 'link', 'img', 'input', 'br', 'hr', 'source'):
            self.stack.append(tag)
        for name, value in attrs:
            read = name in READ_ATTRIBUTES or (name == 'value' and tag in ('button', 'input'))
            if read and value is not None and is_words(value):
                self.found.append((self.getpos()[0], f'{tag} {name}="{value}"'))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop() == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1] in NOT_TEXT:
            return
        if is_words(data):
            where = self.stack[-1] if self.stack else 'document'
            self.found.append((self.getpos()[0], f'<{where}> {" ".join(data.split())}'))


def main(argv):
    srcroot = argv[1] if len(argv) > 1 else '.'
    pages = sorted(glob.glob(os.path.join(srcroot, 'data', 'web', '*.html')))
    total = 0
    for page in pages:
        parser = PageWords()
        with open(page, encoding='utf-8') as html:
            parser.feed(html.read())
        for line, what in parser.found:
            print(f'{os.path.relpath(page, srcroot)}:{line}: {what}', file=sys.stderr)
        total += len(parser.found)
    if total:
        print(f'check-page-html: {total} words in data/web/*.html that no translator sees; '
              'write them from C (P_) or the page\'s script (_)', file=sys.stderr)
        return 1
    print(f'check-page-html: the {len(pages)} pages under data/web carry no words of their own')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
