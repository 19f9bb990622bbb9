"""The backend interface: what the connection layer asks of blocking sockets, asyncio and trio.

A backend opens streams (`connect_tcp`, `connect_unix`); a stream reads, writes,
upgrades to TLS and closes. Every backend keeps the same promises:

- Errors are tether's: a timeout raises `ConnectTimeout`, `ReadTimeout` or
  `WriteTimeout`, an OS or TLS error `ConnectError`, `ReadError` or `WriteError`, and
  the message names the peer (``host:port`` or the socket path).
- A read or write that fails, times out or is cancelled closes the stream: the bytes in
  flight are unknown, so the connection can never be reused, and no socket leaks.
- ``read`` returns at least one byte, or ``b""`` at EOF; ``write`` sends all of `data`.
- ``close``/``aclose`` is idempotent; reading or writing a closed stream raises
  `ReadError` / `WriteError`.
- ``start_tls`` returns a new stream that owns the old one.
- ``get_extra_info(name)`` knows ``"ssl_object"`` (None without TLS),
  ``"client_addr"``, ``"server_addr"``, ``"socket"`` and ``"is_readable"``: whether an
  idle connection has data or EOF waiting, i.e. the server closed or misbehaved.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any, Protocol, TypeAlias

from ..eyeballs import AsyncResolver, Resolver

SocketOption: TypeAlias = tuple[int, int, int] | tuple[int, int, bytes] | tuple[int, int, None, int]
"""An argument tuple of ``socket.setsockopt`` (httpx's ``socket_options``)."""

EXTRA_INFO = ("ssl_object", "client_addr", "server_addr", "socket", "is_readable")


class NetworkStream(Protocol):
    """A blocking byte stream to one peer."""

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes: ...

    def write(self, data: bytes, timeout: float | None = None) -> None: ...

    def close(self) -> None: ...

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> NetworkStream: ...

    def get_extra_info(self, name: str) -> Any: ...

    def wait_readable(self, timeout: float | None) -> bool:
        """Wait until data or EOF can be read; False if `timeout` passed first (no error,
        the stream stays open)."""
        ...


class AsyncNetworkStream(Protocol):
    """A byte stream to one peer, for asyncio or trio."""

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes: ...

    async def write(self, data: bytes, timeout: float | None = None) -> None: ...

    async def aclose(self) -> None: ...

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncNetworkStream: ...

    def get_extra_info(self, name: str) -> Any: ...

    async def wait_readable(self, timeout: float | None) -> bool:
        """Wait until data or EOF can be read; False if `timeout` passed first (no error,
        the stream stays open)."""
        ...


class NetworkBackend(Protocol):
    """Opens blocking streams."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        *,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] = (),
        resolver: Resolver | None = None,
    ) -> NetworkStream: ...

    def connect_unix(
        self,
        path: str,
        *,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] = (),
    ) -> NetworkStream: ...


class AsyncNetworkBackend(Protocol):
    """Opens async streams."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        *,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] = (),
        resolver: Resolver | AsyncResolver | None = None,
    ) -> AsyncNetworkStream: ...

    async def connect_unix(
        self,
        path: str,
        *,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] = (),
    ) -> AsyncNetworkStream: ...
