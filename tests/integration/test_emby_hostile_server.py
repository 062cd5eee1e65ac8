#!/usr/bin/env python3
"""Whatever answers at the server address must not bring the wall down:
replies nested deeper than a recursive parser's stack (on the probe before
any sign-in, and on an items listing), session-socket messages that use
json-glib's comment and single-quote dialect to hide their nesting, and a
socket message of continuation frames that never ends. Real hyperwall under
Xvfb against tests/fake-emby.py.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402

NESTED_BYTES = 300 * 1024
PROBE_PATH = r"(?i)/system/info/public$"
ITEMS_PATH = r"(?i)/users/[^/]+/items$"
UNUSABLE = "not usable JSON"


def alive(app):
    harness.check(app.poll() is None, "hyperwall died (exit %s)\n%s" % (app.poll(), app.tail()))


def vm_kib(pid, field):
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise harness.HarnessError("no %s in /proc/%d/status" % (field, pid))


def socket_open(fake):
    return len(fake.ws_events("ws-open")) > len(fake.ws_events("ws-close"))


def test_probe_deeply_nested():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        # Every probe, before any sign-in, answers 300 KB of "[".
        fake.control("nested-json", match=PROBE_PATH, size=NESTED_BYTES)
        app = emby.launch_wall(s, fake)
        status = app.wait_for(
            lambda x: len(harness.cells(x)) == 4 and all(
                UNUSABLE in (c.get("reason") or "") for c in harness.cells(x)),
            30, "every card naming the unusable reply")
        harness.note("card reason: %s" % harness.cells(status)[0].get("reason"))
        emby.wait_until(lambda: len([r for r in fake.requests()
                                     if re.search(PROBE_PATH, r["path"])]) >= 3,
                        30, "three probes answered with nested JSON")
        alive(app)
        lines = [line for line in app.log().splitlines() if UNUSABLE in line]
        harness.check(len(lines) == 1, "%d log lines about the unusable reply (want one)\n%s"
                      % (len(lines), "\n".join(lines[:5])))
        harness.check("System/Info/Public" in lines[0] and "nested" in lines[0],
                      "the log line does not say which reply or what is wrong: %s" % lines[0])

        # The address answers like Emby again: the wall signs in and plays.
        fake.control("none")
        app.wait_for(emby.all_playing_distinct(4), 60, "four cells playing after the fault")
        emby.check_no_secrets(app, fake)
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


def test_items_deeply_nested():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        fake.control("nested-json", match=ITEMS_PATH, size=NESTED_BYTES,
                     prefix='{"Items":')
        app = emby.launch_wall(s, fake)
        emby.wait_until(lambda: len([r for r in fake.requests()
                                     if re.search(ITEMS_PATH, r["path"])]) >= 2,
                        40, "two items listings answered with nested JSON")
        status = app.wait_for(
            lambda x: len(harness.cells(x)) == 4 and all(
                UNUSABLE in (c.get("reason") or "") for c in harness.cells(x)),
            30, "every card naming the unusable reply")
        harness.note("card reason: %s" % harness.cells(status)[0].get("reason"))
        alive(app)
        log = app.log().splitlines()
        lines = [line for line in log if UNUSABLE in line and "WARNING" in line]
        harness.note("%d lines of cells waiting for items" %
                     len([line for line in log if UNUSABLE in line and "cell " in line]))
        # Every listing and its retries fail the same way: one line says so.
        harness.check(len(lines) == 1, "%d log lines about the unusable reply (want one)\n%s"
                      % (len(lines), "\n".join(lines[:5])))
        harness.check("Items" in lines[0] and "nested" in lines[0],
                      "the log line does not say which reply or what is wrong: %s" % lines[0])

        fake.control("none")
        app.wait_for(emby.all_playing_distinct(4), 60, "four cells playing after the fault")
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


def start_playing(s, fake):
    app = emby.launch_wall(s, fake)
    app.wait_for(emby.all_playing_distinct(4), 45, "four cells playing")
    emby.wait_until(lambda: socket_open(fake), 20, "the session socket open")
    return app


def test_socket_dialect_tricks():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = start_playing(s, fake)
        opened = len(fake.ws_events("ws-open"))
        # Each hides its nesting from a count that knows only JSON; all
        # stay inside the 256 KiB a socket message may have.
        for prefix in ('{"MessageType":"Play","x":\'"\',"Data":',
                       "/*" + "]" * 64 + '*/{"MessageType":"Play","Data":',
                       "//" + "]" * 64 + '\n{"MessageType":"Play","Data":'):
            fake.control("ws-send", raw=prefix + "[" * (200 * 1024))
        time.sleep(2)
        alive(app)
        fake.ws_send("GeneralCommand", {"Name": "DisplayMessage",
                                        "Arguments": {"Text": "still here", "TimeoutMs": 2000}})
        app.wait_for(lambda st: (st.get("banner") or {}).get("text") == "still here", 10,
                     "a banner after the tricks")
        harness.check(len(fake.ws_events("ws-open")) == opened and socket_open(fake),
                      "the socket was dropped over messages it only had to ignore")
        harness.check("Session socket: ignored" in app.log(),
                      "the refused messages were not logged\n%s" % app.tail())
        app.wait_for(harness.all_cells("playing", count=4), 20, "the wall still playing")
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


def test_socket_endless_message():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = start_playing(s, fake)
        time.sleep(2)
        rss_before = vm_kib(app.pid, "VmRSS")
        opened = len(fake.ws_events("ws-open"))
        closed = len(fake.ws_events("ws-close"))
        # As fast as the socket takes it.
        fake.control("ws-endless", chunk=65536, rate=0)
        rss = [rss_before]

        def dropped():
            rss.append(vm_kib(app.pid, "VmRSS"))
            return len(fake.ws_events("ws-close")) > closed

        try:
            emby.wait_until(dropped, 20, "the wall dropping the socket of the endless message")
        finally:
            harness.note("RSS during the flood: %d to %d KiB" % (rss[0], max(rss)))
        dropped_at = time.monotonic()
        # Peak RSS since start: if the flood had ever taken the wall past
        # the bound, the high-water mark says so.
        peak = vm_kib(app.pid, "VmHWM")
        ends = fake.ws_events("ws-endless-end")
        sent = ends[-1]["bytes"] if ends else None
        harness.note("RSS before %d KiB, peak %d KiB, the server sent %s bytes"
                     % (rss_before, peak, sent))
        harness.check(peak - rss_before < 64 * 1024,
                      "RSS rose from %d KiB to a peak of %d KiB during the flood"
                      % (rss_before, peak))
        emby.wait_until(lambda: len(fake.ws_events("ws-open")) > opened and socket_open(fake),
                        30, "the session socket connected again")
        harness.note("reconnected %.1f s after the drop" % (time.monotonic() - dropped_at))
        lines = [line for line in app.log().splitlines()
                 if "without completing a message" in line or "larger than configured" in line]
        harness.check(len(lines) == 1, "%d log lines about the dropped socket (want one)\n%s"
                      % (len(lines), app.tail()))
        for status in emby.watch(app, 3):
            harness.check(harness.all_cells("playing", count=4)(status),
                          "a cell stopped over the flood\n%s" % harness.summarize(status))
        # And the new socket works.
        fake.ws_send("GeneralCommand", {"Name": "DisplayMessage",
                                        "Arguments": {"Text": "back", "TimeoutMs": 2000}})
        app.wait_for(lambda st: (st.get("banner") or {}).get("text") == "back", 10,
                     "a banner on the new socket")
        emby.check_no_secrets(app, fake)
        harness.check(app.stop() == 0, "unclean exit\n%s" % app.tail())


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/emby/hostile/probe-deeply-nested", test_probe_deeply_nested),
        ("/hyperwall/integration/emby/hostile/items-deeply-nested", test_items_deeply_nested),
        ("/hyperwall/integration/emby/hostile/socket-dialect-tricks", test_socket_dialect_tricks),
        ("/hyperwall/integration/emby/hostile/socket-endless-message",
         test_socket_endless_message),
    ])
