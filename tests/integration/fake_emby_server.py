"""The fake Emby server (tests/fake-emby.py) as a child process, for the
integration tests and the benchmarks alike.

    server = FakeEmbyServer(session, media_dir)
    server.url                      # http://127.0.0.1:PORT[prefix]
    server.control("stall-body", match=r"/Videos/1001/stream$", after_bytes=n)
    server.control("none")          # clears every armed fault
    server.requests()               # what the app asked, one dict per request
    server.stall_starts()           # when stalled answers went silent
    server.secrets()                # password, keys and every token it saw
    server.stop()

The server binds 127.0.0.1 on a port of its own choosing and prints
"PORT n" first; it is started and stopped by its own PID only. Its request
log (one JSON line per request, see tests/fake-emby.py) and its stderr live
in the harness Session's temporary directory, in files whose names start
with "fake-emby". The log holds tokens and the password as they were sent:
read it, never print whole entries.

Python 3 standard library only.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import parse_qsl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "fake-emby.py")

# Distinctive, not the fake server's default "secret": that word is part of
# innocent log lines ("org.freedesktop.secrets"), and a leak must be
# unmistakable.
USERNAME = "wall"
PASSWORD = "Pa55-wall-7f3a9c"
API_KEY = "fake-admin-api-key-0001"     # the fake server's default --api-key

START_TIMEOUT_S = 30

# The server's dialect for every FakeEmbyServer of this test run: a test
# script given "--dialect jellyfin" (tests/meson.build, the
# integration-jellyfin-* entries) runs its whole plan against Jellyfin 12's
# rules; "emby" otherwise.
DIALECT = (sys.argv[sys.argv.index("--dialect") + 1]
           if "--dialect" in sys.argv[:-1] else os.environ.get("HYPERWALL_FAKE_DIALECT", "emby"))


def parse_log_line(line):
    """One log line (bytes or str) as a dict, or None for a blank line or
    one still being written."""
    if not line.strip():
        return None
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def legacy_credentials(entry):
    """The legacy ways to send a token that a logged request used (Jellyfin
    12 refuses them all): X-Emby-Token, X-Emby-Authorization, api_key=."""
    found = []
    if entry.get("token"):
        found.append("X-Emby-Token")
    if entry.get("x_emby_authorization"):
        found.append("X-Emby-Authorization")
    if any(k.lower() == "api_key" for k, _ in parse_qsl(entry.get("query") or "",
                                                        keep_blank_values=True)):
        found.append("api_key")
    return found


def is_request(entry):
    """A logged request of the app's: not an event line (stall-start), not
    a /__control call of the test's own."""
    return "event" not in entry and entry.get("path") != "/__control"


def tokens_in(requests):
    """The tokens sent with @requests (logged entries): the X-Emby-Token
    header, Token= in Authorization or X-Emby-Authorization, api_key= or
    ApiKey= in the query."""
    found = set()
    for r in requests:
        if r.get("token"):
            found.add(r["token"])
        for header in ("authorization", "x_emby_authorization"):
            match = re.search(r'Token="([^"]+)"', r.get(header) or "")
            if match:
                found.add(match.group(1))
        for key, value in parse_qsl(r.get("query") or "", keep_blank_values=True):
            if key.lower() in ("api_key", "apikey") and value:
                found.add(value)
    return found


