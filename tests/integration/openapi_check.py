"""Checks the requests the wall sent (the fake server's request log) against
the published OpenAPI document of the server they were meant for: Emby's
(MediaBrowser/Emby.SDK, Resources/OpenApi/openapi_v3.json) or Jellyfin's
(the openapi.json of jellyfin/jellyfin-sdk-typescript). The documents are
read from tests/data/openapi/ (or $HYPERWALL_OPENAPI_DIR) as emby.json.gz
and jellyfin.json.gz; tests/data/openapi/README.md says where they come
from.

Checked: the method and path exist (path templates matched, without regard
to case, as both servers route), every query parameter is declared (ALLOWED
lists the ones a document is known to omit, with the evidence), and every
field of a JSON body exists in the request schema with the right type (and
a value of its enum). Not checked: what the server itself put in a URL the
wall only follows (HLS segment lists), and the session socket, which no
document describes.

    python3 tests/integration/openapi_check.py emby|jellyfin LOG...

Python 3 standard library only (gzip, json).

SPDX-License-Identifier: GPL-3.0-or-later
"""

import gzip
import json
import os
import re
import sys
from urllib.parse import parse_qsl

DATA_DIR = os.environ.get("HYPERWALL_OPENAPI_DIR") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "openapi")

# Query parameters a server takes although its document leaves them out.
ALLOWED = {
    "emby": {
        # The token in a URL: Emby's own web client and TranscodingUrl carry
        # api_key; the document declares the key as a security scheme
        # (components.securitySchemes), not as a parameter.
        "api_key",
    },
    "jellyfin": {
        # Jellyfin's document declares ApiKey as a security scheme
        # (components.securitySchemes.CustomAuthentication), not as a
        # parameter; the server reads it on every endpoint.
        "apikey",
    },
}

# Query parameters one path takes although the document leaves them out:
# (dialect, path template in lower case) -> names in lower case.
ALLOWED_ON_PATH = {
    # Emby's document lists neither for /Videos/{Id}/stream, but Emby's own
    # PlaybackInfo replies carry both in the stream URLs they hand out
    # (DirectStreamUrl, TranscodingUrl: "...?MediaSourceId=…&PlaySessionId=…"),
    # and the server ties the stream to the play session by them.
    ("emby", "/videos/{id}/stream"): {"mediasourceid", "playsessionid"},
    ("emby", "/videos/{id}/stream.{container}"): {"mediasourceid", "playsessionid"},
    # The same for the HLS playlist: Emby's TranscodingUrl reads
    # "/videos/{Id}/master.m3u8?DeviceId=…&MediaSourceId=…&VideoCodec=h264&AudioCodec=aac
    # &…&SegmentContainer=ts&…&PlaySessionId=…&api_key=…"; the wall's own
    # fallback (no TranscodingUrl) asks the same way.
    ("emby", "/videos/{id}/master.m3u8"): {"mediasourceid", "playsessionid", "segmentcontainer"},
}

# Not REST endpoints: the session socket upgrade, and HLS segment paths the
# server wrote into a playlist itself.
NOT_IN_DOCUMENT = re.compile(r"(?i)^/(embywebsocket|socket)$|^/videos/[^/]+/hls/")
# Per dialect: Jellyfin 12.0.0's document (as its SDK generated from it)
# has no dynamic HLS operations, but a Jellyfin server still hands out a
# TranscodingUrl under /Videos/{itemId}/master.m3u8 in PlaybackInfo, which
# the wall follows as it is (Jellyfin 10.10 and 10.11 document the path).
NOT_IN_DOCUMENT_FOR = {
    "jellyfin": re.compile(r"(?i)^/videos/[^/]+/master\.m3u8$"),
}

_cache = {}


def load(dialect):
    """The document for @dialect, or None when it is not there."""
    if dialect not in _cache:
        path = os.path.join(DATA_DIR, "%s.json.gz" % dialect)
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                _cache[dialect] = Document(json.load(f))
        except OSError:
            _cache[dialect] = None
    return _cache[dialect]


class Document:
    def __init__(self, spec):
        self.spec = spec
        self.version = spec.get("info", {}).get("version")
        self.routes = []
        for template, item in spec.get("paths", {}).items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self.routes.append((re.compile("(?i)^%s$" % pattern), template, item))
        # A literal route wins over a templated one ("/Items/Filters" over
        # "/Items/{itemId}"): fewer braces first.
        self.routes.sort(key=lambda r: r[1].count("{"))

    def resolve(self, schema):
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 50:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.spec.get("components", {}).get("schemas", {}).get(name, {})
            seen += 1
        if isinstance(schema, dict):
            for key in ("allOf", "oneOf", "anyOf"):
                if len(schema.get(key) or []) == 1:
                    merged = dict(schema)
                    merged.pop(key)
                    merged.update(self.resolve(schema[key][0]))
                    return merged
        return schema if isinstance(schema, dict) else {}

    def find(self, method, path):
        """(template, operation) or (template, None) for a path without
        that method, or (None, None)."""
        method = "get" if method.lower() == "head" else method.lower()
        found = None
        for regex, template, item in self.routes:
            if regex.match(path):
                if method in item:
                    return template, item
                if method == "get" and "head" in item:
                    return template, item
                found = found or template
        return found, None


