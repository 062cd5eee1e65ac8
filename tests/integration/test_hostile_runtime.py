#!/usr/bin/env python3
"""A wall left alone for months meets floods: the server's session socket
queues fifty items that do not exist, sends thousands of commands, and a
clip is damaged so mpv complains about every frame. The wall keeps playing
what it can, and its log stays readable: a bounded number of lines, with
summaries instead of repeats.

Logs are read without G_MESSAGES_DEBUG, as on a wall: what an operator's
journal gets.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402


def log_lines(app):
    return [line for line in app.log().splitlines() if line.strip()]


def tally(lines, limit=30):
    """The most frequent kinds of @lines (digits blurred), for failures."""
    counts = {}
    for line in lines:
        kind = re.sub(r"[0-9]+", "N", line.split(": ", 2)[-1])
        counts[kind] = counts.get(kind, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:limit]
    return "\n".join("%5d %s" % (n, kind) for kind, n in top)


def wait_socket_open(fake, timeout=30):
    return emby.wait_until(lambda: fake.ws_events("ws-open"), timeout, "the session socket")


def launch_quiet(s, fake, rows=2, columns=2):
    env = dict(emby.FAST_ENV)
    args = ["--server", fake.url, "--username", emby.USERNAME,
            "--rows", str(rows), "--columns", str(columns), "--renderer", "software"]
    return s.launch(args, env=env, debug=False)


def test_queue_of_missing_items():
    """50 PlayNext of made-up ids among a few real ones: the real ones
    play, the made-up ones are dropped at the server's 404 (a bounded
    number of lines), and no cell is left retrying."""
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media(n=8, seconds=8))
        app = launch_quiet(s, fake)
        app.wait_for(emby.all_playing_distinct(4), 60, "every cell playing")
        wait_socket_open(fake)
        time.sleep(1)
        before = len(log_lines(app))

        shown = {c.get("item_id") for c in harness.cells(app.status())}
        real = [str(i) for i in range(1001, 1009) if str(i) not in shown][:3]
        harness.check(len(real) == 3, "not enough items off screen: %s" % shown)
        for i in range(50):
            fake.ws_send("Play", {"ItemIds": ["ghost-%04d" % i], "PlayCommand": "PlayNext"})
            if i in (10, 25, 40):
                fake.ws_send("Play", {"ItemIds": [real[(i - 10) // 15]],
                                      "PlayCommand": "PlayLast"})
        # The same made-up ids again: known to be missing, or queued once.
        for i in range(10):
            fake.ws_send("Play", {"ItemIds": ["ghost-%04d" % i], "PlayCommand": "PlayNext"})
        sent = time.monotonic()
        for _ in range(4):
            fake.ws_send("Playstate", {"Command": "NextTrack"})
            time.sleep(0.3)

        # Every real one plays within a bound (clips are 8 s: cells move on).
        seen = set()
        retrying_since = {}
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and not set(real) <= seen:
            status = app.status()
            for c in harness.cells(status):
                seen.add(c.get("item_id"))
                harness.check("ghost-" not in (c.get("reason") or ""),
                              "cell %s blames a made-up id: %s"
                              % (c.get("index"), harness.summarize(status)))
                if c.get("state") == "retrying":
                    retrying_since.setdefault(c.get("index"), time.monotonic())
                else:
                    retrying_since.pop(c.get("index"), None)
            stuck = [i for i, t in retrying_since.items() if time.monotonic() - t > 10]
            harness.check(not stuck, "cells %s retrying for over 10 s: %s\n%s"
                          % (stuck, harness.summarize(status), app.tail()))
            time.sleep(0.2)
        harness.check(set(real) <= seen, "queued real items %s never played (seen %s)\n%s"
                      % (real, sorted(x for x in seen if x), app.tail()))
        app.wait_for(harness.all_cells("playing", count=4), 20, "every cell playing again")
        harness.check(time.monotonic() - sent < 70, "took too long")
        for status in emby.watch(app, 4):
            retrying = [c.get("index") for c in harness.cells(status)
                        if c.get("state") == "retrying"]
            harness.check(not retrying, "cells %s retrying after the queue drained: %s"
                          % (retrying, harness.summarize(status)))

        infos = [r for r in fake.requests() if "ghost-" in r["path"]]
        asked = {r["path"].split("/")[-2] for r in infos if "playbackinfo" in r["path"].lower()}
        per_id = len(infos) / max(1, len(asked))
        harness.check(per_id <= 1.5, "made-up ids asked for %.1f times each (%d requests)"
                      % (per_id, len(infos)))
        lines = log_lines(app)[before:]
        ghost_lines = [line for line in lines if "ghost-" in line]
        harness.note("%d lines after the queue, %d about made-up ids, %d PlaybackInfo "
                     "requests for them" % (len(lines), len(ghost_lines), len(infos)))
        harness.check(len(ghost_lines) <= 12, "%d lines about made-up ids:\n%s"
                      % (len(ghost_lines), "\n".join(ghost_lines[:60])))
        harness.check(len(lines) <= 80, "%d log lines for the queue:\n%s"
                      % (len(lines), tally(lines)))
        emby.check_no_secrets(app, fake)
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


FLOOD = 2000


def test_command_flood():
    """2,000 Playstate and GeneralCommand messages in a burst: a bounded
    number of log lines, and the wall obeys a command right after."""
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media(n=8, seconds=20))
        app = launch_quiet(s, fake)
        app.wait_for(emby.all_playing_distinct(4), 60, "every cell playing")
        wait_socket_open(fake)
        time.sleep(1)
        before = len(log_lines(app))

        kinds = [
            ("Playstate", {"Command": "PlayPause"}),
            ("GeneralCommand", {"Name": "DisplayMessage",
                                "Arguments": {"Text": "flood", "TimeoutMs": "1000"}}),
            ("GeneralCommand", {"Name": "SetRepeatMode",
                                "Arguments": {"RepeatMode": "RepeatNone"}}),
            ("GeneralCommand", {"Name": "SetRepeatMode",
                                "Arguments": {"RepeatMode": "RepeatOne"}}),
            ("Playstate", {"Command": "PreviousTrack"}),
            ("GeneralCommand", {"Name": "SetVolume", "Arguments": {"Volume": "40"}}),
            ("LibraryChanged", {"ItemsAdded": ["1001"]}),
            ("Play", {"ItemIds": ["1001"], "PlayCommand": "PlayLast"}),
        ]
        per_kind = FLOOD // len(kinds)
        for message_type, data in kinds:
            fake.control("ws-send", message={"MessageType": message_type, "Data": data},
                         count=per_kind)
        # An even number of PlayPause: cell 0 ends as it was (playing).
        flooded = time.monotonic()
        fake.ws_send("GeneralCommand", {"Name": "DisplayMessage",
                                        "Arguments": {"Text": "after the flood",
                                                      "TimeoutMs": "5000"}})
        app.wait_for(lambda st: (st.get("banner") or {}).get("text") == "after the flood",
                     30, "the banner sent after the flood")
        harness.note("the wall answered %.1f s after the flood" % (time.monotonic() - flooded))
        fake.ws_send("GeneralCommand", {"Name": "SetRepeatMode",
                                        "Arguments": {"RepeatMode": "RepeatNone"}})
        app.wait_for(harness.all_cells("playing", count=4), 30, "the wall playing")
        emby.watch(app, 3)
        lines = log_lines(app)[before:]
        harness.check(len(lines) <= 100, "%d log lines for %d commands:\n%s"
                      % (len(lines), FLOOD, tally(lines)))
        # Held back, and told in full when the minute is over.
        summary = re.compile(r"Remote control: Playstate PlayPause: (\d+) more in the last minute")
        match = emby.wait_until(lambda: summary.search(app.log()), 75,
                                "the summary of the PlayPause flood")
        harness.check(int(match.group(1)) + 5 == per_kind,
                      "%s: %d commands sent" % (match.group(0), per_kind))
        lines = log_lines(app)[before:]
        harness.check(len(lines) <= 100, "%d log lines for %d commands:\n%s"
                      % (len(lines), FLOOD, tally(lines)))
        emby.check_no_secrets(app, fake)
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


def damage(path):
    """Overwrites stretches of the clip's middle with garbage: the
    container still opens, the decoder errs on frame after frame."""
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        for offset in range(size // 8, size - 4096, 4096):
            f.seek(offset)
            f.write(bytes((offset * 7 + k * 13) & 0xff for k in range(1024)))


def test_corrupt_clip():
    """A 2x2 local wall whose one clip is damaged: mpv's errors about it
    are limited per cell and module, with a summary line."""
    with harness.Session() as s:
        clips = s.path("clips")
        paths = harness.generate_clips(clips, 1, seconds=30)
        damage(paths[0])
        app = s.launch(["--local", clips, "--rows", "2", "--columns", "2",
                        "--renderer", "software"], env={"HYPERWALL_STALL_TIMEOUT": "20"},
                       debug=False)
        app.wait_for(lambda st: any(c.get("state") == "playing" for c in harness.cells(st)),
                     30, "the damaged clip playing")
        emby.watch(app, 30)
        lines = log_lines(app)
        mpv_lines = [line for line in lines if ": mpv " in line]
        harness.note("%d lines, %d from mpv in 30 s" % (len(lines), len(mpv_lines)))
        harness.check(any(": mpv " in line for line in lines),
                      "the damaged clip gave no mpv error at all (is it damaged?)\n%s"
                      % app.tail())
        harness.check(len(mpv_lines) <= 60, "%d mpv lines in 30 s:\n%s"
                      % (len(mpv_lines), tally(mpv_lines)))
        harness.check(len(lines) <= 150, "%d lines in 30 s" % len(lines))
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/hostile/queue-of-missing-items", test_queue_of_missing_items),
        ("/hyperwall/integration/hostile/command-flood", test_command_flood),
        ("/hyperwall/integration/hostile/corrupt-clip", test_corrupt_clip),
    ])
