#!/usr/bin/env python3
"""A 2x2 demo wall plays: the status file shows four playing cells with a
rising position, and two screenshots a second apart show every cell moving
and not black. Once per renderer (-p selects one).

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

FALLBACK = re.compile(r"(?i)(fall(s|ing)?[ -]?back|fell back|unavailable).*software"
                      r"|software.*(fallback|instead)|failed to realize")


def renderer_note(app, requested):
    """GL may be unavailable (no GLX, no Mesa): the app then falls back to
    software, which still passes; say so in the log."""
    status = app.status() or {}
    used = status.get("renderer") or (status.get("grid") or {}).get("renderer")
    if used and used != requested:
        harness.note("NOTE: renderer %s requested, %s used" % (requested, used))
    lines = [line for line in app.log().splitlines() if FALLBACK.search(line)]
    if requested == "gl" and lines:
        harness.note("NOTE: the GL path fell back to software:")
        for line in lines[:3]:
            harness.note("  " + line.strip())


def demo_wall(renderer):
    def test():
        with harness.Session() as s:
            app = s.launch(["--demo", "--rows", "2", "--columns", "2",
                            "--renderer", renderer])
            app.wait_for(harness.all_cells("playing", count=4), 30,
                         "four playing cells")
            status = harness.wait_rising(app, 15)
            harness.check(status["grid"]["rows"] == 2 and status["grid"]["columns"] == 2,
                          "status grid is not 2x2: %s" % status.get("grid"))
            harness.check_cells_moving(s, 2, 2)
            renderer_note(app, renderer)
            harness.check(app.poll() is None, "hyperwall exited during the test")
            rc = app.stop()
            harness.check(rc == 0, "SIGTERM gave exit status %s\n%s" % (rc, app.tail()))
    return test


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/demo-wall/software", demo_wall("software")),
        ("/hyperwall/integration/demo-wall/gl", demo_wall("gl")),
    ])
