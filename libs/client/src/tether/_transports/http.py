"""`HTTPTransport` and `AsyncHTTPTransport`: the network transports, over a connection pool.

The default transports of `Client` and `AsyncClient`. Thin shells: settings are checked
and turned into a TLS context once, here; requests go to `ConnectionPool` /
`AsyncConnectionPool`, or with a proxy to `ProxyConnectionPool` /
`AsyncProxyConnectionPool`. The constructor is httpx 0.28's.

- ``http2=True`` is accepted and HTTP/1.1 is spoken: HTTP/2 is a later issue, and a
  server that offers both answers HTTP/1.1 just the same (ALPN asks for http/1.1 only).
- ``proxy=`` (a URL string, a `URL` or a `Proxy`) sends every request through that
  proxy: http, https (TLS to the proxy), socks5 (names resolved here) and socks5h
  (names resolved by the proxy); SOCKS needs ``tether[socks]``. See
  `_network.proxy_plan`.
- ``retries`` retries failed connects (`ConnectError`, `ConnectTimeout`), as httpx.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

from tether_urls import URL

from .._config import DEFAULT_LIMITS, Limits
from .._exceptions import RequestError
from .._network.backends.base import SocketOption
from .._network.pool import ConnectionPool
from .._network.pool_async import AsyncConnectionPool
from .._network.proxy import ProxyConnectionPool
from .._network.proxy_async import AsyncProxyConnectionPool
from .._network.proxy_plan import ProxyPlan
from .._network.tls import ssl_context_for
from .._proxy import Proxy
from .._request import Request
from .._response import Response
from .._types import ProxyTypes
from .base import AsyncBaseTransport, BaseTransport

__all__ = ["AsyncHTTPTransport", "HTTPTransport"]


def _checked_settings(retries: int) -> None:
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be a whole number, 0 or more, not {retries!r}")


def _proxy_plan(proxy: ProxyTypes | None, ssl_context: ssl.SSLContext) -> ProxyPlan | None:
    """The plan for `proxy` (a URL or a `Proxy`), or None without one."""
    if proxy is None:
        return None
    if isinstance(proxy, str | URL):
        proxy = Proxy(url=proxy)
    elif not isinstance(proxy, Proxy):
        raise TypeError(
            f"proxy= must be a URL string, a tether.URL or a tether.Proxy, "
            f"not {type(proxy).__name__}"
        )
    return ProxyPlan(proxy, ssl_context)


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
        proxy: ProxyTypes | None = None,
        uds: str | None = None,
        local_address: str | None = None,
        retries: int = 0,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> None:
        _checked_settings(retries)
        ssl_context = ssl_context_for(verify, cert, trust_env)
        settings: dict[str, Any] = {
            "ssl_context": ssl_context,
            "limits": limits,
            "local_address": local_address,
            "uds": uds,
            "socket_options": socket_options or (),
            "retries": retries,
        }
        plan = _proxy_plan(proxy, ssl_context)
        self._pool = (
            ConnectionPool(**settings) if plan is None else ProxyConnectionPool(plan, **settings)
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
        proxy: ProxyTypes | None = None,
        uds: str | None = None,
        local_address: str | None = None,
        retries: int = 0,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> None:
        _checked_settings(retries)
        ssl_context = ssl_context_for(verify, cert, trust_env)
        settings: dict[str, Any] = {
            "ssl_context": ssl_context,
            "limits": limits,
            "local_address": local_address,
            "uds": uds,
            "socket_options": socket_options or (),
            "retries": retries,
        }
        plan = _proxy_plan(proxy, ssl_context)
        self._pool = (
            AsyncConnectionPool(**settings)
            if plan is None
            else AsyncProxyConnectionPool(plan, **settings)
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
