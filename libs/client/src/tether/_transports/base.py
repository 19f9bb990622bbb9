"""`BaseTransport` and `AsyncBaseTransport`: what a client sends its requests through.

A transport turns one `Request` into one `Response` whose body is a stream
(`SyncByteStream` or `AsyncByteStream`) that the caller must close. The client attaches
the request to the response, follows redirects and runs auth; a transport does none of
that. The pooled network transport, the mock and the WSGI and ASGI transports all
implement this interface, so a client works with any of them.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .._request import Request
    from .._response import Response

_Sync = TypeVar("_Sync", bound="BaseTransport")
_Async = TypeVar("_Async", bound="AsyncBaseTransport")


class BaseTransport:
    """The base class of the transports of `Client`: override `handle_request`."""

    def __enter__(self: _Sync) -> _Sync:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.close()

    def handle_request(self, request: Request) -> Response:
        """Send one request and return its response, whose stream the caller closes."""
        raise NotImplementedError(f"{type(self).__name__} must implement handle_request().")

    def close(self) -> None:
        """Release what the transport holds (connections, apps' resources)."""


class AsyncBaseTransport:
    """The base class of the transports of `AsyncClient`: override `handle_async_request`."""

    async def __aenter__(self: _Async) -> _Async:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    async def handle_async_request(self, request: Request) -> Response:
        """Send one request and return its response, whose stream the caller closes."""
        raise NotImplementedError(f"{type(self).__name__} must implement handle_async_request().")

    async def aclose(self) -> None:
        """Release what the transport holds (connections, running apps)."""
