#!/usr/bin/env python3
# fake-emby.py: a small Emby server for Hyperwall's tests (python3 stdlib only).
#
# Follows docs/emby-api.md closely enough for the client and the wall:
# paths and query names are case-insensitive, an optional /emby or /mediabrowser
# root and an optional extra --prefix, user "wall" with --password, a library
# built from the video files in --media DIR, Range and HEAD on streams and
# /Items/{Id}/Download (odd ids; even ones answer 403), HLS
# fallback, session reports, optional HTTPS (--tls-cert/--tls-key), and faults
# injected at runtime through POST /__control. Sessions as Emby keeps them: one
# per DeviceId, whose NowPlayingItem and PlayState follow the latest start or
# progress report (a stopped report of that item clears them), shown by
# GET /Sessions[?DeviceId=]. A request that presents any
# revoked token (header or api_key) is refused. Every request is logged as one JSON line to --log FILE,
# secrets kept as sent so tests can check them.
#
# The session socket: /embywebsocket?api_key=…&deviceId=… upgrades to a
# websocket (RFC 6455 handshake and framing, by hand). Through /__control:
# "ws-send" sends {"message": {...}} (or {"raw": "text"}) to every open
# socket (count times, default once: a flood in one control request), "ws-drop" closes them all, "ws-refuse" answers the next upgrades
# (count, default all) with 404, "ws-garbage" sends a binary frame and text
# that is not JSON, "ws-endless" starts on every open socket a text message
# that never ends: continuation frames of {"chunk": bytes} at {"rate": bytes
# per second} (0: as fast as the socket takes them) until the socket closes.
# Socket events go to the log as {"event": "ws-open" |
# "ws-close" | "ws-message", ...}.
#
# Dialects (--dialect, or {"fault": "dialect", "dialect": ...} through /__control):
# "emby" (the default) is Emby 4.8; "jellyfin" behaves as Jellyfin 12 does:
# ProductName "Jellyfin Server" in /System/Info/Public, the legacy credentials
# (X-Emby-Token, X-Emby-Authorization, the api_key query parameter) refused
# with 401, the Authorization header and the ApiKey query parameter
# accepted, /UserViews and /Items?userId= instead of /Users/{id}/Views and
# /Users/{id}/Items (404), the session socket at /socket, and the /emby root
# optional (Jellyfin rewrites it away). The dialect decides in dispatch
# helpers (token(), api_path(), serve()'s routes), so new endpoints need only
# say whether they exist in one dialect or both.
#
# Usage: python3 tests/fake-emby.py --media DIR --log FILE [--prefix /p] [--password secret]
#        [--tls-cert CERT.pem --tls-key KEY.pem] [--dialect emby|jellyfin]
# The first line on stdout is "PORT <n>".
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import base64
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

TICKS = 10_000_000
SERVER_ID = "f4c3e3b1a2d24c5e9a7f000000000001"
USER_ID = "5e1f0c0d2b1e4f6a8c9d0e1f2a3b4c5d"
VIDEO_EXTENSIONS = (".mp4", ".mkv", ".webm", ".ts")


def probe_duration(path):
    """Seconds, from ffprobe when it is there; 60 otherwise."""
    try:
        out = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration",
             "-of", "default=nw=1:nk=1", path],
            capture_output=True, text=True, timeout=10, check=False).stdout
        return float(out.strip())
    except (OSError, ValueError, subprocess.SubprocessError):
        return 60.0


