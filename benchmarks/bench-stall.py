#!/usr/bin/env python3
"""bench-stall: how fast a Hyperwall cell notices a silent stream stall and
plays again, over a few hundred stalls.

A real hyperwall (--server, a 3x3 wall by default) plays short generated
clips (360p30 H.264, constant bit rate so every item buffers alike) from the
project's fake Emby server, tests/fake-emby.py. The benchmark keeps up to
--parallel stalls in flight (fewer than most of the wall, so the app never
mistakes them for a server outage) by arming one-shot `stall-body` faults on
/Videos/<id>/stream: the server sends the headers and about --after-seconds
worth of the file, then goes silent with the connection left open.

The fake server (run through tests/integration/fake_emby_server.py) writes
one line to its request log, {"event": "stall-start", "time": ...}, when it
starts answering a stalled request; the buffered part then arrives at
loopback speed.

For each stall, from the status file (polled every 50 ms, times taken from
its own "time" field):
  detection latency  = the cell shows `retrying`/`parked` or its `failures`
                       count rises  -  stall start
  back to playing    = the cell shows `playing` again  -  stall start
  recovery           = back to playing  -  detection
Detection includes playing out what was buffered before the stall
(--after-seconds), as a viewer would see it.

Usage: benchmarks/bench-stall.py [--stalls 200] [--parallel 4] [--bin PATH]

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import os
import subprocess
import sys
import time

import benchlib
from benchlib import harness
import fake_emby_server  # tests/integration, put on sys.path by benchlib

STREAM_MATCH = r"/Videos/[^/]+/stream$"


# ---------------------------------------------------------------------------
# Media

def generate_clips(directory, count, seconds):
    """Constant-bit-rate 360p30 clips (same pattern, different hues), so a
    given number of bytes holds about the same playing time in each."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for i in range(count):
        path = os.path.join(directory, "stall-%02d.mp4" % i)
        source = "testsrc2=size=640x360:rate=30,hue=h=%d" % (i * 360 // count)
        argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", source, "-t", str(seconds), "-vf", "format=yuv420p",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                "-b:v", "600k", "-maxrate", "600k", "-bufsize", "300k",
                "-movflags", "+faststart", path]
        result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                timeout=120)
        if result.returncode != 0:
            raise harness.HarnessError("ffmpeg could not make %s: %s" % (
                path, result.stderr.decode(errors="replace").strip()))
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------
# Following one stall through the status file

class Stall:
    def __init__(self, event, horizon):
        self.start = event["time"]
        self.item = event["path"].rstrip("/").split("/")[-2]
        # A stalled cell never plays past what it was sent: a cell showing
        # the same item further on is the one that played it before.
        self.horizon = horizon
        self.timeline = []       # (seconds since start, state, position, failures)
        self.cell = None
        self.failures = None
        self.played = False      # the cell showed `playing` with this item first
        self.detected = None
        self.how = None
        self.playing = None
        self.lost = False

    @property
    def done(self):
        return self.playing is not None or self.lost

    def observe(self, now, cells):
        """Advances with one status snapshot taken at @now (status time)."""
        if now < self.start or self.done:
            return
        if self.cell is None:
            for cell in cells:
                position = cell.get("position")
                if (cell.get("item_id") == self.item
                        and cell.get("state") in ("loading", "playing")
                        and (not isinstance(position, (int, float))
                             or position <= self.horizon)):
                    self.cell = cell.get("index")
                    self.failures = cell.get("failures") or 0
                    break
            if self.cell is None:
                return
        cell = next((c for c in cells if c.get("index") == self.cell), None)
        if cell is None:
            return
        state = cell.get("state")
        if len(self.timeline) < 400:
            self.timeline.append((now - self.start, state, cell.get("position"),
                                  cell.get("failures")))
        if self.detected is None:
            same_item = cell.get("item_id") == self.item
            if state == "playing" and same_item:
                self.played = True
            # Any way out of `playing` counts: a retry, a park, or the wall
            # suspecting the server (`waiting`) when several cells fail at once.
            if (state in ("retrying", "parked", "waiting", "sign-in-required")
                    or (cell.get("failures") or 0) > self.failures
                    or (self.played and (state != "playing" or not same_item))):
                self.detected = now
                self.how = state
        elif state == "playing":
            self.playing = now


class Poller:
    """Polls the status file; hands every new snapshot to the live stalls."""

    def __init__(self, app):
        self.app = app
        self.last_time = None
        self.parked_seen = 0
        self.server_states = set()

    def poll(self, stalls):
        status = self.app.status()
        if not status or status.get("time") == self.last_time:
            return
        self.last_time = status.get("time")
        cells = harness.cells(status)
        self.server_states.add((status.get("server") or {}).get("state"))
        self.parked_seen = max(self.parked_seen,
                               sum(1 for c in cells if c.get("state") == "parked"))
        for stall in stalls:
            stall.observe(self.last_time, cells)


