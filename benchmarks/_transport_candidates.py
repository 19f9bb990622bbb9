"""The clients that `bench_transport` races, each behind the same three calls.

A sync candidate has ``get(path) -> bytes received``, ``post(path, body)`` and
``close()``; an async one the same as coroutines (``aclose()``). Each is built for one
server and one concurrency (the size of its connection pool), keeps its connections
alive, and reads every response body whole. Libraries are imported when a candidate
is built, so a missing one is reported as such and the others still run.

Two candidates are not libraries but floors: ``h11 loop`` drives h11 over a socket
with nothing else (the ceiling for any h11-based client), ``raw loop`` writes
pre-encoded requests and frames responses by Content-Length alone.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
from collections.abc import Callable
from typing import Any, Protocol

import h11

TIMEOUT = 60.0


class SyncCandidate(Protocol):
    def get(self, path: str) -> int: ...
    def post(self, path: str, body: bytes) -> None: ...
    def close(self) -> None: ...


class AsyncCandidate(Protocol):
    async def get(self, path: str) -> int: ...
    async def post(self, path: str, body: bytes) -> None: ...
    async def aclose(self) -> None: ...


class Unavailable(Exception):
    """The candidate cannot run here (not installed, or not written yet)."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise Unavailable(f"{name} is not installed") from exc


# -- sync libraries -------------------------------------------------------------------------


class _HttpxLike:
    """tether, httpx and httpx2 share httpx's API."""

    def __init__(self, module: Any, base: str, transport: Any = None) -> None:
        options = {"transport": transport} if transport is not None else {}
        self.client = module.Client(base_url=base, timeout=TIMEOUT, **options)

    def get(self, path: str) -> int:
        return len(self.client.get(path).content)

    def post(self, path: str, body: bytes) -> None:
        self.client.post(path, content=body).read()

    def close(self) -> None:
        self.client.close()


class _RequestsLike:
    """requests and niquests share requests' API."""

    def __init__(self, module: Any, base: str) -> None:
        self.session = module.Session()
        self.base = base

    def get(self, path: str) -> int:
        return len(self.session.get(self.base + path, timeout=TIMEOUT).content)

    def post(self, path: str, body: bytes) -> None:
        self.session.post(self.base + path, data=body, timeout=TIMEOUT).close()

    def close(self) -> None:
        self.session.close()


class _Urllib3:
    def __init__(self, base: str) -> None:
        self.pool = _module("urllib3").PoolManager(timeout=TIMEOUT)
        self.base = base

    def get(self, path: str) -> int:
        return len(self.pool.request("GET", self.base + path).data)

    def post(self, path: str, body: bytes) -> None:
        self.pool.request("POST", self.base + path, body=body)

    def close(self) -> None:
        self.pool.clear()


class _Pycurl:
    def __init__(self, base: str) -> None:
        pycurl = _module("pycurl")
        self.pycurl = pycurl
        self.base = base
        self.curl = pycurl.Curl()
        self.received = 0
        self.curl.setopt(pycurl.WRITEFUNCTION, self._write)
        self.curl.setopt(pycurl.HTTPHEADER, ["Expect:"])  # no 100-continue round trip
        self.curl.setopt(pycurl.TIMEOUT, int(TIMEOUT))

    def _write(self, data: bytes) -> None:
        self.received += len(data)

    def get(self, path: str) -> int:
        self.received = 0
        self.curl.setopt(self.pycurl.HTTPGET, 1)
        self.curl.setopt(self.pycurl.URL, self.base + path)
        self.curl.perform()
        return self.received

    def post(self, path: str, body: bytes) -> None:
        self.curl.setopt(self.pycurl.URL, self.base + path)
        self.curl.setopt(self.pycurl.POSTFIELDS, body)
        self.curl.perform()

    def close(self) -> None:
        self.curl.close()


# -- the floors: h11 and raw sockets ----------------------------------------------------------


def _content_length(head: bytes) -> int:
    start = head.lower().find(b"\r\ncontent-length:")
    if start < 0:
        return 0
    end = head.find(b"\r\n", start + 2)
    return int(head[start + 17 : end])


# The fields httpx (and tether) send by default besides Host. A loop that sends them too
# shows what the server's handling of them costs: the rest is the client's own.
HTTPX_DEFAULT_FIELDS = [
    (b"Accept", b"*/*"),
    (b"Accept-Encoding", b"gzip, deflate, br, zstd"),
    (b"Connection", b"keep-alive"),
    (b"User-Agent", b"python-httpx/0.28.1"),
]


