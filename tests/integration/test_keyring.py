#!/usr/bin/env python3
"""The access token in a real Secret Service (gnome-keyring-daemon), with
the real hyperwall under Xvfb against tests/fake-emby.py.

The daemon runs headless on the session's private bus, started by this
test (by PID) with only its secrets component and a login keyring it
creates and unlocks from a password on stdin, in the session's own XDG
directories. It runs without DISPLAY, so anything that would need a
prompt fails at once instead of waiting for a click on the Xvfb screen.

First start, with HYPERWALL_PASSWORD: the wall plays, one sign-in, and the
keyring holds one item of the app's schema whose secret is the token the
server issued; the password is in no stored attribute, label or secret and
in no file under the session's XDG directories. Second start, without any
password: the wall plays on the stored token, with no new sign-in.

A keyring that would need a prompt: the default collection locked (a kiosk
that logged in automatically), or no default collection at all (storing
into one creates it, which asks for a new password). The wall must play on
the token it keeps in memory, never ask the Secret Service for a prompt
(dbus-monitor on the private bus counts Prompt calls and prompt objects),
create no collection, put no other window on the screen, and keep using
its one token while items change. When somebody unlocks the locked keyring
later (tests/keyring-unlock.c, as a login does), the token in memory is
stored there, and the next start plays on it without a sign-in.

Stored items are read with secret-tool (libsecret-tools) and the bus with
dbus-send; nothing but the standard library in here.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402

SCHEMA = "org.example.Hyperwall.Token"
# Unlocks the test's login keyring; not a secret of the app.
KEYRING_PASSWORD = "keyring-only-3b7e"
SECRETS_NAME = "org.freedesktop.secrets"


def _bus_call(env, *args, dest="org.freedesktop.DBus", timeout=5):
    """dbus-send --print-reply; (returncode, stdout). Never auto-starts a
    service: callers ask the bus first whether the name has an owner."""
    argv = ["dbus-send", "--session", "--print-reply", "--dest=" + dest] + list(args)
    result = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=timeout)
    return result.returncode, result.stdout.decode(errors="replace")


class GnomeKeyring(harness._Process):
    """gnome-keyring-daemon on @session's bus. @state "unlocked": with an
    unlocked login keyring that is the default collection; "locked": that
    keyring locked again (Service.Lock needs no prompt); "none": no login
    keyring, so no default collection. Stopped by its PID with the session
    (it goes into session.apps, like the fake Emby server)."""

    LOGIN = "/org/freedesktop/secrets/collection/login"

    def __init__(self, session, timeout=15, state="unlocked"):
        self.state = state
        home = session.path("home")
        env = session.environment(debug=False)
        # No prompt may ever wait on the Xvfb screen: without a display
        # gcr-prompter fails at once and so does whatever needed it.
        env.pop("DISPLAY", None)
        env["HOME"] = home
        self.env = env
        self.stderr_path = session.path("gnome-keyring.stderr")
        self._err = open(self.stderr_path, "wb")
        unlock = [] if state == "none" else ["--unlock"]
        super().__init__(
            ["gnome-keyring-daemon", "--foreground", "--components=secrets"] + unlock,
            "gnome-keyring-daemon",
            env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._err)
        session.apps.append(self)
        # --unlock reads the password up to end of file.
        if unlock:
            self.popen.stdin.write(KEYRING_PASSWORD.encode())
        self.popen.stdin.close()
        self._wait_ready(timeout)
        if state == "locked":
            rc, out = _bus_call(self.env, "/org/freedesktop/secrets",
                                "org.freedesktop.Secret.Service.Lock",
                                "array:objpath:" + self.LOGIN, dest=SECRETS_NAME)
            harness.check(rc == 0 and 'object path "/"' in out,
                          "locking the login keyring did not work at once: %s" % out)
            harness.check(self.collection_locked(self.LOGIN) is True,
                          "the login keyring is not locked after Service.Lock")

    def default_alias(self):
        rc, out = _bus_call(self.env, "/org/freedesktop/secrets",
                            "org.freedesktop.Secret.Service.ReadAlias", "string:default",
                            dest=SECRETS_NAME)
        match = re.search(r'object path "([^"]+)"', out)
        return match.group(1) if rc == 0 and match else None

    def collections(self):
        rc, out = _bus_call(self.env, "/org/freedesktop/secrets",
                            "org.freedesktop.DBus.Properties.Get",
                            "string:org.freedesktop.Secret.Service", "string:Collections",
                            dest=SECRETS_NAME)
        return sorted(re.findall(r'object path "([^"]+)"', out)) if rc == 0 else None

    def collection_locked(self, path):
        rc, out = _bus_call(self.env, path, "org.freedesktop.DBus.Properties.Get",
                            "string:org.freedesktop.Secret.Collection", "string:Locked",
                            dest=SECRETS_NAME)
        if rc != 0:
            return None
        return "boolean true" in out

    def _ready(self):
        rc, out = _bus_call(self.env, "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.NameHasOwner", "string:" + SECRETS_NAME)
        if rc != 0 or "boolean true" not in out:
            return False
        rc, out = _bus_call(self.env, "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.GetConnectionUnixProcessID",
                            "string:" + SECRETS_NAME)
        harness.check(rc == 0 and re.search(r"uint32 %d\b" % self.pid, out),
                      "%s is owned by another process than our gnome-keyring-daemon "
                      "(pid %d): %s" % (SECRETS_NAME, self.pid, out.strip()))
        alias = self.default_alias()
        if self.state == "none":
            return alias == "/"
        if alias is None or alias == "/":
            return False
        return self.collection_locked(alias) is False

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while not self._ready():
            if self.popen.poll() is not None:
                raise harness.HarnessError("gnome-keyring-daemon exited with %s: %s"
                                           % (self.popen.returncode, self.stderr()))
            if time.monotonic() >= deadline:
                raise harness.HarnessError("gnome-keyring-daemon was not ready (%s) "
                                           "after %g s: %s"
                                           % (self.state, timeout, self.stderr()))
            time.sleep(0.1)

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace").strip()
        except OSError:
            return ""

    def items(self, *attributes):
        """Every item matching @attributes (name, value, ...), unlocked and
        with its secret: a list of dicts with "label", "secret" and, when
        there is exactly one item, "attribute.NAME" keys."""
        result = subprocess.run(["secret-tool", "search", "--all", "--unlock"]
                                + list(attributes),
                                env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        # secret-tool 0.20 prints "[path]", label, secret and dates on stdout
        # and the attributes on stderr, so only one item's attributes can be
        # told apart; a new item starts at each "label = ".
        items = []
        for line in result.stdout.decode(errors="replace").splitlines():
            key, sep, value = line.partition(" = ")
            if not sep:
                continue
            if key == "label":
                items.append({})
            if items:
                items[-1][key] = value
        if len(items) == 1:
            for line in result.stderr.decode(errors="replace").splitlines():
                key, sep, value = line.partition(" = ")
                if sep and key.startswith("attribute."):
                    items[0][key] = value
        return items

    def stop(self, *args, **kwargs):
        try:
            return super().stop(*args, **kwargs)
        finally:
            self._err.close()


class PromptWatch(harness._Process):
    """dbus-monitor on @session's private bus (its policy allows
    monitoring): every message, to a file, so prompts can be counted."""

    def __init__(self, session, timeout=10):
        self.path = session.path("dbus-monitor.txt")
        self._out = open(self.path, "wb")
        super().__init__(["dbus-monitor", "--address", session.bus.address],
                         "dbus-monitor", stdin=subprocess.DEVNULL, stdout=self._out,
                         stderr=subprocess.STDOUT)
        session.apps.append(self)
        # It prints its own NameAcquired (and the monitoring signal) once
        # it listens.
        emby.wait_until(lambda: os.path.getsize(self.path) > 0, timeout,
                        "dbus-monitor listening")

    def text(self):
        self._out.flush()
        with open(self.path, "rb") as f:
            return f.read().decode(errors="replace")

    def prompt_calls(self):
        """Calls of org.freedesktop.Secret.Prompt.Prompt (what shows one)."""
        return len(re.findall(r"interface=org\.freedesktop\.Secret\.Prompt; member=Prompt\b",
                              self.text()))

    def prompt_objects(self):
        """Prompt objects the service handed out (a path other than "/")."""
        return len(set(re.findall(r'object path "(/org/freedesktop/secrets/prompt/[^"]+)"',
                                  self.text())))

    def stop(self, *args, **kwargs):
        try:
            return super().stop(*args, **kwargs)
        finally:
            self._out.close()


def foreign_windows(session, app):
    """Visible X windows that show something and are not @app's (a prompt
    would be one): (window, pid, geometry) for each. The root window and
    GTK's 1x1 or input-only helper windows (no _NET_WM_PID) do not count."""
    out = session.xdotool("search", "--onlyvisible", "--name", "")
    env = dict(os.environ, DISPLAY=session.display)
    foreign = []
    for window in out.split():
        try:
            pid = session.xdotool("getwindowpid", window).strip()
        except harness.HarnessError:
            pid = "?"
        if pid == str(app.pid):
            continue
        info = subprocess.run(["xwininfo", "-id", window], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              timeout=10).stdout.decode(errors="replace")
        size = re.search(r"Width: (\d+).*?Height: (\d+)", info, re.S)
        width, height = (int(size.group(1)), int(size.group(2))) if size else (0, 0)
        if "(the root window)" in info or "Class: InputOnly" in info or width * height <= 16:
            continue
        foreign.append((window, pid, "%dx%d" % (width, height)))
    return foreign