def summary_row(name, values):
    return [name, str(len(values)),
            benchlib.fmt(benchlib.percentile(values, 0.5), "%.2f s"),
            benchlib.fmt(benchlib.percentile(values, 0.95), "%.2f s"),
            benchlib.fmt(max(values) if values else None, "%.2f s"),
            benchlib.fmt(min(values) if values else None, "%.2f s")]


def run(args, session):
    clip_paths = generate_clips(session.path("media"), args.rows * args.columns + 3,
                                args.clip_seconds)
    mean_size = sum(os.path.getsize(p) for p in clip_paths) / len(clip_paths)
    after_bytes = int(mean_size * args.after_seconds / args.clip_seconds) + 16384
    server = fake_emby_server.FakeEmbyServer(session, session.path("media"))
    # Only its stall-start lines are used: the other lines hold tokens.
    server_log = server.tail()
    env = {
        "HYPERWALL_PASSWORD": fake_emby_server.PASSWORD,
        "HYPERWALL_STALL_TIMEOUT": str(args.stall_timeout),
        "HYPERWALL_WATCHDOG_INTERVAL": str(args.watchdog_interval),
        "HYPERWALL_BACKOFF_INITIAL": str(args.backoff_initial),
        "HYPERWALL_LOAD_TIMEOUT": str(args.load_timeout),
        # A benchmark of detection, not of parking: keep cells from parking.
        "HYPERWALL_CRASH_LOOP_THRESHOLD": "100",
    }
    stalls = []
    try:
        app = session.launch(["--server", server.url, "--username", fake_emby_server.USERNAME,
                              "--rows", str(args.rows), "--columns", str(args.columns)],
                             env=env, debug=False)
        cells = args.rows * args.columns
        app.wait_for(harness.all_cells("playing", count=cells), 60,
                     "%d playing cells" % cells)
        print("# wall playing; %d stalls, up to %d at a time, %d bytes (~%.1f s) "
              "before each" % (args.stalls, args.parallel, after_bytes, args.after_seconds),
              flush=True)
        poller = Poller(app)
        armed = 0
        began = time.monotonic()
        deadline = began + args.max_minutes * 60
        next_report = began + 30
        while time.monotonic() < deadline:
            now = time.time()
            for event in server_log.read():
                if event.get("event") != "stall-start":
                    continue
                if event.get("method") == "GET":
                    stalls.append(Stall(event, args.after_seconds + 1.0))
                else:
                    armed -= 1  # a HEAD took the fault: arm another one
            poller.poll(stalls)
            for stall in stalls:
                if not stall.done and now - stall.start > args.give_up:
                    stall.lost = True
            unfired = armed - len(stalls)
            in_flight = unfired + sum(1 for s in stalls if not s.done)
            # One fault armed at a time, and stall starts spaced so that the
            # failures of any 5 s never reach most of the wall.
            spaced = not stalls or now - stalls[-1].start >= args.spacing
            if armed < args.stalls and in_flight < args.parallel and unfired == 0 and spaced:
                server.control("stall-body", match=STREAM_MATCH, after_bytes=after_bytes,
                               delay=args.give_up + 30, count=1)
                armed += 1
            if len(stalls) >= args.stalls and all(s.done for s in stalls):
                break
            if app.poll() is not None:
                raise harness.TestFailure("hyperwall exited during the run\n%s" % app.tail())
            if time.monotonic() >= next_report:
                print("# %d stalls measured after %.0f s" % (
                    sum(1 for s in stalls if s.done), time.monotonic() - began), flush=True)
                next_report += 30
            time.sleep(0.05)
        elapsed = time.monotonic() - began
        server.control("none")
        return stalls, poller, elapsed, after_bytes
    finally:
        server.stop()


