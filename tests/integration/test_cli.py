#!/usr/bin/env python3
"""The command line and the environment layer, through the real app.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# Few cells and the cheap renderer: these tests read the grid, not video.
WALL = ["--demo", "--columns", "1", "--renderer", "software"]


def expected_version():
    version = os.environ.get("HYPERWALL_EXPECTED_VERSION")
    if version:
        return version
    with open(os.path.join(HERE, "..", "..", "meson.build")) as f:
        match = re.search(r"version:\s*'([^']+)'", f.read())
    return match.group(1)


def bad_value(args, *mentions):
    def test():
        with harness.Session() as s:
            rc, out, err = s.run(args)
            harness.check(rc == 2, "%s: exit status %s, expected 2\nstderr: %r"
                          % (" ".join(args), rc, err))
            lines = [line for line in err.splitlines() if line.strip()]
            harness.check(len(lines) == 1,
                          "%s: expected one line on stderr, got %d: %r"
                          % (" ".join(args), len(lines), err))
            harness.check(any(m in lines[0].lower() for m in mentions),
                          "%s: the message names none of %s: %r"
                          % (" ".join(args), mentions, lines[0]))
    return test


def test_version():
    with harness.Session() as s:
        rc, out, err = s.run(["--version"])
        harness.check(rc == 0, "--version: exit status %s\n%s" % (rc, err))
        harness.check(expected_version() in out,
                      "--version does not print %s: %r" % (expected_version(), out))


def rows_with(env=None, args=(), keyfile_rows=None):
    """Starts a wall and returns (grid rows in its status file, app)."""
    with harness.Session() as s:
        extra = dict(env or {})
        if keyfile_rows is not None:
            # The GSettings layer, below the environment.
            settings = os.path.join(s.path("home"), "config", "glib-2.0", "settings")
            os.makedirs(settings, exist_ok=True)
            with open(os.path.join(settings, "keyfile"), "w") as f:
                f.write("[org/example/Hyperwall]\nrows=%d\n" % keyfile_rows)
            extra["GSETTINGS_BACKEND"] = "keyfile"
        app = s.launch(WALL + list(args), env=extra)
        status = app.wait_for(lambda st: (st.get("grid") or {}).get("rows")
                              and harness.cells(st), 20, "a status file with a grid")
        rows = status["grid"]["rows"]
        cells = len(harness.cells(status))
        harness.check(cells == rows * status["grid"]["columns"],
                      "grid %s but %d cells" % (status["grid"], cells))
        log = app.log()
        rc = app.stop()
        harness.check(rc == 0, "SIGTERM gave exit status %s" % rc)
        return rows, log


def expect_rows(expected, **kwargs):
    def test():
        rows, log = rows_with(**kwargs)
        harness.check(rows == expected, "grid rows %s, expected %s (%s)"
                      % (rows, expected, kwargs))
    return test


def test_env_unparsable():
    rows, log = rows_with(env={"HYPERWALL_ROWS": "abc"})
    harness.check(rows == 2, "grid rows %s, expected the default 2" % rows)
    warned = [line for line in log.splitlines()
              if "HYPERWALL_ROWS" in line or ("abc" in line and "rows" in line.lower())]
    harness.check(warned, "no warning about HYPERWALL_ROWS=abc in the log")
    harness.note("warning: " + warned[0].strip())


def test_sigterm():
    with harness.Session() as s:
        app = s.launch(["--demo", "--rows", "2", "--columns", "2",
                        "--renderer", "software"])
        app.wait_for(harness.all_cells("playing"), 30, "playing cells")
        rc = app.stop(timeout=10)
        harness.check(rc == 0, "SIGTERM gave exit status %s\n%s" % (rc, app.tail()))


if __name__ == "__main__":
    P = "/hyperwall/integration/cli/"
    harness.run_tests([
        (P + "bad-value/rows-zero", bad_value(["--rows", "0"], "rows")),
        (P + "bad-value/columns-text", bad_value(["--columns", "x"], "columns")),
        (P + "bad-value/rows-too-many", bad_value(["--rows", "9"], "rows")),
        (P + "bad-value/missing-folder", bad_value(["--local", "/nonexistent"],
                                                   "local", "/nonexistent")),
        (P + "bad-value/server-url", bad_value(["--server", "ftp://nowhere"], "server")),
        (P + "bad-value/renderer", bad_value(["--renderer", "vulkan"], "renderer")),
        (P + "bad-value/password-file", bad_value(["--password-file", "/nonexistent"],
                                                  "password-file", "/nonexistent")),
        (P + "version", test_version),
        (P + "env/override", expect_rows(3, env={"HYPERWALL_ROWS": "3"})),
        (P + "env/clamped", expect_rows(8, env={"HYPERWALL_ROWS": "99"})),
        (P + "env/unparsable", test_env_unparsable),
        (P + "env/below-command-line",
         expect_rows(1, env={"HYPERWALL_ROWS": "3"}, args=["--rows", "1"])),
        (P + "env/above-gsettings",
         expect_rows(3, env={"HYPERWALL_ROWS": "3"}, keyfile_rows=4)),
        (P + "gsettings/keyfile", expect_rows(4, keyfile_rows=4)),
        (P + "sigterm", test_sigterm),
    ])
