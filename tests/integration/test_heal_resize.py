#!/usr/bin/env python3
"""A live resize from 2x2 to 3x3 through GSettings re-splits the cache.

The app runs with the keyfile GSettings backend in the session's private
XDG_CONFIG_HOME; `gsettings set org.example.Hyperwall rows 3` and
`columns 3`, run with the same environment, must rebuild the wall while it
runs. The status file must then show nine cells and
grid.cache_per_cell_bytes = min(cache-per-cell 512 MiB, budget 3072 MiB / 9),
and every cell's demuxer_max_bytes + demuxer_max_back_bytes, read back from
its mpv, equal to that share (3/4 forward, the rest back), the total within
the budget. The cells that stay keep playing through the change.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import heal_util  # noqa: E402

MIB = 1 << 20
BUDGET = 3072 * MIB
CAP = 512 * MIB
SCHEMA = "org.example.Hyperwall"


def expected_share(cells):
    return min(CAP, BUDGET // cells)


def split_ok(cells):
    """A predicate: @cells cells, all playing, with the split applied."""
    share = expected_share(cells)

    def predicate(status):
        cs = harness.cells(status)
        grid = status.get("grid") or {}
        return (len(cs) == cells and grid.get("cache_per_cell_bytes") == share
                and all(c.get("state") == "playing" for c in cs)
                and all(c.get("demuxer_max_bytes", 0) + c.get("demuxer_max_back_bytes", 0)
                        == share for c in cs))
    predicate.__name__ = "%d playing cells with a %d-byte cache share each" % (cells, share)
    return predicate


def check_split(status, rows, columns):
    cells = rows * columns
    share = expected_share(cells)
    grid = status["grid"]
    harness.check((grid["rows"], grid["columns"]) == (rows, columns),
                  "grid %sx%s, expected %dx%d" % (grid["rows"], grid["columns"], rows, columns))
    harness.check(grid["cache_budget_bytes"] == BUDGET,
                  "budget %s, expected %d" % (grid["cache_budget_bytes"], BUDGET))
    harness.check(grid["cache_per_cell_bytes"] == share,
                  "per-cell share %s, expected min(512 MiB, 3072 MiB / %d) = %d"
                  % (grid["cache_per_cell_bytes"], cells, share))
    total = 0
    for c in harness.cells(status):
        forward, back = c["demuxer_max_bytes"], c["demuxer_max_back_bytes"]
        harness.check(forward > 0 and back > 0,
                      "cell %d reads back demuxer-max-bytes %s, demuxer-max-back-bytes %s"
                      % (c["index"], forward, back))
        harness.check(forward + back <= share,
                      "cell %d: %d + %d bytes exceed its share %d"
                      % (c["index"], forward, back, share))
        harness.check(forward == share - share // 4 and back == share // 4,
                      "cell %d: forward %d, back %d; expected the split %d + %d"
                      % (c["index"], forward, back, share - share // 4, share // 4))
        total += forward + back
    harness.check(total <= BUDGET, "cells hold %d bytes in all, budget %d" % (total, BUDGET))
    harness.note("%dx%d: %d cells × %.1f MiB = %.1f MiB of %d MiB"
                 % (rows, columns, cells, share / MIB, total / MIB, BUDGET // MIB))


def gsettings(s, env, *args):
    result = subprocess.run(["gsettings"] + list(args), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=30)
    harness.check(result.returncode == 0, "gsettings %s failed: %s"
                  % (" ".join(args), result.stderr.decode(errors="replace").strip()))
    return result.stdout.decode().strip()


def test_resize_2x2_to_3x3():
    if not shutil.which("gsettings"):
        harness.skip("gsettings is not installed (Debian package libglib2.0-bin)")
    with harness.Session() as s:
        extra = {"GSETTINGS_BACKEND": "keyfile", "HYPERWALL_CACHE_BUDGET_MB": "3072",
                 "HYPERWALL_CACHE_PER_CELL_MB": "512"}
        env = s.environment({"GSETTINGS_BACKEND": "keyfile"})
        # Rows and columns come from GSettings only: no --rows, no HYPERWALL_ROWS.
        gsettings(s, env, "set", SCHEMA, "rows", "2")
        gsettings(s, env, "set", SCHEMA, "columns", "2")
        app = s.launch(["--demo", "--renderer", "software"], env=extra)
        w = heal_util.Watcher(app)
        status = w.wait(split_ok(4), 45, "a 2x2 wall with its cache split")
        check_split(status, 2, 2)
        before = {c["index"]: c.get("item_id") for c in harness.cells(status)}

        t_resize = time.time()
        gsettings(s, env, "set", SCHEMA, "rows", "3")
        gsettings(s, env, "set", SCHEMA, "columns", "3")
        harness.check(gsettings(s, env, "get", SCHEMA, "rows").split()[-1] == "3",
                      "gsettings did not keep rows = 3")
        status = w.wait(split_ok(9), 60, "a 3x3 wall with its cache re-split")
        check_split(status, 3, 3)
        harness.check(app.poll() is None, "hyperwall exited during the resize")
        log = app.log()
        harness.check("3×3" in log or "3x3" in log,
                      "no log line told the operator the grid changed to 3×3")
        # The cells that stay are kept, not rebuilt: none of the first four
        # goes back to idle or reloads the item it was playing.
        for i in range(4):
            restarts = [(round(tm - t_resize, 2), st, item) for tm, st, item, _r in w.history[i]
                        if tm >= t_resize and (st == "idle" or
                                               (st == "loading" and item == before[i]))]
            harness.check(not restarts, "cell %d restarted during the resize: %s\n%s"
                          % (i, restarts, w.describe(i)))
        harness.wait_rising(app, 30)


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/heal/resize/2x2-to-3x3", test_resize_2x2_to_3x3),
    ])
