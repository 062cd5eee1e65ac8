#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest offline (no flatpak-builder, no network).

  check-flatpak-manifest.py MANIFEST SOURCE_ROOT   TAP, one line per check
  check-flatpak-manifest.py --self-test            feeds broken manifests to the
                                                   checks and expects each to fail

Checked: valid JSON; id, command, runtime, sdk and runtime-version; the exact
set of finish-args; every source pinned (an archive or file by a sha256 of 64
hex digits, a git source by a commit of 40); the order of the modules (libass
and libplacebo before mpv, mpv before the app, the app last and built from
this directory); mpv built as a library only (libmpv=true, cplayer=false, no
Lua, no JavaScript, plain-gl enabled) and no FFmpeg module of our own; and
that every -D option the app module passes exists in meson_options.txt or
meson.options.
"""
import copy
import json
import os
import re
import sys

APP_ID = 'org.example.Hyperwall'
COMMAND = 'hyperwall'
RUNTIME = 'org.gnome.Platform'
SDK = 'org.gnome.Sdk'
RUNTIME_VERSIONS = {'49', '50'}
FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
    '--socket=pulseaudio',
    '--talk-name=org.freedesktop.secrets',
}
DEPENDENCIES = ('libass', 'libplacebo')
MPV_REQUIRED = ('-Dlibmpv=true', '-Dcplayer=false', '-Dlua=disabled',
                '-Djavascript=disabled', '-Dplain-gl=enabled')
SHA256 = re.compile(r'^[0-9a-f]{64}$')
COMMIT = re.compile(r'^[0-9a-f]{40}$')


def flatten(modules):
    """Modules in build order: nested modules build before their parent."""
    order = []
    for module in modules:
        if isinstance(module, str):
            # A path to a module file: cannot be read offline here.
            order.append({'name': module, 'sources': None})
            continue
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


def source_pinned(source):
    kind = source.get('type')
    if kind in ('archive', 'file'):
        return bool(SHA256.match(str(source.get('sha256', ''))))
    if kind == 'git':
        return bool(COMMIT.match(str(source.get('commit', ''))))
    if kind == 'dir':
        return True  # this tree itself
    if kind in ('patch',):
        return 'path' in source  # a file in this repository
    return False


def check(text, option_names):
    """Returns [(description, ok)] for a manifest's text."""
    checks = []
    try:
        manifest = json.loads(text)
    except ValueError as error:
        return [(f'manifest is valid JSON ({error})', False)]
    checks.append(('manifest is valid JSON', isinstance(manifest, dict)))
    if not isinstance(manifest, dict):
        return checks

    app_id = manifest.get('id', manifest.get('app-id'))
    checks.append((f'id is {APP_ID}', app_id == APP_ID))
    checks.append((f'command is {COMMAND}', manifest.get('command') == COMMAND))
    checks.append((f'runtime is {RUNTIME}', manifest.get('runtime') == RUNTIME))
    checks.append((f'sdk is {SDK}', manifest.get('sdk') == SDK))
    checks.append((f'runtime-version is one of {sorted(RUNTIME_VERSIONS)}',
                   str(manifest.get('runtime-version')) in RUNTIME_VERSIONS))

    args = manifest.get('finish-args', [])
    extra = sorted(set(args) - FINISH_ARGS)
    missing = sorted(FINISH_ARGS - set(args))
    checks.append((f'finish-args are exactly the expected set (extra: {extra}, missing: {missing})',
                   not extra and not missing and len(args) == len(set(args))))

    modules = flatten(manifest.get('modules', []))
    names = [m.get('name') for m in modules]
    checks.append(('every module is inline (a module file cannot be checked offline)',
                   all(m.get('sources') is not None for m in modules)))

    unpinned = []
    for module in modules:
        for source in module.get('sources') or []:
            if isinstance(source, str) or not source_pinned(source):
                unpinned.append(module.get('name'))
    checks.append((f'every source is pinned by sha256 or commit (unpinned in: {unpinned})',
                   not unpinned and bool(modules)))

    app = modules[-1] if modules else {}
    app_sources = app.get('sources') or []
    checks.append((f'the app ({APP_ID}) is the last module, built from this directory',
                   app.get('name') == COMMAND and len(app_sources) == 1
                   and app_sources[0].get('type') == 'dir' and app_sources[0].get('path') == '.'))
    checks.append(('mpv is built exactly once',
                   names.count('mpv') + names.count('libmpv') == 1))
    mpv_index = next((i for i, n in enumerate(names) if n in ('mpv', 'libmpv')), -1)
    checks.append(('mpv builds before the app',
                   0 <= mpv_index < len(names) - 1))
    for dependency in DEPENDENCIES:
        index = names.index(dependency) if dependency in names else -1
        checks.append((f'{dependency} builds before mpv', 0 <= index < mpv_index))
    checks.append(('no FFmpeg module: the runtime\'s FFmpeg is used',
                   not any(n and 'ffmpeg' in n.lower() for n in names)))

    mpv_opts = modules[mpv_index].get('config-opts', []) if mpv_index >= 0 else []
    for option in MPV_REQUIRED:
        checks.append((f'mpv config-opts include {option}', option in mpv_opts))

    app_opts = [o[2:].split('=', 1)[0] for o in app.get('config-opts', [])
                if o.startswith('-D')]
    unknown = [o for o in app_opts if o not in option_names]
    checks.append((f'every -D option of the app exists in meson_options.txt (unknown: {unknown})',
                   not unknown))
    return checks


