#!/usr/bin/env python3
"""bench-wall: what a Hyperwall wall costs next to separate mpv players.

One private Xvfb for the whole run. For each clip size (--sizes, 360p and
720p by default) and each grid (2x2 and 3x3 by default) it plays the same
generated clips (30 fps H.264, 640x360 or 1280x720, made in a temporary
folder at run time) with:

  - hyperwall --local DIR --renderer x11        (what `auto` picks on X11
                                                 without a GPU)
  - hyperwall --local DIR --renderer software   (frames drawn through GTK)
  - hyperwall --local DIR --renderer gl
  - N x mpv --vo=x11 --ao=null --loop-file=inf  (one window per cell, tiled)
  - N x mpv --vo=gpu --gpu-sw=yes ...           (skipped if it does not start)
  - N x ffmpeg -re -i CLIP -f null -            (the decode floor: no scaling,
                                                 no display)
  - with --baseline-bin, an older hyperwall --renderer software too, so a
    change is measured against its parent in the same run

and measures, over --seconds after a warm-up: CPU (utime + stime from
/proc/PID/stat, summed over the player processes, in % of one core; the X
server's own CPU in its own column), RSS summed over the player processes,
and frames shown per second per cell (hyperwall: the `frames` counter of
each cell in the status file, over the status file's own timestamps; mpv:
`estimated-frame-number` minus `frame-drop-count` through its JSON IPC),
frames dropped per second per cell (hyperwall: each cell's `dropped_frames`;
mpv: `frame-drop-count`), and the time to the first frame in every cell
(hyperwall: from the launch to each cell's `first_frame_time` in the status
file; mpv: from each player's spawn until its `estimated-frame-number` is
above 0), the median cell and the slowest. The last column is the CPU
everything else on the machine used meanwhile (from /proc/stat): a shared
2-core machine is noisy, and this says how much. It prints a Markdown table,
every cell's frames per second, drops per second and first frame, and the
ratios hyperwall / peer.

Usage: benchmarks/bench-wall.py [--seconds 20] [--grids 2x2,3x3] [--sizes 360p,720p]
                                [--bin PATH] [--baseline-bin PATH] [--no-gl]
                                [--no-gpu-peer]

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import benchlib
from benchlib import harness

SCREEN_W, SCREEN_H = harness.SCREEN_WIDTH, harness.SCREEN_HEIGHT
SIZES = {"360p": "640x360", "720p": "1280x720"}


class FrameCounter:
    """Accumulates a counter that may restart from zero (new item, loop)."""

    def __init__(self):
        self.last = None
        self.total = 0

    def add(self, value):
        if value is None:
            return
        if self.last is not None:
            self.total += value - self.last if value >= self.last else value
        self.last = value


# ---------------------------------------------------------------------------
# mpv peers

class MpvIpc:
    """A minimal client for mpv's JSON IPC (one request at a time)."""

    def __init__(self, path, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise harness.HarnessError("mpv IPC socket %s never came up" % path)
                time.sleep(0.1)
        self.sock.settimeout(5)
        self.buffer = b""
        self.request = 0

    def get(self, name):
        self.request += 1
        message = {"command": ["get_property", name], "request_id": self.request}
        self.sock.sendall(json.dumps(message).encode() + b"\n")
        while True:
            while b"\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise harness.HarnessError("mpv closed its IPC socket")
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\n", 1)
            reply = json.loads(line)
            if reply.get("request_id") == self.request:
                return reply.get("data") if reply.get("error") == "success" else None

    def close(self):
        self.sock.close()


class MpvPeer:
    def __init__(self, session, clip, geometry, vo_args, index):
        self.ipc_path = session.path("mpv-%d.sock" % index)
        self.log = open(session.path("mpv-%d.log" % index), "wb")
        argv = ["mpv", "--no-config", "--really-quiet", "--no-terminal",
                "--ao=null", "--loop-file=inf", "--hwdec=no", "--no-border",
                "--no-osc", "--osd-level=0", "--geometry=%s" % geometry,
                "--input-ipc-server=%s" % self.ipc_path] + vo_args + [clip]
        self.spawned = time.monotonic()
        self.popen = subprocess.Popen(argv, env=session.environment(debug=False),
                                      stdin=subprocess.DEVNULL, stdout=self.log,
                                      stderr=self.log)
        self.ipc = None
        self.first_frame = None     # seconds from spawn

    @property
    def pid(self):
        return self.popen.pid

    def connect(self):
        self.ipc = MpvIpc(self.ipc_path)

    def frames(self):
        return self.ipc.get("estimated-frame-number"), self.ipc.get("frame-drop-count")

    def stop(self):
        if self.ipc:
            self.ipc.close()
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.log.close()


def tile_geometry(rows, columns, index):
    row, col = divmod(index, columns)
    x0, x1 = SCREEN_W * col // columns, SCREEN_W * (col + 1) // columns
    y0, y1 = SCREEN_H * row // rows, SCREEN_H * (row + 1) // rows
    return "%dx%d+%d+%d" % (x1 - x0, y1 - y0, x0, y0)


def measure_mpv(session, clips, rows, columns, vo_args, args):
    peers = []
    try:
        for i in range(rows * columns):
            peers.append(MpvPeer(session, clips[i], tile_geometry(rows, columns, i),
                                 vo_args, i))
        for peer in peers:
            peer.connect()
        deadline = time.monotonic() + 30
        while not all(p.first_frame is not None for p in peers):
            for p in peers:
                if p.first_frame is None and \
                        (p.ipc.get("estimated-frame-number") or 0) > 0:
                    p.first_frame = time.monotonic() - p.spawned
            if any(p.popen.poll() is not None for p in peers):
                raise harness.HarnessError("an mpv peer exited during start-up")
            if time.monotonic() > deadline:
                raise harness.HarnessError("mpv peers did not start playing in 30 s")
            time.sleep(0.02)
        time.sleep(args.warmup)

        pids = [p.pid for p in peers]
        shown = [FrameCounter() for _ in peers]
        dropped = [FrameCounter() for _ in peers]
        cpu = benchlib.CpuWindow(pids)
        xcpu = benchlib.CpuWindow([session.xvfb.pid])
        others = benchlib.OthersWindow([cpu, xcpu])
        rss = []

        def sample():
            for peer, s, d in zip(peers, shown, dropped):
                number, drops = peer.frames()
                s.add(number)
                d.add(drops)

        start = time.monotonic()
        cpu.start(start)
        xcpu.start(start)
        others.start(start)
        sample()
        next_rss = start
        while time.monotonic() < start + args.seconds:
            time.sleep(0.1)
            sample()
            if time.monotonic() >= next_rss:
                rss.append(benchlib.total_rss(pids))
                next_rss += 1.0
        sample()
        end = time.monotonic()
        result = {
            "cpu": cpu.percent(end), "xcpu": xcpu.percent(end),
            "others": others.percent(end),
            "rss": sum(rss) / len(rss), "processes": len(peers),
            "fps": [(s.total - d.total) / (end - start) for s, d in zip(shown, dropped)],
            "drops": [d.total / (end - start) for d in dropped],
            "first_frame": [p.first_frame for p in peers],
        }
        return result
    finally:
        for peer in peers:
            peer.stop()


# ---------------------------------------------------------------------------
# the decode floor

def measure_decode(session, clips, rows, columns, args):
    """N x ffmpeg decoding its clip at the clip's own rate, output thrown
    away: what decoding alone costs, below any player."""
    procs = []
    logs = []
    try:
        for i in range(rows * columns):
            log = open(session.path("ffmpeg-%d.log" % i), "wb")
            logs.append(log)
            procs.append(subprocess.Popen(
                ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
                 "-stream_loop", "-1", "-i", clips[i], "-an", "-f", "null", "-"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log))
        time.sleep(args.warmup)
        if any(p.poll() is not None for p in procs):
            raise harness.HarnessError("an ffmpeg decoder exited during start-up")
        pids = [p.pid for p in procs]
        cpu = benchlib.CpuWindow(pids)
        xcpu = benchlib.CpuWindow([session.xvfb.pid])
        others = benchlib.OthersWindow([cpu, xcpu])
        rss = []
        start = time.monotonic()
        cpu.start(start)
        xcpu.start(start)
        others.start(start)
        while time.monotonic() < start + args.seconds:
            rss.append(benchlib.total_rss(pids))
            time.sleep(1.0)
        end = time.monotonic()
        return {"cpu": cpu.percent(end), "xcpu": xcpu.percent(end),
                "others": others.percent(end), "rss": sum(rss) / len(rss),
                "processes": len(procs), "fps": None}
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        for log in logs:
            log.close()


# ---------------------------------------------------------------------------
# hyperwall

def measure_hyperwall(session, folder, rows, columns, renderer, args, binary=None):
    if binary:
        os.environ["HYPERWALL_BIN"] = binary
    count = rows * columns
    first = [None] * count
    launched = time.time()
    app = session.launch(["--local", folder, "--rows", str(rows), "--columns",
                          str(columns), "--renderer", renderer], debug=False)
    try:
        def note_first_frames(status):
            """Each cell's first first_frame_time; an older build without it:
            the first snapshot showing frames > 0 (coarser)."""
            for cell in harness.cells(status):
                index = cell.get("index")
                if not isinstance(index, int) or not 0 <= index < count \
                        or first[index] is not None:
                    continue
                stamp = cell.get("first_frame_time")
                if stamp is None and "first_frame_time" not in cell \
                        and (cell.get("frames") or 0) > 0:
                    stamp = status.get("time")
                if isinstance(stamp, (int, float)):
                    first[index] = stamp - launched
            return all(f is not None for f in first)

        deadline = time.monotonic() + 60
        while True:
            status = app.status()
            if status and note_first_frames(status) and \
                    harness.all_cells("playing", count=count)(status):
                break
            if app.poll() is not None:
                raise harness.HarnessError("hyperwall exited during start-up")
            if time.monotonic() > deadline:
                raise harness.HarnessError("not every cell played within 60 s:\n%s"
                                           % harness.summarize(status))
            time.sleep(0.02)
        time.sleep(args.warmup)

        counters = [FrameCounter() for _ in range(count)]
        drops = [FrameCounter() for _ in range(count)]
        stamps = []

        def sample():
            status = app.status()
            if not status or (stamps and status.get("time") == stamps[-1]):
                return
            stamps.append(status.get("time"))
            for cell in harness.cells(status):
                index = cell.get("index")
                if isinstance(index, int) and 0 <= index < count:
                    counters[index].add(cell.get("frames"))
                    drops[index].add(cell.get("dropped_frames"))

        cpu = benchlib.CpuWindow([app.pid])
        xcpu = benchlib.CpuWindow([session.xvfb.pid])
        others = benchlib.OthersWindow([cpu, xcpu])
        rss = []
        start = time.monotonic()
        cpu.start(start)
        xcpu.start(start)
        others.start(start)
        sample()
        next_rss = start
        while time.monotonic() < start + args.seconds:
            time.sleep(0.1)
            sample()
            if time.monotonic() >= next_rss:
                rss.append(benchlib.total_rss([app.pid]))
                next_rss += 1.0
        end = time.monotonic()
        cpu_percent, x_percent = cpu.percent(end), xcpu.percent(end)
        others_percent = others.percent(end)
        states = [c.get("state") for c in harness.cells(app.status())]
        span = (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0
        if span <= 0:
            raise harness.HarnessError("the status file did not change during the run")
        return {
            "cpu": cpu_percent, "xcpu": x_percent, "others": others_percent,
            "rss": sum(rss) / len(rss),
            "processes": 1, "fps": [c.total / span for c in counters],
            "drops": ([d.total / span for d in drops]
                      if all(d.last is not None for d in drops) else None),
            "first_frame": first,
            "states": states,
        }
    finally:
        app.stop()


# ---------------------------------------------------------------------------

def make_folders(session, clip_seconds, grids, size):
    """One folder per grid holding exactly its cells' clips (hard links), so
    hyperwall and the mpv peers decode the very same files."""
    most = max(r * c for r, c in grids)
    clips = harness.generate_clips(session.path("clips-%s" % size), most,
                                   seconds=clip_seconds, size=SIZES[size])
    folders = {}
    for rows, columns in grids:
        folder = session.path("wall-%s-%dx%d" % (size, rows, columns))
        os.makedirs(folder)
        for clip in clips[:rows * columns]:
            os.link(clip, os.path.join(folder, os.path.basename(clip)))
        folders[(rows, columns)] = folder
    return clips, folders


def parse_grids(text):
    grids = []
    for part in text.split(","):
        rows, _, columns = part.strip().partition("x")
        grids.append((int(rows), int(columns)))
    return grids


def mean(values):
    values = [v for v in values or [] if v is not None]
    return sum(values) / len(values) if values else None


def median(values):
    values = sorted(v for v in values or [] if v is not None)
    return values[len(values) // 2] if values else None


def slowest(values):
    values = values or []
    return max(values) if values and None not in values else None


def row_for(key, name, result):
    size, grid = key
    label = [size, "%dx%d" % grid, name]
    if result is None:
        return label + ["—"] * 10
    fps = result["fps"]
    return label + [
        str(result["processes"]),
        benchlib.fmt(result["cpu"], "%.0f %%"), benchlib.fmt(result["xcpu"], "%.0f %%"),
        benchlib.fmt(result["rss"] / 1e6, "%.0f MB"),
        benchlib.fmt(mean(fps), "%.1f"),
        benchlib.fmt(min(fps) if fps else None, "%.1f"),
        benchlib.fmt(mean(result.get("drops")), "%.2f"),
        benchlib.fmt(median(result.get("first_frame")), "%.2f s"),
        benchlib.fmt(slowest(result.get("first_frame")), "%.2f s"),
        benchlib.fmt(result["others"], "%.0f %%")]


def print_cells(results, keys, names):
    print()
    print("Each cell: frames per second / dropped per second / first frame (s):")
    for key in keys:
        for name in names:
            result = results.get((key, name))
            if not result or not result["fps"]:
                continue
            drops = result.get("drops") or [None] * len(result["fps"])
            first = result.get("first_frame") or [None] * len(result["fps"])
            cells = " ".join("%.1f/%s/%s" % (f, benchlib.fmt(d, "%.1f"), benchlib.fmt(t, "%.2f"))
                             for f, d, t in zip(result["fps"], drops, first))
            print("  %-4s %dx%d  %-26s %s" % (key[0], key[1][0], key[1][1], name, cells))
    sys.stdout.flush()


def print_ratios(results, keys):
    print()
    print("Ratios hyperwall / peer (CPU of the players, X server excluded, and with it; "
          "RSS; mean fps per cell; first frame of the slowest cell):")
    for key in keys:
        for ours in ("hyperwall x11", "hyperwall software", "hyperwall gl",
                     "baseline software"):
            for peer in ("mpv --vo=x11", "mpv --vo=gpu --gpu-sw=yes", "baseline software",
                         "ffmpeg decode floor"):
                a, b = results.get((key, ours)), results.get((key, peer))
                if not a or not b or a is b:
                    continue
                print("  %-4s %dx%d  %-18s / %-26s CPU %s  CPU+X %s  RSS %s  fps %s  "
                      "first frame %s" % (
                          key[0], key[1][0], key[1][1], ours, peer,
                          benchlib.fmt(benchlib.ratio(a["cpu"], b["cpu"]), "%.2f"),
                          benchlib.fmt(benchlib.ratio(a["cpu"] + a["xcpu"],
                                                      b["cpu"] + b["xcpu"]), "%.2f"),
                          benchlib.fmt(benchlib.ratio(a["rss"], b["rss"]), "%.2f"),
                          benchlib.fmt(benchlib.ratio(mean(a["fps"]), mean(b["fps"])), "%.2f"),
                          benchlib.fmt(benchlib.ratio(slowest(a.get("first_frame")),
                                                      slowest(b.get("first_frame"))),
                                       "%.2f")))
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20,
                        help="measured seconds per configuration (default 20)")
    parser.add_argument("--warmup", type=float, default=3,
                        help="seconds of playback before measuring (default 3)")
    parser.add_argument("--clip-seconds", type=int, default=20,
                        help="length of the generated clips (default 20)")
    parser.add_argument("--grids", default="2x2,3x3", help="default 2x2,3x3")
    parser.add_argument("--sizes", default="360p,720p",
                        help="clip sizes: 360p (640x360), 720p (1280x720); default both")
    parser.add_argument("--bin", default=None, help="the hyperwall binary "
                        "(default: $HYPERWALL_BIN, then build/src/hyperwall)")
    parser.add_argument("--no-gpu-peer", action="store_true",
                        help="skip the mpv --vo=gpu --gpu-sw=yes peer")
    parser.add_argument("--no-gl", action="store_true",
                        help="skip the hyperwall --renderer gl rows")
    parser.add_argument("--baseline-bin", default=None,
                        help="an older hyperwall binary, measured (software) in the same run")
    parser.add_argument("--json", help="also write the raw results to this file")
    # build-aux/run bench hands the same ARGS to every benchmark: skip (and
    # say) the ones that belong to another.
    args, unknown = parser.parse_known_args()
    if unknown:
        print("# ignoring options this benchmark does not take: %s" % " ".join(unknown),
              flush=True)
    if not 1 <= args.seconds <= 600 or not 0 <= args.warmup <= 60:
        parser.error("--seconds must be 1..600 and --warmup 0..60")
    grids = parse_grids(args.grids)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if not sizes or any(s not in SIZES for s in sizes):
        parser.error("--sizes takes %s" % ",".join(SIZES))
    binary = os.path.abspath(args.bin) if args.bin else benchlib.default_binary()
    if not os.access(binary, os.X_OK):
        parser.error("no hyperwall binary at %s (build it, or pass --bin)" % binary)
    if not shutil.which("mpv"):
        parser.error("mpv is not installed (Debian package mpv)")
    benchlib.use_binary(binary)
    baseline = os.path.abspath(args.baseline_bin) if args.baseline_bin else None
    if baseline and not os.access(baseline, os.X_OK):
        parser.error("no baseline binary at %s" % baseline)

    print("# bench-wall %s, %d cores, %g s per configuration after %g s warm-up"
          % (datetime.date.today().isoformat(), os.cpu_count(), args.seconds,
             args.warmup), flush=True)
    results = {}
    keys = [(size, grid) for size in sizes for grid in grids]
    peers = [("mpv --vo=x11", ["--vo=x11"])]
    if not args.no_gpu_peer:
        peers.append(("mpv --vo=gpu --gpu-sw=yes", ["--vo=gpu", "--gpu-sw=yes"]))
    with harness.Session() as session:
        for size in sizes:
            print("# generating %s clips ..." % size, flush=True)
            clips, folders = make_folders(session, args.clip_seconds, grids, size)
            for grid in grids:
                key = (size, grid)
                rows, columns = grid
                runs = [("hyperwall x11", "x11", binary),
                        ("hyperwall software", "software", binary)]
                if baseline:
                    runs.append(("baseline software", "software", baseline))
                if not args.no_gl:
                    runs.append(("hyperwall gl", "gl", binary))
                for name, renderer, path in runs:
                    print("# %s %dx%d %s" % (size, rows, columns, name), flush=True)
                    try:
                        results[(key, name)] = measure_hyperwall(
                            session, folders[grid], rows, columns, renderer, args, path)
                        not_playing = [s for s in results[(key, name)]["states"]
                                       if s != "playing"]
                        if not_playing:
                            print("#   cells not playing at the end: %s" % not_playing)
                    except (harness.HarnessError, harness.TestFailure) as e:
                        print("#   failed: %s" % str(e).splitlines()[0], flush=True)
                for name, vo_args in peers:
                    print("# %s %dx%d %s" % (size, rows, columns, name), flush=True)
                    try:
                        results[(key, name)] = measure_mpv(session, clips, rows, columns,
                                                           vo_args, args)
                    except (harness.HarnessError, OSError) as e:
                        print("#   failed: %s" % str(e).splitlines()[0], flush=True)
                print("# %s %dx%d ffmpeg decode floor" % (size, rows, columns), flush=True)
                try:
                    results[(key, "ffmpeg decode floor")] = measure_decode(
                        session, clips, rows, columns, args)
                except (harness.HarnessError, OSError) as e:
                    print("#   failed: %s" % str(e).splitlines()[0], flush=True)

    print()
    headers = ["clips", "grid", "player", "procs", "CPU", "X server CPU", "RSS", "fps/cell",
               "min fps", "drops/s", "1st frame", "slowest 1st", "others' CPU"]
    names = ["hyperwall x11", "hyperwall software"] + (["baseline software"] if baseline else []) \
        + ([] if args.no_gl else ["hyperwall gl"]) + [p[0] for p in peers] \
        + ["ffmpeg decode floor"]
    table = []
    for key in keys:
        for name in names:
            table.append(row_for(key, name, results.get((key, name))))
    benchlib.print_table(headers, table)
    print_cells(results, keys, names)
    print_ratios(results, keys)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"%s %dx%d %s" % (k[0], k[1][0], k[1][1], n): r
                       for (k, n), r in results.items()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
