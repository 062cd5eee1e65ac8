"""Integration-test harness: runs the real hyperwall under a private Xvfb.

Python 3 standard library only. Every process the harness starts is
remembered by its PID and stopped by that PID; nothing else is touched.
Temporary files live in one directory that is removed at the end.

Typical use:

    with harness.Session() as s:
        app = s.launch(["--demo", "--rows", "2", "--columns", "2"])
        status = app.wait_for(harness.all_cells("playing"), 30, "all cells playing")
        shot = s.screenshot()

Test files are plain scripts that call harness.run_tests() and speak TAP, so
meson runs them with protocol 'tap'.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zlib

SCREEN_WIDTH = 1280
SCREEN_HEIGHT = 720

# Brightness (0..255) under which a cell counts as black, and the per-pixel
# difference (sum over R, G, B) above which a pixel counts as changed: video
# compression noise stays well below it, a moving pattern well above.
BLACK_THRESHOLD = 12.0
CHANGE_THRESHOLD = 30


class HarnessError(Exception):
    """Something the harness itself could not do (Xvfb would not start ...)."""


class TestFailure(AssertionError):
    pass


# ---------------------------------------------------------------------------
# Small helpers

def check(condition, message):
    """Fails the current test with @message unless @condition holds."""
    if not condition:
        raise TestFailure(message)


def note(message):
    """A TAP diagnostic line: shown in the test log, never a failure."""
    for line in str(message).splitlines() or [""]:
        print("# " + line, flush=True)


def hyperwall_bin():
    path = os.environ.get("HYPERWALL_BIN")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "build", "src", "hyperwall")
    return os.path.abspath(path)


def secrets_in(text, secrets):
    """The secrets (non-empty strings) that occur in @text, also URL-encoded."""
    from urllib.parse import quote
    found = []
    for secret in secrets:
        if not secret:
            continue
        if secret in text or quote(secret, safe="") in text:
            found.append(secret)
    return found


def assert_no_secrets(text, secrets, where="output"):
    found = secrets_in(text, secrets)
    # Never print the secret itself: say how long it was and where.
    check(not found, "%d secret(s) leaked into %s (lengths %s)"
          % (len(found), where, [len(s) for s in found]))


# ---------------------------------------------------------------------------
# Processes

class _Process:
    """A child the harness started; stopped by its own PID only."""

    def __init__(self, argv, name, **kwargs):
        self.name = name
        self.popen = subprocess.Popen(argv, **kwargs)

    @property
    def pid(self):
        return self.popen.pid

    def poll(self):
        return self.popen.poll()

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends @sig, waits, then SIGKILL. Returns the exit status."""
        if self.popen.poll() is None:
            try:
                self.popen.send_signal(sig)
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                note("%s (pid %d) ignored signal %d for %d s, killing it"
                     % (self.name, self.pid, sig, timeout))
                self.popen.kill()
                self.popen.wait(5)
        return self.popen.returncode


def _read_line_from_fd(fd, timeout, what):
    deadline = time.monotonic() + timeout
    data = b""
    os.set_blocking(fd, False)
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 256)
        except BlockingIOError:
            chunk = None
        if chunk:
            data += chunk
            if b"\n" in data:
                return data.split(b"\n", 1)[0].decode().strip()
        elif chunk == b"":
            break
        time.sleep(0.02)
    raise HarnessError("%s did not start (got %r)" % (what, data))


class Xvfb(_Process):
    """A private X server; -displayfd lets it pick a free display itself."""

    def __init__(self, width=SCREEN_WIDTH, height=SCREEN_HEIGHT, log=None, extra=()):
        if not shutil.which("Xvfb"):
            raise HarnessError("Xvfb is not installed (Debian package xvfb)")
        rfd, wfd = os.pipe()
        try:
            super().__init__(
                ["Xvfb", "-displayfd", str(wfd), "-screen", "0",
                 "%dx%dx24" % (width, height), "-nolisten", "tcp",
                 "-noreset", "+extension", "GLX"] + list(extra),
                "Xvfb", pass_fds=(wfd,), stdin=subprocess.DEVNULL,
                stdout=log or subprocess.DEVNULL,
                stderr=log or subprocess.DEVNULL)
            os.close(wfd)
            wfd = -1
            number = _read_line_from_fd(rfd, 20, "Xvfb")
        finally:
            if wfd >= 0:
                os.close(wfd)
            os.close(rfd)
        self.display = ":" + number
        self.width = width
        self.height = height


