#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""For every language in po/LINGUAS: msgfmt --check passes, and every message
of the sources (extracted afresh with xgettext from po/POTFILES.in) has a
translation that is not fuzzy (msgcmp). TAP output.
Usage: check-translations.py SOURCE_ROOT"""
import os
import subprocess
import sys
import tempfile

root = sys.argv[1]
po = os.path.join(root, 'po')
with open(os.path.join(po, 'LINGUAS'), encoding='utf-8') as f:
    languages = [w for line in f if not line.lstrip().startswith('#') for w in line.split()]

checks = []
with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'hyperwall.pot')
    extract = subprocess.run(
        ['xgettext', '--from-code=UTF-8', '--add-comments=Translators:', '--keyword=_',
         '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2', '--keyword=g_dngettext:2,3',
         '--directory=' + root, '--files-from=' + os.path.join(po, 'POTFILES.in'),
         '--output=' + pot], capture_output=True, text=True)
    checks.append(('the sources’ messages can be extracted', extract.returncode == 0,
                   extract.stderr))
    checks.append(('po/LINGUAS lists at least one language', bool(languages), ''))
    for lang in languages:
        path = os.path.join(po, lang + '.po')
        check = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, path],
                               capture_output=True, text=True)
        checks.append((f'{lang}.po: msgfmt --check ({check.stderr.strip()})',
                       check.returncode == 0, check.stderr))
        if extract.returncode == 0:
            compare = subprocess.run(['msgcmp', path, pot], capture_output=True, text=True)
            checks.append((f'{lang}.po translates every message of the sources',
                           compare.returncode == 0, compare.stderr))

print(f'1..{len(checks)}')
for number, (what, ok, detail) in enumerate(checks, 1):
    print(f'{"ok" if ok else "not ok"} {number} {what}')
    if not ok:
        for line in detail.strip().splitlines()[:20]:
            print(f'# {line}')
sys.exit(0 if all(ok for _, ok, _ in checks) else 1)
