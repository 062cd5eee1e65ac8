#!/usr/bin/env python3
"""Kiosk mode: fullscreen and undecorated, the pointer hidden until it
moves, blanking and suspend inhibited, and nothing a passer-by can do
closes it (Escape, Alt+F4, Ctrl+Q, a window manager's close request);
Ctrl+Alt+Shift+Q does, with exit status 0.

There is no window manager and no session manager on the test's display
and bus, so "fullscreen" is what the wall asked for and "inhibit" that it
asked; both are read from the status file.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

WALL = ["--demo", "--rows", "1", "--columns", "2", "--renderer", "software"]


def window(**expected):
    def predicate(status):
        w = status.get("window") or {}
        return all(w.get(k) == v for k, v in expected.items())
    predicate.__name__ = "window %s" % expected
    return predicate


def test_kiosk():
    with harness.Session() as s:
        app = s.launch(WALL + ["--kiosk"])
        app.wait_for(harness.all_cells("playing", count=2), 40, "two cells playing")
        app.wait_for(window(kiosk=True, fullscreen_requested=True, decorated=False,
                            pointer_hidden=True, inhibit_requested=True), 10, "a kiosk window")
        harness.check("inhibit screen blanking and suspend" in app.log()
                      or "Inhibited screen blanking" in app.log(),
                      "no log line about inhibiting blanking and suspend")

        # The pointer shows when it moves, and goes again.
        s.focus(app)
        s.xdotool("mousemove", "--sync", 300, 300)
        s.xdotool("mousemove", "--sync", 320, 310)
        app.wait_for(window(pointer_hidden=False), 5, "the pointer shown after a move")
        app.wait_for(window(pointer_hidden=True), 10, "the pointer hidden again")

        s.key(app, "Escape", "alt+F4", "ctrl+q", "F11")
        s.close_request(app)
        time.sleep(2)
        harness.check(app.poll() is None, "a passer-by's key or a close request quit the kiosk")
        harness.check("close the window was ignored" in app.log(),
                      "the close request was not seen (and ignored)")
        app.wait_for(window(fullscreen_requested=True), 5, "still fullscreen after F11")

        s.key(app, "ctrl+alt+shift+q")
        rc = app.wait_exit(20)
        harness.check(rc == 0, "Ctrl+Alt+Shift+Q gave exit status %s" % rc)


def test_not_kiosk_closes():
    """Without kiosk mode a close request and Ctrl+Q do quit."""
    with harness.Session() as s:
        app = s.launch(WALL)
        app.wait_for(window(kiosk=False, decorated=True, pointer_hidden=False), 40)
        s.key(app, "ctrl+q")
        rc = app.wait_exit(20)
        harness.check(rc == 0, "Ctrl+Q gave exit status %s" % rc)
        app = s.launch(WALL)
        app.wait_for(window(kiosk=False), 40)
        s.close_request(app)
        rc = app.wait_exit(20)
        harness.check(rc == 0, "a close request gave exit status %s" % rc)


if __name__ == "__main__":
    P = "/hyperwall/integration/kiosk/"
    harness.run_tests([
        (P + "kiosk", test_kiosk),
        (P + "not-kiosk-closes", test_not_kiosk_closes),
    ])
