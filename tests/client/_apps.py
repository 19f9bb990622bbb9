"""The two real apps the client tests talk to: Flask (WSGI) and Starlette (ASGI).

Both serve the same routes and report every request they receive to a `Seen`, so one
test body checks the sync client through Flask and the async client through Starlette.

- ``/echo``: any method; replies with JSON describing the request as the app saw it.
- ``/redirect/<status>?to=<location>[&cookie=name=value]``: a redirect.
- ``/chain/<n>``: a 302 to ``/chain/<n - 1>``, and "done" at ``/chain/0``.
- ``/set-cookie?<name>=<value>...``: sets each query parameter as a cookie.
- ``/status/<status>``: an empty response with that status.
- ``/basic``: 200 for ``Authorization: Basic`` user:secret, else a 401 challenge.
- ``/digest/<algorithm>[?cookie=1]``: a Digest-protected page (RFC 7616) whose answer
  is checked here, from the RFC's formulas; ``?cookie=1`` sets a cookie on the 401.
- ``/digest-malformed``: a 401 whose Digest challenge has no nonce.
- ``/compressed/<coding>``: `TEXT` encoded with gzip, br, zstd or deflate.
- ``/latin1``: latin-1 bytes sent as text/plain without a charset.
- ``/chunks?n=<n>&size=<size>``: n chunks of size bytes, each one a separate write.
- ``/sse``: server-sent events without end; `Seen.sse_closed` says when it was stopped.
- ``/upload``: reads the body a piece at a time; replies with the pieces' lengths.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import brotli
import flask
import zstandard
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

TEXT = b"tether says hello. " * 200
USER, PASSWORD, REALM = "user", "secret", "tether@testserver"
NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093"
OPAQUE = "5ccc069c403ebaf9f0171e9517f40e41"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


@dataclass
class Seen:
    """What an app observed: every request, in order, and the fate of its streams."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    sse_sent: int = 0
    sse_closed: bool = False
    upload_pieces: list[int] = field(default_factory=list)

    @property
    def last(self) -> dict[str, Any]:
        return self.requests[-1]

    def urls(self) -> list[str]:
        return [request["url"] for request in self.requests]


def _record(
    seen: Seen, method: str, url: str, headers: list[tuple[str, str]], body: bytes
) -> dict[str, Any]:
    lowered = [[name.lower(), value] for name, value in headers]
    cookie = ";".join(value for name, value in lowered if name == "cookie")
    cookies = dict(part.strip().split("=", 1) for part in cookie.split(";") if "=" in part.strip())
    record = {
        "method": method,
        "url": url,
        "headers": lowered,
        "header": {name: value for name, value in lowered},
        "cookies": cookies,
        "body": body.decode("latin-1"),
    }
    seen.requests.append(record)
    return record


# --- Digest, checked from RFC 7616 section 3.4.1 ---------------------------------------

_PARAM = re.compile(r'([a-z]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))')


def digest_params(authorization: str) -> dict[str, str]:
    """The parameters of a ``Digest ...`` credentials header."""
    scheme, _, rest = authorization.partition(" ")
    assert scheme == "Digest", authorization
    return {m[1]: m[2] if m[2] is not None else m[3] for m in _PARAM.finditer(rest)}