def report(args, stalls, poller, elapsed, after_bytes):
    done = [s for s in stalls if s.detected is not None and s.playing is not None]
    detection = [s.detected - s.start for s in done]
    back = [s.playing - s.start for s in done]
    recovery = [s.playing - s.detected for s in done]
    lost = [s for s in stalls if s.lost]
    print()
    print("# bench-stall %s, %d cores, %dx%d wall, stall-timeout %d s, watchdog %d ms, "
          "backoff-initial %d s, %d bytes (~%.1f s of video) before each stall"
          % (datetime.date.today().isoformat(), os.cpu_count(), args.rows, args.columns,
             args.stall_timeout, args.watchdog_interval, args.backoff_initial, after_bytes,
             args.after_seconds))
    print("# %d stalls fired in %.0f s (at least %.2f s apart, up to %d at a time); "
          "%d measured, %d not resolved within %d s, %d stalled before their first frame"
          % (len(stalls), elapsed, args.spacing, args.parallel, len(done), len(lost),
             args.give_up, sum(1 for s in done if not s.played)))
    hows = {}
    for stall in done:
        hows[stall.how] = hows.get(stall.how, 0) + 1
    print("# how cells left playing: %s" % ", ".join(
        "%s %d" % (k, v) for k, v in sorted(hows.items(), key=lambda kv: -kv[1])))
    print()
    benchlib.print_table(["from stall start to", "n", "median", "p95", "max", "min"], [
        summary_row("detection (leaves playing)", detection),
        summary_row("back to playing", back),
    ])
    print()
    benchlib.print_table(["from detection to", "n", "median", "p95", "max", "min"], [
        summary_row("back to playing", recovery),
    ])
    print()
    bound = args.after_seconds + args.stall_timeout + args.watchdog_interval / 1000
    print("# expected detection bound: buffered %.1f s + stall-timeout %d s + one watchdog "
          "interval = %.2f s; most cells parked at once: %d; server states seen: %s"
          % (args.after_seconds, args.stall_timeout, bound, poller.parked_seen,
             ", ".join(sorted(str(s) for s in poller.server_states))))
    slow = [s for s in done if s.detected - s.start > bound + 1.0]
    for stall in (done if args.verbose else slow)[:20]:
        print_timeline(stall, "slow detection" if stall in slow else "stall")
    sys.stdout.flush()
    return 0 if done else 1


def print_timeline(stall, what):
    """One stall's cell as the status file showed it (states and positions
    only: nothing from the request log, which holds tokens)."""
    print("# %s: cell %s, detected after %.2f s, playing after %.2f s" % (
        what, stall.cell, stall.detected - stall.start, stall.playing - stall.start))
    last = None
    printed = 0
    for t, state, position, failures in stall.timeline:
        key = (state, failures, position)
        if key == last or printed >= 60:
            continue
        last = key
        printed += 1
        print("#   %+7.2f s  %-10s pos=%s failures=%s" % (
            t, state, benchlib.fmt(position, "%.2f"), failures))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stalls", type=int, default=200, help="stalls to inject (default 200)")
    parser.add_argument("--parallel", type=int, default=4,
                        help="stalls in flight at once (default 4; keep it under half the wall)")
    parser.add_argument("--spacing", type=float, default=None,
                        help="least seconds between two stall starts (default: "
                        "5 s over half the cells, plus 10 %%)")
    parser.add_argument("--rows", type=int, default=3)
    parser.add_argument("--columns", type=int, default=3)
    parser.add_argument("--clip-seconds", type=int, default=6,
                        help="length of the generated items (default 6: cells load often)")
    parser.add_argument("--after-seconds", type=float, default=1.0,
                        help="video sent before each stall, in seconds (default 1)")
    parser.add_argument("--stall-timeout", type=int, default=3)
    parser.add_argument("--watchdog-interval", type=int, default=250)
    parser.add_argument("--backoff-initial", type=int, default=1)
    parser.add_argument("--load-timeout", type=int, default=6)
    parser.add_argument("--give-up", type=int, default=60,
                        help="a stall not back to playing after this many seconds is lost")
    parser.add_argument("--max-minutes", type=float, default=9.5,
                        help="hard limit on the stall loop (default 9.5)")
    parser.add_argument("--bin", default=None, help="the hyperwall binary "
                        "(default: $HYPERWALL_BIN, then build/src/hyperwall)")
    parser.add_argument("--verbose", action="store_true",
                        help="print every stall's timeline, not only the slow ones")
    # build-aux/run bench hands the same ARGS to every benchmark: skip (and
    # say) the ones that belong to another.
    args, unknown = parser.parse_known_args()
    if unknown:
        print("# ignoring options this benchmark does not take: %s" % " ".join(unknown),
              flush=True)
    if not 1 <= args.stalls <= 5000 or not 1 <= args.parallel <= 64:
        parser.error("--stalls must be 1..5000 and --parallel 1..64")
    cells = args.rows * args.columns
    if args.spacing is None:
        # The wall suspects the server when >= 3 cells and most of the wall
        # fail within 5 s (docs/reliability.md, rule 5); stay one failure below that.
        args.spacing = 1.1 * 5.0 / max(2, cells // 2)
    if args.parallel * 2 > cells:
        print("# warning: %d stalls at once on %d cells may look like a server outage"
              % (args.parallel, cells), flush=True)
    binary = os.path.abspath(args.bin) if args.bin else benchlib.default_binary()
    if not os.access(binary, os.X_OK):
        parser.error("no hyperwall binary at %s (build it, or pass --bin)" % binary)
    benchlib.use_binary(binary)
    with harness.Session() as session:
        stalls, poller, elapsed, after_bytes = run(args, session)
    return report(args, stalls, poller, elapsed, after_bytes)


if __name__ == "__main__":
    sys.exit(main())
