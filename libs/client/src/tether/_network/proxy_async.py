"""`AsyncProxyConnectionPool`: the asyncio/trio twin of `proxy.ProxyConnectionPool`.

The pool's books and request cycle are `ConnectionPool`'s; this shell only routes
(`ProxyPlan.route`) and opens connections: TCP to the proxy (TLS too for an
``https://`` proxy), then a CONNECT or SOCKS5 handshake for a tunnel, then TLS to the
origin for an https target (TLS inside TLS through an https proxy).

Errors name the proxy by its URL, which never holds the password: failing to reach it
raises `ConnectError` / `ConnectTimeout`, a refusal `ProxyError`, and the handshake runs
within the connect timeout (and the request's total deadline).
"""

from __future__ import annotations

from typing import Any

from .._exceptions import (
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)
from .._request import Request
from .backends._common import READ_SIZE
from .backends._common import origin as host_port
from .backends.base import AsyncNetworkStream
from .connection_async import AsyncConnection
from .pool import Deadline, Origin
from .pool_async import AsyncConnectionPool
from .pool_backend import async_backend_of as backend_of
from .proxy_plan import HeaderList, ProxyPlan, Socks5Dialog, TunnelDialog, needs_resolving
from .resolve import aresolve


class AsyncProxyConnectionPool(AsyncConnectionPool):
    """A connection pool that sends every request through the proxy of `plan`."""

    def __init__(self, plan: ProxyPlan, **settings: Any) -> None:
        super().__init__(**settings)
        self._plan = plan

    @property
    def plan(self) -> ProxyPlan:
        """The proxy and how requests go through it."""
        return self._plan

    def _route(self, request: Request) -> tuple[Origin, bytes, HeaderList]:
        return self._plan.route(request)

    async def _connect(self, origin: Origin, limits: Deadline) -> AsyncConnection:
        plan = self._plan
        scheme, host, port = origin
        stream = await self._reach_proxy(limits)
        if plan.forwards(origin):
            return AsyncConnection(stream, host_port(plan.host, plan.port))
        try:
            if plan.socks:
                address = await aresolve(host, port) if needs_resolving(plan, host) else host
                dialog: TunnelDialog | Socks5Dialog = Socks5Dialog(
                    address, port, plan.auth, plan.name
                )
            else:
                dialog = TunnelDialog(host, port, plan.headers, plan.name)
            await self._handshake(stream, dialog, limits)
            if scheme == "https":
                stream = await stream.start_tls(
                    plan.origin_context, host, limits.left(limits.connect, ConnectTimeout)
                )
        except BaseException:
            await stream.aclose()
            raise
        return AsyncConnection(stream, f"{host_port(host, port)} (via proxy {plan.name})")

    async def _reach_proxy(self, limits: Deadline) -> AsyncNetworkStream:
        """A stream to the proxy (TLS for an https proxy), retried as the pool says."""
        plan = self._plan
        backend = backend_of(self)
        attempts = self._retries
        while True:
            try:
                stream = await backend.connect_tcp(
                    plan.host,
                    plan.port,
                    timeout=limits.left(limits.connect, ConnectTimeout),
                    local_address=self._local_address,
                    socket_options=self._socket_options,
                )
                if plan.tls:
                    stream = await stream.start_tls(
                        plan.proxy_context,
                        plan.host,
                        limits.left(limits.connect, ConnectTimeout),
                    )
                return stream
            except (ConnectError, ConnectTimeout) as exc:
                if attempts <= 0:
                    raise type(exc)(f"could not reach proxy {plan.name}: {exc}") from exc
                attempts -= 1

    async def _handshake(
        self, stream: AsyncNetworkStream, dialog: TunnelDialog | Socks5Dialog, limits: Deadline
    ) -> None:
        """Run `dialog` on `stream` within the connect timeout."""
        name = self._plan.name
        try:
            data = dialog.start()
            while True:
                timeout = limits.left(limits.connect, ConnectTimeout)
                if data:
                    await stream.write(data, timeout)
                if dialog.done:
                    return
                data = dialog.receive(await stream.read(READ_SIZE, timeout))
        except (ReadTimeout, WriteTimeout):
            raise ConnectTimeout(f"timed out in the handshake with proxy {name}") from None
        except (ReadError, WriteError) as exc:
            raise ConnectError(f"lost the connection to proxy {name}: {exc}") from exc
