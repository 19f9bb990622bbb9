"""`MockTransport`: answer requests with a function, for tests."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from .._request import Request
from .._response import Response
from .base import AsyncBaseTransport, BaseTransport

SyncHandler = Callable[[Request], Response]
AsyncHandler = Callable[[Request], Awaitable[Response]]
Handler = SyncHandler | AsyncHandler


def _checked(response: object, handler: object) -> Response:
    if not isinstance(response, Response):
        raise TypeError(
            f"The MockTransport handler {handler!r} must return a tether.Response, "
            f"not {type(response).__name__}."
        )
    return response


class MockTransport(AsyncBaseTransport, BaseTransport):
    """A transport that calls `handler(request)` for the response instead of sending it.

    The request body is read first, so the handler can use ``request.content``. With
    `Client` the handler must be a plain function; with `AsyncClient` it may also be an
    ``async def`` function (its result is awaited).
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def handle_request(self, request: Request) -> Response:
        request.read()
        response = self.handler(request)
        if inspect.isawaitable(response):
            if inspect.iscoroutine(response):
                response.close()  # never awaited: close it rather than leak a warning
            raise TypeError(
                f"The MockTransport handler {self.handler!r} is asynchronous: it can only "
                "be used with an AsyncClient (handle_async_request); use a plain function "
                "with a Client."
            )
        return _checked(response, self.handler)

    async def handle_async_request(self, request: Request) -> Response:
        await request.aread()
        response = self.handler(request)
        if inspect.isawaitable(response):
            response = await response
        return _checked(response, self.handler)
