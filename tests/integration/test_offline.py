#!/usr/bin/env python3
"""The wall outlives its server: copies on disk play while it is away.

outage-and-restart: a 2x2 wall plays 5 s clips from the fake Emby server
and fills its offline cache in the background (status offline_cache:
every item, within its budget, through /Items/{Id}/Download where the
server allows it and the static stream where it does not). Then the
server refuses every connection for longer than every clip: every cell
keeps playing, copies from disk (from_cache), no item on two cells, each
cell going through several items. The wall is restarted while the server
is still away, with one copy truncated on disk: the truncated copy is
removed, and the new wall plays from its copies within 10 s, without
signing in. When the server comes back, every cell streams again.

small-disk: the cache folder on a 6 MiB tmpfs of its own (a private mount
namespace: root only, else skipped) and a budget far bigger: the cache
takes no more than leaves the disk 10 % free while it keeps copying (older
copies given back). Then the disk fills up under a download
(another file takes the space): the download stops, the cache gives a
quarter back and rests, and every cell plays on.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import shutil
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import heal_util  # noqa: E402

CLIPS = 6
CLIP_S = 5
OUTAGE_S = 70
RESTART_PLAY_S = 10

ENV = {
    "HYPERWALL_BACKOFF_INITIAL": "1",
    "HYPERWALL_BACKOFF_MAX": "4",
    "HYPERWALL_WATCHDOG_INTERVAL": "500",
    "HYPERWALL_STALL_TIMEOUT": "4",
    "HYPERWALL_LOAD_TIMEOUT": "10",
    "HYPERWALL_REQUEST_TIMEOUT": "5",
    "HYPERWALL_OFFLINE_CACHE_MB": "64",
}


def launch(s, server):
    return s.launch(heal_util.emby_args(server) + ["--rows", "2", "--columns", "2",
                                                   "--renderer", "software"],
                    env=heal_util.emby_env(ENV))


def cache_dir(s):
    return os.path.join(s.path("home"), "cache", "hyperwall", "media")


def all_from_cache(count):
    """Every cell playing a copy from disk, each a different item."""
    def predicate(status):
        cs = harness.cells(status)
        ids = [c.get("item_id") for c in cs]
        return (len(cs) == count and all(c.get("state") == "playing" for c in cs)
                and all(c.get("from_cache") is True for c in cs)
                and len(set(ids)) == count)
    predicate.__name__ = "all %d cells playing different copies" % count
    return predicate


def no_item_twice(status):
    shown = [c.get("item_id") for c in harness.cells(status)
             if c.get("state") in ("playing", "loading") and c.get("item_id")]
    harness.check(len(shown) == len(set(shown)),
                  "an item on two cells at once: %s\n%s" % (shown, harness.summarize(status)))


def test_outage_and_restart():
    with harness.Session() as s:
        media = s.path("media")
        harness.generate_clips(media, CLIPS, seconds=CLIP_S)
        sizes = {str(1001 + i): os.path.getsize(os.path.join(media, f))
                 for i, f in enumerate(sorted(os.listdir(media)))}
        server = fake_emby_server.FakeEmbyServer(s, media)
        try:
            app = launch(s, server)
            w = heal_util.Watcher(app)
            w.wait(harness.all_cells("playing", count=4), 45, "four playing cells")

            # The cache fills while the wall plays.
            def filled(status):
                cache = status.get("offline_cache") or {}
                return cache.get("items") == CLIPS and cache.get("downloading") is None
            status = w.wait(filled, 60, "every item copied to disk")
            cache = status["offline_cache"]
            harness.note("offline cache: %s" % cache)
            harness.check(cache["bytes"] == sum(sizes.values()),
                          "the cache holds %d bytes, the items are %d"
                          % (cache["bytes"], sum(sizes.values())))
            harness.check(0 < cache["bytes"] <= cache["budget_bytes"] <= 64 << 20,
                          "the cache is not within its budget: %s" % cache)
            for item_id, size in sizes.items():
                path = os.path.join(cache_dir(s), item_id + ".video")
                harness.check(os.path.getsize(path) == size,
                              "copy of %s: %d bytes, not %d" % (item_id, os.path.getsize(path),
                                                                size))
            downloads = [r for r in server.requests()
                         if r["path"].lower().endswith("/download") and r["status"] == 200]
            harness.check(downloads, "no copy came through /Items/{Id}/Download")
            harness.check(all(int(r["path"].split("/")[-2]) % 2 == 1 for r in downloads),
                          "a download the server does not allow succeeded")
            harness.check(not any(c.get("from_cache") for c in harness.cells(status)),
                          "a cell plays a copy while the server answers")

            # The server goes away for longer than every clip.
            server.control("refuse", delay=OUTAGE_S)
            t_down = time.time()
            harness.note("server refusing connections for %d s" % OUTAGE_S)
            w.wait(lambda st: st["server"]["state"] == "offline", 20, "server offline")
            status = w.wait(all_from_cache(4), 30, "every cell playing a copy")
            harness.note("every cell plays a copy %.1f s into the outage" % (time.time() - t_down))
            seen = {c["index"]: {c["item_id"]} for c in harness.cells(status)}

            def keeps_playing(st):
                no_item_twice(st)
                for c in harness.cells(st):
                    harness.check(c["state"] not in ("waiting", "parked"),
                                  "cell %d %s while it has copies: %s\n%s"
                                  % (c["index"], c["state"], w.describe(c["index"]),
                                     app.tail()))
                    if c.get("from_cache") and c.get("item_id"):
                        seen[c["index"]].add(c["item_id"])
            w.watch(3 * CLIP_S, keeps_playing)
            for index, items in seen.items():
                harness.check(len(items) >= 2, "cell %d played only %s from disk in %d s: %s"
                              % (index, items, 3 * CLIP_S, w.describe(index)))
            harness.note("items played from disk per cell: %s"
                         % {i: sorted(v) for i, v in seen.items()})

            # A restart while the server is still away, one copy truncated.
            app.stop()
            victim = os.path.join(cache_dir(s), "1002.video")
            with open(victim, "r+b") as f:
                f.truncate(sizes["1002"] // 2)
            t_start = time.time()
            app = launch(s, server)
            w = heal_util.Watcher(app)
            w.wait(all_from_cache(4), RESTART_PLAY_S,
                   "every cell playing a copy within %d s of a restart" % RESTART_PLAY_S)
            harness.note("restarted wall plays from disk after %.1f s" % (time.time() - t_start))
            harness.check(not os.path.exists(victim), "the truncated copy was not removed")
            harness.check("1002" not in [c["item_id"] for c in harness.cells(w.last)],
                          "a cell plays the truncated copy")
            harness.check(w.last["offline_cache"]["items"] == CLIPS - 1,
                          "after the restart: %s" % w.last["offline_cache"])

            # The server comes back: cells stream again at their next item.
            remaining = OUTAGE_S - (time.time() - t_down)
            w.watch(max(0.0, remaining - 1), no_item_twice)

            def streaming(st):
                cs = harness.cells(st)
                return (st["server"]["state"] == "online" and len(cs) == 4
                        and all(c["state"] == "playing" and c.get("from_cache") is False
                                for c in cs))
            w.wait(streaming, 40, "every cell streaming again")
            harness.note("every cell streams again %.1f s after the server came back"
                         % (time.time() - t_down - OUTAGE_S))
            harness.assert_no_secrets(app.log(), server.secrets(), "the app's log")
        finally:
            server.stop()


SMALL_DISK_MB = 6
SMALL_BUDGET_MB = 64
# The copies' records (a small file each) are not counted as cache bytes.
RECORD_SLACK_BLOCKS = 16


def launch_on_small_disk(s, server, env):
    """hyperwall in a mount namespace of its own where the cache folder is
    a small tmpfs (nothing outside sees the mount; it goes with the
    process). The wrapper execs hyperwall: the App's pid is the wall's."""
    mount_point = os.path.join(s.path("home"), "cache", "hyperwall")
    os.makedirs(mount_point, exist_ok=True)
    wrapper = s.path("small-disk-wall")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\n"
                "exec unshare -m sh -c 'mount -t tmpfs -o size=%dm tmpfs \"$0\" && "
                "exec \"$@\"' '%s' '%s' \"$@\"\n"
                % (SMALL_DISK_MB, mount_point, harness.hyperwall_bin()))
    os.chmod(wrapper, stat.S_IRWXU)
    saved = os.environ.get("HYPERWALL_BIN")
    os.environ["HYPERWALL_BIN"] = wrapper
    try:
        app = s.launch(heal_util.emby_args(server) + ["--rows", "2", "--columns", "2",
                                                      "--renderer", "software"],
                       env=heal_util.emby_env(env))
    finally:
        if saved is None:
            del os.environ["HYPERWALL_BIN"]
        else:
            os.environ["HYPERWALL_BIN"] = saved
    return app, mount_point


def test_small_disk():
    if os.geteuid() != 0 or not shutil.which("unshare"):
        harness.skip("a tmpfs of its own needs root and unshare(1)")
    with harness.Session() as s:
        media = s.path("media")
        harness.generate_clips(media, CLIPS, seconds=CLIP_S)
        server = fake_emby_server.FakeEmbyServer(s, media)
        env = dict(ENV)
        # Slow enough that the disk can fill up under a download.
        env.update({"HYPERWALL_OFFLINE_CACHE_MB": str(SMALL_BUDGET_MB),
                    "HYPERWALL_OFFLINE_CACHE_RATE": "256"})
        try:
            app, mount_point = launch_on_small_disk(s, server, env)
            w = heal_util.Watcher(app)
            w.wait(harness.all_cells("playing", count=4), 45, "four playing cells")
            # The wall's view of its cache folder, in its own namespace.
            inside = "/proc/%d/root%s" % (app.pid, mount_point)

            def within_bounds(st):
                cache = st.get("offline_cache") or {}
                harness.check(cache.get("bytes", 0) <= cache.get("budget_bytes", 0),
                              "the cache holds more than it may: %s" % cache)
                fs = os.statvfs(inside)
                harness.check(fs.f_bavail >= fs.f_blocks // 10 - RECORD_SLACK_BLOCKS,
                              "the cache left %d of %d blocks free"
                              % (fs.f_bavail, fs.f_blocks))
            seen = set()

            def copying(st):
                within_bounds(st)
                cache = st.get("offline_cache") or {}
                if cache.get("downloading"):
                    seen.add(cache["downloading"])
                return len(seen) >= 3 and cache.get("downloading")
            status = w.wait(copying, 90, "three copies made within the budget")
            harness.note("offline cache on a %d MiB disk: %s, copied %s"
                         % (SMALL_DISK_MB, status["offline_cache"], sorted(seen)))
            harness.check(status["offline_cache"]["items"] < CLIPS,
                          "all %d clips fit a %d MiB disk?" % (CLIPS, SMALL_DISK_MB))
            harness.check(0 < status["offline_cache"]["budget_bytes"] < SMALL_DISK_MB << 20,
                          "the free space did not lower the budget: %s" % status["offline_cache"])

            # Another file takes the disk while a copy is written.
            fs = os.statvfs(inside)
            filler = os.path.join(inside, "filler")
            with open(filler, "wb") as f:
                f.write(b"\0" * max(0, fs.f_bavail * fs.f_frsize - 64 * 1024))
            before = status["offline_cache"]["bytes"]

            def gave_back(st):
                cache = st.get("offline_cache") or {}
                return cache.get("downloading") is None and cache.get("bytes", 0) < before
            status = w.wait(gave_back, 30, "the cache giving space back after a full disk")
            harness.note("after the full disk: %s" % status["offline_cache"])
            harness.check("the disk is full" in app.log(), "no word of the full disk in the log")

            def plays_on(st):
                for c in harness.cells(st):
                    harness.check(c["state"] in ("playing", "loading", "ended"),
                                  "cell %d %s after the disk filled up: %s"
                                  % (c["index"], c["state"], w.describe(c["index"])))
                harness.check((st.get("offline_cache") or {}).get("downloading") is None,
                              "copying again right after a full disk")
            w.watch(2 * CLIP_S, plays_on)
            os.unlink(filler)
        finally:
            server.stop()


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/offline/outage-and-restart", test_outage_and_restart),
        ("/hyperwall/integration/offline/small-disk", test_small_disk),
    ])