def report(checks):
    print(f'1..{len(checks)}')
    for number, (what, ok) in enumerate(checks, 1):
        print(f'{"ok" if ok else "not ok"} {number} {what}')
    return 0 if all(ok for _, ok in checks) else 1


def app_module(manifest):
    return manifest['modules'][-1]


def module(manifest, name):
    return next(m for m in manifest['modules'] if m.get('name') == name)


def self_test(good_text):
    """Each mutation must make at least one check fail; the good one none."""
    def mutate(change):
        manifest = json.loads(good_text)
        change(manifest)
        return json.dumps(manifest)

    cases = [
        ('the manifest as committed passes', good_text, True),
        ('truncated JSON fails', good_text[:len(good_text) // 2], False),
        ('a wrong id fails', mutate(lambda m: m.update(id='org.example.Other')), False),
        ('a wrong command fails', mutate(lambda m: m.update(command='mpv')), False),
        ('an old runtime-version fails', mutate(lambda m: m.update({'runtime-version': '45'})),
         False),
        ('an extra finish-arg fails',
         mutate(lambda m: m['finish-args'].append('--filesystem=home')), False),
        ('a missing finish-arg fails',
         mutate(lambda m: m['finish-args'].remove('--device=dri')), False),
        ('an archive without sha256 fails',
         mutate(lambda m: module(m, 'libass')['sources'][0].pop('sha256')), False),
        ('a short sha256 fails',
         mutate(lambda m: module(m, 'mpv')['sources'][0].update(sha256='abc123')), False),
        ('a git source pinned by tag only fails',
         mutate(lambda m: module(m, 'libplacebo')['sources'][0].pop('commit')), False),
        ('a git branch instead of a commit fails',
         mutate(lambda m: module(m, 'libplacebo')['sources'][0].update(commit='master')),
         False),
        ('mpv after the app fails',
         mutate(lambda m: m['modules'].append(m['modules'].pop(2))), False),
        ('libass after mpv fails',
         mutate(lambda m: m['modules'].insert(2, m['modules'].pop(0))), False),
        ('a second FFmpeg fails',
         mutate(lambda m: m['modules'].insert(0, {
             'name': 'ffmpeg', 'sources': [{'type': 'archive', 'url': 'x', 'sha256': '0' * 64}]})),
         False),
        ('mpv with the CLI player fails',
         mutate(lambda m: module(m, 'mpv')['config-opts'].remove('-Dcplayer=false')), False),
        ('mpv without libmpv fails',
         mutate(lambda m: module(m, 'mpv')['config-opts'].remove('-Dlibmpv=true')), False),
        ('an app -D option that meson does not know fails',
         mutate(lambda m: app_module(m).setdefault('config-opts', []).append('-Dno-such=true')),
         False),
        ('an app from a remote archive fails',
         mutate(lambda m: app_module(m).update(sources=[
             {'type': 'archive', 'url': 'x', 'sha256': '0' * 64}])), False),
    ]
    results = []
    for what, text, should_pass in cases:
        passed = all(ok for _, ok in check(text, set()))
        results.append((what, passed == should_pass))
    return report(results)


def main(argv):
    if len(argv) >= 2 and argv[1] == '--self-test':
        path = argv[2] if len(argv) > 2 else os.path.join(
            os.path.dirname(os.path.abspath(__file__)), '..', APP_ID + '.json')
        with open(path, encoding='utf-8') as f:
            return self_test(f.read())
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding='utf-8') as f:
        text = f.read()
    return report(check(text, meson_option_names(argv[2])))


if __name__ == '__main__':
    sys.exit(main(sys.argv))
