"""A raw-socket server that hands each connection to a handler function, in its own thread.

For the behaviours no well-behaved server shows: the handler reads and writes bytes
itself (`RawConnection`), and `tests._servers.misbehave` has ready-made handlers.

Invariants:

- Every accepted socket is in `_live` until its handler returns, and is closed when
  it does (in `_serve_one`'s ``finally``), whatever the handler did.
- `stop()` wakes every blocked call: the accept loop through a socket pair, handlers
  in ``recv`` through ``shutdown(SHUT_RDWR)`` (taken under `_lock`, so it never hits a
  descriptor already closed and reused), handlers that wait through `stopping`. It then
  joins every thread; one still alive after `STOP_TIMEOUT` is an error.
- A handler that fails with `OSError` (the client left) is counted in `disconnects`;
  any other exception is a bug in the test and is raised again by `stop()`.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from tests._servers._base import LOOPBACK_V4, Address, bind_listener

STOP_TIMEOUT = 5.0
# A request head larger than this is refused: the handlers here only read what a
# client sends, and h11's own default limit is 16 KiB.
MAX_HEAD = 64 * 1024
_READ_SIZE = 65536


class RawServerError(Exception):
    """A handler failed with something other than a disconnect, or did not stop."""


@dataclass(frozen=True)
class RawRequest:
    """A request as the raw server read it: names lowercased, values as sent."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    @property
    def expects_continue(self) -> bool:
        """Whether the client sent ``Expect: 100-continue`` (RFC 9110, section 10.1.1)."""
        return (self.header("expect") or "").lower() == "100-continue"