def files_holding(directory, secrets):
    """(path, lengths) of every file under @directory holding one of
    @secrets, as bytes, plain or URL-encoded."""
    from urllib.parse import quote
    needles = set()
    for secret in secrets:
        if secret:
            needles.add(secret.encode())
            needles.add(quote(secret, safe="").encode())
    found = []
    for root, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            hits = [len(n) for n in needles if n in data]
            if hits:
                found.append((os.path.relpath(path, directory), hits))
    return found


def launch(session, fake, with_password, extra=()):
    env = dict(emby.FAST_ENV)
    if not with_password:
        del env["HYPERWALL_PASSWORD"]
    return session.launch(["--server", fake.url, "--username", emby.USERNAME,
                           "--rows", "2", "--columns", "2", "--renderer", "software"]
                          + list(extra), env=env)


def playing_on_token(count):
    """All @count cells playing different items; fails at once when the app
    asks for a sign-in instead (the stored token was not used)."""
    playing = emby.all_playing_distinct(count)

    def predicate(status):
        if emby.server_state("sign-in-required")(status):
            raise harness.TestFailure("sign-in-required without a password: the stored "
                                      "token was not used\n%s" % harness.summarize(status))
        return playing(status)
    predicate.__name__ = "%s on the stored token" % playing.__name__
    return predicate


