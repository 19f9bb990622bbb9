"""The default transport until tether's network transport becomes the default.

In tether 0.1 the pooled network transport is opt-in (``transport=HTTPTransport()``):
proxies, including those named by the environment's ``HTTP_PROXY`` variables, are not
supported by it yet, and a default that silently went around a configured proxy would
leak traffic. A client built without ``transport=`` keeps its network settings here, and
a request fails at once with an error that says so and names the URL.
"""

from __future__ import annotations

from typing import Any

from ._exceptions import UnsupportedProtocol
from ._request import Request
from ._response import Response
from ._transports.base import AsyncBaseTransport, BaseTransport


def _refuse(request: Request) -> UnsupportedProtocol:
    return UnsupportedProtocol(
        f"tether 0.1 has no network transport by default yet, so {request.method} "
        f"{request.url} cannot be sent; opt in with transport=tether.HTTPTransport() "
        "(AsyncHTTPTransport for AsyncClient), or use an in-process transport",
        request=request,
    )


class OfflineTransport(BaseTransport):
    """A sync transport that keeps network settings and refuses to send."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings

    def handle_request(self, request: Request) -> Response:
        """Refuse: the network transport is opt-in for now."""
        raise _refuse(request)


class AsyncOfflineTransport(AsyncBaseTransport):
    """An async transport that keeps network settings and refuses to send."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings

    async def handle_async_request(self, request: Request) -> Response:
        """Refuse: the network transport is opt-in for now."""
        raise _refuse(request)
