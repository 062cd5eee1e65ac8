#!/usr/bin/env python3
"""An item that always fails walks the escalation chain; a wall whose media
all fails parks, stays quiet while parked, and resumes after the cooldown.

chain: a 2x2 wall over six clips from the fake Emby server, where item 1001's
  direct stream and its HLS master playlist always answer 500. The cell that
  gets it must request, in this order and with the backoff between them,
  /stream, /stream, master.m3u8, master.m3u8, then skip to another item that
  plays; four failures stay under the crash-loop threshold (5): no parking.
parked: a 1x2 wall over three clips that all fail the same way. Each cell
  walks one item's chain, fails its next item once, and parks (state
  `parked`, a reason) at the fifth failure. While every cell is parked the
  server sees no stream and no PlaybackInfo request at all; after the
  cooldown the cells leave `parked` (and no earlier).

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import heal_util  # noqa: E402

BACKOFF_INITIAL_S = 1
COOLDOWN_S = 10
EXPECTED_CHAIN = ["stream", "stream", "master", "master"]
# The escalation delays before each retry, in units of backoff-initial:
# direct after 1x, transcode after 2x, transcode after 4x (docs/reliability.md, rule 2).
CHAIN_DELAYS = [1, 2, 4]


def failing_env():
    return heal_util.emby_env({
        "HYPERWALL_BACKOFF_INITIAL": str(BACKOFF_INITIAL_S),
        "HYPERWALL_STALL_TIMEOUT": "5",
        "HYPERWALL_LOAD_TIMEOUT": "10",
        "HYPERWALL_WATCHDOG_INTERVAL": "500",
        "HYPERWALL_CRASH_LOOP_THRESHOLD": "5",
        "HYPERWALL_CRASH_LOOP_WINDOW": "60",
        "HYPERWALL_CRASH_LOOP_COOLDOWN": str(COOLDOWN_S),
    })


def video_requests(server, item_id=None):
    """[(time, item id, kind, status)] in time order."""
    out = []
    for r in server.requests():
        # A HEAD is the app asking whether a failed stream is gone (404),
        # not an attempt to play it.
        if r.get("method") != "GET":
            continue
        v = heal_util.video_request(r)
        if v and (item_id is None or v[0] == item_id):
            out.append((r["time"], v[0], v[1], r["status"]))
    return sorted(out)


def check_chain(requests, item_id):
    """The first four requests for @item_id follow the chain, spaced by the
    jittered backoff (±25 %; the upper side also allows for loading)."""
    kinds = [k for _t, _i, k, _s in requests[:4]]
    harness.check(kinds == EXPECTED_CHAIN,
                  "item %s: requests %s, expected the chain %s"
                  % (item_id, kinds, EXPECTED_CHAIN))
    for n, units in enumerate(CHAIN_DELAYS):
        gap = requests[n + 1][0] - requests[n][0]
        low, high = 0.75 * units * BACKOFF_INITIAL_S - 0.1, 1.25 * units * BACKOFF_INITIAL_S + 2.5
        harness.check(low <= gap <= high,
                      "item %s: %.2f s between request %d (%s) and %d (%s), expected %.2f..%.2f s"
                      % (item_id, gap, n + 1, kinds[n], n + 2, kinds[n + 1], low, high))
    harness.note("item %s: %s, gaps %s s" % (item_id, kinds, [
        "%.1f" % (requests[n + 1][0] - requests[n][0]) for n in range(3)]))


def test_chain():
    with harness.Session() as s:
        media = s.path("media")
        harness.generate_clips(media, 6, seconds=8)
        server = fake_emby_server.FakeEmbyServer(s, media)
        try:
            server.control("status", status=500, count=-1,
                           match=r"/Videos/1001/(stream|master\.m3u8)")
            app = s.launch(heal_util.emby_args(server) + ["--rows", "2", "--columns", "2",
                                                          "--renderer", "software"],
                           env=failing_env())
            w = heal_util.Watcher(app)

            # Clips last 8 s and no item repeats before all six have been
            # shown, so some cell picks 1001 within a couple of rounds.
            def holder(status):
                return next((c["index"] for c in harness.cells(status)
                             if c.get("item_id") == "1001"), None)
            status = w.wait(lambda st: holder(st) is not None, 60, "a cell taking item 1001")
            index = holder(status)

            # It must walk the chain and move on to another item that plays.
            def moved_on(st):
                c = heal_util.cell(st, index)
                return c["state"] == "playing" and c.get("item_id") not in (None, "1001")
            status = w.wait(moved_on, 45, "cell %d skipping 1001 and playing another item"
                            % index)
            harness.note("cell %d: %s" % (index, w.describe(index)))
            requests = video_requests(server, "1001")
            harness.check(len(requests) >= 4,
                          "only %d requests for item 1001 before the cell moved on: %s"
                          % (len(requests), [k for _t, _i, k, _s in requests]))
            check_chain(requests, "1001")
            harness.check(all(st == 500 for _t, _i, _k, st in requests[:4]),
                          "the fault did not answer 500: %s" % requests[:4])
            harness.check("retrying" in w.states_seen(index),
                          "cell %d never showed retrying: %s" % (index, w.describe(index)))
            for c in harness.cells(status):
                harness.check("parked" not in w.states_seen(c["index"]),
                              "cell %d parked after one failing item: %s"
                              % (c["index"], w.describe(c["index"])))
            harness.check(status["server"]["state"] == "online",
                          "server state %s: one failing item is not an outage"
                          % status["server"]["state"])
            log = app.log()
            harness.check("skipping" in log,
                          "no 'skipping' line told the operator the item was dropped")
            harness.assert_no_secrets(log, server.secrets(), "the app's log")
        finally:
            server.stop()


def test_parked():
    with harness.Session() as s:
        media = s.path("media")
        harness.generate_clips(media, 3, seconds=8)
        server = fake_emby_server.FakeEmbyServer(s, media)
        try:
            server.control("status", status=500, count=-1,
                           match=r"/Videos/[^/]+/(stream|master\.m3u8)")
            app = s.launch(heal_util.emby_args(server) + ["--rows", "1", "--columns", "2",
                                                          "--renderer", "software"],
                           env=failing_env())
            w = heal_util.Watcher(app)
            # 1 + 2 + 4 s of backoff, one more failure, loads: about 10 s.
            status = w.wait(harness.all_cells("parked", count=2), 60, "both cells parked")
            t_all_parked = time.time()
            for c in harness.cells(status):
                harness.check(isinstance(c.get("reason"), str) and c["reason"].strip(),
                              "parked cell %d has no reason: %r" % (c["index"], c.get("reason")))
                harness.check(c.get("failures", 0) >= 5,
                              "cell %d parked after %s failures, threshold 5"
                              % (c["index"], c.get("failures")))
                harness.note("cell %d: %s; reason: %s" % (c["index"], w.describe(c["index"]),
                                                          c["reason"]))
            park_times = {i: next(t for t, st, _i, _r in reversed(w.history[i])
                                  if st == "parked") for i in (0, 1)}

            # Every cell's first item walked the whole chain before the skip.
            requests = video_requests(server)
            firsts = []
            for item in dict.fromkeys(i for _t, i, _k, _s in requests):
                mine = [r for r in requests if r[1] == item]
                if len(mine) >= 4:
                    check_chain(mine, item)
                    firsts.append(item)
            harness.check(len(firsts) >= 2,
                          "expected two items walking the chain, got %s: %s"
                          % (firsts, [(i, k) for _t, i, k, _s in requests]))

            status = w.wait(lambda st: any(c["state"] != "parked" for c in harness.cells(st)),
                            COOLDOWN_S + 15, "a cell leaving parked after the cooldown")
            t_first_unpark = time.time()
            w.wait(lambda st: all("parked" != w.history[c["index"]][-1][1] or
                                  time.time() - park_times[c["index"]] < 0
                                  for c in harness.cells(st)),
                   COOLDOWN_S + 15, "every cell leaving parked")
            for i in (0, 1):
                left = next(t for t, st, _i, _r in w.history[i]
                            if t > park_times[i] and st != "parked")
                parked_for = left - park_times[i]
                harness.note("cell %d parked for %.1f s (cooldown %d s)" % (i, parked_for,
                                                                             COOLDOWN_S))
                harness.check(COOLDOWN_S - 1.0 <= parked_for <= COOLDOWN_S + 3.0,
                              "cell %d stayed parked %.1f s, cooldown %d s"
                              % (i, parked_for, COOLDOWN_S))

            # Quiet while parked: no stream, HLS or PlaybackInfo request at all.
            noisy = [(round(r["time"] - t_all_parked, 2), r["method"], r["path"])
                     for r in server.requests()
                     if t_all_parked + 0.3 < r["time"] < t_first_unpark - 0.3
                     and heal_util.is_item_request(r)]
            harness.check(t_first_unpark - t_all_parked >= COOLDOWN_S / 2,
                          "the parked period was too short to judge (%.1f s)"
                          % (t_first_unpark - t_all_parked))
            harness.check(not noisy, "parked cells made %d item requests: %s"
                          % (len(noisy), noisy[:5]))
            harness.check(status["server"]["state"] == "online",
                          "server state %s, expected online: failing media is not an outage"
                          % status["server"]["state"])
            # Resuming means asking for media again.
            w.wait(lambda st: any(heal_util.is_item_request(r) and r["time"] > t_first_unpark - 0.5
                                  for r in server.requests()),
                   10, "an item request after the cooldown")
            harness.assert_no_secrets(app.log(), server.secrets(), "the app's log")
        finally:
            server.stop()


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/heal/escalation/chain", test_chain),
        ("/hyperwall/integration/heal/escalation/parked", test_parked),
    ])
