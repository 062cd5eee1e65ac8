#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""build-aux/run holds the one list of Debian packages. A document that tells
a person to install packages must take them from it ($(build-aux/run packages
...) or build-aux/run deps); one that names packages by hand fails here, since
a copy drifts (a kiosk once lacked libxcb-shape0-dev that way).

  check-package-lists.py SOURCE_ROOT     TAP, one line per document
  check-package-lists.py --self-test     a hand-written list must fail
"""
import os
import re
import sys

DOCS = ('README.md', 'HACKING.md', 'docs')
# An apt or apt-get install command, up to the end of its inline code span
# or line: what follows "install" is what it installs.
INSTALL = re.compile(r'\bapt(?:-get)?\s+(?:-\S+\s+)*install\b([^`\n]*(?:\n[ \t]+[^`\n]*)*)')
FROM_LIST = re.compile(r'\$\(\s*build-aux/run\s+packages\b[^)]*\)')


def hand_written(text):
    """The package names an install command in @text lists by hand."""
    found = []
    for match in INSTALL.finditer(text):
        args = FROM_LIST.sub(' ', match.group(1))
        names = [word for word in args.split()
                 if re.fullmatch(r'[a-z0-9][a-z0-9.+-]+', word) and not word.startswith('-')]
        found.extend(names)
    return found


def documents(root):
    for entry in DOCS:
        path = os.path.join(root, entry)
        if os.path.isfile(path):
            yield path
        for folder, _, names in os.walk(path):
            for name in sorted(names):
                if name.endswith('.md'):
                    yield os.path.join(folder, name)


def report(checks):
    print(f'1..{len(checks)}')
    for number, (what, ok) in enumerate(checks, 1):
        print(f'{"ok" if ok else "not ok"} {number} {what}')
    return 0 if all(ok for _, ok in checks) else 1


def main(argv):
    if len(argv) == 2 and argv[1] == '--self-test':
        cases = [
            ('a list from build-aux/run passes',
             'run `sudo apt-get install --no-install-recommends $(build-aux/run packages --build)`',
             True),
            ('a hand-written list fails',
             '`sudo apt install meson ninja-build libgtk-4-dev` then build', False),
            ('a hand-written list across lines fails',
             '   `sudo apt install meson gcc\n   libmpv-dev gettext` then', False),
            ('a hand-written package after the list fails',
             '`apt-get install $(build-aux/run packages) extra-tool`', False),
        ]
        return report([(what, (not hand_written(text)) == passes)
                       for what, text, passes in cases])
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    checks = []
    for path in documents(root):
        with open(path, encoding='utf-8') as f:
            names = hand_written(f.read())
        checks.append((f'{os.path.relpath(path, root)} takes its packages from build-aux/run'
                       + (f' (lists by hand: {" ".join(names)})' if names else ''), not names))
    return report(checks)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