class DBusSession(_Process):
    """A private session bus, so GtkApplication instances never meet.

    It activates no services: with Debian's default session config, the
    first libsecret call would start gnome-keyring-daemon (when installed)
    with the runner's real $HOME, outside the test's control. A test that
    wants a service starts it itself, by PID."""

    CONFIG = """<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

    def __init__(self, directory, log=None, service_dir=None, env=None):
        """@service_dir: a folder of D-Bus service files the bus may
        activate, each started with @env (the bus's own environment)."""
        if not shutil.which("dbus-daemon"):
            raise HarnessError("dbus-daemon is not installed (Debian package dbus)")
        config = os.path.join(directory, "session-bus.conf")
        text = self.CONFIG % directory
        if service_dir:
            text = text.replace("</busconfig>",
                                "  <servicedir>%s</servicedir>\n</busconfig>" % service_dir)
        with open(config, "w", encoding="utf-8") as f:
            f.write(text)
        super().__init__(
            ["dbus-daemon", "--config-file", config, "--nofork", "--nopidfile",
             "--print-address"],
            "dbus-daemon", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=log or subprocess.DEVNULL, env=env)
        self.address = _read_line_from_fd(self.popen.stdout.fileno(), 20,
                                          "dbus-daemon")


# ---------------------------------------------------------------------------
# Status file predicates

def cells(status):
    return (status or {}).get("cells") or []


def all_cells(*states, count=None):
    """A predicate: every cell (and at least one, or exactly @count) is in
    one of @states."""
    def predicate(status):
        cs = cells(status)
        if not cs or (count is not None and len(cs) != count):
            return False
        return all(c.get("state") in states for c in cs)
    predicate.__name__ = "all cells %s" % "|".join(states)
    return predicate


def summarize(status):
    """One line per cell for failure messages (no URLs: they may hold keys)."""
    if status is None:
        return "no status file"
    lines = ["grid %s" % json.dumps(status.get("grid"))]
    for c in cells(status):
        lines.append("cell %s: %s item=%s pos=%s frames=%s reason=%s" % (
            c.get("index"), c.get("state"), c.get("item_id"),
            c.get("position"), c.get("frames"), c.get("reason")))
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The app

class App(_Process):
    """One hyperwall process with its own status and log files."""

    def __init__(self, argv, env, log_path, status_path, stderr_path=None):
        self.log_path = log_path
        self.status_path = status_path
        self.stderr_path = stderr_path
        self._log = open(log_path, "wb")
        self._err = open(stderr_path, "wb") if stderr_path else None
        try:
            super().__init__(argv, "hyperwall", env=env,
                             stdin=subprocess.DEVNULL, stdout=self._log,
                             stderr=self._err or self._log)
        except OSError as e:
            self._close()
            raise HarnessError("cannot start %s: %s" % (argv[0], e))

    def _close(self):
        for f in (self._log, self._err):
            if f:
                f.close()

    def status(self):
        """The last status snapshot, or None when absent or unreadable."""
        try:
            with open(self.status_path, "rb") as f:
                return json.loads(f.read().decode("utf-8"))
        except (OSError, ValueError):
            return None

    def log(self):
        for f in (self._log, self._err):
            if f and not f.closed:
                f.flush()
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return text

    def stderr(self):
        if not self.stderr_path:
            return self.log()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_for(self, predicate, timeout, what=None):
        """Polls the status file until @predicate(status) is true; returns
        that status. Fails the test on timeout or if the app exits."""
        what = what or getattr(predicate, "__name__", "condition")
        deadline = time.monotonic() + timeout
        status = None
        while True:
            status = self.status()
            if status is not None and predicate(status):
                return status
            rc = self.poll()
            if rc is not None:
                raise TestFailure("hyperwall exited with %d while waiting for %s\n%s\n%s"
                                  % (rc, what, summarize(status), self.tail()))
            if time.monotonic() >= deadline:
                raise TestFailure("timed out after %g s waiting for %s\n%s\n%s"
                                  % (timeout, what, summarize(status), self.tail()))
            time.sleep(0.2)

    def wait_exit(self, timeout):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure("hyperwall still running after %g s\n%s"
                              % (timeout, self.tail()))

    def tail(self, lines=40):
        text = self.log()
        return "--- last log lines ---\n" + "\n".join(text.splitlines()[-lines:])

    # Debug chatter that buries what happened (GIO's socket steps, mpv's
    # own debug lines, VA-API/VDPAU probing on a machine without a GPU).
    NOISE = re.compile(r"GLib-GIO-DEBUG|Hyperwall-mpv-DEBUG|VDPAU|libva|^\s*$")

    def story(self, lines=120):
        """The end of the log without the noise: for post-mortems."""
        kept = [l for l in self.log().splitlines() if not self.NOISE.search(l)]
        return "--- last log lines (without debug noise) ---\n" + "\n".join(kept[-lines:])

    def stop(self, sig=signal.SIGTERM, timeout=10):
        try:
            return super().stop(sig, timeout)
        finally:
            self._close()


def wait_rising(app, timeout, min_gain=0.3):
    """Waits until every cell has been seen playing one item at two
    positions at least @min_gain seconds apart (a cell that moved on to
    the next item meanwhile just starts over). Returns the last status."""
    first = {}
    rising = set()

    def predicate(status):
        cs = cells(status)
        for c in cs:
            i, pos = c.get("index"), c.get("position")
            if c.get("state") != "playing" or not isinstance(pos, (int, float)):
                continue
            seen = first.get(i)
            if seen is None or seen[0] != c.get("item_id") or pos < seen[1]:
                first[i] = (c.get("item_id"), pos)
            elif pos - seen[1] >= min_gain:
                rising.add(i)
        return bool(cs) and all(c.get("index") in rising for c in cs)
    predicate.__name__ = "every cell playing with a rising position"
    return app.wait_for(predicate, timeout)


# ---------------------------------------------------------------------------
# Screenshots

class Image:
    """A screenshot: width, height and a function from (x, y) to (r, g, b)."""

    def __init__(self, width, height, data, bytes_per_line, bytes_per_pixel,
                 offsets):
        self.width = width
        self.height = height
        self.data = data
        self.bytes_per_line = bytes_per_line
        self.bytes_per_pixel = bytes_per_pixel
        self.offsets = offsets  # byte offsets of R, G, B inside a pixel

    def pixel(self, x, y):
        base = y * self.bytes_per_line + x * self.bytes_per_pixel
        r, g, b = self.offsets
        return self.data[base + r], self.data[base + g], self.data[base + b]

    def rgb_rows(self):
        """Rows of packed RGB bytes (for PNG)."""
        bpp = self.bytes_per_pixel
        r, g, b = self.offsets
        for y in range(self.height):
            row = self.data[y * self.bytes_per_line:
                            y * self.bytes_per_line + self.width * bpp]
            out = bytearray(self.width * 3)
            out[0::3] = row[r::bpp]
            out[1::3] = row[g::bpp]
            out[2::3] = row[b::bpp]
            yield bytes(out)

    def save_png(self, path):
        raw = b"".join(b"\0" + row for row in self.rgb_rows())

        def chunk(kind, payload):
            body = kind + payload
            return (struct.pack(">I", len(payload)) + body
                    + struct.pack(">I", zlib.crc32(body) & 0xffffffff))
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n")
            f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", self.width,
                                               self.height, 8, 2, 0, 0, 0)))
            f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
            f.write(chunk(b"IEND", b""))


