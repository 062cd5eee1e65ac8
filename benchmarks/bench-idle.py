#!/usr/bin/env python3
"""bench-idle: what a wall costs when it plays, when it is paused, and when
every cell is parked.

One private Xvfb and session bus. A 3x3 local wall (generated 360p30 H.264
clips, --renderer x11 by default) is measured in three states, each for --seconds
after it settled:

  - playing: every cell plays;
  - paused:  the wall paused through its `toggle-pause-wall` action on the
             session bus (`gapplication action org.example.Hyperwall
             toggle-pause-wall`, as a script would), every cell `paused`;
  - parked:  a second wall over clips truncated to a tenth (the header
             promises the whole clip, the data ends after about a second),
             with HYPERWALL_CRASH_LOOP_THRESHOLD=1 and a cooldown of an
             hour: each cell's first failure parks it, and it stays parked.

The peer, in the same run: nine `mpv --vo=x11 --ao=null` windows playing the
same clips, then the same nine paused (`--pause`), then nine idle
(`--idle=yes`, no file), the nearest thing mpv has to a parked cell.

For each it prints CPU (utime + stime of the processes, % of one core; the X
server in its own column), wakeups per second (voluntary + involuntary
context switches of every thread, from /proc/PID/task/*/status, per second:
each is a thread going to sleep or being preempted, so it counts how often
the process runs), the thread count, and the CPU everything else on the
machine used meanwhile. Then the threads of each Hyperwall state that woke
most, by name. The status file is written (the benchmark reads it) and so
the main-loop monitor runs, as on a monitored wall.

With --before PATH a second build is measured in the same three states, so
a change is compared with its parent in the same run.

Usage: benchmarks/bench-idle.py [--seconds 10] [--renderer x11] [--bin PATH] [--before PATH] [--top 6]
                                [--no-peer]

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import time

import benchlib
from benchlib import harness

APP_ID = "org.example.Hyperwall"
ROWS = COLUMNS = 3
CELLS = ROWS * COLUMNS


def thread_switches(pid):
    """{tid: (name, voluntary + involuntary context switches)} of @pid."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid), "rb") as f:
                text = f.read().decode(errors="replace")
        except OSError:
            continue  # the thread exited meanwhile
        name, switches = "?", 0
        for line in text.splitlines():
            if line.startswith("Name:"):
                name = line.split(None, 1)[1] if len(line.split(None, 1)) > 1 else "?"
            elif line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                switches += int(line.split()[1])
        out[(pid, int(tid))] = (name, switches)
    return out


def all_switches(pids):
    out = {}
    for pid in pids:
        out.update(thread_switches(pid))
    return out


def measure(pids, xvfb_pid, seconds):
    """CPU, X CPU, others' CPU, wakeups/s, threads and per-thread wakeups of
    @pids over @seconds."""
    cpu = benchlib.CpuWindow(pids)
    xcpu = benchlib.CpuWindow([xvfb_pid])
    others = benchlib.OthersWindow([cpu, xcpu])
    start = time.monotonic()
    before = all_switches(pids)
    cpu.start(start)
    xcpu.start(start)
    others.start(start)
    time.sleep(seconds)
    end = time.monotonic()
    after = all_switches(pids)
    span = end - start
    per_thread = {}
    for key, (name, count) in after.items():
        # A thread born during the window counts from zero; one that ended
        # is lost (its switches go with it): say so through the thread count.
        delta = count - before.get(key, (name, 0))[1]
        per_thread[key] = (name, delta / span)
    return {
        "cpu": cpu.percent(end), "xcpu": xcpu.percent(end), "others": others.percent(end),
        "wakeups": sum(rate for _n, rate in per_thread.values()),
        "threads": len(after), "threads_before": len(before),
        "per_thread": per_thread, "processes": len(pids),
    }


def by_name(per_thread):
    """Wakeups per second summed over threads of the same name, busiest first."""
    totals = {}
    counts = {}
    for name, rate in per_thread.values():
        totals[name] = totals.get(name, 0.0) + rate
        counts[name] = counts.get(name, 0) + 1
    return sorted(((rate, name, counts[name]) for name, rate in totals.items()), reverse=True)