class RawConnection:
    """One accepted connection, as its handler sees it: buffered reads, plain writes."""

    def __init__(
        self, sock: socket.socket, peer: tuple[str, int], index: int, stopping: threading.Event
    ) -> None:
        self.sock = sock
        self.peer = peer
        self.index = index
        self.stopping = stopping
        self._buffer = bytearray()

    def recv(self, max_bytes: int = _READ_SIZE) -> bytes:
        """Buffered bytes first, else one ``recv``; ``b""`` at end of stream."""
        if self._buffer:
            data = bytes(self._buffer[:max_bytes])
            del self._buffer[:max_bytes]
            return data
        return self.sock.recv(max_bytes)

    def _fill(self) -> bool:
        data = self.sock.recv(_READ_SIZE)
        self._buffer += data
        return bool(data)

    def peek(self, size: int) -> bytes:
        """Up to `size` bytes without consuming them (fewer only at EOF)."""
        while len(self._buffer) < size and self._fill():
            pass
        return bytes(self._buffer[:size])

    def take_buffered(self) -> bytes:
        """Whatever was read but not consumed yet (a relay forwards it first)."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def read_until(self, marker: bytes, limit: int = MAX_HEAD) -> bytes | None:
        """Read through `marker` and return it all; None at EOF before any byte."""
        start = 0
        while (end := self._buffer.find(marker, start)) < 0:
            if len(self._buffer) > limit:
                raise RawServerError(f"no {marker!r} within {limit} bytes from {self.peer}")
            start = max(0, len(self._buffer) - len(marker) + 1)
            if not self._fill():
                if self._buffer:
                    raise ConnectionError(f"{self.peer} closed in the middle of a request")
                return None
        end += len(marker)
        data = bytes(self._buffer[:end])
        del self._buffer[:end]
        return data

    def read_exact(self, size: int) -> bytes:
        """Read exactly `size` bytes, or fail with `ConnectionError` at EOF."""
        while len(self._buffer) < size:
            if not self._fill():
                raise ConnectionError(f"{self.peer} closed before sending {size} bytes")
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def read_head(self) -> RawRequest | None:
        """The next request line and header fields; None if the client closed first."""
        head = self.read_until(b"\r\n\r\n")
        if head is None:
            return None
        lines = head[:-4].decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        return RawRequest(method, target, version, headers)

    def read_body(self, request: RawRequest) -> RawRequest:
        """`request` with its body read (Content-Length or chunked, RFC 9112 section 6)."""
        if (request.header("transfer-encoding") or "").lower().endswith("chunked"):
            chunks = []
            while True:
                size_line = self.read_until(b"\r\n") or b""
                size = int(size_line.split(b";")[0], 16)
                if size == 0:
                    while self.read_until(b"\r\n") not in (b"\r\n", None):
                        pass  # trailer fields, ignored
                    break
                chunks.append(self.read_exact(size))
                self.read_exact(2)
            body = b"".join(chunks)
        else:
            body = self.read_exact(int(request.header("content-length") or "0"))
        return RawRequest(request.method, request.target, request.version, request.headers, body)

    def read_request(self) -> RawRequest | None:
        """The next whole request, or None if the client closed between requests."""
        head = self.read_head()
        return None if head is None else self.read_body(head)

    def send(self, data: bytes) -> None:
        """Write all of `data`."""
        self.sock.sendall(data)

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking early if the server stops; True if it is stopping."""
        return self.stopping.wait(seconds)

    def wait_for_close(self) -> None:
        """Discard what the client sends until it closes (or the server stops)."""
        while self.recv():
            pass

    def reset(self) -> None:
        """Abort the connection: ``SO_LINGER`` 0 makes ``close`` send a TCP RST."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Handler = Callable[[RawConnection], None]


@dataclass
class _Stats:
    accepted: int = 0
    disconnects: int = 0
    tls_failures: int = 0
    errors: list[BaseException] = field(default_factory=list)


class RawServer:
    """Accept connections on loopback and run `handler(connection)` for each, in a thread."""

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = LOOPBACK_V4,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self._listener = bind_listener(host)
        self.address = Address(
            "https" if ssl_context else "http", host, self._listener.getsockname()[1]
        )
        self.stopping = threading.Event()
        self.stats = _Stats()
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._wake_r, self._wake_w = socket.socketpair()
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"raw {self.address.netloc}"
        )

    @property
    def port(self) -> int:
        """The bound port."""
        return self.address.port

    def url(self, path: str = "/") -> str:
        """An absolute URL for `path` on this server."""
        return self.address.url(path)

    def start(self) -> RawServer:
        """Start accepting (the socket already listens)."""
        self._acceptor.start()
        return self

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            readable, _, _ = select.select([self._listener, self._wake_r], [], [])
            if self._wake_r in readable:
                return
            try:
                sock, peer = self._listener.accept()
            except OSError:  # pragma: no cover - the client gave up before accept
                continue
            with self._lock:
                self.stats.accepted += 1
                index = self.stats.accepted
                self._live.add(sock)
                thread = threading.Thread(
                    target=self._serve_one,
                    args=(sock, peer, index),
                    name=f"raw conn {index}",
                    daemon=True,
                )
                self._threads.append(thread)
            thread.start()

    def _serve_one(self, sock: socket.socket, peer: tuple[str, int], index: int) -> None:
        try:
            if self.ssl_context is not None:
                sock = self._handshake(sock, self.ssl_context)
            self.handler(RawConnection(sock, peer, index, self.stopping))
        except ssl.SSLError:  # a handshake the client refused, or a TLS-level abort
            self._count("tls_failures")
        except OSError:  # the client left, reset the connection, or stop() shut it down
            self._count("disconnects")
        except BaseException as exc:  # raised again by stop(): a bug in a test's handler
            with self._lock:
                self.stats.errors.append(exc)
        finally:
            with self._lock:
                self._live.discard(sock)
                sock.close()

    def _handshake(self, sock: socket.socket, context: ssl.SSLContext) -> socket.socket:
        # The plain socket stays in _live during the handshake, so stop() can wake it;
        # the swap checks `stopping` under the lock, so a stop() in between is not missed.
        sock.settimeout(STOP_TIMEOUT)
        try:
            wrapped = context.wrap_socket(sock, server_side=True)
        except BaseException:
            with self._lock:
                self._live.discard(sock)
            raise
        wrapped.settimeout(None)
        with self._lock:
            self._live.discard(sock)
            self._live.add(wrapped)
            if self.stopping.is_set():
                wrapped.shutdown(socket.SHUT_RDWR)
        return wrapped

    def _count(self, name: str) -> None:
        with self._lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)

    def stop(self) -> None:
        """Stop accepting, wake and join every handler, close every socket."""
        if self._wake_w.fileno() < 0:
            return  # stopped already
        self.stopping.set()
        self._wake_w.send(b"x")
        if self._acceptor.ident is not None:
            self._acceptor.join(STOP_TIMEOUT)
        with self._lock:
            for sock in self._live:
                with contextlib.suppress(OSError):  # already shut down, or reset by the peer
                    sock.shutdown(socket.SHUT_RDWR)
            threads = list(self._threads)
        for thread in threads:
            thread.join(STOP_TIMEOUT)
        self._listener.close()
        self._wake_r.close()
        self._wake_w.close()
        stuck = [thread.name for thread in threads if thread.is_alive()]
        if stuck:
            raise RawServerError(f"raw server {self.address.netloc}: {stuck} did not stop")
        if self.stats.errors:
            raise RawServerError(
                f"a handler on {self.address.netloc} failed"
            ) from self.stats.errors[0]

    def __enter__(self) -> RawServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