def _mask_byte_offset(mask, bytes_per_pixel, lsb_first):
    shift = (mask & -mask).bit_length() - 1
    check(mask >> shift == 0xff, "unsupported colour mask %#x" % mask)
    index = shift // 8
    return index if lsb_first else bytes_per_pixel - 1 - index


def parse_xwd(blob):
    """Parses an XWD dump of a TrueColor ZPixmap at 24 or 32 bits a pixel."""
    if len(blob) < 100:
        raise HarnessError("xwd output too short (%d bytes)" % len(blob))
    fields = struct.unpack(">25I", blob[:100])
    (header_size, version, pixmap_format, depth, width, height, _xoffset,
     byte_order, _unit, _bit_order, _pad, bits_per_pixel, bytes_per_line,
     _visual_class, red_mask, green_mask, blue_mask, _bits_per_rgb,
     _cmap_entries, ncolors) = fields[:20]
    if version != 7 or pixmap_format != 2:
        raise HarnessError("not an XWD ZPixmap (version %d, format %d)"
                           % (version, pixmap_format))
    if bits_per_pixel not in (24, 32) or depth < 24:
        raise HarnessError("unsupported XWD pixel size %d (depth %d)"
                           % (bits_per_pixel, depth))
    offset = header_size + ncolors * 12
    bpp = bits_per_pixel // 8
    data = blob[offset:offset + bytes_per_line * height]
    if len(data) < bytes_per_line * height:
        raise HarnessError("XWD pixel data truncated")
    lsb_first = byte_order == 0
    offsets = tuple(_mask_byte_offset(m, bpp, lsb_first)
                    for m in (red_mask, green_mask, blue_mask))
    return Image(width, height, data, bytes_per_line, bpp, offsets)


