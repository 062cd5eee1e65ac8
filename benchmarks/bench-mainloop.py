#!/usr/bin/env python3
"""bench-mainloop: how long the main loop stands still when the wall changes.

Every watchdog, the status file and the service manager's ping share
Hyperwall's main loop: while it stands still, the wall is frozen. The app
measures this itself (from each poll's end to the next poll's start; the
status file's "main_loop" object keeps every gap of 50 ms or more with the
time it ended),
and this benchmark reads it around three events on a 3x3 local wall
(generated 360p30 H.264 clips, one private Xvfb):

  - items:     HYPERWALL_CYCLE_INTERVAL=2, so every cell loads a new item
               every 2 s; gaps over --seconds of playback;
  - resize:    3x3 -> 2x2 through GSettings (keyfile backend), five cells
               torn down; gaps in the 5 s after the change;
  - heartbeat: the app is stopped with SIGSTOP for 7 s and continued, so
               every cell's watchdog looks dead and the controller resets
               all nine (docs/reliability.md, rule 9); gaps in the 5 s after
               SIGCONT, leaving out the stop itself if it shows as a gap.

Each scenario runs once per renderer (--renderers) and per binary: --bin
(default: build/src/hyperwall) and, with --before PATH, a second build to
compare (for example the previous commit plus the gap monitor). It prints
the longest gap and the number of gaps of 50 ms or more per run; "< 50"
means no gap reached 50 ms.

Usage: benchmarks/bench-mainloop.py [--seconds 20] [--renderers software,gl]
                                    [--bin PATH] [--before PATH]

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import os
import signal
import subprocess
import sys
import time

import benchlib
from benchlib import harness

SCHEMA = "org.example.Hyperwall"
STOP_SECONDS = 7.0


class GapLog:
    """Collects the app's kept gaps across status snapshots (the status file
    holds the last 64; polling every 100 ms misses none)."""

    def __init__(self, app):
        self.app = app
        self.seen = {}

    def poll(self):
        status = self.app.status()
        for t, ms in ((status or {}).get("main_loop") or {}).get("gaps", []):
            self.seen[t] = ms
        return status

    def between(self, start, end):
        return [ms for t, ms in sorted(self.seen.items()) if start <= t <= end]

    def watch(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.poll()
            time.sleep(0.1)


def gsettings(env, *args):
    result = subprocess.run(["gsettings"] + list(args), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=20)
    if result.returncode != 0:
        raise harness.HarnessError("gsettings %s: %s" % (" ".join(args),
                                                         result.stderr.decode().strip()))


def each_cell_played(count):
    """A predicate: every one of @count cells has been seen playing (with
    items changing every 2 s, all nine at one instant is rare on 2 cores)."""
    seen = set()

    def predicate(status):
        cells = harness.cells(status)
        seen.update(c.get("index") for c in cells if c.get("state") == "playing")
        return len(cells) == count and len(seen) >= count
    predicate.__name__ = "each of %d cells playing once" % count
    return predicate


def launch(session, folder, renderer, env):
    app = session.launch(["--local", folder, "--renderer", renderer], env=env, debug=False)
    app.wait_for(each_cell_played(9), 90)
    time.sleep(2)
    return app


def scenario_items(session, folder, renderer, args):
    app = launch(session, folder, renderer, {"HYPERWALL_ROWS": "3", "HYPERWALL_COLUMNS": "3",
                                             "HYPERWALL_CYCLE_INTERVAL": "2"})
    try:
        log = GapLog(app)
        start = time.time()
        log.watch(args.seconds)
        return log.between(start, time.time())
    finally:
        app.stop()


def scenario_resize(session, folder, renderer, args):
    env = session.environment({"GSETTINGS_BACKEND": "keyfile"})
    gsettings(env, "set", SCHEMA, "rows", "3")
    gsettings(env, "set", SCHEMA, "columns", "3")
    app = launch(session, folder, renderer, {"GSETTINGS_BACKEND": "keyfile"})
    try:
        log = GapLog(app)
        log.watch(1)
        start = time.time()
        gsettings(env, "set", SCHEMA, "rows", "2")
        gsettings(env, "set", SCHEMA, "columns", "2")
        log.watch(5)
        cells = len(harness.cells(app.status()))
        if cells != 4:
            raise harness.HarnessError("the wall has %d cells after the resize" % cells)
        return log.between(start, time.time())
    finally:
        app.stop()


def scenario_heartbeat(session, folder, renderer, args):
    app = launch(session, folder, renderer, {"HYPERWALL_ROWS": "3", "HYPERWALL_COLUMNS": "3"})
    try:
        log = GapLog(app)
        log.watch(1)
        os.kill(app.pid, signal.SIGSTOP)
        time.sleep(STOP_SECONDS)
        resumed = time.time()
        os.kill(app.pid, signal.SIGCONT)
        log.watch(5)
        gaps = log.between(resumed - 0.5, time.time())
        # The stop itself is no gap of the reset's. Builds since the monitor
        # stopped waking the loop see it only if the stop caught the loop
        # busy (a stop while it waited in its poll is no gap); older ones
        # always show it as one gap of about STOP_SECONDS.
        stop = [g for g in gaps if g >= STOP_SECONDS * 1000 * 0.9]
        if stop:
            gaps.remove(max(stop))
        return gaps
    finally:
        app.stop()


SCENARIOS = [("items", scenario_items), ("resize 3x3->2x2", scenario_resize),
             ("heartbeat reset", scenario_heartbeat)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20,
                        help="measured seconds of item changes (default 20)")
    parser.add_argument("--renderers", default="software,gl", help="default software,gl")
    parser.add_argument("--bin", default=None, help="the hyperwall binary "
                        "(default: $HYPERWALL_BIN, then build/src/hyperwall)")
    parser.add_argument("--before", default=None,
                        help="a second hyperwall binary to compare with")
    args, unknown = parser.parse_known_args()
    if unknown:
        print("# ignoring options this benchmark does not take: %s" % " ".join(unknown),
              flush=True)
    binaries = [("after", os.path.abspath(args.bin) if args.bin else benchlib.default_binary())]
    if args.before:
        binaries.insert(0, ("before", os.path.abspath(args.before)))
    for _name, path in binaries:
        if not os.access(path, os.X_OK):
            parser.error("no hyperwall binary at %s" % path)
    benchlib.use_binary(binaries[-1][1])
    renderers = [r.strip() for r in args.renderers.split(",") if r.strip()]

    print("# bench-mainloop %s, %d cores; 3x3 local wall" %
          (datetime.date.today().isoformat(), os.cpu_count()), flush=True)
    rows = []
    with harness.Session() as session:
        folder = session.path("clips")
        harness.generate_clips(folder, 12, seconds=20)
        for scenario, run in SCENARIOS:
            for renderer in renderers:
                for name, path in binaries:
                    os.environ["HYPERWALL_BIN"] = path
                    print("# %s, %s, %s" % (scenario, renderer, name), flush=True)
                    try:
                        gaps = run(session, folder, renderer, args)
                        longest = benchlib.fmt(max(gaps), "%.0f ms") if gaps else "< 50 ms"
                        rows.append([scenario, renderer, name, longest, str(len(gaps))])
                    except (harness.HarnessError, harness.TestFailure) as e:
                        print("#   failed: %s" % str(e).splitlines()[0], flush=True)
                        rows.append([scenario, renderer, name, "failed", "—"])
    print()
    benchlib.print_table(["event", "renderer", "build", "longest gap", "gaps >= 50 ms"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
