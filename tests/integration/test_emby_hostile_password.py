#!/usr/bin/env python3
"""Passwords a person may choose — a PIN whose digits occur in the status
file's numbers, "true", a JSON key, a word of every title — against the fake
Emby server with the real hyperwall under Xvfb. The wall signs in and
plays, and its status file stays valid JSON with every number and title as
it is: secrets are masked where they enter, never across finished output.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402

# The default cache budget, 3072 MiB: "3221" was the PIN that once turned it
# into ***225472. "clip" is a word of every title (clip-00, clip-01, ...).
BUDGET = 3221225472
PASSWORDS = ["3221", "true", "state", "clip"]
TITLE = re.compile(r"^clip-\d\d$")


def raw_status(app):
    with open(app.status_path, encoding="utf-8") as f:
        return f.read()


def plays_with_password(password):
    def test():
        with harness.Session() as s:
            fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media(), password=password)
            app = emby.launch_wall(s, fake, rows=1, columns=2,
                                   env={"HYPERWALL_PASSWORD": password})
            app.wait_for(emby.all_playing_distinct(2), 45, "both cells playing")
            # Every snapshot over a few seconds, read as the file is.
            deadline = time.monotonic() + 4
            snapshots = 0
            while time.monotonic() < deadline:
                try:
                    text = raw_status(app)
                except OSError:
                    continue
                try:
                    status = json.loads(text)
                except ValueError as e:
                    raise harness.TestFailure("the status file is not valid JSON (%s):\n%s"
                                              % (e, text))
                snapshots += 1
                harness.check(status["grid"]["cache_budget_bytes"] == BUDGET,
                              "cache_budget_bytes is %r" % status["grid"]["cache_budget_bytes"])
                harness.check("***" not in text, "something was masked in the status file:\n"
                              + text)
                for cell in harness.cells(status):
                    if cell.get("state") == "playing":
                        harness.check(TITLE.match(cell.get("title") or ""),
                                      "cell %s shows the title %r" % (cell.get("index"),
                                                                      cell.get("title")))
                time.sleep(0.2)
            harness.check(snapshots >= 5, "read only %d status snapshots" % snapshots)
            # The password is an ordinary word here and shows up legitimately;
            # the tokens the server issued must not.
            harness.assert_no_secrets(app.log(), fake.tokens(), "hyperwall's output")
            harness.assert_no_secrets(raw_status(app), fake.tokens(), "the status file")
            rc = app.stop()
            harness.check(rc == 0, "SIGTERM gave exit status %s\n%s" % (rc, app.tail()))
    return test


if __name__ == "__main__":
    harness.run_tests([("/hyperwall/integration/emby/hostile-password/%s" % p,
                        plays_with_password(p)) for p in PASSWORDS])
