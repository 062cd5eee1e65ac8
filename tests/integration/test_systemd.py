#!/usr/bin/env python3
"""Under systemd with a watchdog, the main loop sends READY=1 and then
WATCHDOG=1 at half the period over NOTIFY_SOCKET (sd_notify's datagram
protocol); SIGTERM still exits 0 and says STOPPING=1.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

WATCHDOG_USEC = 1000000


def receive_all(sock, until):
    messages = []
    while time.monotonic() < until:
        sock.settimeout(max(0.05, until - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        messages.append((time.monotonic(), data.decode("utf-8", "replace")))
    return messages


def test_watchdog_pings():
    with harness.Session() as s:
        path = s.path("notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        try:
            app = s.launch(["--demo", "--rows", "1", "--columns", "1"],
                           env={"NOTIFY_SOCKET": path,
                                "WATCHDOG_USEC": str(WATCHDOG_USEC)})
            messages = receive_all(sock, time.monotonic() + 20)
            ready = [t for t, m in messages if "READY=1" in m]
            harness.check(ready, "no READY=1 in %r\n%s" % (messages, app.tail()))
            pings = [t for t, m in messages if "WATCHDOG=1" in m and t >= ready[0]]
            # 20 s at one ping per 0.5 s: far more than 10 even on a slow box,
            # and none if the main loop never sends them.
            harness.check(len(pings) >= 10, "only %d WATCHDOG=1 pings" % len(pings))
            gaps = [b - a for a, b in zip(pings, pings[1:])]
            harness.note("pings: %d, largest gap %.2f s" % (len(pings), max(gaps)))
            harness.check(max(gaps) < WATCHDOG_USEC / 1e6,
                          "a gap of %.2f s between pings: the service manager "
                          "would have killed the wall" % max(gaps))
            rc = app.stop()
            harness.check(rc == 0, "SIGTERM gave exit status %s" % rc)
            tail = receive_all(sock, time.monotonic() + 1)
            harness.check(any("STOPPING=1" in m for _, m in tail),
                          "no STOPPING=1 after SIGTERM: %r" % tail)
        finally:
            sock.close()


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/systemd/watchdog", test_watchdog_pings),
    ])
