"""`FunctionAuth`: a plain callable used as an auth scheme."""

from __future__ import annotations

from collections.abc import Callable

from ._auth import Auth, Flow
from ._protocols import RequestLike


class FunctionAuth(Auth):
    """Authenticate with a function that takes the request and returns the one to send.

    What a client builds from ``auth=some_function``. The function runs once per request
    and may change the request in place or return another one.

    >>> def sign(request):
    ...     request.headers["X-Signature"] = "sig"
    ...     return request
    >>> auth = FunctionAuth(sign)
    """

    __slots__ = ("_func",)

    def __init__(self, func: Callable[[RequestLike], RequestLike]) -> None:
        if not callable(func):
            raise TypeError(f"FunctionAuth needs a callable, got {type(func).__name__}")
        self._func = func

    def __repr__(self) -> str:
        return f"FunctionAuth({self._func!r})"

    def auth_flow(self, request: RequestLike) -> Flow:
        """Send what the function returns for the request."""
        yield self._func(request)