class Library:
    def __init__(self, args):
        self.views = []
        self.items = {}          # id -> dict(Id, Name, path, size, ticks, container, view)
        for spec in args.libraries.split(","):
            name, _, ctype = spec.partition(":")
            view_id = str(2000 + len(self.views))
            self.views.append({"Id": view_id, "Name": name, "CollectionType": ctype or None})
        video_views = [v for v in self.views
                       if v["CollectionType"] in (None, "", "movies", "tvshows",
                                                  "homevideos", "musicvideos")]
        files = []
        if args.media:
            files = sorted(os.path.join(args.media, f) for f in os.listdir(args.media)
                           if f.lower().endswith(VIDEO_EXTENSIONS))
        next_id = 1001
        for i, path in enumerate(files):
            view = video_views[i % len(video_views)]
            self._add(str(next_id), os.path.splitext(os.path.basename(path))[0], path, view)
            next_id += 1
        for i in range(args.fake_items):
            view = video_views[(len(files) + i) % len(video_views)]
            self._add(str(next_id), "Synthetic %d" % (i + 1), None, view)
            next_id += 1

    def _add(self, item_id, name, path, view):
        size = os.path.getsize(path) if path else 4096
        seconds = probe_duration(path) if path else 30.0
        container = os.path.splitext(path)[1][1:] if path else "mp4"
        self.items[item_id] = {"Id": item_id, "Name": name, "path": path, "size": size,
                               "ticks": int(seconds * TICKS), "container": container,
                               "view": view["Id"]}

    def item_json(self, item):
        source = self.media_source(item, token=None, session=None)
        return {"Id": item["Id"], "Name": item["Name"], "Type": "Movie", "MediaType": "Video",
                "IsFolder": False, "RunTimeTicks": item["ticks"] + TICKS,  # the item's is wrong on purpose
                "ServerId": SERVER_ID, "ImageTags": {}, "MediaSources": [source],
                # Odd ids may be downloaded, even ones only streamed: both
                # ways of the offline cache are used.
                "DateModified": "2026-01-01T00:00:00.0000000Z",
                "CanDownload": int(item["Id"]) % 2 == 1}

    def media_source(self, item, token, session):
        source = {"Id": "ms" + item["Id"], "Container": item["container"], "Size": item["size"],
                  "Bitrate": 1000000, "RunTimeTicks": item["ticks"], "Protocol": "File",
                  "SupportsDirectPlay": True, "SupportsDirectStream": True,
                  "SupportsTranscoding": True,
                  "MediaStreams": [{"Type": "Video", "Codec": "h264", "Width": 640, "Height": 360}]}
        if session:
            # Server-relative and without the /emby root, as real servers send it.
            source["TranscodingUrl"] = (
                "/videos/%s/master.m3u8?MediaSourceId=ms%s&PlaySessionId=%s&VideoCodec=h264"
                "&AudioCodec=aac&SegmentContainer=ts&%s=%s"
                % (item["Id"], item["Id"], session, token_key(), token or ""))
        return source


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.tokens = set()
        self.faults = []
        self.library = Library(args)
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.refuse_until = 0.0
        self.connections = set()
        self.server = None
        self.hls_dir = tempfile.mkdtemp(prefix="fake-emby-hls-")
        self.hls_lock = threading.Lock()
        self.websockets = []          # open WebSocket objects
        self.ws_refuse = 0            # upgrades still to refuse (-1: all)
        self.sessions = {}            # DeviceId -> SessionInfo, as GET /Sessions shows it
        self.dialect = args.dialect
        # Playlists and box sets: id -> {"Id", "Name", "Type", "items": [item ids, in order]}
        self.containers = {}
        for kind, specs in (("Playlist", args.playlist or []), ("BoxSet", args.boxset or [])):
            for spec in specs:
                name, _, ids = spec.partition("=")
                self.set_container(kind, name, [i for i in ids.split(",") if i])

    def set_container(self, kind, name, ids):
        """Creates or refills the playlist or box set called @name."""
        for c in self.containers.values():
            if c["Type"] == kind and c["Name"] == name:
                c["items"] = ids
                return c["Id"]
        base = 3000 if kind == "Playlist" else 4000
        cid = str(base + len(self.containers))
        while cid in self.containers:
            cid = str(int(cid) + 1)
        self.containers[cid] = {"Id": cid, "Name": name, "Type": kind, "items": ids}
        return cid

    def write_log(self, entry):
        if self.log is None:
            return
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()

    def take_fault(self, path):
        with self.lock:
            for fault in self.faults:
                if fault["count"] == 0:
                    continue
                if re.search(fault.get("match") or ".", path, re.IGNORECASE):
                    if fault["count"] > 0:
                        fault["count"] -= 1
                    return dict(fault)
        return None


STATE = None


def jellyfin():
    return STATE.dialect == "jellyfin"