class _H11Loop:
    def __init__(
        self, host: str, port: int, fields: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = h11.Connection(h11.CLIENT)
        self.host = f"{host}:{port}".encode()
        self.fields = fields or []

    def _send(self, method: bytes, path: str, body: bytes | None) -> None:
        headers = [(b"Host", self.host), *self.fields]
        if body is not None:
            headers.append((b"Content-Length", str(len(body)).encode()))
        data = self.conn.send(h11.Request(method=method, target=path, headers=headers))
        self.sock.sendall(data or b"")
        if body:
            self.sock.sendall(self.conn.send(h11.Data(data=body)) or b"")
        self.sock.sendall(self.conn.send(h11.EndOfMessage()) or b"")

    def _receive(self) -> int:
        received = 0
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(262144))
            elif type(event) is h11.Data:
                received += len(event.data)
            elif type(event) is h11.EndOfMessage:
                self.conn.start_next_cycle()
                return received

    def get(self, path: str) -> int:
        self._send(b"GET", path, None)
        return self._receive()

    def post(self, path: str, body: bytes) -> None:
        self._send(b"POST", path, body)
        self._receive()

    def close(self) -> None:
        self.sock.close()


class _RawLoop:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host = f"{host}:{port}".encode()
        self.buffer = bytearray(16 << 20)
        self.view = memoryview(self.buffer)

    def _receive(self) -> int:
        head = b""
        while (end := head.find(b"\r\n\r\n")) < 0:
            head += self.sock.recv(65536)
        length = _content_length(head[: end + 2])
        have = len(head) - end - 4
        self.view[:have] = head[end + 4 :]
        while have < length:
            have += self.sock.recv_into(self.view[have:length])
        return length

    def get(self, path: str) -> int:
        self.sock.sendall(b"GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path.encode(), self.host))
        return self._receive()

    def post(self, path: str, body: bytes) -> None:
        head = b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n"
        self.sock.sendall(head % (path.encode(), self.host, len(body)))
        self.sock.sendall(body)
        self._receive()

    def close(self) -> None:
        self.sock.close()


def _choose_engine(engine: str | None) -> None:
    """Select tether's HTTP/1.1 engine for the connections the next client opens.

    `None` is tether's default (``TETHER_HTTP11_ENGINE``, else the lean engine): the
    candidates run one after another, so the choice holds for one candidate's run.
    """
    try:
        choice = importlib.import_module("tether._network.engine_choice")
    except ImportError:
        if engine is None:
            return
        raise Unavailable("this tether has a single HTTP/1.1 engine") from None
    choice.use_engine(engine or os.environ.get("TETHER_HTTP11_ENGINE") or "lean")


def sync_candidates(host: str, port: int) -> dict[str, Callable[[], SyncCandidate]]:
    """Factories of every sync candidate, by name, in report order."""
    base = f"http://{host}:{port}"

    def tether(engine: str | None = None) -> SyncCandidate:
        module = _module("tether")
        if not hasattr(module, "HTTPTransport"):
            raise Unavailable("tether.HTTPTransport is not available yet")
        _choose_engine(engine)
        return _HttpxLike(module, base, module.HTTPTransport())

    return {
        "tether": tether,
        "tether (h11 engine)": lambda: tether("h11"),
        "httpx": lambda: _HttpxLike(_module("httpx"), base),
        "httpx2": lambda: _HttpxLike(_module("httpx2"), base),
        "requests": lambda: _RequestsLike(_module("requests"), base),
        "urllib3": lambda: _Urllib3(base),
        "niquests": lambda: _RequestsLike(_module("niquests"), base),
        "pycurl": lambda: _Pycurl(base),
        "h11 loop": lambda: _H11Loop(host, port),
        "h11 loop, httpx headers": lambda: _H11Loop(host, port, HTTPX_DEFAULT_FIELDS),
        "raw loop": lambda: _RawLoop(host, port),
    }


# -- async --------------------------------------------------------------------------------------


class _AsyncHttpxLike:
    def __init__(self, module: Any, base: str, concurrency: int, transport: Any = None) -> None:
        limits = module.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        if transport is not None:
            options: dict[str, Any] = {"transport": transport(limits=limits)}
        else:
            options = {"limits": limits}
        self.client = module.AsyncClient(base_url=base, timeout=TIMEOUT, **options)

    async def get(self, path: str) -> int:
        return len((await self.client.get(path)).content)

    async def post(self, path: str, body: bytes) -> None:
        await self.client.post(path, content=body)

    async def aclose(self) -> None:
        await self.client.aclose()


class _Aiohttp:
    def __init__(self, base: str, concurrency: int) -> None:
        aiohttp = _module("aiohttp")
        connector = aiohttp.TCPConnector(limit=concurrency)
        self.session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
        )
        self.base = base

    async def get(self, path: str) -> int:
        async with self.session.get(self.base + path) as response:
            return len(await response.read())

    async def post(self, path: str, body: bytes) -> None:
        async with self.session.post(self.base + path, data=body) as response:
            await response.read()

    async def aclose(self) -> None:
        await self.session.close()


