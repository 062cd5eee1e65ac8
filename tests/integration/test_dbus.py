#!/usr/bin/env python3
"""One wall per session, controlled over D-Bus (the session's private bus).

A second `hyperwall …` hands its command line to the running wall (its
grid applies there) and exits 0, while --help and bad values are still
answered locally; `gapplication action org.example.Hyperwall …` reaches
every kind of action; --instance NAME starts a wall of its own.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

APP_ID = "org.example.Hyperwall"
WALL = ["--demo", "--rows", "1", "--columns", "2", "--renderer", "software"]


def grid(rows, columns):
    def predicate(status):
        g = status.get("grid") or {}
        return (g.get("rows"), g.get("columns")) == (rows, columns)
    predicate.__name__ = "a %d×%d grid" % (rows, columns)
    return predicate


def gapplication(s, *args):
    if not shutil.which("gapplication"):
        harness.skip("gapplication is not installed (Debian package libglib2.0-bin)")
    result = subprocess.run(["gapplication"] + list(args), env=s.environment(debug=False),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    harness.check(result.returncode == 0, "gapplication %s: exit status %d: %s"
                  % (" ".join(args), result.returncode, result.stderr.decode(errors="replace")))


def test_second_launch_forwards():
    with harness.Session() as s:
        app = s.launch(WALL)
        app.wait_for(harness.all_cells("playing", count=2), 40, "two cells playing")
        rc, out, err = s.run(["--rows", "2", "--columns", "3"], timeout=30)
        harness.check(rc == 0, "the second launch exited with %s\n%s%s" % (rc, out, err))
        app.wait_for(grid(2, 3), 20, "the running wall took the second launch's grid")
        app.wait_for(harness.all_cells("playing", count=6), 60, "six cells playing")
        harness.check("handed its command line" in app.log(),
                      "the wall did not log the forwarded command line")
        # Usage errors and --version never reach the wall.
        rc, out, err = s.run(["--rows", "0"])
        harness.check(rc == 2, "--rows 0 with a wall running: exit status %s" % rc)
        rc, out, err = s.run(["--version"])
        harness.check(rc == 0 and "hyperwall" in out, "--version: %s %r" % (rc, out))
        harness.check(app.status()["grid"]["rows"] == 2, "a rejected command line changed the wall")
        harness.check(app.poll() is None, "the wall exited")


def test_actions_from_a_script():
    with harness.Session() as s:
        app = s.launch(WALL)
        status = app.wait_for(harness.all_cells("playing", count=2), 40, "two cells playing")
        first = harness.cells(status)[1]["item_id"]
        gapplication(s, "action", APP_ID, "next", "1")
        app.wait_for(lambda st: harness.cells(st)[1].get("item_id") not in (None, first), 20,
                     "cell 1 moved on")
        gapplication(s, "action", APP_ID, "focus", "1")
        app.wait_for(lambda st: st.get("focused_cell") == 1, 10, "focus on cell 1")
        gapplication(s, "action", APP_ID, "move-focus", "'right'")
        app.wait_for(lambda st: st.get("focused_cell") == 0, 10, "focus wrapped to cell 0")
        gapplication(s, "action", APP_ID, "audio", "1")
        app.wait_for(lambda st: st.get("audio_cell") == 1, 10, "cell 1 audible")
        gapplication(s, "action", APP_ID, "zoom", "1")
        app.wait_for(lambda st: st.get("zoomed_cell") == 1, 10, "cell 1 zoomed")
        gapplication(s, "action", APP_ID, "zoom", "-1")
        app.wait_for(lambda st: st.get("zoomed_cell") == -1, 10, "zoom ended")
        gapplication(s, "action", APP_ID, "toggle-pause-wall")
        app.wait_for(lambda st: all(c.get("paused") for c in harness.cells(st)), 10,
                     "the wall paused")
        gapplication(s, "action", APP_ID, "grow")
        app.wait_for(grid(2, 2), 20)
        gapplication(s, "action", APP_ID, "quit")
        rc = app.wait_exit(20)
        harness.check(rc == 0, "app.quit gave exit status %s" % rc)


def test_activation():
    """The installed service file's way in: the bus starts the wall with
    --gapplication-service on the first action or launch."""
    with harness.Session(dbus=False) as s:
        services = s.path("services")
        os.makedirs(services)
        with open(os.path.join(services, APP_ID + ".service"), "w", encoding="utf-8") as f:
            f.write("[D-BUS Service]\nName=%s\nExec=%s --gapplication-service\n"
                    % (APP_ID, harness.hyperwall_bin()))
        status = s.path("activated-status.json")
        # The bus gives an activated service its own environment.
        env = s.environment({"HYPERWALL_STATUS_FILE": status, "HYPERWALL_ROWS": "1",
                             "HYPERWALL_COLUMNS": "2", "HYPERWALL_RENDERER": "software"})
        s.bus = harness.DBusSession(s.tmpdir, log=s._harness_log, service_dir=services, env=env)
        gapplication(s, "launch", APP_ID)

        def read():
            try:
                with open(status, encoding="utf-8") as f:
                    return json.load(f)
            except (OSError, ValueError):
                return None

        def wait(predicate, timeout, what):
            deadline = time.monotonic() + timeout
            while not predicate(read() or {}):
                harness.check(time.monotonic() < deadline, "timed out waiting for %s\n%s"
                              % (what, harness.summarize(read())))
                time.sleep(0.2)

        wait(harness.all_cells("playing", count=2), 40, "the activated wall playing")
        gapplication(s, "action", APP_ID, "zoom", "1")
        wait(lambda st: st.get("zoomed_cell") == 1, 10, "app.zoom reaching it")
        # It is the bus's child, not ours: it is asked to quit, by name, and
        # must let go of the name.
        gapplication(s, "action", APP_ID, "quit")

        def owned():
            result = subprocess.run(
                ["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                 "--object-path", "/org/freedesktop/DBus",
                 "--method", "org.freedesktop.DBus.NameHasOwner", APP_ID],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
            return b"true" in result.stdout
        env = dict(env, DBUS_SESSION_BUS_ADDRESS=s.bus.address)
        deadline = time.monotonic() + 20
        while owned():
            harness.check(time.monotonic() < deadline, "the activated wall did not quit")
            time.sleep(0.3)


def test_instance():
    with harness.Session() as s:
        first = s.launch(WALL)
        first.wait_for(harness.all_cells("playing", count=2), 40, "the first wall playing")
        second = s.launch(["--demo", "--instance", "lobby", "--rows", "1", "--columns", "1",
                           "--renderer", "software"])
        second.wait_for(harness.all_cells("playing", count=1), 40, "the second wall playing")
        gapplication(s, "action", APP_ID + ".lobby", "grow")
        second.wait_for(grid(1, 2), 20, "the lobby wall grew")
        harness.check(first.poll() is None and second.poll() is None, "a wall exited")
        harness.check(first.status()["grid"]["columns"] == 2, "the first wall changed too")
        rc, out, err = s.run(["--instance", "not a name"])
        harness.check(rc == 2, "--instance 'not a name': exit status %s" % rc)


if __name__ == "__main__":
    P = "/hyperwall/integration/dbus/"
    harness.run_tests([
        (P + "second-launch-forwards", test_second_launch_forwards),
        (P + "actions-from-a-script", test_actions_from_a_script),
        (P + "activation", test_activation),
        (P + "instance", test_instance),
    ])
