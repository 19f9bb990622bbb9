"""The default transport until tether's pooled network transport lands.

tether 0.1 talks to in-process apps and mocks (MockTransport, WSGITransport,
ASGITransport). A client built without ``transport=`` keeps its network settings
here, and a request that would need the network fails at once with an error that
says so and names the URL, instead of hanging or pretending.
"""

from __future__ import annotations

from typing import Any

from ._exceptions import UnsupportedProtocol
from ._request import Request
from ._response import Response
from ._transports.base import AsyncBaseTransport, BaseTransport


def _refuse(request: Request) -> UnsupportedProtocol:
    return UnsupportedProtocol(
        f"tether 0.1 has no network transport yet, so {request.method} {request.url} "
        "cannot be sent; pass transport= or mounts= (MockTransport, WSGITransport, "
        "ASGITransport)",
        request=request,
    )


class OfflineTransport(BaseTransport):
    """A sync transport that keeps network settings and refuses to send."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings

    def handle_request(self, request: Request) -> Response:
        """Refuse: there is no network transport yet."""
        raise _refuse(request)


class AsyncOfflineTransport(AsyncBaseTransport):
    """An async transport that keeps network settings and refuses to send."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings

    async def handle_async_request(self, request: Request) -> Response:
        """Refuse: there is no network transport yet."""
        raise _refuse(request)
