"""`HTTPTransport` and `AsyncHTTPTransport`: the network transports, over a connection pool.

Thin shells: settings are checked and turned into a TLS context once, here; requests go
to `ConnectionPool` / `AsyncConnectionPool`. The constructor is httpx 0.28's.

- ``http2=True`` is accepted and HTTP/1.1 is spoken: HTTP/2 is a later issue, and a
  server that offers both answers HTTP/1.1 just the same (ALPN asks for http/1.1 only).
- ``proxy=`` raises `UnsupportedProtocol` at construction, naming the proxy: proxies
  are a later issue, and sending around a configured proxy would leak traffic.
- ``retries`` retries failed connects (`ConnectError`, `ConnectTimeout`), as httpx.
- ``resolver=`` (keyword-only, tether's own) answers host lookups before DNS: a
  callable ``(host, port) -> [(ip, port), ...] | None`` (async ones too, for the async
  transport), or a mapping ``{"host:port": ["ip", ...]}`` like curl's ``--resolve``.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._config import DEFAULT_LIMITS, Limits
from .._exceptions import RequestError, UnsupportedProtocol
from .._network.backends.base import SocketOption
from .._network.eyeballs import AsyncResolver, HostOverrides, Resolver
from .._network.pool import ConnectionPool
from .._network.pool_async import AsyncConnectionPool
from .._network.tls import ssl_context_for
from .._request import Request
from .._response import Response
from .base import AsyncBaseTransport, BaseTransport

__all__ = ["AsyncHTTPTransport", "HTTPTransport"]


def _resolver(resolver: Any) -> Any:
    """The `resolver=` argument as the backends take it: a mapping becomes `HostOverrides`."""
    if resolver is None or callable(resolver):
        return resolver
    if isinstance(resolver, Mapping):
        return HostOverrides(resolver)
    raise TypeError(
        "resolver must be a callable (host, port) -> [(ip, port), ...] or a mapping "
        f"{{'host:port': ['ip', ...]}}, not {type(resolver).__name__}"
    )


def _checked_settings(proxy: Any, retries: int) -> None:
    if proxy is not None:
        raise UnsupportedProtocol(
            f"proxy={str(proxy)!r}: tether's network transport does not support proxies yet"
        )
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be a whole number, 0 or more, not {retries!r}")


class HTTPTransport(BaseTransport):
    """Send requests over pooled HTTP/1.1 connections (blocking sockets)."""

    def __init__(
        self,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: Limits = DEFAULT_LIMITS,
        proxy: Any = None,
        uds: str | None = None,
        local_address: str | None = None,
        retries: int = 0,
        socket_options: Iterable[SocketOption] | None = None,
        *,
        resolver: Resolver | Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        _checked_settings(proxy, retries)
        self._pool = ConnectionPool(
            ssl_context=ssl_context_for(verify, cert, trust_env),
            limits=limits,
            local_address=local_address,
            uds=uds,
            socket_options=socket_options or (),
            retries=retries,
            resolver=_resolver(resolver),
        )

    @property
    def pool(self) -> ConnectionPool:
        """The connection pool (its `repr` shows the connections)."""
        return self._pool

    def handle_request(self, request: Request) -> Response:
        """Send one request; the response's stream returns the connection when closed."""
        try:
            return self._pool.handle_request(request)
        except RequestError as exc:
            if exc._request is None:
                exc.request = request
            raise

    def close(self) -> None:
        """Close the pool's connections."""
        self._pool.close()


class AsyncHTTPTransport(AsyncBaseTransport):
    """Send requests over pooled HTTP/1.1 connections (asyncio or trio)."""

    def __init__(
        self,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: Limits = DEFAULT_LIMITS,
        proxy: Any = None,
        uds: str | None = None,
        local_address: str | None = None,
        retries: int = 0,
        socket_options: Iterable[SocketOption] | None = None,
        *,
        resolver: Resolver | AsyncResolver | Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        _checked_settings(proxy, retries)
        self._pool = AsyncConnectionPool(
            ssl_context=ssl_context_for(verify, cert, trust_env),
            limits=limits,
            local_address=local_address,
            uds=uds,
            socket_options=socket_options or (),
            retries=retries,
            resolver=_resolver(resolver),
        )

    @property
    def pool(self) -> AsyncConnectionPool:
        """The connection pool (its `repr` shows the connections)."""
        return self._pool

    async def handle_async_request(self, request: Request) -> Response:
        """Send one request; the response's stream returns the connection when closed."""
        try:
            return await self._pool.handle_async_request(request)
        except RequestError as exc:
            if exc._request is None:
                exc.request = request
            raise

    async def aclose(self) -> None:
        """Close the pool's connections."""
        await self._pool.aclose()
