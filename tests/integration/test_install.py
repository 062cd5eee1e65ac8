#!/usr/bin/env python3
"""meson install into a prefix of its own (see installed.py), then the tree:
every file in its place and valid, the compiled schema found by the
installed binary, and its German translation.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import installed  # noqa: E402

APP_ID = "org.example.Hyperwall"
EXPECTED = {
    "binary": "bin/hyperwall",
    "schema": "share/glib-2.0/schemas/%s.gschema.xml" % APP_ID,
    "compiled schema": "share/glib-2.0/schemas/gschemas.compiled",
    "desktop entry": "share/applications/%s.desktop" % APP_ID,
    "metainfo": "share/metainfo/%s.metainfo.xml" % APP_ID,
    "app icon": "share/icons/hicolor/scalable/apps/%s.svg" % APP_ID,
    "symbolic icon": "share/icons/hicolor/symbolic/apps/%s-symbolic.svg" % APP_ID,
    "German messages": "share/locale/de/LC_MESSAGES/hyperwall.mo",
    "kiosk autostart example": "share/hyperwall/%s-kiosk.desktop" % APP_ID,
    "Flatpak kiosk autostart example": "share/hyperwall/%s-kiosk-flatpak.desktop" % APP_ID,
    "Flatpak user unit example": "share/hyperwall/hyperwall-flatpak.service",
    "systemd user unit": "lib/systemd/user/hyperwall.service",
    # One wall per session owns org.example.Hyperwall: D-Bus activation.
    "D-Bus service": "share/dbus-1/services/%s.service" % APP_ID,
    "man page": "share/man/man1/hyperwall.1",
    # meson's post-install step, as GNOME apps have it (skipped under DESTDIR).
    "icon cache": "share/icons/hicolor/icon-theme.cache",
    "desktop database": "share/applications/mimeinfo.cache",
}
NOT_INSTALLED = {}

_prefix = None


def prefix():
    global _prefix
    if _prefix is None:
        _prefix = installed.install_prefix()
        harness.note("installed into %s" % _prefix)
    return _prefix


def path(relative):
    return os.path.join(prefix(), relative)


def run(argv, env=None, timeout=30):
    result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, timeout=timeout)
    return result.returncode, result.stdout, result.stderr


def test_tree():
    missing = [what for what, rel in EXPECTED.items() if not os.path.isfile(path(rel))]
    harness.check(not missing, "not installed: %s" % ", ".join(
        "%s (%s)" % (what, EXPECTED[what]) for what in missing))
    harness.check(os.access(path(EXPECTED["binary"]), os.X_OK), "bin/hyperwall is not executable")
    unexpected = [what for what, rel in NOT_INSTALLED.items() if os.path.exists(path(rel))]
    harness.check(not unexpected, "installed although it cannot work yet: %s" % unexpected)


def test_icons():
    for what in ("app icon", "symbolic icon"):
        root = ElementTree.parse(path(EXPECTED[what])).getroot()
        harness.check(root.tag == "{http://www.w3.org/2000/svg}svg",
                      "%s is not an SVG document: %s" % (what, root.tag))
        harness.check(root.get("viewBox") is not None, "%s has no viewBox" % what)


def validate(tool, argv):
    if shutil.which(tool) is None:
        harness.skip("%s is not installed (build-aux/run deps installs it)" % tool)
    rc, out, err = run(argv)
    harness.check(rc == 0, "%s failed (%d):\n%s%s" % (" ".join(argv), rc, out, err))


def test_desktop_entries():
    validate("desktop-file-validate", ["desktop-file-validate", path(EXPECTED["desktop entry"]),
                                       path(EXPECTED["kiosk autostart example"]),
                                       path(EXPECTED["Flatpak kiosk autostart example"])])


def test_metainfo():
    validate("appstreamcli", ["appstreamcli", "validate", "--no-net", path(EXPECTED["metainfo"])])


def test_user_unit():
    unit = path(EXPECTED["systemd user unit"])
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    harness.check("ExecStart=%s " % path(EXPECTED["binary"]) in text,
                  "ExecStart does not run the installed binary:\n%s" % text)
    # systemd-analyze also checks that ExecStart= is executable, which it is here.
    validate("systemd-analyze", ["sh", os.path.join(installed.SOURCE_ROOT, "build-aux",
                                                     "verify-user-unit.sh"), unit])


def test_man_page():
    page = path(EXPECTED["man page"])
    if shutil.which("groff") is None:
        harness.skip("groff is not installed (build-aux/run deps installs it)")
    # -ww: every warning; a roff mistake prints one.
    rc, out, err = run(["groff", "-man", "-ww", "-z", page])
    harness.check(rc == 0 and not err.strip(), "groff finds fault with %s:\n%s" % (page, err))
    with open(page, encoding="utf-8") as f:
        roff = f.read().replace("\\-", "-")
    with installed.temporary_directory() as home:
        env = installed.installed_environment(prefix(), home)
        rc, out, err = run([path(EXPECTED["binary"]), "--help"], env)
    harness.check(rc == 0, "--help: status %d\n%s" % (rc, err))
    options = set(re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", out, re.MULTILINE))
    harness.check(len(options) > 5, "no options read from --help:\n%s" % out)
    missing = sorted(o for o in options if o not in roff)
    harness.check(not missing, "options of --help the man page lacks: %s" % missing)


def test_no_build_path():
    """The binary a package ships (debug information goes to a -dbgsym
    package) names no path of the build or source tree."""
    for tool in ("strings", "objcopy"):
        if shutil.which(tool) is None:
            harness.skip("%s is not installed (build-aux/run deps installs binutils)" % tool)
    with installed.temporary_directory() as tmp:
        stripped = os.path.join(tmp, "hyperwall")
        rc, out, err = run(["objcopy", "--strip-debug", path(EXPECTED["binary"]), stripped])
        harness.check(rc == 0, "objcopy --strip-debug failed:\n%s" % err)
        rc, out, err = run(["strings", "-a", stripped])
    harness.check(rc == 0 and len(out) > 1000, "strings read nothing:\n%s" % err)
    # The prefix is compiled in (LOCALEDIR) and lies inside the build tree here.
    lines = [line.replace(os.path.realpath(prefix()), "PREFIX").replace(prefix(), "PREFIX")
             for line in out.splitlines()]
    for what, tree in (("build", installed.build_root()), ("source", installed.SOURCE_ROOT)):
        found = [line for line in lines if os.path.realpath(tree) in line]
        harness.check(not found, "the %s tree's path is in the installed binary: %s"
                      % (what, found[:5]))


def test_schema_found():
    with installed.temporary_directory() as home:
        env = installed.installed_environment(prefix(), home)
        # A bad value exits with status 2 after the settings were read.
        rc, out, err = run([path(EXPECTED["binary"]), "--rows", "0"], env)
        harness.check(rc == 2, "--rows 0: status %d\n%s" % (rc, err))
        harness.check("not installed" not in err,
                      "the installed binary did not find its schema:\n%s" % err)
        # The control: without the prefix's schema it says so.
        empty = os.path.join(home, "empty")
        os.makedirs(empty)
        env.update(GSETTINGS_SCHEMA_DIR=empty, XDG_DATA_DIRS=empty)
        rc, out, err = run([path(EXPECTED["binary"]), "--rows", "0"], env)
        harness.check("not installed" in err,
                      "no warning without a schema, so the check above proves nothing:\n%s"
                      % err)


def test_translations_found():
    with installed.temporary_directory() as home:
        german = installed.german_locale_environment(home)
        if german is None:
            harness.skip("no de_DE.UTF-8 locale and localedef cannot make one "
                         "(build-aux/run deps installs locales)")
        env = installed.installed_environment(prefix(), home)
        env.update(german)
        rc, out, err = run([path(EXPECTED["binary"]), "--help"], env)
        harness.check(rc == 0, "--help: status %d\n%s" % (rc, err))
        harness.check("Eingebaute Testmuster abspielen" in out,
                      "--help is not German from the installed catalogue:\n%s" % out)


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/install/tree", test_tree),
        ("/hyperwall/install/icons", test_icons),
        ("/hyperwall/install/desktop-entries", test_desktop_entries),
        ("/hyperwall/install/metainfo", test_metainfo),
        ("/hyperwall/install/user-unit", test_user_unit),
        ("/hyperwall/install/man-page", test_man_page),
        ("/hyperwall/install/no-build-path", test_no_build_path),
        ("/hyperwall/install/schema-found", test_schema_found),
        ("/hyperwall/install/translations-found", test_translations_found),
    ])
