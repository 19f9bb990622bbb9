"""The asyncio backend: non-blocking sockets driven by the loop's reader/writer callbacks.

Why not streams or a Protocol: a request/response round trip on loopback measured
17-19 us with direct ``sock.recv``/``sock.send`` plus ``add_reader``/``add_writer`` when
they would block, against 31-34 us for a Protocol or asyncio streams (the default
loop, Python 3.11); under uvloop 17 us against 15.5 us for a Protocol and 22.6 us for
``loop.sock_recv``. The direct path is the fastest on the default loop and close to it
on uvloop, and a timeout costs one ``call_at`` timer instead of a task. TLS runs over
it through `AsyncTLSStream` (SSLObject and memory BIOs).

Invariants: a writer callback is registered only while a write waits, and removed
before it returns or raises; the reader callback, once a read has waited, stays
registered between the reads of a connection in use (saving an add/remove pair, two
epoll_ctl calls, per response) and removes itself the first time it fires while no
read waits (an idle connection that the server closes), or when the stream closes,
so a wake-up may be stale and readers check again; one read timer per stream stays armed
between read waits and moves to the waiting read's deadline (it never expires a read
before its own deadline), and closing cancels it; a read or write that fails, times
out or is cancelled closes the socket; connect attempts that lose the race are cancelled and
their sockets closed before `connect_tcp` returns or raises.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
from collections.abc import Awaitable, Iterable, Sequence
from typing import TypeVar

from ..._exceptions import (
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)
from ..eyeballs import (
    CONNECTION_ATTEMPT_DELAY,
    Address,
    AsyncResolver,
    ConnectPlan,
    Resolver,
    check_delay,
    for_local_address,
    from_getaddrinfo,
    os_reason,
)
from ._common import (
    READ_SIZE,
    SMALL_READ,
    fd_readable,
    no_address,
    origin,
    preresolved,
    resolve_error,
    tcp_socket,
    unix_socket,
)
from ._socket_stream import AsyncSocketStream
from .base import SocketOption

T = TypeVar("T")


async def _within(awaitable: Awaitable[T], timeout: float | None) -> T:
    """Await `awaitable` for at most `timeout` seconds, then `asyncio.TimeoutError`.

    Not ``asyncio.wait_for``: before Python 3.12 it returns the result when it is
    cancelled just after the result arrived, and the caller's cancellation is lost.
    """
    future = asyncio.ensure_future(awaitable)
    if timeout is None:
        return await future
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        future.cancel()

    timer = asyncio.get_running_loop().call_later(timeout, expire)
    try:
        return await future
    except asyncio.CancelledError:
        task = asyncio.current_task()
        cancelling = getattr(task, "cancelling", None)  # Python 3.11+
        if expired and not (cancelling is not None and cancelling()):
            raise asyncio.TimeoutError from None  # our timer, not the caller's cancel
        raise
    finally:
        timer.cancel()


def _wake(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(True)


def _expire(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)


class AsyncioStream(AsyncSocketStream):
    """A connected non-blocking socket on an asyncio event loop."""

    __slots__ = (
        "_big_reads",
        "_fd",
        "_idle_wakes",
        "_loop",
        "_read_deadline",
        "_read_timer",
        "_read_timer_at",
        "_reader",
        "_ready",
        "_watching",
    )

    _sock: socket.socket

    def __init__(self, sock: socket.socket, where: str, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(sock, where)
        self._fd = sock.fileno()
        self._loop = loop
        self._reader: asyncio.Future[bool] | None = None
        self._watching = False
        # False once a short read drained the socket: the next read waits for the
        # reader callback before trying (see `read`).
        self._ready = True
        self._big_reads = False  # see SMALL_READ
        self._idle_wakes = 0
        # One timer serves every read wait (see `_read_timeout`): the deadline of the
        # read that waits, and the timer armed for an earlier or the same instant.
        self._read_deadline: float | None = None
        self._read_timer: asyncio.TimerHandle | None = None
        self._read_timer_at = 0.0

    def _readable(self) -> None:
        reader = self._reader
        if reader is not None:
            if not reader.done():
                reader.set_result(True)
            return
        # Nobody reads. Once is a stale event (its data was read meanwhile); twice in a
        # row means data or EOF waits on an idle connection: stop watching it.
        self._idle_wakes += 1
        if self._idle_wakes > 1:
            self._watching = False
            self._loop.remove_reader(self._fd)

    async def _wait(self, writing: bool, deadline: float | None) -> bool:
        """Wait until the socket is readable (writable); False if `deadline` came first."""
        loop = self._loop
        waiter: asyncio.Future[bool] = loop.create_future()
        if writing:
            loop.add_writer(self._fd, _wake, waiter)
        else:
            self._reader = waiter
            self._idle_wakes = 0
            if not self._watching:
                loop.add_reader(self._fd, self._readable)
                self._watching = True
        timer = None
        if deadline is not None:
            if writing:
                timer = loop.call_at(deadline, _expire, waiter)
            else:
                self._read_deadline = deadline
                if self._read_timer is None or self._read_timer_at > deadline:
                    self._arm_read_timer(deadline)
        try:
            try:
                return await waiter
            finally:
                if writing:
                    loop.remove_writer(self._fd)
                else:
                    self._reader = None
                    self._read_deadline = None
                if timer is not None:
                    timer.cancel()
        except BaseException:
            self._close()
            raise

    def _arm_read_timer(self, when: float) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
        self._read_timer = self._loop.call_at(when, self._read_timeout)
        self._read_timer_at = when

    def _read_timeout(self) -> None:
        # A timer per read wait costs a heap push and a cancelled handle per received
        # chunk (a 10 MiB body is about 100 of them); this one stays armed between the
        # waits and, when it fires early for a later deadline, moves to that deadline.
        self._read_timer = None
        deadline = self._read_deadline
        reader = self._reader
        if deadline is None or reader is None:
            return
        if deadline <= self._read_timer_at:  # the loop fired it: that instant has come
            _expire(reader)
        else:
            self._arm_read_timer(deadline)

    def _close(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        if self._watching:
            self._watching = False
            self._loop.remove_reader(self._fd)
        super()._close()

    async def wait_readable(self, timeout: float | None) -> bool:
        """Wait until data or EOF can be read; False if `timeout` passed first."""
        if self._closed or self._is_readable():
            return True
        deadline = None if timeout is None else self._loop.time() + timeout
        while await self._wait(False, deadline):
            if self._closed or self._is_readable():  # else a stale wake-up: wait on
                return True
        return False

    async def read(self, max_bytes: int = READ_SIZE, timeout: float | None = None) -> bytes:
        """Up to `max_bytes` bytes, b"" at EOF (see `base` for the error contract)."""
        if self._closed:
            raise ReadError(f"cannot read from {self._where}: the connection is closed")
        deadline = None
        woke = False
        size = max_bytes if self._big_reads or max_bytes < SMALL_READ else SMALL_READ
        while True:
            # While the reader callback is registered it says when data arrives: after a
            # short read drained the socket, wait for it rather than fail a recv (a
            # system call and an exception per response when requests are in flight).
            # Its wake-ups are level-triggered, so data that is already there wakes at
            # once; a wake-up that comes after the read is stale, hence no flag set there.
            if woke or self._ready or not self._watching:
                try:
                    data = self._sock.recv(size)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as exc:
                    self._close()
                    raise ReadError(f"reading from {self._where} failed: {os_reason(exc)}") from exc
                else:
                    self._ready = len(data) == size
                    self._big_reads = len(data) > SMALL_READ // 2
                    return data
            if deadline is None and timeout is not None:
                deadline = self._loop.time() + timeout
            woke = await self._wait(False, deadline)
            if not woke:
                self._close()
                raise ReadTimeout(f"timed out reading from {self._where} after {timeout} s")

    async def write(self, data: bytes, timeout: float | None = None) -> None:
        """Send all of `data`."""
        if self._closed:
            raise WriteError(f"cannot write to {self._where}: the connection is closed")
        deadline = None
        view: bytes | memoryview = data
        while view:
            try:
                sent = self._sock.send(view)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self._close()
                raise WriteError(f"writing to {self._where} failed: {os_reason(exc)}") from exc
            if sent == len(view):
                return
            if sent:
                view = memoryview(view)[sent:]
            if deadline is None and timeout is not None:
                deadline = self._loop.time() + timeout
            if not await self._wait(True, deadline):
                self._close()
                raise WriteTimeout(f"timed out writing to {self._where} after {timeout} s")

    def _is_readable(self) -> bool:
        return fd_readable(self._fd)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<AsyncioStream {self._where} [{state}]>"


async def _attempt(
    loop: asyncio.AbstractEventLoop,
    address: Address,
    local_address: str | None,
    options: Sequence[SocketOption],
    opened: list[socket.socket],
) -> socket.socket:
    sock = tcp_socket(address, local_address, options)
    try:
        await loop.sock_connect(sock, address.sockaddr)
    except BaseException:
        sock.close()
        raise
    opened.append(sock)
    return sock


class AsyncioBackend:
    """Connects asyncio streams; `connect_attempt_delay` is RFC 8305's Happy Eyeballs delay."""

    def __init__(self, connect_attempt_delay: float = CONNECTION_ATTEMPT_DELAY) -> None:
        self.connect_attempt_delay = check_delay(connect_attempt_delay)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        *,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] = (),
        resolver: Resolver | AsyncResolver | None = None,
    ) -> AsyncioStream:
        """Resolve `host` and connect to the first of its addresses to answer."""
        loop = asyncio.get_running_loop()
        where = origin(host, port)
        deadline = None if timeout is None else loop.time() + timeout
        answer = None if resolver is None else resolver(host, port)
        if inspect.isawaitable(answer):  # a resolver hook counts against the timeout too
            if timeout is None:
                answer = await answer
            else:
                try:
                    answer = await _within(answer, timeout)
                except asyncio.TimeoutError:
                    raise self._slow_lookup(where, timeout) from None
        addresses = preresolved(host, port, answer)
        if addresses is None:
            left = None if deadline is None else max(deadline - loop.time(), 0.0)
            lookup = loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            try:
                infos = await _within(lookup, left)
            except asyncio.TimeoutError:  # before OSError: a subclass since Python 3.11
                raise self._slow_lookup(where, timeout) from None
            except OSError as exc:
                raise resolve_error(host, port, exc) from exc
            addresses = from_getaddrinfo(infos)
        addresses = for_local_address(addresses, local_address)
        if not addresses:
            raise no_address(host, port, local_address)
        sock = await self._race(
            loop, addresses, where, deadline, timeout, local_address, list(socket_options)
        )
        return AsyncioStream(sock, where, loop)

    @staticmethod
    def _slow_lookup(where: str, timeout: float | None) -> ConnectTimeout:
        return ConnectTimeout(f"timed out resolving {where} after {timeout} s")

    async def _race(
        self,
        loop: asyncio.AbstractEventLoop,
        addresses: Sequence[Address],
        where: str,
        deadline: float | None,
        timeout: float | None,
        local_address: str | None,
        options: Sequence[SocketOption],
    ) -> socket.socket:
        plan = ConnectPlan(addresses, self.connect_attempt_delay)
        attempts: dict[asyncio.Task[socket.socket], Address] = {}
        opened: list[socket.socket] = []
        winner = None
        try:
            while True:
                now = loop.time()
                address = plan.start(now)
                while address is not None:
                    task = loop.create_task(_attempt(loop, address, local_address, options, opened))
                    attempts[task] = address
                    address = plan.start(now)
                if plan.exhausted:
                    raise plan.failure(where)
                if deadline is not None and now >= deadline:
                    raise ConnectTimeout(f"timed out connecting to {where} after {timeout} s")
                done, _ = await asyncio.wait(
                    attempts,
                    timeout=plan.wait_time(now, deadline),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in done:
                    address = attempts.pop(task)
                    error = task.exception()
                    if error is None:
                        winner = task.result()
                        return winner
                    if not isinstance(error, OSError):
                        raise error
                    plan.failed(address, error)
        finally:
            for task in attempts:
                task.cancel()
            try:
                if attempts:
                    await asyncio.wait(attempts)
            finally:
                for sock in opened:
                    if sock is not winner:
                        sock.close()

    async def connect_unix(
        self,
        path: str,
        *,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] = (),
    ) -> AsyncioStream:
        """Connect to the Unix socket at `path`."""
        loop = asyncio.get_running_loop()
        sock = unix_socket(list(socket_options))
        try:
            await _within(loop.sock_connect(sock, path), timeout)
        except asyncio.TimeoutError:
            sock.close()
            raise ConnectTimeout(f"timed out connecting to {path} after {timeout} s") from None
        except OSError as exc:
            sock.close()
            raise ConnectError(f"could not connect to {path}: {os_reason(exc)}") from exc
        except BaseException:
            sock.close()
            raise
        return AsyncioStream(sock, path, loop)
