#!/usr/bin/env python3
"""What a wall writes to the journal in a minute of normal play: a 2x2
local wall over eight 2-second clips, so every cell moves on to a new item
about every two seconds (100 and more loads in the minute). Run as an
operator runs it (no G_MESSAGES_DEBUG), stdout and stderr kept apart.

Only what an operator needs may be there, and nothing per item: no line of
hardware-decoder probing (libvdpau's "Failed to open VDPAU backend", libva,
FFmpeg's AVHWDeviceContext) at all, at most a few lines once the wall
plays, and no line that comes back again and again. The status file still
says which decoder each cell uses.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PLAY_SECONDS = 60
PROBE_NOISE = re.compile(r"(?i)vdpau|libva|vaapi|AVHWDeviceContext|hwdec")
# A line's shape: numbers (times, pids, cell indexes) and paths aside.
SHAPE = re.compile(r"\d+|/\S+")


def output_lines(app):
    return [l for l in (app.log() + app.stderr()).splitlines() if l.strip()]


def test_quiet_minute():
    with harness.Session() as s:
        clips = s.path("clips")
        harness.generate_clips(clips, 8, seconds=2)
        app = s.launch(["--local", clips, "--rows", "2", "--columns", "2",
                        "--renderer", "software"], debug=False, split_stderr=True)
        app.wait_for(harness.all_cells("playing", count=4), 30, "four playing cells")
        warm = len(output_lines(app))

        # A minute of play, counting the items each cell moved on to.
        changes = 0
        last = {}
        # (cell, hwdec) of every playing sample: mpv reports hwdec-current a
        # moment after a load, so a sample right after one may lack it.
        hwdec_samples = []
        deadline = time.monotonic() + PLAY_SECONDS
        while time.monotonic() < deadline:
            for c in harness.cells(app.status()):
                item = c.get("item_id")
                if item and last.get(c.get("index")) not in (None, item):
                    changes += 1
                if item:
                    last[c.get("index")] = item
                if c.get("state") == "playing":
                    hwdec_samples.append((c.get("index"), c.get("hwdec")))
            time.sleep(0.1)
        harness.check(app.poll() is None, "the wall exited\n%s" % app.tail())

        lines = output_lines(app)
        steady = lines[warm:]
        harness.note("%d item changes in %d s; %d lines before all cells played, %d after"
                     % (changes, PLAY_SECONDS, warm, len(steady)))
        for line in lines:
            harness.note("  " + line[:200])
        harness.check(changes >= 40, "only %d item changes in %d s: the test did not "
                      "exercise loads" % (changes, PLAY_SECONDS))

        # The wall's own one-line summary of the probe is for the operator.
        noise = [l for l in lines if PROBE_NOISE.search(l) and "Hardware decoding:" not in l]
        harness.check(not noise, "%d lines of hardware-decoder probing, e.g. %r"
                      % (len(noise), noise[:3]))

        shapes = {}
        for line in steady:
            shape = SHAPE.sub("#", line)
            shapes[shape] = shapes.get(shape, 0) + 1
        repeated = {k: n for k, n in shapes.items() if n >= 3}
        harness.check(not repeated, "lines that come back with the items: %s" % repeated)
        harness.check(len(steady) <= 5, "%d lines in a minute of normal play after the "
                      "start (%d item changes)" % (len(steady), changes))

        said = [(i, h) for i, h in hwdec_samples if isinstance(h, str) and h]
        harness.note("%d of %d playing samples name the decoder: %s"
                     % (len(said), len(hwdec_samples), sorted({h for _, h in said})))
        harness.check({i for i, _ in said} == {i for i, _ in hwdec_samples}
                      and len(said) >= 0.8 * len(hwdec_samples),
                      "playing cells do not say which decoder they use: %d of %d samples"
                      % (len(said), len(hwdec_samples)))
        rc = app.stop()
        harness.check(rc == 0, "the wall exited with %s" % rc)


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/quiet-log/minute", test_quiet_minute),
    ])
