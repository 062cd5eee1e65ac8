#!/usr/bin/env python3
"""Every wall a controllable Emby session: the session websocket against
tests/fake-emby.py under Xvfb.

Capabilities are posted once the socket is up; Play puts an item on the
focused cell (PlayNext queues one for its next turn); Playstate pauses,
resumes and moves it on; LibraryChanged reloads the pages; ForceKeepAlive
is answered; DisplayMessage
shows a banner (the status file's "banner") that goes away after its
timeout; garbage on the socket is ignored; the socket dropping and coming
back leaves playback alone; ServerRestarting closes the gate with no
failure counted; a server that refuses the upgrade leaves the wall playing
with one log line. The server's one session for the wall (GET /Sessions)
shows the focused cell's item, and its pause. SetRepeatMode RepeatOne makes
the focused cell play its item again when it ends, RepeatNone moves it on.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import json
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402

CAPABILITIES = re.compile(r"(?i)/sessions/capabilities/full$")
SOCKET = re.compile(r"(?i)/(embywebsocket|socket)$")
NO_SOCKET_LINE = "offers no session socket"


def start(s, fake, rows=2, columns=2):
    app = emby.launch_wall(s, fake, rows=rows, columns=columns)
    app.wait_for(emby.all_playing_distinct(rows * columns), 60, "every cell playing")
    return app


def wait_socket_open(fake, count=1, timeout=30):
    def opened():
        events = fake.ws_events("ws-open")
        return events if len(events) >= count else None
    return emby.wait_until(opened, timeout, "%d session socket connection(s)" % count)


def cell(status, index):
    return harness.cells(status)[index]


def wall_session(fake):
    """The wall's session as GET /Sessions shows it (an admin's view)."""
    request = urllib.request.Request(fake.url + "/emby/Sessions",
                                     headers={"Authorization": 'MediaBrowser Token="%s"'
                                                               % fake_emby_server.API_KEY})
    with urllib.request.urlopen(request, timeout=10) as answer:
        sessions = json.load(answer)
    walls = [x for x in sessions if x.get("Client") == "Hyperwall"]
    harness.check(len(walls) == 1, "one session per wall expected: %s" % sessions)
    return walls[0]


def shown_item(fake):
    return (wall_session(fake).get("NowPlayingItem") or {}).get("Id")


def wait_shows_cell(app, fake, index, what):
    """Waits until the session shows the item cell @index plays now."""
    return emby.wait_until(
        lambda: shown_item(fake) == cell(app.status(), index).get("item_id")
        and shown_item(fake) is not None, 20, what)


def test_capabilities_play_playstate_banner():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = start(s, fake)
        opened = wait_socket_open(fake)[0]
        key = "ApiKey=" if fake.dialect == "jellyfin" else "api_key="
        harness.check(key in opened["query"] and "deviceId=" in opened["query"],
                      "the socket URL lacks %s or deviceId: %s"
                      % (key, re.sub(r"(?i)(api_?key)=[^&]*", r"\1=…", opened["query"])))

        posts = emby.wait_until(
            lambda: [r for r in fake.requests() if CAPABILITIES.search(r["path"])], 20,
            "capabilities posted")
        harness.check(posts[0]["time"] >= opened["time"] - 0.5,
                      "capabilities were posted before the socket was up")
        body = json.loads(posts[0]["body"])
        harness.check(body.get("PlayableMediaTypes") == ["Video"]
                      and body.get("SupportsMediaControl") is True
                      and "DisplayMessage" in body.get("SupportedCommands", []),
                      "capabilities body: %s" % body)

        # Play: an item not on screen goes to the focused cell (0).
        status = app.status()
        shown = {c["item_id"] for c in harness.cells(status)}
        wanted = next(str(i) for i in range(1001, 1007) if str(i) not in shown)
        fake.ws_send("Play", {"ItemIds": [wanted], "PlayCommand": "PlayNow"})
        app.wait_for(lambda st: cell(st, 0).get("item_id") == wanted
                     and cell(st, 0).get("state") == "playing", 30,
                     "cell 0 playing item %s" % wanted)

        # Playstate on the focused cell.
        fake.ws_send("Playstate", {"Command": "Pause"})
        app.wait_for(lambda st: cell(st, 0).get("paused") is True, 10, "cell 0 paused")
        others = [c.get("paused") for c in harness.cells(app.status())[1:]]
        harness.check(not any(others), "Pause reached other cells: %s" % others)
        fake.ws_send("Playstate", {"Command": "Unpause"})
        app.wait_for(lambda st: cell(st, 0).get("paused") is False, 10, "cell 0 resumed")
        fake.ws_send("Playstate", {"Command": "NextTrack"})
        app.wait_for(lambda st: cell(st, 0).get("item_id") not in (None, wanted)
                     and cell(st, 0).get("state") == "playing", 30, "cell 0 moved on")

        # PlayNext queues ahead of the shuffle: the next item of cell 0 is it.
        shown = {c["item_id"] for c in harness.cells(app.status())}
        queued = next(str(i) for i in range(1001, 1007) if str(i) not in shown)
        fake.ws_send("Play", {"ItemIds": [queued], "PlayCommand": "PlayNext"})
        time.sleep(0.5)
        fake.ws_send("Playstate", {"Command": "NextTrack"})
        app.wait_for(lambda st: cell(st, 0).get("item_id") == queued
                     and cell(st, 0).get("state") == "playing", 30,
                     "cell 0 playing the queued item %s" % queued)

        # LibraryChanged: the next item request reloads the pages.
        pages = re.compile(r"(?i)/users/[^/]+/items$|/emby/items$")
        sent = time.time()
        fake.ws_send("LibraryChanged", {"ItemsAdded": ["1001"]})
        time.sleep(0.5)
        fake.ws_send("Playstate", {"Command": "NextTrack"})
        emby.wait_until(lambda: [r for r in fake.requests()
                                 if pages.search(r["path"]) and r["time"] >= sent], 20,
                        "items pages requested again after LibraryChanged")

        # ForceKeepAlive: answered with a KeepAlive at once.
        sent = time.time()
        fake.ws_send("ForceKeepAlive", 20)
        emby.wait_until(lambda: [e for e in fake.ws_events("ws-message")
                                 if e["time"] >= sent and "KeepAlive" in e.get("data", "")], 10,
                        "a KeepAlive after ForceKeepAlive")

        # A banner for three seconds.
        fake.ws_send("GeneralCommand", {"Name": "DisplayMessage", "Arguments": {
            "Header": "Fire drill", "Text": "Leave by the east stairs", "TimeoutMs": "3000"}})
        status = app.wait_for(lambda st: st.get("banner") is not None, 10, "a banner")
        harness.check(status["banner"] == {"header": "Fire drill",
                                           "text": "Leave by the east stairs"},
                      "banner: %s" % status["banner"])
        shown_at = time.monotonic()
        app.wait_for(lambda st: "banner" in st and st["banner"] is None, 15, "banner gone")
        harness.check(time.monotonic() - shown_at >= 2.0, "the banner went away too soon")

        # Garbage is ignored (logged, rate-limited); the wall plays on and
        # still obeys the next good message.
        before = len(fake.ws_events("ws-open"))
        fake.control("ws-garbage")
        fake.control("ws-garbage")
        fake.ws_send("Play", {"ItemIds": ["../../etc"]})
        wait_socket_open(fake, before)  # still (or again) connected
        emby.wait_until(lambda: len(fake.ws_events("ws-open")) >= before
                        and len(fake.ws_events("ws-open")) > len(fake.ws_events("ws-close")),
                        20, "a session socket open after the garbage")
        fake.ws_send("GeneralCommand", {"Name": "DisplayMessage",
                                        "Arguments": {"Text": "still here", "TimeoutMs": 2000}})
        app.wait_for(lambda st: (st.get("banner") or {}).get("text") == "still here", 10,
                     "a banner after the garbage")
        ignored = app.log().count("Session socket: ignored")
        harness.check(1 <= ignored <= 2, "bad messages logged %d times\n%s"
                      % (ignored, app.tail()))
        app.wait_for(harness.all_cells("playing", count=4), 20, "the wall still playing")
        emby.check_no_secrets(app, fake)
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


def test_session_shows_focused_cell():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = start(s, fake)
        # Every cell reported its start; the session ends on the focused cell (0).
        wait_shows_cell(app, fake, 0, "the session showing cell 0's item")
        starts = [r for r in fake.requests() if r["path"].lower().endswith("/sessions/playing")]
        harness.check(len(starts) >= 4, "a start report per cell expected, got %d" % len(starts))

        s.key(app, "Right")
        app.wait_for(lambda st: st.get("focused_cell") == 1, 10, "focus on cell 1")
        wait_shows_cell(app, fake, 1, "the session showing cell 1's item")
        state = wall_session(fake)["PlayState"]
        harness.check(state.get("IsPaused") is False, "cell 1 is not paused: %s" % state)
        harness.check(state.get("PlayMethod") in ("DirectPlay", "DirectStream"),
                      "a direct stream plays: %s" % state)

        fake.ws_send("Playstate", {"Command": "Pause"})
        app.wait_for(lambda st: cell(st, 1).get("paused") is True, 10, "cell 1 paused")
        emby.wait_until(lambda: wall_session(fake)["PlayState"].get("IsPaused") is True, 10,
                        "the session saying paused")
        harness.check(shown_item(fake) == cell(app.status(), 1).get("item_id"),
                      "the session left cell 1: %s" % wall_session(fake))
        ticks = wall_session(fake)["PlayState"].get("PositionTicks", 0)
        harness.check(ticks > 0, "a paused position of 0 ticks")
        # Other cells move on and report; the session stays on the paused cell.
        fake.ws_send("Playstate", {"Command": "Unpause"})
        emby.wait_until(lambda: wall_session(fake)["PlayState"].get("IsPaused") is False, 10,
                        "the session saying playing again")
        emby.check_no_secrets(app, fake)
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


REPEAT_CLIP_S = 4


def start_reports(fake, item_id, since):
    """The start reports of @item_id at or after @since, as sent."""
    reports = []
    for r in fake.requests():
        if r["path"].lower().endswith("/sessions/playing") and r["time"] >= since:
            body = json.loads(r["body"] or "{}")
            if str(body.get("ItemId")) == item_id:
                reports.append(body)
    return reports


def test_repeat_mode():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media(seconds=REPEAT_CLIP_S))
        app = start(s, fake, rows=1, columns=2)
        wait_socket_open(fake)
        posts = emby.wait_until(
            lambda: [r for r in fake.requests() if CAPABILITIES.search(r["path"])], 20,
            "capabilities posted")
        harness.check("SetRepeatMode" in json.loads(posts[-1]["body"])["SupportedCommands"],
                      "SetRepeatMode not in the capabilities: %s" % posts[-1]["body"])

        fake.ws_send("GeneralCommand", {"Name": "SetRepeatMode",
                                        "Arguments": {"RepeatMode": "RepeatOne"}})
        status = app.wait_for(lambda st: cell(st, 0).get("repeat") is True
                              and cell(st, 0).get("state") == "playing", 20,
                              "cell 0 repeating and playing")
        harness.check(cell(status, 1).get("repeat") is False,
                      "cell 1 repeats too: %s" % harness.summarize(status))
        item = cell(status, 0)["item_id"]
        since = time.time()
        emby.wait_until(lambda: wall_session(fake)["PlayState"].get("RepeatMode") == "RepeatOne",
                        15, "the session saying RepeatOne")

        # Two ends of a 4 s clip: the same item each time, in a new play
        # session; the other cell moves on meanwhile.
        others = set()
        for snapshot in emby.watch(app, 3 * REPEAT_CLIP_S):
            harness.check(cell(snapshot, 0).get("item_id") in (None, item),
                          "cell 0 left its repeating item %s: %s"
                          % (item, harness.summarize(snapshot)))
            others.add(cell(snapshot, 1).get("item_id"))
        starts = emby.wait_until(lambda: (lambda r: r if len(r) >= 2 else None)(
            start_reports(fake, item, since)), 10, "item %s started twice more" % item)
        sessions = {r.get("PlaySessionId") for r in starts}
        harness.check(len(sessions) == len(starts) and None not in sessions,
                      "a replay without a PlaySessionId of its own: %s" % starts)
        harness.check(all(r.get("RepeatMode") == "RepeatOne" for r in starts),
                      "start reports without RepeatOne: %s" % starts)
        harness.check(len(others - {None}) >= 2, "cell 1 did not move on: %s" % others)
        harness.check("cell 0: repeating" in app.log(), "no repeat log line\n%s" % app.tail())
        harness.check(cell(app.status(), 0).get("failures") == 0,
                      "a replay counted as a failure: %s" % harness.summarize(app.status()))

        fake.ws_send("GeneralCommand", {"Name": "SetRepeatMode",
                                        "Arguments": {"RepeatMode": "RepeatNone"}})
        app.wait_for(lambda st: cell(st, 0).get("repeat") is False, 10, "cell 0 not repeating")
        app.wait_for(lambda st: cell(st, 0).get("item_id") not in (None, item)
                     and cell(st, 0).get("state") == "playing", 3 * REPEAT_CLIP_S,
                     "cell 0 moving on")
        emby.wait_until(lambda: wall_session(fake)["PlayState"].get("RepeatMode")
                        == "RepeatNone", 15, "the session saying RepeatNone")
        emby.check_no_secrets(app, fake)
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


def test_drop_and_server_restarting():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = start(s, fake)
        wait_socket_open(fake)
        before = {c["index"]: c["item_id"] for c in harness.cells(app.status())}

        fake.control("ws-drop")
        emby.wait_until(lambda: fake.ws_events("ws-close"), 10, "the socket dropped")
        wait_socket_open(fake, 2, timeout=30)
        for status in emby.watch(app, 3):
            harness.check(all(c.get("state") == "playing" for c in harness.cells(status)),
                          "a cell stopped when the socket dropped: %s"
                          % harness.summarize(status))
        after = {c["index"]: c["item_id"] for c in harness.cells(app.status())}
        changed = [i for i in before if before[i] != after[i]]
        # Items end on their own (20 s clips): allow one natural change.
        harness.check(len(changed) <= 1, "the drop replaced items: %s -> %s" % (before, after))

        # ServerRestarting: the gate closes at once (held closed by a failing
        # probe), with no failure counted, and opens again.
        failures = sum(c.get("failures", 0) for c in harness.cells(app.status()))
        fake.control("status", match=r"(?i)/system/info/public$", status=503)
        fake.ws_send("ServerRestarting")
        app.wait_for(emby.server_state("offline"), 10, "the gate closed")
        harness.check("The server says it is restarting" in app.log(),
                      "no log line for ServerRestarting\n%s" % app.tail())
        emby.watch(app, 3)
        status = app.status()
        harness.check(sum(c.get("failures", 0) for c in harness.cells(status)) == failures,
                      "failures counted while the server restarted: %s"
                      % harness.summarize(status))
        fake.control("none")
        app.wait_for(emby.server_state("online"), 30, "the gate open again")
        app.wait_for(harness.all_cells("playing", count=4), 30, "the wall playing")
        emby.check_no_secrets(app, fake)
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


def test_refused_upgrade():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        fake.control("ws-refuse")
        app = start(s, fake)
        emby.wait_until(lambda: NO_SOCKET_LINE in app.log(), 20, "the no-socket log line")
        emby.watch(app, 8)
        app.wait_for(harness.all_cells("playing", count=4), 10, "the wall playing")
        harness.check(app.log().count(NO_SOCKET_LINE) == 1,
                      "the refusal was logged %d times" % app.log().count(NO_SOCKET_LINE))
        attempts = [r for r in fake.requests() if SOCKET.search(r["path"])]
        harness.check(len(attempts) == 1,
                      "%d upgrade attempts in ~10 s: it should back off to a long interval"
                      % len(attempts))
        harness.check(not fake.ws_events("ws-open"), "a socket opened although refused")
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/fleet/capabilities-play-playstate-banner",
         test_capabilities_play_playstate_banner),
        ("/hyperwall/integration/fleet/session-shows-focused-cell",
         test_session_shows_focused_cell),
        ("/hyperwall/integration/fleet/repeat-mode", test_repeat_mode),
        ("/hyperwall/integration/fleet/drop-and-server-restarting",
         test_drop_and_server_restarting),
        ("/hyperwall/integration/fleet/refused-upgrade", test_refused_upgrade),
    ])
