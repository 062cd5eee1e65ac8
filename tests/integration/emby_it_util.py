"""Helpers for the Emby integration tests (test_emby_*.py, test_keyring.py,
test_sign_in.py): short settings, shared media, the request-log listings and
the secret checks. The fake server itself is fake_emby_server.FakeEmbyServer.

Python 3 standard library only; builds on harness.py and never edits it.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import atexit
import json
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import openapi_check  # noqa: E402

# The fake server's user; tests/integration/fake_emby_server.py runs it.
USERNAME = fake_emby_server.USERNAME
PASSWORD = fake_emby_server.PASSWORD
tokens_in = fake_emby_server.tokens_in

PROBE = re.compile(r"(?i)/system/(info/public|ping)$")
SIGN_IN = re.compile(r"(?i)/users/authenticatebyname$")
STREAM = re.compile(r"(?i)/videos/([^/]+)/(stream[^/]*|master\.m3u8|hls/.*)$")

# Short settings so a fault is noticed and healed in seconds, not minutes.
FAST_ENV = {
    "HYPERWALL_PASSWORD": PASSWORD,
    "HYPERWALL_STALL_TIMEOUT": "4",
    "HYPERWALL_WATCHDOG_INTERVAL": "250",
    "HYPERWALL_LOAD_TIMEOUT": "8",
    "HYPERWALL_BACKOFF_INITIAL": "1",
    "HYPERWALL_BACKOFF_MAX": "4",
    "HYPERWALL_BACKOFF_RESET": "3",
    "HYPERWALL_REQUEST_TIMEOUT": "5",
    # No offline cache (test_offline.py has its own): its downloads would
    # blur request counts.
    "HYPERWALL_OFFLINE_CACHE_MB": "0",
}


def json_field(text, name):
    """@name from a JSON object in @text (a logged request body), or None."""
    try:
        value = json.loads(text or "")
    except ValueError:
        return None
    return value.get(name) if isinstance(value, dict) else None


def describe(requests, limit=40):
    """A short listing of requests for failure messages, without queries
    (they hold keys)."""
    lines = ["%s %s -> %s" % (r["method"], r["path"], r["status"])
             for r in requests[-limit:]]
    return "\n".join(lines) or "(no requests)"


def check_no_secrets(app, fake):
    """Nothing hyperwall printed (stdout, stderr, status file) holds the
    password, an issued token or an api_key value."""
    secrets = fake.secrets()
    harness.check(len(secrets) > 2 or not any(
        r for r in fake.requests() if not PROBE.search(r["path"])
        and not SIGN_IN.search(r["path"])),
        "the request log holds no token although the app made authorized requests")
    harness.assert_no_secrets(app.log(), secrets, "hyperwall's output")
    if app.stderr_path:
        harness.assert_no_secrets(app.stderr(), secrets, "hyperwall's stderr")
    try:
        with open(app.status_path, encoding="utf-8") as f:
            status_text = f.read()
    except OSError:
        status_text = ""
    harness.assert_no_secrets(status_text, secrets, "the status file")
    check_dialect(fake)


def check_dialect(fake):
    """Against the Jellyfin dialect no request carried a legacy credential
    (Jellyfin 12 refuses them with a 401 that looks like a revoked token);
    against either, every request the app sent is one the server's
    published API document has (tests/integration/openapi_check.py)."""
    requests = fake.requests()
    if fake.dialect == "jellyfin":
        legacy = [(r["method"], r["path"], fake_emby_server.legacy_credentials(r))
                  for r in requests if fake_emby_server.legacy_credentials(r)]
        harness.check(not legacy, "requests to Jellyfin with a legacy credential:\n%s"
                      % "\n".join("%s %s: %s" % (m, p, ", ".join(c)) for m, p, c in legacy[:10]))
    problems = openapi_check.check_requests(requests, fake.dialect)
    if problems is None:
        harness.note("OpenAPI check skipped: no %s document in %s"
                     % (fake.dialect, openapi_check.DATA_DIR))
        return
    harness.check(not problems, "requests the %s API document does not have:\n%s"
                  % (fake.dialect, "\n".join(problems[:15])))


def launch_wall(session, fake, rows=2, columns=2, env=None, server_url=None):
    """hyperwall against @fake with the short settings of FAST_ENV."""
    full_env = dict(FAST_ENV)
    full_env.update(env or {})
    args = ["--server", server_url or fake.url, "--username", USERNAME,
            "--rows", str(rows), "--columns", str(columns),
            "--renderer", "software"]
    return session.launch(args, env=full_env)


_MEDIA = {}


def _remove_media():
    for directory in _MEDIA.values():
        shutil.rmtree(directory, ignore_errors=True)


atexit.register(_remove_media)


def shared_media(n=6, seconds=20):
    """A folder of @n clips of @seconds, made once per test script (ffmpeg
    takes seconds) and removed when the script exits."""
    key = (n, seconds)
    if key not in _MEDIA:
        directory = tempfile.mkdtemp(prefix="hyperwall-emby-media-")
        _MEDIA[key] = directory
        harness.generate_clips(directory, n, seconds=seconds)
    return _MEDIA[key]


# The app's own debug line for each HTTP request it makes, whatever the
# outcome ("GET /System/Info/Public -> 200 in 3 ms", "... failed: ...").
# Requests refused at the socket never reach the fake server's log: during
# an outage this is the only record of them.
APP_REQUEST = re.compile(r"\b(GET|HEAD|POST|DELETE) (/\S+) (?:->|\u2192|failed)")


def app_requests(text):
    """(method, path) for every request line in @text of the app's log."""
    return [(m.group(1), m.group(2)) for m in APP_REQUEST.finditer(text)]


def server_state(name):
    def predicate(status):
        return ((status or {}).get("server") or {}).get("state") == name
    predicate.__name__ = "server.state %s" % name
    return predicate


def all_playing_distinct(count):
    """Every one of @count cells playing, each a different item."""
    def predicate(status):
        cs = harness.cells(status)
        ids = [c.get("item_id") for c in cs]
        return (len(cs) == count and all(c.get("state") == "playing" for c in cs)
                and all(ids) and len(set(ids)) == count)
    predicate.__name__ = "all %d cells playing different items" % count
    return predicate


def wait_until(condition, timeout, what, interval=0.2):
    """Polls @condition() (no status file involved); fails on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise harness.TestFailure("timed out after %g s waiting for %s" % (timeout, what))
        time.sleep(interval)


def watch(app, seconds, interval=0.2):
    """Every status snapshot seen during @seconds (for 'never' checks)."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = app.status()
        if status is not None:
            seen.append(status)
        harness.check(app.poll() is None,
                      "hyperwall exited with %s\n%s" % (app.poll(), app.tail()))
        time.sleep(interval)
    return seen
