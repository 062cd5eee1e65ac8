"""Shared helpers for Hyperwall's benchmarks (Python 3 standard library only).

Process accounting from /proc, percentiles, and the path to the integration
harness, which the benchmarks reuse for Xvfb, D-Bus, clips and status files.
Every process is measured and stopped by its own PID; nothing else is touched.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "integration"))

import harness  # noqa: E402,F401  (re-exported for the benchmark scripts)

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def default_binary():
    """HYPERWALL_BIN, else the usual build directories, else the harness's."""
    path = os.environ.get("HYPERWALL_BIN")
    if path:
        return os.path.abspath(path)
    for build in ("build", "_build"):
        candidate = os.path.join(SOURCE_ROOT, build, "src", "hyperwall")
        if os.access(candidate, os.X_OK):
            return candidate
    return harness.hyperwall_bin()


def use_binary(path):
    """Points the harness (and the schema lookup it does) at @path."""
    os.environ["HYPERWALL_BIN"] = os.path.abspath(path)
    if "GSETTINGS_SCHEMA_DIR" not in os.environ:
        schemas = os.path.join(os.path.dirname(os.path.abspath(path)), "..", "data")
        if os.path.exists(os.path.join(schemas, "gschemas.compiled")):
            os.environ["GSETTINGS_SCHEMA_DIR"] = os.path.abspath(schemas)


def cpu_ticks(pid):
    """utime + stime of @pid in clock ticks (all its threads), or None."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read().decode()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: split after the last ')'.
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def rss_bytes(pid):
    """Resident set size of @pid in bytes, or None."""
    try:
        with open("/proc/%d/statm" % pid, "rb") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return None


class CpuWindow:
    """CPU used by a set of PIDs between start() and stop(), in % of one core."""

    def __init__(self, pids):
        self.pids = list(pids)
        self.start_ticks = None
        self.start_time = None

    def _ticks(self):
        values = [cpu_ticks(pid) for pid in self.pids]
        if any(v is None for v in values):
            raise harness.HarnessError("a measured process exited during the run")
        return sum(values)

    def start(self, now):
        self.start_ticks = self._ticks()
        self.start_time = now

    def percent(self, now):
        seconds = now - self.start_time
        used = (self._ticks() - self.start_ticks) / CLOCK_TICKS
        return 100.0 * used / seconds if seconds > 0 else 0.0


def system_busy_ticks():
    """Busy clock ticks of the whole machine (every core) since boot."""
    with open("/proc/stat", "rb") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: all but idle and iowait.
    return sum(fields[:8]) - fields[3] - fields[4]


class OthersWindow:
    """CPU used by everything else on the machine (% of one core) while we
    measure: other builds and tests make a run noisy, so say so."""

    def __init__(self, ours):
        self.ours = ours            # CpuWindow objects whose use is subtracted
        self.start_ticks = None
        self.start_time = None

    def start(self, now):
        self.start_ticks = system_busy_ticks()
        self.start_time = now

    def percent(self, now):
        seconds = now - self.start_time
        if seconds <= 0:
            return 0.0
        total = 100.0 * (system_busy_ticks() - self.start_ticks) / CLOCK_TICKS / seconds
        return max(0.0, total - sum(w.percent(now) for w in self.ours))


def total_rss(pids):
    values = [rss_bytes(pid) for pid in pids]
    return sum(v for v in values if v is not None)


def percentile(values, fraction):
    """Nearest-rank percentile of @values (fraction 0..1), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))  # ceil without math
    return ordered[min(rank, len(ordered)) - 1]


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt(value, spec="%.1f", missing="—"):
    return missing if value is None else spec % value


def print_table(headers, rows):
    """A Markdown table, so the README can take it as printed."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    sys.stdout.flush()
