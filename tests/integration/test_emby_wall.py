#!/usr/bin/env python3
"""The real hyperwall against tests/fake-emby.py under Xvfb: a 2x2 wall
plays four different items from the server; server URLs with a trailing
slash or behind a reverse-proxy path prefix play too. Every test also checks
the fake server's request log and that no secret reached the app's output.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import fake_emby_server  # noqa: E402
import emby_it_util as emby  # noqa: E402

AUTH_HEADER = re.compile(r'^MediaBrowser Client="Hyperwall", Device="[^"]+", '
                         r'DeviceId="[^"]+", Version="[^"]+"')


def check_request_log(fake, status):
    """What the server saw: one sign-in, Hyperwall's header everywhere, a
    token on every request that needs one, streams for the items shown."""
    requests = fake.requests()
    listing = emby.describe(requests)
    sign_ins = fake.sign_ins()
    harness.check(len(sign_ins) == 1 and sign_ins[0]["status"] == 200,
                  "expected exactly one successful sign-in, saw %d\n%s"
                  % (len(sign_ins), listing))
    for r in requests:
        # Streams are opened by mpv with the token in the URL (api_key= for
        # Emby, ApiKey= for Jellyfin); everything the client itself sends
        # identifies Hyperwall in the Authorization header.
        key = "apikey=" if fake.dialect == "jellyfin" else "api_key="
        if emby.STREAM.search(r["path"]):
            harness.check(key in (r.get("query") or "").lower(),
                          "%s %s carries no %s" % (r["method"], r["path"], key))
        else:
            harness.check(AUTH_HEADER.match(r.get("authorization") or ""),
                          "%s %s carries no proper Authorization header"
                          % (r["method"], r["path"]))
        if emby.PROBE.search(r["path"]) or emby.SIGN_IN.search(r["path"]):
            continue
        harness.check(r["status"] != 401,
                      "%s %s was refused (401)\n%s" % (r["method"], r["path"], listing))
    streamed = set()
    for r in requests:
        match = emby.STREAM.search(r["path"])
        if match and r["status"] in (200, 206):
            streamed.add(match.group(1))
    shown = {c.get("item_id") for c in harness.cells(status)}
    harness.check(shown <= streamed,
                  "cells show items %s but the server streamed only %s"
                  % (sorted(shown), sorted(streamed)))
    harness.check(all(r["status"] != 404 for r in requests
                      if "/images/" not in r["path"].lower()),
                  "the app asked for a path the server does not know\n%s" % listing)


def test_four_different_items():
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = emby.launch_wall(s, fake)
        status = app.wait_for(emby.all_playing_distinct(4), 45,
                              "four cells playing four different items")
        harness.check(emby.server_state("online")(status),
                      "server.state is %s while the wall plays" % status.get("server"))
        status = harness.wait_rising(app, 20)
        ids = [c.get("item_id") for c in harness.cells(status) if c.get("item_id")]
        harness.check(len(ids) == 4 and len(set(ids)) == 4,
                      "later snapshot: cells do not show four different items: %s" % ids)
        check_request_log(fake, status)
        emby.check_no_secrets(app, fake)
        rc = app.stop()
        harness.check(rc == 0, "SIGTERM gave exit status %s\n%s" % (rc, app.tail()))
        emby.check_no_secrets(app, fake)


def test_stop_reported_on_sigterm():
    """docs/reliability.md, rule 10: SIGTERM reports playback stopped before exiting."""
    with harness.Session() as s:
        fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media())
        app = emby.launch_wall(s, fake)
        status = app.wait_for(emby.all_playing_distinct(4), 45,
                              "four cells playing four different items")
        playing = {c.get("item_id") for c in harness.cells(status)}
        rc = app.stop()
        harness.check(rc == 0, "SIGTERM gave exit status %s\n%s" % (rc, app.tail()))
        stopped = [r for r in fake.requests()
                   if r["path"].lower().endswith("/sessions/playing/stopped")]
        reported = {str(emby.json_field(r.get("body"), "ItemId")) for r in stopped}
        harness.check(playing <= reported,
                      "after SIGTERM the server heard playback-stopped for %s, "
                      "not for every item on the wall %s\n%s"
                      % (sorted(reported), sorted(playing),
                         emby.describe(fake.requests(), 12)))
        emby.check_no_secrets(app, fake)


def plays_with_url(prefix, url_suffix):
    """The fake server behind @prefix; the app is given its URL + @url_suffix."""
    def test():
        with harness.Session() as s:
            fake = fake_emby_server.FakeEmbyServer(s, emby.shared_media(), prefix=prefix)
            url = "http://127.0.0.1:%d%s" % (fake.port, url_suffix)
            app = emby.launch_wall(s, fake, server_url=url)
            status = app.wait_for(emby.all_playing_distinct(4), 45,
                                  "four cells playing from %s" % url)
            harness.wait_rising(app, 20)
            outside = [r for r in fake.requests()
                       if not r["path"].lower().startswith(prefix.lower() + "/emby/")]
            harness.check(not outside, "requests outside %s/emby:\n%s"
                          % (prefix, emby.describe(outside)))
            reported = (status.get("server") or {}).get("url") or ""
            harness.check(reported.rstrip("/").endswith(prefix + "/emby"),
                          "status file server.url %r does not end in %s/emby"
                          % (reported, prefix))
            check_request_log(fake, app.status())
            emby.check_no_secrets(app, fake)
    return test


if __name__ == "__main__":
    harness.run_tests([
        ("/hyperwall/integration/emby/wall/four-different-items",
         test_four_different_items),
        ("/hyperwall/integration/emby/wall/stop-reported-on-sigterm",
         test_stop_reported_on_sigterm),
        ("/hyperwall/integration/emby/wall/url-trailing-slash",
         plays_with_url("", "/")),
        ("/hyperwall/integration/emby/wall/url-path-prefix",
         plays_with_url("/media/proxy", "/media/proxy/")),
    ])