def screenshot(display):
    """The whole root window of @display."""
    result = subprocess.run(["xwd", "-root", "-silent", "-display", display],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=30)
    if result.returncode != 0:
        raise HarnessError("xwd failed: %s"
                           % result.stderr.decode(errors="replace").strip())
    return parse_xwd(result.stdout)


def cell_regions(width, height, rows, columns, inner=0.6):
    """(x0, y0, x1, y1) for every cell, row by row, keeping the inner
    @inner of each cell (away from borders, cards and rounding)."""
    regions = []
    for row in range(rows):
        for col in range(columns):
            x0, x1 = width * col // columns, width * (col + 1) // columns
            y0, y1 = height * row // rows, height * (row + 1) // rows
            mx = int((x1 - x0) * (1 - inner) / 2)
            my = int((y1 - y0) * (1 - inner) / 2)
            regions.append((x0 + mx, y0 + my, x1 - mx, y1 - my))
    return regions


def mean_brightness(image, region):
    """Mean of (R + G + B) / 3 over @region, 0..255."""
    x0, y0, x1, y1 = region
    bpp = image.bytes_per_pixel
    total = 0
    for y in range(y0, y1):
        row = image.data[y * image.bytes_per_line + x0 * bpp:
                         y * image.bytes_per_line + x1 * bpp]
        for off in image.offsets:
            total += sum(row[off::bpp])
    n = (x1 - x0) * (y1 - y0)
    return total / (3.0 * n) if n else 0.0


def changed_fraction(a, b, region, threshold=CHANGE_THRESHOLD, step=2):
    """The fraction of pixels in @region (sampled every @step pixels both
    ways) whose R + G + B differ by more than @threshold between @a and @b."""
    check((a.width, a.height) == (b.width, b.height), "screenshot sizes differ")
    x0, y0, x1, y1 = region
    bpp, (ro, go, bo) = a.bytes_per_pixel, a.offsets
    changed = total = 0
    for y in range(y0, y1, step):
        base_a = y * a.bytes_per_line
        base_b = y * b.bytes_per_line
        da, db = a.data, b.data
        for x in range(x0, x1, step):
            pa = base_a + x * bpp
            pb = base_b + x * bpp
            diff = (abs(da[pa + ro] - db[pb + ro]) + abs(da[pa + go] - db[pb + go])
                    + abs(da[pa + bo] - db[pb + bo]))
            total += 1
            if diff > threshold:
                changed += 1
    return changed / total if total else 0.0


def check_cells_moving(session, rows, columns, interval=1.0,
                       min_changed=0.001, min_brightness=BLACK_THRESHOLD,
                       extra_shots=2, save_as=None):
    """Screenshots @interval apart: every cell region must change and must
    not be black. A cell that happened not to move in that second gets up
    to @extra_shots more chances (each compared with the
    first shot); a frozen cell never changes, however long we look. On
    failure the last shot is saved as PNG (kept with HYPERWALL_TEST_KEEP=1)."""
    first = session.screenshot()
    regions = cell_regions(first.width, first.height, rows, columns)
    # Motion counts anywhere in the cell (a test pattern may move only a
    # small square near an edge); brightness is judged in the inner part.
    motion_regions = cell_regions(first.width, first.height, rows, columns,
                                  inner=0.94)
    moved = [0.0] * len(regions)
    for _ in range(1 + extra_shots):
        time.sleep(interval)
        last = session.screenshot()
        for i, region in enumerate(motion_regions):
            if moved[i] <= min_changed:
                moved[i] = changed_fraction(first, last, region)
        if all(m > min_changed for m in moved):
            break
    problems = []
    for i, region in enumerate(regions):
        bright = mean_brightness(last, region)
        note("cell %d: brightness %.1f, changed %.2f %%" % (i, bright, moved[i] * 100))
        if bright <= min_brightness:
            problems.append("cell %d is black (mean brightness %.1f)" % (i, bright))
        if moved[i] <= min_changed:
            problems.append("cell %d did not change in %g s (%.2f %% of pixels)"
                            % (i, interval * (1 + extra_shots), moved[i] * 100))
    if problems or session.keep_artifacts:
        path = save_as or os.path.join(session.tmpdir, "screenshot.png")
        last.save_png(path)
        if problems and session.keep_artifacts:
            problems.append("screenshot kept at %s" % path)
    check(not problems, "\n".join(problems))