def need(*programs):
    packages = {"gnome-keyring-daemon": "gnome-keyring", "secret-tool": "libsecret-tools",
                "dbus-send": "dbus", "dbus-monitor": "dbus-bin", "xdotool": "xdotool",
                "xwininfo": "x11-utils"}
    for program in programs:
        if not shutil.which(program):
            harness.skip("%s is not installed (Debian package %s)"
                         % (program, packages[program]))


def test_token_in_keyring():
    need("gnome-keyring-daemon", "secret-tool", "dbus-send")

    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        keyring = GnomeKeyring(s)
        harness.check(not keyring.items("xdg:schema", SCHEMA),
                      "the fresh keyring already holds a token")

        # First start: signs in with the password, keeps the token.
        first = launch(s, fake, with_password=True)
        first.wait_for(emby.all_playing_distinct(4), 45, "four cells playing (first start)")
        harness.check(len(fake.sign_ins()) == 1, "expected one sign-in, saw %d\n%s"
                      % (len(fake.sign_ins()), emby.describe(fake.requests())))
        items = emby.wait_until(lambda: keyring.items("xdg:schema", SCHEMA), 10,
                                "a token item of schema %s in the keyring" % SCHEMA)
        harness.check(len(items) == 1, "%d items of schema %s, expected 1"
                      % (len(items), SCHEMA))
        item = items[0]
        issued = fake.tokens()
        harness.check(item.get("secret") in issued,
                      "the stored secret (length %d) is not a token the server issued"
                      % len(item.get("secret", "")))
        harness.check(item.get("attribute.server") == fake.url + "/emby",
                      "attribute server is %r, expected %r"
                      % (item.get("attribute.server"), fake.url + "/emby"))
        harness.check(item.get("attribute.username") == emby.USERNAME,
                      "attribute username is %r" % item.get("attribute.username"))
        harness.check(item.get("attribute.user-id"), "no user-id attribute")
        harness.assert_no_secrets("\n".join("%s = %s" % kv for kv in sorted(item.items())),
                                  [emby.PASSWORD], "the keyring item")
        # The token is only in the (encrypted) keyring, the password nowhere.
        leaks = files_holding(s.path("home"), [emby.PASSWORD] + sorted(issued))
        harness.check(not leaks, "secrets in plain files under the XDG dirs "
                      "(path, secret lengths): %s" % leaks)
        harness.check("kept in memory only" not in first.log(),
                      "the app did not use the Secret Service\n%s" % first.tail())
        emby.check_no_secrets(first, fake)
        rc = first.stop()
        harness.check(rc == 0, "the first run exited with %s" % rc)

        # Second start: no password at all; the stored token must do.
        restarted_at = time.time()
        second = launch(s, fake, with_password=False)
        second.wait_for(playing_on_token(4), 45)
        harness.check(not fake.sign_ins(since=restarted_at),
                      "the second start signed in again\n%s" % emby.describe(fake.requests()))
        after = [r for r in fake.requests()
                 if r["time"] >= restarted_at and not emby.PROBE.search(r["path"])]
        used = emby.tokens_in(after)
        harness.check(used == {item["secret"]},
                      "the second start used %d token(s), not just the stored one"
                      % len(used))
        harness.check(emby.server_state("online")(second.status()),
                      "server.state %s on the stored token" % second.status().get("server"))
        emby.check_no_secrets(second, fake)
        leaks = files_holding(s.path("home"), [emby.PASSWORD] + sorted(fake.tokens()))
        harness.check(not leaks, "secrets in plain files under the XDG dirs after the "
                      "second start: %s" % leaks)
        harness.note("token item kept; second start: %d requests, no sign-in" % len(after))


