#!/usr/bin/env python3
"""The wall operated from the keyboard (and the mouse), with real X events.

xdotool types into the window under a private Xvfb; every effect is read
back from the status file: the focus moves with the arrows and Tab and
wraps at the edges, Enter zooms the focused cell (the others paused) and
back, M makes it the audible cell, Space pauses it, Shift+Space the wall, N
and P move it on and back, + and − change the grid; a click focuses, a
double click zooms.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

WALL = ["--demo", "--rows", "2", "--columns", "3", "--renderer", "software"]


def field(name, value):
    def predicate(status):
        return status.get(name) == value
    predicate.__name__ = "%s = %r" % (name, value)
    return predicate


def paused(expected):
    """A predicate: the cells' paused flags are @expected (a list)."""
    def predicate(status):
        return [c.get("paused") for c in harness.cells(status)] == expected
    predicate.__name__ = "paused flags %s" % expected
    return predicate


def start(s, wall=WALL):
    app = s.launch(wall)
    app.wait_for(harness.all_cells("playing", count=6), 60, "six cells playing")
    return app


def test_focus_moves_and_wraps():
    with harness.Session() as s:
        app = start(s)
        harness.check(app.status()["focused_cell"] == 0, "the focus does not start on cell 0")
        # 2 rows × 3 columns: cell = row * 3 + column.
        steps = [("Right", 1), ("Right", 2), ("Right", 0),      # wraps to the row's start
                 ("Left", 2), ("Down", 5), ("Down", 2),         # wraps to the top
                 ("Up", 5), ("Tab", 0), ("shift+Tab", 5),       # Tab wraps over the wall
                 ("shift+Tab", 4)]
        for key, expected in steps:
            s.key(app, key)
            app.wait_for(field("focused_cell", expected), 10,
                         "focus on cell %d after %s" % (expected, key))


def test_zoom_pause_audio():
    with harness.Session() as s:
        app = start(s)
        s.key(app, "Right", "Down")
        app.wait_for(field("focused_cell", 4), 10)
        s.key(app, "Return")
        app.wait_for(field("zoomed_cell", 4), 10, "cell 4 zoomed")
        # The hidden cells stop decoding; the zoomed one plays on.
        app.wait_for(paused([True, True, True, True, False, True]), 10)
        s.key(app, "Return")
        app.wait_for(field("zoomed_cell", -1), 10, "zoom ended")
        app.wait_for(paused([False] * 6), 10)

        s.key(app, "m")
        app.wait_for(field("audio_cell", 4), 10, "cell 4 audible")
        s.key(app, "m")
        app.wait_for(field("audio_cell", -1), 10, "the wall silent again")

        s.key(app, "space")
        app.wait_for(paused([False, False, False, False, True, False]), 10)
        s.key(app, "space")
        app.wait_for(paused([False] * 6), 10)
        s.key(app, "shift+space")
        app.wait_for(paused([True] * 6), 10, "the whole wall paused")
        s.key(app, "shift+space")
        app.wait_for(paused([False] * 6), 10, "the whole wall playing again")
        harness.check(app.poll() is None, "hyperwall exited")


def test_next_and_previous():
    with harness.Session() as s:
        app = start(s)
        s.key(app, "Right")
        app.wait_for(field("focused_cell", 1), 10)
        first = harness.cells(app.status())[1]["item_id"]
        s.key(app, "n")
        status = app.wait_for(lambda st: harness.cells(st)[1].get("item_id") not in (None, first)
                              and harness.cells(st)[1].get("state") == "playing",
                              20, "cell 1 playing another item")
        second = harness.cells(status)[1]["item_id"]
        s.key(app, "p")
        app.wait_for(lambda st: harness.cells(st)[1].get("item_id") == first
                     and harness.cells(st)[1].get("state") == "playing",
                     20, "cell 1 back on %s (after %s)" % (first, second))


def test_grid_keys():
    with harness.Session() as s:
        app = start(s)
        s.key(app, "plus")      # 2×3: a row
        app.wait_for(lambda st: (st["grid"]["rows"], st["grid"]["columns"]) == (3, 3), 20, "3×3")
        app.wait_for(harness.all_cells("playing", count=9), 60, "nine cells playing")
        s.key(app, "minus")     # 3×3: a row
        app.wait_for(lambda st: (st["grid"]["rows"], st["grid"]["columns"]) == (2, 3), 20, "2×3")
        s.key(app, "minus")     # 2×3: a column
        app.wait_for(lambda st: (st["grid"]["rows"], st["grid"]["columns"]) == (2, 2), 20, "2×2")
        app.wait_for(harness.all_cells("playing", count=4), 30, "four cells playing")


RING = (0xff, 0xd4, 0x00)  # style.css


def ring_at(s, x, y):
    """Whether the screen shows the focus ring's yellow at (@x, @y)."""
    pixel = s.screenshot().pixel(x, y)
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], RING))


def test_mouse(renderer):
    def test():
        with harness.Session() as s:
            wall = [a if a != "software" else renderer for a in WALL]
            app = start(s, wall)
            # Cell 5 is the bottom right third of the 1280×720 window.
            s.click(app, 1280 * 5 // 6, 720 * 3 // 4)
            app.wait_for(field("focused_cell", 5), 10, "a click focused cell 5")
            # The ring shows over the video, whatever draws it: with the
            # x11 output the cell's window is cut away under the ring.
            deadline = time.monotonic() + 5
            while not ring_at(s, 1280 * 2 // 3 + 5, 720 * 3 // 4) and time.monotonic() < deadline:
                time.sleep(0.1)
            harness.check(ring_at(s, 1280 * 2 // 3 + 5, 720 * 3 // 4),
                          "no focus ring on the left edge of cell 5: %s"
                          % (s.screenshot().pixel(1280 * 2 // 3 + 5, 720 * 3 // 4),))
            s.click(app, 1280 // 6, 720 // 4, repeat=2)
            app.wait_for(field("zoomed_cell", 0), 10, "a double click zoomed cell 0")
            # Zoomed, cell 0 fills the window: its pictures move everywhere.
            harness.check_cells_moving(s, 1, 1)
    return test


if __name__ == "__main__":
    P = "/hyperwall/integration/keyboard/"
    harness.run_tests([
        (P + "focus-moves-and-wraps", test_focus_moves_and_wraps),
        (P + "zoom-pause-audio", test_zoom_pause_audio),
        (P + "next-and-previous", test_next_and_previous),
        (P + "grid-keys", test_grid_keys),
        (P + "mouse", test_mouse("software")),
        (P + "mouse-x11", test_mouse("x11")),
    ])