def token_key():
    """The query parameter a stream URL carries its token in."""
    return "ApiKey" if jellyfin() else "api_key"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeEmby/4.8.11.0"

    def log_message(self, fmt, *args):  # the JSON log replaces stderr chatter
        pass

    def setup(self):
        super().setup()
        with STATE.lock:
            STATE.connections.add(self.connection)

    def finish(self):
        with STATE.lock:
            STATE.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    # --- plumbing ---------------------------------------------------------

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def dispatch(self, method):
        self.method = method
        self.status = 0
        self.started = time.time()
        parts = urlsplit(self.path)
        self.raw_path = parts.path
        self.raw_query = parts.query
        self.query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
        self.body = self.read_body()
        self.logged = False
        self.throttle_rate = None
        try:
            if self.raw_path == "/__control":
                self.control()
            else:
                self.serve()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self.write_log()

    def write_log(self):
        """Once per request, before the answer goes out, so a client that has
        its answer always finds the request in the log."""
        if self.logged:
            return
        self.logged = True
        STATE.write_log({"time": self.started, "method": self.method, "path": self.raw_path,
                         "query": self.raw_query, "status": self.status,
                         "dialect": STATE.dialect,
                         "authorization": self.headers.get("Authorization"),
                         "x_emby_authorization": self.headers.get("X-Emby-Authorization"),
                         "token": self.headers.get("X-Emby-Token"),
                         "range": self.headers.get("Range"),
                         "body": self.body.decode("utf-8", "replace")[:2000]})

    def send_bytes(self, status, data, content_type="application/json", extra=None):
        self.status = status
        self.write_log()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.method == "HEAD":
            return
        rate = getattr(self, "throttle_rate", None)
        if not rate:
            self.wfile.write(data)
            return
        chunk = max(1024, int(rate / 10))
        for offset in range(0, len(data), chunk):
            # A stream whose token was revoked ends mid-body, as a server
            # ends the streams of a device an admin signed out.
            if (self.query.get("api_key") or self.query.get("apikey")) \
                    and not self.tokens_valid():
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(data[offset:offset + chunk])
            self.wfile.flush()
            time.sleep(chunk / rate)

    def send_json(self, status, obj):
        self.send_bytes(status, json.dumps(obj).encode())

    def send_empty(self, status=204):
        self.status = status
        self.write_log()
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # --- faults -----------------------------------------------------------

    def control(self):
        try:
            spec = json.loads(self.body or b"{}")
        except ValueError:
            self.send_json(400, {"error": "bad json"})
            return
        kind = spec.get("fault", "none")
        with STATE.lock:
            if kind == "none":
                STATE.faults.clear()
            elif kind == "dialect":
                STATE.dialect = spec.get("dialect", "emby")
            elif kind == "revoke-token":
                STATE.tokens.clear()
            elif kind == "ws-send":
                raw = spec.get("raw")
                data = raw if raw is not None else json.dumps(spec.get("message", {}))
                for _ in range(max(1, int(spec.get("count", 1)))):
                    for ws in list(STATE.websockets):
                        ws.send_text(data)
            elif kind == "ws-garbage":
                for ws in list(STATE.websockets):
                    ws.send_frame(0x2, b"\x00\xff\xfe binary")
                    ws.send_text("{\"MessageType\": \"Play\", \"Data\": {\"ItemIds\": [")
                    ws.send_text("\xff not json at all")
            elif kind == "ws-endless":
                for ws in list(STATE.websockets):
                    threading.Thread(target=ws.send_endless,
                                     args=(int(spec.get("chunk", 65536)),
                                           float(spec.get("rate", 0))),
                                     daemon=True).start()
            elif kind == "ws-drop":
                for ws in list(STATE.websockets):
                    ws.drop()
            elif kind == "ws-refuse":
                STATE.ws_refuse = int(spec.get("count", -1))
            elif kind == "ws-accept":
                STATE.ws_refuse = 0
            elif kind in ("playlist-set", "boxset-set"):
                STATE.set_container("Playlist" if kind == "playlist-set" else "BoxSet",
                                    spec["name"], [str(i) for i in spec.get("items", [])])
            elif kind in ("playlist-delete", "boxset-delete"):
                wanted = "Playlist" if kind == "playlist-delete" else "BoxSet"
                for cid in [c["Id"] for c in STATE.containers.values()
                            if c["Type"] == wanted and c["Name"] == spec["name"]]:
                    del STATE.containers[cid]
            elif kind == "refuse":
                threading.Thread(target=refuse,
                                 args=(float(spec.get("delay", 5)), self.connection),
                                 daemon=True).start()
            else:
                spec.setdefault("count", -1)
                spec["fault"] = kind
                STATE.faults.append(spec)
        self.send_json(200, {"ok": True, "fault": kind})

    def apply_fault(self, fault, body_writer):
        """TRUE when the fault answered the request."""
        kind = fault["fault"]
        if kind == "slow-headers":
            # Nothing at all for @delay seconds, then the normal answer.
            time.sleep(float(fault.get("delay", 3600)))
            return False
        if kind == "reset":
            if "after_bytes" in fault:
                body_writer(int(fault["after_bytes"]), 0.0)
            # SO_LINGER 0: close() sends a TCP reset, not a clean FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.close()
            return True
        if kind == "status":
            status = int(fault.get("status", 500))
            extra = {}
            if "retry_after" in fault:
                extra["Retry-After"] = str(fault["retry_after"])
            self.send_bytes(status, json.dumps({"error": "injected %d" % status}).encode(),
                            extra=extra)
            return True
        if kind == "malformed-json":
            self.send_bytes(200, b'{"Items": [{"Id": "1", "Name": ')
            return True
        if kind == "nested-json":
            # @size bytes of "[" after @prefix: deeper than any recursive
            # parser's stack.
            prefix = str(fault.get("prefix", "")).encode()
            self.send_bytes(int(fault.get("status", 200)),
                            prefix + b"[" * int(fault.get("size", 300 * 1024)))
            return True
        if kind == "html":
            self.send_bytes(int(fault.get("status", 200)),
                            b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>",
                            "text/html")
            return True
        if kind == "stall-body":
            body_writer(int(fault.get("after_bytes", 0)), float(fault.get("delay", 3600)))
            return True
        if kind == "big-body":
            # @size bytes of valid JSON, with or without a Content-Length.
            size = int(fault.get("size", 9 * 1024 * 1024))
            data = b'{"Items": [], "Pad": "' + b"x" * max(0, size - 24) + b'"}'
            self.status = int(fault.get("status", 200))
            self.write_log()
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json")
            if fault.get("no_length"):
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except OSError:
                self.close_connection = True
            return True
        if kind == "throttle":
            # The normal answer, its body at @rate bytes per second.
            self.throttle_rate = float(fault.get("rate", 65536))
            return False
        if kind == "slow":
            # The normal answer after @delay seconds (a slow server, not a
            # silent one: unlike slow-headers the delay is meant to end).
            time.sleep(float(fault.get("delay", 1)))
            return False
        return False

    # --- the API ----------------------------------------------------------

    def api_path(self):
        """The path below the API root, lower case, or None when outside it."""
        path = self.raw_path
        prefix = STATE.args.prefix.rstrip("/")
        if prefix:
            if not path.lower().startswith(prefix.lower() + "/"):
                return None
            path = path[len(prefix):]
        lower = path.lower()
        for root in ("/emby/", "/mediabrowser/"):
            if lower.startswith(root):
                return lower[len(root) - 1:].rstrip("/")
        return lower.rstrip("/") if STATE.args.no_root_ok or jellyfin() else None

    def header_token(self, name):
        match = re.search(r'Token="([^"]*)"', self.headers.get(name) or "", re.IGNORECASE)
        return match.group(1) if match else None

    def legacy_credentials(self):
        """What Jellyfin 12 no longer takes: X-Emby-Token, X-Emby-Authorization,
        api_key in the query."""
        return [name for name, present in (
            ("X-Emby-Token", self.headers.get("X-Emby-Token")),
            ("X-Emby-Authorization", self.headers.get("X-Emby-Authorization")),
            ("api_key", "api_key" in self.query)) if present]

    def token(self):
        for token in self.presented_tokens():
            return token
        return None

    def presented_tokens(self):
        """Every token the request carries, as the dialect reads them."""
        tokens = [self.header_token("Authorization")]
        if jellyfin():
            tokens.append(self.query.get("apikey"))
        else:
            tokens += [self.headers.get("X-Emby-Token"), self.header_token("X-Emby-Authorization"),
                       self.query.get("api_key")]
        return [t for t in tokens if t]

    def tokens_valid(self):
        if jellyfin() and self.legacy_credentials():
            return False
        presented = self.presented_tokens()
        return bool(presented) and all(t in STATE.tokens or t == STATE.args.api_key
                                       for t in presented)

    def authorized(self):
        # Strict on purpose: a revoked token anywhere in the request (an
        # api_key left in a URL next to a valid header) is refused, as a
        # proxy that authenticates by the query would. A client must never
        # send a token it no longer holds.
        if self.tokens_valid():
            return True
        self.send_json(401, {"error": "Access token is invalid or expired."})
        return False

    def serve(self):
        path = self.api_path()
        fault = STATE.take_fault(self.raw_path)
        if fault and self.apply_fault(fault, self.stalling_writer(path)):
            return
        if path is None:
            self.send_bytes(404, b"<html>Not found</html>", "text/html")
            return

        if path == "/system/info/public":
            if jellyfin():
                self.send_json(200, {"ServerName": "Fake Jellyfin", "Version": "12.0.0",
                                     "ProductName": "Jellyfin Server", "Id": SERVER_ID,
                                     "LocalAddress": "http://10.9.9.9:8096",
                                     "StartupWizardCompleted": True})
            else:
                self.send_json(200, {"ServerName": "Fake Emby", "Version": "4.8.11.0",
                                     "Id": SERVER_ID, "LocalAddress": "http://10.9.9.9:8096"})
            return
        if path == "/system/ping":
            self.send_bytes(200, b'"Emby Server"')
            return
        if path == "/users/authenticatebyname" and self.method == "POST":
            self.authenticate()
            return
        if path == ("/socket" if jellyfin() else "/embywebsocket") and self.method == "GET":
            self.websocket()
            return
        if not self.authorized():
            return

        if jellyfin() and self.method == "GET" and path in ("/userviews", "/items"):
            if not self.query.get("userid"):
                self.send_json(400, {"error": "userId is required with an access token"})
            elif path == "/userviews":
                self.send_json(200, {"Items": STATE.library.views,
                                     "TotalRecordCount": len(STATE.library.views)})
            else:
                self.items()
            return
        match = re.fullmatch(r"/users/([^/]+)/(views|items)", path)
        if match and self.method == "GET" and not jellyfin():
            if match.group(2) == "views":
                self.send_json(200, {"Items": STATE.library.views,
                                     "TotalRecordCount": len(STATE.library.views)})
            else:
                self.items()
            return
        match = re.fullmatch(r"/playlists/([^/]+)/items", path)
        if match and self.method == "GET":
            self.playlist_items(match.group(1))
            return
        match = re.fullmatch(r"/items/([^/]+)/playbackinfo", path)
        if match and self.method == "POST":
            self.playback_info(match.group(1))
            return
        match = re.fullmatch(r"/videos/([^/]+)/(stream|stream\.[a-z0-9]+|master\.m3u8|hls/.+)", path)
        if match and self.method in ("GET", "HEAD"):
            self.video(match.group(1), match.group(2))
            return
        match = re.fullmatch(r"/items/([^/]+)/download", path)
        if match and self.method in ("GET", "HEAD"):
            item = STATE.library.items.get(match.group(1))
            if item is None:
                self.send_json(404, {"error": "item not found"})
            elif int(item["Id"]) % 2 == 0:
                self.send_json(403, {"error": "download not allowed"})
            else:
                self.file_range(item, content_type="application/octet-stream")
            return
        if path.startswith("/items/") and "/images/" in path:
            self.send_bytes(404, b"", "text/plain")
            return
        session = self.session()
        if path in ("/sessions/playing", "/sessions/playing/progress",
                    "/sessions/playing/stopped") and self.method == "POST":
            self.playback_report(session, path.rsplit("/", 1)[-1])
            self.send_empty(204)
            return
        if path == "/sessions/logout" and self.method == "POST":
            self.send_empty(204)
            return
        if path == "/sessions/capabilities/full" and self.method == "POST":
            self.capabilities(session)
            self.send_empty(204)
            return
        if path == "/sessions" and self.method == "GET":
            device = self.query.get("deviceid")
            with STATE.lock:
                shown = [json.loads(json.dumps(s)) for s in STATE.sessions.values()
                         if device is None or s["DeviceId"] == device]
            self.send_json(200, shown)
            return
        if path == "/videos/activeencodings" and self.method == "DELETE":
            self.send_empty(204)
            return
        self.send_json(404, {"error": "no such endpoint"})

    # --- the session: one per DeviceId, as Emby keeps them -----------------

    def session(self):
        """The SessionInfo of the request's DeviceId (created at its first
        authorized request), or None without one."""
        auth = self.headers.get("Authorization") or self.headers.get("X-Emby-Authorization") or ""
        fields = dict(re.findall(r'(\w+)="([^"]*)"', auth))
        device = fields.get("DeviceId")
        if not device:
            return None
        with STATE.lock:
            session = STATE.sessions.get(device)
            if session is None:
                session = {"Id": hashlib.md5(device.encode()).hexdigest(),
                           "DeviceId": device, "DeviceName": fields.get("Device"),
                           "Client": fields.get("Client"),
                           "ApplicationVersion": fields.get("Version"),
                           "UserId": USER_ID, "UserName": STATE.args.user,
                           "SupportsRemoteControl": False, "PlayableMediaTypes": [],
                           "SupportedCommands": [], "PlayState": self.idle_play_state()}
                STATE.sessions[device] = session
            session["LastActivityDate"] = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z",
                                                        time.gmtime())
        return session

    @staticmethod
    def idle_play_state():
        return {"CanSeek": False, "IsPaused": False, "IsMuted": False,
                "RepeatMode": "RepeatNone"}

    def capabilities(self, session):
        try:
            body = json.loads(self.body or b"{}")
        except ValueError:
            return
        if session is None or not isinstance(body, dict):
            return
        with STATE.lock:
            session["PlayableMediaTypes"] = body.get("PlayableMediaTypes") or []
            session["SupportedCommands"] = body.get("SupportedCommands") or []
            session["SupportsRemoteControl"] = bool(body.get("SupportsMediaControl"))

    def playback_report(self, session, kind):
        """Emby's rule for a session's NowPlayingItem: the latest start or
        progress report sets it and its PlayState; a stopped report of the
        item now playing clears it (of another item, it changes nothing)."""
        try:
            body = json.loads(self.body or b"{}")
        except ValueError:
            return
        if session is None or not isinstance(body, dict):
            return
        item_id = str(body.get("ItemId") or "")
        with STATE.lock:
            now = session.get("NowPlayingItem")
            if kind == "stopped":
                if now is not None and now["Id"] == item_id:
                    session.pop("NowPlayingItem", None)
                    session.pop("PlaySessionId", None)
                    session["PlayState"] = self.idle_play_state()
                return
            item = STATE.library.items.get(item_id)
            session["NowPlayingItem"] = {
                "Id": item_id, "Name": item["Name"] if item else None, "Type": "Movie",
                "MediaType": "Video", "RunTimeTicks": item["ticks"] if item else None}
            session["PlaySessionId"] = body.get("PlaySessionId")
            session["PlayState"] = {
                "PositionTicks": int(body.get("PositionTicks") or 0),
                "CanSeek": bool(body.get("CanSeek")), "IsPaused": bool(body.get("IsPaused")),
                "IsMuted": bool(body.get("IsMuted")),
                "MediaSourceId": body.get("MediaSourceId"),
                "PlayMethod": body.get("PlayMethod"),
                "RepeatMode": body.get("RepeatMode") or "RepeatNone"}

    def websocket(self):
        with STATE.lock:
            refuse_upgrade = STATE.ws_refuse != 0
            if STATE.ws_refuse > 0:
                STATE.ws_refuse -= 1
        if refuse_upgrade or (self.headers.get("Upgrade") or "").lower() != "websocket":
            self.send_json(404, {"error": "no websocket here"})
            return
        if not self.authorized():
            return
        key = self.headers.get("Sec-WebSocket-Key") or ""
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.status = 101
        self.write_log()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        ws = WebSocket(self.connection, self.rfile)
        with STATE.lock:
            STATE.websockets.append(ws)
        STATE.write_log({"event": "ws-open", "time": time.time(),
                         "query": self.raw_query})
        try:
            ws.serve()
        finally:
            with STATE.lock:
                if ws in STATE.websockets:
                    STATE.websockets.remove(ws)
            STATE.write_log({"event": "ws-close", "time": time.time()})

    def authenticate(self):
        if jellyfin() and self.legacy_credentials():
            self.send_json(401, {"error": "Legacy authorization is disabled."})
            return
        try:
            body = json.loads(self.body or b"")
            username, password = body["Username"], body["Pw"]
        except (ValueError, KeyError, TypeError):
            self.send_json(400, {"error": "malformed body"})
            return
        if username.lower() != STATE.args.user.lower() or password != STATE.args.password:
            self.send_json(401, {"error": "Invalid username or password entered."})
            return
        token = uuid.uuid4().hex
        with STATE.lock:
            STATE.tokens.add(token)
        self.send_json(200, {"AccessToken": token, "ServerId": SERVER_ID,
                             "User": {"Id": USER_ID, "Name": STATE.args.user},
                             "SessionInfo": {"Id": uuid.uuid4().hex}})

    @staticmethod
    def container_json(c):
        return {"Id": c["Id"], "Name": c["Name"], "Type": c["Type"], "IsFolder": True,
                "ServerId": SERVER_ID}

    def playlist_items(self, playlist_id):
        # GET /Playlists/{Id}/Items: the entries in the playlist's order.
        with STATE.lock:
            c = STATE.containers.get(playlist_id)
            entries = list(c["items"]) if c and c["Type"] == "Playlist" else None
        if entries is None:
            self.send_json(404, {"error": "no such playlist"})
            return
        page = [STATE.library.item_json(STATE.library.items[i]) for i in entries
                if i in STATE.library.items]
        self.send_json(200, {"Items": page, "TotalRecordCount": len(page)})

    def items(self):
        items = list(STATE.library.items.values())
        parent = self.query.get("parentid")
        types = self.query.get("includeitemtypes", "")
        wanted_ids = self.query.get("ids")
        if types in ("Playlist", "BoxSet"):
            with STATE.lock:
                found = [self.container_json(c) for c in STATE.containers.values()
                         if c["Type"] == types]
            self.send_json(200, {"Items": found, "TotalRecordCount": len(found)})
            return
        with STATE.lock:
            container = STATE.containers.get(parent) if parent else None
            members = list(container["items"]) if container else None
        if members is not None:
            items = [STATE.library.items[i] for i in members if i in STATE.library.items]
        elif parent:
            items = [i for i in items if i["view"] == parent]
        if wanted_ids:
            items = [i for i in items if i["Id"] in wanted_ids.split(",")]
        if self.query.get("sortby", "").lower() == "random":
            random.shuffle(items)
        start = int(self.query.get("startindex") or 0)
        limit = int(self.query.get("limit") or 100000)
        page = [STATE.library.item_json(i) for i in items[start:start + limit]]
        self.send_json(200, {"Items": page, "TotalRecordCount": len(items)})

    def playback_info(self, item_id):
        item = STATE.library.items.get(item_id)
        if item is None:
            self.send_json(404, {"error": "item not found"})
            return
        session = uuid.uuid4().hex
        self.send_json(200, {"MediaSources": [STATE.library.media_source(item, self.token(), session)],
                             "PlaySessionId": session})

    def video(self, item_id, what):
        item = STATE.library.items.get(item_id)
        if item is None:
            self.send_json(404, {"error": "item not found"})
            return
        if what == "master.m3u8" or what.startswith("hls/"):
            self.hls(item, what)
            return
        self.file_range(item)

    def item_bytes(self, item):
        if item["path"]:
            with open(item["path"], "rb") as f:
                return f.read()
        return b"\0" * item["size"]

    def file_range(self, item, data=None, content_type="video/mp4"):
        data = self.item_bytes(item) if data is None else data
        total = len(data)
        start, end = 0, total - 1
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range") or "")
        status = 200
        extra = {"Accept-Ranges": "bytes"}
        if match and (match.group(1) or match.group(2)):
            if match.group(1):
                start = int(match.group(1))
                end = int(match.group(2)) if match.group(2) else total - 1
            else:
                start = max(0, total - int(match.group(2)))
            end = min(end, total - 1)
            if start >= total:
                self.send_bytes(416, b"", "text/plain", {"Content-Range": "bytes */%d" % total})
                return
            status = 206
            extra["Content-Range"] = "bytes %d-%d/%d" % (start, end, total)
        self.send_bytes(status, data[start:end + 1], content_type, extra)

    def hls(self, item, what):
        directory = os.path.join(STATE.hls_dir, item["Id"])
        playlist = os.path.join(directory, "index.m3u8")
        with STATE.hls_lock:
            if item["path"] and not os.path.exists(playlist) and shutil.which("ffmpeg"):
                os.makedirs(directory, exist_ok=True)
                subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", item["path"], "-c", "copy",
                                "-f", "hls", "-hls_time", "3600", "-hls_list_size", "0",
                                "-hls_segment_filename", os.path.join(directory, "seg%d.ts"),
                                playlist], check=False, timeout=60)
        if not os.path.exists(playlist):
            # ffmpeg-free fallback: the same file, which mpv probes by content.
            self.file_range(item)
            return
        if what == "master.m3u8":
            api_key = self.query.get(token_key().lower(), "")
            with open(playlist, encoding="utf-8") as f:
                text = f.read()
            text = re.sub(r"^(seg\d+\.ts)$", r"hls/\1?%s=%s" % (token_key(), api_key), text,
                          flags=re.M)
            self.send_bytes(200, text.encode(), "application/vnd.apple.mpegurl")
            return
        name = os.path.basename(what)
        segment = os.path.join(directory, name)
        if not re.fullmatch(r"seg\d+\.ts", name) or not os.path.exists(segment):
            self.send_json(404, {"error": "no segment"})
            return
        with open(segment, "rb") as f:
            self.file_range(item, f.read(), "video/mp2t")

    def stalling_writer(self, path):
        """Sends headers and @after_bytes of the real body, then goes silent."""
        def write(after_bytes, delay):
            data = None
            match = re.fullmatch(r"/videos/([^/]+)/.*", path or "")
            if match and match.group(1) in STATE.library.items:
                data = self.item_bytes(STATE.library.items[match.group(1)])
            if data is None:
                data = json.dumps({"Items": [], "TotalRecordCount": 0}).encode()
            self.status = 200
            self.write_log()
            # When the silence begins, for tests and benchmarks that time
            # detection; not a request, so it carries no status.
            STATE.write_log({"event": "stall-start", "time": time.time(),
                             "method": self.method, "path": self.raw_path,
                             "after_bytes": after_bytes})
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            self.wfile.write(data[:after_bytes])
            self.wfile.flush()
            time.sleep(delay)
            self.close_connection = True
        return write