def keyring_needs_prompt(state, extra, expected_log):
    """The wall against a keyring in @state ("locked" or "none") that only a
    prompt could make usable."""
    need("gnome-keyring-daemon", "dbus-send", "dbus-monitor", "xdotool", "xwininfo")

    with harness.Session() as s:
        # Clips of 3 s: every cell moves on to new items (new stream URLs,
        # new requests with the token) within the test.
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media(n=8, seconds=3))
        keyring = GnomeKeyring(s, state=state)
        collections_before = keyring.collections()
        monitor = PromptWatch(s)

        app = launch(s, fake, with_password=True, extra=extra)
        app.wait_for(emby.all_playing_distinct(4), 45, "four cells playing")
        harness.check(len(fake.sign_ins()) == 1, "expected one sign-in, saw %d\n%s"
                      % (len(fake.sign_ins()), emby.describe(fake.requests())))

        # The token is needed again and again while items change: the one
        # in memory must do, with no second sign-in.
        signed_in_at = time.time()
        first_items = {c.get("index"): c.get("item_id")
                       for c in harness.cells(app.status())}

        def every_cell_moved_on():
            now = {c.get("index"): c.get("item_id") for c in harness.cells(app.status())}
            return len(now) == 4 and all(now[i] != first_items.get(i) for i in now)
        emby.wait_until(every_cell_moved_on, 30, "every cell on a new item")
        app.wait_for(harness.all_cells("playing", count=4), 20, "all cells playing again")
        later = [r for r in fake.requests()
                 if r["time"] >= signed_in_at and not emby.PROBE.search(r["path"])]
        harness.check(any(emby.STREAM.search(r["path"]) for r in later),
                      "no stream requested after the first items\n%s" % emby.describe(later))
        harness.check(len(fake.sign_ins()) == 1,
                      "signed in again (%d sign-ins): the token was not kept in memory\n%s"
                      % (len(fake.sign_ins()), emby.describe(fake.requests())))
        used = emby.tokens_in([r for r in fake.requests()
                               if not emby.PROBE.search(r["path"])
                               and not emby.SIGN_IN.search(r["path"])])
        harness.check(len(used) == 1, "%d tokens used, expected the one in memory"
                      % len(used))

        # Nothing on screen but the wall.
        foreign = foreign_windows(s, app)
        harness.check(not foreign, "windows of other processes on the screen "
                      "(window, pid, size): %s" % foreign)
        harness.check_cells_moving(s, 2, 2)

        prompts, prompt_objects = monitor.prompt_calls(), monitor.prompt_objects()
        harness.check(prompts == 0 and prompt_objects == 0,
                      "the Secret Service was asked for a prompt: %d Prompt calls, "
                      "%d prompt objects" % (prompts, prompt_objects))
        harness.check(keyring.collections() == collections_before,
                      "collections changed from %s to %s (one was created)"
                      % (collections_before, keyring.collections()))
        if state == "locked":
            harness.check(keyring.collection_locked(GnomeKeyring.LOGIN) is True,
                          "the login keyring was unlocked")
        else:
            harness.check(keyring.default_alias() == "/",
                          "a default collection appeared: %s" % keyring.default_alias())
        harness.check(app.log().count(expected_log) == 1,
                      "%r said %d times, expected once"
                      % (expected_log, app.log().count(expected_log)))
        emby.check_no_secrets(app, fake)
        rc = app.stop()
        harness.check(rc == 0, "the wall exited with %s" % rc)
        harness.note("%d requests on one token in memory, no prompt" % len(later))


