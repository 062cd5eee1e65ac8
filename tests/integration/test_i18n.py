#!/usr/bin/env python3
"""German from an installed prefix (tests/integration/installed.py): the
--help text, a command-line error, and the reason on a wall's cards.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import installed  # noqa: E402

_prefix = None


def prefix():
    global _prefix
    if _prefix is None:
        _prefix = installed.install_prefix()
    return _prefix


def german_environment(session):
    german = installed.german_locale_environment(session.path("locale"))
    if german is None:
        harness.skip("no de_DE.UTF-8 locale and localedef cannot make one "
                     "(build-aux/run deps installs locales)")
    german["GSETTINGS_SCHEMA_DIR"] = os.path.join(prefix(), "share", "glib-2.0", "schemas")
    return german


def use_installed_binary():
    # harness.Session.launch runs $HYPERWALL_BIN.
    os.environ["HYPERWALL_BIN"] = os.path.join(prefix(), "bin", "hyperwall")


def test_help():
    with harness.Session(dbus=False, display=False) as s:
        env = german_environment(s)
        use_installed_binary()
        rc, out, err = s.run(["--help"], env=env)
        harness.check(rc == 0, "--help: status %s\n%s" % (rc, err))
        for german in ("Eingebaute Testmuster abspielen", "Im Vollbild starten",
                       "Die Videos in einem Ordner abspielen", "ORDNER"):
            harness.check(german in out, "--help lacks %r:\n%s" % (german, out))


def test_usage_error():
    with harness.Session(dbus=False, display=False) as s:
        env = german_environment(s)
        use_installed_binary()
        missing = s.path("no-such-folder")
        rc, out, err = s.run(["--local", missing], env=env)
        harness.check(rc == 2, "--local on a missing folder: status %s\n%s" % (rc, err))
        harness.check("--local: Ordner %s existiert nicht" % missing in err,
                      "the error is not German: %r" % err)


def test_card():
    with harness.Session() as s:
        env = german_environment(s)
        use_installed_binary()
        empty = s.path("empty")
        os.makedirs(empty)
        app = s.launch(["--local", empty, "--columns", "1", "--renderer", "software"],
                       env=env)
        expected = "Keine Videos in %s" % empty

        def german_reason(status):
            cells = harness.cells(status)
            return bool(cells) and all(c.get("reason") == expected for c in cells)

        status = app.wait_for(german_reason, 30, "every cell giving its reason in German")
        harness.note("cell 0: %s" % harness.cells(status)[0].get("reason"))
        harness.check(app.stop() == 0, "SIGTERM did not end the wall cleanly")


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/i18n/help", test_help),
        ("/hyperwall/i18n/usage-error", test_usage_error),
        ("/hyperwall/i18n/card", test_card),
    ])
