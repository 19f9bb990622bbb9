"""What the asyncio and trio socket streams share: closing, TLS and connection details.

Each backend keeps its own `read` and `write` (how it waits is what differs) and says
whether the socket has data or EOF waiting (`_is_readable`).
"""

from __future__ import annotations

import ssl
from typing import Any, Protocol

from ..._exceptions import ConnectError
from ._tls_stream import AsyncTLSStream


class _Socket(Protocol):
    def close(self) -> None: ...

    def getsockname(self) -> Any: ...

    def getpeername(self) -> Any: ...


class AsyncSocketStream:
    """The backend-independent half of a connected async socket stream."""

    __slots__ = ("_closed", "_sock", "_where")

    _sock: _Socket

    def __init__(self, sock: _Socket, where: str) -> None:
        self._sock = sock
        self._where = where
        self._closed = False

    def _is_readable(self) -> bool:
        raise NotImplementedError

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._sock.close()

    async def aclose(self) -> None:
        """Close the socket; closing twice is fine (never checkpoints)."""
        self._close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncTLSStream:
        """Handshake TLS over this stream; the returned stream owns this one."""
        if self._closed:
            raise ConnectError(f"cannot start TLS with {self._where}: the connection is closed")
        return await AsyncTLSStream.handshake(
            self,  # type: ignore[arg-type]  # subclasses add read and write
            ssl_context,
            server_hostname,
            timeout,
            self._where,
        )

    def get_extra_info(self, name: str) -> Any:
        """``client_addr``, ``server_addr``, ``socket``, ``is_readable``; no ``ssl_object``."""
        if name == "is_readable":
            return self._closed or self._is_readable()
        if name == "socket":
            return self._sock
        if self._closed:
            return None
        if name == "client_addr":
            return self._sock.getsockname()
        if name == "server_addr":
            return self._sock.getpeername()
        return None