def unlock_helper():
    path = os.environ.get("HYPERWALL_KEYRING_UNLOCK") or os.path.join(
        os.path.dirname(harness.hyperwall_bin()), "..", "tests", "keyring-unlock")
    if not os.access(path, os.X_OK):
        harness.skip("no keyring-unlock helper at %s (built with the tests)" % path)
    return path


def test_unlocked_later():
    need("gnome-keyring-daemon", "secret-tool", "dbus-send", "dbus-monitor")
    helper = unlock_helper()

    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        keyring = GnomeKeyring(s, state="locked")
        monitor = PromptWatch(s)

        first = launch(s, fake, with_password=True)
        first.wait_for(emby.all_playing_distinct(4), 45, "four cells playing (locked keyring)")
        emby.wait_until(lambda: "The default keyring is locked" in first.log(), 10,
                        "the log saying the keyring is locked")

        # Somebody logs in: the keyring is unlocked without any prompt.
        result = subprocess.run([helper, GnomeKeyring.LOGIN], env=keyring.env,
                                input=KEYRING_PASSWORD.encode(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=20)
        harness.check(result.returncode == 0, "keyring-unlock failed: %s"
                      % result.stdout.decode(errors="replace"))
        harness.check(keyring.collection_locked(GnomeKeyring.LOGIN) is False,
                      "the login keyring is still locked")
        items = emby.wait_until(lambda: keyring.items("xdg:schema", SCHEMA), 15,
                                "the token stored once the keyring was unlocked")
        harness.check(len(items) == 1, "%d items of schema %s, expected 1"
                      % (len(items), SCHEMA))
        harness.check(items[0].get("secret") in fake.tokens(),
                      "the stored secret is not a token the server issued")
        harness.check(len(fake.sign_ins()) == 1, "signed in %d times" % len(fake.sign_ins()))
        harness.check("the access token is kept there now" in first.log(),
                      "the log does not say the token was stored\n%s" % first.tail())
        harness.check(monitor.prompt_calls() == 0 and monitor.prompt_objects() == 0,
                      "prompts: %d calls, %d objects"
                      % (monitor.prompt_calls(), monitor.prompt_objects()))
        emby.check_no_secrets(first, fake)
        rc = first.stop()
        harness.check(rc == 0, "the first run exited with %s" % rc)

        restarted_at = time.time()
        second = launch(s, fake, with_password=False)
        second.wait_for(playing_on_token(4), 45)
        harness.check(not fake.sign_ins(since=restarted_at),
                      "the second start signed in again\n%s" % emby.describe(fake.requests()))


def test_no_secret_service():
    """Nothing owns org.freedesktop.secrets on the bus (a bare kiosk
    session): the wall plays on the token in memory and says so once."""
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = launch(s, fake, with_password=True)
        app.wait_for(emby.all_playing_distinct(4), 45, "four cells playing")
        said = [l for l in app.log().splitlines() if "kept in memory only" in l]
        harness.check(len(said) == 1 and "No Secret Service" in said[0],
                      "expected one line saying there is no Secret Service: %s" % said)
        harness.check("CRITICAL" not in app.log(), "criticals in the log\n%s" % app.tail())
        harness.check(len(fake.sign_ins()) == 1, "signed in %d times" % len(fake.sign_ins()))


def test_locked_keyring_kiosk():
    keyring_needs_prompt("locked", ["--kiosk"], "The default keyring is locked")


def test_no_default_keyring():
    keyring_needs_prompt("none", [], "The Secret Service has no default keyring")


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/keyring/token-reused", test_token_in_keyring),
        ("/hyperwall/integration/keyring/no-secret-service", test_no_secret_service),
        ("/hyperwall/integration/keyring/locked-kiosk", test_locked_keyring_kiosk),
        ("/hyperwall/integration/keyring/no-default", test_no_default_keyring),
        ("/hyperwall/integration/keyring/unlocked-later", test_unlocked_later),
    ])
