#!/usr/bin/env python3
"""A stream that stops sending mid-body is detected and replaced in time.

A 2x2 wall plays four generated clips from the fake Emby server. One item's
direct stream is armed with the stall-body fault: the server sends the
headers and about one second of the file, then goes silent with the
connection open (every reconnect too). The cell plays what it got, then
must leave `playing` within

    buffered + stall-timeout + one watchdog interval (+2 s slack)

of the moment the server stopped sending (the stall-start line in its log),
and be `playing` again, on the retried direct stream, within that plus the
first backoff (+25 % jitter). `buffered` is the playing time of the bytes
the server did send, which mpv plays before anything can be called a stall.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import heal_util  # noqa: E402

STALL_TIMEOUT_S = 4
WATCHDOG_MS = 500
BACKOFF_INITIAL_S = 2
SLACK_S = 2.0
BUFFERED_S = 1.0
CLIP_SECONDS = 30


def mdat_range(path):
    """(offset of the mdat payload, its size) from the MP4's top-level boxes."""
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8:offset + 16])[0]
            header = 16
        elif size == 0:
            size = len(data) - offset
        if kind == b"mdat":
            return offset + header, size - header
        offset += size
    raise harness.HarnessError("no mdat box in %s" % path)


def test_stall_mid_body():
    with harness.Session() as s:
        media = s.path("media")
        clips = harness.generate_clips(media, 4, seconds=CLIP_SECONDS)
        # The fake server numbers items from 1001 in sorted file order.
        target_id, target_clip = "1001", sorted(clips)[0]
        start, size = mdat_range(target_clip)
        after_bytes = start + int(size * BUFFERED_S / CLIP_SECONDS)
        server = fake_emby_server.FakeEmbyServer(s, media)
        try:
            server.control("stall-body", match="/Videos/%s/stream$" % target_id,
                           after_bytes=after_bytes, delay=60, count=-1)
            app = s.launch(heal_util.emby_args(server) + ["--rows", "2", "--columns", "2",
                                                          "--renderer", "software"],
                           env=heal_util.emby_env({
                               "HYPERWALL_STALL_TIMEOUT": str(STALL_TIMEOUT_S),
                               "HYPERWALL_WATCHDOG_INTERVAL": str(WATCHDOG_MS),
                               "HYPERWALL_BACKOFF_INITIAL": str(BACKOFF_INITIAL_S),
                               "HYPERWALL_LOAD_TIMEOUT": "15",
                           }))
            w = heal_util.Watcher(app)

            def target_cell(status):
                return next((c for c in harness.cells(status)
                             if c.get("item_id") == target_id), None)

            status = w.wait(lambda st: (target_cell(st) or {}).get("state") == "playing",
                            45, "the cell with item %s playing its stalled stream" % target_id)
            index = target_cell(status)["index"]
            w.wait(lambda st: len(server.stall_starts()) >= 1, 5, "the stall-start log line")
            t_stall = server.stall_starts()[0]["time"]
            harness.note("item %s on cell %d: server went silent after %d bytes"
                         % (target_id, index, after_bytes))

            status = w.wait(lambda st: heal_util.cell(st, index)["state"] != "playing",
                            BUFFERED_S + STALL_TIMEOUT_S + 30,
                            "cell %d to leave playing after the stall" % index)
            t_detect = time.time()
            # Let the retry succeed: the first backoff is all the cell should need.
            server.control("none")
            detected_as = heal_util.cell(status, index)["state"]
            status = w.wait(lambda st: heal_util.cell(st, index)["state"] == "playing",
                            60, "cell %d playing again" % index)
            t_back = time.time()
            detection = t_detect - t_stall
            recovery = t_back - t_stall
            harness.note("cell %d: %s" % (index, w.describe(index)))
            harness.note("detection %.2f s (as %s), back to playing %.2f s after the stall"
                         % (detection, detected_as, recovery))

            detect_bound = BUFFERED_S + STALL_TIMEOUT_S + WATCHDOG_MS / 1000 + SLACK_S
            recover_bound = detect_bound + BACKOFF_INITIAL_S * 1.25
            harness.check(detection <= detect_bound,
                          "stall detected after %.2f s, bound %.2f s (buffered %.1f + "
                          "stall-timeout %d + watchdog %.1f + slack %.0f)\n%s"
                          % (detection, detect_bound, BUFFERED_S, STALL_TIMEOUT_S,
                             WATCHDOG_MS / 1000, SLACK_S, app.tail()))
            harness.check(detected_as in ("retrying", "loading"),
                          "after the stall cell %d went to %s, expected retrying"
                          % (index, detected_as))
            harness.check(recovery <= recover_bound,
                          "cell %d back to playing %.2f s after the stall, bound %.2f s"
                          % (index, recovery, recover_bound))
            # Replaced by the same item's direct stream, the first step of the chain.
            harness.check(heal_util.cell(status, index)["item_id"] == target_id,
                          "cell %d plays item %s after the retry, expected the retried %s"
                          % (index, heal_util.cell(status, index)["item_id"], target_id))
            kinds = [heal_util.video_request(r) for r in server.requests()
                     if r["time"] > t_stall and heal_util.video_request(r)
                     and heal_util.video_request(r)[0] == target_id]
            harness.note("requests for item %s since the stall: %s" % (target_id, kinds))
            harness.check((target_id, "master") not in kinds,
                          "the first retry after a stall went to the transcode: %s" % kinds)
            # The other cells never noticed.
            for c in harness.cells(status):
                harness.check(c["state"] != "parked", "cell %d parked\n%s"
                              % (c["index"], harness.summarize(status)))
            harness.check(status["server"]["state"] == "online",
                          "server state %s after a single stalled stream"
                          % status["server"]["state"])
        finally:
            server.stop()


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/heal/stall/mid-body", test_stall_mid_body),
    ])
