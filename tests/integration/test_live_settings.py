#!/usr/bin/env python3
"""Every setting applies while the wall runs.

The app runs with the keyfile GSettings backend in the session's private
XDG_CONFIG_HOME; `gsettings set`, run with the same environment, changes a
key, and the effect is read back from the status file (or, where nothing
shows there, from the log line the change produces). One test per class of
key: the cell settings (timeouts, backoff, hwdec), cycle-interval,
audio-cell, focus-cycle-interval, kiosk and monitor, show-titles, renderer.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SCHEMA = "org.example.Hyperwall"
WALL = ["--demo", "--rows", "1", "--columns", "3", "--renderer", "software"]


class Live:
    """A running wall and a way to change its settings."""

    def __init__(self, session, args=WALL, before=()):
        if not shutil.which("gsettings"):
            harness.skip("gsettings is not installed (Debian package libglib2.0-bin)")
        self.s = session
        self.env = session.environment({"GSETTINGS_BACKEND": "keyfile"}, debug=False)
        for key, value in before:
            self.set(key, value)
        self.app = session.launch(args, env={"GSETTINGS_BACKEND": "keyfile"})
        self.app.wait_for(harness.all_cells("playing", count=3), 60, "three cells playing")

    def set(self, key, value):
        result = subprocess.run(["gsettings", "set", SCHEMA, key, value], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        harness.check(result.returncode == 0, "gsettings set %s %s: %s" % (
            key, value, result.stderr.decode(errors="replace").strip()))

    def wait_log(self, text, timeout=15):
        deadline = time.monotonic() + timeout
        while text not in self.app.log():
            harness.check(self.app.poll() is None, "hyperwall exited\n" + self.app.tail())
            harness.check(time.monotonic() < deadline,
                          "no log line with %r after %g s\n%s" % (text, timeout, self.app.tail()))
            time.sleep(0.2)


def test_cell_settings():
    with harness.Session() as s:
        live = Live(s)
        for key, value in (("stall-timeout", "7"), ("backoff-initial", "3"),
                           ("crash-loop-threshold", "9"), ("hwdec", "'no'")):
            live.set(key, value)
            live.wait_log("%s changed: the cell settings were handed to 3 cells" % key)
        # A reload makes a new player with the new hwdec, and it plays.
        harness.Session.key(s, live.app, "r")
        live.app.wait_for(harness.all_cells("playing", count=3), 30, "cells playing after R")


def test_cycle_interval():
    with harness.Session() as s:
        live = Live(s)
        before = {c["index"]: c["item_id"] for c in harness.cells(live.app.status())}
        live.set("cycle-interval", "2")
        live.app.wait_for(lambda st: all(c.get("item_id") not in (None, before[c["index"]])
                                         for c in harness.cells(st)),
                          30, "every cell moved on after 2 s")


def test_audio_and_focus_cycle():
    with harness.Session() as s:
        live = Live(s)
        live.set("audio-cell", "2")
        live.app.wait_for(lambda st: st.get("audio_cell") == 2, 10, "cell 2 audible")
        live.set("focus-cycle-interval", "1")
        seen = set()

        def cycled(st):
            seen.add((st.get("focused_cell"), st.get("audio_cell")))
            return {(0, 0), (1, 1), (2, 2)} <= seen
        live.app.wait_for(cycled, 20, "focus and sound through all three cells")
        live.set("focus-cycle-interval", "0")
        live.set("audio-cell", "-1")
        live.app.wait_for(lambda st: st.get("audio_cell") == -1, 10, "a silent wall")


def window(**expected):
    def predicate(status):
        w = status.get("window") or {}
        return all(w.get(k) == v for k, v in expected.items())
    predicate.__name__ = "window %s" % expected
    return predicate


def test_kiosk_and_monitor():
    with harness.Session() as s:
        live = Live(s)
        live.app.wait_for(window(kiosk=False, decorated=True), 10)
        live.set("kiosk", "true")
        live.app.wait_for(window(kiosk=True, decorated=False, fullscreen_requested=True,
                                 pointer_hidden=True), 10, "kiosk mode on")
        live.set("monitor", "0")
        live.app.wait_for(window(monitor=0), 10, "fullscreen on monitor 0")
        live.set("kiosk", "false")
        live.app.wait_for(window(kiosk=False, decorated=True, fullscreen_requested=False,
                                 pointer_hidden=False), 10, "kiosk mode off")


def test_show_titles():
    with harness.Session() as s:
        live = Live(s)
        live.set("show-titles", "false")
        live.wait_log("Titles not shown")
        live.set("show-titles", "true")
        live.wait_log("Titles shown when an item starts")


def test_renderer():
    with harness.Session() as s:
        # From GSettings, not --renderer: the command line would hide the change.
        live = Live(s, [a for a in WALL if a not in ("--renderer", "software")],
                    before=[("renderer", "'software'")])
        live.set("renderer", "'gl'")
        live.wait_log("Renderer changes to gl")
        live.app.wait_for(harness.all_cells("playing", count=3), 60, "cells playing after it")
        harness.wait_rising(live.app, 30)


if __name__ == "__main__":
    P = "/hyperwall/integration/live-settings/"
    harness.run_tests([
        (P + "cell-settings", test_cell_settings),
        (P + "cycle-interval", test_cycle_interval),
        (P + "audio-and-focus-cycle", test_audio_and_focus_cycle),
        (P + "kiosk-and-monitor", test_kiosk_and_monitor),
        (P + "show-titles", test_show_titles),
        (P + "renderer", test_renderer),
    ])
