#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when a source file with translatable strings is missing from
po/POTFILES.in, or when POTFILES.in names a file that does not exist.
TAP output, one line per check. Usage: check-potfiles.py SOURCE_ROOT"""
import os
import re
import sys

root = sys.argv[1]
marker = re.compile(r'\b(?:_|N_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"|translatable="yes"')

with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
    listed = [line.strip() for line in f
              if line.strip() and not line.lstrip().startswith('#')]

needed = []
for folder, _, names in sorted(os.walk(os.path.join(root, 'src'))):
    for name in sorted(names):
        if not name.endswith(('.c', '.ui')):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding='utf-8') as f:
            if marker.search(f.read()):
                needed.append(os.path.relpath(path, root))

checks = [(f'{path} is listed in po/POTFILES.in', path in listed) for path in needed]
checks += [(f'{path} from po/POTFILES.in exists', os.path.isfile(os.path.join(root, path)))
           for path in listed]

print(f'1..{len(checks)}')
for number, (what, ok) in enumerate(checks, 1):
    print(f'{"ok" if ok else "not ok"} {number} {what}')
sys.exit(0 if all(ok for _, ok in checks) else 1)