def digest_is_valid(method: str, uri: str, authorization: str, algorithm: str) -> bool:
    """Whether `authorization` answers our challenge for USER and PASSWORD."""
    params = digest_params(authorization)

    def h(text: str) -> str:
        return _HASHES[algorithm](text.encode()).hexdigest()

    ha1 = h(f"{USER}:{REALM}:{PASSWORD}")
    ha2 = h(f"{method}:{uri}")
    expected = h(f"{ha1}:{NONCE}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
    return (
        params["username"] == USER
        and params["realm"] == REALM
        and params["nonce"] == NONCE
        and params["uri"] == uri
        and params["qop"] == "auth"
        and params["opaque"] == OPAQUE
        and params["algorithm"] == algorithm
        and re.fullmatch("[0-9a-f]{8}", params["nc"]) is not None
        and params["response"] == expected
    )


def digest_challenge(algorithm: str) -> str:
    return (
        f'Digest realm="{REALM}", qop="auth", algorithm={algorithm}, '
        f'nonce="{NONCE}", opaque="{OPAQUE}"'
    )


def _digest_reply(
    method: str, uri: str, authorization: str | None, algorithm: str, cookie: bool
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """(status, headers, JSON body) of the Digest-protected page."""
    if authorization and digest_is_valid(method, uri, authorization, algorithm):
        return 200, {}, {"authenticated": True}
    headers = {"WWW-Authenticate": digest_challenge(algorithm)}
    if cookie:
        headers["Set-Cookie"] = "challenge=issued; Path=/"
    return 401, headers, {"authenticated": False}


def _compress(coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(TEXT)
    if coding == "br":
        return bytes(brotli.compress(TEXT))
    if coding == "zstd":
        return zstandard.ZstdCompressor().compress(TEXT)
    return zlib.compress(TEXT)


# --- Flask --------------------------------------------------------------------------------


def flask_app(seen: Seen) -> flask.Flask:
    """The Flask app; it reports to `seen`."""
    app = flask.Flask("tether-tests")
    app.config["PROPAGATE_EXCEPTIONS"] = True
    request = flask.request

    @app.before_request
    def record() -> None:
        if request.path != "/upload":
            body = request.get_data(cache=True)
            _record(seen, request.method, request.url, list(request.headers.items()), body)

    @app.route("/echo", methods=ALL_METHODS)
    def echo() -> flask.Response:
        return flask.jsonify(seen.last)

    @app.route("/redirect/<int:status>", methods=ALL_METHODS)
    def redirect(status: int) -> flask.Response:
        response = flask.Response(b"", status=status)
        if "to" in request.args:
            response.headers["Location"] = request.args["to"]
        if "cookie" in request.args:
            response.headers["Set-Cookie"] = request.args["cookie"] + "; Path=/"
        return response

    @app.route("/chain/<int:hops>", methods=ALL_METHODS)
    def chain(hops: int) -> flask.Response:
        if hops:
            return flask.Response(b"", 302, {"Location": f"/chain/{hops - 1}"})
        return flask.Response(b"done")

    @app.route("/set-cookie")
    def set_cookie() -> flask.Response:
        response = flask.Response(b"set")
        for name, value in request.args.items():
            response.headers.add("Set-Cookie", f"{name}={value}; Path=/")
        return response

    @app.route("/status/<int:status>", methods=ALL_METHODS)
    def status(status: int) -> flask.Response:
        return flask.Response(b"", status=status)

    @app.route("/basic")
    def basic() -> flask.Response:
        auth = request.authorization
        if auth is not None and (auth.username, auth.password) == (USER, PASSWORD):
            return flask.jsonify(user=auth.username)
        return flask.Response(b"", 401, {"WWW-Authenticate": 'Basic realm="tether"'})

    @app.route("/digest/<algorithm>", methods=ALL_METHODS)
    def digest(algorithm: str) -> flask.Response:
        query = request.query_string.decode("latin-1")
        uri = request.path + ("?" + query if query else "")
        code, headers, body = _digest_reply(
            request.method,
            uri,
            request.headers.get("Authorization"),
            algorithm,
            "cookie" in request.args,
        )
        return flask.Response(json.dumps(body), code, headers, mimetype="application/json")

    @app.route("/digest-malformed")
    def digest_malformed() -> flask.Response:
        return flask.Response(b"", 401, {"WWW-Authenticate": 'Digest realm="x", qop="auth"'})

    @app.route("/compressed/<coding>")
    def compressed(coding: str) -> flask.Response:
        headers = {"Content-Encoding": coding, "Content-Type": "text/plain; charset=utf-8"}
        return flask.Response(_compress(coding), 200, headers)

    @app.route("/latin1")
    def latin1() -> flask.Response:
        response = flask.Response("café".encode("latin-1"))
        response.headers["Content-Type"] = "text/plain"
        return response

    @app.route("/chunks")
    def chunks() -> flask.Response:
        count, size = int(request.args["n"]), int(request.args["size"])

        def produce() -> Iterator[bytes]:
            for number in range(count):
                yield str(number % 10).encode() * size

        return flask.Response(produce(), mimetype="application/octet-stream")

    @app.route("/sse")
    def sse() -> flask.Response:
        def events() -> Iterator[str]:
            try:
                while True:
                    seen.sse_sent += 1
                    yield f"data: event {seen.sse_sent}\n\n"
            finally:
                seen.sse_closed = True

        return flask.Response(events(), mimetype="text/event-stream")

    @app.route("/upload", methods=["POST", "PUT"])
    def upload() -> flask.Response:
        stream = request.environ["wsgi.input"]
        while piece := stream.read1(65536):
            seen.upload_pieces.append(len(piece))
        return flask.jsonify(pieces=seen.upload_pieces)

    return app


# --- Starlette ----------------------------------------------------------------------------


class _Events:
    """Events without end, as an iterator object (Starlette never closes a generator)."""

    def __init__(self, seen: Seen) -> None:
        self._seen = seen

    def __aiter__(self) -> _Events:
        return self

    async def __anext__(self) -> str:
        await anyio.lowlevel.checkpoint()
        self._seen.sse_sent += 1
        return f"data: event {self._seen.sse_sent}\n\n"


class _EndlessEvents(StreamingResponse):
    """An endless event stream that notes in `Seen` when the app stops sending it."""

    def __init__(self, seen: Seen) -> None:
        super().__init__(_Events(seen), media_type="text/event-stream")
        self._seen = seen

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._seen.sse_closed = True


def starlette_app(seen: Seen) -> Starlette:
    """The Starlette app, with the routes of `flask_app`; it reports to `seen`."""

    async def record(request: StarletteRequest) -> dict[str, Any]:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        return _record(seen, request.method, str(request.url), headers, await request.body())

    async def echo(request: StarletteRequest) -> Response:
        return JSONResponse(await record(request))

    async def redirect(request: StarletteRequest) -> Response:
        await record(request)
        response = Response(b"", status_code=int(request.path_params["status"]))
        if "to" in request.query_params:
            response.headers["Location"] = request.query_params["to"]
        if "cookie" in request.query_params:
            response.headers["Set-Cookie"] = request.query_params["cookie"] + "; Path=/"
        return response

    async def chain(request: StarletteRequest) -> Response:
        await record(request)
        hops = int(request.path_params["hops"])
        if hops:
            return Response(b"", 302, {"Location": f"/chain/{hops - 1}"})
        return Response(b"done")

    async def set_cookie(request: StarletteRequest) -> Response:
        await record(request)
        response = Response(b"set")
        for name, value in request.query_params.items():
            response.headers.append("Set-Cookie", f"{name}={value}; Path=/")
        return response

    async def status(request: StarletteRequest) -> Response:
        await record(request)
        return Response(b"", status_code=int(request.path_params["status"]))

    async def basic(request: StarletteRequest) -> Response:
        import base64

        await record(request)
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if request.headers.get("Authorization") == expected:
            return JSONResponse({"user": USER})
        return Response(b"", 401, {"WWW-Authenticate": 'Basic realm="tether"'})

    async def digest(request: StarletteRequest) -> Response:
        await record(request)
        query = request.scope["query_string"].decode("latin-1")
        uri = request.scope["raw_path"].decode("latin-1") + ("?" + query if query else "")
        code, headers, body = _digest_reply(
            request.method,
            uri,
            request.headers.get("Authorization"),
            request.path_params["algorithm"],
            "cookie" in request.query_params,
        )
        return JSONResponse(body, code, headers)

    async def digest_malformed(request: StarletteRequest) -> Response:
        await record(request)
        return Response(b"", 401, {"WWW-Authenticate": 'Digest realm="x", qop="auth"'})

    async def compressed(request: StarletteRequest) -> Response:
        await record(request)
        coding = request.path_params["coding"]
        headers = {"Content-Encoding": coding}
        return Response(_compress(coding), 200, headers, media_type="text/plain")

    async def latin1(request: StarletteRequest) -> Response:
        await record(request)
        return Response("café".encode("latin-1"), headers={"Content-Type": "text/plain"})

    async def chunks(request: StarletteRequest) -> Response:
        await record(request)
        count, size = int(request.query_params["n"]), int(request.query_params["size"])

        async def produce() -> AsyncIterator[bytes]:
            for number in range(count):
                yield str(number % 10).encode() * size

        return StreamingResponse(produce(), media_type="application/octet-stream")

    async def sse(request: StarletteRequest) -> Response:
        await record(request)
        return _EndlessEvents(seen)

    async def upload(request: StarletteRequest) -> Response:
        async for piece in request.stream():
            if piece:
                seen.upload_pieces.append(len(piece))
        return JSONResponse({"pieces": seen.upload_pieces})

    return Starlette(
        routes=[
            Route("/echo", echo, methods=ALL_METHODS),
            Route("/redirect/{status:int}", redirect, methods=ALL_METHODS),
            Route("/chain/{hops:int}", chain, methods=ALL_METHODS),
            Route("/set-cookie", set_cookie),
            Route("/status/{status:int}", status, methods=ALL_METHODS),
            Route("/basic", basic),
            Route("/digest/{algorithm}", digest, methods=ALL_METHODS),
            Route("/digest-malformed", digest_malformed),
            Route("/compressed/{coding}", compressed),
            Route("/latin1", latin1),
            Route("/chunks", chunks),
            Route("/sse", sse),
            Route("/upload", upload, methods=["POST", "PUT"]),
        ]
    )