def gapplication(session, *args):
    result = subprocess.run(["gapplication"] + list(args),
                            env=session.environment(debug=False),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    if result.returncode != 0:
        raise harness.HarnessError("gapplication %s: %s" % (
            " ".join(args), result.stderr.decode(errors="replace").strip()))


def truncate_copies(clips, folder, fraction=0.1):
    os.makedirs(folder)
    for clip in clips:
        target = os.path.join(folder, os.path.basename(clip))
        shutil.copyfile(clip, target)
        with open(target, "r+b") as f:
            f.truncate(int(os.path.getsize(target) * fraction))


def settle(app, predicate, timeout, what):
    app.wait_for(predicate, timeout, what)


def hyperwall_states(session, folder, broken, args, binary):
    os.environ["HYPERWALL_BIN"] = binary
    results = {}
    app = session.launch(["--local", folder, "--rows", str(ROWS), "--columns", str(COLUMNS),
                          "--renderer", args.renderer], debug=False)
    try:
        settle(app, harness.all_cells("playing", count=CELLS), 60, "every cell playing")
        time.sleep(args.warmup)
        print("# hyperwall playing", flush=True)
        results["playing"] = measure([app.pid], session.xvfb.pid, args.seconds)
        gapplication(session, "action", APP_ID, "toggle-pause-wall")
        settle(app, harness.all_cells("paused", count=CELLS), 20, "every cell paused")
        time.sleep(args.warmup)
        print("# hyperwall paused", flush=True)
        results["paused"] = measure([app.pid], session.xvfb.pid, args.seconds)
        # Still paused at the end: nothing woke it up meanwhile.
        if not harness.all_cells("paused", count=CELLS)(app.status()):
            print("#   not every cell stayed paused:\n%s" % harness.summarize(app.status()))
    finally:
        app.stop()

    app = session.launch(["--local", broken, "--rows", str(ROWS), "--columns", str(COLUMNS),
                          "--renderer", args.renderer],
                         env={"HYPERWALL_CRASH_LOOP_THRESHOLD": "1",
                              "HYPERWALL_CRASH_LOOP_COOLDOWN": "3600",
                              "HYPERWALL_BACKOFF_INITIAL": "1"}, debug=False)
    try:
        settle(app, harness.all_cells("parked", count=CELLS), 60, "every cell parked")
        time.sleep(args.warmup)
        print("# hyperwall parked", flush=True)
        results["parked"] = measure([app.pid], session.xvfb.pid, args.seconds)
        if not harness.all_cells("parked", count=CELLS)(app.status()):
            print("#   not every cell stayed parked:\n%s" % harness.summarize(app.status()))
    finally:
        app.stop()
    return results


def tile_geometry(index):
    row, col = divmod(index, COLUMNS)
    w, h = harness.SCREEN_WIDTH // COLUMNS, harness.SCREEN_HEIGHT // ROWS
    return "%dx%d+%d+%d" % (w, h, col * w, row * h)


def mpv_state(session, clips, extra, files, args, name):
    procs = []
    logs = []
    try:
        for i in range(CELLS):
            log = open(session.path("mpv-idle-%s-%d.log" % (name, i)), "wb")
            logs.append(log)
            argv = ["mpv", "--no-config", "--really-quiet", "--no-terminal", "--ao=null",
                    "--vo=x11", "--hwdec=no", "--loop-file=inf", "--no-border", "--no-osc",
                    "--osd-level=0", "--geometry=%s" % tile_geometry(i)] + extra
            if files:
                argv.append(clips[i])
            procs.append(subprocess.Popen(argv, env=session.environment(debug=False),
                                          stdin=subprocess.DEVNULL, stdout=log, stderr=log))
        # mpv says nothing over stdout here: give it time to open and settle.
        time.sleep(3 + args.warmup)
        if any(p.poll() is not None for p in procs):
            raise harness.HarnessError("an mpv peer exited during start-up")
        print("# mpv %s" % name, flush=True)
        return measure([p.pid for p in procs], session.xvfb.pid, args.seconds)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10,
                        help="measured seconds per state (default 10)")
    parser.add_argument("--warmup", type=float, default=2,
                        help="seconds a state settles before it is measured (default 2)")
    parser.add_argument("--bin", default=None, help="the hyperwall binary "
                        "(default: $HYPERWALL_BIN, then build/src/hyperwall)")
    parser.add_argument("--before", default=None,
                        help="a second hyperwall binary, measured in the same run")
    parser.add_argument("--top", type=int, default=6,
                        help="threads listed per Hyperwall state (default 6)")
    parser.add_argument("--no-peer", action="store_true", help="skip the mpv rows")
    parser.add_argument("--renderer", default="x11",
                        help="the wall's renderer (default x11: what auto picks without a GPU)")
    args, unknown = parser.parse_known_args()
    if unknown:
        print("# ignoring options this benchmark does not take: %s" % " ".join(unknown),
              flush=True)
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be 1..600")
    binary = os.path.abspath(args.bin) if args.bin else benchlib.default_binary()
    if not os.access(binary, os.X_OK):
        parser.error("no hyperwall binary at %s (build it, or pass --bin)" % binary)
    if not shutil.which("gapplication"):
        parser.error("gapplication is not installed (Debian package libglib2.0-bin)")
    peer = not args.no_peer and shutil.which("mpv")
    builds = [("hyperwall", binary)]
    if args.before:
        before = os.path.abspath(args.before)
        if not os.access(before, os.X_OK):
            parser.error("no hyperwall binary at %s" % before)
        builds.insert(0, ("hyperwall before", before))
    benchlib.use_binary(binary)

    print("# bench-idle %s, %d cores, 3x3 local wall, %g s per state after %g s settling"
          % (datetime.date.today().isoformat(), os.cpu_count(), args.seconds, args.warmup),
          flush=True)
    rows = []
    results = {}
    with harness.Session() as session:
        print("# generating clips ...", flush=True)
        folder = session.path("clips")
        clips = harness.generate_clips(folder, CELLS + 3, seconds=20)
        broken = session.path("broken")
        truncate_copies(clips, broken)
        for name, path in builds:
            print("# %s (%s)" % (name, path), flush=True)
            try:
                for state, result in hyperwall_states(session, folder, broken, args,
                                                      path).items():
                    results[(name, state)] = result
            except (harness.HarnessError, harness.TestFailure) as e:
                print("#   failed: %s" % str(e).splitlines()[0], flush=True)
        if peer:
            for state, extra, files in (("playing", [], True), ("paused", ["--pause"], True),
                                        ("parked", ["--idle=yes"], False)):
                try:
                    results[("mpv --vo=x11", state)] = mpv_state(session, clips, extra, files,
                                                                 args, state)
                except (harness.HarnessError, OSError) as e:
                    print("#   failed: %s" % str(e).splitlines()[0], flush=True)

    print()
    players = [name for name, _path in builds] + (["mpv --vo=x11"] if peer else [])
    for state in ("playing", "paused", "parked"):
        for player in players:
            r = results.get((player, state))
            label = state if player.startswith("hyperwall") else {"playing": "playing",
                                                         "paused": "paused (--pause)",
                                                         "parked": "idle (--idle=yes)"}[state]
            if r is None:
                rows.append([label, player, "—", "—", "—", "—", "—", "—"])
                continue
            rows.append([label, player, str(r["processes"]), "%.1f %%" % r["cpu"],
                         "%.1f %%" % r["xcpu"], "%.0f" % r["wakeups"],
                         str(r["threads"]) if r["threads"] == r["threads_before"]
                         else "%d → %d" % (r["threads_before"], r["threads"]),
                         "%.0f %%" % r["others"]])
    benchlib.print_table(["state", "player", "procs", "CPU", "X server CPU", "wakeups/s",
                          "threads", "others' CPU"], rows)

    print()
    print("Ratios (CPU; wakeups per second):")
    for state in ("playing", "paused", "parked"):
        for name, _path in builds:
            for peer_name in ("hyperwall before", "mpv --vo=x11"):
                a, b = results.get((name, state)), results.get((peer_name, state))
                if a and b and a is not b:
                    print("  %-8s %-16s / %-16s CPU %s  wakeups %s" % (
                        state, name, peer_name,
                        benchlib.fmt(benchlib.ratio(a["cpu"], b["cpu"]), "%.2f"),
                        benchlib.fmt(benchlib.ratio(a["wakeups"], b["wakeups"]), "%.2f")))

    print()
    print("Hyperwall's threads that woke most (name ×threads: wakeups per second):")
    for name, _path in builds:
        for state in ("playing", "paused", "parked"):
            r = results.get((name, state))
            if not r:
                continue
            top = by_name(r["per_thread"])[:args.top]
            print("  %-16s %-8s %s" % (name, state, ", ".join(
                "%s ×%d: %.0f" % (thread, n, rate) for rate, thread, n in top)))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
