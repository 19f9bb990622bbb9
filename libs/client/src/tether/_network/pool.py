"""`ConnectionPool`: the blocking shell around `PoolBooks`, sending one request at a time.

The books decide (reuse, open, wait, keep, close); this shell connects, waits and
closes, holding a lock only around calls into the books, never around I/O.

Invariants:

1. Every connection the books hand out is released exactly once: when its response
   body ends or is closed, or when sending fails (`_give_back`).
2. A waiter that gives up (pool timeout, interrupt) calls `books.cancel`, so a grant it
   received meanwhile goes back to the books.
3. A request that failed on a *reused* connection before any response byte arrived is
   retried once on a new connection, when its method is idempotent (RFC 9110 §9.2.2)
   and its body can be sent again: the server may have closed the idle connection just
   as we wrote to it.
4. Closing a connection may be interrupted (a cancellation, Ctrl-C): a granted waiter
   is woken before anything is closed, every connection due to close is closed
   (`_close_all`), and a grant the interrupted request will not use goes back
   (`_abandon`).
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any, ClassVar, Final

from tether_content import ByteStream
from tether_headers import Headers

from .._config import DEFAULT_LIMITS, Limits
from .._exceptions import (
    ConnectError,
    ConnectTimeout,
    PoolClosed,
    PoolTimeout,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    RequestError,
    UnsupportedProtocol,
    WriteError,
    WriteTimeout,
)
from .._request import Request
from .._response import Response
from .._streams import SyncByteStream
from .backends.base import NetworkBackend, SocketOption
from .backends.sync import SyncBackend
from .books import Open, Outcome, PoolBooks, Reuse, Ticket, Wait
from .connection import Connection
from .eyeballs import Resolver
from .trace import Trace, traced_call

__all__ = ["RETRY_SAFE_METHODS", "ConnectionPool", "Deadline", "origin_of"]

# RFC 9110 §9.2.2: idempotent methods may be repeated after a connection failure.
RETRY_SAFE_METHODS: Final = frozenset({b"GET", b"HEAD", b"OPTIONS", b"TRACE", b"PUT", b"DELETE"})
# Errors that mean "the reused connection was dead", when no response byte arrived.
STALE_ERRORS: Final = (ReadError, WriteError, RemoteProtocolError)
DEFAULT_PORTS: Final = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def origin_of(request: Request) -> Origin:
    """The pool key ``(scheme, host, port)``; `UnsupportedProtocol` for other schemes."""
    url = request.url
    scheme = url.scheme
    port = DEFAULT_PORTS.get(scheme)
    if port is None:
        raise UnsupportedProtocol(
            f"cannot send a request to {url}: the scheme {scheme!r} is not supported "
            "(use 'http://' or 'https://')"
            if scheme
            else f"cannot send a request to {url}: the URL has no scheme",
            request=request,
        )
    if not url.host:
        raise UnsupportedProtocol(
            f"cannot send a request to {url}: it has no host", request=request
        )
    return (scheme, url.host, url.port or port)


class Deadline:
    """Per-phase timeouts of one request, bounded by its optional `total` deadline."""

    __slots__ = ("connect", "end", "pool", "read", "url", "write")

    def __init__(self, timeouts: Any, url: object) -> None:
        get = timeouts.get if isinstance(timeouts, dict) else {}.get
        self.connect: float | None = get("connect")
        self.read: float | None = get("read")
        self.write: float | None = get("write")
        self.pool: float | None = get("pool")
        total = get("total")
        self.end = None if total is None else time.monotonic() + total
        self.url = url

    def left(self, phase: float | None, error: type[Exception]) -> float | None:
        """The time an operation may take; raise `error` if the total deadline passed."""
        end = self.end
        if end is None:
            return phase
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise error(f"the total timeout of the request to {self.url} elapsed")
        return remaining if phase is None or remaining < phase else phase


def replayable(request: Request) -> bool:
    """Whether the request body can be sent again (it is held in memory as bytes)."""
    return isinstance(request.stream, ByteStream)


NO_WAITER: Final = threading.Event()  # what the books hold for a request that did not wait


class ConnectionPool:
    """A pool of HTTP/1.1 connections shared by the requests of one transport."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        limits: Limits = DEFAULT_LIMITS,
        local_address: str | None = None,
        uds: str | None = None,
        socket_options: Iterable[SocketOption] = (),
        retries: int = 0,
        backend: NetworkBackend | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        """`retries` is how often a failed connect is tried again (httpx's meaning);
        `resolver` answers host lookups first (see `eyeballs.Resolver`)."""
        self._ssl_context = ssl_context
        self._books: PoolBooks[Connection, threading.Event] = PoolBooks(limits)
        self._lock = threading.Lock()
        self._local_address = local_address
        self._uds = uds
        self._socket_options = tuple(socket_options)
        self._retries = retries
        self._resolver = resolver
        self._closed = False
        self._backend: NetworkBackend = SyncBackend() if backend is None else backend

    def __repr__(self) -> str:
        return repr(self._books)

    @property
    def books(self) -> PoolBooks[Connection, threading.Event]:
        """The pool's bookkeeping (for tests and introspection)."""
        return self._books

    # -- a request ---------------------------------------------------------------------

    def handle_request(self, request: Request) -> Response:
        """Send `request` on a pooled connection; the response body returns it."""
        origin, target, headers = self._route(request)
        if self._closed:
            raise PoolClosed(
                f"cannot send {request.method} {request.url}: the transport (its connection "
                "pool) was closed"
            )
        limits = Deadline(request.extensions.get("timeout"), request.url)
        method = request.method.encode("ascii")
        retry = method in RETRY_SAFE_METHODS and replayable(request)
        trace = request.extensions.get("trace")
        while True:
            conn, reused = self._acquire(origin, limits, request)
            try:
                head = conn.send_request(
                    method,
                    target,
                    headers,
                    request.stream,  # type: ignore[arg-type]
                    limits.left(limits.write, WriteTimeout),
                    limits.left(limits.read, ReadTimeout),
                    trace,
                    request,
                )
                # Built inside the `try`: an interrupt here gives the connection back.
                stream = PoolStream(self, conn, limits, request)
                return Response(
                    head.status,
                    headers=Headers.from_wire(head.headers),
                    stream=stream if trace is None else TracedStream(stream, trace, request),
                    extensions={
                        "http_version": head.http_version,
                        "reason_phrase": head.reason,
                        "network_stream": conn.stream,
                    },
                )
            except STALE_ERRORS:
                self._give_back(conn)
                if retry and reused and not conn.response_started:
                    retry = False
                    continue
                raise
            except BaseException:
                self._give_back(conn)
                raise

    def _route(self, request: Request) -> tuple[Origin, bytes, list[tuple[bytes, bytes]]]:
        """The pool key, request target and header fields (a proxy's pool changes them)."""
        return origin_of(request), request.url.raw_path, request.headers.raw

    # -- connections -------------------------------------------------------------------

    def _acquire(
        self, origin: Origin, limits: Deadline, request: Request
    ) -> tuple[Connection, bool]:
        """A connection for `origin`, and whether it was reused."""
        while True:
            with self._lock:
                expired = self._books.expire()
                answer = self._books.acquire(origin, NO_WAITER)
                if isinstance(answer, Wait):  # a waiter is made only when one must wait
                    answer.ticket.waiter = threading.Event()
            if expired:
                try:
                    self._close_all(expired)
                except BaseException:  # interrupted: the answer is not used
                    self._abandon(answer)
                    raise
            if isinstance(answer, Reuse):
                grant: Reuse[Connection] | Open[Connection] = answer
            elif isinstance(answer, Open):
                grant = answer
            else:
                grant = self._wait(answer.ticket, origin, limits)
            if isinstance(grant, Reuse):
                conn = grant.conn
                try:
                    dropped = conn.dropped()
                except BaseException:  # interrupted: the idle connection goes back
                    self._abandon(grant)
                    raise
                if dropped:  # the server closed it while idle: never reuse it
                    try:
                        conn.close()
                    finally:
                        self._give_back(conn)
                    continue
                return conn, True
            try:
                if grant.evict is not None:
                    grant.evict.close()
                conn = self._connect(origin, limits, request)
            except BaseException:
                with self._lock:
                    outcome = self._books.open_failed(grant.slot)
                self._apply(outcome)
                raise
            try:
                with self._lock:
                    self._books.opened(grant.slot, conn)
            except BaseException:  # interrupted before the books took it: give all back
                try:
                    conn.close()
                finally:
                    with self._lock:
                        outcome = self._books.open_failed(grant.slot)
                    self._apply(outcome)
                raise
            return conn, False

    def _wait(
        self, ticket: Ticket[Connection, threading.Event], origin: Origin, limits: Deadline
    ) -> Reuse[Connection] | Open[Connection]:
        try:
            ticket.waiter.wait(limits.left(limits.pool, PoolTimeout))
        except BaseException:  # interrupted: give back whatever was granted meanwhile
            with self._lock:
                outcome = self._books.cancel(ticket)
            self._apply(outcome)
            raise
        with self._lock:
            grant = ticket.grant
            if grant is None:  # timed out (or the pool closed): leave the queue
                outcome = self._books.cancel(ticket)
        if grant is None:
            self._apply(outcome)
            if self._closed:
                raise PoolClosed(
                    f"the connection pool was closed while a request to "
                    f"{origin[1]}:{origin[2]} waited for a connection"
                )
            raise PoolTimeout(
                f"no connection to {origin[1]}:{origin[2]} became free within the pool "
                f"timeout ({limits.pool} s): {self._books!r}"
            )
        return grant

    def _connect(self, origin: Origin, limits: Deadline, request: Request) -> Connection:
        scheme, host, port = origin
        extensions = request.extensions
        trace = extensions.get("trace")
        backend = self._backend
        where = f"{host}:{port}"
        attempts = self._retries
        while True:
            timeout = limits.left(limits.connect, ConnectTimeout)
            try:
                if self._uds is not None:
                    stream = traced_call(
                        trace,
                        "connection.connect_unix_socket",
                        {"path": self._uds, "timeout": timeout},
                        partial(
                            backend.connect_unix,
                            self._uds,
                            timeout=timeout,
                            socket_options=self._socket_options,
                        ),
                    )
                else:
                    stream = traced_call(
                        trace,
                        "connection.connect_tcp",
                        {
                            "host": host,
                            "port": port,
                            "local_address": self._local_address,
                            "timeout": timeout,
                            "socket_options": self._socket_options,
                        },
                        partial(
                            backend.connect_tcp,
                            host,
                            port,
                            timeout=timeout,
                            local_address=self._local_address,
                            socket_options=self._socket_options,
                            resolver=self._resolver,
                        ),
                    )
                break
            except (ConnectError, ConnectTimeout):
                if attempts <= 0:
                    raise
                attempts -= 1
        if scheme == "https":
            context = self._ssl_context
            if context is None:  # pragma: no cover - the transport always passes one
                context = ssl.create_default_context()
            # The `sni_hostname` extension names the server for TLS (SNI and the
            # certificate check) when it is not the URL's host, as httpcore's does.
            server_hostname = extensions.get("sni_hostname") or host
            timeout = limits.left(limits.connect, ConnectTimeout)
            plain = stream
            try:
                stream = traced_call(
                    trace,
                    "connection.start_tls",
                    {
                        "ssl_context": context,
                        "server_hostname": server_hostname,
                        "timeout": timeout,
                    },
                    partial(plain.start_tls, context, server_hostname, timeout),
                )
            except BaseException:
                plain.close()
                raise
        return Connection(stream, where)

    def _give_back(self, conn: Connection) -> None:
        """Return `conn` to the books: kept for reuse if clean, else closed."""
        reusable = conn.reusable
        if reusable:
            conn.recycle()
        with self._lock:
            outcome = self._books.release(conn, reusable)
        self._apply(outcome)

    def _apply(self, outcome: Outcome[Connection, threading.Event]) -> None:
        # Wake first: a close that is interrupted (or that checkpoints in a cancelled
        # scope) must not strand a waiter that was granted a place.
        if outcome.wake is not None:
            outcome.wake.waiter.set()
        self._close_all(outcome.close)

    def _close_all(self, conns: Sequence[Connection]) -> None:
        """Close every one of `conns`, even when closing one of them is interrupted."""
        error: BaseException | None = None
        for conn in conns:
            try:
                conn.close()
            except BaseException as exc:  # raised once the others are closed too
                error = error or exc
        if error is not None:
            raise error

    def _abandon(
        self, answer: Reuse[Connection] | Open[Connection] | Wait[Connection, threading.Event]
    ) -> None:
        """Give back what `acquire` answered, unused: the request was interrupted."""
        with self._lock:
            if isinstance(answer, Reuse):  # an idle connection, untouched: idle again
                outcome = self._books.release(answer.conn, reusable=True)
            elif isinstance(answer, Open):
                outcome = self._books.open_failed(answer.slot)
                if answer.evict is not None:  # already out of the books: close it too
                    outcome = Outcome((*outcome.close, answer.evict), outcome.wake)
            else:
                outcome = self._books.cancel(answer.ticket)
        self._apply(outcome)

    def close(self) -> None:
        """Close idle connections and refuse new requests; busy ones close on release."""
        with self._lock:
            shutdown = self._books.shutdown()
            self._closed = True
        for ticket in shutdown.waiters:
            ticket.waiter.set()
        self._close_all(shutdown.idle)


