"""The auth flow protocol: one generator that both clients drive.

Invariants:

- `Auth.auth_flow` is plain code with no I/O. It yields a request to send and receives
  the response with ``response = yield request``; when it returns, the client returns
  the last response it received.
- `Auth.sync_auth_flow` and `Auth.async_auth_flow` are twins: a test strips
  ``async``/``await`` and the ``a`` prefix from ``aread`` and fails on any other
  difference. They read the request body before the flow starts when
  ``requires_request_body`` is set, and each response body before the flow sees it when
  ``requires_response_body`` is set; these reads are their only I/O.
- Whatever way a driver ends (the flow returns, the client closes the driver early, an
  exception is thrown in), the inner flow is finished or closed, so its ``finally``
  blocks run now rather than whenever the garbage collector gets to them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any

from ._exceptions import AuthError

# The overridable surface is typed with Any, not with the RequestLike/ResponseLike
# protocols: a subclass may then annotate its flow with its client's concrete types
# (``def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, ...]``), as
# httpx's documentation shows, which a narrower parameter than the base's would forbid.
Flow = Generator[Any, Any, None]


class Auth:
    """The base class of authentication schemes: httpx's auth protocol.

    Subclass it and override `auth_flow`. Set ``requires_request_body`` or
    ``requires_response_body`` to have the drivers read those bodies first. A scheme that
    does I/O of its own (a token refresh over the network) overrides `sync_auth_flow`
    and `async_auth_flow` instead.

    >>> class Token(Auth):
    ...     def auth_flow(self, request):
    ...         request.headers["Authorization"] = "Bearer abc"
    ...         yield request
    """

    __slots__ = ()

    requires_request_body: bool = False
    requires_response_body: bool = False

    def auth_flow(self, request: Any) -> Flow:
        """Yield requests to send; receive each response; return to finish.

        The default sends the request unchanged.
        """
        yield request

    def sync_auth_flow(self, request: Any) -> Flow:
        """Drive `auth_flow` for a sync client, reading bodies as the class asks.

        A generator: the client sends each response in with ``.send(response)``.
        """
        if self.requires_request_body:
            request.read()
        flow = self.auth_flow(request)
        try:
            try:
                request = next(flow)
            except StopIteration:
                raise _no_request(self) from None
            while True:
                response = yield request
                if self.requires_response_body:
                    response.read()
                try:
                    request = flow.send(response)
                except StopIteration:
                    return
        except BaseException:
            # Closed early, or an error thrown in or raised: let the flow clean up now.
            flow.close()
            raise

    async def async_auth_flow(self, request: Any) -> AsyncGenerator[Any, Any]:
        """Drive `auth_flow` for an async client, reading bodies as the class asks.

        An async generator: the client sends each response in with ``.asend(response)``.
        """
        if self.requires_request_body:
            await request.aread()
        flow = self.auth_flow(request)
        try:
            try:
                request = next(flow)
            except StopIteration:
                raise _no_request(self) from None
            while True:
                response = yield request
                if self.requires_response_body:
                    await response.aread()
                try:
                    request = flow.send(response)
                except StopIteration:
                    return
        except BaseException:
            # Closed early, or an error thrown in or raised: let the flow clean up now.
            flow.close()
            raise


def _no_request(auth: Auth) -> AuthError:
    return AuthError(f"{type(auth).__name__}.auth_flow() ended without yielding a request")
