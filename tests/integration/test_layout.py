#!/usr/bin/env python3
"""Layouts: cells of different sizes, set by --layout, HYPERWALL_LAYOUT or
the `layout` key.

`3x3 0,0,2,2` is six cells: cell 0 covers the top-left 2×2 squares, so its
allocation (status file, window pixels) is about 2/3 × 2/3 of the wall's
and its cache share, read back from its mpv, four times a small cell's
(budget 900 MiB, cap 8192 MiB: 400 MiB and 100 MiB). The arrows move the
focus over the large cell by place, Tab by index; + leaves the layout for
the uniform grid one line larger.

A live switch through GSettings from a uniform 2x2 grid to `2x2 0,1,2,1`
and back keeps the two top cells playing the same item from the same
first frame, re-splits the cache by area, and rebuilds only the bottom.

A bad SPEC: on the command line one line on stderr and exit status 2;
from GSettings or the environment, logged once, and the layout in force
stays.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MIB = 1 << 20
SCHEMA = "org.example.Hyperwall"


def playing(count, layout):
    def predicate(status):
        cs = harness.cells(status)
        return ((status.get("grid") or {}).get("layout") == layout and len(cs) == count
                and all(c.get("state") == "playing" for c in cs))
    predicate.__name__ = "%d cells playing the layout %s" % (count, layout)
    return predicate


def field(name, value):
    def predicate(status):
        return status.get(name) == value
    predicate.__name__ = "%s = %r" % (name, value)
    return predicate


def share(cell):
    return cell["demuxer_max_bytes"] + cell["demuxer_max_back_bytes"]


def gsettings(env, *args):
    result = subprocess.run(["gsettings"] + list(args), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=30)
    harness.check(result.returncode == 0, "gsettings %s failed: %s"
                  % (" ".join(args), result.stderr.decode(errors="replace").strip()))


def test_spotlight():
    with harness.Session() as s:
        app = s.launch(["--demo", "--renderer", "software", "--layout", "3x3  0,0,2,2"],
                       env={"HYPERWALL_CACHE_BUDGET_MB": "900",
                            "HYPERWALL_CACHE_PER_CELL_MB": "8192"})
        status = app.wait_for(playing(6, "3x3 0,0,2,2"), 45)
        cs = harness.cells(status)
        areas = [c["area"] for c in cs]
        harness.check(areas == [[0, 0, 2, 2], [2, 0, 1, 1], [2, 1, 1, 1],
                                [0, 2, 1, 1], [1, 2, 1, 1], [2, 2, 1, 1]],
                      "areas in reading order of the corners: %s" % areas)
        harness.check(status["grid"]["rows"] == 3 and status["grid"]["columns"] == 3,
                      "grid %s" % status["grid"])

        # The wall's extent from the allocations (every square is covered).
        allocs = [c["allocation"] for c in cs]
        harness.check(all(a is not None for a in allocs), "allocations %s" % allocs)
        left = min(a[0] for a in allocs)
        top = min(a[1] for a in allocs)
        width = max(a[0] + a[2] for a in allocs) - left
        height = max(a[1] + a[3] for a in allocs) - top
        big = allocs[0]
        harness.note("wall %dx%d, large cell %s, small %s" % (width, height, big, allocs[5]))
        harness.check(abs(big[2] - width * 2 / 3) <= 8 and abs(big[3] - height * 2 / 3) <= 8,
                      "the large cell is %dx%d of a %dx%d wall, expected about 2/3 of each"
                      % (big[2], big[3], width, height))
        for a in allocs[1:]:
            harness.check(abs(a[2] - width / 3) <= 8 and abs(a[3] - height / 3) <= 8,
                          "a small cell is %dx%d of a %dx%d wall" % (a[2], a[3], width, height))

        # Four shares for four squares: 900 MiB / 9 squares = 100 MiB each.
        harness.check(share(cs[0]) == 400 * MIB,
                      "the large cell's cache is %.1f MiB, expected 400" % (share(cs[0]) / MIB))
        for c in cs[1:]:
            harness.check(share(c) == 100 * MIB, "cell %d's cache is %.1f MiB, expected 100"
                          % (c["index"], share(c) / MIB))
        harness.check(sum(share(c) for c in cs) <= 900 * MIB, "over the budget")

        # Right from the large cell on row 0 is cell 1; Down, cell 2; Left
        # enters the large cell on row 1, so Right comes back to cell 2.
        s.key(app, "Right")
        app.wait_for(field("focused_cell", 1), 10)
        s.key(app, "Down")
        app.wait_for(field("focused_cell", 2), 10)
        s.key(app, "Left")
        app.wait_for(field("focused_cell", 0), 10)
        s.key(app, "Right")
        app.wait_for(field("focused_cell", 2), 10, "back along row 1")
        s.key(app, "Tab")
        app.wait_for(field("focused_cell", 3), 10, "Tab goes by index")

        # + on a layout: the uniform grid one line larger than its 3x3.
        s.key(app, "plus")
        status = app.wait_for(lambda st: len(harness.cells(st)) == 12, 30, "a uniform 4x3 grid")
        harness.check(status["grid"]["layout"] == "4x3", "layout %s after +"
                      % status["grid"]["layout"])
        harness.check(app.poll() is None, "hyperwall exited")


def test_live_switch():
    if not shutil.which("gsettings"):
        harness.skip("gsettings is not installed (Debian package libglib2.0-bin)")
    with harness.Session() as s:
        env = s.environment({"GSETTINGS_BACKEND": "keyfile"})
        gsettings(env, "set", SCHEMA, "rows", "2")
        gsettings(env, "set", SCHEMA, "columns", "2")
        app = s.launch(["--demo", "--renderer", "software"],
                       env={"GSETTINGS_BACKEND": "keyfile", "HYPERWALL_CACHE_BUDGET_MB": "600",
                            "HYPERWALL_CACHE_PER_CELL_MB": "8192"})
        status = app.wait_for(playing(4, "2x2"), 45)
        before = {tuple(c["area"]): (c["item_id"], c["first_frame_time"])
                  for c in harness.cells(status)}
        harness.check(all(share(c) == 150 * MIB for c in harness.cells(status)),
                      "2x2 shares %s" % [share(c) for c in harness.cells(status)])

        gsettings(env, "set", SCHEMA, "layout", "2x2 0,1,2,1")
        status = app.wait_for(playing(3, "2x2 0,1,2,1"), 45)
        cs = harness.cells(status)
        harness.check([c["area"] for c in cs] == [[0, 0, 1, 1], [1, 0, 1, 1], [0, 1, 2, 1]],
                      "areas %s" % [c["area"] for c in cs])
        for c in cs[:2]:
            harness.check((c["item_id"], c["first_frame_time"]) == before[tuple(c["area"])],
                          "cell %d at %s was restarted: %s, before %s"
                          % (c["index"], c["area"], (c["item_id"], c["first_frame_time"]),
                             before[tuple(c["area"])]))
        harness.check([share(c) for c in cs] == [150 * MIB, 150 * MIB, 300 * MIB],
                      "shares by area %s" % [share(c) / MIB for c in cs])
        top = {tuple(c["area"]): (c["item_id"], c["first_frame_time"]) for c in cs[:2]}

        # A bad value from GSettings: logged once, the layout in force stays.
        gsettings(env, "set", SCHEMA, "layout", "2x2 0,0,1,1 0,0,2,2")
        app.wait_for(lambda st: "Ignoring the layout" in app.log(), 10, "the refusal logged")
        gsettings(env, "set", SCHEMA, "rows", "3")   # re-reads the layout key
        gsettings(env, "set", SCHEMA, "rows", "2")
        status = app.wait_for(playing(3, "2x2 0,1,2,1"), 10)
        log = app.log()
        harness.check(log.count("Ignoring the layout") == 1,
                      "the refusal was logged %d times" % log.count("Ignoring the layout"))
        harness.check("overlaps span 0,0,1,1" in log, "no specific reason in the log:\n%s"
                      % app.tail())

        gsettings(env, "set", SCHEMA, "layout", "")
        status = app.wait_for(playing(4, "2x2"), 45)
        cs = harness.cells(status)
        for c in cs[:2]:
            harness.check((c["item_id"], c["first_frame_time"]) == top[tuple(c["area"])],
                          "cell %d at %s was restarted on the way back" % (c["index"], c["area"]))
        harness.check(all(share(c) == 150 * MIB for c in cs),
                      "shares back to 150 MiB: %s" % [share(c) / MIB for c in cs])
        harness.check(app.poll() is None, "hyperwall exited")


BAD = [
    ("3x3 0,0,2,2 1,1,2,2", "overlaps"),
    ("3x3 2,2,2,2", "outside"),
    ("9x9", "9x9"),
    ("3x3 0,0,0,1", "0,0,0,1"),
    ("3x3 0;0;1;1", "0;0;1;1"),
    ("spotlite", "spotlight"),
]


def test_bad_specs():
    with harness.Session() as s:
        for spec, expected in BAD:
            rc, _out, err = s.run(["--demo", "--layout", spec])
            lines = [line for line in err.splitlines() if line.strip()]
            harness.check(rc == 2, "--layout %r: exit status %s, expected 2\n%s" % (spec, rc, err))
            harness.check(len(lines) == 1, "--layout %r: %d lines on stderr: %r"
                          % (spec, len(lines), err))
            harness.check(lines and "--layout" in lines[0] and expected in lines[0],
                          "--layout %r: %r does not say %r" % (spec, err, expected))
        harness.note("e.g. %s" % lines[0])

        # The environment: ignored with one warning; the uniform grid plays.
        app = s.launch(["--demo", "--renderer", "software"],
                       env={"HYPERWALL_LAYOUT": "3x3 9,9,1,1"})
        app.wait_for(playing(4, "2x2"), 45)
        log = app.log()
        harness.check(log.count("Ignoring HYPERWALL_LAYOUT") == 1,
                      "HYPERWALL_LAYOUT refused %d times in the log"
                      % log.count("Ignoring HYPERWALL_LAYOUT"))


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/layout/spotlight", test_spotlight),
        ("/hyperwall/integration/layout/live-switch", test_live_switch),
        ("/hyperwall/integration/layout/bad-specs", test_bad_specs),
    ])