# ---------------------------------------------------------------------------
# Media

# Moving 360p sources: a cell region must change from one second to the next.
_CLIP_PATTERNS = [
    "testsrc2=size=640x360:rate=30",
    "smptehdbars=size=640x360:rate=30,scroll=horizontal=0.004",
    "gradients=size=640x360:rate=30:speed=0.05",
    "testsrc=size=640x360:rate=30",
    "rgbtestsrc=size=640x360:rate=30,scroll=vertical=0.004",
    "life=size=640x360:rate=30:mold=10:ratio=0.2:life_color=#30d060:death_color=#c03030",
    "pal100bars=size=640x360:rate=30,scroll=horizontal=-0.004",
    "cellauto=size=640x360:rate=30:rule=110",
]


def generate_clips(directory, n, seconds=6, size="640x360"):
    """Writes @n small H.264 mp4 clips of different moving test patterns
    into @directory; returns their paths. Never committed: made per run.
    @size: WIDTHxHEIGHT of the clips (the benchmarks also make 1280x720)."""
    if not shutil.which("ffmpeg"):
        raise HarnessError("ffmpeg is not installed (Debian package ffmpeg)")
    os.makedirs(directory, exist_ok=True)
    paths = []
    for i in range(n):
        pattern = _CLIP_PATTERNS[i % len(_CLIP_PATTERNS)].replace("640x360", size)
        if i >= len(_CLIP_PATTERNS):
            pattern += ",hue=h=%d" % (37 * i % 360)
        path = os.path.join(directory, "clip-%02d.mp4" % i)
        argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                "-y", "-f", "lavfi", "-i", pattern, "-t", str(seconds),
                "-vf", "format=yuv420p", "-c:v", "libx264", "-preset",
                "ultrafast", "-g", "30", "-movflags", "+faststart", path]
        result = subprocess.run(argv, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, timeout=120)
        if result.returncode != 0:
            raise HarnessError("ffmpeg could not make %s: %s" % (
                path, result.stderr.decode(errors="replace").strip()))
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------
# A session: one Xvfb, one bus, any number of app runs, one temp dir

