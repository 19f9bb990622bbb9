"""Test helpers for the backend, Happy Eyeballs and TLS tests: one test body, three backends.

`Net(mode)` drives the sync, asyncio or trio backend through one awaitable API (in
sync mode the blocking calls simply run inside the test's event loop). Servers are
threads on loopback: `ThreadServer` runs a handler per accepted connection,
`hanging_listener` is a listener whose accept queue is full, so connecting to it
hangs (SYNs are dropped) without ever leaving the machine.
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from tether._network.backends import AsyncioBackend, SyncBackend
from tether._network.backends.base import AsyncNetworkStream, NetworkStream
from tether._network.backends.trio_backend import TrioBackend

MODES = ["sync", "asyncio", "trio"]
Handler = Callable[[socket.socket], None]


def open_fds() -> int:
    """How many file descriptors this process has open.

    Compare with ``<=``: a server thread may close its end of an earlier connection
    between two counts, and only a leak makes the count grow.
    """
    return len(os.listdir("/proc/self/fd"))


def wait_for_fds(expected: int, timeout: float = 2.0) -> int:
    """The fd count once it is back to `expected` (threads close late), or after `timeout`."""
    deadline = time.monotonic() + timeout
    count = open_fds()
    while count > expected and time.monotonic() < deadline:
        time.sleep(0.01)
        count = open_fds()
    return count


class ThreadServer:
    """A loopback server running `handler(conn)` in a thread per connection."""

    def __init__(
        self,
        handler: Handler,
        family: int = socket.AF_INET,
        tls: ssl.SSLContext | None = None,
        rcvbuf: int | None = None,
        path: str | None = None,
    ) -> None:
        self.handler = handler
        self.tls = tls
        if path is not None:
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(path)
        else:
            self.listener = socket.socket(family, socket.SOCK_STREAM)
            if rcvbuf is not None:
                self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.listener.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
        self.listener.listen(16)
        self.port = 0 if path is not None else self.listener.getsockname()[1]
        self.errors: list[BaseException] = []
        self.conns: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.accepter = threading.Thread(target=self._accept, daemon=True)
        self.accepter.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
                self.conns.append(conn)
            self.handler(conn)
        except (OSError, ValueError) as exc:
            self.errors.append(exc)
        finally:
            conn.close()

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.accepter.join(2)
        for conn in self.conns:
            conn.close()
        for thread in self.threads:
            thread.join(2)


@contextmanager
def serve(handler: Handler, **options: Any) -> Iterator[ThreadServer]:
    """A `ThreadServer` for the duration of a with block."""
    server = ThreadServer(handler, **options)
    try:
        yield server
    finally:
        server.close()


def echo(conn: socket.socket) -> None:
    """Send back what arrives, until EOF."""
    while data := conn.recv(65536):
        conn.sendall(data)


def idle(conn: socket.socket) -> None:
    """Read nothing, send nothing: wait until the client goes away."""
    conn.settimeout(5)
    try:
        while conn.recv(1):
            pass
    except OSError:
        pass


@contextmanager
def hanging_listener() -> Iterator[int]:
    """A loopback port whose accept queue is full: a connect to it hangs (SYNs dropped)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.02)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def closed_port() -> int:
    """A loopback port nothing listens on (connecting is refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


class Stream:
    """One awaitable face for a sync or an async stream."""

    def __init__(self, stream: NetworkStream | AsyncNetworkStream) -> None:
        self.raw = stream

    async def read(self, max_bytes: int = 65536, timeout: float | None = 5.0) -> bytes:
        result = self.raw.read(max_bytes, timeout)
        return result if isinstance(result, bytes) else await result

    async def write(self, data: bytes, timeout: float | None = 5.0) -> None:
        result = self.raw.write(data, timeout)
        if result is not None:
            await result

    async def close(self) -> None:
        if hasattr(self.raw, "aclose"):
            await self.raw.aclose()
        else:
            self.raw.close()

    async def start_tls(
        self, context: ssl.SSLContext, server_hostname: str | None, timeout: float | None = 5.0
    ) -> Stream:
        result = self.raw.start_tls(context, server_hostname, timeout)
        if not hasattr(self.raw, "aclose"):
            return Stream(result)  # type: ignore[arg-type]
        return Stream(await result)  # type: ignore[misc]

    async def wait_readable(self, timeout: float | None) -> bool:
        result = self.raw.wait_readable(timeout)
        return result if isinstance(result, bool) else await result

    def info(self, name: str) -> Any:
        return self.raw.get_extra_info(name)


class Net:
    """The backend of `mode`, with awaitable connects."""

    def __init__(self, mode: str, delay: float = 0.25) -> None:
        self.mode = mode
        self.backend: SyncBackend | AsyncioBackend | TrioBackend
        if mode == "sync":
            self.backend = SyncBackend(delay)
        elif mode == "asyncio":
            self.backend = AsyncioBackend(delay)
        else:
            self.backend = TrioBackend(delay)

    async def connect_tcp(self, host: str, port: int, **options: Any) -> Stream:
        options.setdefault("timeout", 5.0)
        result = self.backend.connect_tcp(host, port, **options)
        if isinstance(self.backend, SyncBackend):
            return Stream(result)  # type: ignore[arg-type]
        return Stream(await result)  # type: ignore[misc]

    async def connect_unix(self, path: str, **options: Any) -> Stream:
        options.setdefault("timeout", 5.0)
        result = self.backend.connect_unix(path, **options)
        if isinstance(self.backend, SyncBackend):
            return Stream(result)  # type: ignore[arg-type]
        return Stream(await result)  # type: ignore[misc]