class _AsyncNiquests:
    def __init__(self, base: str, concurrency: int) -> None:
        niquests = _module("niquests")
        self.session = niquests.AsyncSession(pool_connections=1, pool_maxsize=concurrency)
        self.base = base

    async def get(self, path: str) -> int:
        return len((await self.session.get(self.base + path, timeout=TIMEOUT)).content)

    async def post(self, path: str, body: bytes) -> None:
        await self.session.post(self.base + path, data=body, timeout=TIMEOUT)

    async def aclose(self) -> None:
        await self.session.close()


class _AsyncLoop:
    """A LIFO of idle connections over asyncio streams; `framing` picks h11 or raw."""

    def __init__(
        self, host: str, port: int, framing: str, fields: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        self.host, self.port, self.framing = host, port, framing
        self.fields = fields or []
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, h11.Connection]] = []
        self.host_header = f"{host}:{port}".encode()

    async def _exchange(self, method: bytes, path: str, body: bytes | None) -> int:
        if self.idle:
            reader, writer, conn = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
            conn = h11.Connection(h11.CLIENT)
        if self.framing == "h11":
            received = await self._h11(reader, writer, conn, method, path, body)
        else:
            received = await self._raw(reader, writer, method, path, body)
        self.idle.append((reader, writer, conn))
        return received

    async def _h11(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        conn: h11.Connection,
        method: bytes,
        path: str,
        body: bytes | None,
    ) -> int:
        headers = [(b"Host", self.host_header), *self.fields]
        if body is not None:
            headers.append((b"Content-Length", str(len(body)).encode()))
        writer.write(conn.send(h11.Request(method=method, target=path, headers=headers)) or b"")
        if body:
            writer.write(conn.send(h11.Data(data=body)) or b"")
        writer.write(conn.send(h11.EndOfMessage()) or b"")
        await writer.drain()
        received = 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(262144))
            elif type(event) is h11.Data:
                received += len(event.data)
            elif type(event) is h11.EndOfMessage:
                conn.start_next_cycle()
                return received

    async def _raw(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        method: bytes,
        path: str,
        body: bytes | None,
    ) -> int:
        head = b"%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path.encode(), self.host_header)
        if body is not None:
            head += b"Content-Length: %d\r\n" % len(body)
        writer.write(head + b"\r\n")
        if body:
            writer.write(body)
        await writer.drain()
        response_head = await reader.readuntil(b"\r\n\r\n")
        length = _content_length(response_head[:-2])
        await reader.readexactly(length)
        return length

    async def get(self, path: str) -> int:
        return await self._exchange(b"GET", path, None)

    async def post(self, path: str, body: bytes) -> None:
        await self._exchange(b"POST", path, body)

    async def aclose(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        for _, writer, _ in self.idle:
            await writer.wait_closed()
        self.idle.clear()


def async_candidates(host: str, port: int) -> dict[str, Callable[[int], AsyncCandidate]]:
    """Factories (taking the concurrency) of every async candidate, in report order."""
    base = f"http://{host}:{port}"

    def tether(concurrency: int, engine: str | None = None) -> AsyncCandidate:
        module = _module("tether")
        if not hasattr(module, "AsyncHTTPTransport"):
            raise Unavailable("tether.AsyncHTTPTransport is not available yet")
        _choose_engine(engine)
        return _AsyncHttpxLike(module, base, concurrency, module.AsyncHTTPTransport)

    return {
        "tether": tether,
        "tether (h11 engine)": lambda n: tether(n, "h11"),
        "httpx": lambda n: _AsyncHttpxLike(_module("httpx"), base, n),
        "httpx2": lambda n: _AsyncHttpxLike(_module("httpx2"), base, n),
        "aiohttp": lambda n: _Aiohttp(base, n),
        "niquests": lambda n: _AsyncNiquests(base, n),
        "h11 loop": lambda n: _AsyncLoop(host, port, "h11"),
        "h11 loop, httpx headers": lambda n: _AsyncLoop(host, port, "h11", HTTPX_DEFAULT_FIELDS),
        "raw loop": lambda n: _AsyncLoop(host, port, "raw"),
    }
