#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest with flatpak-builder, plus the few rules no tool
checks offline.

  check-flatpak-manifest.py MANIFEST SOURCE_ROOT METAINFO   TAP, one line per check
  check-flatpak-manifest.py --self-test MANIFEST SOURCE_ROOT METAINFO
                         broken copies of MANIFEST, each of which must fail

flatpak-builder --show-manifest parses the manifest as a build would (and
resolves module files); the metainfo and the desktop entries are validated by
appstreamcli and desktop-file-validate in their own tests (data/meson.build).
Nothing here names a runtime version or a permission list: a runtime bump or a
new permission needs no change to this file.

Skipped (TAP's 1..0 # SKIP) without flatpak-builder.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

SHA256 = re.compile(r'^[0-9a-f]{64}$')
COMMIT = re.compile(r'^[0-9a-f]{40}$')
# flatpak-external-data-checker: the fields each checker type cannot do
# without (its README, "Checkers").
CHECKER_FIELDS = {
    'anitya': ('project-id',),
    'git': ('tag-pattern',),
    'json': ('url', 'version-query', 'url-query'),
    'html': ('url',),
    'gnome': ('name',),
    'pypi': ('name',),
    'jetbrains': ('code',),
    'debian-repo': ('package-name', 'root', 'dist', 'component'),
}
# Permissions Flathub's review turns away for an app that does not need them
# (and this one does not): the user's files, the host, a sandbox escape, and
# X11 beside Wayland instead of as its fallback.
REFUSED_ARGS = ('--filesystem=home', '--filesystem=host', '--filesystem=host-os',
                '--filesystem=host-etc', '--talk-name=org.freedesktop.Flatpak',
                '--socket=x11', '--device=all')


def show_manifest(path):
    """The manifest as flatpak-builder reads it, and its warnings."""
    # In a directory of its own: it leaves its state directory (.flatpak-builder)
    # where it runs.
    with tempfile.TemporaryDirectory() as cwd:
        result = subprocess.run(['flatpak-builder', '--show-manifest', os.path.abspath(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=cwd)
    if result.returncode != 0:
        return None, result.stderr.strip()
    return json.loads(result.stdout), result.stderr.strip()


def flatten(modules):
    """Modules in build order: nested modules build before their parent."""
    order = []
    for module in modules:
        order.extend(flatten(module.get('modules', [])))
        order.append(module)
    return order


def meson_option_names(source_root):
    names = set()
    for name in ('meson_options.txt', 'meson.options'):
        path = os.path.join(source_root, name)
        if os.path.isfile(path):
            with open(path, encoding='utf-8') as f:
                names.update(re.findall(r"option\s*\(\s*'([^']+)'", f.read()))
    return names


def metainfo_facts(path):
    root = ElementTree.parse(path).getroot()
    return root.findtext('id'), root.findtext('provides/binary')


def check(path, source_root, metainfo):
    """Returns [(description, ok)] for the manifest at @path."""
    manifest, warnings = show_manifest(path)
    checks = [(f'flatpak-builder reads the manifest ({warnings})' if manifest is None
               else 'flatpak-builder reads the manifest', manifest is not None)]
    if manifest is None:
        return checks

    # A misspelt key is ignored by the build, with only this warning to show.
    unknown = re.findall(r'Unknown property (\S+) for type (\S+)', warnings)
    checks.append((f'flatpak-builder knows every key (unknown: {unknown})', not unknown))

    # The id names the desktop entry, the metainfo and the D-Bus name; the
    # command is what the metainfo says the app provides.
    app_id, binary = metainfo_facts(metainfo)
    checks.append((f'the id is the metainfo\'s ({app_id})',
                   manifest.get('id', manifest.get('app-id')) == app_id))
    checks.append((f'the command is the metainfo\'s binary ({binary})',
                   manifest.get('command') == binary))

    # The SDK must match the runtime, or the app links against libraries
    # that are not there at run time.
    runtime, sdk = manifest.get('runtime', ''), manifest.get('sdk', '')
    checks.append(('the sdk is the runtime\'s (org.X.Platform with org.X.Sdk)',
                   runtime.endswith('.Platform') and sdk == runtime[:-len('Platform')] + 'Sdk'))

    refused = [a for a in manifest.get('finish-args', [])
               if a in REFUSED_ARGS or a.split(':')[0] in REFUSED_ARGS]
    checks.append((f'no permission a review refuses (found: {refused})', not refused))

    modules = flatten(manifest.get('modules', []))
    names = [m.get('name') for m in modules]
    # Flathub builds from the manifest alone: a local directory or a git
    # checkout by path is not there, and its linter rejects both. Pinned:
    # the same manifest must build the same code tomorrow.
    local, unpinned, unchecked = [], [], []
    for module in modules:
        for source in module.get('sources', []):
            kind = source.get('type')
            if kind == 'dir' or (kind == 'git' and 'path' in source):
                local.append(module.get('name'))
            if kind in ('archive', 'file') and 'url' in source:
                if not SHA256.match(str(source.get('sha256', ''))):
                    unpinned.append(module.get('name'))
            elif kind == 'git':
                if not (COMMIT.match(str(source.get('commit', ''))) or source.get('tag')):
                    unpinned.append(module.get('name'))
            # Every download has a checker, so that a new upstream release
            # (a security fix in libass, say) shows up as a pull request.
            if kind in ('archive', 'file', 'git') and 'path' not in source:
                data = source.get('x-checker-data') or {}
                fields = CHECKER_FIELDS.get(data.get('type'))
                if fields is None or not all(f in data for f in fields):
                    unchecked.append(module.get('name'))
    checks.append((f'no local source (dir or git path) (in: {local})', not local))
    checks.append((f'every download pinned: sha256, or a git tag or commit (not in: {unpinned})',
                   not unpinned and bool(modules)))
    checks.append((f'every download has complete x-checker-data (not in: {unchecked})',
                   not unchecked))

    # mpv only as libmpv: the mpv player itself would be a second app in
    # /app/bin; and FFmpeg comes from the runtime (and codecs-extra), so a
    # second copy would miss the codecs and the security updates.
    mpv = [m for m in modules if m.get('name') in ('mpv', 'libmpv')]
    mpv_opts = mpv[0].get('config-opts', []) if len(mpv) == 1 else []
    checks.append(('mpv is built once, as a library only (-Dlibmpv=true -Dcplayer=false)',
                   len(mpv) == 1 and '-Dlibmpv=true' in mpv_opts
                   and '-Dcplayer=false' in mpv_opts))
    checks.append(('no FFmpeg module: the runtime\'s is used',
                   not any(n and 'ffmpeg' in n.lower() for n in names)))

    # The app last, so that everything it links is built; its -D options
    # exist, or meson stops the build.
    app = modules[-1] if modules else {}
    checks.append(('the app is the last module',
                   app.get('name') == binary and names.index(app.get('name')) == len(names) - 1))
    app_opts = [o[2:].split('=', 1)[0] for o in app.get('config-opts', []) if o.startswith('-D')]
    known = meson_option_names(source_root)
    unknown_opts = [o for o in app_opts if o not in known]
    checks.append((f'every -D option of the app exists in meson_options.txt '
                   f'(unknown: {unknown_opts})', not unknown_opts))
    return checks


def report(checks):
    print(f'1..{len(checks)}')
    for number, (what, ok) in enumerate(checks, 1):
        print(f'{"ok" if ok else "not ok"} {number} {what}')
    return 0 if all(ok for _, ok in checks) else 1


def module(manifest, name):
    return next(m for m in manifest['modules'] if m.get('name') == name)


def self_test(path, source_root, metainfo):
    """Each mutation must make at least one check fail; the manifest as
    committed none."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    good = json.loads(text)

    def mutated(change):
        manifest = copy.deepcopy(good)
        change(manifest)
        return json.dumps(manifest)

    cases = [
        ('the manifest as committed passes', text, True),
        ('truncated JSON fails', text[:len(text) // 2], False),
        ('a misspelt key fails', mutated(lambda m: m.update({'finish-arg': []})), False),
        ('an id other than the metainfo\'s fails',
         mutated(lambda m: m.update(id='org.example.Other')), False),
        ('a command other than the metainfo\'s fails', mutated(lambda m: m.update(command='mpv')),
         False),
        ('an sdk of another runtime fails', mutated(lambda m: m.update(sdk='org.kde.Sdk')), False),
        ('access to home fails',
         mutated(lambda m: m['finish-args'].append('--filesystem=home:ro')), False),
        ('a dir source fails',
         mutated(lambda m: m['modules'][-1].update(sources=[{'type': 'dir', 'path': '.'}])),
         False),
        ('an archive without sha256 fails',
         mutated(lambda m: module(m, 'libass')['sources'][0].pop('sha256')), False),
        ('a git source without tag or commit fails',
         mutated(lambda m: [module(m, 'libplacebo')['sources'][0].pop(k) for k in ('tag', 'commit')]),
         False),
        ('a source without x-checker-data fails',
         mutated(lambda m: module(m, 'mpv')['sources'][0].pop('x-checker-data')), False),
        ('an anitya checker without project-id fails',
         mutated(lambda m: module(m, 'libass')['sources'][0]['x-checker-data'].pop('project-id')),
         False),
        ('mpv with its player fails',
         mutated(lambda m: module(m, 'mpv')['config-opts'].remove('-Dcplayer=false')), False),
        ('a second FFmpeg fails',
         mutated(lambda m: m['modules'].insert(0, {
             'name': 'ffmpeg', 'sources': [{
                 'type': 'archive', 'url': 'https://ffmpeg.org/x.tar.xz', 'sha256': '0' * 64,
                 'x-checker-data': {'type': 'anitya', 'project-id': 5405}}]})), False),
        ('the app before mpv fails',
         mutated(lambda m: m['modules'].insert(0, m['modules'].pop())), False),
        ('an app -D option meson does not know fails',
         mutated(lambda m: m['modules'][-1].setdefault('config-opts', []).append('-Dno-such=1')),
         False),
    ]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, (what, body, should_pass) in enumerate(cases):
            copy_path = os.path.join(tmp, f'{number}.json')
            with open(copy_path, 'w', encoding='utf-8') as f:
                f.write(body)
            passed = all(ok for _, ok in check(copy_path, source_root, metainfo))
            results.append((what, passed == should_pass))
    return report(results)


def main(argv):
    if shutil.which('flatpak-builder') is None:
        # TAP's skip: meson counts the test as skipped, and says why.
        print('1..0 # SKIP flatpak-builder is not installed (build-aux/run deps installs it)')
        return 0
    args = argv[1:]
    if args[:1] == ['--self-test'] and len(args) == 4:
        return self_test(*args[1:])
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    return report(check(*args))


if __name__ == '__main__':
    sys.exit(main(sys.argv))
