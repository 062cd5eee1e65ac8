#!/usr/bin/env python3
"""A 2x2 demo wall plays: the status file shows four playing cells with a
rising position, and two screenshots a second apart show every cell moving
and not black. Once per renderer (-p selects one), and every cell reports
in the status file that it draws with the renderer asked for: a GL run that
fell back to software fails instead of passing on the software path, and
"auto" must pick the x11 output on this machine (an X server, no GPU).
The threads that only feed the main loop (mpv's, the render threads, the
status writer) run at a lower priority than the main thread.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

FALLBACK = re.compile(r"OpenGL video output unavailable.*|OpenGL unavailable.*")


def check_renderer(app, requested, expected=None):
    """Every cell draws with the renderer asked for, as each cell's
    "renderer" in the status file says. Under Xvfb, Mesa's llvmpipe gives
    real GL, so --renderer gl must be GL; were it to fall back to software,
    this fails and quotes why, rather than passing on the other path."""
    expected = expected or requested
    status = app.status() or {}
    used = [c.get("renderer") for c in harness.cells(status)]
    if requested == "gl" and any(u != "gl" for u in used):
        why = [line.strip() for line in app.log().splitlines() if FALLBACK.search(line)]
        harness.check(False, "--renderer gl, but the cells drew with %s; GL was not usable here%s"
                      % (used, (": " + why[0]) if why else " (no reason logged)"))
    harness.check(all(u == expected for u in used),
                  "--renderer %s, but the cells drew with %s" % (requested, used))
    harness.note("renderer of every cell: %s" % expected)


def thread_nices(pid):
    """{thread name: set of nice values} of every thread of @pid; the main
    thread (whose id is the pid) is listed as "main"."""
    nices = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        nice = int(stat[stat.rindex(")") + 2:].split()[16])
        nices.setdefault("main" if int(tid) == pid else name, set()).add(nice)
    return nices


def check_background_threads(app):
    """mpv's threads (demuxers, decoders, video output), the software render
    threads and the status writer run 5 nice levels below the main thread,
    which keeps the main loop responsive on an oversubscribed CPU."""
    nices = thread_nices(app.pid)
    main = nices.pop("main")
    harness.check(len(main) == 1, "main thread nice values: %s" % main)
    base = main.pop()
    background = {name: values for name, values in nices.items()
                  if name.startswith(("mpv/", "hw-sw-render", "hw-x11-render", "hw-status"))}
    harness.check(any(n.startswith("mpv/") for n in background),
                  "no mpv thread found among %s" % sorted(nices))
    wrong = {name: sorted(v) for name, v in background.items() if v != {min(base + 5, 19)}}
    harness.check(not wrong, "main thread at nice %d, but these background threads are not "
                  "at %d: %s" % (base, min(base + 5, 19), wrong))
    harness.note("%d background thread names at nice %d, main at %d"
                 % (len(background), min(base + 5, 19), base))


def demo_wall(renderer, expected=None):
    """@expected: the renderer the cells must report, when it is not
    @renderer ("auto" on this machine: no GPU, an X server)."""
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
            check_renderer(app, renderer, expected)
            check_background_threads(app)
            # Decoding as mpv reports it: in software here (no GPU), and
            # reported at all, so a GPU kiosk can tell from the same field.
            hwdec = [c.get("hwdec") for c in harness.cells(app.status())]
            harness.check(hwdec == ["no"] * 4, "hwdec of the cells: %s" % hwdec)
            harness.check(app.poll() is None, "hyperwall exited during the test")
            rc = app.stop()
            harness.check(rc == 0, "SIGTERM gave exit status %s\n%s" % (rc, app.tail()))
    return test


def test_x11_without_shared_memory():
    """An X server without MIT-SHM (a remote one, say): --renderer x11 says
    once why it cannot work and the wall plays on the software path, every
    item played, none set aside as unplayable."""
    with harness.Session(xvfb_args=["-extension", "MIT-SHM"]) as s:
        app = s.launch(["--demo", "--rows", "2", "--columns", "2", "--renderer", "x11"])
        app.wait_for(harness.all_cells("playing", count=4), 30, "four playing cells")
        harness.wait_rising(app, 15)
        harness.check_cells_moving(s, 2, 2)
        check_renderer(app, "x11", "software")
        why = [line for line in app.log().splitlines() if "x11 renderer cannot work" in line]
        harness.check(len(why) == 1 and "MIT-SHM" in why[0],
                      "expected one message naming MIT-SHM, got %s" % why)
        harness.note(why[0].split(": ", 1)[-1])
        harness.check("unplayable" not in app.log().lower() and "skipping" not in app.log(),
                      "an item was set aside:\n%s" % app.tail())
        rc = app.stop()
        harness.check(rc == 0, "SIGTERM gave exit status %s\n%s" % (rc, app.tail()))


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/demo-wall/software", demo_wall("software")),
        ("/hyperwall/integration/demo-wall/gl", demo_wall("gl")),
        ("/hyperwall/integration/demo-wall/x11", demo_wall("x11")),
        # No GPU under Xvfb: auto must take the x11 output, not GTK's path.
        ("/hyperwall/integration/demo-wall/auto", demo_wall("auto", "x11")),
        ("/hyperwall/integration/demo-wall/shm-missing", test_x11_without_shared_memory),
    ])
