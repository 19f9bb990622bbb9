"""`AsyncConnectionPool`: the asyncio/trio shell around `PoolBooks` (twin of `pool`).

The books decide (reuse, open, wait, keep, close); this shell connects, waits and
closes, in one thread: calls into the books never await, so they need no lock (`_lock` is a
no-op kept so that this file stays the twin of `pool.py`).

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

import asyncio
import math
import ssl
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Final

from tether_headers import Headers

from .._config import DEFAULT_LIMITS, Limits
from .._exceptions import (
    ConnectError,
    ConnectTimeout,
    PoolClosed,
    PoolTimeout,
    ReadTimeout,
    RequestError,
    WriteTimeout,
)
from .._request import Request
from .._response import Response
from .._streams import AsyncByteStream
from .backends.auto import current_async_backend, current_async_library
from .backends.base import AsyncNetworkBackend, SocketOption
from .books import Open, Outcome, PoolBooks, Reuse, Ticket, Wait
from .connection_async import AsyncConnection
from .eyeballs import AsyncResolver, Resolver
from .pool import RETRY_SAFE_METHODS, STALE_ERRORS, Deadline, Origin, origin_of, replayable
from .trace import AsyncTrace, atraced_call

if TYPE_CHECKING:
    import trio

__all__ = ["AsyncConnectionPool", "Waiter"]


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Waiter:
    """A one-shot wake-up for a queued request, on asyncio or trio (made when waited on).

    On asyncio it is a bare future with a timer, not ``asyncio.wait_for``: before
    Python 3.12, ``wait_for`` returns normally when it is cancelled just after the
    event was set, and the request would go on as if never cancelled.
    """

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Future[None] | trio.Event | None = None

    def set(self) -> None:
        """Wake the waiting request (a no-op before it waits: nothing can be granted then)."""
        event = self._event
        if event is None:
            return
        if isinstance(event, asyncio.Future):
            _wake(event)
        else:
            event.set()

    async def wait(self, timeout: float | None) -> None:
        """Wait until `set()`, or `timeout` seconds (None: no limit)."""
        if current_async_library() == "trio":
            import trio

            event = self._event = trio.Event()
            with trio.move_on_after(math.inf if timeout is None else timeout):
                await event.wait()
            return
        loop = asyncio.get_running_loop()
        future = self._event = loop.create_future()
        timer = None if timeout is None else loop.call_later(timeout, _wake, future)
        try:
            await future
        finally:
            if timer is not None:
                timer.cancel()


NO_WAITER: Final = Waiter()  # what the books hold for a request that did not wait


class AsyncConnectionPool:
    """A pool of async HTTP/1.1 connections shared by the requests of one transport."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        limits: Limits = DEFAULT_LIMITS,
        local_address: str | None = None,
        uds: str | None = None,
        socket_options: Iterable[SocketOption] = (),
        retries: int = 0,
        backend: AsyncNetworkBackend | None = None,
        resolver: Resolver | AsyncResolver | None = None,
    ) -> None:
        """`retries` is how often a failed connect is tried again (httpx's meaning)."""
        self._ssl_context = ssl_context
        self._books: PoolBooks[AsyncConnection, Waiter] = PoolBooks(limits)
        self._lock = nullcontext()
        self._local_address = local_address
        self._uds = uds
        self._socket_options = tuple(socket_options)
        self._retries = retries
        self._resolver = resolver
        self._closed = False
        self._backend: AsyncNetworkBackend | None = backend  # None: the running loop's

    def __repr__(self) -> str:
        return repr(self._books)

    @property
    def books(self) -> PoolBooks[AsyncConnection, Waiter]:
        """The pool's bookkeeping (for tests and introspection)."""
        return self._books

    # -- a request ---------------------------------------------------------------------

    async def handle_async_request(self, request: Request) -> Response:
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
            conn, reused = await self._acquire(origin, limits, request)
            try:
                head = await conn.send_request(
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
                stream = AsyncPoolStream(self, conn, limits, request)
                return Response(
                    head.status,
                    headers=Headers.from_wire(head.headers),
                    stream=stream if trace is None else AsyncTracedStream(stream, trace, request),
                    extensions={
                        "http_version": head.http_version,
                        "reason_phrase": head.reason,
                        "network_stream": conn.stream,
                    },
                )
            except STALE_ERRORS:
                await self._give_back(conn)
                if retry and reused and not conn.response_started:
                    retry = False
                    continue
                raise
            except BaseException:
                await self._give_back(conn)
                raise

    def _route(self, request: Request) -> tuple[Origin, bytes, list[tuple[bytes, bytes]]]:
        """The pool key, request target and header fields (a proxy's pool changes them)."""
        return origin_of(request), request.url.raw_path, request.headers.raw

    # -- connections -------------------------------------------------------------------

    async def _acquire(
        self, origin: Origin, limits: Deadline, request: Request
    ) -> tuple[AsyncConnection, bool]:
        """A connection for `origin`, and whether it was reused."""
        while True:
            with self._lock:
                expired = self._books.expire()
                answer = self._books.acquire(origin, NO_WAITER)
                if isinstance(answer, Wait):  # a waiter is made only when one must wait
                    answer.ticket.waiter = Waiter()
            if expired:
                try:
                    await self._close_all(expired)
                except BaseException:  # interrupted: the answer is not used
                    await self._abandon(answer)
                    raise
            if isinstance(answer, Reuse):
                grant: Reuse[AsyncConnection] | Open[AsyncConnection] = answer
            elif isinstance(answer, Open):
                grant = answer
            else:
                grant = await self._wait(answer.ticket, origin, limits)
            if isinstance(grant, Reuse):
                conn = grant.conn
                try:
                    dropped = conn.dropped()
                except BaseException:  # interrupted: the idle connection goes back
                    await self._abandon(grant)
                    raise
                if dropped:  # the server closed it while idle: never reuse it
                    try:
                        await conn.aclose()
                    finally:
                        await self._give_back(conn)
                    continue
                return conn, True
            try:
                if grant.evict is not None:
                    await grant.evict.aclose()
                conn = await self._connect(origin, limits, request)
            except BaseException:
                with self._lock:
                    outcome = self._books.open_failed(grant.slot)
                await self._apply(outcome)
                raise
            try:
                with self._lock:
                    self._books.opened(grant.slot, conn)
            except BaseException:  # interrupted before the books took it: give all back
                try:
                    await conn.aclose()
                finally:
                    with self._lock:
                        outcome = self._books.open_failed(grant.slot)
                    await self._apply(outcome)
                raise
            return conn, False

    async def _wait(
        self, ticket: Ticket[AsyncConnection, Waiter], origin: Origin, limits: Deadline
    ) -> Reuse[AsyncConnection] | Open[AsyncConnection]:
        try:
            await ticket.waiter.wait(limits.left(limits.pool, PoolTimeout))
        except BaseException:  # interrupted: give back whatever was granted meanwhile
            with self._lock:
                outcome = self._books.cancel(ticket)
            await self._apply(outcome)
            raise
        with self._lock:
            grant = ticket.grant
            if grant is None:  # timed out (or the pool closed): leave the queue
                outcome = self._books.cancel(ticket)
        if grant is None:
            await self._apply(outcome)
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

    async def _connect(self, origin: Origin, limits: Deadline, request: Request) -> AsyncConnection:
        scheme, host, port = origin
        extensions = request.extensions
        trace = extensions.get("trace")
        backend = self._backend
        if backend is None:
            backend = self._backend = current_async_backend()
        where = f"{host}:{port}"
        attempts = self._retries
        while True:
            timeout = limits.left(limits.connect, ConnectTimeout)
            try:
                if self._uds is not None:
                    stream = await atraced_call(
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
                    stream = await atraced_call(
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
                stream = await atraced_call(
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
                await plain.aclose()
                raise
        return AsyncConnection(stream, where)

    async def _give_back(self, conn: AsyncConnection) -> None:
        """Return `conn` to the books: kept for reuse if clean, else closed."""
        reusable = conn.reusable
        if reusable:
            conn.recycle()
        with self._lock:
            outcome = self._books.release(conn, reusable)
        await self._apply(outcome)

    async def _apply(self, outcome: Outcome[AsyncConnection, Waiter]) -> None:
        # Wake first: a close that is interrupted (or that checkpoints in a cancelled
        # scope) must not strand a waiter that was granted a place.
        if outcome.wake is not None:
            outcome.wake.waiter.set()
        await self._close_all(outcome.close)

    async def _close_all(self, conns: Sequence[AsyncConnection]) -> None:
        """Close every one of `conns`, even when closing one of them is interrupted."""
        error: BaseException | None = None
        for conn in conns:
            try:
                await conn.aclose()
            except BaseException as exc:  # raised once the others are closed too
                error = error or exc
        if error is not None:
            raise error

    async def _abandon(
        self, answer: Reuse[AsyncConnection] | Open[AsyncConnection] | Wait[AsyncConnection, Waiter]
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
        await self._apply(outcome)

    async def aclose(self) -> None:
        """Close idle connections and refuse new requests; busy ones close on release."""
        with self._lock:
            shutdown = self._books.shutdown()
            self._closed = True
        for ticket in shutdown.waiters:
            ticket.waiter.set()
        await self._close_all(shutdown.idle)


class AsyncPoolStream(AsyncByteStream):
    """A response body: yields the bytes, then returns the connection to its pool."""

    __slots__ = ("_conn", "_limits", "_pool", "_request")

    plain_errors: ClassVar[bool] = True  # raises tether's exceptions only (see BoundStream)
    supports_sync: ClassVar[bool] = False  # spares can_iterate_async its ABC check
    supports_async: ClassVar[bool] = True

    def __init__(
        self, pool: AsyncConnectionPool, conn: AsyncConnection, limits: Deadline, request: Request
    ) -> None:
        self._pool: AsyncConnectionPool | None = pool
        self._conn = conn
        self._limits = limits
        self._request = request

    def __aiter__(self) -> AsyncPoolStream:
        return self

    async def __anext__(self) -> bytes:
        if self._pool is None:
            raise StopAsyncIteration
        limits = self._limits
        try:
            piece = await self._conn.next_piece(limits.left(limits.read, ReadTimeout))
        except BaseException as exc:
            await self._failed(exc)
            raise
        if piece is None:
            await self.aclose()
            raise StopAsyncIteration
        return piece

    async def aread_rest(self) -> bytes | None:
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
            whole = await self._conn.rest_of_body(limits.read, may_read=limits.end is None)
        except BaseException as exc:
            await self._failed(exc)
            raise
        if whole is not None:
            await self.aclose()
        return whole

    async def _failed(self, exc: BaseException) -> None:
        """After `exc` while reading: give the connection back (closed, since the body was
        not read to its end) and name the request in a tether error that lacks it."""
        await self.aclose()
        if isinstance(exc, RequestError) and exc._request is None:
            exc.request = self._request

    async def aclose(self) -> None:
        """Return the connection: kept if the body was read to its end, else closed."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool._give_back(self._conn)


class AsyncTracedStream(AsyncByteStream):
    """A response body that reports its reading and closing to a ``trace`` callback."""

    __slots__ = ("_closed", "_inner", "_request", "_started", "_trace")

    plain_errors: ClassVar[bool] = True
    supports_sync: ClassVar[bool] = False
    supports_async: ClassVar[bool] = True

    def __init__(self, inner: AsyncPoolStream, trace: AsyncTrace, request: Request) -> None:
        self._inner = inner
        self._trace = trace
        self._request = request
        self._started = self._closed = False

    def __aiter__(self) -> AsyncTracedStream:
        return self

    async def __anext__(self) -> bytes:
        trace = self._trace
        if not self._started:
            self._started = True
            await trace("http11.receive_response_body.started", {"request": self._request})
        if self._closed:
            raise StopAsyncIteration
        try:
            return await self._inner.__anext__()
        except StopAsyncIteration:
            await trace("http11.receive_response_body.complete", {"return_value": None})
            await self.aclose()
            raise
        except BaseException as exc:
            await trace("http11.receive_response_body.failed", {"exception": exc})
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Close the body (returning the connection), reported as ``http11.response_closed``."""
        if not self._closed:
            self._closed = True
            trace = self._trace
            await trace("http11.response_closed.started", {})
            await self._inner.aclose()
            await trace("http11.response_closed.complete", {"return_value": None})
