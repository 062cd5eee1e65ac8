#!/usr/bin/env python3
"""bench-memory: does a wall that keeps changing items stay flat?

A 3x3 local wall (--renderer, x11 by default; one private Xvfb) plays a folder of
generated 8 s clips (360p30 H.264, --clips of them, 16 by default). Every
cell plays each clip to its end and loads the next, so with nine cells a new
item starts in some cell about every 0.9 s (8 s / 9). For --minutes
(default 60) it samples, every --interval seconds (default 30):

  - RSS of the process (VmRSS; also its anonymous and file-backed parts);
  - threads (/proc/PID/task) and open file descriptors (/proc/PID/fd);
  - items started so far (a cell's `first_frame_time` in the status file
    changing; the status file is polled every 0.5 s).

It prints one table row per sample, then the drift from the first sample
after --warmup-minutes (default 2) to the last, the range after warm-up and
a least-squares slope (MB per hour). When threads or descriptors differ
between warm-up and the end it lists which (threads by name, descriptors by
kind), since that is where a leak shows first. This is a measurement, not a
test: the product goal is "within a few MB of where it was after warm-up;
threads and file descriptors do not grow".

Usage: benchmarks/bench-memory.py [--minutes 60] [--interval 30] [--warmup-minutes 2]
                                  [--clips 16] [--clip-seconds 8] [--renderer x11] [--bin PATH]

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import collections
import datetime
import os
import re
import sys
import time

import benchlib
from benchlib import harness

ROWS = COLUMNS = 3
CELLS = ROWS * COLUMNS


def proc_status(pid):
    """VmRSS, RssAnon, RssFile (bytes) and Threads from /proc/PID/status."""
    values = {}
    with open("/proc/%d/status" % pid, "rb") as f:
        for line in f.read().decode(errors="replace").splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                values[key] = int(rest.split()[0]) * 1024
            elif key == "Threads":
                values[key] = int(rest)
    return values


def thread_names(pid):
    names = collections.Counter()
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid), "rb") as f:
                names[f.read().decode(errors="replace").strip()] += 1
        except OSError:
            pass
    return names


def fd_kinds(pid):
    """Open descriptors by kind: socket, pipe, anon_inode:[eventfd], a
    device, or the folder of a file (numbers stripped)."""
    kinds = collections.Counter()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith(("socket:", "pipe:")):
            kind = target.split(":")[0]
        elif target.startswith("anon_inode:"):
            kind = target
        elif target.startswith("/dev/"):
            kind = re.sub(r"\d+$", "N", target)
        else:
            kind = os.path.dirname(target) + "/…"
        kinds[kind] += 1
    return kinds


class ItemCounter:
    """Counts items started: each (cell, first_frame_time) seen once."""

    def __init__(self, app):
        self.app = app
        self.seen = {}
        self.count = 0
        self.states = collections.Counter()

    def poll(self):
        status = self.app.status()
        for cell in harness.cells(status):
            stamp = cell.get("first_frame_time")
            index = cell.get("index")
            self.states[cell.get("state")] += 1
            if stamp is not None and self.seen.get(index) != stamp:
                self.seen[index] = stamp
                self.count += 1


def slope_per_hour(points):
    """Least-squares slope of (seconds, value) points, per hour."""
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    sxx = sum((t - mx) ** 2 for t, _ in points)
    if sxx == 0:
        return None
    return sum((t - mx) * (v - my) for t, v in points) / sxx * 3600


def diff_counters(before, after):
    keys = sorted(set(before) | set(after))
    return ["%s %d → %d" % (k, before.get(k, 0), after.get(k, 0))
            for k in keys if before.get(k, 0) != after.get(k, 0)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60, help="run time (default 60)")
    parser.add_argument("--renderer", default="x11",
                        help="the wall's renderer (default x11: what auto picks without a GPU)")
    parser.add_argument("--interval", type=float, default=30,
                        help="seconds between samples (default 30)")
    parser.add_argument("--warmup-minutes", type=float, default=2,
                        help="drift is measured from the first sample after this (default 2)")
    parser.add_argument("--clips", type=int, default=16, help="clips in the folder (default 16)")
    parser.add_argument("--clip-seconds", type=int, default=8,
                        help="length of each clip (default 8)")
    parser.add_argument("--bin", default=None, help="the hyperwall binary "
                        "(default: $HYPERWALL_BIN, then build/src/hyperwall)")
    args, unknown = parser.parse_known_args()
    if unknown:
        print("# ignoring options this benchmark does not take: %s" % " ".join(unknown),
              flush=True)
    if args.minutes <= 0 or args.interval < 1 or args.warmup_minutes >= args.minutes:
        parser.error("--minutes must be > --warmup-minutes, --interval >= 1")
    if args.clips < CELLS + 2:
        parser.error("--clips must be at least %d (nine on screen, one ahead)" % (CELLS + 2))
    binary = os.path.abspath(args.bin) if args.bin else benchlib.default_binary()
    if not os.access(binary, os.X_OK):
        parser.error("no hyperwall binary at %s (build it, or pass --bin)" % binary)
    benchlib.use_binary(binary)

    print("# bench-memory %s, %d cores, 3x3 local wall, %d clips of %d s, %g min, "
          "a sample every %g s" % (datetime.date.today().isoformat(), os.cpu_count(),
                                   args.clips, args.clip_seconds, args.minutes,
                                   args.interval), flush=True)
    samples = []
    with harness.Session() as session:
        print("# generating clips ...", flush=True)
        folder = session.path("clips")
        harness.generate_clips(folder, args.clips, seconds=args.clip_seconds)
        app = session.launch(["--local", folder, "--rows", str(ROWS), "--columns",
                              str(COLUMNS), "--renderer", args.renderer], debug=False)
        try:
            app.wait_for(harness.all_cells("playing", count=CELLS), 60, "every cell playing")
            start = time.monotonic()
            items = ItemCounter(app)
            cpu = benchlib.CpuWindow([app.pid])
            others = benchlib.OthersWindow([cpu])
            cpu.start(start)
            others.start(start)
            warm = None
            end = start + args.minutes * 60
            next_sample = start
            headers = ["min", "RSS", "anon", "file", "threads", "fds", "items", "items/s",
                       "CPU", "others' CPU"]
            print("# " + " | ".join(headers), flush=True)
            last_items, last_time = 0, start
            while True:
                now = time.monotonic()
                if now >= next_sample:
                    if app.poll() is not None:
                        raise harness.HarnessError("hyperwall exited (status %s)" % app.poll())
                    st = proc_status(app.pid)
                    fds = len(os.listdir("/proc/%d/fd" % app.pid))
                    rate = (items.count - last_items) / (now - last_time) if now > last_time \
                        else 0.0
                    sample = {"t": now - start, "rss": st["VmRSS"], "anon": st["RssAnon"],
                              "file": st["RssFile"], "threads": st["Threads"], "fds": fds,
                              "items": items.count, "rate": rate,
                              "cpu": cpu.percent(now) if now > start else None,
                              "others": others.percent(now) if now > start else None}
                    samples.append(sample)
                    print("# " + " | ".join([
                        "%.1f" % (sample["t"] / 60), "%.1f MB" % (sample["rss"] / 1e6),
                        "%.1f" % (sample["anon"] / 1e6), "%.1f" % (sample["file"] / 1e6),
                        str(sample["threads"]), str(fds), str(items.count), "%.2f" % rate,
                        benchlib.fmt(sample["cpu"], "%.0f %%"),
                        benchlib.fmt(sample["others"], "%.0f %%")]), flush=True)
                    last_items, last_time = items.count, now
                    if warm is None and sample["t"] >= args.warmup_minutes * 60:
                        warm = (sample, thread_names(app.pid), fd_kinds(app.pid))
                    next_sample += args.interval
                    if now >= end:
                        break
                items.poll()
                time.sleep(max(0.0, min(0.5, next_sample - time.monotonic())))
            final_threads, final_fds = thread_names(app.pid), fd_kinds(app.pid)
            final_status = app.status()
        finally:
            app.stop()

    print()
    benchlib.print_table(
        ["minute", "RSS", "anon", "file", "threads", "fds", "items started", "items/s",
         "CPU (mean so far)", "others' CPU"],
        [["%.1f" % (s["t"] / 60), "%.1f MB" % (s["rss"] / 1e6), "%.1f MB" % (s["anon"] / 1e6),
          "%.1f MB" % (s["file"] / 1e6), str(s["threads"]), str(s["fds"]), str(s["items"]),
          "%.2f" % s["rate"], benchlib.fmt(s["cpu"], "%.0f %%"),
          benchlib.fmt(s["others"], "%.0f %%")]
         for s in samples])
    print()
    first, last = samples[0], samples[-1]
    print("Items started: %d in %.1f min (%.2f per second); cell states seen: %s" % (
        last["items"], last["t"] / 60, last["items"] / last["t"] if last["t"] else 0,
        dict(items.states)))
    if warm is None:
        print("No sample after the warm-up: no drift to report.")
        return 0
    w = warm[0]
    after = [s for s in samples if s["t"] >= w["t"]]
    print("After warm-up (from minute %.1f to %.1f):" % (w["t"] / 60, last["t"] / 60))
    for key, label in (("rss", "RSS"), ("anon", "RssAnon"), ("file", "RssFile")):
        values = [s[key] for s in after]
        slope = slope_per_hour([(s["t"], s[key]) for s in after])
        print("  %-8s %.1f → %.1f MB (drift %+.1f MB; range %.1f–%.1f MB; slope %s MB/h)" % (
            label, w[key] / 1e6, last[key] / 1e6, (last[key] - w[key]) / 1e6,
            min(values) / 1e6, max(values) / 1e6,
            benchlib.fmt(slope / 1e6 if slope is not None else None, "%+.1f")))
    # One sample falls anywhere in the swing of the caches of the items in
    # flight: the medians of the first and last thirds say more.
    third = max(1, len(after) // 3)
    for key, label in (("rss", "RSS"),):
        a = sorted(s[key] for s in after[:third])[third // 2]
        b = sorted(s[key] for s in after[-third:])[third // 2]
        print("  %-8s median of the first third after warm-up %.1f MB, of the last third "
              "%.1f MB (%+.1f MB)" % (label, a / 1e6, b / 1e6, (b - a) / 1e6))
    for key, label in (("threads", "threads"), ("fds", "fds")):
        values = [s[key] for s in after]
        print("  %-8s %d → %d (range %d–%d)" % (label, w[key], last[key], min(values),
                                               max(values)))
    print("  (before warm-up: RSS %.1f MB, %d threads, %d fds at the first sample)" % (
        first["rss"] / 1e6, first["threads"], first["fds"]))
    changed = diff_counters(warm[1], final_threads)
    if changed:
        print("  threads by name, warm-up → end: %s" % "; ".join(changed))
    changed = diff_counters(warm[2], final_fds)
    if changed:
        print("  descriptors by kind, warm-up → end: %s" % "; ".join(changed))
    not_playing = [c.get("state") for c in harness.cells(final_status)
                   if c.get("state") != "playing"]
    if not_playing:
        print("  cells not playing at the end: %s" % not_playing)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
