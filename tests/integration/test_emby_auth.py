#!/usr/bin/env python3
"""Sign-in against tests/fake-emby.py with the real hyperwall under Xvfb:
a token revoked mid-run costs exactly one new sign-in and the wall plays on;
a wrong password ends in "sign-in-required" on the server and every cell,
with a bounded number of attempts and nothing but probes besides.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402

WRONG_PASSWORD = "wrong-Pa55-e81d"


def test_token_revoked():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = emby.launch_wall(s, fake)
        app.wait_for(emby.all_playing_distinct(4), 45, "four cells playing")
        harness.check(len(fake.sign_ins()) == 1,
                      "expected one sign-in before the revocation\n%s"
                      % emby.describe(fake.requests()))
        old_tokens = fake.tokens()
        revoked_at = time.time()
        fake.control("revoke-token")

        # The next authorized request (a progress report comes every 10 s,
        # a new item every 20 s) meets the revocation.
        emby.wait_until(lambda: [r for r in fake.requests()
                                 if r["status"] == 401 and r["time"] >= revoked_at],
                        40, "a request refused with 401 after the revocation")
        emby.wait_until(lambda: len(fake.sign_ins()) >= 2, 20,
                        "a new sign-in after the 401")
        second = fake.sign_ins()[1]
        harness.check(second["status"] == 200, "the new sign-in got %s" % second["status"])

        # With the new token, requests succeed again ...
        def authorized_again():
            return [r for r in fake.requests()
                    if r["time"] > second["time"] and 200 <= r["status"] < 300
                    and not emby.PROBE.search(r["path"])
                    and not emby.SIGN_IN.search(r["path"])]
        emby.wait_until(authorized_again, 30, "an authorized request answered 2xx after "
                        "the new sign-in")
        harness.check(fake.tokens() - old_tokens,
                      "no new token in use after the new sign-in")
        # ... and the wall plays, with rising positions.
        harness.wait_rising(app, 30)
        # Several cells hit the 401 at about the same time: still one sign-in.
        emby.watch(app, 3)
        sign_ins = fake.sign_ins()
        harness.check(len(sign_ins) == 2,
                      "expected exactly 2 sign-ins (start + one after the 401), saw %d\n%s"
                      % (len(sign_ins), emby.describe(fake.requests())))
        unauthorized = [r for r in fake.requests() if r["status"] == 401]
        harness.note("%d request(s) met the revoked token" % len(unauthorized))
        status = app.status()
        harness.check(emby.server_state("online")(status),
                      "server.state %s after the new sign-in" % status.get("server"))
        emby.check_no_secrets(app, fake)


def test_revoked_mid_play():
    """The admin signs the device out while every cell streams: the server
    ends the streams, mpv reconnects with the old token and meets a 401.
    One new sign-in, every cell plays again, the server stays online."""
    with harness.Session() as s:
        media = emby.shared_media()
        largest = max(os.path.getsize(os.path.join(media, f)) for f in os.listdir(media))
        fake = fake_emby_server.FakeEmbyServer(s, media)
        # Each stream's body takes about 12 s of a 20 s clip: at any moment
        # the cells are still reading theirs.
        fake.control("throttle", match=r"(?i)/videos/[^/]+/stream", rate=max(4096, largest // 12))
        app = emby.launch_wall(s, fake)
        app.wait_for(emby.all_playing_distinct(4), 45, "four cells playing")
        harness.check(len(fake.sign_ins()) == 1, "expected one sign-in before the revocation")
        revoked_at = time.time()
        fake.control("revoke-token")

        emby.wait_until(lambda: [r for r in fake.requests()
                                 if r["status"] == 401 and r["time"] >= revoked_at
                                 and emby.STREAM.search(r["path"])],
                        30, "a stream request refused with 401 after the revocation")
        emby.wait_until(lambda: len(fake.sign_ins()) >= 2, 30, "a new sign-in")
        status = app.wait_for(harness.all_cells("playing", count=4), 60,
                              "every cell playing again after the revocation")
        harness.wait_rising(app, 30)
        seen = emby.watch(app, 4)
        for snapshot in seen + [status]:
            harness.check(not emby.server_state("sign-in-required")(snapshot),
                          "the wall gave up with sign-in-required\n%s"
                          % harness.summarize(snapshot))
        # A cell still playing what it had buffered of a stream the server
        # cut meets the cut later and heals like any other (a retry): in the
        # end every cell plays.
        status = app.wait_for(harness.all_cells("playing", count=4), 30,
                              "every cell playing at the end")
        harness.check(emby.server_state("online")(status),
                      "server.state %s after the revocation" % status.get("server"))
        sign_ins = fake.sign_ins()
        harness.check(len(sign_ins) == 2,
                      "expected exactly 2 sign-ins (start + one after the revocation), saw %d\n%s"
                      % (len(sign_ins), emby.describe(fake.requests())))
        emby.check_no_secrets(app, fake)


def test_wrong_password():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = emby.launch_wall(s, fake, env={"HYPERWALL_PASSWORD": WRONG_PASSWORD})
        status = app.wait_for(emby.server_state("sign-in-required"), 30,
                              "server.state sign-in-required")
        status = app.wait_for(harness.all_cells("sign-in-required", count=4), 10,
                              "every cell sign-in-required")
        first = time.monotonic()
        # Watch 20 s: the state holds, and the app does not hammer the server.
        seen = emby.watch(app, 20)
        harness.note("watched %.1f s, %d snapshots" % (time.monotonic() - first, len(seen)))
        for snapshot in seen:
            harness.check(emby.server_state("sign-in-required")(snapshot),
                          "server.state left sign-in-required: %s" % snapshot.get("server"))
            harness.check(harness.all_cells("sign-in-required", count=4)(snapshot),
                          "a cell left sign-in-required\n%s" % harness.summarize(snapshot))
        requests = fake.requests()
        listing = emby.describe(requests)
        sign_ins = fake.sign_ins()
        harness.check(1 <= len(sign_ins) <= 2,
                      "%d sign-in attempts with a wrong password (at most 2 allowed)\n%s"
                      % (len(sign_ins), listing))
        harness.check(all(r["status"] == 401 for r in sign_ins),
                      "a sign-in with the wrong password was not refused\n%s" % listing)
        others = [r for r in requests
                  if not emby.PROBE.search(r["path"]) and not emby.SIGN_IN.search(r["path"])]
        harness.check(not others, "requests besides probes and sign-ins:\n%s"
                      % emby.describe(others))
        probes = [r for r in requests if emby.PROBE.search(r["path"])]
        harness.note("%d sign-in attempt(s), %d probe(s)" % (len(sign_ins), len(probes)))
        harness.check(len(probes) <= 10,
                      "%d probes in about 25 s: the app polls a server that told it "
                      "to sign in" % len(probes))
        emby.check_no_secrets(app, fake)
        harness.assert_no_secrets(app.log(), [WRONG_PASSWORD], "hyperwall's output")
        # The card must say so on screen too; the status file carries a reason.
        reasons = {c.get("reason") for c in harness.cells(status)}
        harness.note("cell reasons: %s" % sorted(str(r) for r in reasons))


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/emby/auth/token-revoked", test_token_revoked),
        ("/hyperwall/integration/emby/auth/revoked-mid-play", test_revoked_mid_play),
        ("/hyperwall/integration/emby/auth/wrong-password", test_wrong_password),
    ])
