"""A lean asyncio HTTP/1.1 server for load, thread and cancellation tests.

It answers fast (an `asyncio.Protocol`, no framework, no h11) so that a test of 20,000
requests measures the client, and it watches what a pool must never do: two requests
in flight on one connection at once (`overlaps`), or more connections open at once
than the client's limits allow (`max_open`).

It speaks TLS when given a certificate and key. `LeanServer` runs it in a child
process by default (it has a core of its own, so it keeps up with a client at full
speed; the listening socket is bound here and passed down, so the port is known at
once), or in a thread with its own event loop.

Requests (any method; a body with Content-Length is read and discarded):

- ``/?id=<text>&size=<n>&head=<s>&body=<s>&close=1``: answers ``<text>`` followed by
  `n` dots, with ``x-id: <text>`` and ``x-conn: <number of the connection>``. ``head``
  delays the response head by that many seconds, ``body`` sends the head and the
  first half of the body, then waits, then the rest; ``close=1`` adds
  ``Connection: close`` and closes after the response.
- ``/_stats``: the counters as JSON (``accepted``, ``open``, ``max_open``,
  ``requests``, ``overlaps``) on a connection of its own, not counted in them.
- ``/_reset``: resets ``accepted``, ``max_open`` (to ``open``), ``requests`` and
  ``overlaps``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import urllib.parse
from types import TracebackType

from tests._servers._base import LOOPBACK_V4, Address, bind_listener

__all__ = ["LeanServer", "serve"]

STOP_TIMEOUT = 10.0
MAX_DELAY = 30.0
_REASON = b"HTTP/1.1 200 OK\r\n"


class _Counters:
    def __init__(self) -> None:
        self.accepted = 0
        self.open = 0
        self.max_open = 0
        self.requests = 0
        self.overlaps = 0

    def as_json(self) -> bytes:
        return json.dumps(vars(self)).encode()

    def reset(self) -> None:
        self.accepted = 0
        self.max_open = self.open
        self.requests = 0
        self.overlaps = 0


class _Connection(asyncio.Protocol):
    """One client connection: parse requests, answer them in order, one at a time."""

    def __init__(self, counters: _Counters, tasks: set[asyncio.Task[None]]) -> None:
        self._counters = counters
        self._tasks = tasks
        self._buffer = bytearray()
        self._queue: list[tuple[str, bool]] = []  # (target, is a stats request)
        self._busy = False
        self._counted = False
        self._number = 0
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def _count(self) -> None:
        counters = self._counters
        counters.accepted += 1
        counters.open += 1
        counters.max_open = max(counters.max_open, counters.open)
        self._number = counters.accepted
        self._counted = True

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._counted:
            self._counters.open -= 1

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buffer[:end]).decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(self._buffer) < end + 4 + length:
                return
            del self._buffer[: end + 4 + length]
            target = head.split(" ", 2)[1]
            stats = target.startswith("/_")
            if not stats and not self._counted:
                self._count()
            if self._busy or self._queue:
                self._counters.overlaps += 1  # the client sent before the last answer
            self._queue.append((target, stats))
            self._next()

    def _next(self) -> None:
        if self._busy or not self._queue or self._transport is None:
            return
        target, stats = self._queue.pop(0)
        if stats:
            self._stats(target)
            return
        self._counters.requests += 1
        query = target.partition("?")[2]
        params = dict(urllib.parse.parse_qsl(query))
        ident = params.get("id", "")
        body = ident.encode() + b"." * int(params.get("size", "0"))
        close = params.get("close") == "1"
        head = (
            f"content-length: {len(body)}\r\nx-id: {ident}\r\nx-conn: {self._number}\r\n"
            + ("connection: close\r\n" if close else "")
            + "\r\n"
        ).encode()
        head_delay = min(float(params.get("head", "0")), MAX_DELAY)
        body_delay = min(float(params.get("body", "0")), MAX_DELAY)
        if head_delay <= 0 and body_delay <= 0:
            self._transport.write(_REASON + head + body)
            self._finish(close)
            return
        self._busy = True
        task = asyncio.get_running_loop().create_task(
            self._slowly(_REASON + head, body, head_delay, body_delay, close)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _slowly(
        self, head: bytes, body: bytes, head_delay: float, body_delay: float, close: bool
    ) -> None:
        if head_delay > 0:
            await asyncio.sleep(head_delay)
        half = len(body) // 2
        if self._transport is not None:
            self._transport.write(head + body[:half])
        if body_delay > 0:
            await asyncio.sleep(body_delay)
        if self._transport is not None:
            self._transport.write(body[half:])
        self._busy = False
        self._finish(close)

    def _finish(self, close: bool) -> None:
        if close and self._transport is not None:
            self._transport.close()
            return
        self._next()

    def _stats(self, target: str) -> None:
        body = self._counters.as_json()
        if target.startswith("/_reset"):
            self._counters.reset()
        assert self._transport is not None
        self._transport.write(
            _REASON + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode() + body
        )
        self._transport.close()


async def serve(
    listener: socket.socket, stop: asyncio.Event, tls: tuple[str, str] | None = None
) -> None:
    """Serve on `listener` until `stop` is set, then close every connection.

    `tls` is the paths of a certificate chain and its key: then TLS (HTTP/1.1 only).
    """
    loop = asyncio.get_running_loop()
    counters = _Counters()
    tasks: set[asyncio.Task[None]] = set()
    connections: list[_Connection] = []

    def factory() -> _Connection:
        connection = _Connection(counters, tasks)
        connections.append(connection)
        if len(connections) > 1024:  # forget the closed ones now and then
            connections[:] = [conn for conn in connections if conn._transport is not None]
        return connection

    context = None
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
    server = await loop.create_server(factory, sock=listener, backlog=1024, ssl=context)
    try:
        await stop.wait()
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        for connection in connections:
            if connection._transport is not None:
                connection._transport.abort()
        await server.wait_closed()


class LeanServer:
    """The lean server on 127.0.0.1 (or ::1), in a child process or a thread."""

    def __init__(
        self,
        *,
        host: str = LOOPBACK_V4,
        in_thread: bool = False,
        tls: tuple[str, str] | None = None,
    ) -> None:
        """`tls`: the paths of the server's certificate chain and key, for https."""
        self._listener = bind_listener(host)
        port = self._listener.getsockname()[1]
        self.address = Address("http" if tls is None else "https", host, port)
        self._tls = tls
        self._in_thread = in_thread
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return self.address.port

    def url(self, path: str = "/") -> str:
        """An absolute URL for `path` on this server."""
        return self.address.url(path)

    def start(self) -> LeanServer:
        """Start serving; the socket already listens, so a client may connect at once."""
        if not self._in_thread:
            root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            fd = self._listener.fileno()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests._servers.lean", str(fd), *(self._tls or ())],
                cwd=root,
                pass_fds=[fd],
                stdin=subprocess.DEVNULL,
            )
            self._listener.close()  # the child holds its own copy
            return self
        self._thread = threading.Thread(target=self._run, name=f"lean {self.address.netloc}")
        self._thread.start()
        self._started.wait(STOP_TIMEOUT)
        return self

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._started.set()
            await serve(self._listener, self._stop, self._tls)

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by stop()
            self._error = exc
        finally:
            self._started.set()

    def stats(self) -> dict[str, int]:
        """The server's counters (see the module docstring)."""
        return self._ask("/_stats")

    def reset(self) -> dict[str, int]:
        """Reset the counters; returns them as they were before."""
        return self._ask("/_reset")

    def _ask(self, path: str) -> dict[str, int]:
        sock = socket.create_connection((self.address.host, self.port), timeout=STOP_TIMEOUT)
        if self._tls is not None:  # the counters are not secret: no verification
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(sock)  # which takes the socket over
        with sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nhost: lean\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        found: dict[str, int] = json.loads(data.partition(b"\r\n\r\n")[2])
        return found

    def stop(self) -> None:
        """Stop serving and close every connection; wait for the process or thread."""
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
                raise RuntimeError(f"lean server {self.address.netloc} did not stop") from None
            self._process = None
            return
        if self._thread is not None:
            loop, stop = self._loop, self._stop
            if loop is not None and stop is not None:
                loop.call_soon_threadsafe(stop.set)
            self._thread.join(STOP_TIMEOUT)
            self._listener.close()
            if self._thread.is_alive():
                raise RuntimeError(f"lean server {self.address.netloc} did not stop")
            self._thread = None
            if self._error is not None:
                raise RuntimeError(f"lean server {self.address.netloc} failed") from self._error

    def __enter__(self) -> LeanServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _main(argv: list[str]) -> None:
    listener = socket.socket(fileno=int(argv[1]))
    tls = (argv[2], argv[3]) if len(argv) == 4 else None

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await serve(listener, stop, tls)

    asyncio.run(main())


if __name__ == "__main__":
    _main(sys.argv)
