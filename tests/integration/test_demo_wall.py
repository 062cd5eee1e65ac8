#!/usr/bin/env python3
"""A 2x2 demo wall plays: the status file shows four playing cells with a
rising position, and two screenshots a second apart show every cell moving
and not black. Once per renderer (-p selects one), and every cell reports
in the status file that it draws with the renderer asked for: a GL run that
fell back to software fails instead of passing on the software path.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

FALLBACK = re.compile(r"OpenGL video output unavailable.*|OpenGL unavailable.*")


def check_renderer(app, requested):
    """Every cell draws with the renderer asked for, as each cell's
    "renderer" in the status file says. Under Xvfb, Mesa's llvmpipe gives
    real GL, so --renderer gl must be GL; were it to fall back to software,
    this fails and quotes why, rather than passing on the other path."""
    status = app.status() or {}
    used = [c.get("renderer") for c in harness.cells(status)]
    if requested == "gl" and any(u != "gl" for u in used):
        why = [line.strip() for line in app.log().splitlines() if FALLBACK.search(line)]
        harness.check(False, "--renderer gl, but the cells drew with %s; GL was not usable here%s"
                      % (used, (": " + why[0]) if why else " (no reason logged)"))
    harness.check(all(u == requested for u in used),
                  "--renderer %s, but the cells drew with %s" % (requested, used))
    harness.note("renderer of every cell: %s" % requested)


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
            check_renderer(app, renderer)
            harness.check(app.poll() is None, "hyperwall exited during the test")
            rc = app.stop()
            harness.check(rc == 0, "SIGTERM gave exit status %s\n%s" % (rc, app.tail()))
    return test


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/demo-wall/software", demo_wall("software")),
        ("/hyperwall/integration/demo-wall/gl", demo_wall("gl")),
    ])
