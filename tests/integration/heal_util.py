#!/usr/bin/env python3
"""Helpers for the self-healing integration tests (test_heal_*.py).

- FakeEmby: tests/fake-emby.py on 127.0.0.1; its request log also holds
  {"event": "stall-start", "time": ..., "path": ...} lines, written when a
  stall-body fault goes silent.
- Watcher: polls the app's status file every 50 ms and keeps, per cell, the
  time of every state change (our own clock), so a test can ask "when did
  cell 2 leave playing".

The request log holds tokens: tests read it but never print whole lines.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_EMBY = os.path.join(os.path.dirname(HERE), "fake-emby.py")
# Distinctive, so finding it in a log means a leak, not the word "secret".
PASSWORD = "heal-pw-7d1e93c4"


import harness  # noqa: E402


class FakeEmby:
    """The fake Emby server on 127.0.0.1; stopped by its own PID."""

    def __init__(self, session, media, extra_args=()):
        self.log_path = session.path("requests-%d.log" % id(self))
        open(self.log_path, "w").close()
        self._stderr = open(session.path("fake-emby-%d.stderr" % id(self)), "wb")
        self.popen = subprocess.Popen(
            [sys.executable, FAKE_EMBY,
             "--media", media, "--log", self.log_path, "--password", PASSWORD]
            + list(extra_args),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr)
        line = self.popen.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "PORT":
            self.stop()
            raise harness.HarnessError("the fake Emby server did not start")
        self.port = int(line[1])

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def control(self, spec):
        """Arms a fault (see tests/fake-emby.py, control())."""
        request = urllib.request.Request(
            self.url + "/__control", data=json.dumps(spec).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())

    def entries(self):
        """Every complete log line, parsed, in the order written."""
        with open(self.log_path, "rb") as f:
            data = f.read()
        out = []
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                continue    # a line being written right now
        return out

    def requests(self):
        """Finished requests (not control calls), each reduced to the fields
        tests may print: time, method, path, status."""
        return [{"time": e["time"], "method": e.get("method"), "path": e.get("path", ""),
                 "status": e.get("status")}
                for e in self.entries()
                if "event" not in e and e.get("path") != "/__control"]

    def secrets(self):
        """The password and every token clients sent, to check logs against."""
        found = {PASSWORD}
        for e in self.entries():
            if e.get("token"):
                found.add(e["token"])
            match = re.search(r'Token="([^"]+)"', e.get("authorization") or "")
            if match:
                found.add(match.group(1))
            match = re.search(r"api_key=([^&]+)", e.get("query") or "")
            if match:
                found.add(match.group(1))
        return sorted(found)

    def stall_starts(self):
        return [e for e in self.entries() if e.get("event") == "stall-start"]

    def stop(self):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.popen.stdout.close()
        self._stderr.close()


def emby_args(server):
    return ["--server", server.url, "--username", "wall"]


def emby_env(extra=None):
    env = {"HYPERWALL_PASSWORD": PASSWORD}
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
