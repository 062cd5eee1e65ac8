#!/usr/bin/env python3
"""Per-cell sources (the `sources` key) against tests/fake-emby.py under
Xvfb: a cell on a playlist plays it in its order and loops while the others
play the wall's own feed; a playlist deleted on the server puts its card on
the cell without parking it, and it plays again once the playlist is back
and the server says its library changed; `set-source` over D-Bus moves one
cell to another source live, and two cells on one playlist never show the
same item at once; a PlayNow plays on such a cell and it goes back to its
source after; folder: plays on a demo wall, where a playlist is refused.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402

APP_ID = "org.example.Hyperwall"
# Items are 1001… in file order; the playlist's own order is not sorted.
LOBBY = ["1004", "1001", "1006", "1003", "1002"]
CLIP_SECONDS = 4


def start(s, sources):
    fake = fake_emby_server.FakeEmbyServer(
        s, emby.shared_media(n=6, seconds=CLIP_SECONDS),
        extra_args=["--playlist", "Lobby=" + ",".join(LOBBY)])
    app = emby.launch_wall(s, fake, env={"HYPERWALL_SOURCES": sources})
    return fake, app


def cell(status, index):
    cs = harness.cells(status)
    return cs[index] if index < len(cs) else {}


def wait_socket(fake):
    emby.wait_until(lambda: fake.ws_events("ws-open"), 30, "the session socket open")


def sequence_of(app, index, seconds):
    """The items cell @index showed over @seconds, each run once."""
    seen = []
    for status in emby.watch(app, seconds):
        item = cell(status, index).get("item_id")
        if cell(status, index).get("state") == "playing" and item and (not seen or seen[-1] != item):
            seen.append(item)
    return seen


def test_playlist_in_order():
    with harness.Session() as s:
        fake, app = start(s, "playlist:Lobby;bogus:entry")
        status = app.wait_for(harness.all_cells("playing", count=4), 60, "four cells playing")
        harness.check(cell(status, 0).get("source") == "playlist:Lobby",
                      "cell 0's source is %r" % cell(status, 0).get("source"))
        for i in (1, 2, 3):
            harness.check(cell(status, i).get("source") is None,
                          "cell %d's source is %r, not the wall's feed"
                          % (i, cell(status, i).get("source")))
        seen = sequence_of(app, 0, (len(LOBBY) + 1) * CLIP_SECONDS + 6)
        harness.note("cell 0 played %s" % seen)
        harness.check(len(seen) >= len(LOBBY) + 1, "cell 0 showed only %s" % seen)
        start_at = LOBBY.index(seen[0]) if seen[0] in LOBBY else -1
        harness.check(start_at >= 0, "cell 0 showed %s, not in the playlist %s" % (seen, LOBBY))
        expected = [LOBBY[(start_at + k) % len(LOBBY)] for k in range(len(seen))]
        harness.check(seen == expected, "cell 0 played %s, expected the playlist's order "
                      "looping: %s" % (seen, expected))
        requests = fake.requests()
        harness.check(any(r["path"].lower().endswith("/playlists/%s/items" % "3000")
                          for r in requests),
                      "no GET /Playlists/{Id}/Items\n%s" % emby.describe(requests))
        log = app.log()
        harness.check(log.count("Ignoring the source “bogus:entry”") == 1,
                      "the bad entry was not logged exactly once")
        harness.check(app.poll() is None, "the wall exited")
        emby.check_no_secrets(app, fake)


def test_playlist_gone_and_back():
    with harness.Session() as s:
        fake, app = start(s, "playlist:Lobby")
        app.wait_for(lambda st: cell(st, 0).get("state") == "playing"
                     and cell(st, 0).get("item_id") in LOBBY, 60, "cell 0 playing the playlist")
        wait_socket(fake)
        fake.control("playlist-delete", name="Lobby")
        fake.ws_send("LibraryChanged", {"ItemsRemoved": ["3000"]})
        status = app.wait_for(
            lambda st: "Playlist “Lobby” not found" in (cell(st, 0).get("reason") or ""),
            3 * CLIP_SECONDS + 20, "cell 0's card naming the missing playlist")
        # It waits with its card: never parked, no media failure counted.
        for snapshot in emby.watch(app, 8):
            c = cell(snapshot, 0)
            harness.check(c.get("state") != "parked", "cell 0 parked: %s" % c)
            harness.check(not c.get("item_id") or c.get("item_id") not in LOBBY
                          or c.get("state") != "playing",
                          "cell 0 plays a deleted playlist's item: %s" % c)
            others = [cell(snapshot, i).get("state") for i in (1, 2, 3)]
            harness.check(all(state in ("playing", "loading", "ended") for state in others),
                          "the rest of the wall stopped: %s" % others)
        harness.check(cell(status, 0).get("failures", 0) == 0,
                      "cell 0 counted media failures: %s" % cell(status, 0))
        fake.control("playlist-set", name="Lobby", items=["1002"])
        fake.ws_send("LibraryChanged", {"ItemsAdded": ["1002"]})
        app.wait_for(lambda st: cell(st, 0).get("state") == "playing"
                     and cell(st, 0).get("item_id") == "1002", 30,
                     "cell 0 playing the playlist again")
        harness.check(app.poll() is None, "the wall exited")


def test_set_source_over_dbus():
    if not shutil.which("gapplication"):
        harness.skip("gapplication is not installed (Debian package libglib2.0-bin)")
    with harness.Session() as s:
        fake, app = start(s, "playlist:Lobby")
        app.wait_for(harness.all_cells("playing", count=4), 60, "four cells playing")
        result = subprocess.run(["gapplication", "action", APP_ID, "set-source",
                                 "(2, 'playlist:Lobby')"],
                                env=s.environment(debug=False), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=30)
        harness.check(result.returncode == 0, "gapplication: %s"
                      % result.stderr.decode(errors="replace"))
        app.wait_for(lambda st: cell(st, 2).get("source") == "playlist:Lobby"
                     and cell(st, 2).get("state") == "playing"
                     and cell(st, 2).get("item_id") in LOBBY, 30,
                     "cell 2 playing the playlist")
        # One source, one pool: cells 0 and 2 never show the same item.
        deadline = time.monotonic() + 2 * CLIP_SECONDS + 2
        while time.monotonic() < deadline:
            st = app.status()
            a, b = cell(st, 0), cell(st, 2)
            if a.get("state") == "playing" and b.get("state") == "playing":
                harness.check(a.get("item_id") != b.get("item_id"),
                              "cells 0 and 2 both show %s" % a.get("item_id"))
            time.sleep(0.2)
        harness.check(cell(app.status(), 1).get("source") is None, "cell 1's source changed")
        harness.check("source set to “playlist:Lobby”" in app.log(),
                      "the wall did not log the new source")
        harness.check(app.poll() is None, "the wall exited")


def test_play_now_then_back():
    """PlayNow on a cell with a source plays the item, then the source."""
    with harness.Session() as s:
        fake, app = start(s, "playlist:Lobby")
        app.wait_for(lambda st: cell(st, 0).get("state") == "playing"
                     and cell(st, 0).get("item_id") in LOBBY, 60, "cell 0 playing the playlist")
        wait_socket(fake)
        wanted = "1005"
        fake.ws_send("Play", {"ItemIds": [wanted], "PlayCommand": "PlayNow"})
        app.wait_for(lambda st: cell(st, 0).get("item_id") == wanted
                     and cell(st, 0).get("state") == "playing", 30, "cell 0 playing item 1005")
        status = app.wait_for(lambda st: cell(st, 0).get("item_id") in LOBBY
                              and cell(st, 0).get("state") == "playing", CLIP_SECONDS + 20,
                              "cell 0 back on its playlist")
        harness.check(cell(status, 0).get("source") == "playlist:Lobby",
                      "cell 0's source is %r after PlayNow" % cell(status, 0).get("source"))


def test_folder_on_a_demo_wall():
    """folder: needs no server: a demo wall plays a folder on one cell."""
    media = emby.shared_media(n=6, seconds=CLIP_SECONDS)
    with harness.Session() as s:
        app = s.launch(["--demo", "--rows", "1", "--columns", "2", "--renderer", "software"],
                       env={"HYPERWALL_SOURCES": "folder:%s;playlist:Lobby" % media})
        status = app.wait_for(harness.all_cells("playing", count=2), 40, "two cells playing")
        c0, c1 = cell(status, 0), cell(status, 1)
        harness.check(c0.get("source") == "folder:" + media, "cell 0's source is %r" % c0)
        harness.check((c0.get("item_id") or "").startswith(media),
                      "cell 0 plays %r, not a file of the folder" % c0.get("item_id"))
        harness.check(c1.get("source") is None and not (c1.get("item_id") or "").startswith(media),
                      "cell 1 (a playlist without a server) does not play the demo: %r" % c1)
        harness.check("Ignoring the source “playlist:Lobby”" in app.log(),
                      "the playlist on a demo wall was not refused")


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/sources/playlist-in-order", test_playlist_in_order),
        ("/hyperwall/integration/sources/playlist-gone-and-back", test_playlist_gone_and_back),
        ("/hyperwall/integration/sources/set-source-over-dbus", test_set_source_over_dbus),
        ("/hyperwall/integration/sources/play-now-then-back", test_play_now_then_back),
        ("/hyperwall/integration/sources/folder-on-a-demo-wall", test_folder_on_a_demo_wall),
    ])