def api_path(path):
    """The path below the API root: a proxy prefix and /emby or
    /mediabrowser (Jellyfin rewrites those away) left out."""
    match = re.search(r"(?i)/(emby|mediabrowser)(/.*)$", path)
    return match.group(2) if match else path


TYPES = {"string": str, "boolean": bool, "integer": int, "number": (int, float),
         "array": list, "object": dict}


def check_value(doc, schema, value, where, problems):
    schema = doc.resolve(schema)
    if value is None:
        return
    kind = schema.get("type")
    if kind in TYPES:
        ok = isinstance(value, TYPES[kind]) and not (kind in ("integer", "number")
                                                      and isinstance(value, bool))
        if not ok:
            problems.append("%s: %r is not of type %s" % (where, value, kind))
            return
    if "enum" in schema and value not in schema["enum"]:
        problems.append("%s: %r is not one of its enum" % (where, value))
    if kind == "array" or isinstance(value, list) and "items" in schema:
        for i, element in enumerate(value if isinstance(value, list) else []):
            check_value(doc, schema.get("items", {}), element, "%s[%d]" % (where, i), problems)
    if isinstance(value, dict) and ("properties" in schema or kind == "object"):
        props = schema.get("properties")
        if props is None:
            return      # a free-form object
        for key, element in value.items():
            if key not in props:
                problems.append("%s.%s: no such field in the schema" % (where, key))
            else:
                check_value(doc, props[key], element, "%s.%s" % (where, key), problems)


def check_request(doc, dialect, entry):
    """Problems with one logged request (a list of strings)."""
    method, path = entry.get("method", "GET"), api_path(entry.get("path", ""))
    what = "%s %s" % (method, path)
    if NOT_IN_DOCUMENT.search(path):
        return []
    if dialect in NOT_IN_DOCUMENT_FOR and NOT_IN_DOCUMENT_FOR[dialect].search(path):
        return []
    template, item = doc.find(method, path)
    if template is None:
        return ["%s: no such path" % what]
    if item is None:
        return ["%s: %s has no %s" % (what, template, method)]
    operation = item.get("head" if method == "HEAD" and "head" in item else
                         "get" if method == "HEAD" else method.lower())
    params = list(item.get("parameters", [])) + list(operation.get("parameters", []))
    params = [doc.resolve(p) if "$ref" in p else p for p in params]
    declared = {p["name"].lower(): p for p in params if p.get("in") == "query"}
    problems = []
    for key, _value in parse_qsl(entry.get("query") or "", keep_blank_values=True):
        if key.lower() not in declared and key.lower() not in ALLOWED.get(dialect, ()) \
                and key.lower() not in ALLOWED_ON_PATH.get((dialect, template.lower()), ()):
            problems.append("%s: query parameter %s is not declared" % (what, key))
    body = entry.get("body") or ""
    if body.strip():
        content = doc.resolve(operation.get("requestBody", {})).get("content", {})
        media = content.get("application/json") or next(iter(content.values()), None)
        if media is None:
            problems.append("%s: a body where the document takes none" % what)
        else:
            try:
                value = json.loads(body)
            except ValueError:
                problems.append("%s: the body is not JSON" % what)
            else:
                check_value(doc, media.get("schema", {}), value, what + " body", problems)
    return problems


def check_requests(requests, dialect):
    """Every problem of @requests (logged entries) against @dialect's
    document, or None when the document is not there."""
    doc = load(dialect)
    if doc is None:
        return None
    problems = []
    for entry in requests:
        for problem in check_request(doc, dialect, entry):
            if problem not in problems:
                problems.append(problem)
    return problems


def main(argv):
    dialect, logs = argv[1], argv[2:]
    requests = []
    for log in logs:
        with open(log, encoding="utf-8") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if "event" not in entry and entry.get("path") != "/__control":
                    requests.append(entry)
    problems = check_requests(requests, dialect)
    if problems is None:
        print("no %s document in %s" % (dialect, DATA_DIR))
        return 77
    for problem in problems:
        print(problem)
    print("%d requests, %d problems" % (len(requests), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
