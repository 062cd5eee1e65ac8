#!/usr/bin/env python3
"""The sign-in dialog, driven like a person would with xdotool: with a
server configured and no credentials, the wall asks; a wrong password is
refused on the dialog and costs one sign-in attempt; the right one fills
the wall. The password never reaches the log, the status file or the disk.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402


def type_into_dialog(display, text):
    env = dict(os.environ, DISPLAY=display)
    subprocess.run(["xdotool", "type", "--delay", "40", text], env=env, check=True, timeout=30)
    subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=10)


def files_containing(root, needle):
    hits = []
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            try:
                with open(path, "rb") as f:
                    if needle.encode() in f.read():
                        hits.append(path)
            except OSError:
                pass
    return hits


def test_dialog_signs_in():
    if shutil.which("xdotool") is None:
        harness.skip("xdotool is not installed")
    media = emby.shared_media(n=4, seconds=20)
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, media)
        # No HYPERWALL_PASSWORD, no file, no key: a person must be asked.
        env = dict(emby.FAST_ENV, HYPERWALL_NO_KEYRING="1")
        env.pop("HYPERWALL_PASSWORD")
        app = s.launch(["--server", fake.url, "--username", emby.USERNAME,
                        "--renderer", "software"], env=env)
        app.wait_for(emby.server_state("sign-in-required"), 30,
                     "the wall asking for sign-in")
        time.sleep(1.0)  # the dialog maps and takes focus

        before = len(fake.sign_ins())
        type_into_dialog(s.display, "not-the-password")
        emby.wait_until(lambda: len(fake.sign_ins()) > before, 20,
                        "the wrong password reaching the server")
        time.sleep(2.0)
        status = app.status()
        harness.check(emby.server_state("sign-in-required")(status),
                      "a wrong password did not leave the wall asking\n%s"
                      % harness.summarize(status))
        harness.check(len(fake.sign_ins()) == before + 1,
                      "a wrong password caused %d sign-in attempts, not 1:\n%s"
                      % (len(fake.sign_ins()) - before, emby.describe(fake.requests())))

        type_into_dialog(s.display, emby.PASSWORD)
        app.wait_for(harness.all_cells("playing", count=4), 45,
                     "four playing cells after signing in")

        emby.check_no_secrets(app, fake)
        harness.assert_no_secrets(app.log(), ["not-the-password"], "hyperwall's output")
        stored = files_containing(s.tmpdir, emby.PASSWORD)
        stored = [p for p in stored if "fake-emby" not in p]
        harness.check(not stored, "the password was written to disk: %s" % stored)
        harness.check(app.stop() == 0, "SIGTERM did not exit 0")


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/sign-in/dialog", test_dialog_signs_in),
    ])
