#!/usr/bin/env python3
"""--local DIR: a 2x2 wall over six generated clips plays four different
files; an empty folder keeps the app running with a reason on every cell;
a missing folder exits 2 with a message.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def test_plays():
    with harness.Session() as s:
        clips = s.path("clips")
        # Long enough that most cells keep one item across the checks;
        # short enough that the wall also moves on to new items.
        harness.generate_clips(clips, 6, seconds=12)
        launched = time.time()
        app = s.launch(["--local", clips, "--rows", "2", "--columns", "2",
                        "--renderer", "software"])
        status = app.wait_for(harness.all_cells("playing", count=4), 30,
                              "four playing cells")
        ids = [c.get("item_id") for c in harness.cells(status)]
        harness.check(all(ids) and len(set(ids)) == 4,
                      "cells do not play four different items: %s" % ids)
        # A playing cell says when its item showed the first frame (on the
        # clock of "time"), and how many frames mpv dropped.
        for c in harness.cells(status):
            first = c.get("first_frame_time")
            harness.check(isinstance(first, (int, float))
                          and launched <= first <= status.get("time"),
                          "cell %s: first_frame_time %r is not between the launch %.3f "
                          "and the snapshot %r" % (c.get("index"), first, launched,
                                                   status.get("time")))
            harness.check(isinstance(c.get("dropped_frames"), int)
                          and c.get("dropped_frames") >= 0,
                          "cell %s: dropped_frames %r" % (c.get("index"),
                                                         c.get("dropped_frames")))
        status = harness.wait_rising(app, 15)
        harness.check_cells_moving(s, 2, 2)
        # Later snapshots must keep the rule too, not only the first one.
        ids = [c.get("item_id") for c in harness.cells(app.status())
               if c.get("item_id")]
        harness.check(len(ids) == len(set(ids)),
                      "one item on two cells at once: %s" % ids)


def has_reason_and_not_playing(status):
    cs = harness.cells(status)
    return bool(cs) and all(
        c.get("state") not in ("playing", "loading")
        and isinstance(c.get("reason"), str) and c.get("reason").strip()
        for c in cs)


def test_empty_folder():
    with harness.Session() as s:
        empty = s.path("empty")
        os.makedirs(empty)
        app = s.launch(["--local", empty, "--rows", "2", "--columns", "2",
                        "--renderer", "software"])
        status = app.wait_for(has_reason_and_not_playing, 20,
                              "every cell saying why it has nothing to play")
        harness.check(len(harness.cells(status)) == 4,
                      "expected 4 cells\n%s" % harness.summarize(status))
        harness.note("cell 0: %s (%s)" % (harness.cells(status)[0].get("state"),
                                          harness.cells(status)[0].get("reason")))
        time.sleep(3)
        harness.check(app.poll() is None,
                      "hyperwall exited on an empty folder\n%s" % app.tail())
        rc = app.stop()
        harness.check(rc == 0, "SIGTERM gave exit status %s" % rc)


def test_missing_folder():
    with harness.Session() as s:
        missing = s.path("does-not-exist")
        rc, _out, err = s.run(["--local", missing])
        harness.check(rc == 2, "exit status %s, expected 2\nstderr: %s" % (rc, err))
        lines = [line for line in err.splitlines() if line.strip()]
        harness.check(len(lines) >= 1 and (missing in err or "local" in err.lower()),
                      "no message naming the folder on stderr: %r" % err)


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/local-wall/plays", test_plays),
        ("/hyperwall/integration/local-wall/empty-folder", test_empty_folder),
        ("/hyperwall/integration/local-wall/missing-folder", test_missing_folder),
    ])