class Session:
    def __init__(self, dbus=True, width=SCREEN_WIDTH, height=SCREEN_HEIGHT,
                 display=True, xvfb_args=()):
        """@xvfb_args: more arguments for the X server (for example
        ["-extension", "MIT-SHM"] for one without shared memory)."""
        self.tmpdir = tempfile.mkdtemp(prefix="hyperwall-it-")
        # HYPERWALL_TEST_KEEP=1 keeps logs and screenshots for a post-mortem.
        self.keep_artifacts = os.environ.get("HYPERWALL_TEST_KEEP") == "1"
        self.xvfb = None
        self.bus = None
        self.apps = []
        self._counter = 0
        try:
            self._harness_log = open(os.path.join(self.tmpdir, "harness.log"), "wb")
            if display:
                self.xvfb = Xvfb(width, height, log=self._harness_log, extra=xvfb_args)
            if dbus:
                self.bus = DBusSession(self.tmpdir, log=self._harness_log)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and not issubclass(exc_type, _Skip):
            self._post_mortem()
        self.close()
        return False

    def _post_mortem(self):
        """After a failure, the end of every app log goes to stderr: CI
        prints a failed test's stderr, and the temp dir is about to go."""
        for app in self.apps:
            if isinstance(app, App):
                sys.stderr.write("=== %s\n%s\n--- last status ---\n%s\n" % (
                    " ".join(app.popen.args[:1] + [
                        a for a in app.popen.args[1:] if a.startswith("--")]),
                    app.story(), summarize(app.status())))
        sys.stderr.flush()

    @property
    def display(self):
        return self.xvfb.display if self.xvfb else None

    def path(self, name):
        return os.path.join(self.tmpdir, name)

    def environment(self, extra=None, debug=True):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("HYPERWALL_") and k not in
               ("WAYLAND_DISPLAY", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
                "G_MESSAGES_DEBUG", "NOTIFY_SOCKET", "WATCHDOG_USEC")}
        home = self.path("home")
        for sub in ("config", "data", "cache", "runtime", "tmp"):
            os.makedirs(os.path.join(home, sub), mode=0o700, exist_ok=True)
        env.update({
            # Nothing of the runner's home: tests running side by side
            # (meson runs two at a time) share no file by accident.
            "HOME": home,
            "GSETTINGS_BACKEND": "memory",
            "GDK_BACKEND": "x11",
            "GIO_USE_VFS": "local",
            "NO_AT_BRIDGE": "1",
            "LIBGL_ALWAYS_SOFTWARE": "1",
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
            "XDG_DATA_HOME": os.path.join(home, "data"),
            "XDG_CACHE_HOME": os.path.join(home, "cache"),
            "XDG_RUNTIME_DIR": os.path.join(home, "runtime"),
            "TMPDIR": os.path.join(home, "tmp"),
        })
        if self.display:
            env["DISPLAY"] = self.display
        if self.bus:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.bus.address
        if debug:
            env["G_MESSAGES_DEBUG"] = "all"
        if "GSETTINGS_SCHEMA_DIR" not in env:
            # Run by hand, outside meson: the schema compiled in the build tree.
            schemas = os.path.join(os.path.dirname(hyperwall_bin()), "..", "data")
            if os.path.exists(os.path.join(schemas, "gschemas.compiled")):
                env["GSETTINGS_SCHEMA_DIR"] = os.path.abspath(schemas)
        env.update(extra or {})
        return env

    def launch(self, args, env=None, status_file=True, debug=True,
               split_stderr=False):
        """Starts hyperwall with @args (plus --status-file unless
        @status_file is False or a path given in @args). @env adds to the
        clean test environment. Returns an App."""
        self._counter += 1
        n = self._counter
        binary = hyperwall_bin()
        if not os.access(binary, os.X_OK):
            raise HarnessError("no hyperwall binary at %s (set HYPERWALL_BIN)" % binary)
        status_path = self.path("status-%d.json" % n)
        argv = [binary] + list(args)
        if status_file and "--status-file" not in args:
            argv += ["--status-file", status_path]
        app = App(argv, self.environment(env, debug), self.path("app-%d.log" % n),
                  status_path,
                  self.path("app-%d.stderr" % n) if split_stderr else None)
        self.apps.append(app)
        return app

    def run(self, args, env=None, timeout=20):
        """Runs hyperwall to completion (for options that exit at once);
        returns (exit status, stdout, stderr)."""
        app = self.launch(args, env, status_file=False, debug=False,
                          split_stderr=True)
        rc = app.wait_exit(timeout)
        app.stop()
        return rc, app.log(), app.stderr()

    # -- Real input through XTEST (xdotool) --------------------------------

    def xdotool(self, *args, timeout=20):
        """Runs xdotool on this Session's display; returns its stdout."""
        check(self.display is not None, "this Session has no display")
        if not shutil.which("xdotool"):
            raise HarnessError("xdotool is not installed (Debian package xdotool)")
        env = dict(os.environ, DISPLAY=self.display)
        result = subprocess.run(["xdotool"] + [str(a) for a in args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=timeout)
        if result.returncode != 0:
            raise HarnessError("xdotool %s failed: %s" % (
                " ".join(str(a) for a in args), result.stderr.decode(errors="replace")))
        return result.stdout.decode()

    def window_of(self, app, timeout=20):
        """The X window id of @app's visible toplevel (waits for it)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                out = self.xdotool("search", "--onlyvisible", "--pid", app.pid)
                ids = out.split()
                if ids:
                    return ids[-1]
            except HarnessError:
                pass
            if time.monotonic() >= deadline:
                raise TestFailure("no visible window of pid %d after %g s" % (app.pid, timeout))
            time.sleep(0.2)

    def focus(self, app):
        """Gives @app's window the keyboard (there is no window manager)."""
        window = self.window_of(app)
        self.xdotool("windowfocus", "--sync", window)
        return window

    def key(self, app, *keys, delay=0.15):
        """Real key presses (xdotool names: Right, Tab, shift+Tab, Return,
        space, plus, ctrl+alt+shift+q ...) into @app's window, one at a time."""
        self.focus(app)
        for k in keys:
            self.xdotool("key", "--clearmodifiers", k)
            time.sleep(delay)

    def click(self, app, x, y, repeat=1):
        """Clicks at screen position @x, @y (@repeat 2: a double click)."""
        self.focus(app)
        self.xdotool("mousemove", "--sync", x, y)
        self.xdotool("click", "--repeat", repeat, "--delay", 80, 1)

    def close_request(self, app):
        """Asks @app's window to close the way a window manager's close
        button does (a WM_DELETE_WINDOW client message), through libX11."""
        import ctypes
        import ctypes.util

        window = int(self.window_of(app))
        name = ctypes.util.find_library("X11")
        if not name:
            raise HarnessError("libX11 is not installed")
        x11 = ctypes.cdll.LoadLibrary(name)
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XInternAtom.restype = ctypes.c_ulong
        x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int,
                                   ctypes.c_long, ctypes.c_void_p]
        x11.XFlush.argtypes = [ctypes.c_void_p]
        x11.XCloseDisplay.argtypes = [ctypes.c_void_p]

        class ClientMessage(ctypes.Structure):
            _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong),
                        ("send_event", ctypes.c_int), ("display", ctypes.c_void_p),
                        ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                        ("format", ctypes.c_int), ("data", ctypes.c_long * 5),
                        ("pad", ctypes.c_long * 12)]  # an XEvent is 24 longs

        display = x11.XOpenDisplay(self.display.encode())
        if not display:
            raise HarnessError("cannot open display %s" % self.display)
        try:
            event = ClientMessage()
            event.type = 33  # ClientMessage
            event.window = window
            event.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
            event.format = 32
            event.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
            event.data[1] = 0  # CurrentTime
            x11.XSendEvent(display, window, 0, 0, ctypes.byref(event))
            x11.XFlush(display)
        finally:
            x11.XCloseDisplay(display)

    def screenshot(self):
        check(self.display is not None, "this Session has no display")
        return screenshot(self.display)

    def close(self):
        for app in reversed(self.apps):
            app.stop()
        self.apps = []
        for proc in (self.bus, self.xvfb):
            if proc:
                proc.stop(timeout=5)
        self.bus = self.xvfb = None
        log = getattr(self, "_harness_log", None)
        if log:
            log.close()
            self._harness_log = None
        if self.keep_artifacts:
            note("artifacts kept in %s" % self.tmpdir)
        else:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# TAP runner

