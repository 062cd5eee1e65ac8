#!/usr/bin/env python3
"""Faults of tests/fake-emby.py against the real hyperwall under Xvfb: the
server refusing connections for 20 s (no cell parks, cells play on or wait,
only backed-off probes meanwhile, every cell plays again after), a stream that stops sending in the
middle of its body, and streams answered with 500 and 404.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys
import time
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402

OUTAGE_S = 20.0


def max_probes(seconds, initial, maximum, jitter=0.25):
    """How many probes a gate backing off from @initial to @maximum seconds
    (each delay up to @jitter shorter) may send in @seconds, plus the first."""
    n, t, delay = 1, 0.0, initial
    while True:
        t += delay * (1 - jitter)
        if t > seconds:
            return n
        n += 1
        delay = min(delay * 2, maximum)


def never_parked(snapshots):
    for snapshot in snapshots:
        parked = [c for c in harness.cells(snapshot) if c.get("state") == "parked"]
        harness.check(not parked, "a server outage parked a cell\n%s"
                      % harness.summarize(snapshot))


def test_refused_connections():
    with harness.Session() as s:
        # 8 s clips: every cell needs the server again well inside the outage.
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media(seconds=8))
        app = emby.launch_wall(s, fake)
        app.wait_for(emby.all_playing_distinct(4), 45, "four cells playing")
        log_before = len(app.log())
        started = time.time()
        try:
            fake.control("refuse", delay=OUTAGE_S)
        except (OSError, urllib.error.URLError):
            pass  # the server may close our own connection as it goes down
        emby.wait_until(lambda: not fake.reachable(), 10, "the fake server to go away")

        snapshots = []
        while time.time() - started < OUTAGE_S - 0.5:
            snapshots += emby.watch(app, 0.5)
        emby.wait_until(fake.reachable, 20, "the fake server to come back")
        outage_log = app.log()[log_before:]
        back_at = time.time()

        never_parked(snapshots)
        harness.check(any(emby.server_state("offline")(x) for x in snapshots),
                      "server.state never went offline during a %g s outage" % OUTAGE_S)
        # A closed gate holds back only what needs the server: a cell whose
        # stream still plays keeps playing, and waits once its clip ends.
        harness.check(any(harness.all_cells("waiting", count=4)(x) for x in snapshots),
                      "the cells never all showed \"waiting\" during the outage\n%s"
                      % harness.summarize(snapshots[-1] if snapshots else None))
        for x in snapshots:
            if not emby.server_state("offline")(x):
                continue
            odd = [(c["index"], c.get("state")) for c in harness.cells(x)
                   if c.get("state") not in ("playing", "waiting")]
            harness.check(not odd, "with the gate closed, cells neither playing nor "
                          "waiting: %s\n%s" % (odd, harness.summarize(x)))
        made = emby.app_requests(outage_log)
        probes = [p for m, p in made if emby.PROBE.search(p)]
        others = [m + " " + p for m, p in made if not emby.PROBE.search(p)]
        harness.note("during the outage: %d probe(s), other requests: %s"
                     % (len(probes), others))
        harness.check(probes, "the app never probed the server during the outage "
                      "(no \"GET /System/Info/Public\" line in its log)")
        limit = max_probes(OUTAGE_S + 2, float(emby.FAST_ENV["HYPERWALL_BACKOFF_INITIAL"]),
                           float(emby.FAST_ENV["HYPERWALL_BACKOFF_MAX"]))
        harness.check(len(probes) <= limit,
                      "%d probes in a %g s outage, backoff allows %d"
                      % (len(probes), OUTAGE_S, limit))
        # The requests that found the server gone close the gate; after
        # that, nothing but probes (at most one in flight per cell before).
        harness.check(len(others) <= 4,
                      "%d requests besides probes during the outage: %s"
                      % (len(others), others))

        # Back: the gate opens with a probe, then every cell plays again.
        emby.wait_until(lambda: [r for r in fake.requests() if r["time"] >= back_at - 1],
                        30, "any request after the server came back")
        after = [r for r in fake.requests() if r["time"] >= started]
        harness.check(emby.PROBE.search(after[0]["path"]),
                      "the first request after the outage was %s %s, not a probe"
                      % (after[0]["method"], after[0]["path"]))
        app.wait_for(emby.server_state("online"), 30, "server.state online again")
        snapshots = emby.watch(app, 0.5)
        status = harness.wait_rising(app, 45)
        never_parked(snapshots + [status])
        harness.check(harness.all_cells("playing", count=4)(app.status()),
                      "not every cell plays after the outage\n%s"
                      % harness.summarize(app.status()))
        emby.check_no_secrets(app, fake)


def cell_holding(status, item_id):
    for c in harness.cells(status):
        if c.get("item_id") == item_id:
            return c
    return None


def test_stream_stalls_mid_body():
    with harness.Session() as s:
        media = emby.shared_media(4, 20)
        fake = fake_emby_server.FakeEmbyServer(s, media)
        # Item 1001 (the first clip) sends 10 % of its body (about 2 s of
        # video: too little to ride out a stall from the buffer), then
        # nothing for a minute with the connection open.
        size = os.path.getsize(sorted(os.path.join(media, f) for f in os.listdir(media))[0])
        fake.control("stall-body", match=r"/Videos/1001/stream", count=1,
                     after_bytes=int(size * 0.1), delay=60)
        app = emby.launch_wall(s, fake)
        status = app.wait_for(lambda x: (cell_holding(x, "1001") or {}).get("state")
                              == "playing", 45, "a cell playing item 1001")
        index = cell_holding(status, "1001")["index"]
        harness.note("cell %d plays the stalling item" % index)

        # The stall: the cell's position stops advancing once its buffer is
        # empty (or the app takes it off the item at once).
        stall_limit = 4 * float(emby.FAST_ENV["HYPERWALL_STALL_TIMEOUT"]) + 5
        track = {"pos": None, "since": None, "frozen": None, "at": None}

        def frozen(x):
            c = harness.cells(x)[index]
            now = time.monotonic()
            if c.get("item_id") != "1001" or c.get("state") != "playing":
                track["frozen"] = track["frozen"] or 0.0
                return True
            pos = c.get("position") or 0.0
            if track["pos"] is None or pos > track["pos"]:
                track["pos"], track["since"] = pos, now
            elif now - track["since"] >= 2.0 and pos >= 0.5:
                track["frozen"], track["at"] = pos, now
                return True
            return False
        app.wait_for(frozen, 40, "cell %d's position to stop advancing on the "
                     "stalled stream" % index)
        harness.note("cell %d stalled at %.1f s" % (index, track["frozen"]))
        stalled_since = track["since"] or time.monotonic()

        # Recovery, within a few stall timeouts: the cell plays again, past
        # the point where it froze or on a fresh item.
        def recovered(x):
            c = harness.cells(x)[index]
            if c.get("state") != "playing":
                return False
            return (c.get("item_id") != "1001"
                    or (c.get("position") or 0) > track["frozen"] + 1.0)
        status = app.wait_for(recovered, stall_limit + 20,
                              "cell %d to play again after its stream stalled" % index)
        took = time.monotonic() - stalled_since
        c = harness.cells(status)[index]
        harness.note("cell %d plays again after %.1f s: item %s at %.1f s"
                     % (index, took, c.get("item_id"), c.get("position") or 0))
        harness.check(took <= stall_limit,
                      "cell %d needed %.0f s to recover from a stalled stream (limit %.0f s)"
                      % (index, took, stall_limit))
        status = harness.wait_rising(app, 30)
        streams = [r for r in fake.requests()
                   if re.search(r"(?i)/videos/1001/", r["path"])]
        harness.note("requests for item 1001 after the stall: %s"
                     % [(r["path"].rsplit("/", 1)[-1], r["status"], r.get("range"))
                        for r in streams])
        # The stalling fault answers 200 (whatever the Range); the rescue
        # (mpv resuming with a Range, or the app reloading) is a 206.
        harness.check([r for r in streams if r["status"] == 206],
                      "cell %d recovered without asking the server again: %s"
                      % (index, emby.describe(streams)))
        emby.check_no_secrets(app, fake)


def test_500_and_404_streams():
    with harness.Session() as s:
        # Short clips, so that the cells move on and the pool starts new
        # rounds while the test watches: a 404 item must not come back.
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media(6, 8))
        # 1001 fails on every path (direct and transcoded) with 500; 1002's
        # streams are gone (404). Both must be given up, never hung on.
        fake.control("status", match=r"/Videos/1001/", status=500)
        fake.control("status", match=r"/Videos/1002/", status=404)
        app = emby.launch_wall(s, fake, env={
            # A cell that happens to draw both bad items in a row must not
            # park: this test is about skipping, not the crash-loop guard.
            "HYPERWALL_CRASH_LOOP_THRESHOLD": "20",
        })
        bad = {"1001", "1002"}
        spans = {}      # (cell, item) -> [first seen, last seen]
        played_bad = []

        def track(status):
            now = time.monotonic()
            for c in harness.cells(status):
                item = c.get("item_id")
                if item in bad:
                    span = spans.setdefault((c.get("index"), item), [now, now])
                    span[1] = now
                    if c.get("state") == "playing" and (c.get("position") or 0) > 1.0:
                        played_bad.append((c.get("index"), item))

        def both_tried(status):
            track(status)
            served = {r["path"].split("/")[-2] for r in fake.requests()
                      if r["status"] in (500, 404) and emby.STREAM.search(r["path"])}
            return bad <= served
        app.wait_for(both_tried, 60, "the wall to try both bad items")

        def all_good_playing(status):
            track(status)
            cs = harness.cells(status)
            return (len(cs) == 4 and all(c.get("state") == "playing"
                                         and c.get("item_id") not in bad for c in cs))
        app.wait_for(all_good_playing, 60, "every cell playing a good item")
        harness.wait_rising(app, 30)
        for snapshot in emby.watch(app, 12):
            track(snapshot)

        harness.check(not played_bad, "a bad item played: %s" % played_bad)
        for (index, item), (first, last) in spans.items():
            harness.note("cell %s held item %s for %.1f s" % (index, item, last - first))
            harness.check(last - first < 40, "cell %s hung on item %s for %.0f s"
                          % (index, item, last - first))
        requests = fake.requests()
        for item, status in (("1001", 500), ("1002", 404)):
            tries = [r for r in requests if r["path"].lower().startswith(
                "/emby/videos/%s/" % item)]
            harness.note("item %s: %d stream request(s): %s" % (
                item, len(tries), [(r["path"].rsplit("/", 1)[-1], r["status"])
                                   for r in tries]))
            harness.check(all(r["status"] == status for r in tries),
                          "item %s was served something other than %d" % (item, status))
        gone = [r for r in requests if r["path"].lower().startswith("/emby/videos/1002/")]
        # docs/emby-api.md: "404 on an item or stream: skip that item (do not retry it)".
        harness.check(len(gone) <= 2,
                      "item 1002's stream answered 404 yet was asked for %d times "
                      "(the contract says skip it, do not retry)" % len(gone))
        emby.check_no_secrets(app, fake)


def test_slow_reports():
    """Playback reports answered later than request-timeout: reports are
    best effort, so the gate stays open and every cell keeps playing."""
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = emby.launch_wall(s, fake)
        app.wait_for(emby.all_playing_distinct(4), 45, "four cells playing")
        probes_before = len([r for r in fake.requests() if emby.PROBE.search(r["path"])])
        delay = float(emby.FAST_ENV["HYPERWALL_REQUEST_TIMEOUT"]) + 3
        fake.control("slow", match=r"(?i)/Sessions/Playing", delay=delay)
        fake.control("slow", match=r"(?i)/Videos/ActiveEncodings", delay=delay)

        # Long enough for progress reports (every 10 s) and items ending
        # (20 s clips: started, stopped, transcode DELETE) to time out.
        seen = emby.watch(app, 30)
        for snapshot in seen:
            harness.check(emby.server_state("online")(snapshot),
                          "slow reports closed the gate: server %s\n%s"
                          % (snapshot.get("server"), harness.summarize(snapshot)))
            bad = [c for c in harness.cells(snapshot)
                   if c.get("state") in ("waiting", "parked", "retrying", "sign-in-required")]
            harness.check(not bad, "a cell stopped for slow reports\n%s"
                          % harness.summarize(snapshot))
        reports = [r for r in fake.requests() if re.search(r"(?i)/Sessions/Playing", r["path"])]
        harness.check(reports, "no report reached the server in 30 s")
        timed_out = [line for line in app.log().splitlines() if "Report not delivered" in line]
        harness.note("%d report(s) answered, %d not delivered in time"
                     % (len(reports), len(timed_out)))
        probes = [r for r in fake.requests() if emby.PROBE.search(r["path"])]
        harness.check(len(probes) == probes_before,
                      "slow reports made the wall probe the server %d time(s)"
                      % (len(probes) - probes_before))
        app.wait_for(harness.all_cells("playing", count=4), 20, "every cell playing")
        emby.check_no_secrets(app, fake)


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/emby/faults/refused-connections", test_refused_connections),
        ("/hyperwall/integration/emby/faults/stream-stalls-mid-body",
         test_stream_stalls_mid_body),
        ("/hyperwall/integration/emby/faults/stream-500-and-404", test_500_and_404_streams),
        ("/hyperwall/integration/emby/faults/slow-reports", test_slow_reports),
    ])
