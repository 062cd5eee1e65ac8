#!/usr/bin/env python3
"""Helpers for the self-healing integration tests (test_heal_*.py) and
benchmarks/soak.py.

- emby_args, emby_env, video_request, is_item_request: a wall against the
  fake Emby server (fake_emby_server.FakeEmbyServer) and its request log.
- Watcher: polls the app's status file every 50 ms and keeps, per cell, the
  time of every state change (our own clock), so a test can ask "when did
  cell 2 leave playing".

The request log holds tokens: tests read it but never print whole lines.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402

PASSWORD = fake_emby_server.PASSWORD


def emby_args(server):
    return ["--server", server.url, "--username", fake_emby_server.USERNAME]


def emby_env(extra=None):
    # No offline cache unless a test asks for one (test_offline.py): its
    # downloads would blur request counts, and copies would play where a
    # test expects cells waiting for the server.
    env = {"HYPERWALL_PASSWORD": PASSWORD, "HYPERWALL_OFFLINE_CACHE_MB": "0"}
    env.update(extra or {})
    return env


VIDEO_PATH = re.compile(r"/videos/([^/]+)/(stream|master\.m3u8|hls/)", re.IGNORECASE)


def video_request(entry):
    """(item id, "stream" | "master" | "hls") for a video request, else None."""
    match = VIDEO_PATH.search(entry.get("path", ""))
    if not match:
        return None
    kind = match.group(2).lower()
    kind = "master" if kind.startswith("master") else kind.rstrip("/")
    return match.group(1), kind


def is_item_request(entry):
    """A request a cell makes for an item: a stream, HLS or PlaybackInfo."""
    path = entry.get("path", "").lower()
    return video_request(entry) is not None or path.endswith("/playbackinfo")


# ---------------------------------------------------------------------------
# Watching the status file

class Watcher:
    """Polls @app's status file; records every cell's state changes with
    our own time.time()."""

    def __init__(self, app, interval=0.05):
        self.app = app
        self.interval = interval
        self.history = {}       # index -> [(time, state, item_id, reason)]
        self.server_states = []  # [(time, state)]
        self.last = None
        self.snapshots = 0

    def poll(self):
        status = self.app.status()
        if status is None:
            return None
        now = time.time()
        self.last = status
        self.snapshots += 1
        server = (status.get("server") or {}).get("state")
        if not self.server_states or self.server_states[-1][1] != server:
            self.server_states.append((now, server))
        for c in harness.cells(status):
            h = self.history.setdefault(c.get("index"), [])
            key = (c.get("state"), c.get("item_id"))
            if not h or (h[-1][1], h[-1][2]) != key:
                h.append((now, c.get("state"), c.get("item_id"), c.get("reason")))
        return status

    def wait(self, predicate, timeout, what):
        """Polls until @predicate(status) holds; returns that status. Fails
        the test on timeout or if the app exits."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.poll()
            if status is not None and predicate(status):
                return status
            rc = self.app.poll()
            if rc is not None:
                raise harness.TestFailure("hyperwall exited with %d while waiting for %s\n%s\n%s"
                                          % (rc, what, harness.summarize(status),
                                             self.app.tail()))
            if time.monotonic() >= deadline:
                raise harness.TestFailure("timed out after %g s waiting for %s\n%s\n%s"
                                          % (timeout, what, harness.summarize(self.last),
                                             self.app.tail()))
            time.sleep(self.interval)

    def watch(self, seconds, check=None):
        """Polls for @seconds; @check(status) may raise to fail early."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status = self.poll()
            if status is not None and check is not None:
                check(status)
            if self.app.poll() is not None:
                raise harness.TestFailure("hyperwall exited with %s\n%s"
                                          % (self.app.poll(), self.app.tail()))
            time.sleep(self.interval)

    def states_seen(self, index):
        return [s for _t, s, _i, _r in self.history.get(index, [])]

    def describe(self, index):
        base = self.history.get(index, [(0,)])[0][0]
        return " → ".join("%s(%s)@%.1f" % (s, i, t - base)
                          for t, s, i, _r in self.history.get(index, []))


def cell(status, index):
    for c in harness.cells(status):
        if c.get("index") == index:
            return c
    return None