class WebSocket:
    """The server side of one websocket: unmasked frames out, masked in."""

    def __init__(self, connection, rfile):
        self.connection = connection
        self.rfile = rfile
        self.send_lock = threading.Lock()

    def send_frame(self, opcode, payload, fin=True):
        """False when the socket is gone."""
        header = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([n])
        elif n < 65536:
            header += bytes([126]) + n.to_bytes(2, "big")
        else:
            header += bytes([127]) + n.to_bytes(8, "big")
        with self.send_lock:
            try:
                self.connection.sendall(header + payload)
                return True
            except OSError:
                return False

    def send_endless(self, chunk, rate):
        """A text message of continuation frames that never ends (RFC 6455
        allows no other data message until it does)."""
        STATE.write_log({"event": "ws-endless", "time": time.time()})
        payload = b" " * chunk
        sent, started = 0, time.monotonic()
        opcode = 0x1
        while self.send_frame(opcode, payload, fin=False):
            opcode = 0x0
            sent += len(payload)
            if rate > 0:
                ahead = sent / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        STATE.write_log({"event": "ws-endless-end", "time": time.time(), "bytes": sent})

    def send_text(self, text):
        self.send_frame(0x1, text.encode("utf-8", "surrogateescape")
                        if isinstance(text, str) else text)

    def drop(self):
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def read_exact(self, n):
        data = self.rfile.read(n)
        if data is None or len(data) < n:
            raise EOFError
        return data

    def serve(self):
        fragments = b""
        try:
            while True:
                b0, b1 = self.read_exact(2)
                opcode, n = b0 & 0x0F, b1 & 0x7F
                if n == 126:
                    n = int.from_bytes(self.read_exact(2), "big")
                elif n == 127:
                    n = int.from_bytes(self.read_exact(8), "big")
                mask = self.read_exact(4) if b1 & 0x80 else b"\0\0\0\0"
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(self.read_exact(n)))
                if opcode == 0x8:
                    self.send_frame(0x8, payload[:2])
                    return
                if opcode == 0x9:
                    self.send_frame(0xA, payload)
                    continue
                if opcode in (0x0, 0x1, 0x2):
                    fragments += payload
                    if b0 & 0x80:
                        STATE.write_log({"event": "ws-message", "time": time.time(),
                                         "data": fragments.decode("utf-8", "replace")[:2000]})
                        fragments = b""
        except (EOFError, OSError, ValueError):
            return


