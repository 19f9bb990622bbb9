"""The trio backend: ``trio.socket`` with cancel scopes for timeouts.

Imported only when a trio task asks for a backend (`auto.current_async_backend`), so
tether never imports trio otherwise. Happy Eyeballs runs its attempts in a nursery;
TLS runs through `AsyncTLSStream`, like asyncio's.

Invariants: a read or write that fails, times out or is cancelled closes the socket
(synchronously: closing never checkpoints, so it also works in a cancelled scope);
connect attempts that lose the race are cancelled and their sockets closed before
`connect_tcp` returns or raises.
"""

from __future__ import annotations

import inspect
import math
import socket
from collections.abc import Iterable, Sequence

import trio

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
    no_address,
    origin,
    preresolved,
    resolve_error,
    tcp_socket,
    unix_socket,
)
from ._socket_stream import AsyncSocketStream
from .base import SocketOption


class TrioStream(AsyncSocketStream):
    """A connected ``trio.socket`` socket."""

    __slots__ = ("_big_reads",)

    _sock: trio.socket.SocketType

    def __init__(self, sock: trio.socket.SocketType, where: str) -> None:
        super().__init__(sock, where)
        self._big_reads = False  # see SMALL_READ

    async def wait_readable(self, timeout: float | None) -> bool:
        """Wait until data or EOF can be read; False if `timeout` passed first."""
        if self._closed:
            return True
        with trio.move_on_after(math.inf if timeout is None else timeout):
            await trio.lowlevel.wait_readable(self._sock)
            return True
        return False

    async def read(self, max_bytes: int = READ_SIZE, timeout: float | None = None) -> bytes:
        """Up to `max_bytes` bytes, b"" at EOF (see `base` for the error contract)."""
        if self._closed:
            raise ReadError(f"cannot read from {self._where}: the connection is closed")
        size = max_bytes if self._big_reads or max_bytes < SMALL_READ else SMALL_READ
        data: bytes | None = None
        try:
            if timeout is None:
                data = await self._sock.recv(size)
            else:
                with trio.move_on_after(timeout):
                    data = await self._sock.recv(size)
        except OSError as exc:
            self._close()
            raise ReadError(f"reading from {self._where} failed: {os_reason(exc)}") from exc
        except BaseException:
            self._close()
            raise
        if data is None:  # the timeout passed first
            self._close()
            raise ReadTimeout(f"timed out reading from {self._where} after {timeout} s")
        self._big_reads = len(data) > SMALL_READ // 2
        return data

    async def write(self, data: bytes, timeout: float | None = None) -> None:
        """Send all of `data`."""
        if self._closed:
            raise WriteError(f"cannot write to {self._where}: the connection is closed")
        try:
            with trio.move_on_after(math.inf if timeout is None else timeout):
                view: bytes | memoryview = data
                while view:
                    sent = await self._sock.send(view)
                    if sent == len(view):
                        return
                    view = memoryview(view)[sent:]
                return
        except OSError as exc:
            self._close()
            raise WriteError(f"writing to {self._where} failed: {os_reason(exc)}") from exc
        except BaseException:
            self._close()
            raise
        self._close()
        raise WriteTimeout(f"timed out writing to {self._where} after {timeout} s")

    def _is_readable(self) -> bool:
        return self._sock.is_readable()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<TrioStream {self._where} [{state}]>"


class _Race:
    """The shared state of one Happy Eyeballs race: the plan, the winner, a wake-up."""

    def __init__(
        self, plan: ConnectPlan, local_address: str | None, options: Sequence[SocketOption]
    ) -> None:
        self.plan = plan
        self.local_address = local_address
        self.options = options
        self.winner: trio.socket.SocketType | None = None
        self.changed = trio.Event()

    async def attempt(self, address: Address, nursery: trio.Nursery) -> None:
        try:
            sock = trio.socket.from_stdlib_socket(
                tcp_socket(address, self.local_address, self.options)
            )
        except OSError as exc:
            self.plan.failed(address, exc)
            self.changed.set()
            return
        try:
            await sock.connect(address.sockaddr)
        except OSError as exc:
            sock.close()
            self.plan.failed(address, exc)
            self.changed.set()
            return
        except BaseException:
            sock.close()
            raise
        if self.winner is None:
            self.winner = sock
            nursery.cancel_scope.cancel()
        else:
            sock.close()

    async def run(self, nursery: trio.Nursery) -> None:
        plan = self.plan
        while True:
            now = trio.current_time()
            address = plan.start(now)
            while address is not None:
                nursery.start_soon(self.attempt, address, nursery)
                address = plan.start(now)
            if plan.exhausted:
                return
            self.changed = trio.Event()
            next_start = plan.next_start()
            with trio.move_on_at(math.inf if next_start is None else next_start):
                await self.changed.wait()


class TrioBackend:
    """Connects trio streams; `connect_attempt_delay` is RFC 8305's Happy Eyeballs delay."""

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
    ) -> TrioStream:
        """Resolve `host` and connect to the first of its addresses to answer."""
        where = origin(host, port)
        race: _Race | None = None
        try:
            with trio.move_on_after(math.inf if timeout is None else timeout):
                answer = None if resolver is None else resolver(host, port)
                if inspect.isawaitable(answer):
                    answer = await answer
                addresses = preresolved(host, port, answer)
                if addresses is None:
                    try:
                        infos = await trio.socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                    except OSError as exc:
                        raise resolve_error(host, port, exc) from exc
                    addresses = from_getaddrinfo(infos)
                addresses = for_local_address(addresses, local_address)
                if not addresses:
                    raise no_address(host, port, local_address)
                plan = ConnectPlan(addresses, self.connect_attempt_delay)
                race = _Race(plan, local_address, list(socket_options))
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(race.run, nursery)
        except BaseException:
            if race is not None and race.winner is not None:
                race.winner.close()
            raise
        if race is None:  # the scope ran out before the addresses were known
            raise ConnectTimeout(f"timed out resolving {where} after {timeout} s")
        if race.winner is not None:
            return TrioStream(race.winner, where)
        if race.plan.exhausted:
            raise race.plan.failure(where)
        raise ConnectTimeout(f"timed out connecting to {where} after {timeout} s")

    async def connect_unix(
        self,
        path: str,
        *,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] = (),
    ) -> TrioStream:
        """Connect to the Unix socket at `path`."""
        sock = trio.socket.from_stdlib_socket(unix_socket(list(socket_options)))
        try:
            with trio.move_on_after(math.inf if timeout is None else timeout):
                await sock.connect(path)
                return TrioStream(sock, path)
        except OSError as exc:
            sock.close()
            raise ConnectError(f"could not connect to {path}: {os_reason(exc)}") from exc
        except BaseException:
            sock.close()
            raise
        sock.close()
        raise ConnectTimeout(f"timed out connecting to {path} after {timeout} s")