def skip(reason):
    raise _Skip(reason)


class _Skip(Exception):
    pass


def run_tests(tests, argv=None):
    """Runs (path, function) pairs, prints TAP, exits 0 only if all passed.

    A function may call skip(reason). Command-line arguments of the form
    -p PATH select tests (like GTest)."""
    argv = sys.argv[1:] if argv is None else argv
    selected = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-p"]
    if selected:
        tests = [(p, f) for p, f in tests if any(p.startswith(s) for s in selected)]
    print("TAP version 13")
    print("1..%d" % len(tests), flush=True)
    failures = 0
    for number, (path, function) in enumerate(tests, 1):
        start = time.monotonic()
        note("start %s" % path)
        try:
            function()
        except _Skip as e:
            print("ok %d %s # SKIP %s" % (number, path, e), flush=True)
            continue
        except Exception as e:  # a failed test must never stop the others
            failures += 1
            print("not ok %d %s" % (number, path), flush=True)
            if isinstance(e, (TestFailure, HarnessError)):
                reason = "%s: %s" % (type(e).__name__, e)
            else:
                reason = traceback.format_exc()
            note(reason)
            # meson shows a failed TAP test's stderr, not its stdout.
            sys.stderr.write("FAILED %s\n%s\n" % (path, reason))
            sys.stderr.flush()
            continue
        print("ok %d %s" % (number, path), flush=True)
        note("%s took %.1f s" % (path, time.monotonic() - start))
    sys.exit(1 if failures else 0)


# Safety net for interrupted runs (meson's timeout sends SIGTERM): turn it
# into SystemExit so every Session's finally/with block still cleans up.
def _terminate(signum, frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _terminate)