class LogTail:
    """Reads a request log incrementally: each read() returns the entries
    completed since the previous one (long runs never re-read the file)."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = b""

    def read(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return []
        self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()      # "" after a complete last line
        return [e for e in map(parse_log_line, lines) if e is not None]


class FakeEmbyServer:
    """tests/fake-emby.py serving the video files of @media as items
    1001, 1002, ... (sorted file order), for user USERNAME with PASSWORD.

    @prefix: an extra path prefix, as behind a reverse proxy.
    @extra_args: more command-line arguments for tests/fake-emby.py.

    It is added to @session.apps, so the session stops it (after the apps
    launched later) even when a test fails; stop() may also be called
    earlier, any number of times."""

    _count = 0

    def __init__(self, session, media, prefix="", password=PASSWORD, extra_args=(),
                 dialect=None):
        FakeEmbyServer._count += 1
        self.dialect = dialect or DIALECT
        base = session.path("fake-emby-%d" % FakeEmbyServer._count)
        self.log_path = base + ".log"
        self.stderr_path = base + ".stderr"
        self.prefix = prefix
        self.password = password
        open(self.log_path, "w").close()
        argv = [sys.executable, SCRIPT, "--media", media, "--log", self.log_path,
                "--user", USERNAME, "--password", password, "--api-key", API_KEY]
        if prefix:
            argv += ["--prefix", prefix]
        argv += ["--dialect", self.dialect]
        argv += list(extra_args)
        self._stderr = open(self.stderr_path, "wb")
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=self._stderr)
        try:
            line = harness._read_line_from_fd(self.popen.stdout.fileno(), START_TIMEOUT_S,
                                              "tests/fake-emby.py")
            match = re.fullmatch(r"PORT (\d+)", line)
            if not match:
                raise harness.HarnessError("tests/fake-emby.py said %r, not PORT n" % line)
        except BaseException:
            self.stop()
            raise
        self.port = int(match.group(1))
        session.apps.append(self)

    @property
    def pid(self):
        return self.popen.pid

    @property
    def url(self):
        """The server's address as a user would give it (with the prefix)."""
        return "http://127.0.0.1:%d%s" % (self.port, self.prefix)

    @property
    def control_url(self):
        return "http://127.0.0.1:%d/__control" % self.port

    def poll(self):
        return self.popen.poll()

    def stop(self, *_args, **_kwargs):
        """SIGTERM to our PID, SIGKILL if it lingers. Returns the exit status."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        if self.popen.stdout and not self.popen.stdout.closed:
            self.popen.stdout.close()
        if not self._stderr.closed:
            self._stderr.close()
        return self.popen.returncode

    # --- faults -----------------------------------------------------------

    def control(self, fault, **options):
        """Arms @fault with @options (match, count, status, delay,
        after_bytes, retry_after, rate, size; see tests/fake-emby.py,
        control() and apply_fault()). "none" clears every armed fault,
        "revoke-token" forgets every issued token (a throttled stream whose
        token is revoked ends mid-body), "refuse" closes the port for @delay
        seconds, "throttle" sends bodies at @rate bytes/s, "slow" answers
        after @delay seconds, "big-body" sends @size bytes of JSON,
        "nested-json" sends @prefix and @size bytes of "[", "ws-endless"
        starts a message of endless continuation frames (@chunk, @rate) on
        every open session socket. Returns the
        server's answer; raises HarnessError if it refused."""
        spec = dict(options, fault=fault)
        request = urllib.request.Request(
            self.control_url, data=json.dumps(spec).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            answer = json.loads(reply.read().decode())
        if not answer.get("ok"):
            raise harness.HarnessError("the fake server refused fault %s" % spec)
        return answer

    # --- the session socket -----------------------------------------------

    def ws_send(self, message_type, data=None):
        """Sends {"MessageType": @message_type, "Data": @data} on every
        open session socket."""
        message = {"MessageType": message_type}
        if data is not None:
            message["Data"] = data
        return self.control("ws-send", message=message)

    def ws_events(self, kind=None):
        """{"event": "ws-open" | "ws-close" | "ws-message", "time", ...}."""
        return [e for e in self.entries()
                if str(e.get("event", "")).startswith("ws-")
                and (kind is None or e["event"] == kind)]

    def reachable(self):
        """Whether the server accepts connections right now (a no-op control
        call; False during a "refuse" outage)."""
        try:
            with urllib.request.urlopen(self.control_url,
                                        data=b'{"fault": "noop-probe", "count": 0}',
                                        timeout=2):
                return True
        except (OSError, urllib.error.URLError):
            return False

    # --- the request log --------------------------------------------------

    def entries(self):
        """Every complete log line, parsed, in the order written: requests,
        the test's control calls and event lines."""
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError:
            return []
        return [e for e in map(parse_log_line, data.split(b"\n")) if e is not None]

    def tail(self):
        """A LogTail on this server's log, for reading it as it grows."""
        return LogTail(self.log_path)

    def requests(self):
        """Every request the app made, as logged: time, method, path, query,
        status, authorization, token, range, body."""
        return [e for e in self.entries() if is_request(e)]

    def sign_ins(self, since=0.0):
        """The sign-in requests made at or after @since."""
        return [r for r in self.requests()
                if re.search(r"(?i)/users/authenticatebyname$", r["path"])
                and r["time"] >= since]

    def stall_starts(self):
        """{"event": "stall-start", "time", "path", ...}: one per stalled
        answer, written when it went silent."""
        return [e for e in self.entries() if e.get("event") == "stall-start"]

    def tokens(self):
        """Every access token or key the app sent."""
        return tokens_in(self.requests())

    def secrets(self):
        """The password, the API key and every token the app sent: none of
        them may appear in anything the app prints or writes."""
        return sorted(self.tokens() | {self.password, API_KEY})