def refuse(delay, control_connection):
    """Closes the listening socket (and live connections) for @delay seconds."""
    with STATE.lock:
        STATE.refuse_until = time.time() + delay
        connections = [c for c in STATE.connections if c is not control_connection]
    for conn in connections:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    STATE.server.shutdown()


def quit_now():
    """Exits at once: handler threads may be sleeping in a fault, and
    interpreter shutdown with daemon threads blocked on I/O can abort."""
    shutil.rmtree(STATE.hls_dir, ignore_errors=True)
    if STATE.log is not None:
        STATE.log.flush()
    os._exit(0)


def exit_on_eof():
    sys.stdin.buffer.read()
    quit_now()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
    tls = None      # an ssl.SSLContext with --tls-cert/--tls-key

    def finish_request(self, request, client_address):
        # The TLS handshake in the request's own thread: a client that
        # refuses our certificate must not hold up the others.
        if Server.tls is not None:
            try:
                request = Server.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


def main():
    global STATE
    parser = argparse.ArgumentParser(description="A fake Emby server for Hyperwall's tests")
    parser.add_argument("--media", help="a folder of *.mp4/*.mkv files; each becomes an item")
    parser.add_argument("--log", help="append one JSON line per request to this file")
    parser.add_argument("--prefix", default="", help="an extra path prefix (a reverse proxy)")
    parser.add_argument("--user", default="wall")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--api-key", default="fake-admin-api-key-0001")
    parser.add_argument("--libraries", default="Movies:movies,Clips:homevideos,Music:music",
                        help="NAME:CollectionType,...; items are spread over the video ones")
    parser.add_argument("--fake-items", type=int, default=0,
                        help="items without a file (their stream is zeros)")
    parser.add_argument("--no-root-ok", action="store_true",
                        help="also answer without the /emby root")
    parser.add_argument("--playlist", action="append",
                        help="NAME=ID,ID,...: a playlist of these items, in this order")
    parser.add_argument("--boxset", action="append",
                        help="NAME=ID,ID,...: a collection (box set) of these items")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dialect", choices=("emby", "jellyfin"), default="emby",
                        help="answer as Emby 4.8 or as Jellyfin 12")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate")
    parser.add_argument("--tls-key", help="... and this PEM key")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes (the test that started us died)")
    args = parser.parse_args()

    STATE = State(args)
    if args.tls_cert:
        Server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        Server.tls.load_cert_chain(args.tls_cert, args.tls_key)
    signal.signal(signal.SIGTERM, lambda signum, frame: quit_now())
    STATE.server = Server(("127.0.0.1", args.port), Handler)
    port = STATE.server.server_address[1]
    print("PORT %d" % port, flush=True)
    if args.exit_on_stdin_eof:
        threading.Thread(target=exit_on_eof, daemon=True).start()

    try:
        while True:
            STATE.server.serve_forever(poll_interval=0.1)
            STATE.server.server_close()
            time.sleep(max(0.0, STATE.refuse_until - time.time()))
            while True:
                try:
                    STATE.server = Server(("127.0.0.1", port), Handler)
                    break
                except OSError:
                    time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(STATE.hls_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