class PoolStream(SyncByteStream):
    """A response body: yields the bytes, then returns the connection to its pool."""

    __slots__ = ("_conn", "_limits", "_pool", "_request")

    plain_errors: ClassVar[bool] = True  # raises tether's exceptions only (see BoundStream)
    supports_sync: ClassVar[bool] = True  # spares can_iterate_sync its ABC check
    supports_async: ClassVar[bool] = False

    def __init__(
        self, pool: ConnectionPool, conn: Connection, limits: Deadline, request: Request
    ) -> None:
        self._pool: ConnectionPool | None = pool
        self._conn = conn
        self._limits = limits
        self._request = request

    def __iter__(self) -> PoolStream:
        return self

    def __next__(self) -> bytes:
        if self._pool is None:
            raise StopIteration
        limits = self._limits
        try:
            piece = self._conn.next_piece(limits.left(limits.read, ReadTimeout))
        except BaseException as exc:
            self._failed(exc)
            raise
        if piece is None:
            self.close()
            raise StopIteration
        return piece

    def read_rest(self) -> bytes | None:
        """The rest of the body as one bytes object, received in place where the stream
        can (`Connection.rest_of_body`), then the connection returned; None, with nothing
        read, for a body that is read piece by piece.

        With a total deadline every read must be bounded by what is left of it, so only
        a body that has arrived whole is returned; the rest is read piece by piece.
        """
        if self._pool is None:
            return None
        limits = self._limits
        try:
            whole = self._conn.rest_of_body(limits.read, may_read=limits.end is None)
        except BaseException as exc:
            self._failed(exc)
            raise
        if whole is not None:
            self.close()
        return whole

    def _failed(self, exc: BaseException) -> None:
        """After `exc` while reading: give the connection back (closed, since the body was
        not read to its end) and name the request in a tether error that lacks it."""
        self.close()
        if isinstance(exc, RequestError) and exc._request is None:
            exc.request = self._request

    def close(self) -> None:
        """Return the connection: kept if the body was read to its end, else closed."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool._give_back(self._conn)


class TracedStream(SyncByteStream):
    """A response body that reports its reading and closing to a ``trace`` callback."""

    __slots__ = ("_closed", "_inner", "_request", "_started", "_trace")

    plain_errors: ClassVar[bool] = True
    supports_sync: ClassVar[bool] = True
    supports_async: ClassVar[bool] = False

    def __init__(self, inner: PoolStream, trace: Trace, request: Request) -> None:
        self._inner = inner
        self._trace = trace
        self._request = request
        self._started = self._closed = False

    def __iter__(self) -> TracedStream:
        return self

    def __next__(self) -> bytes:
        trace = self._trace
        if not self._started:
            self._started = True
            trace("http11.receive_response_body.started", {"request": self._request})
        if self._closed:
            raise StopIteration
        try:
            return self._inner.__next__()
        except StopIteration:
            trace("http11.receive_response_body.complete", {"return_value": None})
            self.close()
            raise
        except BaseException as exc:
            trace("http11.receive_response_body.failed", {"exception": exc})
            self.close()
            raise

    def close(self) -> None:
        """Close the body (returning the connection), reported as ``http11.response_closed``."""
        if not self._closed:
            self._closed = True
            trace = self._trace
            trace("http11.response_closed.started", {})
            self._inner.close()
            trace("http11.response_closed.complete", {"return_value": None})
