#!/usr/bin/env python3
"""soak: the self-healing acceptance run, measured. A 3x3 wall plays from the fake
Emby server for --minutes while faults are injected at random, and every
status snapshot (polled every 100 ms) is checked against the healing rules.

Faults (random, bounded, spaced; each cleared after a while):
  stall-body    one item's direct stream sends some bytes, then goes silent
  status-500    one item's direct stream answers 500 (the transcode works)
  unplayable    one item's direct and transcoded streams answer 500
  404           one item's PlaybackInfo or stream answers 404 (skip it)
  slow-headers  one item's stream answers only after a few seconds
  refuse        the whole server refuses connections for 5-15 s
  revoke-token  every access token is revoked, once per run
  slow-reports  playback reports and transcode deletes answer only after
                twice request-timeout, for a minute, once per run (reports
                are best effort: the gate must stay open, no cell may leave
                `playing` for it)

Checked continuously (the bounds are derived from the settings and printed):
  - no cell stays in a state outside `playing` longer than that state allows
    (loading, retrying, parked [with a reason, at most the cooldown],
    waiting [the outage plus the probe backoff], idle, ended), no stretch
    outside `playing` outlasts the whole escalation chain plus a park, and
    no `playing` cell's position stands still past the stall detection;
  - sum over cells of demuxer_max_bytes + demuxer_max_back_bytes never
    exceeds grid.cache_budget_bytes;
  - every retry, park and skip appears in the app's log as one line naming
    the cell and the reason (compared with the app's own state transitions
    and with what the status file showed);
  - the password and every token the server issued never appear in the
    app's output or in the status file.
Prints a summary and exits 1 on any violation (2 when the run itself broke).

Usage: benchmarks/soak.py [--minutes 10] [--seed N] [--bin PATH]

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import json
import os
import random
import re
import sys
import time
import urllib.error

import benchlib
from benchlib import harness

import fake_emby_server  # tests/integration, put on sys.path by benchlib
import heal_util

JITTER = 1.25            # docs/reliability.md, rule 2: delays carry +-25 % jitter
STAGGER_S = 0.3          # rule 5: cells restart >= 300 ms apart
STATUS_LAG_S = 1.0       # the status file is written at least once a second
OUTSIDE = ("idle", "loading", "ended", "retrying", "parked", "waiting",
           "sign-in-required", "paused")


# ---------------------------------------------------------------------------
# Settings and the bounds they imply

class Settings:
    def __init__(self, args):
        self.rows, self.columns = args.rows, args.columns
        self.cells = args.rows * args.columns
        self.stall_timeout = 6
        self.watchdog = 0.5
        self.load_timeout = 10
        self.backoff_initial = 1
        self.backoff_max = 8
        self.backoff_reset = 10
        self.threshold = 5
        self.window = 60
        self.cooldown = 20
        self.request_timeout = 5
        self.cache_budget_mb = args.cache_budget_mb
        self.cache_per_cell_mb = args.cache_per_cell_mb
        self.slack = args.slack

    def env(self):
        return heal_util.emby_env({
            "HYPERWALL_STALL_TIMEOUT": str(self.stall_timeout),
            "HYPERWALL_WATCHDOG_INTERVAL": str(int(self.watchdog * 1000)),
            "HYPERWALL_LOAD_TIMEOUT": str(self.load_timeout),
            "HYPERWALL_BACKOFF_INITIAL": str(self.backoff_initial),
            "HYPERWALL_BACKOFF_MAX": str(self.backoff_max),
            "HYPERWALL_BACKOFF_RESET": str(self.backoff_reset),
            "HYPERWALL_CRASH_LOOP_THRESHOLD": str(self.threshold),
            "HYPERWALL_CRASH_LOOP_WINDOW": str(self.window),
            "HYPERWALL_CRASH_LOOP_COOLDOWN": str(self.cooldown),
            "HYPERWALL_REQUEST_TIMEOUT": str(self.request_timeout),
            "HYPERWALL_CACHE_BUDGET_MB": str(self.cache_budget_mb),
            "HYPERWALL_CACHE_PER_CELL_MB": str(self.cache_per_cell_mb),
        })

    # Each bound below is what the rules allow, plus --slack for a loaded
    # 2-core machine (mpv start-up, the status file's own one-second lag).

    @property
    def retry_max(self):
        """A retry card: the longest backoff delay, jittered up (rule 2)."""
        return self.backoff_max * JITTER

    @property
    def attempt_max(self):
        """Loading: the next item from the feed (a page and PlaybackInfo,
        each under the request deadline), then mpv's first frame within the
        load timeout, noticed at the next watchdog tick."""
        return 2 * self.request_timeout + self.load_timeout + self.watchdog

    @property
    def gate_reopen(self):
        """Once the server answers again: at most one probe delay (capped
        backoff, jittered), a probe under the request deadline, and the
        staggered restart of every cell."""
        return (self.backoff_max * JITTER + self.request_timeout
                + STAGGER_S * self.cells)

    @property
    def frozen_max(self):
        """A playing cell whose position stands still is stalled after
        stall-timeout, noticed at the next watchdog tick (rule 1)."""
        return self.stall_timeout + self.watchdog + STATUS_LAG_S

    @property
    def episode_max(self):
        """One stretch outside playing: the crash-loop guard parks a cell
        at the threshold-th failure, each failure costing at most one
        attempt and one retry delay; then the cooldown, then one attempt.
        Time spent waiting for a server that is really down comes on top."""
        return (self.threshold * (self.attempt_max + self.retry_max)
                + self.cooldown + self.attempt_max + self.slack)

    def stint_max(self, state):
        s = self.slack
        return {
            "loading": self.attempt_max + s,
            "retrying": self.retry_max + s,
            "parked": self.cooldown + s,
            "waiting": self.gate_reopen + s,          # plus any outage
            "idle": self.request_timeout + s,
            "ended": self.request_timeout + s,
            "sign-in-required": 0.0,                   # the password is right
            "paused": 0.0,                             # nobody pauses
        }.get(state, self.slack)

    def describe(self):
        lines = [
            "settings: %dx%d wall, stall-timeout %d s, watchdog %d ms, load-timeout %d s, "
            "backoff %d..%d s (reset %d s), crash loop %d in %d s, cooldown %d s, "
            "request-timeout %d s, cache budget %d MiB (cap %d MiB a cell); slack %.1f s"
            % (self.rows, self.columns, self.stall_timeout, self.watchdog * 1000,
               self.load_timeout, self.backoff_initial, self.backoff_max, self.backoff_reset,
               self.threshold, self.window, self.cooldown, self.request_timeout,
               self.cache_budget_mb, self.cache_per_cell_mb, self.slack),
            "bounds (seconds): loading <= 2 x request-timeout + load-timeout + watchdog + slack"
            " = %.1f; retrying <= backoff-max x 1.25 + slack = %.1f; parked <= cooldown + slack"
            " = %.1f (with a reason); waiting <= outage + backoff-max x 1.25 + request-timeout"
            " + 0.3 x cells + slack = outage + %.1f; idle/ended <= request-timeout + slack ="
            " %.1f; sign-in-required, paused: never"
            % (self.stint_max("loading"), self.stint_max("retrying"),
               self.stint_max("parked"), self.stint_max("waiting"), self.stint_max("idle")),
            "bounds (seconds): playing with a still position <= stall-timeout + watchdog + 1 s"
            " status lag + slack = %.1f; one stretch outside playing <= threshold x (attempt"
            " + retry) + cooldown + attempt + slack = %.1f (+ outage time)"
            % (self.frozen_max + self.slack, self.episode_max),
        ]
        return lines


# ---------------------------------------------------------------------------
# The fake server's request log, read incrementally

class RequestLog:
    """New lines of the fake server's log: tokens (to look for leaks) and
    requests (to count fault hits). Never printed: it holds secrets."""

    def __init__(self, server):
        self.tail = server.tail()
        self.tokens = set()
        self.requests = []        # (time, method, path, status)
        self.stall_starts = []    # (time, path)

    def read(self):
        for entry in self.tail.read():
            if entry.get("event") == "stall-start":
                self.stall_starts.append((entry.get("time"), entry.get("path", "")))
                continue
            if not fake_emby_server.is_request(entry):
                continue
            self.tokens |= fake_emby_server.tokens_in([entry])
            self.requests.append((entry.get("time"), entry.get("method"),
                                  entry.get("path", ""), entry.get("status")))

    def secrets(self):
        return sorted({fake_emby_server.PASSWORD} | {t for t in self.tokens if len(t) >= 8})


# ---------------------------------------------------------------------------
# Faults

class Fault:
    def __init__(self, kind, spec, start, until, item=None):
        self.kind = kind
        self.spec = spec          # what /__control gets
        self.start = start        # time.time()
        self.until = until
        self.item = item
        self.cleared = None
        self.hits = 0

    def matches(self, path):
        return bool(re.search(self.spec.get("match") or "^$", path, re.IGNORECASE))


class Injector:
    """Arms faults at random, at most --max-item-faults at a time, spaced,
    never while the server is down; clears each when its time is up."""

    def __init__(self, args, server, items, rng, t0, request_timeout):
        self.args = args
        self.request_timeout = request_timeout
        self.server = server
        self.items = items        # [(id, size in bytes)]
        self.rng = rng
        self.t0 = t0
        self.faults = []          # every fault ever armed
        self.outages = []         # [(start, end)] time.time()
        self.pending = []         # [(when, kind)] outages and the token revocation
        self.next_item_fault = t0 + rng.uniform(5, 10)
        self.control_errors = 0
        end = t0 + args.minutes * 60 - args.quiet_tail
        n_outages = max(1, int(round(args.minutes / 3.0)))
        span = (end - t0 - 40) / n_outages
        for i in range(n_outages):
            self.pending.append((t0 + 20 + i * span + rng.uniform(0, span * 0.6), "refuse"))
        outage_times = [w for w, _k in self.pending]
        for _ in range(50):
            when = t0 + rng.uniform(0.3, 0.7) * (end - t0)
            if all(abs(when - o) > 30 for o in outage_times):
                break
        self.pending.append((when, "revoke-token"))
        busy = [w for w, _k in self.pending]
        for _ in range(50):
            when = t0 + rng.uniform(0.2, 0.8) * (end - t0)
            if all(abs(when - o) > 30 for o in busy):
                break
        self.pending.append((when, "slow-reports"))
        self.pending.sort()
        self.end = end

    def active(self, now):
        return [f for f in self.faults if f.cleared is None and f.kind not in ("refuse",
                                                                               "revoke-token")]

    def server_down(self, now):
        return any(a - 0.5 <= now <= b + 1.0 for a, b in self.outages)

    def _control(self, spec):
        try:
            self.server.control(**spec)
            return True
        except (OSError, urllib.error.URLError, ValueError, harness.HarnessError):
            self.control_errors += 1
            return False

    def _rearm(self, now):
        """The fake server clears all faults at once: clear, then arm again
        the ones still due (count-limited ones with what they have left)."""
        if not self._control({"fault": "none"}):
            return False
        for fault in self.active(now):
            spec = dict(fault.spec)
            if spec.get("count", -1) > 0:
                spec["count"] = max(0, spec["count"] - fault.hits)
                if spec["count"] == 0:
                    continue
            self._control(spec)
        return True

    def tick(self, now, on_screen):
        if self.server_down(now):
            return
        expired = [f for f in self.active(now) if now >= f.until]
        if expired:
            for fault in expired:
                fault.cleared = now
            if not self._rearm(now):
                for fault in expired:
                    fault.cleared = None      # try again next tick
        if self.pending and now >= self.pending[0][0]:
            _when, kind = self.pending.pop(0)
            if kind == "refuse":
                delay = self.rng.uniform(5, 15)
                if self._control({"fault": "refuse", "delay": delay}):
                    self.outages.append((now, now + delay))
                    self.faults.append(Fault("refuse", {"delay": delay}, now, now + delay))
            elif kind == "slow-reports":
                delay = 2 * self.request_timeout
                for match in (r"(?i)/Sessions/Playing", r"(?i)/Videos/ActiveEncodings"):
                    spec = {"fault": "slow", "match": match, "delay": delay}
                    if self._control(spec):
                        self.faults.append(Fault("slow-reports", spec, now, now + 60))
            else:
                if self._control({"fault": "revoke-token"}):
                    self.faults.append(Fault("revoke-token", {}, now, now))
            return
        if now >= self.end or now < self.next_item_fault:
            return
        self.next_item_fault = now + self.rng.uniform(self.args.spacing_min,
                                                      self.args.spacing_max)
        # Stay clear of the next outage: its clean-up needs the server.
        if self.pending and self.pending[0][1] == "refuse" and self.pending[0][0] - now < 5:
            return
        if sum(1 for f in self.active(now) if f.item is not None) >= self.args.max_item_faults:
            return
        self._arm_item_fault(now, on_screen)

    def _arm_item_fault(self, now, on_screen):
        busy = {f.item for f in self.active(now)}
        # Items off screen are the ones cells load next: a fault there bites.
        free = [i for i in self.items if i[0] not in busy]
        off = [i for i in free if i[0] not in on_screen] or free
        if not off:
            return
        item_id, size = self.rng.choice(off)
        kinds = ["stall-body"] * 3 + ["status-500"] * 2 + ["slow-headers"] * 2 + ["unplayable"]
        n404 = sum(1 for f in self.faults if f.kind == "404")
        if n404 < max(1, int(self.args.minutes / 2)):
            kinds.append("404")
        kind = self.rng.choice(kinds)
        stream = r"/Videos/%s/stream" % item_id
        life = self.rng.uniform(15, 40)
        if kind == "stall-body":
            spec = {"fault": "stall-body", "match": stream,
                    "after_bytes": int(size * self.rng.uniform(0.05, 0.5)),
                    "delay": 3600, "count": self.rng.randint(1, 2)}
        elif kind == "status-500":
            spec = {"fault": "status", "status": 500, "match": stream + "$", "count": -1}
        elif kind == "unplayable":
            # Direct and transcoded streams both fail: the whole chain, then
            # a skip; a cell that meets two of these within the window parks.
            spec = {"fault": "status", "status": 500, "match": r"/Videos/%s/" % item_id,
                    "count": -1}
            life = self.rng.uniform(40, 70)
        elif kind == "slow-headers":
            spec = {"fault": "slow-headers", "match": stream + "$",
                    "delay": round(self.rng.uniform(2, 8), 1),
                    "count": self.rng.randint(1, 3)}
        else:
            target = self.rng.choice([r"/Items/%s/PlaybackInfo" % item_id, stream + "$"])
            spec = {"fault": "status", "status": 404, "match": target, "count": -1}
        if self._control(spec):
            self.faults.append(Fault(kind, spec, now, now + life, item_id))

    def clear_all(self, now):
        for fault in self.active(now):
            fault.cleared = now
        return self._control({"fault": "none"})

    def count_hits(self, requests, stall_starts):
        """How many requests each item fault answered (approximate for the
        count-limited ones: the first `count` matching requests)."""
        for fault in self.faults:
            if fault.item is None:
                continue
            end = fault.cleared or time.time()
            if fault.kind == "stall-body":
                hits = sum(1 for t, p in stall_starts
                           if t and fault.start <= t <= end and fault.matches(p))
            else:
                status = {"status-500": 500, "unplayable": 500, "404": 404}.get(fault.kind)
                hits = sum(1 for t, _m, p, st in requests
                           if t and fault.start <= t <= end and fault.matches(p)
                           and (status is None or st == status))
            limit = fault.spec.get("count", -1)
            fault.hits = min(hits, limit) if limit > 0 else hits


# ---------------------------------------------------------------------------
# Watching the wall

class Violation:
    def __init__(self, t, kind, cell, message):
        self.t, self.kind, self.cell, self.message = t, kind, cell, message


class CellTrack:
    def __init__(self, index, now):
        self.index = index
        self.state = None
        self.item = None
        self.stint_start = now
        self.stint_flagged = False
        self.episode_start = None      # left playing at
        self.episode_flagged = False
        self.pos = None
        self.pos_since = now
        self.frozen_flagged = False
        self.entries = {}              # state -> times entered (as seen)
        self.timeline = []             # (t, state, item, position, failures, reason)


class Monitor:
    def __init__(self, settings, injector, t0):
        self.s = settings
        self.injector = injector
        self.t0 = t0
        self.cells = {}
        self.violations = []
        self.samples = 0
        self.stints = {}               # state -> [(duration, cell, start)]
        self.episodes = []             # (duration, cell, start, outage overlap)
        self.frozen = []               # (longest still position, cell, start)
        self.cache_max = 0
        self.cache_budget = None
        self.cache_samples = 0
        self.server_states = {}        # state -> seconds
        self.server_state = None
        self.server_since = None
        self.last_time = None
        self.status_texts = set()      # distinct reasons and titles, for the leak check

    def rel(self, t):
        return t - self.t0

    def violate(self, now, kind, cell, message):
        self.violations.append(Violation(self.rel(now), kind, cell, message))
        print("# VIOLATION +%.1f s %s cell %s: %s" % (self.rel(now), kind, cell, message),
              flush=True)

    def outage_overlap(self, start, end):
        total, last_end = 0.0, None
        for a, b in self.injector.outages:
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
            if a <= end and b >= start - self.s.gate_reopen:
                last_end = b if last_end is None else max(last_end, b)
        return total, last_end

    def allowed(self, track, state, now):
        bound = self.s.stint_max(state)
        if state in ("waiting", "loading", "retrying", "idle", "ended"):
            # A cell whose stint met an outage (it started during one, or
            # shortly after) may wait for the server to come back first.
            _total, last_end = self.outage_overlap(track.stint_start, now)
            if last_end is not None:
                return max(track.stint_start, last_end) - track.stint_start + bound
        return bound

    def sample(self, status, now):
        self.samples += 1
        server = (status.get("server") or {}).get("state")
        if server != self.server_state:
            if self.server_state is not None:
                self.server_states[self.server_state] = (
                    self.server_states.get(self.server_state, 0.0) + now - self.server_since)
            self.server_state, self.server_since = server, now
        self.check_cache(status, now)
        for c in harness.cells(status):
            self.check_cell(c, now)

    def check_cache(self, status, now):
        grid = status.get("grid") or {}
        budget = grid.get("cache_budget_bytes")
        per_cell = grid.get("cache_per_cell_bytes")
        total = 0
        for c in harness.cells(status):
            fwd = c.get("demuxer_max_bytes") or 0
            back = c.get("demuxer_max_back_bytes") or 0
            total += fwd + back
            if per_cell and fwd + back > per_cell:
                self.violate(now, "cache", c.get("index"),
                             "forward %d + back %d bytes > the cell's share %d"
                             % (fwd, back, per_cell))
        if not isinstance(budget, int) or budget <= 0:
            self.violate(now, "cache", None, "no grid.cache_budget_bytes in the status file")
            return
        self.cache_budget = budget
        self.cache_max = max(self.cache_max, total)
        self.cache_samples += 1
        if total > budget:
            self.violate(now, "cache", None, "cells hold %d bytes of cache > budget %d"
                         % (total, budget))

    def end_stint(self, track, now):
        if track.state is None:
            return
        self.stints.setdefault(track.state, []).append(
            (now - track.stint_start, track.index, self.rel(track.stint_start)))

    def check_cell(self, c, now):
        i = c.get("index")
        track = self.cells.get(i)
        if track is None:
            track = self.cells[i] = CellTrack(i, now)
        state, item, pos = c.get("state"), c.get("item_id"), c.get("position")
        for text in (c.get("reason"), c.get("title")):
            if text:
                self.status_texts.add(text)
        if state != track.state or item != track.item:
            if state != track.state:
                self.end_stint(track, now)
                track.stint_start, track.stint_flagged = now, False
                track.entries[state] = track.entries.get(state, 0) + 1
                if track.state == "playing" and state in OUTSIDE:
                    track.episode_start, track.episode_flagged = now, False
                elif state == "playing" and track.episode_start is not None:
                    overlap, _e = self.outage_overlap(track.episode_start, now)
                    self.episodes.append((now - track.episode_start, i,
                                          self.rel(track.episode_start), overlap))
                    track.episode_start = None
            if len(track.timeline) < 4000:
                track.timeline.append((self.rel(now), state, item, pos, c.get("failures"),
                                       c.get("reason")))
            if track.state == "playing":
                self.frozen.append((now - track.pos_since, i, self.rel(track.pos_since)))
            track.state, track.item = state, item
            track.pos, track.pos_since, track.frozen_flagged = pos, now, False
            if state == "parked" and not c.get("reason"):
                self.violate(now, "parked-without-reason", i, "parked with no reason shown")

        # How long in this state, against what it allows.
        if state in OUTSIDE and not track.stint_flagged:
            bound = self.allowed(track, state, now)
            if now - track.stint_start > bound:
                track.stint_flagged = True
                self.violate(now, "stuck-" + state, i,
                             "%s for %.1f s > %.1f s allowed (item %s, reason %r)"
                             % (state, now - track.stint_start, bound, item, c.get("reason")))
        if track.episode_start is not None and not track.episode_flagged:
            overlap, last_end = self.outage_overlap(track.episode_start, now)
            bound = self.s.episode_max + overlap + (self.s.gate_reopen if last_end else 0)
            if now - track.episode_start > bound:
                track.episode_flagged = True
                self.violate(now, "outside-playing", i,
                             "outside playing for %.1f s > %.1f s allowed (now %s)"
                             % (now - track.episode_start, bound, state))
        if state == "playing":
            if isinstance(pos, (int, float)) and (track.pos is None or pos > track.pos):
                self.frozen.append((now - track.pos_since, i, self.rel(track.pos_since)))
                track.pos, track.pos_since = pos, now
            elif not track.frozen_flagged and now - track.pos_since > self.s.frozen_max + self.s.slack:
                track.frozen_flagged = True
                self.violate(now, "frozen-playing", i,
                             "playing item %s with its position at %s for %.1f s > %.1f s"
                             % (item, pos, now - track.pos_since,
                                self.s.frozen_max + self.s.slack))

    def finish(self, now):
        for track in self.cells.values():
            self.end_stint(track, now)
            if track.state == "playing":
                self.frozen.append((now - track.pos_since, track.index,
                                    self.rel(track.pos_since)))
            if track.episode_start is not None:
                overlap, _e = self.outage_overlap(track.episode_start, now)
                self.episodes.append((now - track.episode_start, track.index,
                                      self.rel(track.episode_start), overlap))
        if self.server_state is not None:
            self.server_states[self.server_state] = (
                self.server_states.get(self.server_state, 0.0) + now - self.server_since)


# ---------------------------------------------------------------------------
# The app's log

CELL_LINE = re.compile(r"\bcell (\d+): (.*)$")
TRANSITION = re.compile(r"^(\S+) \u2192 (\S+) \(([^:)]*):? ?(.*)\)$")
KINDS = [
    ("retry", re.compile(r"; retrying (directly|the transcoded stream) in [0-9.]+ s$")),
    ("park", re.compile(r"^parked for \d+ s after \d+ failures? \(last: .+\)")),
    ("skip", re.compile(r"^skipping .+: .+")),
    ("nothing-to-play", re.compile(r"^nothing to play \(.+\); asking again in [0-9.]+ s$")),
    ("wait-for-server", re.compile(r"^waiting for the server \(.+\)$")),
    ("watchdog-reset", re.compile(r"watchdog stopped ticking")),
]
WALL_LINES = [
    ("server-state", re.compile(r"\bServer is (\S+)")),
    ("systemic", re.compile(r"Most of the wall failed|Many cells failed together")),
    ("re-sign-in", re.compile(r"access token was refused; signing in again")),
    ("signed-in", re.compile(r"\bSigned in to ")),
    ("item-skipped-by-feed", re.compile(r"\bItem \S+ cannot be played")),
]


class LogReport:
    def __init__(self, text):
        self.kinds = {}           # kind -> count
        self.samples = {}         # kind -> first line
        self.per_cell = {}        # (cell, kind) -> count
        self.transitions = {}     # (cell, new state) -> count
        self.wall = {}
        self.wall_samples = {}
        self.unclassified = {}
        self.criticals = []
        for raw in text.splitlines():
            line = raw.strip()
            if "CRITICAL" in line or "ERROR **" in line:
                self.criticals.append(line)
            for kind, rx in WALL_LINES:
                if rx.search(line):
                    self.wall[kind] = self.wall.get(kind, 0) + 1
                    self.wall_samples.setdefault(kind, line)
            m = CELL_LINE.search(line)
            if not m:
                continue
            cell, rest = int(m.group(1)), m.group(2)
            t = TRANSITION.match(rest)
            if t:
                key = (cell, t.group(2))
                self.transitions[key] = self.transitions.get(key, 0) + 1
                continue
            for kind, rx in KINDS:
                if rx.search(rest):
                    self.kinds[kind] = self.kinds.get(kind, 0) + 1
                    self.samples.setdefault(kind, line)
                    key = (cell, kind)
                    self.per_cell[key] = self.per_cell.get(key, 0) + 1
                    break
            else:
                if "DEBUG" not in line:
                    short = rest.split(":")[0][:40]
                    self.unclassified[short] = self.unclassified.get(short, 0) + 1

    def count(self, cell, kind):
        return self.per_cell.get((cell, kind), 0)


def check_log(log, monitor, now):
    """One line per event: every entry into retrying or parked that the app
    itself logged (debug transitions) or that the status file showed has its
    own operator line naming the cell and the reason."""
    for index, track in sorted(monitor.cells.items()):
        for state, kind in (("retrying", "retry"), ("parked", "park")):
            lines = log.count(index, kind)
            logged = log.transitions.get((index, state), 0)
            seen = track.entries.get(state, 0)
            if lines < max(logged, seen):
                monitor.violate(now, "log", index,
                                "%d %s line(s), but the cell entered %s %d time(s) by its "
                                "own log and %d time(s) in the status file"
                                % (lines, kind, state, logged, seen))
            elif lines > logged and logged:
                harness.note("cell %d: %d %s lines for %d transitions into %s (a retry "
                             "scheduled from another state?)" % (index, lines, kind, logged,
                                                                 state))
    for line in log.criticals[:5]:
        monitor.violate(now, "critical", None, line[:200])


# ---------------------------------------------------------------------------
# The run

def wait_playing(app, monitor, cells, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = app.status()
        if status and harness.all_cells("playing", count=cells)(status):
            return status
        if app.poll() is not None:
            raise harness.HarnessError("hyperwall exited (%s) before the wall played\n%s"
                                       % (app.poll(), app.tail()))
        time.sleep(0.2)
    raise harness.HarnessError("the wall did not play within %d s\n%s\n%s"
                               % (timeout, harness.summarize(app.status()), app.tail()))


def read_status_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return None


def soak(args, session, settings):
    rng = random.Random(args.seed)
    media = session.path("media")
    print("# generating %d clips of %d s ..." % (args.clips, args.clip_seconds), flush=True)
    paths = harness.generate_clips(media, args.clips, seconds=args.clip_seconds)
    server = fake_emby_server.FakeEmbyServer(session, media)
    try:
        return soak_with(args, session, settings, rng, server, paths)
    finally:
        server.stop()


def soak_with(args, session, settings, rng, server, paths):
    app = session.launch(heal_util.emby_args(server)
                         + ["--rows", str(args.rows), "--columns", str(args.columns),
                            "--renderer", "software"],
                         env=settings.env())
    wait_playing(app, None, settings.cells, 120)
    reqlog = RequestLog(server)
    reqlog.read()
    # Item ids are handed out in file order (fake-emby.py): 1001, 1002, ...
    ids = [str(1001 + n) for n in range(len(paths))]
    items = [(ids[n], os.path.getsize(p)) for n, p in enumerate(paths)]

    t0 = time.time()
    injector = Injector(args, server, items, rng, t0, settings.request_timeout)
    monitor = Monitor(settings, injector, t0)
    end = t0 + args.minutes * 60
    print("# wall playing; soaking for %.1f min (seed %s), %d outages planned"
          % (args.minutes, args.seed, sum(1 for _w, k in injector.pending if k == "refuse")),
          flush=True)
    next_report = t0 + 60
    next_tokens = t0
    secrets = reqlog.secrets()
    leaked_status = False
    exited = None
    while True:
        now = time.time()
        text = read_status_text(app.status_path)
        status = None
        if text:
            try:
                status = json.loads(text)
            except ValueError:
                status = None
        if status is not None and status.get("time") != monitor.last_time:
            monitor.last_time = status.get("time")
            monitor.sample(status, now)
            if not leaked_status and harness.secrets_in(text, secrets):
                leaked_status = True
                monitor.violate(now, "secret", None, "a secret is in the status file")
        if now >= next_tokens:
            reqlog.read()
            secrets = reqlog.secrets()
            next_tokens = now + 5
        on_screen = {c.get("item_id") for c in harness.cells(status)} if status else set()
        if now < end:
            injector.tick(now, on_screen)
        elif injector.active(now):
            injector.clear_all(now)
        rc = app.poll()
        if rc is not None:
            exited = rc
            monitor.violate(now, "exited", None, "hyperwall exited with %s\n%s"
                            % (rc, app.tail(20)))
            break
        if now >= end:
            # Let stretches in progress end (all faults are cleared by now),
            # within the longest a stretch may last.
            settled = status and harness.all_cells("playing", count=settings.cells)(status)
            if settled or now >= end + settings.episode_max:
                break
        if now >= next_report:
            counts = {}
            for c in harness.cells(status):
                counts[c.get("state")] = counts.get(c.get("state"), 0) + 1
            print("# +%4.0f s  %s  server %s  faults armed %d  violations %d" % (
                now - t0, " ".join("%s %d" % kv for kv in sorted(counts.items())),
                monitor.server_state, len(injector.faults), len(monitor.violations)),
                flush=True)
            next_report += 60
        time.sleep(args.poll_interval)
    now = time.time()
    monitor.finish(now)
    reqlog.read()
    injector.count_hits(reqlog.requests, reqlog.stall_starts)
    if exited is None:
        app.stop()
    log_text = app.log()
    log = LogReport(log_text)
    check_log(log, monitor, now)
    secrets = reqlog.secrets()
    if harness.secrets_in(log_text, secrets):
        monitor.violate(now, "secret", None, "%d secret(s) in the app's output"
                        % len(harness.secrets_in(log_text, secrets)))
    if harness.secrets_in("\n".join(monitor.status_texts), secrets):
        monitor.violate(now, "secret", None, "a secret is in a status file reason or title")
    return monitor, injector, log, reqlog, now - t0


# ---------------------------------------------------------------------------
# The report

def stint_rows(monitor):
    rows = []
    for state in ["playing"] + list(OUTSIDE):
        values = monitor.stints.get(state, [])
        if not values:
            continue
        longest = max(values)
        rows.append([state, str(len(values)),
                     benchlib.fmt(benchlib.percentile([v[0] for v in values], 0.5), "%.1f s"),
                     benchlib.fmt(benchlib.percentile([v[0] for v in values], 0.95), "%.1f s"),
                     "%.1f s (cell %d at +%.0f s)" % longest,
                     "—" if state == "playing" else "%.1f s" % monitor.s.stint_max(state)
                     + (" + outage" if state == "waiting" else "")])
    return rows


def report(args, settings, monitor, injector, log, elapsed):
    print()
    print("## soak %s: %.1f min, seed %s, %d cores, %s"
          % (datetime.date.today().isoformat(), elapsed / 60, args.seed, os.cpu_count(),
             "load average %.1f" % os.getloadavg()[0]))
    for line in settings.describe():
        print("# " + line)
    print()
    kinds = {}
    for f in injector.faults:
        k = kinds.setdefault(f.kind, [0, 0])
        k[0] += 1
        k[1] += f.hits if f.item else 1
    print("faults injected (hits = requests the fault answered):")
    benchlib.print_table(["fault", "armed", "hits"],
                         [[k, str(v[0]), str(v[1])] for k, v in sorted(kinds.items())])
    print("outages: %s" % (", ".join("%.1f s at +%.0f s" % (b - a, a - monitor.t0)
                                     for a, b in injector.outages) or "none"))
    if injector.control_errors:
        print("# %d control calls failed (retried)" % injector.control_errors)
    print()
    print("time in each state, per stretch (%d status snapshots):" % monitor.samples)
    benchlib.print_table(["state", "stretches", "median", "p95", "longest", "allowed"],
                         stint_rows(monitor))
    if monitor.episodes:
        longest = max(monitor.episodes)
        print("longest stretch outside playing: %.1f s (cell %d from +%.0f s, %.1f s of it "
              "during an outage); allowed %.1f s + outage; %d stretches in all"
              % (longest + (settings.episode_max,) + (len(monitor.episodes),)))
    if monitor.frozen:
        longest = max(monitor.frozen)
        print("longest still position while playing: %.1f s (cell %d at +%.0f s); allowed %.1f s"
              % (longest + (settings.frozen_max + settings.slack,)))
    print("server states: %s" % ", ".join("%s %.0f s" % kv
                                          for kv in sorted(monitor.server_states.items())))
    if monitor.cache_budget:
        print("cache: at most %.1f MiB of %.1f MiB budget over %d snapshots (%.0f %%)"
              % (monitor.cache_max / 2**20, monitor.cache_budget / 2**20,
                 monitor.cache_samples, 100.0 * monitor.cache_max / monitor.cache_budget))
    print()
    print("the app's log, operator lines per kind (cell lines; wall lines):")
    rows = [[k, str(v), log.samples[k][-150:]] for k, v in sorted(log.kinds.items())]
    rows += [["wall: " + k, str(v), log.wall_samples[k][-150:]]
             for k, v in sorted(log.wall.items())]
    benchlib.print_table(["kind", "lines", "sample"], rows)
    entered = {}
    for (_cell, state), n in log.transitions.items():
        entered[state] = entered.get(state, 0) + n
    print("state transitions the app logged (debug, 'cell N: a → b (event: reason)'): %s"
          % ", ".join("→ %s %d" % kv for kv in sorted(entered.items())))
    if log.unclassified:
        print("other cell lines: %s" % ", ".join("%r %d" % kv for kv in
                                                  sorted(log.unclassified.items())[:10]))
    print()
    if monitor.violations:
        print("VIOLATIONS (%d):" % len(monitor.violations))
        for v in monitor.violations:
            print("  +%7.1f s  %-22s cell %-4s %s" % (v.t, v.kind, v.cell, v.message))
        shown = set()
        for v in monitor.violations:
            if v.cell is None or v.cell in shown or len(shown) >= 4:
                continue
            shown.add(v.cell)
            print("# cell %d timeline around +%.0f s (t, state, item, position, failures, "
                  "reason):" % (v.cell, v.t))
            for entry in monitor.cells[v.cell].timeline:
                if v.t - 120 <= entry[0] <= v.t + 10:
                    print("#   %+8.1f  %-10s %-6s %-8s %-3s %s" % (
                        entry[0], entry[1], entry[2], benchlib.fmt(entry[3], "%.1f"),
                        entry[4], entry[5] or ""))
    else:
        print("no violations")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="soak length (default 10)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed for the fault schedule (default: from the clock)")
    parser.add_argument("--rows", type=int, default=3)
    parser.add_argument("--columns", type=int, default=3)
    parser.add_argument("--clips", type=int, default=14,
                        help="generated items (default 14: a 3x3 wall holds 9 on screen and "
                        "one prefetched, and no item plays on two cells at once)")
    parser.add_argument("--clip-seconds", type=int, default=20)
    parser.add_argument("--cache-budget-mb", type=int, default=400)
    parser.add_argument("--cache-per-cell-mb", type=int, default=64)
    parser.add_argument("--slack", type=float, default=3.0,
                        help="seconds added to every bound for a loaded machine (default 3)")
    parser.add_argument("--spacing-min", type=float, default=6.0,
                        help="least seconds between two item faults (default 6)")
    parser.add_argument("--spacing-max", type=float, default=14.0)
    parser.add_argument("--max-item-faults", type=int, default=2,
                        help="item faults armed at once (default 2)")
    parser.add_argument("--quiet-tail", type=float, default=30.0,
                        help="no new faults in the last seconds (default 30)")
    parser.add_argument("--poll-interval", type=float, default=0.1)
    parser.add_argument("--bin", default=None, help="the hyperwall binary "
                        "(default: $HYPERWALL_BIN, then build/src/hyperwall)")
    parser.add_argument("--tap", action="store_true",
                        help="speak TAP (one test, the report as diagnostics) for meson")
    args, unknown = parser.parse_known_args()
    if args.tap:
        sys.stdout = TapDiagnostics(sys.stdout)
        sys.stdout.raw("TAP version 13\n1..1\n")
    if unknown:
        print("# ignoring options this benchmark does not take: %s" % " ".join(unknown),
              flush=True)
    if args.seed is None:
        args.seed = int(time.time()) % 100000
    if not 0.5 <= args.minutes <= 240 or args.clips < args.rows * args.columns + 2:
        parser.error("--minutes must be 0.5..240 and --clips at least cells + 2")
    benchlib.use_binary(args.bin or benchlib.default_binary())
    settings = Settings(args)
    try:
        with harness.Session() as session:
            monitor, injector, log, _reqlog, elapsed = soak(args, session, settings)
    except harness.HarnessError as e:
        print("# the soak could not run: %s" % e, flush=True)
        if args.tap:
            sys.stdout.raw("not ok 1 %s\n" % TAP_PATH)
        return 2
    report(args, settings, monitor, injector, log, elapsed)
    if args.tap:
        sys.stdout.raw("%s 1 %s\n" % ("not ok" if monitor.violations else "ok", TAP_PATH))
    return 1 if monitor.violations else 0


TAP_PATH = "/hyperwall/soak/random-faults"


class TapDiagnostics:
    """stdout for --tap: every line the report prints becomes a TAP
    diagnostic ("# ..."), so meson shows it and only raw() speaks TAP."""

    def __init__(self, stream):
        self.stream = stream
        self.at_line_start = True

    def write(self, text):
        for piece in text.splitlines(keepends=True):
            if self.at_line_start and not piece.startswith("#"):
                self.stream.write("# ")
            self.stream.write(piece)
            self.at_line_start = piece.endswith("\n")
        return len(text)

    def raw(self, text):
        if not self.at_line_start:
            self.stream.write("\n")
            self.at_line_start = True
        self.stream.write(text)
        self.stream.flush()

    def flush(self):
        self.stream.flush()


if __name__ == "__main__":
    sys.exit(main())
