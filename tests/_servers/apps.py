"""The ASGI application that the uvicorn and hypercorn servers serve.

Plain ASGI (no framework), so that a test measures the client and not a router. It runs
under asyncio servers only (`/slow` sleeps with asyncio). Routes:

- ``/``: ``Hello, world!`` as text/plain.
- ``/json``: a small JSON object.
- ``/echo``: any method; the request body back (with its Content-Type), each request
  header as ``x-echo-<name>``, and the method as ``x-echo-method``.
- ``/headers``: the request headers as JSON, ``{"headers": [[name, value], ...]}``.
- ``/upload``: reads the body and answers ``{"received": <bytes>}``.
- ``/stream/{n}``: n chunks (``chunk <i>\\n``), each one write: chunked encoding.
- ``/bytes/{n}``: n bytes of `pattern` with a Content-Length, in 64 KiB writes.
- ``/redirect/{n}``: a 302 to ``/redirect/{n - 1}``, and to ``/`` from ``/redirect/1``.
- ``/redirect-to?url=<location>[&status=<code>]``: one redirect.
- ``/status/{code}``: that status (100-599 only for finals: 200-599).
- ``/slow/{seconds}``: answers ``slow`` after that delay (at most 30 s).
- ``/cookies/set?<name>=<value>...``: sets each query parameter as a cookie.
- ``/cookies``: the request's cookies as JSON.
Anything else is a 404.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HELLO = b"Hello, world!"
JSON_BODY = {"hello": "world", "numbers": [1, 2, 3]}
MAX_SLOW_SECONDS = 30.0
_PIECE = 64 * 1024
# Byte i of a download is i % 256, so a lost, doubled or reordered piece shows.
_BLOCK = bytes(range(256)) * (_PIECE // 256)


def pattern(size: int, offset: int = 0) -> bytes:
    """The bytes ``/bytes/{n}`` serves from `offset` on: byte i is ``i % 256``."""
    start = offset % 256
    whole, rest = divmod(start + size, len(_BLOCK))
    return (_BLOCK * whole + _BLOCK[:rest])[start:]


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(
    send: Send,
    status: int,
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    content_type: bytes = b"text/plain; charset=utf-8",
) -> None:
    head = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if status in (204, 304):  # neither has content (RFC 9110, sections 15.3.5 and 15.4.5)
        head = []
    await send({"type": "http.response.start", "status": status, "headers": head + (headers or [])})
    await send({"type": "http.response.body", "body": body})


async def _json(
    send: Send, value: object, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await _respond(send, 200, json.dumps(value).encode(), headers, b"application/json")


def _int(text: str, low: int, high: int) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Serve the routes listed in the module docstring; ignore lifespan and websockets."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    path: str = scope["path"]
    query = urllib.parse.parse_qsl(scope["query_string"].decode("latin-1"))
    headers: list[tuple[bytes, bytes]] = list(scope["headers"])
    first, _, rest = path.lstrip("/").partition("/")
    if path == "/":
        await _respond(send, 200, HELLO)
    elif path == "/json":
        await _json(send, JSON_BODY)
    elif path == "/echo":
        await _echo(scope, receive, send, headers)
    elif path == "/headers":
        await _json(
            send, {"headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in headers]}
        )
    elif path == "/upload":
        await _json(send, {"received": len(await _read_body(receive))})
    elif path == "/cookies/set":
        cookies = [(b"set-cookie", f"{k}={v}; Path=/".encode("latin-1")) for k, v in query]
        await _json(send, dict(query), cookies)
    elif path == "/cookies":
        await _json(send, _cookies(headers))
    elif path == "/redirect-to":
        await _redirect_to(send, dict(query))
    elif first == "stream" and (count := _int(rest, 0, 100_000)) is not None:
        await _stream(send, count)
    elif first == "bytes" and (size := _int(rest, 0, 1 << 31)) is not None:
        await _bytes(send, size)
    elif first == "redirect" and (hops := _int(rest, 1, 100)) is not None:
        location = b"/" if hops == 1 else f"/redirect/{hops - 1}".encode()
        await _respond(send, 302, b"", [(b"location", location)])
    elif first == "status" and (code := _int(rest, 200, 599)) is not None:
        await _respond(send, code, b"" if code in (204, 304) else f"status {code}".encode())
    elif first == "slow":
        await _slow(send, rest)
    else:
        await _respond(send, 404, b"not found")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _echo(
    scope: Scope, receive: Receive, send: Send, headers: list[tuple[bytes, bytes]]
) -> None:
    body = await _read_body(receive)
    content_type = b"application/octet-stream"
    echoed = [(b"x-echo-method", scope["method"].encode("latin-1"))]
    for name, value in headers:
        if name == b"content-type":
            content_type = value
        echoed.append((b"x-echo-" + name, value))
    await _respond(send, 200, body, echoed, content_type)


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in headers:
        if name == b"cookie":
            for pair in value.decode("latin-1").split(";"):
                key, _, val = pair.strip().partition("=")
                if key:
                    found[key] = val
    return found


async def _redirect_to(send: Send, query: dict[str, str]) -> None:
    status = _int(query.get("status", "302"), 300, 399)
    if "url" not in query or status is None:
        await _respond(send, 400, b"redirect-to needs ?url= and a 3xx status")
        return
    await _respond(send, status, b"", [(b"location", query["url"].encode("latin-1"))])


async def _stream(send: Send, count: int) -> None:
    head = [(b"content-type", b"text/plain; charset=utf-8")]
    await send({"type": "http.response.start", "status": 200, "headers": head})
    for index in range(count):
        chunk = f"chunk {index}\n".encode()
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def _bytes(send: Send, size: int) -> None:
    head = [(b"content-type", b"application/octet-stream"), (b"content-length", str(size).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": head})
    offset = 0
    while size - offset > _PIECE:
        await send({"type": "http.response.body", "body": _BLOCK, "more_body": True})
        offset += _PIECE
    await send({"type": "http.response.body", "body": _BLOCK[: size - offset]})


async def _slow(send: Send, text: str) -> None:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_SLOW_SECONDS:
        await _respond(send, 400, f"slow takes 0 to {MAX_SLOW_SECONDS:g} seconds".encode())
        return
    await asyncio.sleep(seconds)
    await _respond(send, 200, b"slow")
