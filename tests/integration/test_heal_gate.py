#!/usr/bin/env python3
"""A server that disappears closes the gate instead of parking cells.

server-outage: a 2x2 wall plays 5 s clips from the fake Emby server; then
the server refuses every connection (listening socket closed, live
connections shut) for longer than several probes. Each cell needs the
server within seconds (its clip ends), so the wall must report
server.state `offline` with every cell `waiting`, never park a cell nor
let failures pile up while waiting, and when the server comes back every
cell plays again (a rising position) within a bounded time.

buffered-keeps-playing: the same wall with 45 s clips the cells hold whole
in their cache, and an 8 s outage: the gate closes and opens again
(server.state `offline`, then `online`) while every cell stays `playing`
the same item throughout, since none needs the server meanwhile.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import heal_util  # noqa: E402

OUTAGE_S = 15
BACKOFF_MAX_S = 4
THRESHOLD = 5


def test_server_outage():
    with harness.Session() as s:
        media = s.path("media")
        # Short clips: cells need the server again within the outage.
        harness.generate_clips(media, 6, seconds=5)
        server = fake_emby_server.FakeEmbyServer(s, media)
        try:
            app = s.launch(heal_util.emby_args(server) + ["--rows", "2", "--columns", "2",
                                                          "--renderer", "software"],
                           env=heal_util.emby_env({
                               "HYPERWALL_BACKOFF_INITIAL": "1",
                               "HYPERWALL_BACKOFF_MAX": str(BACKOFF_MAX_S),
                               "HYPERWALL_STALL_TIMEOUT": "4",
                               "HYPERWALL_WATCHDOG_INTERVAL": "500",
                               "HYPERWALL_LOAD_TIMEOUT": "10",
                               "HYPERWALL_REQUEST_TIMEOUT": "5",
                               "HYPERWALL_CRASH_LOOP_THRESHOLD": str(THRESHOLD),
                               "HYPERWALL_CRASH_LOOP_COOLDOWN": "120",
                           }))
            w = heal_util.Watcher(app)
            w.wait(harness.all_cells("playing", count=4), 45, "four playing cells")

            def never_parked(status):
                parked = [c["index"] for c in harness.cells(status) if c["state"] == "parked"]
                harness.check(not parked, "cells %s parked during a server outage\n%s\n%s"
                              % (parked, harness.summarize(status), app.tail()))
                heavy = [(c["index"], c.get("failures")) for c in harness.cells(status)
                         if (c.get("failures") or 0) >= THRESHOLD]
                harness.check(not heavy, "failures pile up during an outage: %s" % heavy)

            server.control("refuse", delay=OUTAGE_S)
            t_down = time.time()
            harness.note("server refusing connections for %d s" % OUTAGE_S)

            def gate_closed(status):
                never_parked(status)
                return (status["server"]["state"] == "offline"
                        and all(c["state"] == "waiting" for c in harness.cells(status)))
            status = w.wait(gate_closed, OUTAGE_S - 2,
                            "server offline and every cell waiting")
            harness.note("gate closed %.1f s into the outage" % (time.time() - t_down))
            for c in harness.cells(status):
                harness.check(isinstance(c.get("reason"), str) or c.get("reason") is None,
                              "odd reason on cell %d" % c["index"])
            # Stay closed, quietly, for the rest of the outage.
            remaining = OUTAGE_S - (time.time() - t_down) - 0.5

            def still_closed(status):
                never_parked(status)
                harness.check(status["server"]["state"] == "offline",
                              "server state went %s while the server was still down"
                              % status["server"]["state"])
                playing = [c["index"] for c in harness.cells(status)
                           if c["state"] not in ("waiting",)]
                harness.check(not playing, "cells %s left waiting while the server was down\n%s"
                              % (playing, harness.summarize(status)))
            w.watch(max(0.0, remaining), still_closed)

            # Back: one probe within the capped backoff, then staggered starts.
            w.wait(lambda st: never_parked(st) or st["server"]["state"] == "online",
                   BACKOFF_MAX_S * 1.25 + 10, "server online again")
            t_online = time.time()
            harness.note("server online again %.1f s after it came back"
                         % (t_online - t_down - OUTAGE_S))
            status = harness.wait_rising(app, 40)
            never_parked(status)
            harness.note("every cell playing again %.1f s after the server came back"
                         % (time.time() - t_down - OUTAGE_S))
            for c in harness.cells(status):
                harness.check("parked" not in w.states_seen(c["index"]),
                              "cell %d parked: %s" % (c["index"], w.describe(c["index"])))
            harness.assert_no_secrets(app.log(), server.secrets(), "the app's log")
        finally:
            server.stop()


BUFFERED_OUTAGE_S = 8
BUFFERED_CLIP_S = 45


def test_buffered_keeps_playing():
    with harness.Session() as s:
        media = s.path("media")
        # Small files (a few MB) far under the cache: read whole at once.
        harness.generate_clips(media, 6, seconds=BUFFERED_CLIP_S)
        server = fake_emby_server.FakeEmbyServer(s, media)
        try:
            app = s.launch(heal_util.emby_args(server) + ["--rows", "2", "--columns", "2",
                                                          "--renderer", "software"],
                           env=heal_util.emby_env({
                               "HYPERWALL_BACKOFF_INITIAL": "1",
                               "HYPERWALL_BACKOFF_MAX": "2",
                               "HYPERWALL_WATCHDOG_INTERVAL": "500",
                               "HYPERWALL_REQUEST_TIMEOUT": "5",
                               "HYPERWALL_CACHE_PER_CELL_MB": "256",
                           }))
            w = heal_util.Watcher(app)
            status = w.wait(harness.all_cells("playing", count=4), 45, "four playing cells")
            # Time to read the small files to their end.
            w.watch(3)
            status = w.wait(harness.all_cells("playing", count=4), 10, "four playing cells")
            items = {c["index"]: c["item_id"] for c in harness.cells(status)}
            harness.note("items before the outage: %s" % items)

            def unchanged(status):
                for c in harness.cells(status):
                    harness.check(c["state"] == "playing" and c["item_id"] == items[c["index"]],
                                  "cell %d left its item during a short outage: %s\n%s\n%s"
                                  % (c["index"], w.describe(c["index"]),
                                     harness.summarize(status), app.tail()))

            server.control("refuse", delay=BUFFERED_OUTAGE_S)
            t_down = time.time()
            harness.note("server refusing connections for %d s" % BUFFERED_OUTAGE_S)
            w.watch(BUFFERED_OUTAGE_S + 1, unchanged)
            # Back online (one probe within the capped backoff), still unchanged.
            w.wait(lambda st: unchanged(st) or st["server"]["state"] == "online", 15,
                   "server online again")
            harness.note("server online again %.1f s after the outage began"
                         % (time.time() - t_down))
            w.watch(2, unchanged)
            states = [st for _t, st in w.server_states]
            harness.note("server states: %s" % " → ".join(states))
            first_online = states.index("online") if "online" in states else len(states)
            harness.check("offline" in states[first_online:],
                          "server.state never went offline during the outage: %s" % states)
            harness.check(states[-1] == "online", "server.state ended %s" % states[-1])
            for index in items:
                changes = [h for h in w.history.get(index, []) if h[0] >= t_down]
                harness.check(not changes, "cell %d changed during the outage: %s"
                              % (index, w.describe(index)))
        finally:
            server.stop()


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/heal/gate/server-outage", test_server_outage),
        ("/hyperwall/integration/heal/gate/buffered-keeps-playing", test_buffered_keeps_playing),
    ])
